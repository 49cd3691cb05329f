/**
 * Classification metrics on predicted labels, matching scikit-learn 1.2 (zero_division="warn" acts as 0).
 */
import type { TargetInput } from "../core/target";
import { Label, checkSameLength, labelIndex, readLabels, uniqueLabels } from "./labels";
import { accuracyOf, mean } from "../core/stats";

/** How precision/recall/F1 combine per-class values (scikit-learn's `average`). */
export type Average = "binary" | "micro" | "macro" | "weighted";

/** Options of {@link precision}, {@link recall}, {@link f1} and {@link fbeta}. */
export interface AverageOptions {
  /** Default "binary" (as in scikit-learn): the score of `posLabel` only. Multiclass targets need another average. */
  average?: Average;
  /** The positive class for `average: "binary"`. Default 1. */
  posLabel?: Label;
  /** Restrict (or order) the classes averaged over. */
  labels?: readonly Label[];
}

function readPair(yTrue: TargetInput, yPred: TargetInput): [Label[], Label[]] {
  const t = readLabels(yTrue, "y_true");
  const p = readLabels(yPred, "y_pred");
  checkSameLength(t, p, "y_true", "y_pred");
  return [t, p];
}

/**
 * Fraction of predictions equal to the truth (scikit-learn's `accuracy_score`).
 * @throws Error on empty or mismatched inputs.
 */
export function accuracy(yTrue: TargetInput, yPred: TargetInput): number {
  const [t, p] = readPair(yTrue, yPred);
  return accuracyOf(t, p);
}

/**
 * The confusion matrix: rows are true classes, columns predicted classes, both in `labels` order
 * (default: the sorted union of both). Samples whose labels are not in `labels` are ignored.
 * @throws Error on empty or mismatched inputs, or when none of `labels` occurs in y_true.
 */
export function confusionMatrix(
  yTrue: TargetInput,
  yPred: TargetInput,
  options: { labels?: readonly Label[] } = {},
): number[][] {
  const [t, p] = readPair(yTrue, yPred);
  return confusionCounts(t, p, options.labels ?? uniqueLabels(t, p), options.labels !== undefined);
}

function confusionCounts(t: Label[], p: Label[], labels: readonly Label[], userLabels: boolean): number[][] {
  if (labels.length === 0) throw new Error("'labels' should contain at least one label.");
  const index = labelIndex(labels);
  if (userLabels && !t.some((v) => index.has(v))) throw new Error("At least one label specified must be in y_true.");
  const cm = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < t.length; i++) {
    const a = index.get(t[i]);
    const b = index.get(p[i]);
    if (a !== undefined && b !== undefined) cm[a][b]++;
  }
  return cm;
}

/**
 * Mean recall over the classes present in y_true (scikit-learn's `balanced_accuracy_score`).
 * Classes only in y_pred are left out, as scikit-learn does.
 * @throws Error on empty or mismatched inputs.
 */
export function balancedAccuracy(yTrue: TargetInput, yPred: TargetInput): number {
  const [t, p] = readPair(yTrue, yPred);
  const labels = uniqueLabels(t, p);
  const cm = confusionCounts(t, p, labels, false);
  const perClass: number[] = [];
  cm.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support > 0) perClass.push(row[i] / support);
  });
  return mean(perClass);
}

/** Per-class precision, recall, F-beta and support. */
export interface PerClassScores {
  labels: Label[];
  precision: number[];
  recall: number[];
  fscore: number[];
  support: number[];
}

function targetKind(t: Label[], p: Label[]): "binary" | "multiclass" {
  return uniqueLabels(t, p).length <= 2 ? "binary" : "multiclass";
}

/** Per-class counts for the chosen labels: true positives, predicted totals, true totals. */
function prfCounts(
  t: Label[],
  p: Label[],
  labels: readonly Label[],
): { tp: number[]; predSum: number[]; trueSum: number[] } {
  const index = labelIndex(labels);
  const tp = new Array<number>(labels.length).fill(0);
  const predSum = tp.slice();
  const trueSum = tp.slice();
  for (let i = 0; i < t.length; i++) {
    const a = index.get(t[i]);
    const b = index.get(p[i]);
    if (a !== undefined) trueSum[a]++;
    if (b !== undefined) predSum[b]++;
    if (a !== undefined && a === b) tp[a]++;
  }
  return { tp, predSum, trueSum };
}

const divide = (num: number, den: number): number => (den === 0 ? 0 : num / den);

function fFrom(precision: number, recall: number, beta: number): number {
  if (beta === Infinity) return recall;
  const beta2 = beta * beta;
  let denom = beta2 * precision + recall;
  if (denom === 0) denom = 1;
  return ((1 + beta2) * precision * recall) / denom;
}

/**
 * Precision, recall, F-beta and support for each class (scikit-learn's `precision_recall_fscore_support(average=None)`).
 * @throws Error on empty or mismatched inputs.
 */
export function perClassScores(
  yTrue: TargetInput,
  yPred: TargetInput,
  options: { labels?: readonly Label[]; beta?: number } = {},
): PerClassScores {
  const [t, p] = readPair(yTrue, yPred);
  const labels = (options.labels ?? uniqueLabels(t, p)).slice();
  const beta = options.beta ?? 1;
  if (beta < 0) throw new Error("beta should be >= 0 in the F-beta score.");
  const { tp, predSum, trueSum } = prfCounts(t, p, labels);
  const precision = tp.map((v, i) => divide(v, predSum[i]));
  const recall = tp.map((v, i) => divide(v, trueSum[i]));
  const fscore = precision.map((pr, i) => fFrom(pr, recall[i], beta));
  return { labels, precision, recall, fscore, support: trueSum };
}

/** Precision, recall and F-beta under one averaging. */
export interface AveragedScores {
  precision: number;
  recall: number;
  fscore: number;
}

/**
 * Precision, recall and F-beta averaged as scikit-learn's `precision_recall_fscore_support` does.
 * @throws Error on empty or mismatched inputs, `average: "binary"` on a multiclass target, or a `posLabel` that is
 * not one of the two classes.
 */
export function precisionRecallF(
  yTrue: TargetInput,
  yPred: TargetInput,
  options: AverageOptions & { beta?: number } = {},
): AveragedScores {
  const [t, p] = readPair(yTrue, yPred);
  const average = options.average ?? "binary";
  const beta = options.beta ?? 1;
  if (beta < 0) throw new Error("beta should be >= 0 in the F-beta score.");
  if (!["binary", "micro", "macro", "weighted"].includes(average)) {
    throw new Error(`average must be one of "binary", "micro", "macro", "weighted"; got ${JSON.stringify(average)}.`);
  }
  let labels: Label[];
  if (average === "binary") {
    const present = uniqueLabels(t, p);
    if (targetKind(t, p) !== "binary") {
      throw new Error(
        `Target is multiclass (${present.length} classes) but average="binary". Choose average "micro", "macro" or "weighted".`,
      );
    }
    const posLabel = options.posLabel ?? 1;
    if (!present.includes(posLabel) && present.length >= 2) {
      throw new Error(
        `posLabel=${JSON.stringify(posLabel)} is not a valid label. It should be one of ${JSON.stringify(present)}.`,
      );
    }
    labels = [posLabel];
  } else {
    labels = (options.labels ?? uniqueLabels(t, p)).slice();
  }
  let { tp, predSum, trueSum } = prfCounts(t, p, labels);
  if (average === "micro") {
    const s = (a: number[]): number[] => [a.reduce((x, y) => x + y, 0)];
    [tp, predSum, trueSum] = [s(tp), s(predSum), s(trueSum)];
  }
  const precision = tp.map((v, i) => divide(v, predSum[i]));
  const recall = tp.map((v, i) => divide(v, trueSum[i]));
  const fscore = precision.map((pr, i) => fFrom(pr, recall[i], beta));
  if (average === "weighted") {
    const total = trueSum.reduce((a, b) => a + b, 0);
    // No true samples of the chosen labels: scikit-learn returns zero_division (0) for all three.
    if (total === 0) return { precision: 0, recall: 0, fscore: 0 };
    const w = (a: number[]): number => a.reduce((acc, v, i) => acc + v * trueSum[i], 0) / total;
    return { precision: w(precision), recall: w(recall), fscore: w(fscore) };
  }
  const m = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
  return { precision: m(precision), recall: m(recall), fscore: m(fscore) };
}

/** Precision: of the samples predicted as a class, the fraction that truly are. @throws as {@link precisionRecallF}. */
export function precision(yTrue: TargetInput, yPred: TargetInput, options: AverageOptions = {}): number {
  return precisionRecallF(yTrue, yPred, options).precision;
}

/** Recall: of the samples of a class, the fraction predicted as it. @throws as {@link precisionRecallF}. */
export function recall(yTrue: TargetInput, yPred: TargetInput, options: AverageOptions = {}): number {
  return precisionRecallF(yTrue, yPred, options).recall;
}

/** F1: harmonic mean of precision and recall. @throws as {@link precisionRecallF}. */
export function f1(yTrue: TargetInput, yPred: TargetInput, options: AverageOptions = {}): number {
  return precisionRecallF(yTrue, yPred, options).fscore;
}

/** F-beta: recall weighted beta times as much as precision. @throws as {@link precisionRecallF}. */
export function fbeta(yTrue: TargetInput, yPred: TargetInput, beta: number, options: AverageOptions = {}): number {
  return precisionRecallF(yTrue, yPred, { ...options, beta }).fscore;
}
