/**
 * holdout: the one evaluation on the untouched test split, with confidence intervals. It refuses to evaluate a
 * *different* model on a split already evaluated (peeking at the test set while choosing models is how leakage
 * happens) unless called with `{force: true}`; re-running the identical model on the identical split (a notebook
 * run again top to bottom) is allowed and reported as a repeat. The record of looks (fingerprints, registry, log) is
 * in holdout-log.ts.
 */
import { FeatureInput, TargetInput, toTargetArray } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { MajorityClassifier, MeanRegressor } from "../models/baseline";
import { confusionMatrixFigure } from "../viz/confusion-matrix";
import { residualsFigure } from "../viz/residuals";
import type { Figure } from "../viz/figure";
import type { Goals, MeasurementIntervals, Measurements, Scorecard } from "../goals";
import {
  MetricInterval,
  PROPORTION_METRICS,
  bootstrapIntervals,
  defaultResamples,
  formatInterval,
  wilsonInterval,
} from "../evaluate/intervals";
import { saveJsonAtomically } from "../core/files";
import {
  Frame,
  MetricInput,
  ValidationResult,
  Value,
  Verdict,
  fmt,
  hasProba,
  htmlTable,
  readInputs,
  resolveMetric,
  scorePredictions,
} from "./common";
import { Scorer, positiveClasses as positiveClassesOf } from "../evaluate/scoring";
import type { HoldoutRecord } from "./holdout-log";
import { logFile, modelFingerprint, readLog, seen, splitFingerprint } from "./holdout-log";

export { modelFingerprint, resetHoldoutRegistry, splitFingerprint } from "./holdout-log";
export type { HoldoutRecord } from "./holdout-log";

/** Options of {@link holdout}. */
export interface HoldoutOptions {
  /** Metrics to report (default: accuracy, balanced_accuracy, f1_macro, plus roc_auc and log_loss with probabilities; regressors: r2, rmse, mae, mse). The first is the headline. */
  metrics?: MetricInput[];
  /** Evaluate a different model on a split already evaluated with another one (the result then carries a warning). */
  force?: boolean;
  /** Bootstrap resamples for the intervals of metrics that are not proportions (default 1000, fewer on large sets: at most 200,000 resampled rows; 0 skips them). */
  bootstrap?: number;
  /** Seed of the bootstrap (default 0). */
  seed?: number;
  /** Also record evaluations in `<runsDir>/holdout-log.json`, so the refusal survives a kernel restart. */
  runsDir?: string;
  /** Training targets, to fit the majority/mean baseline reported next to the model (default: the test targets). */
  trainY?: TargetInput;
  /** Training features: test rows that also appear in training (exact duplicates, a leak) are counted and warned about. */
  trainX?: FeatureInput;
  /** Goals to check the metrics against; the verdict then follows the scorecard. */
  goals?: Goals;
}

/** The one evaluation on the test split, with the baseline next to it. */
export class HoldoutResult extends ValidationResult {
  readonly title = "Holdout evaluation (test split)";
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly model: string,
    readonly rows: number,
    /** Metric name to the model's value. */
    readonly metrics: Record<string, number>,
    /** Metric name to the majority-class / mean baseline's value. */
    readonly baseline: Record<string, number>,
    readonly greaterIsBetter: Record<string, boolean>,
    readonly fingerprint: string,
    /** How many times this split has now been evaluated (1 = the honest first look). */
    readonly evaluations: number,
    /** Test rows identical to a training row (null when trainX was not given). */
    readonly leakedRows: number | null,
    readonly scorecard: Scorecard | undefined,
    figures: Figure[],
    /** Metric name to its 95% confidence interval (Wilson for accuracy, bootstrap otherwise; null when not computed). */
    readonly intervals: Record<string, MetricInterval | null> = {},
    /** The earlier evaluation this one repeats (same model fingerprint, same split), or null for a new look. */
    readonly repeatOf: HoldoutRecord | null = null,
    /**
     * Paired bootstrap 95% interval of (model − baseline) for the headline metric, both scored on the same resampled
     * rows (null without bootstrap): the verdict's test of "better than the trivial baseline".
     */
    readonly versusBaseline: MetricInterval | null = null,
    /**
     * Binary target: metric → the class it scored as positive (precision, recall, f1, average_precision, roc_auc),
     * what the goals' scorecard names.
     */
    readonly positiveClasses: Readonly<Record<string, Value>> = {},
  ) {
    super();
    this.figures = figures;
    const reasons: string[] = [];
    const verdicts: Verdict[] = [];
    const headline = Object.keys(metrics)[0];
    const gib = greaterIsBetter[headline];
    const value = metrics[headline];
    const base = baseline[headline];
    const ci = intervals[headline];
    const better = gib ? value > base : value < base;
    const pct = ci ? `${Math.round(ci.confidence * 100)}%` : "";
    if (!better) {
      reasons.push(
        `${headline} ${fmt(value)} does not beat the trivial baseline's ${fmt(base)}: the model has learned nothing useful.`,
      );
      verdicts.push("fail");
    } else if (
      versusBaseline
        ? gib
          ? versusBaseline.lower <= 0
          : versusBaseline.upper >= 0
        : ci !== undefined && ci !== null && (gib ? ci.lower <= base : ci.upper >= base)
    ) {
      reasons.push(
        `${headline} ${fmt(value)}${ci ? ` (${pct} CI ${formatInterval(ci)})` : ""} is above the baseline's ${fmt(base)}, but not significantly` +
          `${versusBaseline ? ` (paired 95% interval of the difference ${formatInterval(versusBaseline)} includes 0)` : ""}: ` +
          `on ${rows} rows the test cannot tell this model from the trivial baseline.`,
      );
      verdicts.push("warn");
    } else {
      reasons.push(
        `${headline} ${fmt(value)}${ci ? ` (${pct} CI ${formatInterval(ci)}, ${ci.method})` : ""} beats the baseline's ${fmt(base)}` +
          `${versusBaseline ? ` beyond its uncertainty (paired 95% interval of the difference ${formatInterval(versusBaseline)})` : ci ? " beyond its uncertainty" : ""}.`,
      );
    }
    if (scorecard) {
      reasons.push(
        `Goals: ${scorecard.verdict} (${scorecard.rows.filter((r) => r.status === "pass").length} of ${scorecard.rows.length} met).`,
      );
      verdicts.push(scorecard.verdict === "pass" ? "pass" : scorecard.verdict === "fail" ? "fail" : "warn");
    }
    if (leakedRows !== null && leakedRows > 0) {
      reasons.push(
        `${leakedRows} of ${rows} test rows also appear in the training features: the test split leaks; deduplicate before splitting.`,
      );
      verdicts.push("warn");
    }
    if (evaluations > 1) {
      reasons.push(
        `This test split has now been evaluated with ${evaluations} different models (forced): these numbers are optimistic, because choices were made after seeing it.`,
      );
      verdicts.push("warn");
    }
    if (repeatOf)
      reasons.push(
        `Repeat of the evaluation at ${repeatOf.at}: the same model (same predictions) on the same split, so no new look at the test set.`,
      );
    this.reasons = reasons;
    this.verdict = verdicts.includes("fail") ? "fail" : verdicts.includes("warn") ? "warn" : "pass";
  }

  measurements(): Measurements {
    return { ...this.metrics };
  }

  /** The 95% interval of each metric that has one (what goals judged on the bound use). */
  intervalsOf(): MeasurementIntervals {
    return Object.fromEntries(Object.entries(this.intervals).filter(([, ci]) => ci !== null)) as MeasurementIntervals;
  }

  toJSON(): Record<string, unknown> {
    return {
      model: this.model,
      rows: this.rows,
      metrics: this.metrics,
      intervals: this.intervals,
      baseline: this.baseline,
      fingerprint: this.fingerprint,
      evaluations: this.evaluations,
      repeat: this.repeatOf !== null,
      leakedRows: this.leakedRows,
      verdict: this.verdict,
    };
  }

  protected tableHtml(): string {
    const rows = Object.keys(this.metrics).map((m) => {
      const ci = this.intervals[m];
      return [
        m,
        fmt(this.metrics[m]),
        ci ? `${formatInterval(ci)} (${ci.method})` : "—",
        fmt(this.baseline[m]),
        this.greaterIsBetter[m] ? "higher" : "lower",
      ];
    });
    return (
      `<p>${this.rows} test rows · model <code>${this.model}</code> · split ${this.fingerprint.slice(0, 12)}${this.repeatOf ? " · repeat of an earlier identical evaluation" : ""}</p>` +
      htmlTable(["metric", "model", "95% CI", "baseline", "better"], rows) +
      (this.scorecard
        ? (this.scorecard as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]()[
            "text/html"
          ]
        : "")
    );
  }
}

/**
 * Evaluates a fitted model once on the untouched test split: the metrics with 95% confidence intervals (Wilson for
 * accuracy, a percentile bootstrap over rows for the others), the same metrics for a majority-class (or mean)
 * baseline, a confusion matrix (or residual plot), and the goals' scorecard when given. The verdict passes when the
 * headline metric beats the baseline significantly: the paired bootstrap 95% interval of (model − baseline), both
 * scored on the same resampled rows, excludes 0 (a one-sided test at 2.5%); it warns when the model is better only
 * on the point estimate, and fails when it is not better at all.
 * The split counts as seen only once the evaluation succeeded. Evaluating the identical model again (same name,
 * parameters and predictions) on the same split is a repeat and allowed; a different model needs `force: true`.
 * @throws Error when this split (same features and targets, by SHA-256) was evaluated before with a different model,
 * in this process or in `runsDir`, unless `force: true`; on an unfitted model, mismatched X and y or an unknown metric.
 */
export async function holdout(
  model: Estimator,
  X: FeatureInput,
  y: TargetInput,
  options: HoldoutOptions = {},
): Promise<HoldoutResult> {
  const { frame, truth } = readInputs(model, X, y, "holdout");
  const fingerprint = splitFingerprint(X, y);
  const classifier = model.kind === "classifier";
  const specs: MetricInput[] =
    options.metrics ??
    (classifier
      ? ["accuracy", "balanced_accuracy", "f1_macro", ...(hasProba(model) ? ["roc_auc", "log_loss"] : [])]
      : ["r2", "rmse", "mae", "mse"]);
  const scorers = specs.map((m) => resolveMetric(m, model));
  const pred = model.predict(frame.input);
  const proba = hasProba(model) && scorers.some((s) => s.needsProba) ? model.predictProba(frame.input) : undefined;
  const modelFp = modelFingerprint(model, pred, proba);
  const byKey = new Map<string, HoldoutRecord>();
  for (const r of [
    ...(seen.get(fingerprint) ?? []),
    ...readLog(options.runsDir).filter((r) => r.fingerprint === fingerprint),
  ])
    byKey.set(`${r.at}|${r.model}|${r.modelFingerprint}`, r);
  const previous = [...byKey.values()];
  const same = previous.filter((r) => r.modelFingerprint === modelFp);
  const others = previous.filter((r) => r.modelFingerprint !== modelFp);
  if (others.length > 0 && !options.force) {
    const first = others[0];
    throw new Error(
      `holdout refused: this test split (fingerprint ${fingerprint.slice(0, 12)}) was already evaluated at ${first.at} with ${first.model}, ` +
        `and "${model.name}" is a different model (or the same one trained differently: its predictions differ). ` +
        `Looking at the test set again while choosing or tuning a model leaks it into your choices and makes its score optimistic. ` +
        `Compare models with crossValidate on the training split instead; pass {force: true} only to re-report a final model knowingly.`,
    );
  }
  const baselineModel = classifier ? new MajorityClassifier() : new MeanRegressor();
  const baselineTarget = options.trainY !== undefined ? toTargetArray(options.trainY) : truth;
  // Baselines ignore the features; give them one dummy column with a row per target.
  await baselineModel.fit(
    baselineTarget.map(() => [0]),
    baselineTarget as TargetInput,
  );
  const ones = Array.from({ length: frame.rows }, () => [0]);
  const basePred = baselineModel.predict(ones);
  const baseProba = baselineModel instanceof MajorityClassifier ? alignProba(baselineModel, model, ones) : undefined;
  const metrics: Record<string, number> = {};
  const baseline: Record<string, number> = {};
  const greater: Record<string, boolean> = {};
  const intervals: Record<string, MetricInterval | null> = {};
  const notes: string[] = [];
  const resamples = options.bootstrap ?? defaultResamples(frame.rows);
  scorers.forEach((s, k) => {
    try {
      metrics[s.name] = scorePredictions(s, model, truth, pred, proba);
    } catch (err) {
      if (specs !== options.metrics) {
        notes.push(`${s.name} skipped: ${(err as Error).message}`);
        return;
      }
      throw err;
    }
    try {
      baseline[s.name] = scorePredictions(s, model, truth, basePred, baseProba);
    } catch {
      baseline[s.name] = NaN;
    }
    greater[s.name] = s.greaterIsBetter;
    if (PROPORTION_METRICS.includes(s.name) && typeof specs[k] !== "function") {
      const correct = truth.reduce((c: number, t, i) => c + (pred[i] === t ? 1 : 0), 0);
      intervals[s.name] = wilsonInterval(correct, frame.rows);
    } else intervals[s.name] = null;
  });
  // One bootstrap pass over the rows scores every other metric on each resample, and the headline metric's
  // difference to the baseline on the same resampled rows (a paired comparison: both vary with the test rows).
  const boot = scorers.filter((s) => s.name in metrics && intervals[s.name] === null);
  const head = scorers.find((s) => s.name in metrics);
  let versusBaseline: MetricInterval | null = null;
  if (head && resamples > 0 && frame.rows >= 2) {
    const DIFF = "\u0000model − baseline";
    const cis = bootstrapIntervals(
      frame.rows,
      (idx) => {
        const t = Array.from(idx, (i) => truth[i]);
        const p = Array.from(idx, (i) => pred[i]);
        const pr = proba ? Array.from(idx, (i) => proba[i]) : undefined;
        const out: Record<string, number> = {};
        const score = (s: Scorer, yp: Value[], pp: number[][] | undefined): number => {
          try {
            return scorePredictions(s, model, t, yp, pp);
          } catch {
            return NaN; // e.g. ROC AUC on a resample holding one class
          }
        };
        for (const s of boot) out[s.name] = score(s, p, pr);
        if (Number.isFinite(baseline[head.name])) {
          out[DIFF] =
            score(head, p, pr) -
            score(
              head,
              Array.from(idx, (i) => basePred[i]),
              baseProba ? Array.from(idx, (i) => baseProba[i]) : undefined,
            );
        }
        return out;
      },
      { resamples, seed: options.seed ?? 0 },
    );
    for (const s of boot) intervals[s.name] = cis[s.name] ?? null;
    versusBaseline = cis[DIFF] ?? null;
  }
  const figures: Figure[] = [];
  if (classifier) {
    const labels = hasProba(model) ? model.classes.slice() : undefined;
    figures.push(
      confusionMatrixFigure(truth as number[], pred as number[], {
        labels,
        title: `Confusion matrix on the test split (${model.name})`,
      }),
    );
  } else
    figures.push(
      residualsFigure(truth as number[], pred as number[], { title: `Residuals on the test split (${model.name})` }),
    );
  const leaked = options.trainX !== undefined ? countSharedRows(Frame.from(options.trainX), frame) : null;
  const positives = classifier
    ? binaryPositives(
        scorers.filter((s) => s.name in metrics),
        model,
        truth,
        pred,
      )
    : {};
  const partial = new HoldoutResult(
    model.name,
    frame.rows,
    metrics,
    baseline,
    greater,
    fingerprint,
    1,
    leaked,
    undefined,
    [],
    intervals,
    null,
    versusBaseline,
    positives,
  );
  const scorecard = options.goals?.check(partial);
  // Only now, with every number and figure built, does the split count as seen.
  const repeatOf = same.length > 0 ? same[0] : null;
  if (!repeatOf) {
    const record: HoldoutRecord = {
      fingerprint,
      model: model.name,
      modelFingerprint: modelFp,
      at: new Date().toISOString(),
      metrics,
    };
    seen.set(fingerprint, [...(seen.get(fingerprint) ?? []), record]);
    if (options.runsDir) saveJsonAtomically(logFile(options.runsDir), [...readLog(options.runsDir), record]);
  }
  const models = new Set([...previous.map((r) => r.modelFingerprint ?? `${r.at}|${r.model}`), modelFp]);
  const result = new HoldoutResult(
    model.name,
    frame.rows,
    metrics,
    baseline,
    greater,
    fingerprint,
    models.size,
    leaked,
    scorecard,
    figures,
    intervals,
    repeatOf,
    versusBaseline,
    positives,
  );
  result.reasons.push(...notes);
  return result;
}

/** On a binary target, the class each binary metric scored as positive (roc_auc: the second class, as scikit-learn). */
function binaryPositives(
  scorers: Scorer[],
  model: Estimator,
  truth: readonly Value[],
  pred: readonly Value[],
): Record<string, Value> {
  const classes = hasProba(model) ? model.classes.slice() : Array.from(new Set([...truth, ...pred])).sort();
  if (classes.length !== 2) return {};
  const out: Record<string, Value> = positiveClassesOf(scorers, classes);
  if (scorers.some((s) => s.name === "roc_auc")) out.roc_auc = classes[1];
  return out;
}

/** Rows of `test` whose values (in the columns both share) equal some row of `train`. */
function countSharedRows(train: Frame, test: Frame): number {
  const shared = test.columns.filter((c) => train.columns.includes(c));
  const key = (frame: Frame): string[] => {
    const cols = shared.map((c) => frame.values(frame.columnIndex(c)));
    return Array.from({ length: frame.rows }, (_, i) => JSON.stringify(cols.map((col) => col[i])));
  };
  const seenRows = new Set(key(train));
  return key(test).filter((k) => seenRows.has(k)).length;
}

/** The baseline's class frequencies in the model's class order (zeros for classes the baseline never saw). */
function alignProba(baseline: MajorityClassifier, model: Estimator, X: number[][]): number[][] | undefined {
  if (!hasProba(model)) return undefined;
  const own = baseline.predictProba(X);
  const index = new Map<Value, number>(baseline.classes.map((c, j) => [c, j]));
  return own.map((row) => model.classes.map((c) => (index.has(c) ? row[index.get(c) as number] : 0)));
}
