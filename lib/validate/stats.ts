/**
 * Statistics the validation step needs: a seeded random generator, quantiles, the bootstrap,
 * the two-sample Kolmogorov–Smirnov test (p-values as scipy.stats.ks_2samp computes them) and PSI.
 */

import { std } from "../core/stats";

export { SeededRandom } from "../random";
export { ks2samp, kolmogorovSf, durbinMatrixCdf, smirnovSf } from "./ks";
export type { KsResult } from "./ks";
import { logGamma } from "./special";

/** The `q`-quantile (0..1) of sorted values with linear interpolation (numpy's default "linear" method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const diff = sorted[hi] - sorted[lo];
  // numpy's _lerp: interpolate from the nearer end so q = 1 lands exactly on the maximum.
  return t >= 0.5 ? sorted[hi] - diff * (1 - t) : sorted[lo] + diff * t;
}

/** The `q`-quantile (0..1) of values, numpy's linear method. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/**
 * Sample standard deviation (core `std(values, 1)`), but 0 rather than NaN for fewer than two values: callers use it
 * as a scale for "flat" thresholds, where one value means no spread. Never throws.
 */
export function sampleStdOrZero(values: ArrayLike<number>): number {
  return values.length < 2 ? 0 : std(values, 1);
}

/** Population stability index of one feature and how its bins were built. */
export interface PsiResult {
  psi: number;
  /** Bin edges (from the reference's quantiles); the outer bins are open-ended. */
  edges: number[];
  /** Share of the reference in each bin. */
  expected: number[];
  /** Share of the current sample in each bin. */
  actual: number[];
}

/**
 * Population stability index: Σ (actual − expected)·ln(actual / expected) over bins cut at the reference's
 * quantiles (`bins` equal-frequency bins; fewer when values repeat). Empty bins get a share of `floor`
 * (default 1e-4) so the log stays finite. With `smoothing` (a pseudo-count, e.g. 0.5) every bin's count in both
 * samples is raised by that much instead: on small samples the floor makes each empty bin add about 0.69 to PSI,
 * smoothing does not. `expected` and `actual` stay the raw shares either way.
 * @throws Error when a sample is empty.
 */
export function psi(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: { bins?: number; floor?: number; smoothing?: number } = {},
): PsiResult {
  if (reference.length === 0 || current.length === 0) throw new Error("psi: both samples need at least one value.");
  const bins = options.bins ?? 10;
  const floor = options.floor ?? 1e-4;
  const smoothing = options.smoothing ?? 0;
  const sorted = Float64Array.from(reference).sort();
  const inner: number[] = [];
  for (let b = 1; b < bins; b++) {
    const edge = quantileSorted(sorted, b / bins);
    if (inner.length === 0 || edge > inner[inner.length - 1]) inner.push(edge);
  }
  // Drop an edge equal to the maximum (its bin would be empty by construction).
  const count = (values: ArrayLike<number>): number[] => {
    const c = new Array<number>(inner.length + 1).fill(0);
    for (let i = 0; i < values.length; i++) {
      // bin k holds values in (edge[k-1], edge[k]]
      let lo = 0;
      let hi = inner.length;
      const v = values[i];
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v <= inner[mid]) hi = mid;
        else lo = mid + 1;
      }
      c[lo]++;
    }
    return c.map((k) => k / values.length);
  };
  const expected = count(reference);
  const actual = count(current);
  const k = expected.length;
  const smooth = (share: number, n: number): number => (share * n + smoothing) / (n + smoothing * k);
  let total = 0;
  for (let b = 0; b < k; b++) {
    const e = smoothing > 0 ? smooth(expected[b], reference.length) : Math.max(expected[b], floor);
    const a = smoothing > 0 ? smooth(actual[b], current.length) : Math.max(actual[b], floor);
    total += (a - e) * Math.log(a / e);
  }
  return { psi: total, edges: inner, expected, actual };
}

/** A percentile bootstrap confidence interval. */
export function percentileInterval(samples: number[], alpha: number): [number, number] {
  const sorted = Float64Array.from(samples.filter((v) => Number.isFinite(v))).sort();
  return [quantileSorted(sorted, alpha / 2), quantileSorted(sorted, 1 - alpha / 2)];
}

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a): a series below a + 1, a continued fraction
 * (modified Lentz) above.
 */
export function gammaQ(a: number, x: number): number {
  if (x < 0 || a <= 0) return NaN;
  if (x === 0) return 1;
  const lg = logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + a * Math.log(x) - lg));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** Survival function of the chi-square distribution with `dof` degrees of freedom (scipy.stats.chi2.sf). */
export function chi2Sf(x: number, dof: number): number {
  if (x <= 0) return 1;
  return gammaQ(dof / 2, x / 2);
}

/**
 * How surprising a PSI is when nothing drifted: with n reference and m current rows over `bins` bins,
 * PSI · nm/(n+m) is approximately chi-square with bins − 1 degrees of freedom. Returns that p-value; small
 * samples make large PSI values common, and this says when a PSI is just noise.
 */
export function psiPValue(value: number, bins: number, n: number, m: number): number {
  if (bins < 2) return 1;
  return chi2Sf(value * ((n * m) / (n + m)), bins - 1);
}

/**
 * Holm's step-down adjustment of p-values (a family-wise error rate of α when each adjusted p-value is compared
 * with α): the i-th smallest p becomes max over j ≤ i of min(1, (k − j + 1)·p_(j)). NaN stays NaN and does not count.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues
    .map((p, i) => [p, i] as const)
    .filter(([p]) => !Number.isNaN(p))
    .sort((a, b) => a[0] - b[0]);
  const out = pValues.map(() => NaN);
  const k = order.length;
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (k - rank) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Two-sided Fisher exact test of a 2 × 2 table [[a, b], [c, d]] (as scipy.stats.fisher_exact): the probability,
 * under the hypergeometric distribution with the table's margins, of a table at most as likely as the observed one.
 * @throws Error when a count is negative or not a whole number.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  for (const [name, v] of [
    ["a", a],
    ["b", b],
    ["c", c],
    ["d", d],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`fisherExact: ${name} must be a whole number ≥ 0, got ${v}.`);
  }
  const n1 = a + b;
  const k = a + c;
  const n = a + b + c + d;
  const lo = Math.max(0, k - (n - n1));
  const hi = Math.min(k, n1);
  const logC = (x: number, y: number): number => logGamma(x + 1) - logGamma(y + 1) - logGamma(x - y + 1);
  const logPmf = (x: number): number => logC(k, x) + logC(n - k, n1 - x) - logC(n, n1);
  const observed = logPmf(a);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const lp = logPmf(x);
    // scipy's relative tolerance for "as likely": 1 + 1e-7.
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** A distribution-free confidence interval of a quantile: bounds are order statistics, or null when n is too small. */
export interface QuantileInterval {
  q: number;
  /** Lower bound at confidence 1 − alpha (one-sided), or null when no order statistic is low enough. */
  lower: number | null;
  /** Upper bound at confidence 1 − alpha (one-sided), or null when fewer timings than needed (e.g. 59 for p95 at 0.05). */
  upper: number | null;
  alpha: number;
}

/**
 * One-sided distribution-free bounds of the q-quantile of the distribution `values` were drawn from (i.i.d.):
 * the upper bound is the k-th smallest value for the smallest k with P(Binomial(n, q) ≤ k − 1) ≥ 1 − alpha, the lower
 * bound the l-th smallest for the largest l with P(Binomial(n, q) ≤ l − 1) ≤ alpha. Each covers the quantile with
 * probability at least 1 − alpha for continuous data.
 */
export function quantileInterval(values: readonly number[], q: number, alpha: number): QuantileInterval {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  // cdf[k] = P(Binomial(n, q) ≤ k), built from the pmf in log space.
  const cdf = new Float64Array(n + 1);
  let logPmf = n * Math.log(1 - q);
  let total = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logPmf += Math.log(((n - k + 1) / k) * (q / (1 - q)));
    total += Math.exp(logPmf);
    cdf[k] = Math.min(1, total);
  }
  let upper: number | null = null;
  for (let k = 1; k <= n; k++) {
    if (cdf[k - 1] >= 1 - alpha) {
      upper = sorted[k - 1];
      break;
    }
  }
  let lower: number | null = null;
  for (let l = n; l >= 1; l--) {
    if (cdf[l - 1] <= alpha) {
      lower = sorted[l - 1];
      break;
    }
  }
  return { q, lower, upper, alpha };
}
