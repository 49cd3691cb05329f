/**
 * The shared engine of cross-validation, search and learning curves: fit a (pipeline +) model on a fold's training
 * rows only, then score it on the fold's held-out rows.
 */
import type { ColumnTable } from "arquero";
import type { FeatureInput, TargetInput } from "../data/matrix";
import { toTargetArray } from "../data/matrix";
import { DISPLAY, DisplayHandle, MimeBundle, display, escapeHtml, kernelBridge } from "../display";
import { widgetsSupported } from "../widgets/manager";
import { ProgressBar, progressBar } from "../widgets/progress";
import type { Classifier, Estimator, FitOptions } from "../models/estimator";
import { CvFold, RowSource, crossValidationFolds, rowSource, sourceRows, subsetRows } from "./folds";
import { Label } from "../metrics/labels";
import { MajorityClassifier, MeanRegressor } from "../models/baseline";
import { MetricSpec, Scorer, getScorer } from "./scoring";

/**
 * A preprocessing step (or a whole Pipeline): learns from the training rows in `fit`, applies that in `transform`.
 * lib/data's Pipeline and transforms follow this contract. `fit` must relearn from scratch on every call (it is
 * refit on each fold's training part); a `clone()` method, when present, is used to get a fresh copy per fold.
 */
export interface Preprocessor {
  fit(X: ColumnTable | FeatureInput, y?: TargetInput): unknown;
  transform(X: ColumnTable | FeatureInput): ColumnTable | FeatureInput | Promise<ColumnTable | FeatureInput>;
  clone?(): Preprocessor;
}

/** A model with its preprocessing: the pipeline is fit on each fold's training rows only, so nothing leaks. */
export interface PipelineModel {
  /** The preprocessing, or a factory that returns a fresh one per fold. */
  pipeline: Preprocessor | (() => Preprocessor);
  model: Estimator;
  /** Display name (default: the model's name). */
  name?: string;
}

/** What cross-validation and search accept as a model. */
export type ModelSpec = Estimator | PipelineModel;

/** True when `spec` carries a preprocessing pipeline. */
function isPipelineModel(spec: ModelSpec): spec is PipelineModel {
  return typeof spec === "object" && spec !== null && "pipeline" in spec && "model" in spec;
}

/** The estimator inside a spec. */
export function estimatorOf(spec: ModelSpec): Estimator {
  return isPipelineModel(spec) ? spec.model : spec;
}

/** The spec's display name. */
export function specName(spec: ModelSpec): string {
  return isPipelineModel(spec) ? (spec.name ?? `${spec.model.name} (pipeline)`) : spec.name;
}

/** The spec with the model's parameters changed (unfitted). */
export function withModelParams(spec: ModelSpec, params: Record<string, unknown>): ModelSpec {
  if (isPipelineModel(spec)) return { ...spec, model: spec.model.withParams(params as never) };
  return spec.withParams(params as never);
}

function freshPipeline(p: PipelineModel["pipeline"]): Preprocessor {
  if (typeof p === "function") return p();
  return typeof p.clone === "function" ? p.clone() : p;
}

/** A model fitted on some rows, with the preprocessing fitted on the same rows. */
export interface FittedSpec {
  model: Estimator;
  pipeline?: Preprocessor;
  /** Applies the fitted preprocessing (identity without a pipeline). */
  prepare(X: FeatureInput): Promise<FeatureInput>;
}

function rowCount(X: ColumnTable | FeatureInput): number | undefined {
  const x = X as { numRows?: () => number; rows?: number; shape?: number[]; length?: number };
  if (typeof x.numRows === "function") return x.numRows();
  if (typeof x.rows === "number") return x.rows;
  if (Array.isArray(x.shape)) return x.shape[0];
  return typeof x.length === "number" ? x.length : undefined;
}

/**
 * Fits preprocessing then a fresh copy of the model on the given rows only.
 * @throws Error when the pipeline changes the number of rows (drop rows before cross-validation instead).
 */
export async function fitOnRows(
  spec: ModelSpec,
  source: RowSource,
  y: readonly Label[],
  rows: readonly number[],
  seed: number,
): Promise<FittedSpec> {
  const X = subsetRows(source, rows);
  const yFit = rows.map((i) => y[i]);
  const model = estimatorOf(spec).withParams({});
  let pipeline: Preprocessor | undefined;
  const prepare = async (input: FeatureInput): Promise<FeatureInput> => {
    if (!pipeline) return input;
    const out = (await pipeline.transform(input)) as FeatureInput;
    const before = rowCount(input);
    const after = rowCount(out);
    if (before !== undefined && after !== undefined && before !== after) {
      throw new Error(
        `The pipeline turned ${before} rows into ${after}: steps that drop rows (deduplication, dropping missing values) must run before cross-validation, not inside it.`,
      );
    }
    return out;
  };
  if (isPipelineModel(spec)) {
    pipeline = freshPipeline(spec.pipeline);
    await pipeline.fit(X, yFit);
  }
  // Per-fold training stays quiet (tfjs models would otherwise draw a live chart per fold: the search shows its own
  // progress) and stops on a kernel interrupt.
  const fitOptions = { seed, signal: kernelBridge()?.signal(), live: "none", verbose: 0 } as FitOptions;
  await model.fit(await prepare(X), yFit, fitOptions);
  return { model, pipeline, prepare };
}

/** Scores a fitted model on some rows with every scorer. */
export async function scoreOnRows(
  fitted: FittedSpec,
  source: RowSource,
  y: readonly Label[],
  rows: readonly number[],
  scorers: readonly Scorer[],
): Promise<number[]> {
  const X = await fitted.prepare(subsetRows(source, rows));
  const yTrue = rows.map((i) => y[i]);
  const yPred = fitted.model.predict(X);
  let proba: number[][] | undefined;
  let classes: readonly Label[] | undefined;
  if (fitted.model.kind === "classifier") {
    const c = fitted.model as Classifier;
    classes = c.classes;
    if (scorers.some((s) => s.needsProba)) proba = c.predictProba(X);
  }
  return scorers.map((s) => {
    try {
      return s.score({ yTrue, yPred, proba, classes });
    } catch (e) {
      const err = new Error(
        `Metric "${s.name}" failed on a fold of ${rows.length} held-out rows: ${(e as Error).message} ` +
          `(with few samples per class, use fewer folds or stratified folds).`,
      );
      throw err;
    }
  });
}

/** The task of a set of models. @throws Error on clusterers or a mix of classifiers and regressors. */
export function taskOf(specs: readonly ModelSpec[]): "classification" | "regression" {
  const kinds = new Set(specs.map((s) => estimatorOf(s).kind));
  if (kinds.has("clusterer"))
    throw new Error(
      "Cross-validation scores supervised models: clusterers have no target to score against (use silhouetteScore).",
    );
  if (kinds.size > 1) throw new Error("All models must solve the same task: got both classifiers and regressors.");
  return kinds.has("classifier") ? "classification" : "regression";
}

/** Resolves metric names for a task. @throws Error on unknown metrics or ones for the other task. */
export function resolveScorers(
  metrics: MetricSpec | readonly MetricSpec[] | undefined,
  task: "classification" | "regression",
): Scorer[] {
  const list =
    metrics === undefined
      ? task === "classification"
        ? ["accuracy", "f1_macro"]
        : ["r2", "rmse"]
      : Array.isArray(metrics)
        ? metrics
        : [metrics as MetricSpec];
  if (list.length === 0) throw new Error("Pass at least one metric.");
  return list.map((m) => {
    const s = getScorer(m);
    if (s.task !== task)
      throw new Error(
        `Metric "${s.name}" is a ${s.task} metric but the models are ${task === "classification" ? "classifiers" : "regressors"}.`,
      );
    return s;
  });
}

/** The baseline for a task: majority class or mean. */
export function baselineFor(task: "classification" | "regression"): { name: string; model: Estimator } {
  return task === "classification"
    ? { name: "baseline (majority class)", model: new MajorityClassifier() }
    : { name: "baseline (mean)", model: new MeanRegressor() };
}

/** Common options of cross-validation, search and learning curves. */
export interface CvOptions {
  /** Number of folds (default 5), or explicit splits of row indices (like scikit-learn's `cv=` iterable). */
  folds?: number | readonly CvFold[];
  /** Keep class proportions in each fold (default: true for classifiers). */
  stratified?: boolean;
  /** Seed of the fold shuffle and of every model fit (default 0). Same seed, same result. */
  seed?: number;
  /** Show a live progress line in the notebook (default: when running in a kernel). */
  progress?: boolean;
}

/** Prepared inputs: features as a row source, target as labels, and the folds. */
export interface Prepared {
  source: RowSource;
  y: Label[];
  folds: CvFold[];
}

/**
 * Validates inputs and makes the seeded folds.
 * @throws Error when X and y differ in length, y is empty or holds missing values.
 */
export function prepare(
  X: FeatureInput,
  y: TargetInput,
  task: "classification" | "regression",
  options: CvOptions,
): Prepared {
  const source = rowSource(X);
  const labels = toTargetArray(y);
  const n = sourceRows(source);
  if (labels.length !== n) throw new Error(`X has ${n} rows but y has ${labels.length} values: they must match.`);
  if (n === 0) throw new Error("X is empty: cross-validation needs data.");
  labels.forEach((v, i) => {
    if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) {
      throw new Error(`y[${i}] is ${v}: drop or impute rows with a missing target before cross-validation.`);
    }
  });
  if (Array.isArray(options.folds))
    return { source, y: labels, folds: checkFolds(options.folds as readonly CvFold[], n) };
  const stratified = options.stratified ?? task === "classification";
  if (stratified && task === "regression")
    throw new Error("stratified folds need class labels: regression targets cannot be stratified.");
  const k = (options.folds as number | undefined) ?? 5;
  const folds = crossValidationFolds(n, { k, seed: options.seed ?? 0, labels: stratified ? labels : undefined });
  return { source, y: labels, folds };
}

/**
 * Validates explicit folds.
 * @throws Error on an empty list or part, an index out of range, or a row in both parts of a fold.
 */
function checkFolds(folds: readonly CvFold[], n: number): CvFold[] {
  if (folds.length === 0)
    throw new Error("folds is an empty list: pass a number of folds or at least one {train, test} split.");
  return folds.map((f, i) => {
    if (!f || !Array.isArray(f.train) || !Array.isArray(f.test) || f.train.length === 0 || f.test.length === 0) {
      throw new Error(`Fold ${i} needs non-empty train and test arrays of row indices.`);
    }
    const train = new Set(f.train);
    for (const idx of [...f.train, ...f.test]) {
      if (!Number.isInteger(idx) || idx < 0 || idx >= n)
        throw new Error(`Fold ${i}: row index ${idx} is out of range for ${n} rows.`);
    }
    const both = f.test.find((idx) => train.has(idx));
    if (both !== undefined) throw new Error(`Fold ${i}: row ${both} is in both train and test, which would leak it.`);
    return { train: f.train.slice(), test: f.test.slice() };
  });
}

/** A live progress line (a display updated in place). Silent outside a kernel unless asked for. */
export class ProgressDisplay {
  private handle: DisplayHandle | undefined;
  /** A progress widget instead of the line, where the frontend shows widgets (lib/widgets/progress.ts). */
  private bar: ProgressBar | undefined;
  private done = 0;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    enabled: boolean | undefined,
  ) {
    if (enabled ?? kernelBridge() !== undefined) {
      if (kernelBridge() && widgetsSupported())
        this.bar = progressBar({ total: Math.max(1, total), description: label, widget: true });
      else this.handle = display(this.view(""));
    }
  }

  private view(detail: string): { [DISPLAY](): MimeBundle } {
    const pct = this.total === 0 ? 100 : Math.round((100 * this.done) / this.total);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const text = `${this.label}: ${this.done}/${this.total} fits (${pct}%), ${seconds} s${detail ? ` — ${detail}` : ""}`;
    return {
      [DISPLAY]: () => ({
        "text/plain": text,
        "text/html": `<div class="trainlab-progress"><progress value="${this.done}" max="${this.total}" style="width:240px"></progress> <span>${escapeHtml(text)}</span></div>`,
      }),
    };
  }

  private barText(detail: string): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)} s${detail ? ` — ${detail}` : ""}`;
  }

  /** Counts one finished fit and refreshes the line. */
  tick(detail = ""): void {
    this.done++;
    this.bar?.update(this.done, this.barText(detail));
    this.handle?.update(this.view(detail));
  }

  /** Replaces the line with a final message. */
  finish(detail: string): void {
    // search calls finish after every candidate: the bar turns green only when every fit is done.
    if (this.done >= this.total) this.bar?.close(this.barText(detail));
    else this.bar?.update(this.done, this.barText(detail));
    this.handle?.update(this.view(detail));
  }
}

/**
 * Throws when the user interrupted the running cell (kernel interrupt), so long searches stop between fits.
 * @throws Error "Interrupted" when the cell's interrupt signal has fired.
 */
export function interruptCheck(): void {
  const signal = kernelBridge()?.signal();
  if (signal?.aborted) throw new Error("Interrupted: the evaluation was stopped by a kernel interrupt.");
}

/** Frees a fold's model when it holds resources (tfjs models have `dispose()`), so repeated fits do not leak tensors. */
export function release(fitted: FittedSpec): void {
  for (const o of [fitted.model, fitted.pipeline] as unknown[]) {
    const d = (o as { dispose?: unknown } | undefined)?.dispose;
    if (typeof d === "function") d.call(o);
  }
}
