/** Hyperparameters of the histogram gradient boosting models, their defaults and their checks. */

/** Hyperparameters of the histogram gradient boosting models. */
export interface HistGradientBoostingParams {
  [key: string]: number | string | boolean | null;
  /** Boosting rounds (trees per class). */
  maxIter: number;
  learningRate: number;
  /** Leaves per tree (leaf-wise growth). */
  maxLeafNodes: number;
  /** Maximum depth; null for none. */
  maxDepth: number | null;
  minSamplesLeaf: number;
  /** L2 penalty on leaf values. */
  l2Regularization: number;
  /** Bins per feature (2..255). */
  maxBins: number;
  /**
   * "auto" (on above 10,000 rows), true or false: hold out `validationFraction` of the rows and stop when none of the
   * last `nIterNoChange` rounds lowered the validation loss by more than `tol` below the loss before them (scikit-learn's rule).
   */
  earlyStopping: boolean | "auto";
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
  /**
   * Threads: 2 adds a worker thread (on data of 100,000+ cells) that shares every node of 64+ rows (histograms,
   * subtraction, split search, a few features at a time) and the gradients; it takes what it gets to, so a busy second
   * core costs little. Results are identical whatever the value.
   */
  nJobs: number;
}

/** scikit-learn's defaults. */
export const GB_DEFAULTS: HistGradientBoostingParams = {
  maxIter: 100,
  learningRate: 0.1,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  earlyStopping: "auto",
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7,
  nJobs: 1,
};

/** @throws Error naming the model and the parameter when a value is out of range. */
export function checkParams(name: string, p: HistGradientBoostingParams): void {
  if (!(Number.isInteger(p.maxIter) && p.maxIter >= 1))
    throw new Error(`${name}: maxIter must be an integer >= 1 (got ${p.maxIter}).`);
  if (!(p.learningRate > 0)) throw new Error(`${name}: learningRate must be > 0 (got ${p.learningRate}).`);
  if (!(p.maxLeafNodes >= 2)) throw new Error(`${name}: maxLeafNodes must be >= 2 (got ${p.maxLeafNodes}).`);
  if (p.maxDepth !== null && !(p.maxDepth >= 1))
    throw new Error(`${name}: maxDepth must be >= 1 or null (got ${p.maxDepth}).`);
  if (!(p.minSamplesLeaf >= 1)) throw new Error(`${name}: minSamplesLeaf must be >= 1 (got ${p.minSamplesLeaf}).`);
  if (!(p.l2Regularization >= 0))
    throw new Error(`${name}: l2Regularization must be >= 0 (got ${p.l2Regularization}).`);
  if (!(p.maxBins >= 2 && p.maxBins <= 255)) throw new Error(`${name}: maxBins must be in 2..255 (got ${p.maxBins}).`);
  if (!(Number.isInteger(p.nJobs) && p.nJobs >= 1))
    throw new Error(`${name}: nJobs must be an integer >= 1 (got ${p.nJobs}).`);
  if (!(p.validationFraction > 0 && p.validationFraction < 1))
    throw new Error(`${name}: validationFraction must be in (0, 1) (got ${p.validationFraction}).`);
}
