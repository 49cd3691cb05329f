/**
 * `evaluateModel`: every standard metric of a fitted model on one labelled set, next to the baseline, with the
 * charts that go with them (confusion matrix, ROC and PR curves; or residuals).
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import { toTargetArray } from "../data/matrix";
import { DISPLAY, MimeBundle } from "../display";
import type { Classifier, Estimator } from "../models/estimator";
import { Figure } from "../viz/figure";
import { compositeBundle } from "../viz/combine";
import { confusionMatrixFigure } from "../viz/confusion-matrix";
import { precisionRecallFigure, rocCurveFigure } from "../viz/curves";
import { residualsFigure } from "../viz/residuals";
import { MajorityClassifier, MeanRegressor } from "../models/baseline";
import { accuracy, balancedAccuracy, precisionRecallF } from "../metrics/classification";
import { averagePrecision, logLoss, rocAuc } from "../metrics/ranking";
import {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  r2,
  rootMeanSquaredError,
} from "../metrics/regression";
import type { Label } from "../metrics/labels";
import { ClassificationReport, classificationReport } from "./report";
import { positiveClassFor } from "./scoring";
import { ResultTable } from "./table";
import {
  MetricInterval,
  PROPORTION_METRICS,
  bootstrapIntervals,
  defaultResamples,
  formatInterval,
  wilsonInterval,
} from "./intervals";

/** One metric of the model and of the baseline. */
export interface MetricRow {
  metric: string;
  model: number;
  baseline: number | null;
  greaterIsBetter: boolean;
  /** The model's 95% confidence interval: Wilson for accuracy, a percentile bootstrap over rows otherwise (null when not computed). */
  interval?: MetricInterval | null;
}

function positiveNote(positive: Label | null | undefined): string {
  if (positive === null) return "; two classes, none named positive: macro averages (pass posLabel to score one class)";
  return positive === undefined
    ? ""
    : `; positive class ${JSON.stringify(positive)} (precision, recall, f1, average_precision)`;
}

/** The outcome of {@link evaluateModel}. */
export class ModelEvaluation {
  constructor(
    readonly modelName: string,
    readonly task: "classification" | "regression",
    readonly metrics: readonly MetricRow[],
    readonly baselineName: string | null,
    readonly figures: readonly Figure[],
    /** Per-class report (classification only). */
    readonly report: ClassificationReport | undefined,
    readonly samples: number,
    /**
     * The class scored as positive by precision, recall, f1 and average_precision (binary targets); null for a binary
     * target whose labels do not say which class is positive and no posLabel was given (macro averages are shown).
     */
    readonly positiveClass?: Label | null,
  ) {}

  /** A metric's value for the model. @throws Error naming the available metrics when unknown. */
  get(metric: string): number {
    const row = this.metrics.find((m) => m.metric === metric);
    if (!row) throw new Error(`No metric "${metric}". Metrics: ${this.metrics.map((m) => m.metric).join(", ")}.`);
    return row.model;
  }

  /** Metrics as a plain object, e.g. `{accuracy: 0.95, f1_macro: 0.94}` (what `goals.check` takes). */
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.metrics.map((m) => [m.metric, m.model]));
  }

  /** The model's 95% interval per metric that has one (goals judge on them). */
  intervalsOf(): Record<string, MetricInterval> {
    return Object.fromEntries(
      this.metrics.filter((m) => m.interval).map((m) => [m.metric, m.interval as MetricInterval]),
    );
  }

  /** Model next to baseline, one row per metric, with the model's 95% confidence interval. */
  table(digits = 4): ResultTable {
    const withCi = this.metrics.some((m) => m.interval);
    const rows = this.metrics.map((m) => ({
      metric: m.metric,
      [this.modelName]: m.model,
      ...(withCi ? { "95% CI": formatInterval(m.interval, digits) } : {}),
      ...(this.baselineName ? { [this.baselineName]: m.baseline } : {}),
    }));
    const columns = [
      "metric",
      this.modelName,
      ...(withCi ? ["95% CI"] : []),
      ...(this.baselineName ? [this.baselineName] : []),
    ];
    return new ResultTable(columns, rows, {
      title: `${this.modelName} on ${this.samples} samples${positiveNote(this.positiveClass)}`,
      digits,
      formats: Object.fromEntries(
        columns
          .slice(1)
          .filter((c) => c !== "95% CI")
          .map((c) => [c, "float" as const]),
      ),
    });
  }

  toString(): string {
    return this.table().toString() + (this.report ? `\n\n${this.report.toString()}` : "");
  }

  [DISPLAY](): MimeBundle {
    const figs = this.figures.map((f) => String(f[DISPLAY]()["text/html"])).join("");
    const tables = [this.table(), ...(this.report ? [this.report.table()] : [])];
    return compositeBundle(
      this.toString(),
      tables.map((t) => t.toHTML()).join("") + figs,
      [...tables.map((t) => t.toPart()), ...this.figures],
      { columns: 2 },
    );
  }
}

/**
 * Scores a fitted model on a labelled set with every standard metric. Classifiers: accuracy, balanced accuracy,
 * precision/recall/F1 (of the positive class on a binary target: `posLabel`, or 1 for labels {0, 1} / {-1, 1};
 * macro-averaged otherwise, also for binary labels that do not say which class is positive), and with
 * `predictProba` ROC AUC (one-vs-rest macro), PR AUC and log loss, plus a classification report, a confusion matrix
 * and ROC/PR curves. Regressors: MSE, RMSE, MAE, R², MAPE and a residual plot. With `trainY` the majority-class or
 * mean baseline, fit on it, is scored alongside. Every model metric gets a 95% confidence interval: Wilson's for
 * accuracy, a percentile bootstrap over rows (`bootstrap` resamples, default 1000 or fewer on large sets, seeded; 0 skips them) otherwise.
 * The table title names the positive class.
 * @throws Error when the model is not fitted, is a clusterer, X and y differ in length, or `posLabel` is not a class.
 */
export async function evaluateModel(
  model: Estimator,
  X: FeatureInput,
  y: TargetInput,
  options: { trainY?: TargetInput; figures?: boolean; posLabel?: Label; bootstrap?: number; seed?: number } = {},
): Promise<ModelEvaluation> {
  if (!model.fitted) throw new Error(`${model.name} is not fitted: call fit() on the training data first.`);
  if (model.kind === "clusterer")
    throw new Error(
      "evaluateModel scores classifiers and regressors; for clusters use silhouetteScore or adjustedRandIndex.",
    );
  const yTrue = toTargetArray(y);
  const yTrueAll = yTrue;
  const yPred = model.predict(X);
  if (yPred.length !== yTrue.length) throw new Error(`X has ${yPred.length} rows but y has ${yTrue.length} values.`);
  const withFigures = options.figures ?? true;
  if (model.kind === "classifier") {
    const clf = model as Classifier;
    const proba = clf.predictProba(X);
    const classes = clf.classes;
    let baseline: MajorityClassifier | undefined;
    if (options.trainY !== undefined) baseline = await new MajorityClassifier().fit([], options.trainY);
    // One class is scored as positive only when the caller named it or the labels imply it ({0, 1}, {-1, 1}).
    let positive: Label | undefined;
    if (classes.length === 2) {
      if (options.posLabel !== undefined) positive = positiveClassFor("precision/recall/f1", classes, options.posLabel);
      else if (classes.every((c) => c === 0 || c === 1) || classes.every((c) => c === -1 || c === 1)) positive = 1;
    } else if (options.posLabel !== undefined) {
      throw new Error(
        `evaluateModel: posLabel applies to a binary target; ${model.name} has ${classes.length} classes (${JSON.stringify(classes)}).`,
      );
    }
    const binary = positive !== undefined;
    const compute = (
      pred: (number | string)[],
      p: number[][] | undefined,
      yTrue: (number | string)[] = yTrueAll,
    ): [string, number, boolean][] => {
      const avg = binary ? { average: "binary" as const, posLabel: positive } : { average: "macro" as const };
      const prf = precisionRecallF(yTrue, pred, avg);
      const suffix = binary ? "" : "_macro";
      const out: [string, number, boolean][] = [
        ["accuracy", accuracy(yTrue, pred), true],
        ["balanced_accuracy", balancedAccuracy(yTrue, pred), true],
        [`precision${suffix}`, prf.precision, true],
        [`recall${suffix}`, prf.recall, true],
        [`f1${suffix}`, prf.fscore, true],
      ];
      if (p) {
        const present = new Set(yTrue);
        if (present.size >= 2 && classes.every((c) => present.has(c)))
          out.push([classes.length === 2 ? "roc_auc" : "roc_auc_ovr", rocAuc(yTrue, p, { labels: classes }), true]);
        if (present.size >= 2 && (binary || classes.length > 2)) {
          const column = classes.indexOf(positive as Label);
          out.push([
            "average_precision",
            binary
              ? averagePrecision(
                  yTrue,
                  p.map((r) => r[column]),
                  { posLabel: positive },
                )
              : averagePrecision(yTrue, p, { labels: classes }),
            true,
          ]);
        }
        out.push(["log_loss", logLoss(yTrue, p, { labels: classes }), false]);
      }
      return out;
    };
    const main = compute(yPred, proba);
    let base: [string, number, boolean][] | undefined;
    if (baseline) {
      const bp = baseline.predictProba(yTrue.map(() => [0]));
      // The baseline's probabilities are aligned to the model's classes (0 for classes it never saw).
      const aligned = bp.map((row) => classes.map((c) => row[baseline!.classes.indexOf(c)] ?? 0));
      base = compute(baseline.predict(yTrue.map(() => [0])), aligned);
    }
    const ci = metricIntervals(
      yTrue.length,
      main.map(([name]) => name),
      (idx) => {
        const pick = <T>(a: readonly T[]): T[] => Array.from(idx, (i) => a[i]);
        return compute(pick(yPred), pick(proba), pick(yTrue));
      },
      options,
      (name) => (name === "accuracy" ? yTrue.reduce((c: number, t, i) => c + (yPred[i] === t ? 1 : 0), 0) : undefined),
    );
    const metrics = main.map(([name, v, g], i) => ({
      metric: name,
      model: v,
      baseline: base ? (base[i]?.[1] ?? null) : null,
      greaterIsBetter: g,
      interval: ci[name] ?? null,
    }));
    const figures: Figure[] = [];
    if (withFigures) {
      figures.push(confusionMatrixFigure(yTrue, yPred, { labels: classes }));
      const present = new Set(yTrue);
      if (classes.every((c) => present.has(c))) {
        figures.push(rocCurveFigure(yTrue, proba, { classes }));
        figures.push(precisionRecallFigure(yTrue, proba, { classes }));
      }
    }
    return new ModelEvaluation(
      model.name,
      "classification",
      metrics,
      baseline ? "baseline (majority class)" : null,
      figures,
      classificationReport(yTrue, yPred),
      yTrue.length,
      classes.length === 2 ? (positive ?? null) : undefined,
    );
  }
  const t = yTrue as number[];
  const tAll = t;
  const p = yPred as number[];
  const compute = (pred: number[], t: number[] = tAll): [string, number, boolean][] => [
    ["mse", meanSquaredError(t, pred), false],
    ["rmse", rootMeanSquaredError(t, pred), false],
    ["mae", meanAbsoluteError(t, pred), false],
    ["r2", t.length >= 2 ? r2(t, pred) : NaN, true],
    ["mape", meanAbsolutePercentageError(t, pred), false],
  ];
  const main = compute(p);
  let base: [string, number, boolean][] | undefined;
  if (options.trainY !== undefined) {
    const b = await new MeanRegressor().fit([], options.trainY);
    base = compute(b.predict(t.map(() => [0])));
  }
  const ci = metricIntervals(
    t.length,
    main.map(([name]) => name),
    (idx) =>
      compute(
        Array.from(idx, (i) => p[i]),
        Array.from(idx, (i) => t[i]),
      ),
    options,
    () => undefined,
  );
  const metrics = main.map(([name, v, g], i) => ({
    metric: name,
    model: v,
    baseline: base ? base[i][1] : null,
    greaterIsBetter: g,
    interval: ci[name] ?? null,
  }));
  return new ModelEvaluation(
    model.name,
    "regression",
    metrics,
    base ? "baseline (mean)" : null,
    withFigures ? [residualsFigure(t, p)] : [],
    undefined,
    t.length,
  );
}

/**
 * 95% intervals of named metrics: Wilson's for the proportion metrics (given their count of successes), one shared
 * percentile bootstrap over rows for the rest (each resample computes every metric once).
 */
function metricIntervals(
  n: number,
  names: readonly string[],
  computeOn: (indices: Int32Array) => [string, number, boolean][],
  options: { bootstrap?: number; seed?: number },
  successes: (name: string) => number | undefined,
): Record<string, MetricInterval | null> {
  const resamples = options.bootstrap ?? defaultResamples(n);
  const boot =
    resamples > 0 && n >= 2
      ? bootstrapIntervals(n, (idx) => Object.fromEntries(computeOn(idx).map(([name, v]) => [name, v])), {
          resamples,
          seed: options.seed ?? 0,
        })
      : {};
  const out: Record<string, MetricInterval | null> = {};
  for (const name of names) {
    const k = PROPORTION_METRICS.includes(name) ? successes(name) : undefined;
    out[name] = k !== undefined && n > 0 ? wilsonInterval(k, n) : (boot[name] ?? null);
  }
  return out;
}
