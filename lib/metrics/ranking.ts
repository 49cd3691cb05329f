/**
 * Metrics on scores and probabilities: ROC and precision-recall curves, ROC AUC, average precision (PR AUC) and
 * log loss, matching scikit-learn 1.2.
 */
import type { TargetInput } from "../core/target";
import { Label, checkSameLength, compareLabels, readLabels, readNumbers, uniqueLabels } from "./labels";
import { mean } from "../core/stats";

/** Scores: one number per sample (binary: the positive class's score) or one row of class probabilities per sample. */
export type ScoreInput = ArrayLike<number> | readonly (readonly number[])[] | number[][];

function isRows(s: ScoreInput): s is readonly (readonly number[])[] {
  return s.length > 0 && typeof (s as ArrayLike<unknown>)[0] === "object" && (s as ArrayLike<unknown>)[0] !== null;
}

/**
 * Reads a probability/score matrix, rows × columns.
 * @throws Error when ragged or not finite.
 */
function readRows(s: ScoreInput, name: string): number[][] {
  const rows = s as readonly (readonly number[])[];
  const cols = rows[0].length;
  return Array.from(rows, (row, i) => {
    if (row.length !== cols) throw new Error(`${name} row ${i} has ${row.length} values but row 0 has ${cols}.`);
    const r = Array.from(row);
    r.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new Error(`${name}[${i}][${j}] is ${v}: expected a finite number.`);
    });
    return r;
  });
}

/** The positive class of a binary curve, as scikit-learn's `_check_pos_label_consistency` picks it. */
function resolvePosLabel(t: Label[], posLabel: Label | undefined): Label {
  if (posLabel !== undefined) return posLabel;
  const classes = uniqueLabels(t);
  const ok =
    classes.every((c) => c === 0 || c === 1 || c === -1) &&
    !(classes.length === 2 && classes[0] === 0 && classes[1] === -1);
  if (!ok) {
    throw new Error(
      `y_true takes values ${JSON.stringify(classes)}: pass posLabel to say which class is positive (it is only implied for {0, 1} or {-1, 1}).`,
    );
  }
  return 1;
}

/** Reads binary truth plus one score per sample; a 2-column probability matrix gives its second column. */
function readBinary(yTrue: TargetInput, yScore: ScoreInput): { t: Label[]; s: number[] } {
  const t = readLabels(yTrue, "y_true");
  let s: number[];
  if (isRows(yScore)) {
    const rows = readRows(yScore, "y_score");
    if (rows[0].length !== 2)
      throw new Error(
        `y_score has ${rows[0].length} columns: a binary curve needs one score per sample (or 2 probability columns).`,
      );
    s = rows.map((r) => r[1]);
  } else s = readNumbers(yScore as ArrayLike<number>, "y_score");
  checkSameLength(t, s, "y_true", "y_score");
  const kinds = uniqueLabels(t);
  if (kinds.length > 2)
    throw new Error(
      `y_true has ${kinds.length} classes: this curve is for binary targets (use one-vs-rest per class).`,
    );
  return { t, s };
}

/** scikit-learn's `_binary_clf_curve`: false/true positive counts at each distinct score, from high to low. */
function binaryClfCurve(truth: boolean[], score: number[]): { fps: number[]; tps: number[]; thresholds: number[] } {
  const n = score.length;
  // numpy: argsort(kind="mergesort")[::-1] — stable ascending, reversed.
  const order = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => score[a] - score[b] || a - b)
    .reverse();
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (truth[i]) tp++;
    if (k === n - 1 || score[order[k + 1]] !== score[i]) {
      tps.push(tp);
      fps.push(k + 1 - tp);
      thresholds.push(score[i]);
    }
  }
  return { fps, tps, thresholds };
}

/** A ROC curve: false and true positive rates at decreasing thresholds. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/**
 * The ROC curve of binary scores (scikit-learn 1.2's `roc_curve`, drop_intermediate=true; the first threshold is
 * the highest score + 1). Rates are NaN when y_true has no negatives (fpr) or no positives (tpr), as in scikit-learn.
 * @throws Error on empty/mismatched inputs, more than two classes, or string labels without `posLabel`.
 */
export function rocCurve(
  yTrue: TargetInput,
  yScore: ScoreInput,
  options: { posLabel?: Label; dropIntermediate?: boolean } = {},
): RocCurve {
  const { t, s } = readBinary(yTrue, yScore);
  const pos = resolvePosLabel(t, options.posLabel);
  let { fps, tps, thresholds } = binaryClfCurve(
    t.map((v) => v === pos),
    s,
  );
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i]);
    tps = keep.map((i) => tps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  tps = [0, ...tps];
  fps = [0, ...fps];
  thresholds = [thresholds[0] + 1, ...thresholds];
  const lastF = fps[fps.length - 1];
  const lastT = tps[tps.length - 1];
  return {
    fpr: fps.map((v) => (lastF <= 0 ? NaN : v / lastF)),
    tpr: tps.map((v) => (lastT <= 0 ? NaN : v / lastT)),
    thresholds,
  };
}

/** Area under a curve by the trapezoidal rule (scikit-learn's `auc`). @throws Error when x is neither increasing nor decreasing. */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length < 2) throw new Error(`At least 2 points are needed to compute area under curve, but x has ${x.length}.`);
  checkSameLength(x, y, "x", "y");
  let direction = 1;
  let inc = true;
  let dec = true;
  for (let i = 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) inc = false;
    if (x[i] > x[i - 1]) dec = false;
  }
  if (!inc) {
    if (dec) direction = -1;
    else throw new Error("x is neither increasing nor decreasing: sort the points by x before computing the area.");
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return direction * area;
}

function binaryRocAuc(truth: boolean[], score: number[]): number {
  const hasPos = truth.some((v) => v);
  const hasNeg = truth.some((v) => !v);
  if (!hasPos || !hasNeg)
    throw new Error("Only one class present in y_true. ROC AUC score is not defined in that case.");
  const { fps, tps } = binaryClfCurve(truth, score);
  // drop_intermediate keeps the area exactly; use all points.
  const f = [0, ...fps].map((v) => v / fps[fps.length - 1]);
  const t = [0, ...tps].map((v) => v / tps[tps.length - 1]);
  return auc(f, t);
}

/** Options of {@link rocAuc} and {@link averagePrecision}. */
export interface ScoreOptions {
  /** The class labels of the probability columns, sorted (default: the sorted classes of y_true). */
  labels?: readonly Label[];
  /** Binary only: the positive class (averagePrecision; default 1). */
  posLabel?: Label;
}

function multiclassSetup(
  t: Label[],
  yScore: ScoreInput,
  labels: readonly Label[] | undefined,
): { rows: number[][]; classes: Label[] } {
  const rows = readRows(yScore, "y_score");
  checkSameLength(t, rows, "y_true", "y_score");
  let classes: Label[];
  if (labels !== undefined) {
    classes = labels.slice();
    const sorted = uniqueLabels(classes);
    if (sorted.length !== classes.length) throw new Error("Parameter 'labels' must be unique.");
    if (sorted.some((l, i) => compareLabels(l, classes[i]) !== 0))
      throw new Error("Parameter 'labels' must be ordered.");
    if (classes.length !== rows[0].length) {
      throw new Error(
        `Number of given labels, ${classes.length}, not equal to the number of columns in 'y_score', ${rows[0].length}.`,
      );
    }
    const known = new Set(classes);
    if (t.some((v) => !known.has(v))) throw new Error("'y_true' contains labels not in parameter 'labels'.");
  } else {
    classes = uniqueLabels(t);
    if (classes.length !== rows[0].length) {
      throw new Error(
        `Number of classes in y_true (${classes.length}) not equal to the number of columns in 'y_score' (${rows[0].length}). Pass labels (the model's classes).`,
      );
    }
  }
  return { rows, classes };
}

/**
 * ROC AUC. Binary: scores of the greater class (or 2 probability columns). Multiclass: one-vs-rest, macro-averaged,
 * over a probability matrix whose rows sum to 1 (scikit-learn's `roc_auc_score(multi_class="ovr")`).
 * @throws Error on empty/mismatched inputs, a single class in y_true, or multiclass scores that are not probabilities.
 */
export function rocAuc(yTrue: TargetInput, yScore: ScoreInput, options: ScoreOptions = {}): number {
  const t = readLabels(yTrue, "y_true");
  const classes = uniqueLabels(t);
  const multiclass = isRows(yScore) && ((yScore as readonly (readonly number[])[])[0].length > 2 || classes.length > 2);
  if (!multiclass) {
    const { s } = readBinary(t, yScore);
    if (classes.length < 2)
      throw new Error("Only one class present in y_true. ROC AUC score is not defined in that case.");
    return binaryRocAuc(
      t.map((v) => v === classes[1]),
      s,
    );
  }
  const { rows, classes: cls } = multiclassSetup(t, yScore, options.labels);
  rows.forEach((r, i) => {
    const sum = r.reduce((a, b) => a + b, 0);
    if (!(Math.abs(1 - sum) <= 1e-8 + 1e-5 * Math.abs(sum))) {
      throw new Error(
        `Target scores need to be probabilities for multiclass ROC AUC, i.e. they should sum up to 1.0 over classes (row ${i} sums to ${sum}).`,
      );
    }
  });
  const per = cls.map((c, j) =>
    binaryRocAuc(
      t.map((v) => v === c),
      rows.map((r) => r[j]),
    ),
  );
  return mean(per);
}

/** A precision-recall curve: precision and recall at increasing thresholds, ending at (recall 0, precision 1). */
export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

function prCurve(truth: boolean[], score: number[]): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve(truth, score);
  const last = tps[tps.length - 1];
  const precision = tps.map((v, i) => (v + fps[i] === 0 ? 0 : v / (v + fps[i])));
  const recall = tps.map((v) => (last === 0 ? 1 : v / last));
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: thresholds.slice().reverse(),
  };
}

/**
 * The precision-recall curve of binary scores (scikit-learn 1.2's `precision_recall_curve`).
 * @throws Error on empty/mismatched inputs, more than two classes, or string labels without `posLabel`.
 */
export function precisionRecallCurve(
  yTrue: TargetInput,
  yScore: ScoreInput,
  options: { posLabel?: Label } = {},
): PrecisionRecallCurve {
  const { t, s } = readBinary(yTrue, yScore);
  const pos = resolvePosLabel(t, options.posLabel);
  return prCurve(
    t.map((v) => v === pos),
    s,
  );
}

function binaryAp(truth: boolean[], score: number[]): number {
  const { precision, recall } = prCurve(truth, score);
  let sum = 0;
  for (let i = 0; i < recall.length - 1; i++) sum += (recall[i + 1] - recall[i]) * precision[i];
  return -sum;
}

/**
 * Average precision (the area under the precision-recall curve as a step function; scikit-learn's
 * `average_precision_score`). Binary: scores of `posLabel` (default 1). Multiclass: one-vs-rest, macro-averaged over
 * a probability matrix.
 * @throws Error on empty/mismatched inputs or a `posLabel` that is not one of the two classes.
 */
export function averagePrecision(yTrue: TargetInput, yScore: ScoreInput, options: ScoreOptions = {}): number {
  const t = readLabels(yTrue, "y_true");
  const classes = uniqueLabels(t);
  const multiclass = isRows(yScore) && ((yScore as readonly (readonly number[])[])[0].length > 2 || classes.length > 2);
  if (!multiclass) {
    const { s } = readBinary(t, yScore);
    const pos = options.posLabel ?? 1;
    if (classes.length === 2 && !classes.includes(pos)) {
      throw new Error(
        `posLabel=${JSON.stringify(pos)} is not a valid label. It should be one of ${JSON.stringify(classes)}.`,
      );
    }
    return binaryAp(
      t.map((v) => v === pos),
      s,
    );
  }
  const { rows, classes: cls } = multiclassSetup(t, yScore, options.labels);
  const per = cls.map((c, j) =>
    binaryAp(
      t.map((v) => v === c),
      rows.map((r) => r[j]),
    ),
  );
  return mean(per);
}

/** PR AUC: another name for {@link averagePrecision}, the usual summary of a precision-recall curve. */
export const prAuc = averagePrecision;

/**
 * Mean cross-entropy of predicted probabilities (scikit-learn 1.2's `log_loss`, eps = 2.22e-16, rows renormalized).
 * `yProba` is rows × classes in sorted class order (or `labels` order), or one probability of the greater class per
 * sample for binary targets.
 * @throws Error on empty/mismatched inputs, a single class without `labels`, or a column count that differs from the
 * number of classes.
 */
export function logLoss(
  yTrue: TargetInput,
  yProba: ScoreInput,
  options: { labels?: readonly Label[]; normalize?: boolean } = {},
): number {
  const t = readLabels(yTrue, "y_true");
  const classes = options.labels !== undefined ? uniqueLabels(options.labels.slice()) : uniqueLabels(t);
  if (classes.length === 1) {
    if (options.labels === undefined) {
      throw new Error(
        `y_true contains only one label (${JSON.stringify(classes[0])}). Please provide the true labels explicitly through the labels option.`,
      );
    }
    throw new Error(
      `The labels array needs to contain at least two labels for log loss, got ${JSON.stringify(classes)}.`,
    );
  }
  const eps = 2.220446049250313e-16;
  const clip = (v: number): number => Math.min(Math.max(v, eps), 1 - eps);
  let rows: number[][];
  if (isRows(yProba)) {
    rows = readRows(yProba, "y_pred").map((r) => r.map(clip));
    if (rows[0].length === 1) rows = rows.map((r) => [1 - r[0], r[0]]);
  } else
    rows = readNumbers(yProba as ArrayLike<number>, "y_pred")
      .map((v) => clip(v))
      .map((v) => [1 - v, v]);
  checkSameLength(t, rows, "y_true", "y_pred");
  if (rows[0].length !== classes.length) {
    throw new Error(
      `y_true has ${classes.length} classes ${JSON.stringify(classes)} but y_pred has ${rows[0].length} columns. Provide the true labels explicitly through the labels option.`,
    );
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  let total = 0;
  for (let i = 0; i < t.length; i++) {
    const j = index.get(t[i]);
    if (j === undefined)
      throw new Error(`y_true[${i}] = ${JSON.stringify(t[i])} is not one of the labels ${JSON.stringify(classes)}.`);
    const row = rows[i];
    const sum = row.reduce((a, b) => a + b, 0);
    total += -Math.log(row[j] / sum);
  }
  return options.normalize === false ? total : total / t.length;
}
