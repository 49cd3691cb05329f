/**
 * A leaf HistTreeGrower is growing and its split-search I/O: the Leaf record, writing a leaf's split-search inputs
 * for the histogram jobs, and taking a leaf's best split from the searches of the chunks of features.
 */
import type { HistGradientBoostingParams } from "./boosting-params";
import { MIN_GAIN, SEARCH, SEARCH_WORDS } from "./hist";

/** The least hessian sum a split's side needs (as in scikit-learn). */
export const MIN_HESSIAN = 1e-3;

/** A leaf of the tree being grown: its node, rows idx[start, end), histograms, sums and best split. */
export interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  sumG: number;
  sumH: number;
  gain: number;
  feature: number;
  bin: number;
  leftG: number;
  leftH: number;
  leftN: number;
}

/** Writes the split-search inputs of `leaf` under params `p` (or an inactive search when null) at io[o]. */
export function searchInputs(p: HistGradientBoostingParams, leaf: Leaf | null, io: Float64Array, o: number): void {
  if (!leaf) {
    io[o + SEARCH.active] = 0;
    return;
  }
  const n = leaf.end - leaf.start;
  io[o + SEARCH.n] = n;
  io[o + SEARCH.sumG] = leaf.sumG;
  io[o + SEARCH.sumH] = leaf.sumH;
  const splittable = !(
    n < 2 * p.minSamplesLeaf ||
    (p.maxDepth !== null && leaf.depth >= p.maxDepth) ||
    leaf.sumH < 2 * MIN_HESSIAN
  );
  io[o + SEARCH.active] = splittable ? 1 : 0;
}

/**
 * Sets the leaf's best split from search `o` of `chunks` chunks' results in `io` (chunk c at c * 2 * SEARCH_WORDS):
 * a later chunk (later features) wins only with a strictly larger gain, as in one thread's search.
 */
export function takeSplit(leaf: Leaf, io: Float64Array, chunks: number, o: number): void {
  let at = -1;
  let best = MIN_GAIN;
  for (let c = 0; c < chunks; c++) {
    const q = c * 2 * SEARCH_WORDS + o;
    if (io[q + SEARCH.feature] >= 0 && io[q + SEARCH.gain] > best) {
      best = io[q + SEARCH.gain];
      at = q;
    }
  }
  if (at < 0) {
    leaf.gain = 0;
    leaf.feature = -1;
    return;
  }
  leaf.feature = io[at + SEARCH.feature];
  leaf.gain = io[at + SEARCH.gain];
  leaf.bin = io[at + SEARCH.bin];
  leaf.leftG = io[at + SEARCH.leftG];
  leaf.leftH = io[at + SEARCH.leftH];
  leaf.leftN = io[at + SEARCH.leftN];
}
