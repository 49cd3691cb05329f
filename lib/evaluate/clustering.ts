/**
 * Clustering metrics, matching scikit-learn 1.2: silhouette (Euclidean) and adjusted Rand index.
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import { matrixRow, takeRows, toMatrix } from "../data/matrix";
import { seededUniform } from "./folds";
import { Label, checkSameLength, readLabels, uniqueLabels } from "../metrics/labels";
import { mean } from "../core/stats";

function readClusterLabels(labels: TargetInput, name: string, allowEmpty = false): Label[] {
  return readLabels(labels, name, { allowEmpty });
}

/**
 * The silhouette of each sample: (b - a) / max(a, b), with a the mean distance to its own cluster and b the mean
 * distance to the nearest other cluster; 0 for samples alone in their cluster (scikit-learn's `silhouette_samples`).
 * @throws Error when the number of clusters is not between 2 and n_samples - 1, or on bad inputs.
 */
export function silhouetteSamples(X: FeatureInput, labels: TargetInput): number[] {
  const m = toMatrix(X);
  const l = readClusterLabels(labels, "labels");
  checkSameLength({ length: m.rows }, l, "X", "labels");
  const clusters = uniqueLabels(l);
  const k = clusters.length;
  const n = m.rows;
  if (k < 2 || k > n - 1) throw new Error(`Number of labels is ${k}. Valid values are 2 to n_samples - 1 (inclusive).`);
  const index = new Map(clusters.map((c, i) => [c, i]));
  const code = l.map((v) => index.get(v) as number);
  const size = new Array<number>(k).fill(0);
  code.forEach((c) => size[c]++);
  const sums = new Float64Array(k);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    const xi = matrixRow(m, i);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const xj = matrixRow(m, j);
      let d = 0;
      for (let c = 0; c < m.cols; c++) d += (xi[c] - xj[c]) ** 2;
      sums[code[j]] += Math.sqrt(d);
    }
    const own = code[i];
    if (size[own] === 1) {
      out.push(0);
      continue;
    }
    const a = sums[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[c] / size[c]);
    const denom = Math.max(a, b);
    out.push(denom === 0 ? 0 : (b - a) / denom);
  }
  return out;
}

/**
 * Mean silhouette over all samples, from -1 (wrong clusters) to 1 (dense, well separated), Euclidean distance
 * (scikit-learn's `silhouette_score`). The cost is quadratic in the rows: pass `sampleSize` (and `seed`) to score a
 * random subset of large data.
 * @throws as {@link silhouetteSamples}.
 */
export function silhouetteScore(
  X: FeatureInput,
  labels: TargetInput,
  options: { sampleSize?: number; seed?: number } = {},
): number {
  let data: FeatureInput = X;
  let l: TargetInput = labels;
  if (options.sampleSize !== undefined) {
    // O(n²) distances: on large data score a seeded random subset, as scikit-learn's sample_size does.
    const m = toMatrix(X);
    const all = readClusterLabels(labels, "labels");
    checkSameLength({ length: m.rows }, all, "X", "labels");
    const n = Math.min(options.sampleSize, m.rows);
    if (!Number.isInteger(n) || n < 2)
      throw new Error(`sampleSize must be an integer of at least 2, got ${options.sampleSize}.`);
    const order = Array.from({ length: m.rows }, (_, i) => i);
    const random = seededUniform(options.seed ?? 0);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const picked = order.slice(0, n);
    data = takeRows(m, picked);
    l = picked.map((i) => all[i]) as TargetInput;
  }
  const s = silhouetteSamples(data, l);
  return mean(s);
}

/**
 * Adjusted Rand index between two labelings: 1 for identical partitions (up to renaming), about 0 for random ones
 * (scikit-learn's `adjusted_rand_score`; empty inputs give 1 as there).
 * @throws Error on inputs of different lengths or bad labels.
 */
export function adjustedRandIndex(labelsTrue: TargetInput, labelsPred: TargetInput): number {
  const t = readClusterLabels(labelsTrue, "labels_true", true);
  const p = readClusterLabels(labelsPred, "labels_pred", true);
  checkSameLength(t, p, "labels_true", "labels_pred");
  const n = BigInt(t.length);
  const contingency = new Map<string, bigint>();
  const rowSums = new Map<Label, bigint>();
  const colSums = new Map<Label, bigint>();
  for (let i = 0; i < t.length; i++) {
    const key = JSON.stringify([t[i], p[i]]);
    contingency.set(key, (contingency.get(key) ?? 0n) + 1n);
    rowSums.set(t[i], (rowSums.get(t[i]) ?? 0n) + 1n);
    colSums.set(p[i], (colSums.get(p[i]) ?? 0n) + 1n);
  }
  let sumSquares = 0n;
  for (const v of contingency.values()) sumSquares += v * v;
  // contingency · n_k summed = Σ_ij n_ij · colSum_j ; and the transpose with row sums.
  let cNk = 0n;
  let cNc = 0n;
  for (const [key, v] of contingency) {
    const [a, b] = JSON.parse(key) as [Label, Label];
    cNk += v * (colSums.get(b) as bigint);
    cNc += v * (rowSums.get(a) as bigint);
  }
  const tp = sumSquares - n;
  const fp = cNk - sumSquares;
  const fn = cNc - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1;
  const num = 2n * (tp * tn - fn * fp);
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return bigRatio(num, den);
}

/** num/den as a double, exact to rounding even when both exceed 2^53. */
function bigRatio(num: bigint, den: bigint): number {
  const neg = num < 0n !== den < 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  // Scale so that the integer quotient keeps 64 fractional bits before converting to a double.
  const value = Number((a << 64n) / b) / 2 ** 64;
  return neg ? -value : value;
}
