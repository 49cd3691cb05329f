/**
 * Confidence intervals for headline numbers: Wilson's score interval for proportions (accuracy: correct rows out of
 * n) and the percentile bootstrap over rows for every other metric.
 */
import { SeededRandom } from "../random";

/** A confidence interval of one metric. */
export interface MetricInterval {
  lower: number;
  upper: number;
  /** e.g. 0.95. */
  confidence: number;
  /** "wilson" for proportions, "bootstrap" (percentile, over rows) otherwise. */
  method: "wilson" | "bootstrap";
  /**
   * True when every bootstrap resample scored the same (a perfect macro-F1 on rows the model gets all right, say):
   * resampling such rows can only reproduce them, so `[lower, upper]` is one point and says nothing about how far the
   * metric could fall on new rows. A goal is not judged met on such an interval.
   */
  degenerate?: boolean;
}

/** Metrics that are a proportion of rows (k of n), for which the Wilson interval is exact enough and cheap. */
export const PROPORTION_METRICS: readonly string[] = ["accuracy"];

/**
 * The standard normal quantile (inverse CDF) by Acklam's rational approximation (relative error below 1.2e-9). @throws Error when p is not strictly between 0 and 1.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be strictly between 0 and 1, got ${p}.`);
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/**
 * Wilson's score interval for a proportion of `successes` out of `n` (what a holdout accuracy is).
 * @throws Error when n is not a positive integer or successes is outside 0..n.
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): MetricInterval {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`wilsonInterval: n must be a positive whole number, got ${n}.`);
  if (!(successes >= 0 && successes <= n))
    throw new Error(`wilsonInterval: successes must be between 0 and n = ${n}, got ${successes}.`);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), confidence, method: "wilson" };
}

/**
 * Newcombe's hybrid score interval for a difference of two independent proportions, k1/n1 − k2/n2, built from the
 * two Wilson intervals (Newcombe 1998, method 10). Unlike a bootstrap it stays honest when a group is all correct
 * (k = n) or all wrong, where resampling has no spread at all.
 * @throws Error as {@link wilsonInterval} does, for either proportion.
 */
export function newcombeInterval(k1: number, n1: number, k2: number, n2: number, confidence = 0.95): [number, number] {
  const a = wilsonInterval(k1, n1, confidence);
  const b = wilsonInterval(k2, n2, confidence);
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const d = p1 - p2;
  return [
    d - Math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2),
    d + Math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2),
  ];
}

/**
 * Two-sided p-value of the pooled two-proportion z-test of k1/n1 = k2/n2 (1 when both proportions are 0 or both 1,
 * where the test has nothing to go on).
 * @throws Error when n1 or n2 is not a positive integer.
 */
export function twoProportionPValue(k1: number, n1: number, k2: number, n2: number): number {
  if (!(Number.isInteger(n1) && n1 > 0 && Number.isInteger(n2) && n2 > 0))
    throw new Error(`twoProportionPValue: n1 and n2 must be positive whole numbers, got ${n1} and ${n2}.`);
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return 1;
  const z = Math.abs(k1 / n1 - k2 / n2) / se;
  return Math.min(1, 2 * normalTail(z));
}

/** P(Z > z) for a standard normal Z (Abramowitz–Stegun 7.1.26 on erfc; absolute error below 1.5e-7). */
function normalTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return erfc / 2;
}

/**
 * Percentile bootstrap intervals of several statistics of the same `n` rows at once: `statistics(indices)` returns
 * each statistic's value on one resample of the row indices (drawn with replacement, seeded). Values that are not
 * finite (e.g. ROC AUC on a resample with one class) or a throwing resample are skipped; a statistic with fewer than
 * half the resamples usable gets null.
 * @throws Error when n or resamples is not a positive integer.
 */
export function bootstrapIntervals(
  n: number,
  statistics: (indices: Int32Array) => Record<string, number>,
  options: { resamples?: number; confidence?: number; seed?: number } = {},
): Record<string, MetricInterval | null> {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`bootstrapInterval: n must be a positive whole number, got ${n}.`);
  if (!Number.isInteger(resamples) || resamples <= 0)
    throw new Error(`bootstrapInterval: resamples must be a positive whole number, got ${resamples}.`);
  const rng = new SeededRandom(options.seed ?? 0);
  const values = new Map<string, number[]>();
  const idx = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    let row: Record<string, number>;
    try {
      row = statistics(idx);
    } catch {
      row = {};
    }
    for (const [name, v] of Object.entries(row)) {
      if (!values.has(name)) values.set(name, []);
      if (Number.isFinite(v)) (values.get(name) as number[]).push(v);
    }
  }
  const tail = (1 - confidence) / 2;
  const out: Record<string, MetricInterval | null> = {};
  for (const [name, vals] of values) {
    if (vals.length < resamples / 2) {
      out[name] = null;
      continue;
    }
    vals.sort((a, b) => a - b);
    const q = (p: number): number => {
      const pos = (vals.length - 1) * p;
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, vals.length - 1);
      return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo);
    };
    out[name] = {
      lower: q(tail),
      upper: q(1 - tail),
      confidence,
      method: "bootstrap",
      ...(vals[0] === vals[vals.length - 1] ? { degenerate: true } : {}),
    };
  }
  return out;
}

/**
 * Percentile bootstrap interval of one statistic of `n` rows (see {@link bootstrapIntervals}); null when fewer than
 * half the resamples give a finite value.
 * @throws Error when n or resamples is not a positive integer.
 */
export function bootstrapInterval(
  n: number,
  statistic: (indices: Int32Array) => number,
  options: { resamples?: number; confidence?: number; seed?: number } = {},
): MetricInterval | null {
  return bootstrapIntervals(n, (idx) => ({ value: statistic(idx) }), options).value ?? null;
}

/**
 * Default bootstrap resamples for `n` rows: 1000, fewer for large sets so that at most 200,000 rows are resampled
 * (at least 100). Large sets have narrow intervals, where fewer resamples cost little precision.
 */
export function defaultResamples(n: number): number {
  return Math.max(100, Math.min(1000, Math.floor(200000 / Math.max(1, n))));
}

/** "[0.8512, 0.9943]" with 4 decimals, or "—" without an interval. */
export function formatInterval(ci: MetricInterval | null | undefined, digits = 4): string {
  if (!ci) return "—";
  if (ci.degenerate) return `[no spread: every resample scored ${ci.lower.toFixed(digits)}]`;
  return `[${ci.lower.toFixed(digits)}, ${ci.upper.toFixed(digits)}]`;
}
