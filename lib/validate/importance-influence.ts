/**
 * Each row's influence on a permutation-importance drop, for the bootstrap over rows in importance.ts. A shuffled
 * row's prediction depends on two rows (its own and the donor of the shuffled value), so a row carries its influence
 * as receiver and as donor (the Hájek projection of the pairwise statistic). Sums of row losses (accuracy, mse, mae,
 * rmse, r2) carry their losses; every other metric (f1, ROC AUC, log loss...) carries its jackknife influence.
 */
import type { Scorer } from "../evaluate/scoring";
import { getScorer } from "../evaluate/scoring";
import type { Value } from "./common";

/**
 * Metrics that are sums of per-row losses (accuracy, mse, mae) or simple functions of them (rmse, r2): the bootstrap
 * then sums row losses instead of rescoring copies of the predictions. Each gives the row loss and the metric's drop
 * from the summed losses of the reference and the shuffled predictions on `m` resampled rows.
 */
export interface RowLosses {
  loss(truth: number | string, pred: number | string): number;
  /** The drop from the summed row losses of the reference and of the shuffled predictions over `m` resampled rows. */
  drop(base: number, shuffled: number, m: number, idx: ArrayLike<number>): number;
}

/** True for a scorer of lib/evaluate's table itself (not a custom scorer, nor one bound to a positive class). */
export function isBuiltIn(scorer: Scorer): boolean {
  try {
    return getScorer(scorer.name) === scorer;
  } catch {
    return false;
  }
}

/** The row losses of a built-in scorer that is a sum of them (or a simple function of one), else undefined. */
export function rowLossesFor(scorer: Scorer, truth: readonly Value[]): RowLosses | undefined {
  if (!isBuiltIn(scorer)) return undefined; // a custom or bound scorer: jackknife influence
  const sq = (t: number | string, p: number | string): number => ((t as number) - (p as number)) ** 2;
  const meanDiff = (b: number, s: number, m: number): number => (s - b) / m;
  switch (scorer.name) {
    case "accuracy":
      return { loss: (t, p) => (t === p ? 0 : 1), drop: meanDiff };
    case "mse":
      return { loss: sq, drop: meanDiff };
    case "mae":
      return { loss: (t, p) => Math.abs((t as number) - (p as number)), drop: meanDiff };
    case "rmse":
      return { loss: sq, drop: (b, s, m) => Math.sqrt(Math.max(s, 0) / m) - Math.sqrt(b / m) };
    case "r2": {
      const y = truth as number[];
      return {
        loss: sq,
        drop: (b, s, m, idx) => {
          let mean = 0;
          for (let k = 0; k < m; k++) mean += y[idx[k]];
          mean /= m;
          let sst = 0;
          for (let k = 0; k < m; k++) sst += (y[idx[k]] - mean) ** 2;
          return sst > 0 ? (s - b) / sst : NaN;
        },
      };
    }
    default:
      return undefined;
  }
}

/** Predictions of a model on the evaluation rows (probabilities when the metric needs them). */
export interface RowPredictions {
  pred: Value[];
  proba?: number[][];
}

/** A metric computed on some rows' truth and predictions. */
export type RowsScore = (truth: Value[], pred: Value[], proba: number[][] | undefined) => number;

/** The model's classes, in the order of its probability columns (undefined for regressors). */
type Classes = readonly Value[] | undefined;

/**
 * The metric without each row, M₋ₖ, in O(n log n) for the built-in metrics where scoring n copies would cost O(n²):
 * log loss (a mean of row losses), ROC AUC (binary, or one-vs-rest over the classes: each class's AUC without a row
 * follows from how many rows of the other side it outranks) and average precision (O(n + thresholds²)). Undefined for
 * other metrics (and where the classes do not fit the metric).
 */
export function fastLeaveOneOut(
  metric: string,
  truth: readonly Value[],
  p: RowPredictions,
  classes: Classes,
): number[] | undefined {
  const n = truth.length;
  if (!p.proba || !classes || p.proba.length !== n) return undefined;
  const proba = p.proba;
  if (metric === "log_loss") {
    const eps = 2.220446049250313e-16;
    const clip = (v: number): number => Math.min(Math.max(v, eps), 1 - eps);
    const losses = truth.map((t, i) => {
      const row = proba[i].map(clip);
      return -Math.log(row[classes.indexOf(t)] / row.reduce((a, b) => a + b, 0));
    });
    const total = losses.reduce((a, b) => a + b, 0);
    return losses.map((l) => (total - l) / (n - 1));
  }
  if (metric === "roc_auc" || metric === "roc_auc_ovr") {
    const columns = classes.length === 2 ? [1] : classes.map((_, j) => j);
    const out = new Array<number>(n).fill(0);
    for (const j of columns) {
      const loo = aucWithoutEach(
        truth.map((t) => t === classes[j]),
        proba.map((r) => r[j]),
      );
      loo.forEach((v, i) => (out[i] += v / columns.length));
    }
    return out;
  }
  if (metric === "average_precision") {
    const columns = classes.length === 2 ? [classes.indexOf(1)] : classes.map((_, j) => j);
    if (columns[0] < 0) return undefined; // binary labels other than {0, 1}, {-1, 1}: the scorer itself says so
    const out = new Array<number>(n).fill(0);
    for (const j of columns) {
      const loo = apWithoutEach(
        truth.map((t) => t === classes[j]),
        proba.map((r) => r[j]),
      );
      loo.forEach((v, i) => (out[i] += v / columns.length));
    }
    return out;
  }
  return undefined;
}

/**
 * Binary average precision (Σ over distinct thresholds, high to low, of the recall gained times the precision there)
 * without each row: removing a row changes the counts only from its own threshold down, so each (class, threshold)
 * pair is computed once. NaN where no positive row would be left.
 */
function apWithoutEach(positive: readonly boolean[], score: readonly number[]): number[] {
  const order = score.map((_, i) => i).sort((a, b) => score[b] - score[a]);
  const group = new Array<number>(score.length);
  const [tp, fp]: [number[], number[]] = [[], []]; // cumulative counts at each distinct threshold
  order.forEach((i, k) => {
    if (k === 0 || score[i] !== score[order[k - 1]]) {
      tp.push(tp.length ? tp[tp.length - 1] : 0);
      fp.push(fp.length ? fp[fp.length - 1] : 0);
    }
    group[i] = tp.length - 1;
    if (positive[i]) tp[tp.length - 1]++;
    else fp[fp.length - 1]++;
  });
  const P = tp[tp.length - 1];
  const term = (g: number, dtp: number, t: number, f: number): number => (t + f > 0 ? (dtp * t) / (t + f) : 0);
  const prefix = [0];
  tp.forEach((t, g) => prefix.push(prefix[g] + term(g, t - (g ? tp[g - 1] : 0), t, fp[g])));
  const memo = new Map<number, number>();
  return score.map((_, i) => {
    const h = group[i];
    const pos = positive[i] ? 1 : 0;
    const key = 2 * h + pos;
    let v = memo.get(key);
    if (v === undefined) {
      let sum = prefix[h];
      for (let g = h; g < tp.length; g++) {
        const dtp = tp[g] - (g ? tp[g - 1] : 0) - (pos && g === h ? 1 : 0);
        sum += term(g, dtp, tp[g] - pos, fp[g] - (1 - pos));
      }
      v = P - pos > 0 ? sum / (P - pos) : NaN;
      memo.set(key, v);
    }
    return v;
  });
}

/** Binary ROC AUC (Mann–Whitney, ties count half) without each row; NaN where a class would be left empty. */
function aucWithoutEach(positive: readonly boolean[], score: readonly number[]): number[] {
  const pos = score.filter((_, i) => positive[i]).sort((a, b) => a - b);
  const neg = score.filter((_, i) => !positive[i]).sort((a, b) => a - b);
  /** How many of the sorted values are below v, and how many equal it. */
  const rank = (sorted: readonly number[], v: number): { below: number; equal: number } => {
    const first = (strict: boolean): number => {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (strict ? sorted[mid] < v : sorted[mid] <= v) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const below = first(true);
    return { below, equal: first(false) - below };
  };
  // Each row's wins over the other side: a positive over the negatives below it, a negative over nothing (the
  // positives above it count against it, as the positives' wins).
  const wins = score.map((v, i) => {
    if (positive[i]) {
      const r = rank(neg, v);
      return r.below + r.equal / 2;
    }
    const r = rank(pos, v);
    return pos.length - r.below - r.equal / 2;
  });
  let total = 0;
  score.forEach((_, i) => {
    if (positive[i]) total += wins[i];
  });
  const [P, N] = [pos.length, neg.length];
  return score.map((_, i) =>
    positive[i]
      ? P > 1 && N > 0
        ? (total - wins[i]) / ((P - 1) * N)
        : NaN
      : N > 1 && P > 0
        ? (total - wins[i]) / (P * (N - 1))
        : NaN,
  );
}

/**
 * Each row's jackknife influence on a metric, (n − 1)(M − M₋ₖ), where M₋ₖ is the metric without row k: for a mean of
 * row losses this is row k's loss minus the mean, and for any smooth metric (f1, balanced accuracy, ROC AUC) it is the
 * metric's influence function at that row. Rows with the same truth, prediction and probabilities have the same
 * influence, so each distinct row is scored once (a few calls for hard-label metrics, n for probabilities).
 * Undefined when the metric, or the metric without some row, is undefined (it throws or is not finite), e.g. ROC AUC
 * with a single row of one class. `builtIn` names a built-in metric and the model's classes: log loss, ROC AUC and average
 * precision then take a shortcut, used only when it agrees with `score` on three rows. Other probability metrics
 * (custom scorers) cost n scorer calls per set of predictions.
 */
export function leaveOneOutInfluence(
  truth: readonly Value[],
  p: RowPredictions,
  score: RowsScore,
  full: number,
  builtIn?: { metric: string; classes: Classes },
): Float64Array | undefined {
  const n = truth.length;
  if (!Number.isFinite(full)) return undefined;
  const out = new Float64Array(n);
  const without = <T>(a: readonly T[], k: number): T[] => a.slice(0, k).concat(a.slice(k + 1));
  const scoreWithout = (k: number): number => {
    try {
      return score(without(truth, k), without(p.pred, k), p.proba ? without(p.proba, k) : undefined);
    } catch {
      return NaN;
    }
  };
  // A shortcut is trusted only where it agrees with the scorer itself on a few rows (first, middle and last).
  let fast = builtIn && fastLeaveOneOut(builtIn.metric, truth, p, builtIn.classes);
  if (fast && [0, n >> 1, n - 1].some((k) => !(Math.abs((fast as number[])[k] - scoreWithout(k)) <= 1e-9))) {
    fast = undefined;
  }
  const cache = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    let loo = fast?.[k];
    if (loo === undefined) {
      const key = JSON.stringify([truth[k], p.pred[k], p.proba?.[k] ?? null]);
      loo = cache.get(key);
      if (loo === undefined) {
        loo = scoreWithout(k);
        cache.set(key, loo);
      }
    }
    if (!Number.isFinite(loo)) return undefined;
    out[k] = (n - 1) * (full - loo);
  }
  return out;
}

/**
 * Each row's influence on one feature's mean drop over its shuffles, for metrics without row losses: in every
 * shuffle, the change of row k's jackknife influence (shuffled minus reference) counts for row k as the receiver and
 * for the row that donated k's shuffled value. The reference influence is subtracted from both, so a feature whose
 * shuffles change no prediction has no influence at all. D is centered: a resample's drop is `mean + Σ_idx D / m`.
 * `sign` is +1 when larger metric values are worse (losses), −1 when larger is better.
 * Undefined when a leave-one-out metric is undefined (see {@link leaveOneOutInfluence}).
 */
export function shuffleInfluence(
  truth: readonly Value[],
  reference: Float64Array,
  shuffles: readonly { predictions: RowPredictions; order: Int32Array; full: number }[],
  score: RowsScore,
  sign: number,
  builtIn?: { metric: string; classes: Classes },
): Float64Array | undefined {
  const n = truth.length;
  const d = new Float64Array(n);
  for (const { predictions, order, full } of shuffles) {
    const phi = leaveOneOutInfluence(truth, predictions, score, full, builtIn);
    if (!phi) return undefined;
    const w = sign / shuffles.length;
    for (let k = 0; k < n; k++) {
      const change = w * (phi[k] - reference[k]);
      d[k] += change; // as the receiver
      d[order[k]] += change; // as the donor of row k's shuffled value
    }
  }
  let mean = 0;
  for (let k = 0; k < n; k++) mean += d[k] / n;
  for (let k = 0; k < n; k++) d[k] -= mean;
  return d;
}
