/**
 * The one estimator contract shared by classical and tfjs models (scikit-learn's, in TypeScript).
 *
 * - `fit` learns state from the training data only, and returns the estimator.
 * - `predict` (and `predictProba` for classifiers, `transform` for clusterers) apply it.
 * - Hyperparameters are plain JSON data: `getParams()` reads them, `withParams()` returns an
 *   unfitted copy with some changed. That is what cross-validation and search build on.
 * - `save(dir)` writes weights plus JSON atomically; each model module exports a matching `load`.
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { ReadonlyJsonValue } from "../core/json";

/** JSON-serializable hyperparameter values. */
export type ParamValue = ReadonlyJsonValue;

/** Hyperparameters: plain data. */
export type Params = Record<string, ParamValue>;

/** The kind of problem an estimator solves. */
export type EstimatorKind = "classifier" | "regressor" | "clusterer";

/** Options every `fit` accepts. */
export interface FitOptions {
  /** Seed for every random choice the fit makes; the same seed gives the same model. Default: the model's `seed` param, else 0. */
  seed?: number;
  /** Stops the fit early (e.g. on a kernel interrupt); the model stays usable. */
  signal?: AbortSignal;
}

/** What every trainlab model implements. */
export interface Estimator<P extends Params = Params> {
  /** A short stable name, e.g. "LogisticRegression". */
  readonly name: string;
  readonly kind: EstimatorKind;
  /** True once `fit` has completed. */
  readonly fitted: boolean;
  /** The hyperparameters, as plain data. */
  getParams(): P;
  /** An unfitted copy with some hyperparameters changed. @throws Error on an unknown parameter name. */
  withParams(params: Partial<P>): Estimator<P>;
  /**
   * Learns from training data.
   * @throws ValidationError (lib/core/validation) on wrong shapes, NaN/null, an empty set, an X/y length mismatch,
   * invalid class labels or a single class (classifiers).
   */
  fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this>;
  /** Predictions: class labels (classifiers), values (regressors) or cluster ids (clusterers). @throws NotFittedError when unfitted, ValidationError on bad X. */
  predict(X: FeatureInput): (number | string)[];
  /** Default score: accuracy (classifiers, labels compared with ===), R² (regressors). @throws NotFittedError when unfitted, ValidationError on bad X or y. */
  score(X: FeatureInput, y: TargetInput): number;
  /** Writes the fitted model (params, state, weights with their length and checksum) to `dir`, atomically. @throws NotFittedError when unfitted. */
  save(dir: string): Promise<void>;
}

/** A classifier also gives class probabilities, one column per class in `classes` order. */
export interface Classifier<P extends Params = Params> extends Estimator<P> {
  readonly kind: "classifier";
  /** The sorted class labels seen in `fit`. */
  readonly classes: readonly (number | string)[];
  /** Probabilities, rows × classes. @throws Error when unfitted. */
  predictProba(X: FeatureInput): number[][];
}

/** A regressor predicts numbers. */
export interface Regressor<P extends Params = Params> extends Estimator<P> {
  readonly kind: "regressor";
  predict(X: FeatureInput): number[];
}

/** A clusterer groups samples without labels. */
export interface Clusterer<P extends Params = Params> extends Estimator<P> {
  readonly kind: "clusterer";
  /** Fits and returns the cluster of each training sample. */
  fitPredict(X: FeatureInput, options?: FitOptions): Promise<number[]>;
  /** Distances to each cluster centre (k-means) or another embedding. */
  transform(X: FeatureInput): number[][];
  predict(X: FeatureInput): number[];
}

/** Models that rank their inputs (trees and ensembles). */
export interface HasFeatureImportances {
  /** One non-negative weight per feature, summing to 1. @throws Error when unfitted. */
  featureImportances(): number[];
}

/** True when `model` is a classifier. */
export function isClassifier(model: Estimator): model is Classifier {
  return model.kind === "classifier";
}

/** The property that marks a function as an estimator factory (e.g. `mlp`), for {@link discoverEstimators}. */
export const ESTIMATOR_FACTORY: unique symbol = Symbol.for("trainlab.estimatorFactory") as never;

/** A function that builds an unfitted estimator from partial params, marked with the param variants it covers. */
export type EstimatorFactory = ((params?: Params) => Estimator) & { [ESTIMATOR_FACTORY]?: readonly Params[] };

/**
 * Marks `factory` as an estimator factory; `variants` are the params that select each kind it builds
 * (e.g. `[{ task: "classification" }, { task: "regression" }]`). Returns the factory.
 */
export function markEstimatorFactory<F extends (...args: never[]) => Estimator>(
  factory: F,
  variants: readonly Params[] = [{}],
): F {
  Object.defineProperty(factory, ESTIMATOR_FACTORY, { value: variants, enumerable: false });
  return factory;
}
