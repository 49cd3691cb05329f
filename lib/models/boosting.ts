/**
 * Histogram-based gradient boosting (like LightGBM and scikit-learn's HistGradientBoosting):
 * features pre-binned to uint8, leaf-wise (best-first) trees grown on gradient/hessian histograms,
 * the larger child's histogram obtained by subtraction, shrinkage and L2 on leaf values.
 * Log loss for binary classification, softmax (one tree per class per round) for multiclass,
 * squared error for regression. Optional early stopping on a held-out validation fraction.
 */
import type { Matrix } from "../data/matrix";
import { ModelState, registerEstimator, sigmoid, softmaxInPlace } from "./base";
import { CoreClassifier, CoreRegressor, CoreTarget, ModelCore } from "./model-core";
import { GB_DEFAULTS, HistGradientBoostingParams, checkParams } from "./boosting-params";
import type { BoostedTree } from "./hist-grower";
import { boost, rawScores, treesState } from "./boosting-loop";

export type { HistGradientBoostingParams } from "./boosting-params";
export type { BoostedTree } from "./hist-grower";
export { histWorkerTestHooks } from "./hist-grower";
export { shouldStop } from "./boosting-loop";

/** Per-round training and validation loss of a boosting fit (filled when early stopping is on). */
export type BoostingHistory = {
  trainLoss: number[];
  validationLoss: number[];
};

/**
 * What a fitted boosting model holds and does, the same for the classifier and the regressor (each keeps one): the
 * baseline and trees, importances and per-round losses, raw scores and the probabilities or values they give.
 */
class BoostedEnsemble implements ModelCore<HistGradientBoostingParams> {
  baseline: Float64Array = new Float64Array(0);
  trees: BoostedTree[][] = [];
  importances: number[] = [];
  history: BoostingHistory = { trainLoss: [], validationLoss: [] };

  /** Boosts on class codes (log loss) or targets (squared error); an aborted `signal` keeps the rounds run so far. */
  async fit(
    m: Matrix,
    t: CoreTarget,
    p: HistGradientBoostingParams,
    seed: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const result =
      "codes" in t
        ? await boost(m, Float64Array.from(t.codes), t.nClasses, "log_loss", p, seed, signal)
        : await boost(m, t.target, 0, "squared_error", p, seed, signal);
    this.baseline = result.baseline;
    this.trees = result.trees;
    this.importances = result.importance;
    this.history = { trainLoss: result.trainLoss, validationLoss: result.validationLoss };
  }

  /** Class probabilities: the sigmoid of the raw score (two classes), else the softmax of the K raw scores. */
  probabilities(m: Matrix, nClasses: number): Float64Array {
    const raw = rawScores(m, this.baseline, this.trees);
    if (nClasses === 2) {
      const out = new Float64Array(m.rows * 2);
      for (let i = 0; i < m.rows; i++) {
        const q = sigmoid(raw[i]);
        out[i * 2] = 1 - q;
        out[i * 2 + 1] = q;
      }
      return out;
    }
    for (let i = 0; i < m.rows; i++) softmaxInPlace(raw, i * nClasses, nClasses);
    return raw;
  }
  /** Regression values: the raw scores. */
  values(m: Matrix): Float64Array {
    return rawScores(m, this.baseline, this.trees);
  }

  state(): ModelState {
    return {
      baseline: this.baseline,
      trees: treesState(this.trees),
      importances: this.importances,
      history: this.history,
    };
  }
  restore(state: ModelState): void {
    this.baseline = state.baseline as Float64Array;
    this.trees = state.trees as unknown as BoostedTree[][];
    this.importances = state.importances as number[];
    this.history = state.history as unknown as BoostingHistory;
  }
}

/**
 * Histogram gradient boosting classifier (log loss; softmax for more than two classes).
 * Like scikit-learn's HistGradientBoostingClassifier; early stopping is "auto" (on above 10,000 rows).
 * Importances are the normalized total split gain per feature; an aborted fit keeps the rounds run so far.
 */
export class HistGradientBoostingClassifier extends CoreClassifier<HistGradientBoostingParams, BoostedEnsemble> {
  readonly name = "HistGradientBoostingClassifier";
  protected readonly core = new BoostedEnsemble();

  constructor(params: Partial<HistGradientBoostingParams> = {}) {
    super(GB_DEFAULTS, params);
  }
  protected override validateParams(p: HistGradientBoostingParams): void {
    checkParams("HistGradientBoostingClassifier", p);
  }

  /** Per-round training and validation loss (filled when early stopping is on). */
  get history(): BoostingHistory {
    return this.core.history;
  }

  /** Boosting rounds actually run (fewer than maxIter after early stopping or an abort). */
  get nIter(): number {
    return this.core.trees.length;
  }
}

/**
 * Histogram gradient boosting regressor (squared error), like scikit-learn's HistGradientBoostingRegressor.
 * Importances are the normalized total split gain per feature; an aborted fit keeps the rounds run so far.
 */
export class HistGradientBoostingRegressor extends CoreRegressor<HistGradientBoostingParams, BoostedEnsemble> {
  readonly name = "HistGradientBoostingRegressor";
  protected readonly core = new BoostedEnsemble();

  constructor(params: Partial<HistGradientBoostingParams> = {}) {
    super(GB_DEFAULTS, params);
  }
  protected override validateParams(p: HistGradientBoostingParams): void {
    checkParams("HistGradientBoostingRegressor", p);
  }

  /** Per-round training and validation loss (filled when early stopping is on). */
  get history(): BoostingHistory {
    return this.core.history;
  }

  /** Boosting rounds actually run. */
  get nIter(): number {
    return this.core.trees.length;
  }
}

registerEstimator(
  "HistGradientBoostingClassifier",
  (p) => new HistGradientBoostingClassifier(p as Partial<HistGradientBoostingParams>),
);
registerEstimator(
  "HistGradientBoostingRegressor",
  (p) => new HistGradientBoostingRegressor(p as Partial<HistGradientBoostingParams>),
);
