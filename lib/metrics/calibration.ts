/**
 * Probability calibration: the reliability curve (scikit-learn's `calibration_curve`) and the Brier score.
 */
import type { TargetInput } from "../core/target";
import { Label, checkSameLength, readLabels, readNumbers, uniqueLabels } from "./labels";

/** A reliability curve: per non-empty bin, the observed fraction of positives against the mean predicted probability. */
export interface CalibrationCurve {
  /** Fraction of positives in each non-empty bin. */
  probTrue: number[];
  /** Mean predicted probability in each non-empty bin. */
  probPred: number[];
  /** Samples in each non-empty bin. */
  counts: number[];
  /** The bin edges used (n_bins + 1). */
  edges: number[];
}

function percentile(sorted: number[], q: number): number {
  // numpy's default "linear" method, with its lerp that is exact at both ends.
  const index = q * (sorted.length - 1);
  const lo = Math.floor(index);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = index - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Bins predicted probabilities of the positive class and compares each bin's mean prediction with the observed
 * fraction of positives (scikit-learn's `calibration_curve`). A calibrated model lies on the diagonal.
 * @throws Error on empty/mismatched inputs, probabilities outside [0, 1], more than two classes, or string labels
 * without `posLabel`.
 */
export function calibrationCurve(
  yTrue: TargetInput,
  yProb: ArrayLike<number>,
  options: { nBins?: number; strategy?: "uniform" | "quantile"; posLabel?: Label } = {},
): CalibrationCurve {
  const t = readLabels(yTrue, "y_true");
  const p = readNumbers(yProb, "y_prob");
  checkSameLength(t, p, "y_true", "y_prob");
  const nBins = options.nBins ?? 5;
  if (!Number.isInteger(nBins) || nBins < 1) throw new Error(`nBins must be a positive integer, got ${nBins}.`);
  if (p.some((v) => v < 0 || v > 1))
    throw new Error("y_prob has values outside [0, 1]: pass probabilities (predictProba), not scores.");
  const classes = uniqueLabels(t);
  if (classes.length > 2)
    throw new Error(
      `Only binary classification is supported. Provided labels ${JSON.stringify(classes)}: pass (y === cls) for one class.`,
    );
  let pos = options.posLabel;
  if (pos === undefined) {
    if (!classes.every((c) => c === 0 || c === 1 || c === -1)) {
      throw new Error(`y_true takes values ${JSON.stringify(classes)}: pass posLabel to say which class is positive.`);
    }
    pos = 1;
  }
  let edges: number[];
  if ((options.strategy ?? "uniform") === "uniform") {
    const step = 1 / nBins;
    edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  } else if (options.strategy === "quantile") {
    const sorted = p.slice().sort((a, b) => a - b);
    edges = Array.from({ length: nBins + 1 }, (_, i) => percentile(sorted, ((i / nBins) * 100) / 100));
  } else throw new Error(`strategy must be "uniform" or "quantile", got ${JSON.stringify(options.strategy)}.`);
  const inner = edges.slice(1, -1);
  const sums = new Array<number>(nBins + 1).fill(0);
  const trues = sums.slice();
  const totals = sums.slice();
  p.forEach((v, i) => {
    let bin = 0;
    while (bin < inner.length && inner[bin] < v) bin++;
    sums[bin] += v;
    trues[bin] += t[i] === pos ? 1 : 0;
    totals[bin]++;
  });
  const out: CalibrationCurve = { probTrue: [], probPred: [], counts: [], edges };
  totals.forEach((n, b) => {
    if (n === 0) return;
    out.probTrue.push(trues[b] / n);
    out.probPred.push(sums[b] / n);
    out.counts.push(n);
  });
  return out;
}

/**
 * Mean squared difference between the predicted probability of the positive class and the outcome (0 is perfect;
 * scikit-learn's `brier_score_loss`, positive class: `posLabel`, default the greater label).
 * @throws Error on empty/mismatched inputs, probabilities outside [0, 1], or more than two classes.
 */
export function brierScore(yTrue: TargetInput, yProb: ArrayLike<number>, options: { posLabel?: Label } = {}): number {
  const t = readLabels(yTrue, "y_true");
  const p = readNumbers(yProb, "y_prob");
  checkSameLength(t, p, "y_true", "y_prob");
  if (p.some((v) => v < 0 || v > 1))
    throw new Error("y_prob has values outside [0, 1]: pass probabilities, not scores.");
  const classes = uniqueLabels(t);
  if (classes.length > 2)
    throw new Error(`Only binary targets are supported by the Brier score; got ${classes.length} classes.`);
  const pos = options.posLabel ?? classes[classes.length - 1];
  let sum = 0;
  p.forEach((v, i) => (sum += ((t[i] === pos ? 1 : 0) - v) ** 2));
  return sum / t.length;
}
