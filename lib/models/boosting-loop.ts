/** The boosting loop shared by the classifier and the regressor, scikit-learn's early-stopping rule, raw scores of a fitted ensemble. */
import type { Matrix } from "../data/matrix";
import { SeededRandom, StateValue, softmaxInPlace } from "./base";
import { binMatrix, fitBinThresholds } from "./binning";
import { normalizeImportance } from "./cart";
import { LOSS } from "./hist";
import type { HistGradientBoostingParams } from "./boosting-params";
import { BoostedTree, HistTreeGrower, treeValue } from "./hist-grower";
import { mean } from "../core/stats";

/** The loss a model boosts. */
export type Loss = "log_loss" | "squared_error";

/**
 * scikit-learn's early-stopping rule (`_should_stop`): stop when none of the last `nIterNoChange` scores improved on
 * the score just before them (the reference) by more than `tol`. `scores` are higher-is-better, the first one of the
 * baseline model; nothing stops before `nIterNoChange` rounds have run.
 */
export function shouldStop(scores: readonly number[], nIterNoChange: number, tol: number): boolean {
  const referencePosition = nIterNoChange + 1;
  if (scores.length < referencePosition) return false;
  const reference = scores[scores.length - referencePosition] + tol;
  for (let q = scores.length - referencePosition + 1; q < scores.length; q++) if (scores[q] > reference) return false;
  return true;
}

/** What a boosting run learned: the baseline raw scores, the trees per round, importances and per-round losses. */
export interface BoostResult {
  baseline: Float64Array;
  trees: BoostedTree[][];
  importance: number[];
  trainLoss: number[];
  validationLoss: number[];
}

/** The boosting loop shared by classifier and regressor. `y` holds class codes or targets. */
export async function boost(
  m: Matrix,
  y: Float64Array,
  K: number,
  loss: Loss,
  p: HistGradientBoostingParams,
  seed: number,
  signal?: AbortSignal,
): Promise<BoostResult> {
  const outputs = loss === "log_loss" && K > 2 ? K : 1;
  const early = p.earlyStopping === "auto" ? m.rows > 10000 : p.earlyStopping;
  // Split off a validation set (stratified by shuffling within classes for classification).
  let trainRows: Int32Array;
  let validRows: Int32Array = new Int32Array(0);
  if (early) {
    const rng = new SeededRandom(seed ^ 0x2545f491);
    const order = Int32Array.from({ length: m.rows }, (_, i) => i);
    for (let i = m.rows - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    const nValid = Math.max(1, Math.floor(m.rows * p.validationFraction));
    validRows = order.slice(0, nValid).sort();
    trainRows = order.slice(nValid).sort();
  } else trainRows = Int32Array.from({ length: m.rows }, (_, i) => i);
  const n = trainRows.length;
  const d = m.cols;
  const Xtr: Matrix = { data: new Float64Array(n * d), rows: n, cols: d };
  const ytr = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    Xtr.data.set(m.data.subarray(trainRows[r] * d, (trainRows[r] + 1) * d), r * d);
    ytr[r] = y[trainRows[r]];
  }
  const thresholds = fitBinThresholds(Xtr, p.maxBins);
  const binned = binMatrix(Xtr, thresholds);
  const nBins = Int32Array.from(thresholds, (t) => t.length + 1);
  const grower = new HistTreeGrower(binned.bins, n, d, nBins, thresholds, p, p.nJobs, ytr, outputs);
  try {
    // Baseline: log-odds of the prior (binary), log priors (multiclass), mean (regression).
    const baseline = new Float64Array(outputs);
    if (loss === "squared_error") baseline[0] = mean(ytr);
    else if (outputs === 1) {
      const pos = mean(ytr);
      const q = Math.min(Math.max(pos, 1e-12), 1 - 1e-12);
      baseline[0] = Math.log(q / (1 - q));
    } else {
      const counts = new Float64Array(K);
      for (let i = 0; i < n; i++) counts[ytr[i]]++;
      for (let k = 0; k < K; k++) baseline[k] = Math.log(Math.max(counts[k] / n, 1e-12));
    }
    const raw = grower.raw;
    for (let i = 0; i < n; i++) raw.set(baseline, i * outputs);
    const nValid = validRows.length;
    const rawValid = new Float64Array(nValid * outputs);
    for (let i = 0; i < nValid; i++) rawValid.set(baseline, i * outputs);
    const prob = grower.prob;
    const lossCode = loss === "squared_error" ? LOSS.squaredError : outputs === 1 ? LOSS.binaryLogLoss : LOSS.softmax;
    const trees: BoostedTree[][] = [];
    const trainLoss: number[] = [];
    const validationLoss: number[] = [];

    const lossOf = (scores: Float64Array, rowsOf: (i: number) => number, count: number): number => {
      let total = 0;
      for (let i = 0; i < count; i++) {
        const t = y[rowsOf(i)];
        if (loss === "squared_error") total += 0.5 * (scores[i] - t) ** 2;
        else if (outputs === 1) {
          const z = scores[i];
          const yz = t === 1 ? z : -z;
          total += yz > 0 ? Math.log1p(Math.exp(-yz)) : -yz + Math.log1p(Math.exp(yz));
        } else {
          let max = -Infinity;
          for (let k = 0; k < outputs; k++) max = Math.max(max, scores[i * outputs + k]);
          let sum = 0;
          for (let k = 0; k < outputs; k++) sum += Math.exp(scores[i * outputs + k] - max);
          total += Math.log(sum) + max - scores[i * outputs + t];
        }
      }
      return total / Math.max(1, count);
    };

    // Validation scores (negative losses), the first one of the baseline model, as scikit-learn keeps them.
    const scores: number[] = early ? [-lossOf(rawValid, (i) => validRows[i], nValid)] : [];
    for (let iter = 0; iter < p.maxIter; iter++) {
      if (signal?.aborted) break;
      if (outputs > 1) {
        prob.set(raw);
        for (let i = 0; i < n; i++) softmaxInPlace(prob, i * outputs, outputs);
      }
      const round: BoostedTree[] = [];
      for (let k = 0; k < outputs; k++) {
        grower.computeGradients(lossCode, k);
        const tree = grower.grow(raw, outputs, k);
        round.push(tree);
        for (let v = 0; v < nValid; v++) rawValid[v * outputs + k] += treeValue(tree, m.data, validRows[v] * d);
      }
      trees.push(round);
      if (early) {
        trainLoss.push(lossOf(raw, (i) => trainRows[i], n));
        const vl = lossOf(rawValid, (i) => validRows[i], nValid);
        validationLoss.push(vl);
        scores.push(-vl);
        if (shouldStop(scores, p.nIterNoChange, p.tol)) break;
      }
      // Let the event loop run between rounds: interrupts and worker errors arrive there.
      await new Promise((r) => setImmediate(r));
    }
    if (trees.length === 0) throw new Error("The fit was interrupted before the first boosting round.");
    return { baseline, trees, importance: normalizeImportance(grower.importance), trainLoss, validationLoss };
  } finally {
    await grower.close();
  }
}

/** Raw scores (`baseline.length` per row) of an ensemble on the rows of `m`. */
export function rawScores(m: Matrix, baseline: Float64Array, trees: BoostedTree[][]): Float64Array {
  const outputs = baseline.length;
  const raw = new Float64Array(m.rows * outputs);
  for (let i = 0; i < m.rows; i++) raw.set(baseline, i * outputs);
  for (const round of trees) {
    for (let k = 0; k < outputs; k++) {
      const tree = round[k];
      for (let i = 0; i < m.rows; i++) raw[i * outputs + k] += treeValue(tree, m.data, i * m.cols);
    }
  }
  return raw;
}

/** The trees as saved state. */
export function treesState(trees: BoostedTree[][]): StateValue {
  return trees.map((round) => round.map((t) => ({ ...t }) as unknown as StateValue));
}
