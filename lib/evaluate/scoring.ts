/**
 * Scorers: metrics by name (scikit-learn's scoring names) that cross-validation and search evaluate on each fold.
 */
import type { TargetInput } from "../data/matrix";
import { accuracy, balancedAccuracy, precisionRecallF } from "./classification";
import type { Label } from "./labels";
import { averagePrecision, logLoss, rocAuc } from "./ranking";
import { meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError, r2, rootMeanSquaredError } from "./regression";

/** What a scorer sees for one fold. */
export interface ScoringInput {
  yTrue: (number | string)[];
  yPred: (number | string)[];
  /** Class probabilities (classifiers that have predictProba), columns in `classes` order. */
  proba?: number[][];
  classes?: readonly Label[];
}

/** A named metric computed on one fold. */
export interface Scorer {
  name: string;
  /** True when larger is better (accuracy, R²); false for losses and errors (MSE, log loss). */
  greaterIsBetter: boolean;
  /** True when the scorer needs class probabilities. */
  needsProba: boolean;
  /** The task it applies to. */
  task: "classification" | "regression";
  score(input: ScoringInput): number;
}

/** A metric: a name of {@link SCORERS}, or a custom scorer. */
export type MetricSpec = string | Scorer;

const cls = (name: string, score: (i: ScoringInput) => number, needsProba = false, greaterIsBetter = true): Scorer => ({
  name, score, needsProba, greaterIsBetter, task: "classification",
});
const reg = (name: string, fn: (t: TargetInput, p: TargetInput) => number, greaterIsBetter = false): Scorer => ({
  name, score: (i) => fn(i.yTrue as number[], i.yPred as number[]), needsProba: false, greaterIsBetter, task: "regression",
});

function needProba(i: ScoringInput, name: string): number[][] {
  if (!i.proba) throw new Error(`Metric "${name}" needs class probabilities: the model has no predictProba.`);
  return i.proba;
}

function binaryPositive(i: ScoringInput, name: string): Label {
  const classes = i.classes ?? [];
  if (classes.length !== 2) throw new Error(`Metric "${name}" is for binary targets; this one has ${classes.length} classes. Use "${name}_macro".`);
  return classes[1];
}

const prf = (avg: "micro" | "macro" | "weighted", which: "precision" | "recall" | "fscore") => (i: ScoringInput): number =>
  // Labels present in the fold (y_true ∪ y_pred), as scikit-learn's scorers use.
  precisionRecallF(i.yTrue, i.yPred, { average: avg })[which];

/** The built-in scorers by name. */
export const SCORERS: Readonly<Record<string, Scorer>> = {
  accuracy: cls("accuracy", (i) => accuracy(i.yTrue, i.yPred)),
  balanced_accuracy: cls("balanced_accuracy", (i) => balancedAccuracy(i.yTrue, i.yPred)),
  precision: cls("precision", (i) => precisionRecallF(i.yTrue, i.yPred, { average: "binary", posLabel: binaryPositive(i, "precision") }).precision),
  recall: cls("recall", (i) => precisionRecallF(i.yTrue, i.yPred, { average: "binary", posLabel: binaryPositive(i, "recall") }).recall),
  f1: cls("f1", (i) => precisionRecallF(i.yTrue, i.yPred, { average: "binary", posLabel: binaryPositive(i, "f1") }).fscore),
  precision_macro: cls("precision_macro", prf("macro", "precision")),
  recall_macro: cls("recall_macro", prf("macro", "recall")),
  f1_macro: cls("f1_macro", prf("macro", "fscore")),
  precision_micro: cls("precision_micro", prf("micro", "precision")),
  recall_micro: cls("recall_micro", prf("micro", "recall")),
  f1_micro: cls("f1_micro", prf("micro", "fscore")),
  precision_weighted: cls("precision_weighted", prf("weighted", "precision")),
  recall_weighted: cls("recall_weighted", prf("weighted", "recall")),
  f1_weighted: cls("f1_weighted", prf("weighted", "fscore")),
  roc_auc: cls("roc_auc", (i) => rocAuc(i.yTrue, needProba(i, "roc_auc"), { labels: i.classes }), true),
  roc_auc_ovr: cls("roc_auc_ovr", (i) => rocAuc(i.yTrue, needProba(i, "roc_auc_ovr"), { labels: i.classes }), true),
  average_precision: cls("average_precision", (i) => {
    const proba = needProba(i, "average_precision");
    if (i.classes && i.classes.length === 2) return averagePrecision(i.yTrue, proba.map((r) => r[1]), { posLabel: i.classes[1] });
    return averagePrecision(i.yTrue, proba, { labels: i.classes });
  }, true),
  log_loss: cls("log_loss", (i) => logLoss(i.yTrue, needProba(i, "log_loss"), { labels: i.classes }), true, false),
  r2: reg("r2", r2, true),
  mse: reg("mse", meanSquaredError),
  rmse: reg("rmse", rootMeanSquaredError),
  mae: reg("mae", meanAbsoluteError),
  mape: reg("mape", meanAbsolutePercentageError),
};

/** Aliases users of scikit-learn and Keras type. */
const ALIASES: Record<string, string> = {
  acc: "accuracy", pr_auc: "average_precision", ap: "average_precision", auc: "roc_auc", logloss: "log_loss",
  mean_squared_error: "mse", root_mean_squared_error: "rmse", mean_absolute_error: "mae",
  mean_absolute_percentage_error: "mape", r2_score: "r2", f1_score: "f1",
};

/**
 * Resolves a metric name (or passes a custom scorer through).
 * @throws Error naming the known metrics when the name is unknown.
 */
export function getScorer(metric: MetricSpec): Scorer {
  if (typeof metric !== "string") return metric;
  const key = metric.toLowerCase().replace(/[\s-]/g, "_");
  const scorer = SCORERS[key] ?? SCORERS[ALIASES[key] ?? ""];
  if (!scorer) throw new Error(`Unknown metric "${metric}". Known metrics: ${Object.keys(SCORERS).join(", ")} (or pass a Scorer).`);
  return scorer;
}
