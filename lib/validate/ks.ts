/**
 * The two-sample Kolmogorov–Smirnov test with p-values as `scipy.stats.ks_2samp` computes them: the exact lattice-path
 * count for small samples, and the Kolmogorov distribution (Durbin's matrix, Pelz–Good, Smirnov) otherwise.
 */
import { logGamma } from "./special";

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
export function ks2samp(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { method?: "auto" | "exact" | "asymp" } = {},
): KsResult {
  if (a.length === 0 || b.length === 0) throw new Error("ks2samp: both samples need at least one value.");
  for (const [name, s] of [
    ["first", a],
    ["second", b],
  ] as const) {
    for (let i = 0; i < s.length; i++)
      if (!Number.isFinite(s[i]))
        throw new Error(`ks2samp: the ${name} sample holds ${s[i]} at index ${i}; drop missing values first.`);
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
  let method: "exact" | "asymp" =
    (options.method ?? "auto") === "auto"
      ? Math.max(n1, n2) <= 10000
        ? "exact"
        : "asymp"
      : (options.method as "exact" | "asymp");
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
    K[2] += w * (6 * z6 + 2 * z4 + (((2 * z4 - 5 * z2) * pi2) / 4) * m2 + ((pi4 * (1 - 2 * z2)) / 16) * m2 * m2);
    K[3] +=
      w *
      (-30 * z6 -
        90 * z4 * z4 +
        ((pi2 * (135 * z4 - 96 * z6)) / 4) * m2 +
        ((pi4 * (212 * z4 - 60 * z2)) / 16) * m2 * m2 +
        ((pi6 * (5 - 30 * z2)) / 64) * m2 * m2 * m2);
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
