/**
 * The CART tree builder shared by the decision trees and the random forest: depth-first growth on
 * pre-binned uint8 features (see binning.ts), Gini impurity for classification and squared error
 * for regression, a random feature subset per node, and impurity-decrease importances.
 * Pure functions over typed arrays, so worker threads can run them too.
 */
import { SeededRandom } from "./random";
import { partitionByBin } from "./binning";

/** The splits of a tree as flat arrays, all a row needs to find its leaf (leaves have feature -1). */
export type TreeSplits = Pick<TreeArrays, "feature" | "threshold" | "left" | "right">;

/** A fitted tree as flat arrays. Leaves have feature -1. */
export interface TreeArrays {
  nodeCount: number;
  feature: Int32Array;
  /** Real-valued threshold: go left when x <= threshold. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Per node: class fractions (classification, width K) or the mean (regression, width 1). */
  value: Float64Array;
  valueWidth: number;
  /** Samples (with bootstrap repeats) that reached each node. */
  samples: Float64Array;
}

/** Options of one tree build. */
export interface CartOptions {
  /** "gini" (classification, K classes) or "mse" (regression). */
  criterion: "gini" | "mse";
  nClasses: number;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features tried per node (at least one valid split is always searched for). */
  maxFeatures: number;
  seed: number;
}

/** The binned training data a build reads. */
export interface CartData {
  /** Column-major bins, bins[f * rows + i]. */
  bins: Uint8Array;
  rows: number;
  cols: number;
  thresholds: Float64Array[];
  /** Class codes (classification). */
  codes?: Int32Array;
  /** Targets (regression). */
  target?: Float64Array;
}

const SMALL_NODE = 40;

/**
 * Grows one tree on the samples listed in `sampleIndex` (repeats allowed: bootstrap).
 * Returns the tree and the per-feature total impurity decrease (unnormalized).
 */
export function buildCart(
  data: CartData,
  sampleIndex: Int32Array,
  opt: CartOptions,
): { tree: TreeArrays; importance: Float64Array } {
  const rng = new SeededRandom(opt.seed);
  const { bins, rows, cols, thresholds } = data;
  const classification = opt.criterion === "gini";
  const K = opt.nClasses;
  const S = classification ? K : 3; // stats width: class counts, or [count, sum, sumSq]
  const codes = data.codes as Int32Array;
  const target = data.target as Float64Array;
  const idx = Int32Array.from(sampleIndex);
  const importance = new Float64Array(cols);

  // Growable node storage.
  let cap = 64;
  let feature = new Int32Array(cap);
  let threshold = new Float64Array(cap);
  let left = new Int32Array(cap);
  let right = new Int32Array(cap);
  let value = new Float64Array(cap * (classification ? K : 1));
  let samples = new Float64Array(cap);
  let nodeCount = 1; // the root
  const vw = classification ? K : 1;
  const grow = (): void => {
    cap *= 2;
    const f2 = new Int32Array(cap);
    f2.set(feature);
    feature = f2;
    const t2 = new Float64Array(cap);
    t2.set(threshold);
    threshold = t2;
    const l2 = new Int32Array(cap);
    l2.set(left);
    left = l2;
    const r2 = new Int32Array(cap);
    r2.set(right);
    right = r2;
    const v2 = new Float64Array(cap * vw);
    v2.set(value);
    value = v2;
    const s2 = new Float64Array(cap);
    s2.set(samples);
    samples = s2;
  };

  const hist = new Float64Array(256 * S);
  const keys = new Int32Array(SMALL_NODE + 1);
  const leftStats = new Float64Array(S);
  const bestLeftStats = new Float64Array(S);
  const order = new Int32Array(cols);
  for (let f = 0; f < cols; f++) order[f] = f;

  // Stack of pending nodes: [start, end, depth, nodeId]; stats per node kept in a parallel list.
  const stack: { start: number; end: number; depth: number; node: number; stats: Float64Array }[] = [];
  const rootStats = new Float64Array(S);
  for (let s = 0; s < idx.length; s++) addSample(rootStats, idx[s]);
  stack.push({ start: 0, end: idx.length, depth: 0, node: 0, stats: rootStats });

  function addSample(stats: Float64Array, i: number): void {
    if (classification) stats[codes[i]] += 1;
    else {
      const y = target[i];
      stats[0] += 1;
      stats[1] += y;
      stats[2] += y * y;
    }
  }
  function impurity(stats: Float64Array, n: number): number {
    if (n <= 0) return 0;
    if (classification) {
      let sq = 0;
      for (let k = 0; k < K; k++) sq += stats[k] * stats[k];
      return 1 - sq / (n * n);
    }
    const mean = stats[1] / n;
    return Math.max(0, stats[2] / n - mean * mean);
  }
  /** The proxy scikit-learn maximizes: sum_k c_k²/n (Gini) or sum²/n (squared error). */
  function proxy(stats: Float64Array, n: number): number {
    if (classification) {
      let sq = 0;
      for (let k = 0; k < K; k++) sq += stats[k] * stats[k];
      return sq / n;
    }
    return (stats[1] * stats[1]) / n;
  }

  while (stack.length > 0) {
    const job = stack.pop() as (typeof stack)[number];
    const { start, end, depth, node, stats } = job;
    const n = end - start;
    const nodeImpurity = impurity(stats, n);
    samples[node] = n;
    if (classification) for (let k = 0; k < K; k++) value[node * K + k] = stats[k] / n;
    else value[node] = stats[1] / n;
    feature[node] = -1;
    if (n < opt.minSamplesSplit || n < 2 * opt.minSamplesLeaf || depth >= opt.maxDepth || nodeImpurity <= 1e-12)
      continue;

    const parentProxy = proxy(stats, n);
    let bestGain = 1e-12 * Math.max(1, Math.abs(parentProxy));
    let bestFeature = -1;
    let bestBin = -1;
    let visited = 0;
    for (let t = 0; t < cols; t++) {
      if (visited >= opt.maxFeatures && bestFeature >= 0) break;
      const r = t + rng.int(cols - t);
      const f = order[r];
      order[r] = order[t];
      order[t] = f;
      const col = f * rows;
      let minBin = 255;
      let maxBin = 0;
      if (n <= SMALL_NODE) {
        // Few samples: sort them by bin instead of scanning 256 bins.
        for (let s = 0; s < n; s++) {
          const b = bins[col + idx[start + s]];
          keys[s] = (b << 20) | s;
          if (b < minBin) minBin = b;
          if (b > maxBin) maxBin = b;
        }
        if (minBin === maxBin) continue;
        visited++;
        const sorted = keys.subarray(0, n).sort();
        leftStats.fill(0);
        let nLeft = 0;
        for (let s = 0; s < n - 1; s++) {
          const key = sorted[s];
          addSample(leftStats, idx[start + (key & 0xfffff)]);
          nLeft++;
          const b = key >>> 20;
          if (sorted[s + 1] >>> 20 === b) continue;
          if (nLeft < opt.minSamplesLeaf || n - nLeft < opt.minSamplesLeaf) continue;
          const gain = splitProxy(leftStats, stats, nLeft, n - nLeft) - parentProxy;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
            bestLeftStats.set(leftStats);
          }
        }
      } else {
        for (let s = start; s < end; s++) {
          const i = idx[s];
          const b = bins[col + i];
          if (b < minBin) minBin = b;
          if (b > maxBin) maxBin = b;
          if (classification) hist[b * K + codes[i]] += 1;
          else {
            const y = target[i];
            const o = b * 3;
            hist[o] += 1;
            hist[o + 1] += y;
            hist[o + 2] += y * y;
          }
        }
        if (minBin === maxBin) {
          for (let q = minBin * S; q < (maxBin + 1) * S; q++) hist[q] = 0;
          continue;
        }
        visited++;
        leftStats.fill(0);
        let nLeft = 0;
        for (let b = minBin; b < maxBin; b++) {
          let binCount = 0;
          for (let q = 0; q < S; q++) {
            const v = hist[b * S + q];
            leftStats[q] += v;
            if (classification) binCount += v;
          }
          if (!classification) binCount = hist[b * S];
          if (binCount === 0) continue;
          nLeft += binCount;
          if (nLeft < opt.minSamplesLeaf) continue;
          if (n - nLeft < opt.minSamplesLeaf) break;
          const gain = splitProxy(leftStats, stats, nLeft, n - nLeft) - parentProxy;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
            bestLeftStats.set(leftStats);
          }
        }
        for (let q = minBin * S; q < (maxBin + 1) * S; q++) hist[q] = 0;
      }
    }
    if (bestFeature < 0) continue;

    // Partition idx[start, end) so that bin <= bestBin comes first.
    const mid = partitionByBin(idx, bins, bestFeature * rows, start, end, bestBin);
    const nLeft = mid - start;
    const leftChild = new Float64Array(bestLeftStats);
    const rightChild = new Float64Array(S);
    for (let q = 0; q < S; q++) rightChild[q] = stats[q] - leftChild[q];
    const impLeft = impurity(leftChild, nLeft);
    const impRight = impurity(rightChild, n - nLeft);
    importance[bestFeature] += n * nodeImpurity - nLeft * impLeft - (n - nLeft) * impRight;

    while (nodeCount + 2 > cap) grow();
    const l = nodeCount++;
    const r = nodeCount++;
    feature[node] = bestFeature;
    threshold[node] = thresholds[bestFeature][bestBin];
    left[node] = l;
    right[node] = r;
    stack.push({ start: mid, end, depth: depth + 1, node: r, stats: rightChild });
    stack.push({ start, end: mid, depth: depth + 1, node: l, stats: leftChild });
  }

  function splitProxy(leftS: Float64Array, parent: Float64Array, nL: number, nR: number): number {
    if (classification) {
      let sqL = 0;
      let sqR = 0;
      for (let k = 0; k < K; k++) {
        const a = leftS[k];
        const b = parent[k] - a;
        sqL += a * a;
        sqR += b * b;
      }
      return sqL / nL + sqR / nR;
    }
    const sL = leftS[1];
    const sR = parent[1] - sL;
    return (sL * sL) / nL + (sR * sR) / nR;
  }

  return {
    tree: {
      nodeCount,
      feature: feature.slice(0, nodeCount),
      threshold: threshold.slice(0, nodeCount),
      left: left.slice(0, nodeCount),
      right: right.slice(0, nodeCount),
      value: value.slice(0, nodeCount * vw),
      valueWidth: vw,
      samples: samples.slice(0, nodeCount),
    },
    importance,
  };
}

/** The leaf a row (row-major `data`, offset `base`) falls in. */
export function leafOf(tree: TreeSplits, data: Float64Array, base: number): number {
  let node = 0;
  const { feature, threshold, left, right } = tree;
  while (feature[node] >= 0) node = data[base + feature[node]] <= threshold[node] ? left[node] : right[node];
  return node;
}

/** Number of leaves of a tree. */
export function leafCount(tree: TreeArrays): number {
  let n = 0;
  for (let i = 0; i < tree.nodeCount; i++) if (tree.feature[i] < 0) n++;
  return n;
}

/** Normalizes importances to sum 1 (all zero stays zero). */
export function normalizeImportance(values: Float64Array): number[] {
  let sum = 0;
  for (const v of values) sum += v;
  return Array.from(values, (v) => (sum > 0 ? v / sum : 0));
}

/** The sample rows of one tree: a bootstrap draw seeded by the tree's seed, or all rows in order. */
export function treeSample(rows: number, bootstrap: boolean, seed: number): Int32Array {
  const idx = new Int32Array(rows);
  if (!bootstrap) {
    for (let i = 0; i < rows; i++) idx[i] = i;
    return idx;
  }
  const rng = new SeededRandom(seed ^ 0x5bd1e995);
  for (let i = 0; i < rows; i++) idx[i] = rng.int(rows);
  return idx;
}
