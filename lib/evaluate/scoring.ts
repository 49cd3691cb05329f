/**
 * Scorers: metrics by name (scikit-learn's scoring names) that cross-validation and search evaluate on each fold.
 */
import type { TargetInput } from "../data/matrix";
import { accuracy, balancedAccuracy, precisionRecallF } from "../metrics/classification";
import type { Label } from "../metrics/labels";
import { averagePrecision, logLoss, rocAuc } from "../metrics/ranking";
import {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  r2,
  rootMeanSquaredError,
} from "../metrics/regression";

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
  /**
   * True for scorers that score one class of a binary target as the positive one (precision, recall, f1,
   * average_precision): they need `posLabel` unless the labels are {0, 1} or {-1, 1}, where 1 is positive.
   */
  usesPositiveClass?: boolean;
  /** The positive class this scorer was given (see {@link getScorer}'s `posLabel`). */
  posLabel?: Label;
  score(input: ScoringInput): number;
}

/** A metric: a name of {@link SCORERS}, or a custom scorer. */
export type MetricSpec = string | Scorer;

const cls = (name: string, score: (i: ScoringInput) => number, needsProba = false, greaterIsBetter = true): Scorer => ({
  name,
  score,
  needsProba,
  greaterIsBetter,
  task: "classification",
});
const reg = (name: string, fn: (t: TargetInput, p: TargetInput) => number, greaterIsBetter = false): Scorer => ({
  name,
  score: (i) => fn(i.yTrue as number[], i.yPred as number[]),
  needsProba: false,
  greaterIsBetter,
  task: "regression",
});

function needProba(i: ScoringInput, name: string): number[][] {
  if (!i.proba) throw new Error(`Metric "${name}" needs class probabilities: the model has no predictProba.`);
  return i.proba;
}

/**
 * The positive class a one-class scorer (precision, recall, f1, average_precision) uses for a binary target with
 * these labels: `posLabel` when given, else 1 when the labels are {0, 1} or {-1, 1} (as in scikit-learn).
 * @throws Error listing the labels when there are more than two, when `posLabel` is not one of them, or when the
 *   labels do not say which class is positive and no `posLabel` was given.
 */
export function positiveClassFor(metric: string, labels: readonly Label[], posLabel?: Label): Label {
  const distinct = Array.from(new Set(labels));
  const shown = JSON.stringify(
    distinct.slice().sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)),
  );
  if (distinct.length > 2) {
    throw new Error(
      `Metric "${metric}" scores one class of a binary target; this one has ${distinct.length} classes (${shown}). Use "${metric}_macro" or "${metric}_weighted".`,
    );
  }
  if (posLabel !== undefined) {
    if (!distinct.includes(posLabel))
      throw new Error(`Metric "${metric}": posLabel ${JSON.stringify(posLabel)} is not one of the labels ${shown}.`);
    return posLabel;
  }
  const implied =
    distinct.length > 0 && (distinct.every((c) => c === 0 || c === 1) || distinct.every((c) => c === -1 || c === 1));
  if (implied) return 1;
  throw new Error(
    `Metric "${metric}" scores one class as the positive one, and the labels ${shown} do not say which (only {0, 1} and {-1, 1} imply 1). ` +
      `Pass posLabel (e.g. crossValidate(models, X, y, { metrics: ["${metric}"], posLabel: ${JSON.stringify(distinct[distinct.length - 1] ?? "yes")} }), ` +
      `or getScorer("${metric}", { posLabel }) where a metric is taken), or use "${metric}_macro".`,
  );
}

function binaryPositive(i: ScoringInput, name: string, posLabel: Label | undefined): Label {
  return positiveClassFor(name, i.classes ?? [...i.yTrue, ...i.yPred], posLabel);
}

const onePositive = (name: string, which: "precision" | "recall" | "fscore", posLabel?: Label): Scorer => ({
  ...cls(
    name,
    (i) =>
      precisionRecallF(i.yTrue, i.yPred, { average: "binary", posLabel: binaryPositive(i, name, posLabel) })[which],
  ),
  usesPositiveClass: true,
  ...(posLabel !== undefined ? { posLabel } : {}),
});

const averagePrecisionScorer = (posLabel?: Label): Scorer => ({
  ...cls(
    "average_precision",
    (i) => {
      const proba = needProba(i, "average_precision");
      if (i.classes && i.classes.length === 2) {
        const pos = binaryPositive(i, "average_precision", posLabel);
        const column = i.classes.indexOf(pos);
        return averagePrecision(
          i.yTrue,
          proba.map((r) => r[column]),
          { posLabel: pos },
        );
      }
      return averagePrecision(i.yTrue, proba, { labels: i.classes });
    },
    true,
  ),
  usesPositiveClass: true,
  ...(posLabel !== undefined ? { posLabel } : {}),
});

/** The one-class scorers, built for a given positive class. */
const WITH_POSITIVE: Readonly<Record<string, (posLabel: Label) => Scorer>> = {
  precision: (p) => onePositive("precision", "precision", p),
  recall: (p) => onePositive("recall", "recall", p),
  f1: (p) => onePositive("f1", "fscore", p),
  average_precision: (p) => averagePrecisionScorer(p),
};

const prf =
  (avg: "micro" | "macro" | "weighted", which: "precision" | "recall" | "fscore") =>
  (i: ScoringInput): number =>
    // Labels present in the fold (y_true ∪ y_pred), as scikit-learn's scorers use.
    precisionRecallF(i.yTrue, i.yPred, { average: avg })[which];

/** The built-in scorers by name. */
export const SCORERS: Readonly<Record<string, Scorer>> = {
  accuracy: cls("accuracy", (i) => accuracy(i.yTrue, i.yPred)),
  balanced_accuracy: cls("balanced_accuracy", (i) => balancedAccuracy(i.yTrue, i.yPred)),
  precision: onePositive("precision", "precision"),
  recall: onePositive("recall", "recall"),
  f1: onePositive("f1", "fscore"),
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
  average_precision: averagePrecisionScorer(),
  log_loss: cls("log_loss", (i) => logLoss(i.yTrue, needProba(i, "log_loss"), { labels: i.classes }), true, false),
  r2: reg("r2", r2, true),
  mse: reg("mse", meanSquaredError),
  rmse: reg("rmse", rootMeanSquaredError),
  mae: reg("mae", meanAbsoluteError),
  mape: reg("mape", meanAbsolutePercentageError),
};

/** Aliases users of scikit-learn and Keras type. */
const ALIASES: Record<string, string> = {
  acc: "accuracy",
  pr_auc: "average_precision",
  ap: "average_precision",
  auc: "roc_auc",
  logloss: "log_loss",
  mean_squared_error: "mse",
  root_mean_squared_error: "rmse",
  mean_absolute_error: "mae",
  mean_absolute_percentage_error: "mape",
  r2_score: "r2",
  f1_score: "f1",
};

/**
 * Resolves a metric name (or passes a custom scorer through). `posLabel` gives the one-class scorers (precision,
 * recall, f1, average_precision) their positive class; other scorers ignore it. Without it, those scorers take 1 as
 * positive for labels {0, 1} or {-1, 1} and refuse any other binary labels, listing them.
 * @throws Error naming the known metrics when the name is unknown.
 */
export function getScorer(metric: MetricSpec, options: { posLabel?: Label } = {}): Scorer {
  if (typeof metric !== "string") return metric;
  const key = metric.toLowerCase().replace(/[\s-]/g, "_");
  const name = SCORERS[key] ? key : (ALIASES[key] ?? "");
  const scorer = SCORERS[name];
  if (!scorer)
    throw new Error(
      `Unknown metric "${metric}". Known metrics: ${Object.keys(SCORERS).join(", ")} (or pass a Scorer).`,
    );
  if (options.posLabel !== undefined && WITH_POSITIVE[name]) return WITH_POSITIVE[name](options.posLabel);
  return scorer;
}

/** The metrics with `posLabel` bound into the one-class scorers (names resolved through {@link getScorer}); unchanged without it. */
export function withPosLabel(
  metrics: MetricSpec | readonly MetricSpec[] | undefined,
  posLabel: Label | undefined,
): MetricSpec | readonly MetricSpec[] | undefined {
  if (metrics === undefined || posLabel === undefined) return metrics;
  const list: readonly MetricSpec[] = Array.isArray(metrics) ? metrics : [metrics as MetricSpec];
  return list.map((m) => getScorer(m, { posLabel }));
}

/**
 * For each one-class scorer in `scorers`, the class it takes as positive on a binary target with these labels
 * (for tables to say so). Scorers of all classes are left out.
 * @throws Error from {@link positiveClassFor} when a one-class scorer cannot tell which class is positive.
 */
export function positiveClasses(scorers: readonly Scorer[], labels: readonly Label[]): Record<string, Label> {
  const out: Record<string, Label> = {};
  for (const s of scorers) {
    if (!s.usesPositiveClass) continue;
    if (s.name === "average_precision" && new Set(labels).size > 2) continue; // multiclass: one-vs-rest over every class
    out[s.name] = positiveClassFor(s.name, labels, s.posLabel);
  }
  return out;
}

/** "positive class "M" (f1, precision)" for a table title, or "" when no scorer uses one. */
export function positiveClassNote(positives: Readonly<Record<string, Label>>): string {
  const byClass = new Map<Label, string[]>();
  for (const [metric, label] of Object.entries(positives)) byClass.set(label, [...(byClass.get(label) ?? []), metric]);
  return [...byClass.entries()]
    .map(([label, metrics]) => `positive class ${JSON.stringify(label)} (${metrics.join(", ")})`)
    .join("; ");
}
