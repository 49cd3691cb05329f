/**
 * Statistics the validation step needs: a seeded random generator, quantiles, the bootstrap,
 * the two-sample Kolmogorov–Smirnov test (p-values as scipy.stats.ks_2samp computes them) and PSI.
 */

import { std } from "../core/stats";

export { SeededRandom } from "../random";

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

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Result of the two-sample Kolmogorov–Smirnov test. */
export interface KsResult {
  /** The largest distance between the two empirical CDFs. */
  statistic: number;
  /** Probability of a distance at least this large if both samples come from one distribution. */
  pValue: number;
  /** "exact" (lattice-path count) or "asymp" (Kolmogorov distribution with n = n1·n2/(n1+n2)). */
  method: "exact" | "asymp";
  /** Where the largest distance is. */
  location: number;
}

/**
 * Two-sided two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(a, b)` (method "auto": exact when both
 * samples have at most 10,000 values, otherwise the asymptotic distribution).
 * @throws Error when a sample is empty or holds a non-finite value.
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>, options: { method?: "auto" | "exact" | "asymp" } = {}): KsResult {
  if (a.length === 0 || b.length === 0) throw new Error("ks2samp: both samples need at least one value.");
  for (const [name, s] of [["first", a], ["second", b]] as const) {
    for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i])) throw new Error(`ks2samp: the ${name} sample holds ${s[i]} at index ${i}; drop missing values first.`);
  }
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n1 = x.length;
  const n2 = y.length;
  // Walk the merged values; at each distinct value compare the two ECDFs (right-continuous).
  let i = 0;
  let j = 0;
  let maxPos = -Infinity;
  let maxNeg = -Infinity;
  let locPos = x[0];
  let locNeg = x[0];
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j];
    while (i < n1 && x[i] <= v) i++;
    while (j < n2 && y[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxPos) [maxPos, locPos] = [diff, v];
    if (-diff > maxNeg) [maxNeg, locNeg] = [-diff, v];
  }
  const minS = Math.min(Math.max(maxNeg, 0), 1);
  const useNeg = minS > maxPos;
  let d = useNeg ? minS : maxPos;
  const location = useNeg ? locNeg : locPos;
  let method: "exact" | "asymp" = (options.method ?? "auto") === "auto" ? (Math.max(n1, n2) <= 10000 ? "exact" : "asymp") : (options.method as "exact" | "asymp");
  const g = gcd(n1, n2);
  if (method === "exact" && n1 / g >= 2147483647 / (n2 / g)) method = "asymp";
  let p = NaN;
  if (method === "exact") {
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    if (h === 0) p = 1;
    else p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (!(p >= 0 && p <= 1)) method = "asymp";
  }
  if (method === "asymp") {
    const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
    p = kolmogorovSf(d, Math.round((m * n) / (m + n)));
  }
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), method, location };
}

/**
 * P(D_{n,n} >= h/n) for equal sample sizes: 2·Σ_k (-1)^(k+1) C(2n, n-kh)/C(2n, n), each ratio built as a
 * product of h factors and nested Horner-style to avoid cancellation.
 */
function probOutsideSquare(n: number, h: number): number {
  let total = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let t = 0; t < h; t++) ratio = ((n - k * h - t) * ratio) / (n + k * h + t + 1);
    total = ratio * (1 - total);
  }
  return 2 * total;
}

/**
 * 1 − (share of monotone lattice paths from (0,0) to (m,n) that stay strictly inside |x/m − y/n| < h/lcm),
 * following Hodges' inside method with the recursion carried directly on the complement
 * (Viehmann 2021, arXiv:2102.08037), which keeps every value in [0, 1].
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  // Column x = 0: rows y with |0 - y·mg| < h are inside (value 0 = no path has left yet); others are outside (1).
  let lo = 0;
  let hi = Math.min(Math.ceil(h / mg), n + 1); // inside rows are [lo, hi)
  let column = new Float64Array(n + 1).fill(1);
  for (let y = lo; y < hi; y++) column[y] = 0;
  let next = new Float64Array(n + 1);
  for (let x = 1; x <= m; x++) {
    const newLo = Math.min(Math.max(Math.floor((ng * x - h) / mg) + 1, 0), n);
    const newHi = Math.min(Math.ceil((ng * x + h) / mg), n + 1);
    if (newHi <= newLo) return 1;
    next.fill(1);
    // value(x, y) = share of paths to (x, y) that left the band: a weighted mix of the left and lower neighbours.
    let below = newLo === 0 ? 0 : 1;
    for (let y = newLo; y < newHi; y++) {
      const left = y >= lo && y < hi ? column[y] : 1;
      below = (left * x + below * y) / (x + y);
      next[y] = below;
    }
    [column, next] = [next, column];
    lo = newLo;
    hi = newHi;
  }
  return column[n];
}

/**
 * Survival function of the Kolmogorov–Smirnov statistic D_n for a sample of size n, for the large n the
 * asymptotic two-sample branch uses: 2·(one-sided Smirnov tail) when n·d² ≥ 2.2 (as scipy), otherwise the
 * Pelz–Good expansion.
 */
export function kolmogorovSf(d: number, n: number): number {
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 0.5) return 1;
  if (t <= 1) return 1 - Math.exp(logGamma(n + 1) - n * Math.log(n) + n * Math.log(2 * t - 1));
  if (t >= n - 1) return 2 * (1 - d) ** n;
  if (d >= 0.5) return Math.min(1, 2 * smirnovSf(n, d));
  if (n <= 140) {
    // Small n: the exact Durbin matrix below n·d² = 4, as scipy; above it 2·Smirnov is accurate.
    if (n * d * d <= 4) return Math.min(1, Math.max(0, 1 - durbinMatrixCdf(n, d)));
    return Math.min(1, 2 * smirnovSf(n, d));
  }
  if (n * d * d >= 2.2) return Math.min(1, 2 * smirnovSf(n, d));
  return Math.min(1, Math.max(0, 1 - pelzGoodCdf(n, d)));
}

function logGamma(z: number): number {
  // Lanczos approximation (g = 7), accurate to ~1e-15 relative.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  z -= 1;
  let x = c[0];
  for (let i = 1; i < 9; i++) x += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}

/**
 * Exact P(D_n < d) by Durbin's matrix formula (Marsaglia, Tsang & Wang 2003): n!/n^n times an entry of H^n,
 * with a separate power-of-ten exponent so the matrix power never overflows.
 */
export function durbinMatrixCdf(n: number, d: number): number {
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const h = k - n * d;
  const H = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) H[i * m + j] = i - j + 1 < 0 ? 0 : 1;
  for (let i = 0; i < m; i++) {
    H[i * m] -= h ** (i + 1);
    H[(m - 1) * m + i] -= h ** (m - i);
  }
  if (2 * h - 1 > 0) H[(m - 1) * m] += (2 * h - 1) ** m;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const g = i - j + 1;
      if (g > 0) for (let f = 1; f <= g; f++) H[i * m + j] /= f;
    }
  }
  const multiply = (A: Float64Array, B: Float64Array): Float64Array => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l];
        if (a === 0) continue;
        for (let j = 0; j < m; j++) C[i * m + j] += a * B[l * m + j];
      }
    }
    return C;
  };
  // H^n by squaring; `exponent` counts factors of 1e140 taken out to keep values finite.
  const power = (e: number): { M: Float64Array; exponent: number } => {
    if (e === 1) return { M: H.slice(), exponent: 0 };
    const half = power(Math.floor(e / 2));
    let M = multiply(half.M, half.M);
    let exponent = 2 * half.exponent;
    if (e % 2 === 1) M = multiply(H, M);
    if (M[(k - 1) * m + (k - 1)] > 1e140) {
      for (let q = 0; q < M.length; q++) M[q] *= 1e-140;
      exponent += 140;
    }
    return { M, exponent };
  };
  const { M, exponent } = power(n);
  let s = M[(k - 1) * m + (k - 1)];
  let e = exponent;
  for (let i = 1; i <= n; i++) {
    s = (s * i) / n;
    if (s < 1e-140) {
      s *= 1e140;
      e -= 140;
    }
  }
  return s * 10 ** e;
}

/** One-sided Smirnov tail P(D+_n >= d) by the Birnbaum–Tingey sum. */
export function smirnovSf(n: number, d: number): number {
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  const last = Math.floor(n * (1 - d));
  const logNFact = logGamma(n + 1);
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    const a = d + j / n;
    const b = 1 - a;
    if (b <= 0) continue;
    const logTerm = logNFact - logGamma(j + 1) - logGamma(n - j + 1) + (j - 1) * Math.log(a) + (n - j) * Math.log(b);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, d * sum);
}

/**
 * Pelz–Good (1976) expansion of the Kolmogorov CDF: P(D_n <= d) ≈ K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5 with
 * z = d·√n, each K written with Jacobi theta sums that converge fast for small z.
 */
function pelzGoodCdf(n: number, d: number): number {
  const z = Math.sqrt(n) * d;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0;
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const maxK = Math.ceil((16 * z) / Math.PI);
  // Sums over odd m = 2k - 1 of polynomial(m) · exp(-m² π² / (8 z²)).
  const K = [0, 0, 0, 0];
  for (let k = 1; k <= maxK; k++) {
    const m2 = (2 * k - 1) ** 2;
    const w = Math.exp(qlog * m2);
    K[0] += w;
    K[1] += w * (-z2 + (pi2 / 4) * m2);
    K[2] += w * (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * pi2 / 4) * m2 + (pi4 * (1 - 2 * z2) / 16) * m2 * m2);
    K[3] += w * (-30 * z6 - 90 * z4 * z4 + (pi2 * (135 * z4 - 96 * z6) / 4) * m2 + (pi4 * (212 * z4 - 60 * z2) / 16) * m2 * m2 + (pi6 * (5 - 30 * z2) / 64) * m2 * m2 * m2);
  }
  const scale = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * sqrt2pi) / scale[i];
  // Extra sums over all integers k of exp(-k² π² / (2 z²)).
  let extra2 = 0;
  let extra3 = 0;
  for (let k = 1; k <= maxK; k++) {
    const w = Math.exp((-pi2 / 2 / z2) * k * k);
    extra2 += k * k * w;
    extra3 += (3 * z2 - pi2 * k * k) * k * k * w;
  }
  K[2] += (extra2 * pi2 * sqrt2pi) / (-36 * z2 * z);
  K[3] += (extra3 * pi2 * sqrt2pi) / (216 * z6);
  return K[0] + K[1] / Math.sqrt(n) + K[2] / n + K[3] / (n * Math.sqrt(n));
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
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, options: { bins?: number; floor?: number; smoothing?: number } = {}): PsiResult {
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
  const order = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p)).sort((a, b) => a[0] - b[0]);
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
  for (const [name, v] of [["a", a], ["b", b], ["c", c], ["d", d]] as const) {
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
