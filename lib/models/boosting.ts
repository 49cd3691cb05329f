/**
 * Histogram-based gradient boosting (like LightGBM and scikit-learn's HistGradientBoosting):
 * features pre-binned to uint8, leaf-wise (best-first) trees grown on gradient/hessian histograms,
 * the larger child's histogram obtained by subtraction, shrinkage and L2 on leaf values.
 * Log loss for binary classification, softmax (one tree per class per round) for multiclass,
 * squared error for regression. Optional early stopping on a held-out validation fraction.
 */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions, HasFeatureImportances } from "./estimator";
import {
  BaseClassifier,
  BaseRegressor,
  ModelState,
  fitSeed,
  numericTarget,
  registerEstimator,
  sigmoid,
  softmaxInPlace,
  trainingMatrix,
} from "./base";
import { GB_DEFAULTS, HistGradientBoostingParams, checkParams } from "./boosting-params";
import type { BoostedTree } from "./hist-grower";
import { BoostResult, boost, rawScores, treesState } from "./boosting-loop";

export type { HistGradientBoostingParams } from "./boosting-params";
export type { BoostedTree } from "./hist-grower";
export { histWorkerTestHooks } from "./hist-grower";
export { shouldStop } from "./boosting-loop";

/** Per-round training and validation loss of a boosting fit (filled when early stopping is on). */
export type BoostingHistory = {
  trainLoss: number[];
  validationLoss: number[];
};

/** What a fitted boosting model holds, the same for the classifier and the regressor: each keeps one. */
class BoostedEnsemble {
  baseline: Float64Array = new Float64Array(0);
  trees: BoostedTree[][] = [];
  importances: number[] = [];
  history: BoostingHistory = { trainLoss: [], validationLoss: [] };

  /** Takes the fitted trees of a boosting run. */
  adopt(result: BoostResult): void {
    this.baseline = result.baseline;
    this.trees = result.trees;
    this.importances = result.importance;
    this.history = { trainLoss: result.trainLoss, validationLoss: result.validationLoss };
  }
  /** Raw scores (one per row and output) of the rows of `m`. */
  raw(m: Matrix): Float64Array {
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
 */
export class HistGradientBoostingClassifier
  extends BaseClassifier<HistGradientBoostingParams>
  implements HasFeatureImportances
{
  readonly name = "HistGradientBoostingClassifier";
  private readonly ensemble = new BoostedEnsemble();

  constructor(params: Partial<HistGradientBoostingParams> = {}) {
    super(GB_DEFAULTS, params);
  }
  protected override validateParams(p: HistGradientBoostingParams): void {
    checkParams("HistGradientBoostingClassifier", p);
  }

  /** Per-round training and validation loss (filled when early stopping is on). */
  get history(): BoostingHistory {
    return this.ensemble.history;
  }

  /** Boosting rounds actually run (fewer than maxIter after early stopping or an abort). */
  get nIter(): number {
    return this.ensemble.trees.length;
  }

  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const codes = this.encode(y, m.rows);
    this.rememberShape(m);
    this.ensemble.adopt(
      await boost(
        m,
        Float64Array.from(codes),
        this.classList.length,
        "log_loss",
        this.params,
        fitSeed(options),
        options?.signal,
      ),
    );
    this.isFitted = true;
    return this;
  }

  /** Normalized total split gain per feature. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.ensemble.importances];
  }

  protected probaFlat(m: Matrix): Float64Array {
    const raw = this.ensemble.raw(m);
    const K = this.classList.length;
    if (K === 2) {
      const out = new Float64Array(m.rows * 2);
      for (let i = 0; i < m.rows; i++) {
        const q = sigmoid(raw[i]);
        out[i * 2] = 1 - q;
        out[i * 2 + 1] = q;
      }
      return out;
    }
    for (let i = 0; i < m.rows; i++) softmaxInPlace(raw, i * K, K);
    return raw;
  }

  protected exportState(): ModelState {
    return { ...this.classifierState(), ...this.ensemble.state() };
  }
  restoreState(state: ModelState): void {
    this.ensemble.restore(state);
  }
}

/** Histogram gradient boosting regressor (squared error), like scikit-learn's HistGradientBoostingRegressor. */
export class HistGradientBoostingRegressor
  extends BaseRegressor<HistGradientBoostingParams>
  implements HasFeatureImportances
{
  readonly name = "HistGradientBoostingRegressor";
  private readonly ensemble = new BoostedEnsemble();

  constructor(params: Partial<HistGradientBoostingParams> = {}) {
    super(GB_DEFAULTS, params);
  }
  protected override validateParams(p: HistGradientBoostingParams): void {
    checkParams("HistGradientBoostingRegressor", p);
  }

  /** Per-round training and validation loss (filled when early stopping is on). */
  get history(): BoostingHistory {
    return this.ensemble.history;
  }

  /** Boosting rounds actually run. */
  get nIter(): number {
    return this.ensemble.trees.length;
  }

  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const target = numericTarget(y, m.rows, this.name);
    this.rememberShape(m);
    this.ensemble.adopt(await boost(m, target, 0, "squared_error", this.params, fitSeed(options), options?.signal));
    this.isFitted = true;
    return this;
  }

  /** Normalized total split gain per feature. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.ensemble.importances];
  }

  protected predictFlat(m: Matrix): Float64Array {
    return this.ensemble.raw(m);
  }

  protected exportState(): ModelState {
    return this.ensemble.state();
  }
  restoreState(state: ModelState): void {
    this.ensemble.restore(state);
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
