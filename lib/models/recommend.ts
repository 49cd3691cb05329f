/**
 * recommend(task, dataShape): the step-3 table of candidate algorithms for a problem type, with the
 * reasoning (data size, interpretability, compute) for the data at hand. Renders as an HTML table.
 */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import type { Estimator } from "./estimator";
import { DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor } from "./trees";
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from "./boosting";
import { LinearRegression, LogisticRegression, Ridge } from "./linear";
import { SVC } from "./svm";
import { GaussianNB } from "./naive-bayes";
import { AGGLOMERATIVE_MAX_ROWS, AgglomerativeClustering, KMeans } from "./clustering";
import { cnn, mlp, rnn, transformer } from "./nn";

/** Problem types of the step-3 table. */
export type RecommendTask = "binary" | "multiclass" | "regression" | "images" | "sequences" | "clustering";

/** The tasks {@link recommend} knows. */
export const RECOMMEND_TASKS: readonly RecommendTask[] = [
  "binary",
  "multiclass",
  "regression",
  "images",
  "sequences",
  "clustering",
];

/** The size of the data: rows (samples) and features (columns, pixels, or sequence length × channels). */
export interface DataShape {
  rows: number;
  features: number;
}

/** How well a candidate suits data of this size. */
export type Suitability = "good" | "ok" | "poor";

/** One candidate algorithm with its reasoning. */
export interface Candidate {
  /** Human name, e.g. "Random forest". */
  algorithm: string;
  /** What to call in trainlab, e.g. "new RandomForestClassifier()" or "cnn()". */
  trainlab: string;
  suitability: Suitability;
  dataSize: string;
  interpretability: string;
  compute: string;
  why: string;
  /** A fresh unfitted estimator with default hyperparameters. */
  create(): Estimator;
}

/** The answer of {@link recommend}: candidates best first; displays as an HTML table. */
export interface Recommendation {
  task: RecommendTask;
  dataShape: DataShape;
  candidates: Candidate[];
  [DISPLAY](): MimeBundle;
  toString(): string;
}

function sizeWord(rows: number): string {
  return rows < 1_000 ? "small" : rows < 100_000 ? "medium" : "large";
}

type Draft = Omit<Candidate, "suitability"> & { suitability: Suitability };

function candidatesFor(task: RecommendTask, { rows, features }: DataShape): Draft[] {
  const n = rows.toLocaleString("en-US");
  const size = sizeWord(rows);
  const svmOk: Suitability = rows <= 10_000 ? "good" : rows <= 50_000 ? "ok" : "poor";
  const svm: Draft = {
    algorithm: "SVM (RBF kernel)",
    trainlab: "new SVC()",
    suitability: svmOk,
    dataSize:
      rows <= 10_000
        ? `${n} rows: fine (kernel SVMs shine on small and medium data)`
        : `${n} rows: slow, fitting grows between n² and n³`,
    interpretability: "low (support vectors, no coefficients)",
    compute: "O(n²)–O(n³) fit, memory for the kernel cache",
    why: "strong margins on non-linear boundaries with few rows; needs scaled features (done internally)",
    create: () => new SVC(),
  };
  const nb = (classes: string): Draft => ({
    algorithm: "Gaussian naive Bayes",
    trainlab: "new GaussianNB()",
    suitability: rows < 1_000 ? "good" : "ok",
    dataSize: `${n} rows: any size; best as a baseline on small data`,
    interpretability: "high (per-class means and variances)",
    compute: "one pass, instant",
    why: `a ${classes} baseline that assumes independent Gaussian features; hard to beat with very few rows`,
    create: () => new GaussianNB(),
  });
  const forestClf: Draft = {
    algorithm: "Random forest",
    trainlab: "new RandomForestClassifier({ nJobs: 2 })",
    suitability: rows >= 200 ? "good" : "ok",
    dataSize: `${n} rows (${size}): robust from hundreds to millions of rows`,
    interpretability: "medium (feature importances, no single rule set)",
    compute: "trees in parallel on worker threads; memory grows with rows × trees",
    why: "little tuning, resists overfitting, handles interactions and unscaled features",
    create: () => new RandomForestClassifier({ nJobs: 2 }),
  };
  const boostClf: Draft = {
    algorithm: "Gradient boosting (histogram)",
    trainlab: "new HistGradientBoostingClassifier()",
    suitability: rows >= 1_000 ? "good" : "ok",
    dataSize:
      rows >= 1_000
        ? `${n} rows: usually the most accurate on tabular data`
        : `${n} rows: may overfit; lower maxLeafNodes or use a forest`,
    interpretability: "medium (feature importances)",
    compute: "fast: binned features, histogram subtraction",
    why: "state of the art on tables; tune learningRate, maxLeafNodes and maxIter (early stopping)",
    create: () => new HistGradientBoostingClassifier(),
  };
  const mlpClf: Draft = {
    algorithm: "Neural network (MLP)",
    trainlab: "mlp()",
    suitability: rows >= 10_000 ? "good" : rows >= 1_000 ? "ok" : "poor",
    dataSize:
      rows >= 10_000 ? `${n} rows: enough to train a network` : `${n} rows: few for a network; trees usually win`,
    interpretability: "low",
    compute: `tfjs on the chosen backend; epochs × ${n} rows`,
    why: "learns feature combinations; watch train/val loss live with train()",
    create: () => mlp(),
  };
  switch (task) {
    case "binary":
      return [
        {
          algorithm: "Logistic regression",
          trainlab: "new LogisticRegression()",
          suitability: "good",
          dataSize: `${n} rows: any size (${features} features)`,
          interpretability: "high (one signed coefficient per feature, log-odds)",
          compute: "seconds even for 100k rows (L-BFGS)",
          why: "the baseline to beat: calibrated probabilities, linear boundary, L2 against overfitting",
          create: () => new LogisticRegression(),
        },
        svm,
        {
          algorithm: "Decision tree",
          trainlab: "new DecisionTreeClassifier({ maxDepth: 5 })",
          suitability: "good",
          dataSize: `${n} rows: any size; deep trees overfit small data`,
          interpretability: "high (readable if-then rules when shallow)",
          compute: "fast (binned splits)",
          why: "rules you can explain; non-linear; a step towards forests",
          create: () => new DecisionTreeClassifier({ maxDepth: 5 }),
        },
        nb("binary"),
      ];
    case "multiclass":
      return [
        forestClf,
        boostClf,
        mlpClf,
        {
          algorithm: "Multinomial logistic regression",
          trainlab: "new LogisticRegression()",
          suitability: "good",
          dataSize: `${n} rows: any size`,
          interpretability: "high (coefficients per class)",
          compute: "fast",
          why: "a linear softmax baseline with calibrated probabilities",
          create: () => new LogisticRegression(),
        },
        nb("multiclass"),
      ];
    case "regression":
      return [
        {
          algorithm: "Linear regression",
          trainlab: "new LinearRegression()",
          suitability: rows > features * 10 ? "good" : "ok",
          dataSize:
            rows > features * 10
              ? `${n} rows for ${features} features: enough`
              : `${n} rows for ${features} features: few; prefer ridge`,
          interpretability: "high (one coefficient per feature)",
          compute: "instant (normal equations)",
          why: "the baseline; exact least squares",
          create: () => new LinearRegression(),
        },
        {
          algorithm: "Ridge regression",
          trainlab: "new Ridge({ alpha: 1 })",
          suitability: "good",
          dataSize: `${n} rows: any size, good with correlated or many features`,
          interpretability: "high (shrunk coefficients)",
          compute: "instant",
          why: "linear with L2 shrinkage: stable when features correlate",
          create: () => new Ridge(),
        },
        {
          algorithm: "Decision tree",
          trainlab: "new DecisionTreeRegressor({ maxDepth: 6 })",
          suitability: "ok",
          dataSize: `${n} rows: a single tree is piecewise constant and overfits small data`,
          interpretability: "high when shallow",
          compute: "fast",
          why: "non-linear rules you can read",
          create: () => new DecisionTreeRegressor({ maxDepth: 6 }),
        },
        {
          algorithm: "Gradient boosting (histogram)",
          trainlab: "new HistGradientBoostingRegressor()",
          suitability: rows >= 500 ? "good" : "ok",
          dataSize:
            rows >= 500
              ? `${n} rows: usually the most accurate`
              : `${n} rows: lower minSamplesLeaf / maxLeafNodes on so few rows`,
          interpretability: "medium (feature importances)",
          compute: "fast",
          why: "state of the art on tabular regression",
          create: () => new HistGradientBoostingRegressor(),
        },
        {
          algorithm: "Random forest",
          trainlab: "new RandomForestRegressor({ nJobs: 2 })",
          suitability: "ok",
          dataSize: `${n} rows: robust at any size`,
          interpretability: "medium",
          compute: "parallel trees",
          why: "little tuning; a strong second opinion to boosting",
          create: () => new RandomForestRegressor({ nJobs: 2 }),
        },
      ];
    case "images":
      return [
        {
          algorithm: "Convolutional network",
          trainlab: "cnn()",
          suitability: rows >= 1_000 ? "good" : "ok",
          dataSize:
            rows >= 1_000
              ? `${n} images: enough for a small CNN`
              : `${n} images: few; augment or use a pretrained network`,
          interpretability: "low (saliency maps help)",
          compute: `conv layers dominate; ${features.toLocaleString("en-US")} pixels per image`,
          why: "convolutions share weights across the image and learn local patterns",
          create: () => cnn(),
        },
        { ...mlpClf, suitability: "poor", why: "a baseline on flattened pixels; ignores spatial structure" },
      ];
    case "sequences":
      return [
        {
          algorithm: "Recurrent network (LSTM/GRU)",
          trainlab: 'rnn({ cell: "lstm" })',
          suitability: "good",
          dataSize: `${n} sequences: fine from thousands`,
          interpretability: "low",
          compute: "sequential over time steps (slow for long sequences)",
          why: "keeps a memory of the past; good for time series and short text",
          create: () => rnn(),
        },
        {
          algorithm: "Transformer encoder",
          trainlab: "transformer()",
          suitability: rows >= 5_000 ? "good" : "ok",
          dataSize:
            rows >= 5_000
              ? `${n} sequences: enough for a small transformer`
              : `${n} sequences: few; an RNN may generalize better`,
          interpretability: "low (attention weights hint)",
          compute: "attention is O(length²) per sequence, parallel over steps",
          why: "long-range dependencies via self-attention",
          create: () => transformer(),
        },
      ];
    case "clustering":
      return [
        {
          algorithm: "K-means",
          trainlab: "new KMeans({ nClusters: k })",
          suitability: "good",
          dataSize: `${n} rows: scales to millions`,
          interpretability: "high (cluster centres)",
          compute: "O(rows × k × iterations)",
          why: "compact, round clusters of similar size; scale features first",
          create: () => new KMeans(),
        },
        {
          algorithm: "Hierarchical (agglomerative)",
          trainlab: 'new AgglomerativeClustering({ linkage: "ward" })',
          suitability: rows <= AGGLOMERATIVE_MAX_ROWS ? "good" : "poor",
          dataSize:
            rows <= AGGLOMERATIVE_MAX_ROWS
              ? `${n} rows: fine (O(n²) memory)`
              : `${n} rows: too many for an n×n distance matrix; sample ${AGGLOMERATIVE_MAX_ROWS.toLocaleString("en-US")} rows`,
          interpretability: "high (a dendrogram of merges)",
          compute: "O(n²) time and memory",
          why: "no need to fix k up front; nested clusters; any shape with single linkage",
          create: () => new AgglomerativeClustering(),
        },
      ];
  }
}

const ORDER: Record<Suitability, number> = { good: 0, ok: 1, poor: 2 };

/**
 * The candidate algorithms for a problem type, best suited first, with the reasoning for this data size.
 * @throws Error on an unknown task or a non-positive shape.
 */
export function recommend(task: RecommendTask, dataShape: DataShape): Recommendation {
  if (!RECOMMEND_TASKS.includes(task))
    throw new Error(`Unknown task ${JSON.stringify(task)}. Tasks: ${RECOMMEND_TASKS.join(", ")}.`);
  if (!(dataShape && dataShape.rows > 0 && dataShape.features > 0))
    throw new Error(`dataShape needs positive rows and features (got ${JSON.stringify(dataShape)}).`);
  const drafts = candidatesFor(task, dataShape);
  const candidates = drafts
    .map((d, i) => ({ d, i }))
    .sort((a, b) => ORDER[a.d.suitability] - ORDER[b.d.suitability] || a.i - b.i)
    .map(({ d }) => d);
  const columns: [string, keyof Candidate][] = [
    ["Algorithm", "algorithm"],
    ["trainlab", "trainlab"],
    ["Fit for this data", "suitability"],
    ["Data size", "dataSize"],
    ["Interpretability", "interpretability"],
    ["Compute", "compute"],
    ["Why", "why"],
  ];
  const title = `Candidates for ${task} (${dataShape.rows.toLocaleString("en-US")} rows × ${dataShape.features.toLocaleString("en-US")} features)`;
  return {
    task,
    dataShape: { ...dataShape },
    candidates,
    [DISPLAY](): MimeBundle {
      const head = columns.map(([h]) => `<th style="text-align:left">${escapeHtml(h)}</th>`).join("");
      const body = candidates
        .map(
          (c) =>
            `<tr>${columns.map(([, key]) => `<td style="text-align:left">${key === "trainlab" ? `<code>${escapeHtml(c[key])}</code>` : escapeHtml(c[key])}</td>`).join("")}</tr>`,
        )
        .join("\n");
      return {
        "text/html": `<table class="trainlab-recommend">\n<caption>${escapeHtml(title)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`,
        "text/plain": this.toString(),
      };
    },
    toString(): string {
      return [
        title,
        ...candidates.map(
          (c) =>
            `- ${c.algorithm} [${c.suitability}] ${c.trainlab}: ${c.why}; data: ${c.dataSize}; interpretability: ${c.interpretability}; compute: ${c.compute}`,
        ),
      ].join("\n");
    },
  };
}
