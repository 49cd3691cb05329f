/**
 * CART decision trees and random forests (classification and regression), written here because
 * ml-cart and ml-random-forest are far too slow (see the developers' guide). Splits are searched on
 * features pre-binned into at most 256 bins (exact when a feature has at most 256 distinct values).
 */
import type { Matrix } from "../data/matrix";
import { ModelState, SeededRandom, StateValue, registerEstimator } from "./base";
import { CoreClassifier, CoreRegressor, CoreTarget, ModelCore } from "./model-core";
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

/** The binned features of `m` with the codes or targets of `t`, and the criterion and class count they call for. */
function cartInput(
  m: Matrix,
  t: CoreTarget,
  maxBins: number,
): { data: CartData; base: { criterion: "gini" | "mse"; nClasses: number } } {
  return "codes" in t
    ? { data: { ...binnedData(m, maxBins), codes: t.codes }, base: { criterion: "gini", nClasses: t.nClasses } }
    : { data: { ...binnedData(m, maxBins), target: t.target }, base: { criterion: "mse", nClasses: 0 } };
}

/** The CART options every tree of a model with params `p` on `cols` features shares. @throws Error on an invalid maxFeatures. */
function cartOptions(
  p: DecisionTreeParams,
  cols: number,
): { maxDepth: number; minSamplesSplit: number; minSamplesLeaf: number; maxFeatures: number } {
  return {
    maxDepth: p.maxDepth ?? Infinity,
    minSamplesSplit: p.minSamplesSplit,
    minSamplesLeaf: p.minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(p.maxFeatures, cols),
  };
}

/**
 * What a fitted tree model holds, the same for its classifier and regressor: its trees, their normalized importances,
 * and the leaf values (class fractions, or the one regression value) a row gets from them.
 */
abstract class FittedTrees<P extends DecisionTreeParams> implements ModelCore<P> {
  trees: TreeArrays[] = [];
  importances: number[] = [];

  abstract fit(m: Matrix, t: CoreTarget, p: P, seed: number, signal?: AbortSignal): Promise<void> | void;
  /** The `width` leaf values of each row of `m`, flat and row-major. */
  protected abstract leafValues(m: Matrix, width: number): Float64Array;
  abstract state(): ModelState;
  abstract restore(state: ModelState): void;

  probabilities(m: Matrix, nClasses: number): Float64Array {
    return this.leafValues(m, nClasses);
  }
  values(m: Matrix): Float64Array {
    return this.leafValues(m, 1);
  }
}

/** One CART tree grown on all rows; saved as "tree". */
class FittedTree extends FittedTrees<DecisionTreeParams> {
  fit(m: Matrix, t: CoreTarget, p: DecisionTreeParams, seed: number): void {
    const { data, base } = cartInput(m, t, p.maxBins);
    const { tree, importance } = buildCart(data, identity(m.rows), { ...base, ...cartOptions(p, m.cols), seed });
    this.trees = [tree];
    this.importances = normalizeImportance(importance);
  }

  protected leafValues(m: Matrix, width: number): Float64Array {
    const tree = this.trees[0];
    const out = new Float64Array(m.rows * width);
    for (let i = 0; i < m.rows; i++) {
      const leaf = leafOf(tree, m.data, i * m.cols);
      for (let k = 0; k < width; k++) out[i * width + k] = tree.value[leaf * width + k];
    }
    return out;
  }

  state(): ModelState {
    return { tree: treeState(this.trees[0]), importances: this.importances };
  }
  restore(state: ModelState): void {
    this.trees = [state.tree as unknown as TreeArrays];
    this.importances = state.importances as number[];
  }
}

/** The seed of each tree (which fixes its bootstrap sample and feature draws), drawn up front so that the forest does not depend on nJobs. */
function forestSeeds(nEstimators: number, seed: number): number[] {
  const rng = new SeededRandom(seed);
  const seeds: number[] = [];
  for (let t = 0; t < nEstimators; t++) seeds.push(rng.seed());
  return seeds;
}

/** A random forest: trees on bootstrap samples, leaf values averaged over them; saved as "trees". */
class FittedForest extends FittedTrees<RandomForestParams> {
  /** Grows the trees (on `p.nJobs` threads); an aborted `signal` keeps the trees built so far. @throws Error when aborted before the first tree. */
  async fit(m: Matrix, t: CoreTarget, p: RandomForestParams, seed: number, signal?: AbortSignal): Promise<void> {
    const { data, base } = cartInput(m, t, p.maxBins);
    const seeds = forestSeeds(p.nEstimators, seed);
    const options = { ...base, ...cartOptions(p, data.cols), bootstrap: p.bootstrap };
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
    this.trees = results.map((r) => r.tree);
    this.importances = normalizeImportance(total);
  }

  protected leafValues(m: Matrix, width: number): Float64Array {
    const out = new Float64Array(m.rows * width);
    for (const tree of this.trees) {
      for (let i = 0; i < m.rows; i++) {
        const leaf = leafOf(tree, m.data, i * m.cols);
        for (let k = 0; k < width; k++) out[i * width + k] += tree.value[leaf * width + k];
      }
    }
    for (let q = 0; q < out.length; q++) out[q] /= this.trees.length;
    return out;
  }

  state(): ModelState {
    return { trees: this.trees.map(treeState), importances: this.importances };
  }
  restore(state: ModelState): void {
    this.trees = state.trees as unknown as TreeArrays[];
    this.importances = state.importances as number[];
  }
}

/** A CART classification tree (Gini impurity); importances are the normalized total Gini decrease per feature. */
export class DecisionTreeClassifier extends CoreClassifier<DecisionTreeParams, FittedTree> {
  readonly name = "DecisionTreeClassifier";
  protected readonly core = new FittedTree();

  constructor(params: Partial<DecisionTreeParams> = {}) {
    super(TREE_DEFAULTS, params);
  }
  protected override validateParams(p: DecisionTreeParams): void {
    checkTreeParams(this.constructor.name, p);
  }

  /** The fitted tree (null before fit). */
  get tree(): TreeArrays | null {
    return this.core.trees[0] ?? null;
  }
  set tree(tree: TreeArrays | null) {
    this.core.trees = tree ? [tree] : [];
  }
}

/** A CART regression tree (squared error); importances are the normalized total squared-error decrease per feature. */
export class DecisionTreeRegressor extends CoreRegressor<DecisionTreeParams, FittedTree> {
  readonly name = "DecisionTreeRegressor";
  protected readonly core = new FittedTree();

  constructor(params: Partial<DecisionTreeParams> = {}) {
    super(TREE_DEFAULTS, params);
  }
  protected override validateParams(p: DecisionTreeParams): void {
    checkTreeParams(this.constructor.name, p);
  }

  /** The fitted tree (null before fit). */
  get tree(): TreeArrays | null {
    return this.core.trees[0] ?? null;
  }
  set tree(tree: TreeArrays | null) {
    this.core.trees = tree ? [tree] : [];
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

/**
 * A random forest of CART classification trees (bootstrap + sqrt(features) per split); probabilities are averaged,
 * importances are the mean normalized Gini decrease per feature over the trees. An aborted fit keeps the trees built so far.
 */
export class RandomForestClassifier extends CoreClassifier<RandomForestParams, FittedForest> {
  readonly name = "RandomForestClassifier";
  protected readonly core = new FittedForest();

  constructor(params: Partial<RandomForestParams> = {}) {
    super({ ...TREE_DEFAULTS, maxFeatures: "sqrt", nEstimators: 100, bootstrap: true, nJobs: 1 }, params);
  }
  protected override validateParams(p: RandomForestParams): void {
    checkForestParams(this.constructor.name, p);
  }

  /** The fitted trees (none before fit). */
  get trees(): TreeArrays[] {
    return this.core.trees;
  }
  set trees(trees: TreeArrays[]) {
    this.core.trees = trees;
  }
}

/**
 * A random forest of CART regression trees; predictions are averaged, importances are the mean normalized
 * squared-error decrease per feature over the trees. An aborted fit keeps the trees built so far.
 */
export class RandomForestRegressor extends CoreRegressor<RandomForestParams, FittedForest> {
  readonly name = "RandomForestRegressor";
  protected readonly core = new FittedForest();

  constructor(params: Partial<RandomForestParams> = {}) {
    super({ ...TREE_DEFAULTS, maxFeatures: null, nEstimators: 100, bootstrap: true, nJobs: 1 }, params);
  }
  protected override validateParams(p: RandomForestParams): void {
    checkForestParams(this.constructor.name, p);
  }

  /** The fitted trees (none before fit). */
  get trees(): TreeArrays[] {
    return this.core.trees;
  }
  set trees(trees: TreeArrays[]) {
    this.core.trees = trees;
  }
}

registerEstimator("DecisionTreeClassifier", (p) => new DecisionTreeClassifier(p as Partial<DecisionTreeParams>));
registerEstimator("DecisionTreeRegressor", (p) => new DecisionTreeRegressor(p as Partial<DecisionTreeParams>));
registerEstimator("RandomForestClassifier", (p) => new RandomForestClassifier(p as Partial<RandomForestParams>));
registerEstimator("RandomForestRegressor", (p) => new RandomForestRegressor(p as Partial<RandomForestParams>));
