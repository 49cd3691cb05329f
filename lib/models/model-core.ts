/**
 * The classifier and the regressor built around a learned core (the decision trees, the random forests, histogram
 * gradient boosting): the core learns from class codes or targets and gives probabilities or values; these two bases
 * do the estimator plumbing (input checks, fit, feature importances, saved state) once for every such model.
 */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions, HasFeatureImportances, Params } from "./estimator";
import { BaseClassifier, BaseRegressor, ModelState, fitSeed, numericTarget, trainingMatrix } from "./base";

/** What a core learns from: class codes (0..nClasses-1) and the class count, or regression targets. */
export type CoreTarget = { codes: Int32Array; nClasses: number } | { target: Float64Array };

/** The learned part of a model, the same for its classifier and its regressor. */
export interface ModelCore<P extends Params> {
  /** Normalized importance per feature (sums to 1). */
  readonly importances: number[];
  /** Learns from the rows of `m`; an aborted `signal` keeps what was learned so far where the core can. */
  fit(m: Matrix, target: CoreTarget, params: P, seed: number, signal?: AbortSignal): Promise<void> | void;
  /** Class probabilities, rows × `nClasses`, flat and row-major. */
  probabilities(m: Matrix, nClasses: number): Float64Array;
  /** One regression value per row. */
  values(m: Matrix): Float64Array;
  /** The learned state, for save. */
  state(): ModelState;
  /** Restores what {@link state} gave. */
  restore(state: ModelState): void;
}

/**
 * A classifier whose learned part is a {@link ModelCore} (fit on class codes, probabilities from the core).
 * Subclasses give the core, the name, the defaults and the params check.
 */
export abstract class CoreClassifier<P extends Params, C extends ModelCore<P>>
  extends BaseClassifier<P>
  implements HasFeatureImportances
{
  protected abstract readonly core: C;

  /**
   * Fits on X and the class labels y; an aborted `signal` keeps what was learned so far (forests, boosting).
   * @throws ValidationError on bad X or y, Error when aborted before anything was learned.
   */
  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const codes = this.encode(y, m.rows);
    this.rememberShape(m);
    await this.core.fit(m, { codes, nClasses: this.classList.length }, this.params, fitSeed(options), options?.signal);
    this.isFitted = true;
    return this;
  }

  /** Normalized total impurity decrease (Gini for trees, split gain for boosting) per feature. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.core.importances];
  }

  protected probaFlat(m: Matrix): Float64Array {
    return this.core.probabilities(m, this.classList.length);
  }

  protected exportState(): ModelState {
    return { ...this.classifierState(), ...this.core.state() };
  }
  restoreState(state: ModelState): void {
    this.core.restore(state);
  }
}

/**
 * A regressor whose learned part is a {@link ModelCore} (fit on numeric targets, values from the core).
 * Subclasses give the core, the name, the defaults and the params check.
 */
export abstract class CoreRegressor<P extends Params, C extends ModelCore<P>>
  extends BaseRegressor<P>
  implements HasFeatureImportances
{
  protected abstract readonly core: C;

  /**
   * Fits on X and the numeric targets y; an aborted `signal` keeps what was learned so far (forests, boosting).
   * @throws ValidationError on bad X or y, Error when aborted before anything was learned.
   */
  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const target = numericTarget(y, m.rows, this.name);
    this.rememberShape(m);
    await this.core.fit(m, { target }, this.params, fitSeed(options), options?.signal);
    this.isFitted = true;
    return this;
  }

  /** Normalized total impurity decrease (squared error for trees, split gain for boosting) per feature. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.core.importances];
  }

  protected predictFlat(m: Matrix): Float64Array {
    return this.core.values(m);
  }

  protected exportState(): ModelState {
    return this.core.state();
  }
  restoreState(state: ModelState): void {
    this.core.restore(state);
  }
}
