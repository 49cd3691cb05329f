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
import { MajorityClassifier, MeanRegressor } from "./baseline";
import { accuracy, balancedAccuracy, precisionRecallF } from "./classification";
import { averagePrecision, logLoss, rocAuc } from "./ranking";
import { meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError, r2, rootMeanSquaredError } from "./regression";
import { ClassificationReport, classificationReport } from "./report";
import { ResultTable } from "./table";

/** One metric of the model and of the baseline. */
export interface MetricRow {
  metric: string;
  model: number;
  baseline: number | null;
  greaterIsBetter: boolean;
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

  /** Model next to baseline, one row per metric. */
  table(digits = 4): ResultTable {
    const rows = this.metrics.map((m) => ({ metric: m.metric, [this.modelName]: m.model, ...(this.baselineName ? { [this.baselineName]: m.baseline } : {}) }));
    const columns = ["metric", this.modelName, ...(this.baselineName ? [this.baselineName] : [])];
    return new ResultTable(columns, rows, { title: `${this.modelName} on ${this.samples} samples`, digits, formats: Object.fromEntries(columns.slice(1).map((c) => [c, "float" as const])) });
  }

  toString(): string {
    return this.table().toString() + (this.report ? `\n\n${this.report.toString()}` : "");
  }

  [DISPLAY](): MimeBundle {
    const figs = this.figures.map((f) => String(f[DISPLAY]()["text/html"])).join("");
    const tables = [this.table(), ...(this.report ? [this.report.table()] : [])];
    return compositeBundle(this.toString(), tables.map((t) => t.toHTML()).join("") + figs, [...tables.map((t) => t.toPart()), ...this.figures], { columns: 2 });
  }
}

/**
 * Scores a fitted model on a labelled set with every standard metric. Classifiers: accuracy, balanced accuracy,
 * precision/recall/F1 (binary for two classes, positive = the greater class; macro otherwise), and with
 * `predictProba` ROC AUC (one-vs-rest macro), PR AUC and log loss, plus a classification report, a confusion matrix
 * and ROC/PR curves. Regressors: MSE, RMSE, MAE, R², MAPE and a residual plot. With `trainY` the majority-class or
 * mean baseline, fit on it, is scored alongside.
 * @throws Error when the model is not fitted, is a clusterer, or X and y differ in length.
 */
export async function evaluateModel(model: Estimator, X: FeatureInput, y: TargetInput, options: { trainY?: TargetInput; figures?: boolean } = {}): Promise<ModelEvaluation> {
  if (!model.fitted) throw new Error(`${model.name} is not fitted: call fit() on the training data first.`);
  if (model.kind === "clusterer") throw new Error("evaluateModel scores classifiers and regressors; for clusters use silhouetteScore or adjustedRandIndex.");
  const yTrue = toTargetArray(y);
  const yPred = model.predict(X);
  if (yPred.length !== yTrue.length) throw new Error(`X has ${yPred.length} rows but y has ${yTrue.length} values.`);
  const withFigures = options.figures ?? true;
  if (model.kind === "classifier") {
    const clf = model as Classifier;
    const proba = clf.predictProba(X);
    const classes = clf.classes;
    let baseline: MajorityClassifier | undefined;
    if (options.trainY !== undefined) baseline = await new MajorityClassifier().fit([], options.trainY);
    const binary = classes.length === 2;
    const compute = (pred: (number | string)[], p: number[][] | undefined): [string, number, boolean][] => {
      const avg = binary ? { average: "binary" as const, posLabel: classes[1] } : { average: "macro" as const };
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
        if (present.size >= 2 && classes.every((c) => present.has(c))) out.push([binary ? "roc_auc" : "roc_auc_ovr", rocAuc(yTrue, p, { labels: classes }), true]);
        if (present.size >= 2) out.push(["average_precision", binary ? averagePrecision(yTrue, p.map((r) => r[1]), { posLabel: classes[1] }) : averagePrecision(yTrue, p, { labels: classes }), true]);
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
    const metrics = main.map(([name, v, g], i) => ({ metric: name, model: v, baseline: base ? base[i]?.[1] ?? null : null, greaterIsBetter: g }));
    const figures: Figure[] = [];
    if (withFigures) {
      figures.push(confusionMatrixFigure(yTrue, yPred, { labels: classes }));
      const present = new Set(yTrue);
      if (classes.every((c) => present.has(c))) {
        figures.push(rocCurveFigure(yTrue, proba, { classes }));
        figures.push(precisionRecallFigure(yTrue, proba, { classes }));
      }
    }
    return new ModelEvaluation(model.name, "classification", metrics, baseline ? "baseline (majority class)" : null, figures, classificationReport(yTrue, yPred), yTrue.length);
  }
  const t = yTrue as number[];
  const p = yPred as number[];
  const compute = (pred: number[]): [string, number, boolean][] => [
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
  const metrics = main.map(([name, v, g], i) => ({ metric: name, model: v, baseline: base ? base[i][1] : null, greaterIsBetter: g }));
  return new ModelEvaluation(model.name, "regression", metrics, base ? "baseline (mean)" : null, withFigures ? [residualsFigure(t, p)] : [], undefined, t.length);
}
