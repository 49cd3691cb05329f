/**
 * CART decision trees and random forests (classification and regression), written here because
 * ml-cart and ml-random-forest are far too slow (see the developers' guide). Splits are searched on
 * features pre-binned into at most 256 bins (exact when a feature has at most 256 distinct values).
 */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions, HasFeatureImportances } from "./estimator";
import {
  BaseClassifier,
  BaseRegressor,
  ModelState,
  SeededRandom,
  StateValue,
  fitSeed,
  numericTarget,
  registerEstimator,
  trainingMatrix,
} from "./base";
import { binMatrix, fitBinThresholds } from "./binning";
import { CartData, TreeArrays, buildCart, leafOf, normalizeImportance, treeSample } from "./cart";
import { buildForestParallel } from "./forest-pool";

/** How many features a node may try: a count (>= 1), a fraction (< 1), "sqrt", "log2", or null for all. */
export type MaxFeatures = number | "sqrt" | "log2" | null;

/** Resolves {@link MaxFeatures} to a count for `cols` features. @throws Error on an invalid value. */
function resolveMaxFeatures(value: MaxFeatures, cols: number): number {
  if (value === null) return cols;
  if (value === "sqrt") return Math.max(1, Math.floor(Math.sqrt(cols)));
  if (value === "log2") return Math.max(1, Math.floor(Math.log2(cols)));
  if (typeof value === "number" && value > 0)
    return value < 1 ? Math.max(1, Math.floor(value * cols)) : Math.min(cols, Math.floor(value));
  throw new Error(`maxFeatures must be a positive number, "sqrt", "log2" or null (got ${JSON.stringify(value)}).`);
}

/** Hyperparameters of the decision trees. */
export interface DecisionTreeParams {
  [key: string]: number | string | boolean | null;
  /** Maximum depth; null grows until leaves are pure or too small. */
  maxDepth: number | null;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxFeatures: MaxFeatures;
  /** Bins per feature for the split search (2..256). */
  maxBins: number;
}

const TREE_DEFAULTS: DecisionTreeParams = {
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: null,
  maxBins: 256,
};

function checkTreeParams(
  name: string,
  p: { maxDepth: number | null; minSamplesSplit: number; minSamplesLeaf: number; maxBins: number },
): void {
  if (p.maxDepth !== null && !(p.maxDepth >= 1))
    throw new Error(`${name}: maxDepth must be >= 1 or null (got ${p.maxDepth}).`);
  if (!(p.minSamplesSplit >= 2)) throw new Error(`${name}: minSamplesSplit must be >= 2 (got ${p.minSamplesSplit}).`);
  if (!(p.minSamplesLeaf >= 1)) throw new Error(`${name}: minSamplesLeaf must be >= 1 (got ${p.minSamplesLeaf}).`);
  if (!(p.maxBins >= 2 && p.maxBins <= 256)) throw new Error(`${name}: maxBins must be in 2..256 (got ${p.maxBins}).`);
}

function binnedData(m: Matrix, maxBins: number): CartData {
  const thresholds = fitBinThresholds(m, maxBins);
  const { bins } = binMatrix(m, thresholds);
  return { bins, rows: m.rows, cols: m.cols, thresholds };
}

function identity(n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx;
}

function treeState(tree: TreeArrays): StateValue {
  return { ...tree } as unknown as StateValue;
}

/** One CART tree on all rows of `m` (classes as `codes`, or a regression `target`), with normalized importances. */
function growTree(
  m: Matrix,
  y: { codes: Int32Array } | { target: Float64Array },
  criterion: "gini" | "mse",
  nClasses: number,
  p: DecisionTreeParams,
  seed: number,
): { tree: TreeArrays; importances: number[] } {
  const { tree, importance } = buildCart({ ...binnedData(m, p.maxBins), ...y }, identity(m.rows), {
    criterion,
    nClasses,
    maxDepth: p.maxDepth ?? Infinity,
    minSamplesSplit: p.minSamplesSplit,
    minSamplesLeaf: p.minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(p.maxFeatures, m.cols),
    seed,
  });
  return { tree, importances: normalizeImportance(importance) };
}

/** A CART classification tree (Gini impurity). */
export class DecisionTreeClassifier extends BaseClassifier<DecisionTreeParams> implements HasFeatureImportances {
  readonly name = "DecisionTreeClassifier";
  tree: TreeArrays | null = null;
  private importances: number[] = [];

  constructor(params: Partial<DecisionTreeParams> = {}) {
    super(TREE_DEFAULTS, params);
  }
  protected override validateParams(p: DecisionTreeParams): void {
    checkTreeParams(this.constructor.name, p);
  }

  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const codes = this.encode(y, m.rows);
    this.rememberShape(m);
    ({ tree: this.tree, importances: this.importances } = growTree(
      m,
      { codes },
      "gini",
      this.classList.length,
      this.params,
      fitSeed(options),
    ));
    this.isFitted = true;
    return this;
  }

  /** Normalized total Gini decrease per feature. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.importances];
  }

  protected probaFlat(m: Matrix): Float64Array {
    const tree = this.tree as TreeArrays;
    const K = this.classList.length;
    const out = new Float64Array(m.rows * K);
    for (let i = 0; i < m.rows; i++) {
      const leaf = leafOf(tree, m.data, i * m.cols);
      for (let k = 0; k < K; k++) out[i * K + k] = tree.value[leaf * K + k];
    }
    return out;
  }

  protected exportState(): ModelState {
    return { ...this.classifierState(), tree: treeState(this.tree as TreeArrays), importances: this.importances };
  }
  restoreState(state: ModelState): void {
    this.tree = state.tree as unknown as TreeArrays;
    this.importances = state.importances as number[];
  }
}

/** A CART regression tree (squared error). */
export class DecisionTreeRegressor extends BaseRegressor<DecisionTreeParams> implements HasFeatureImportances {
  readonly name = "DecisionTreeRegressor";
  tree: TreeArrays | null = null;
  private importances: number[] = [];

  constructor(params: Partial<DecisionTreeParams> = {}) {
    super(TREE_DEFAULTS, params);
  }
  protected override validateParams(p: DecisionTreeParams): void {
    checkTreeParams(this.constructor.name, p);
  }

  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const target = numericTarget(y, m.rows, this.name);
    this.rememberShape(m);
    ({ tree: this.tree, importances: this.importances } = growTree(
      m,
      { target },
      "mse",
      0,
      this.params,
      fitSeed(options),
    ));
    this.isFitted = true;
    return this;
  }

  /** Normalized total squared-error decrease per feature. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.importances];
  }

  protected predictFlat(m: Matrix): Float64Array {
    const tree = this.tree as TreeArrays;
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) out[i] = tree.value[leafOf(tree, m.data, i * m.cols)];
    return out;
  }

  protected exportState(): ModelState {
    return { tree: treeState(this.tree as TreeArrays), importances: this.importances };
  }
  restoreState(state: ModelState): void {
    this.tree = state.tree as unknown as TreeArrays;
    this.importances = state.importances as number[];
  }
}

/** Hyperparameters of the random forests. */
export interface RandomForestParams extends DecisionTreeParams {
  nEstimators: number;
  /** Sample rows with replacement for each tree (otherwise every tree sees all rows). */
  bootstrap: boolean;
  /** Worker threads that build trees in parallel (1 = in this thread). Same seed, same forest, whatever the count. */
  nJobs: number;
}

function checkForestParams(name: string, p: RandomForestParams): void {
  checkTreeParams(name, p);
  if (!(Number.isInteger(p.nEstimators) && p.nEstimators >= 1))
    throw new Error(`${name}: nEstimators must be an integer >= 1 (got ${p.nEstimators}).`);
  if (!(Number.isInteger(p.nJobs) && p.nJobs >= 1))
    throw new Error(`${name}: nJobs must be an integer >= 1 (got ${p.nJobs}).`);
}

/** The seed of each tree (which fixes its bootstrap sample and feature draws), drawn up front so that the forest does not depend on nJobs. */
function forestSeeds(nEstimators: number, seed: number): number[] {
  const rng = new SeededRandom(seed);
  const seeds: number[] = [];
  for (let t = 0; t < nEstimators; t++) seeds.push(rng.seed());
  return seeds;
}

abstract class ForestMixin {
  static async grow(
    data: CartData,
    base: { criterion: "gini" | "mse"; nClasses: number },
    p: RandomForestParams,
    seed: number,
    signal?: AbortSignal,
  ): Promise<{ trees: TreeArrays[]; importance: number[] }> {
    const seeds = forestSeeds(p.nEstimators, seed);
    const options = {
      ...base,
      maxDepth: p.maxDepth ?? Infinity,
      minSamplesSplit: p.minSamplesSplit,
      minSamplesLeaf: p.minSamplesLeaf,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, data.cols),
      bootstrap: p.bootstrap,
    };
    let results: { tree: TreeArrays; importance: Float64Array }[];
    if (p.nJobs > 1 && p.nEstimators > 1) results = await buildForestParallel(data, options, seeds, p.nJobs, signal);
    else {
      results = [];
      for (const s of seeds) {
        if (signal?.aborted) break;
        results.push(buildCart(data, treeSample(data.rows, p.bootstrap, s), { ...options, seed: s }));
        if (results.length % 8 === 0) await new Promise((r) => setImmediate(r));
      }
    }
    if (results.length === 0) throw new Error("The fit was interrupted before the first tree was built.");
    const total = new Float64Array(data.cols);
    for (const r of results) {
      const norm = normalizeImportance(r.importance);
      for (let f = 0; f < data.cols; f++) total[f] += norm[f] / results.length;
    }
    return { trees: results.map((r) => r.tree), importance: normalizeImportance(total) };
  }
}

/** A random forest of CART classification trees (bootstrap + sqrt(features) per split); probabilities are averaged. */
export class RandomForestClassifier extends BaseClassifier<RandomForestParams> implements HasFeatureImportances {
  readonly name = "RandomForestClassifier";
  trees: TreeArrays[] = [];
  private importances: number[] = [];

  constructor(params: Partial<RandomForestParams> = {}) {
    super({ ...TREE_DEFAULTS, maxFeatures: "sqrt", nEstimators: 100, bootstrap: true, nJobs: 1 }, params);
  }
  protected override validateParams(p: RandomForestParams): void {
    checkForestParams(this.constructor.name, p);
  }

  /** Fits the trees; an aborted `signal` keeps the trees built so far. @throws Error as every fit, or when aborted before any tree. */
  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const codes = this.encode(y, m.rows);
    this.rememberShape(m);
    const data = { ...binnedData(m, this.params.maxBins), codes };
    const { trees, importance } = await ForestMixin.grow(
      data,
      { criterion: "gini", nClasses: this.classList.length },
      this.params,
      fitSeed(options),
      options?.signal,
    );
    this.trees = trees;
    this.importances = importance;
    this.isFitted = true;
    return this;
  }

  /** Mean normalized Gini decrease per feature over the trees. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.importances];
  }

  protected probaFlat(m: Matrix): Float64Array {
    const K = this.classList.length;
    const out = new Float64Array(m.rows * K);
    for (const tree of this.trees) {
      for (let i = 0; i < m.rows; i++) {
        const leaf = leafOf(tree, m.data, i * m.cols);
        for (let k = 0; k < K; k++) out[i * K + k] += tree.value[leaf * K + k];
      }
    }
    for (let q = 0; q < out.length; q++) out[q] /= this.trees.length;
    return out;
  }

  protected exportState(): ModelState {
    return { ...this.classifierState(), trees: this.trees.map(treeState), importances: this.importances };
  }
  restoreState(state: ModelState): void {
    this.trees = state.trees as unknown as TreeArrays[];
    this.importances = state.importances as number[];
  }
}

/** A random forest of CART regression trees; predictions are averaged. */
export class RandomForestRegressor extends BaseRegressor<RandomForestParams> implements HasFeatureImportances {
  readonly name = "RandomForestRegressor";
  trees: TreeArrays[] = [];
  private importances: number[] = [];

  constructor(params: Partial<RandomForestParams> = {}) {
    super({ ...TREE_DEFAULTS, maxFeatures: null, nEstimators: 100, bootstrap: true, nJobs: 1 }, params);
  }
  protected override validateParams(p: RandomForestParams): void {
    checkForestParams(this.constructor.name, p);
  }

  /** Fits the trees; an aborted `signal` keeps the trees built so far. */
  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const target = numericTarget(y, m.rows, this.name);
    this.rememberShape(m);
    const data = { ...binnedData(m, this.params.maxBins), target };
    const { trees, importance } = await ForestMixin.grow(
      data,
      { criterion: "mse", nClasses: 0 },
      this.params,
      fitSeed(options),
      options?.signal,
    );
    this.trees = trees;
    this.importances = importance;
    this.isFitted = true;
    return this;
  }

  /** Mean normalized squared-error decrease per feature over the trees. @throws Error when unfitted. */
  featureImportances(): number[] {
    this.assertFitted("featureImportances");
    return [...this.importances];
  }

  protected predictFlat(m: Matrix): Float64Array {
    const out = new Float64Array(m.rows);
    for (const tree of this.trees)
      for (let i = 0; i < m.rows; i++) out[i] += tree.value[leafOf(tree, m.data, i * m.cols)];
    for (let i = 0; i < m.rows; i++) out[i] /= this.trees.length;
    return out;
  }

  protected exportState(): ModelState {
    return { trees: this.trees.map(treeState), importances: this.importances };
  }
  restoreState(state: ModelState): void {
    this.trees = state.trees as unknown as TreeArrays[];
    this.importances = state.importances as number[];
  }
}

registerEstimator("DecisionTreeClassifier", (p) => new DecisionTreeClassifier(p as Partial<DecisionTreeParams>));
registerEstimator("DecisionTreeRegressor", (p) => new DecisionTreeRegressor(p as Partial<DecisionTreeParams>));
registerEstimator("RandomForestClassifier", (p) => new RandomForestClassifier(p as Partial<RandomForestParams>));
registerEstimator("RandomForestRegressor", (p) => new RandomForestRegressor(p as Partial<RandomForestParams>));
