/**
 * HistTreeGrower: grows one boosted tree at a time on binned features, leaf-wise (best-first) on gradient/hessian
 * histograms, optionally sharing each node's work with a histogram worker thread (nJobs 2). The leaf record and its
 * split-search I/O are in hist-leaf.ts; the flat tree type and how a row reads its leaf value are in boosted-tree.ts
 * (re-exported here).
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { Worker } from "worker_threads";
import type { HistGradientBoostingParams } from "./boosting-params";
import type { BoostedTree } from "./boosted-tree";
import { Leaf, MIN_HESSIAN, searchInputs, takeSplit } from "./hist-leaf";
import { stablePartitionByBin } from "./binning";
import {
  CTRL,
  CTRL_WORDS,
  ERROR_TEXT_BYTES,
  FEATURES_PER_CHUNK,
  GRADIENT_CHUNKS,
  GradientArrays,
  HistInputs,
  HistWorkerData,
  HistWorkerFault,
  JOB,
  JobContext,
  MAX_CHUNKS,
  SEARCH_WORDS,
  SplitRules,
  chunkWord,
  claimChunk,
  lossGradients,
  nodeShare,
  runChunk,
} from "./hist";

export type { BoostedTree } from "./boosted-tree";
export { treeValue } from "./boosted-tree";

const HIST_WORKER_FILE = path.join(__dirname, "hist-worker.js");

/** Test-only: a failure to inject into the next histogram workers ("throw" in a job, or "exit" the thread). */
export const histWorkerTestHooks: { fault: HistWorkerFault } = { fault: null };

/** A chunk the worker took (a few features of one node, well under a second of work) that takes longer than this is an error. */
const CLAIMED_LIMIT_MS = 120_000;
/**
 * Nodes with fewer rows are done on the main thread alone. Each shared node is a hand-off (the worker polls for it, both
 * threads claim chunks, the main thread may wait for a chunk the worker holds): on the 20k × 20 bench, sharing every
 * node from 64 rows on cost 0.25 s of extra CPU per fit (+45%), from 1,024 rows on 0.13 s, with the worker still
 * taking over half of the big nodes' chunks. Small nodes are cheap (1,024 rows × 20 features ≈ 50 µs) anyway.
 */
const PARALLEL_MIN_ROWS = 1024;
/**
 * Sharing work pays only when the second core is free: when other processes keep it busy, the worker runs by taking
 * turns with the main thread on one core and only adds overhead. So the grower times its trees (the median of the
 * last {@link TIMED_TREES} with and without the worker: one tree stalled by another process does not flip the choice,
 * as it did with moving averages), grows each tree the faster way, and tries the other way every
 * {@link EXPLORE_EVERY}th tree. Who computes what never changes the model.
 */
const EXPLORE_EVERY = 8;
/** Tree times kept per way of growing. */
const TIMED_TREES = 5;

/** The median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
/** Longest single Atomics.wait, so the wait loop keeps checking the worker's state. */
const WAIT_SLICE_MS = 5;

const BINS = 256;

/** Grows boosted trees on one binned training set; reuses its buffers across trees. */
export class HistTreeGrower {
  private readonly idx: Int32Array;
  /** Scratch space of the stable partition (a node's right-hand rows). */
  private readonly scratch: Int32Array;
  /** The gradient and hessian of a node's rows, interleaved, in idx order. */
  private readonly ghOrdered: Float64Array;
  /** Gradients and hessians of the current tree (shared with the worker when there is one). */
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /** Raw scores and (softmax) probabilities of the training rows, `outputs` per row, and their targets. */
  readonly raw: Float64Array;
  readonly prob: Float64Array;
  private readonly gradients: GradientArrays;
  private readonly bins: Uint8Array;
  private readonly store: Float64Array;
  private readonly histSize: number;
  private readonly pool: Float64Array[] = [];
  private readonly slotOf = new Map<Float64Array, number>();
  private readonly inputs: HistInputs;
  private readonly rules: SplitRules;
  /** This thread's two split searches (the node built, its sibling), and the chunks' (shared with the worker). */
  private readonly mainSearches = new Float64Array(2 * SEARCH_WORDS);
  private readonly chunkSearches: Float64Array;
  private jobContext: JobContext | null = null;
  /** Whether the current tree shares work with the worker; the last {@link TIMED_TREES} tree times (ms) with and without. */
  private shareWork = true;
  private readonly sharedMs: number[] = [];
  private readonly soloMs: number[] = [];
  private treeCount = 0;
  /** When the current tree's work (its gradients, then its nodes) began. */
  private treeStart = performance.now();
  private worker: Worker | null = null;
  private ctrl: Int32Array | null = null;
  private errorText: Uint8Array | null = null;
  /** An error or exit the worker reported through its events (seen between boosting rounds). */
  private workerFailure: string | null = null;
  readonly importance: Float64Array;

  constructor(
    bins: Uint8Array,
    private readonly rows: number,
    private readonly cols: number,
    private readonly nBins: Int32Array,
    private readonly thresholds: Float64Array[],
    private readonly p: HistGradientBoostingParams,
    threads: number,
    y: Float64Array,
    outputs: number,
  ) {
    const parallel = threads > 1 && rows * cols >= 100_000 && cols >= 2 && fs.existsSync(HIST_WORKER_FILE);
    const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
      parallel ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    this.bins = new Uint8Array(alloc(bins.length));
    this.bins.set(bins);
    this.idx = new Int32Array(alloc(rows * 4));
    this.scratch = new Int32Array(rows);
    this.ghOrdered = new Float64Array(alloc(rows * 16));
    this.grad = new Float64Array(alloc(rows * 8));
    this.hess = new Float64Array(alloc(rows * 8));
    this.raw = new Float64Array(alloc(rows * outputs * 8));
    this.prob = new Float64Array(alloc(rows * outputs * 8));
    const target = new Float64Array(alloc(rows * 8));
    target.set(y);
    this.gradients = { raw: this.raw, prob: this.prob, y: target, grad: this.grad, hess: this.hess, outputs };
    this.histSize = cols * BINS * 3;
    const slots = p.maxLeafNodes + 1;
    this.store = new Float64Array(alloc(slots * this.histSize * 8));
    for (let q = slots - 1; q >= 0; q--) {
      const view = this.store.subarray(q * this.histSize, (q + 1) * this.histSize);
      this.slotOf.set(view, q);
      this.pool.push(view);
    }
    this.importance = new Float64Array(cols);
    this.rules = {
      minSamplesLeaf: p.minSamplesLeaf,
      l2Regularization: p.l2Regularization,
      minHessian: MIN_HESSIAN,
      nBins,
    };
    this.chunkSearches = new Float64Array(alloc(MAX_CHUNKS * 2 * SEARCH_WORDS * 8));
    this.inputs = {
      bins: this.bins,
      rows,
      cols,
      idx: this.idx,
      ghOrdered: this.ghOrdered,
    };
    if (parallel) {
      this.ctrl = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
      this.errorText = new Uint8Array(new SharedArrayBuffer(ERROR_TEXT_BYTES));
      const data: HistWorkerData = {
        bins: this.bins.buffer as SharedArrayBuffer,
        rows,
        cols,
        idx: this.idx.buffer as SharedArrayBuffer,
        grad: this.grad.buffer as SharedArrayBuffer,
        hess: this.hess.buffer as SharedArrayBuffer,
        ghOrdered: this.ghOrdered.buffer as SharedArrayBuffer,
        store: this.store.buffer as SharedArrayBuffer,
        histSize: this.histSize,
        rules: this.rules,
        searches: this.chunkSearches.buffer as SharedArrayBuffer,
        raw: this.raw.buffer as SharedArrayBuffer,
        prob: this.prob.buffer as SharedArrayBuffer,
        y: target.buffer as SharedArrayBuffer,
        outputs,
        ctrl: this.ctrl.buffer as SharedArrayBuffer,
        errorText: this.errorText.buffer as SharedArrayBuffer,
        fault: histWorkerTestHooks.fault,
      };
      this.jobContext = {
        inputs: this.inputs,
        gradients: this.gradients,
        store: this.store,
        histSize: this.histSize,
        rules: this.rules,
        searches: this.chunkSearches,
        ctrl: this.ctrl,
      };
      this.worker = new Worker(HIST_WORKER_FILE, { workerData: data });
      this.worker.on("error", (e: Error) => {
        this.workerFailure ??= e.message;
      });
      this.worker.on("exit", (code: number) => {
        if (code !== 0 && this.worker) this.workerFailure ??= `it exited with code ${code}`;
      });
      this.worker.unref();
    }
  }

  /** Stops the worker thread, if any. */
  async close(): Promise<void> {
    if (this.worker && this.ctrl) {
      const worker = this.worker;
      this.worker = null;
      Atomics.store(this.ctrl, CTRL.quit, 1);
      Atomics.add(this.ctrl, CTRL.seq, 1);
      Atomics.notify(this.ctrl, CTRL.seq);
      await worker.terminate();
    }
  }

  /** Throws the worker's failure, if it reported one (in shared memory or through its events). */
  private checkWorker(): void {
    const ctrl = this.ctrl as Int32Array;
    let reason: string | null = null;
    if (Atomics.load(ctrl, CTRL.error) === 1) {
      const length = Atomics.load(ctrl, CTRL.errorLength);
      reason = new TextDecoder().decode((this.errorText as Uint8Array).slice(0, length));
    } else if (this.workerFailure !== null) reason = this.workerFailure;
    else if (Atomics.load(ctrl, CTRL.dead) === 1) reason = "its thread exited";
    if (reason !== null) {
      throw new Error(
        `HistGradientBoosting: the histogram worker thread (nJobs > 1) failed: ${reason}. The fit was stopped; fit again with nJobs: 1 to run on one thread.`,
      );
    }
  }

  /**
   * Runs a job of `chunks` chunks (its words other than kind and chunks already stored): posts it, takes chunks until
   * none are left, then waits for the chunks the worker took. The main thread never waits for work nobody started.
   */
  private runJob(kind: number, chunks: number): void {
    const ctrl = this.ctrl as Int32Array;
    this.checkWorker();
    Atomics.store(ctrl, CTRL.kind, kind);
    Atomics.store(ctrl, CTRL.chunks, chunks);
    Atomics.store(ctrl, CTRL.finished, 0);
    const seq = Atomics.load(ctrl, CTRL.seq) + 1;
    Atomics.store(ctrl, CTRL.next, chunkWord(seq, chunks, 0));
    Atomics.store(ctrl, CTRL.seq, seq);
    Atomics.notify(ctrl, CTRL.seq);
    let mine = 0;
    for (let c = claimChunk(ctrl, seq); c >= 0; c = claimChunk(ctrl, seq)) {
      runChunk(this.jobContext as JobContext, c);
      mine++;
    }
    this.awaitWorker(chunks - mine);
  }

  /** Gradients and hessians of all rows for output k (in row chunks shared with the worker, when there is one). */
  computeGradients(loss: number, k: number): void {
    const { ctrl, rows } = this;
    if (ctrl && this.shareWork && Atomics.load(ctrl, CTRL.ready) === 1) {
      Atomics.store(ctrl, CTRL.start, 0);
      Atomics.store(ctrl, CTRL.end, rows);
      Atomics.store(ctrl, CTRL.slot, loss);
      Atomics.store(ctrl, CTRL.f0, k);
      this.runJob(JOB.gradients, GRADIENT_CHUNKS);
    } else lossGradients(this.gradients, loss, k, 0, rows);
  }

  /** Waits, in short slices, until the worker has finished `count` chunks of the current job; throws its failure. */
  private awaitWorker(count: number): void {
    const ctrl = this.ctrl as Int32Array;
    const t0 = Date.now();
    for (let spin = 0; ; spin++) {
      const finished = Atomics.load(ctrl, CTRL.finished);
      if (finished >= count) return;
      this.checkWorker();
      if (spin > 2000) {
        if (Date.now() - t0 > CLAIMED_LIMIT_MS) {
          throw new Error(
            `HistGradientBoosting: the histogram worker thread (nJobs > 1) did not finish its share of a node in ${CLAIMED_LIMIT_MS / 1000} s. The fit was stopped; fit again with nJobs: 1.`,
          );
        }
        Atomics.wait(ctrl, CTRL.finished, finished, WAIT_SLICE_MS);
      }
    }
  }

  /** A free histogram buffer (its contents are stale: {@link nodeHistograms} overwrites them). */
  private takeHist(): Float64Array {
    return this.pool.pop() as Float64Array;
  }

  /**
   * Writes the histograms of `node` (its rows idx[start, end)) into node.hist and finds its best split; when `sibling`
   * is given (holding the parent's histograms), subtracts node's from them, leaving the sibling's, and finds its split.
   * With the worker, the threads share this by chunks of features; the result is the same.
   */
  private expand(node: Leaf, sibling: Leaf | null): void {
    const { cols, idx, grad, hess, ghOrdered, ctrl } = this;
    const { start, end, hist } = node;
    const parent = sibling ? sibling.hist : null;
    const n = end - start;
    for (let s = 0; s < n; s++) {
      const i = idx[start + s];
      ghOrdered[2 * s] = grad[i];
      ghOrdered[2 * s + 1] = hess[i];
    }
    const main = this.mainSearches;
    searchInputs(this.p, node, main, 0);
    searchInputs(this.p, sibling, main, SEARCH_WORDS);
    if (ctrl && this.shareWork && n >= PARALLEL_MIN_ROWS && Atomics.load(ctrl, CTRL.ready) === 1) {
      // Both threads take chunks of a few features until none are left.
      const chunks = Math.min(MAX_CHUNKS, Math.ceil(cols / FEATURES_PER_CHUNK));
      const io = this.chunkSearches;
      for (let c = 0; c < chunks; c++) io.set(main, c * 2 * SEARCH_WORDS);
      Atomics.store(ctrl, CTRL.start, start);
      Atomics.store(ctrl, CTRL.end, end);
      Atomics.store(ctrl, CTRL.slot, this.slotOf.get(hist) as number);
      Atomics.store(ctrl, CTRL.parent, parent ? (this.slotOf.get(parent) as number) : -1);
      this.runJob(JOB.node, chunks);
      takeSplit(node, io, chunks, 0);
      if (sibling) takeSplit(sibling, io, chunks, SEARCH_WORDS);
    } else {
      nodeShare(this.inputs, start, end, hist, parent, 0, cols, this.rules, main);
      takeSplit(node, main, 1, 0);
      if (sibling) takeSplit(sibling, main, 1, SEARCH_WORDS);
    }
  }

  /** Grows one tree on gradients/hessians; adds its leaf values to `raw[i * stride + offset]` for training rows. */
  grow(raw: Float64Array, stride: number, offset: number): BoostedTree {
    const tree = this.growTree(raw, stride, offset);
    // Decide whether the next tree (its gradients and nodes) shares work with the worker.
    if (this.ctrl) {
      const times = this.shareWork ? this.sharedMs : this.soloMs;
      times.push(performance.now() - this.treeStart);
      if (times.length > TIMED_TREES) times.shift();
      this.treeCount++;
      const sharedFaster = this.soloMs.length === 0 ? false : median(this.sharedMs) <= median(this.soloMs);
      this.shareWork = this.treeCount % EXPLORE_EVERY === 0 ? !sharedFaster : sharedFaster;
    }
    this.treeStart = performance.now();
    return tree;
  }

  private growTree(raw: Float64Array, stride: number, offset: number): BoostedTree {
    const { p, rows, idx, bins, grad, hess } = this;
    for (let i = 0; i < rows; i++) idx[i] = i;
    const maxNodes = 2 * p.maxLeafNodes;
    const feature = new Int32Array(maxNodes).fill(-1);
    const threshold = new Float64Array(maxNodes);
    const left = new Int32Array(maxNodes);
    const right = new Int32Array(maxNodes);
    const value = new Float64Array(maxNodes);
    let nodeCount = 1;
    let sumG = 0;
    let sumH = 0;
    for (let i = 0; i < rows; i++) {
      sumG += grad[i];
      sumH += hess[i];
    }
    const root: Leaf = {
      node: 0,
      start: 0,
      end: rows,
      depth: 0,
      hist: this.takeHist(),
      sumG,
      sumH,
      gain: 0,
      feature: -1,
      bin: 0,
      leftG: 0,
      leftH: 0,
      leftN: 0,
    };
    this.expand(root, null);
    const leaves: Leaf[] = [root];
    let leafCount = 1;
    while (leafCount < p.maxLeafNodes) {
      let pick = -1;
      for (let q = 0; q < leaves.length; q++)
        if (leaves[q].feature >= 0 && (pick < 0 || leaves[q].gain > leaves[pick].gain)) pick = q;
      if (pick < 0) break;
      const leaf = leaves[pick];
      const mid = stablePartitionByBin(idx, this.scratch, bins, leaf.feature * rows, leaf.start, leaf.end, leaf.bin);
      const l = nodeCount++;
      const r = nodeCount++;
      feature[leaf.node] = leaf.feature;
      threshold[leaf.node] = this.thresholds[leaf.feature][leaf.bin];
      left[leaf.node] = l;
      right[leaf.node] = r;
      this.importance[leaf.feature] += leaf.gain;
      const leftLeaf: Leaf = {
        node: l,
        start: leaf.start,
        end: mid,
        depth: leaf.depth + 1,
        hist: leaf.hist,
        sumG: leaf.leftG,
        sumH: leaf.leftH,
        gain: 0,
        feature: -1,
        bin: 0,
        leftG: 0,
        leftH: 0,
        leftN: 0,
      };
      const rightLeaf: Leaf = {
        node: r,
        start: mid,
        end: leaf.end,
        depth: leaf.depth + 1,
        hist: leaf.hist,
        sumG: leaf.sumG - leaf.leftG,
        sumH: leaf.sumH - leaf.leftH,
        gain: 0,
        feature: -1,
        bin: 0,
        leftG: 0,
        leftH: 0,
        leftN: 0,
      };
      leaves.splice(pick, 1, leftLeaf, rightLeaf);
      leafCount++;
      if (leafCount < p.maxLeafNodes) {
        // Build the smaller child; the larger one is the parent minus it (in the parent's buffer).
        const [small, large] = mid - leaf.start <= leaf.end - mid ? [leftLeaf, rightLeaf] : [rightLeaf, leftLeaf];
        small.hist = this.takeHist();
        this.expand(small, large);
      }
    }
    const lambda = p.l2Regularization;
    const returned = new Set<Float64Array>();
    for (const leaf of leaves) {
      const v = -p.learningRate * (leaf.sumH + lambda > 0 ? leaf.sumG / (leaf.sumH + lambda) : 0);
      value[leaf.node] = v;
      for (let s = leaf.start; s < leaf.end; s++) raw[idx[s] * stride + offset] += v;
      if (!returned.has(leaf.hist)) {
        returned.add(leaf.hist);
        this.pool.push(leaf.hist);
      }
    }
    return {
      nodeCount,
      feature: feature.slice(0, nodeCount),
      threshold: threshold.slice(0, nodeCount),
      left: left.slice(0, nodeCount),
      right: right.slice(0, nodeCount),
      value: value.slice(0, nodeCount),
    };
  }
}
