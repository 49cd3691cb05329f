/**
 * Column statistics on Float64Array values, skipping NaN (missing). Quantiles use linear interpolation,
 * as numpy's and pandas' defaults do.
 */

/** The non-missing values of a column, copied. */
export function presentValues(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  if (n === values.length) return values.slice();
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) out[k++] = values[i];
  return out;
}

function select(a: Float64Array, k: number): number {
  // Quickselect (Hoare partition, median-of-three pivot), in place. Plain swaps: no allocation in the hot loop.
  let lo = 0;
  let hi = a.length - 1;
  let t: number;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < a[lo]) {
      t = a[mid];
      a[mid] = a[lo];
      a[lo] = t;
    }
    if (a[hi] < a[lo]) {
      t = a[hi];
      a[hi] = a[lo];
      a[lo] = t;
    }
    if (a[hi] < a[mid]) {
      t = a[hi];
      a[hi] = a[mid];
      a[mid] = t;
    }
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Quantile q (0..1) of the non-missing values; NaN when there are none. Linear interpolation. */
export function quantile(values: Float64Array, q: number): number {
  const a = presentValues(values);
  return quantileInPlace(a, q);
}

/** Quantile of values that have no NaN, reordering them. */
export function quantileInPlace(a: Float64Array, q: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  const vlo = select(a, lo);
  if (frac === 0 || lo + 1 >= n) return vlo;
  // the smallest value above position lo is the minimum of the upper part after selection
  let vhi = Infinity;
  for (let i = lo + 1; i < n; i++) if (a[i] < vhi) vhi = a[i];
  return vlo + (vhi - vlo) * frac;
}

/** Median of the non-missing values (NaN when none). */
export function median(values: Float64Array): number {
  return quantile(values, 0.5);
}

/** Summary of the non-missing values. */
export interface NumericSummary {
  count: number;
  missing: number;
  mean: number;
  /** Sample standard deviation (ddof = 1), as pandas' describe(). */
  std: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** count, missing, mean, std, min, quartiles and max in one go. */
export function summarize(values: Float64Array): NumericSummary {
  const a = presentValues(values);
  const n = a.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i] - mean) * (a[i] - mean);
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  a.sort();
  const q = (p: number) => {
    if (n === 0) return NaN;
    const pos = (n - 1) * p;
    const lo = Math.floor(pos);
    return lo + 1 < n ? a[lo] + (a[lo + 1] - a[lo]) * (pos - lo) : a[lo];
  };
  return {
    count: n,
    missing: values.length - n,
    mean,
    std,
    min: n ? min : NaN,
    q1: q(0.25),
    median: q(0.5),
    q3: q(0.75),
    max: n ? max : NaN,
  };
}

/** Mean and population standard deviation (ddof = 0, as scikit-learn's StandardScaler) of the non-missing values. */
export function meanStd(values: Float64Array): { mean: number; std: number; count: number } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      sum += v;
      n++;
    }
  }
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) ss += (v - mean) * (v - mean);
  }
  return { mean, std: n ? Math.sqrt(ss / n) : NaN, count: n };
}

/** Minimum and maximum of the non-missing values (NaN when none). */
export function minMax(values: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === Infinity ? { min: NaN, max: NaN } : { min, max };
}
