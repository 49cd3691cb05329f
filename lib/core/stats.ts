/**
 * The one place for summary statistics of plain numbers: sums, mean, standard deviation with an explicit ddof,
 * R² and accuracy on already-read arrays. Input checks belong to the callers (lib/metrics reads and checks its
 * inputs, then computes here).
 */

/** Numerically stable sum (Neumaier), so means match numpy's pairwise sums to ~1e-15. Never throws. */
export function stableSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return sum + c;
}

/** Arithmetic mean, summed left to right (NaN for no values). Never throws. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/**
 * Standard deviation with `ddof` delta degrees of freedom, as numpy's `std(values, ddof=...)`: 0 is the population
 * value (scikit-learn's CV spread and StandardScaler), 1 the sample value. NaN when `length - ddof <= 0`. Never throws.
 */
export function std(values: ArrayLike<number>, ddof: 0 | 1): number {
  const n = values.length;
  if (n - ddof <= 0) return NaN;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) s += (values[i] - m) ** 2;
  return Math.sqrt(s / (n - ddof));
}

/**
 * Coefficient of determination R² of `predicted` against `truth` (same length), with stable sums. A constant truth
 * gives 1 when predicted exactly and 0 otherwise, as scikit-learn. Callers check lengths; never throws.
 */
export function r2Of(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = truth.length;
  const m = stableSum(truth) / n;
  const residual = new Float64Array(n);
  const total = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    residual[i] = (truth[i] - predicted[i]) ** 2;
    total[i] = (truth[i] - m) ** 2;
  }
  const ssRes = stableSum(residual);
  const ssTot = stableSum(total);
  return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
}

/** Fraction of positions where `predicted` equals `truth` (0 for none). Callers check lengths; never throws. */
export function accuracyOf<T>(truth: ArrayLike<T>, predicted: ArrayLike<T>): number {
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) hits++;
  return truth.length === 0 ? 0 : hits / truth.length;
}
