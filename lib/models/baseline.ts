/**
 * Baselines every model is compared with: the majority class (classification) and the mean (regression),
 * scikit-learn's DummyClassifier(strategy="prior") and DummyRegressor(strategy="mean").
 * They follow the estimator contract: inputs are checked by lib/core/validation, and `save` writes the same
 * `model.json` format as the classical models, so `loadModel` restores them.
 */
import * as fs from "fs";
import type { FeatureInput, TargetInput } from "../data/matrix";
import { toMatrix, toTargetArray } from "../data/matrix";
import type { Classifier, FitOptions, Params, Regressor } from "./estimator";
import { MODEL_FORMAT_VERSION, ModelState, SavedModelManifest, registerRestorer } from "./base";
import { writeDirAtomically } from "../core/files";
import { accuracyOf, mean, r2Of } from "../core/stats";
import {
  ValidationError,
  asValidationError,
  checkClassificationTarget,
  checkFeatureRows,
  checkConsistentLength,
  checkFitted,
  checkPresent,
  checkRegressionTarget,
  checkScoringLabels,
} from "../core/validation";
import { Label } from "../metrics/labels";

function manifestOf(name: string, kind: "classifier" | "regressor", state: ModelState): SavedModelManifest {
  return {
    format: "trainlab-model",
    version: MODEL_FORMAT_VERSION,
    name,
    kind,
    params: {},
    state,
    savedAt: new Date().toISOString(),
  };
}

async function writeManifest(dir: string, manifest: SavedModelManifest): Promise<void> {
  await writeDirAtomically(dir, (tmp) => fs.writeFileSync(`${tmp}/model.json`, JSON.stringify(manifest, null, 1)));
}

/**
 * Rows and columns of any feature input. Tables may hold text columns (the baseline ignores feature values); plain
 * arrays of rows are checked as numeric features. `cols` is undefined for `[]`.
 * @throws ValidationError when X is missing, not 2-D, or an array row holds a non-number.
 */
function shapeOf(X: FeatureInput, where: string): { rows: number; cols: number | undefined } {
  checkPresent(X, "X", where);
  const x = X as {
    numRows?: () => number;
    columnNames?: () => string[];
    shape?: number[];
    rows?: number;
    cols?: number;
  };
  if (typeof x.numRows === "function" && typeof x.columnNames === "function")
    return { rows: x.numRows(), cols: x.columnNames().length };
  if (typeof x.rows === "number" && (X as { data?: unknown }).data instanceof Float64Array)
    return { rows: x.rows, cols: x.cols };
  if (Array.isArray(x.shape)) return { rows: x.shape[0], cols: x.shape[1] };
  if (Array.isArray(X)) {
    checkFeatureRows(X, where);
    return { rows: X.length, cols: X.length > 0 ? (X[0] as ArrayLike<number>).length : undefined };
  }
  try {
    const m = toMatrix(X);
    return { rows: m.rows, cols: m.cols };
  } catch (err) {
    throw asValidationError(err, where);
  }
}

/** Checks a prediction input against the column count seen in fit (when fit saw features). @throws ValidationError. */
function rowsToPredict(X: FeatureInput, nFeatures: number | undefined, where: string): number {
  const { rows, cols } = shapeOf(X, where);
  if (nFeatures !== undefined && cols !== undefined && cols !== nFeatures) {
    throw new ValidationError(
      `${where}: X has ${cols} features but the model was fitted on ${nFeatures}. Pass the same feature columns as in fit.`,
    );
  }
  return rows;
}

/** The target as a plain array. @throws ValidationError when y is missing or not 1-D. */
function targetOf(y: TargetInput | undefined, where: string): unknown[] {
  checkPresent(y, "y", where);
  try {
    return toTargetArray(y as TargetInput);
  } catch (err) {
    throw asValidationError(err, where);
  }
}

/**
 * X's row count must match y's; an empty array `[]` stands for "no features" (the baseline ignores them).
 * Returns the column count (undefined for `[]`). @throws ValidationError on a mismatch.
 */
function checkRows(X: FeatureInput, n: number, where: string): number | undefined {
  const { rows, cols } = shapeOf(X, where);
  if (Array.isArray(X) && X.length === 0) return undefined;
  checkConsistentLength(rows, n, where);
  return cols;
}

/** @throws Error naming the baseline when any parameter is given: the baselines have none. */
function rejectParams(model: string, params: Partial<Params>): void {
  const names = Object.keys(params);
  if (names.length) throw new Error(`${model} has no parameters; got ${names.join(", ")}.`);
}

/** Predicts the most frequent training class for every sample; probabilities are the training class frequencies. */
export class MajorityClassifier implements Classifier<Params> {
  readonly name = "MajorityClassifier";
  readonly kind = "classifier" as const;
  classes: Label[] = [];
  private prior: number[] = [];
  private nFeatures: number | undefined;
  private majority: Label | undefined;

  get fitted(): boolean {
    return this.majority !== undefined;
  }

  getParams(): Params {
    return {};
  }

  /** @throws Error on any parameter: the baseline has none. */
  withParams(params: Partial<Params> = {}): MajorityClassifier {
    rejectParams("MajorityClassifier", params);
    return new MajorityClassifier();
  }

  /**
   * Counts the classes. X only gives the row count (`[]` for none).
   * @throws ValidationError on a missing, empty or invalid target (null, NaN, fractional labels), a single class, or
   * an X/y length mismatch.
   */
  async fit(X: FeatureInput, y?: TargetInput, _options?: FitOptions): Promise<this> {
    const where = "MajorityClassifier.fit";
    const t = targetOf(y, where);
    if (t.length === 0) throw new ValidationError(`${where}: y is empty. Pass at least one sample.`);
    this.nFeatures = checkRows(X, t.length, where);
    const { classes, codes } = checkClassificationTarget(t, t.length, where);
    const counts = new Array<number>(classes.length).fill(0);
    codes.forEach((c) => counts[c]++);
    this.setState(
      classes,
      counts.map((c) => c / t.length),
    );
    return this;
  }

  private setState(classes: Label[], prior: number[]): void {
    this.classes = classes;
    this.prior = prior;
    // Ties go to the smallest class, as numpy's argmax does.
    let best = 0;
    this.prior.forEach((p, i) => (p > this.prior[best] ? (best = i) : 0));
    this.majority = this.classes[best];
  }

  /** The majority class for every row of X. @throws NotFittedError before fit. */
  predict(X: FeatureInput): Label[] {
    checkFitted(this.fitted, this.name, "predict");
    return new Array(rowsToPredict(X, this.nFeatures, `${this.name}.predict`)).fill(this.majority);
  }

  /** The training class frequencies for every row of X. @throws NotFittedError before fit. */
  predictProba(X: FeatureInput): number[][] {
    checkFitted(this.fitted, this.name, "predictProba");
    return Array.from({ length: rowsToPredict(X, this.nFeatures, `${this.name}.predictProba`) }, () =>
      this.prior.slice(),
    );
  }

  /** Accuracy on (X, y). @throws NotFittedError before fit; ValidationError on invalid labels or a length mismatch. */
  score(X: FeatureInput, y: TargetInput): number {
    checkFitted(this.fitted, this.name, "score");
    const p = this.predict(X);
    const t = checkScoringLabels(targetOf(y, `${this.name}.score`), p.length, `${this.name}.score`);
    return accuracyOf<Label>(t, p);
  }

  /** Writes `model.json` (classes and frequencies) to `dir` atomically; `loadModel(dir)` restores it. @throws NotFittedError before fit. */
  async save(dir: string): Promise<void> {
    checkFitted(this.fitted, this.name, "save");
    await writeManifest(
      dir,
      manifestOf(this.name, this.kind, { classes: this.classes, prior: this.prior, nFeatures: this.nFeatures ?? null }),
    );
  }

  /** @internal Restores a saved baseline. */
  static fromState(state: ModelState): MajorityClassifier {
    const model = new MajorityClassifier();
    model.setState(state.classes as Label[], state.prior as number[]);
    model.nFeatures = typeof state.nFeatures === "number" ? state.nFeatures : undefined;
    return model;
  }
}

/** Predicts the training mean for every sample. */
export class MeanRegressor implements Regressor<Params> {
  readonly name = "MeanRegressor";
  readonly kind = "regressor" as const;
  private mean: number | undefined;
  private nFeatures: number | undefined;

  get fitted(): boolean {
    return this.mean !== undefined;
  }

  getParams(): Params {
    return {};
  }

  /** @throws Error on any parameter: the baseline has none. */
  withParams(params: Partial<Params> = {}): MeanRegressor {
    rejectParams("MeanRegressor", params);
    return new MeanRegressor();
  }

  /** Learns the mean. X only gives the row count (`[]` for none). @throws ValidationError on an empty or non-numeric target or an X/y length mismatch. */
  async fit(X: FeatureInput, y?: TargetInput, _options?: FitOptions): Promise<this> {
    const where = "MeanRegressor.fit";
    const t = targetOf(y, where);
    if (t.length === 0) throw new ValidationError(`${where}: y is empty. Pass at least one sample.`);
    this.nFeatures = checkRows(X, t.length, where);
    const values = checkRegressionTarget(t, t.length, where);
    this.mean = mean(values);
    return this;
  }

  /** The training mean for every row of X. @throws NotFittedError before fit. */
  predict(X: FeatureInput): number[] {
    checkFitted(this.fitted, this.name, "predict");
    return new Array(rowsToPredict(X, this.nFeatures, `${this.name}.predict`)).fill(this.mean);
  }

  /** R² of the mean on (X, y): 0 on the training data, usually slightly below on new data. @throws NotFittedError, ValidationError. */
  score(X: FeatureInput, y: TargetInput): number {
    const p = this.predict(X);
    const t = checkRegressionTarget(targetOf(y, `${this.name}.score`), p.length, `${this.name}.score`);
    return r2Of(t, p);
  }

  /** Writes `model.json` (the mean) to `dir` atomically; `loadModel(dir)` restores it. @throws NotFittedError before fit. */
  async save(dir: string): Promise<void> {
    checkFitted(this.fitted, this.name, "save");
    await writeManifest(
      dir,
      manifestOf(this.name, this.kind, { mean: this.mean as number, nFeatures: this.nFeatures ?? null }),
    );
  }

  /** @internal Restores a saved baseline. */
  static fromState(state: ModelState): MeanRegressor {
    const model = new MeanRegressor();
    model.mean = state.mean as number;
    model.nFeatures = typeof state.nFeatures === "number" ? state.nFeatures : undefined;
    return model;
  }
}

registerRestorer("MajorityClassifier", (_m, state) => MajorityClassifier.fromState(state));
registerRestorer("MeanRegressor", (_m, state) => MeanRegressor.fromState(state));

/**
 * Restores a baseline saved before baselines wrote the trainlab-model format (`{ name, classes, prior, majority }` or
 * `{ name, mean }`), or returns undefined when `saved` is not one.
 */
export function restoreLegacyBaseline(saved: unknown): MajorityClassifier | MeanRegressor | undefined {
  const s = saved as { format?: unknown; name?: unknown; classes?: unknown; prior?: unknown; mean?: unknown };
  if (typeof s !== "object" || s === null || s.format !== undefined) return undefined;
  if (s.name === "MajorityClassifier" && Array.isArray(s.classes) && Array.isArray(s.prior))
    return MajorityClassifier.fromState({ classes: s.classes, prior: s.prior });
  if (s.name === "MeanRegressor" && typeof s.mean === "number") return MeanRegressor.fromState({ mean: s.mean });
  return undefined;
}
