/**
 * Shared machinery of the classical estimators: input checks, label encoding, a seeded random
 * generator, the estimator registry, and the base classes that implement the {@link Estimator} contract (with
 * atomic save; the file format is in model-files.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { FeatureInput, Matrix, TargetInput, toMatrix, toTargetArray } from "../data/matrix";
import {
  EncodedLabels as CoreEncodedLabels,
  FeatureCheck,
  asValidationError,
  checkClassificationTarget,
  checkFeatureMatrix,
  checkFeatureRows,
  checkFitted,
  checkPresent,
  checkRegressionTarget,
  checkScoringLabels,
} from "../core/validation";
import { digestOf } from "../core/integrity";
import { ModelState, SavedModelManifest, WEIGHTS_FILE, encodeState } from "./model-files";

export { WEIGHTS_FILE, readSavedModel } from "./model-files";
export type { ModelState, SavedModelManifest, StateValue } from "./model-files";
import { writeDirAtomically } from "../core/files";
import { accuracyOf, r2Of } from "../core/stats";
import { isTable } from "../core/table";
import type { Classifier, Clusterer, Estimator, EstimatorKind, FitOptions, Params, Regressor } from "./estimator";

/** Version of the on-disk model format written by {@link BaseEstimator.save}. */
export const MODEL_FORMAT_VERSION = 1;

/** The seed every fit uses when none is given (see {@link fitSeed}). */
export const DEFAULT_SEED = 0;

/** A label as estimators return it. */
export type Label = number | string;

import { SeededRandom } from "./random";
export { SeededRandom };

/**
 * The seed a fit uses. trainlab's one seed policy: every fit is deterministic. The seed is `fit(X, y, { seed })`,
 * else the model's own `seed` parameter where it has one, else {@link DEFAULT_SEED}. For a different random draw,
 * pass a different seed.
 */
export function fitSeed(options: FitOptions | undefined, paramSeed?: ParamSeed): number {
  return options?.seed ?? (typeof paramSeed === "number" ? paramSeed : DEFAULT_SEED);
}
type ParamSeed = Params[string] | undefined;

/**
 * Converts features for `where` (e.g. "SVC.fit") and checks them with lib/core/validation: present, 2-D, numeric,
 * finite, non-empty, and (after fit) the training column count. A table is read by `columns` when given.
 * @throws ValidationError naming the row and column.
 */
function featureMatrix(X: FeatureInput, where: string, check: FeatureCheck = {}, columns?: readonly string[]): Matrix {
  checkPresent(X, "X", where);
  checkFeatureRows(X, where);
  let m: Matrix;
  try {
    m = toMatrix(X, columns);
  } catch (err) {
    throw asValidationError(err, where);
  }
  checkFeatureMatrix(m, where, check);
  return m;
}

/**
 * Converts and checks training features.
 * @throws ValidationError when there are no samples, no features, or a value is not a finite number.
 */
export function trainingMatrix(X: FeatureInput, model: string): Matrix {
  return featureMatrix(X, `${model}.fit`);
}

function targetValuesOf(y: TargetInput | undefined, where: string): unknown[] {
  checkPresent(y, "y", where);
  try {
    return toTargetArray(y as TargetInput);
  } catch (err) {
    throw asValidationError(err, where);
  }
}

/**
 * Numeric regression target.
 * @throws ValidationError naming the first row that is not a finite number.
 */
export function numericTarget(y: TargetInput | undefined, rows: number, model: string, method = "fit"): Float64Array {
  const where = `${model}.${method}`;
  return checkRegressionTarget(targetValuesOf(y, where), rows, where);
}

/** Class labels encoded as 0..K-1 in sorted label order. */
export type EncodedLabels = CoreEncodedLabels;

/**
 * Encodes class labels as integer codes (classes sorted: numbers ascending, strings by code point).
 * @throws ValidationError on a missing, NaN or fractional label, mixed label types, or a single class.
 */
function encodeLabels(y: TargetInput | undefined, rows: number, model: string): EncodedLabels {
  const where = `${model}.fit`;
  return checkClassificationTarget(targetValuesOf(y, where), rows, where);
}

/**
 * Labels to score a classifier against: valid labels, one per row.
 * @throws ValidationError on a bad label or length mismatch.
 */
function scoringLabels(y: TargetInput, rows: number, model: string): Label[] {
  const where = `${model}.score`;
  return checkScoringLabels(targetValuesOf(y, where), rows, where);
}

/** Index of the largest value in `row[offset..offset+k)`. */
export function argmax(values: ArrayLike<number>, offset = 0, k = values.length): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let j = 0; j < k; j++) {
    if (values[offset + j] > bestValue) {
      bestValue = values[offset + j];
      best = j;
    }
  }
  return best;
}

/** In-place softmax over `k` values starting at `offset`. */
export function softmaxInPlace(values: Float64Array, offset: number, k: number): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, values[offset + j]);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp(values[offset + j] - max);
    values[offset + j] = e;
    sum += e;
  }
  for (let j = 0; j < k; j++) values[offset + j] /= sum;
}

/** Logistic sigmoid. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

// ---------------------------------------------------------------------------------------------
// Base classes.

/** A registry of classical model constructors by saved name, used by {@link loadModel}. */
const registry = new Map<string, (params: Params) => BaseEstimator<Params>>();

/** Registers a constructor so that {@link loadModel} can restore models saved under `name`. */
export function registerEstimator(name: string, make: (params: Params) => BaseEstimator<Params>): void {
  registry.set(name, make);
}

/** Names of the estimators `loadModel` can restore. */
export function registeredEstimators(): string[] {
  return Array.from(registry.keys()).sort();
}

/** Models saved in the trainlab-model format that are not BaseEstimators (the baselines) restore themselves. */
const restorers = new Map<string, (manifest: SavedModelManifest, state: ModelState) => Estimator>();

/** Registers a restore function for models saved under `name` that do not extend {@link BaseEstimator}. */
export function registerRestorer(
  name: string,
  restore: (manifest: SavedModelManifest, state: ModelState) => Estimator,
): void {
  restorers.set(name, restore);
}

/** Restores a model from a registered name, params and state. @throws Error on an unknown name. */
export function restoreEstimator(manifest: SavedModelManifest, state: ModelState): Estimator {
  const restore = restorers.get(manifest.name);
  if (restore) return restore(manifest, state);
  const make = registry.get(manifest.name);
  if (!make)
    throw new Error(
      `Unknown model "${manifest.name}". Known: ${[...registeredEstimators(), ...restorers.keys()].sort().join(", ")}.`,
    );
  const model = make(manifest.params);
  model.loadState(state);
  return model;
}

/**
 * Base of every classical estimator: plain-data params, the fitted flag, feature-shape checks and atomic save.
 * Subclasses implement `fit`, `predict`, `score`, `exportState` and `restoreState`.
 */
export abstract class BaseEstimator<P extends Params> implements Estimator<P> {
  abstract readonly name: string;
  abstract readonly kind: EstimatorKind;
  protected readonly params: P;
  protected isFitted = false;
  /** Number of features seen in fit. */
  protected nFeatures = 0;
  /** Feature names seen in fit, when X was a table. */
  protected featureNames: string[] | null = null;

  constructor(defaults: P, params: Partial<P> = {}) {
    const merged = { ...defaults } as Record<string, unknown>;
    for (const [key, value] of Object.entries(params)) {
      if (!(key in defaults))
        throw new Error(`Unknown parameter "${key}". Parameters: ${Object.keys(defaults).join(", ")}.`);
      if (value !== undefined) merged[key] = value;
    }
    this.params = merged as P;
    this.validateParams(this.params);
  }

  /** Checks hyperparameters. @throws Error naming the bad parameter. */
  protected validateParams(_params: P): void {}

  get fitted(): boolean {
    return this.isFitted;
  }

  getParams(): P {
    return JSON.parse(JSON.stringify(this.params)) as P;
  }

  withParams(params: Partial<P>): this {
    const Ctor = this.constructor as new (p: Partial<P>) => this;
    return new Ctor({ ...this.getParams(), ...params });
  }

  abstract fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this>;
  abstract predict(X: FeatureInput): Label[];
  abstract score(X: FeatureInput, y: TargetInput): number;

  /** The model's learned state (typed arrays are stored in weights.bin). */
  protected abstract exportState(): ModelState;
  /** Restores learned state written by `exportState`. @internal */
  abstract restoreState(state: ModelState): void;

  /** Records the feature shape of the training matrix. */
  protected rememberShape(m: Matrix): void {
    this.nFeatures = m.cols;
    this.featureNames = m.columns ? [...m.columns] : null;
  }

  /** @throws NotFittedError when the model is not fitted. */
  protected assertFitted(method: string): void {
    checkFitted(this.isFitted, this.name, method);
  }

  /**
   * Converts prediction input, checking it has the training features.
   * A table is read by the training column names (in training order).
   * @throws NotFittedError when unfitted; ValidationError on a column-count mismatch or a non-finite value.
   */
  protected inputMatrix(X: FeatureInput, method: string): Matrix {
    this.assertFitted(method);
    const where = `${this.name}.${method}`;
    const columns = isTable(X) && this.featureNames ? this.featureNames : undefined;
    return featureMatrix(X, where, { nFeatures: this.nFeatures, featureNames: this.featureNames }, columns);
  }

  /** Writes `model.json` (name, params, state) and `weights.bin` to `dir`, atomically. @throws Error when unfitted. */
  async save(dir: string): Promise<void> {
    this.assertFitted("save");
    const chunks: Buffer[] = [];
    const state = encodeState(
      { ...this.exportState(), nFeatures: this.nFeatures, featureNames: this.featureNames },
      chunks,
      { bytes: 0 },
    );
    const manifest: SavedModelManifest = {
      format: "trainlab-model",
      version: MODEL_FORMAT_VERSION,
      name: this.name,
      kind: this.kind,
      params: this.getParams(),
      state,
      savedAt: new Date().toISOString(),
    };
    const weights = Buffer.concat(chunks);
    manifest.weights = digestOf(WEIGHTS_FILE, weights);
    await writeDirAtomically(dir, (tmp) => {
      fs.writeFileSync(path.join(tmp, WEIGHTS_FILE), weights);
      fs.writeFileSync(path.join(tmp, "model.json"), JSON.stringify(manifest, null, 1));
    });
  }

  /** @internal Restores shape info, then the subclass state. */
  loadState(state: ModelState): void {
    this.nFeatures = state.nFeatures as number;
    this.featureNames = (state.featureNames as string[] | null) ?? null;
    this.restoreState(state);
    this.isFitted = true;
  }

  toString(): string {
    return `${this.name}(${Object.entries(this.params)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ")})`;
  }
}

/** Base of classifiers: label encoding, accuracy score, predict from probabilities. */
export abstract class BaseClassifier<P extends Params> extends BaseEstimator<P> implements Classifier<P> {
  readonly kind = "classifier" as const;
  protected classList: Label[] = [];

  get classes(): readonly Label[] {
    return this.classList;
  }

  /** Probabilities as a flat row-major rows × classes array. */
  protected abstract probaFlat(m: Matrix): Float64Array;

  predictProba(X: FeatureInput): number[][] {
    const m = this.inputMatrix(X, "predictProba");
    const p = this.probaFlat(m);
    const k = this.classList.length;
    const out: number[][] = [];
    for (let i = 0; i < m.rows; i++) out.push(Array.from(p.subarray(i * k, (i + 1) * k)));
    return out;
  }

  predict(X: FeatureInput): Label[] {
    const m = this.inputMatrix(X, "predict");
    const p = this.probaFlat(m);
    const k = this.classList.length;
    const out: Label[] = new Array(m.rows);
    for (let i = 0; i < m.rows; i++) out[i] = this.classList[argmax(p, i * k, k)];
    return out;
  }

  /** Accuracy on (X, y). @throws Error when unfitted or on a length mismatch. */
  score(X: FeatureInput, y: TargetInput): number {
    const predicted = this.predict(X);
    return accuracyOf<Label>(scoringLabels(y, predicted.length, this.name), predicted);
  }

  protected encode(y: TargetInput | undefined, rows: number): Int32Array {
    const { classes, codes } = encodeLabels(y, rows, this.name);
    this.classList = classes;
    return codes;
  }

  override loadState(state: ModelState): void {
    this.classList = state.classes as Label[];
    super.loadState(state);
  }

  /** State common to classifiers; subclasses spread it into exportState. */
  protected classifierState(): ModelState {
    return { classes: this.classList };
  }
}

/** Base of regressors: R² score. */
export abstract class BaseRegressor<P extends Params> extends BaseEstimator<P> implements Regressor<P> {
  readonly kind = "regressor" as const;
  protected abstract predictFlat(m: Matrix): Float64Array;

  predict(X: FeatureInput): number[] {
    return Array.from(this.predictFlat(this.inputMatrix(X, "predict")));
  }

  /** R² on (X, y). @throws Error when unfitted, on a length mismatch or non-numeric y. */
  score(X: FeatureInput, y: TargetInput): number {
    const m = this.inputMatrix(X, "score");
    return r2Of(numericTarget(y, m.rows, this.name, "score"), this.predictFlat(m));
  }
}

/** Base of clusterers: fitPredict, and score = minus the within-cluster sum of squares (higher is better). */
export abstract class BaseClusterer<P extends Params> extends BaseEstimator<P> implements Clusterer<P> {
  readonly kind = "clusterer" as const;
  protected abstract labelsOfTraining(): Int32Array;
  abstract transform(X: FeatureInput): number[][];
  abstract override predict(X: FeatureInput): number[];

  async fitPredict(X: FeatureInput, options?: FitOptions): Promise<number[]> {
    await this.fit(X, undefined, options);
    return Array.from(this.labelsOfTraining());
  }
}
