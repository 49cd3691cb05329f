/**
 * Data of the parity battery: the real tables in tests/fixtures/datasets, the splits and scikit-learn numbers that
 * tests/fixtures/parity/make_parity.py wrote, and the synthetic table that script generates (rebuilt here bit for bit).
 */
import * as fs from "fs";
import * as path from "path";
import type { Matrix } from "../../lib/data/matrix";

const ROOT = path.join(__dirname, "..", "..", "..");
const DATASETS = path.join(ROOT, "tests", "fixtures", "datasets");
const PARITY = path.join(ROOT, "tests", "fixtures", "parity");

/** A table of tests/fixtures/datasets: features and the `target` column. */
export interface Table {
  X: Matrix;
  y: number[];
}

/** Reads tests/fixtures/datasets/<name>.csv (all numeric, last column `target`). */
export function readTable(name: string): Table {
  const lines = fs
    .readFileSync(path.join(DATASETS, `${name}.csv`), "utf8")
    .trim()
    .split("\n");
  const cols = lines[0].split(",").length - 1;
  const rows = lines.length - 1;
  const data = new Float64Array(rows * cols);
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(",").map(Number);
    for (let j = 0; j < cols; j++) data[i * cols + j] = cells[j];
    y.push(cells[cols]);
  }
  return { X: { data, rows, cols }, y };
}

/** scikit-learn's numbers for one model on one split. */
export interface ModelReference {
  score?: number;
  pred?: number[];
  proba?: number[][];
  sklearn_lbfgs_gap?: number;
  /** Scores with random_state 0, 1, … (trees and forests). */
  scores_by_seed?: number[];
  mean?: number[];
  scale?: number[];
}

/** One fixed split: the test rows (sorted); the training rows are all the others. */
export interface SplitReference {
  seed: number;
  test: number[];
  models: Record<string, ModelReference>;
}

/** The fixture of one dataset. */
export interface DatasetReference {
  dataset: string;
  task: "classification" | "regression";
  rows: number;
  classes?: number;
  onehot_codes?: number[];
  splits: SplitReference[];
  kmeans?: { ari: number; inertia: number };
  agglomerative?: { labels: number[]; ari: number };
}

/** Reads tests/fixtures/parity/<name>.json. */
export function reference<T = DatasetReference>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(PARITY, `${name}.json`), "utf8")) as T;
}

/** Rows `rows` of a matrix, in that order. */
export function take(m: Matrix, rows: ArrayLike<number>): Matrix {
  const out = new Float64Array(rows.length * m.cols);
  for (let r = 0; r < rows.length; r++) out.set(m.data.subarray(rows[r] * m.cols, (rows[r] + 1) * m.cols), r * m.cols);
  return { data: out, rows: rows.length, cols: m.cols };
}

/** The train and test parts of a table for a split. */
export function splitTable(
  t: Table,
  s: SplitReference,
): { Xtr: Matrix; ytr: number[]; Xte: Matrix; yte: number[]; train: number[] } {
  const isTest = new Uint8Array(t.X.rows);
  for (const i of s.test) isTest[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < t.X.rows; i++) if (!isTest[i]) train.push(i);
  return {
    Xtr: take(t.X, train),
    ytr: train.map((i) => t.y[i]),
    Xte: take(t.X, s.test),
    yte: s.test.map((i) => t.y[i]),
    train,
  };
}

/** Appends one-hot columns (4 categories) for the given codes: unscaled 0/1 columns, as a OneHotEncoder writes them. */
export function withOneHot(m: Matrix, codes: number[]): Matrix {
  const cols = m.cols + 4;
  const data = new Float64Array(m.rows * cols);
  for (let i = 0; i < m.rows; i++) {
    data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), i * cols);
    data[i * cols + m.cols + codes[i]] = 1;
  }
  return { data, rows: m.rows, cols };
}

/** (x - mean) / scale per column, with scikit-learn's StandardScaler statistics. */
export function standardize(m: Matrix, mean: number[], scale: number[]): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) data[i * m.cols + j] = (m.data[i * m.cols + j] - mean[j]) / scale[j];
  return { data, rows: m.rows, cols: m.cols };
}

/** The xorshift32 generator of make_parity.py; `uniform()` is exact: x / 2^31 - 1 in [-1, 1). */
class XorShift32 {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  uniform(): number {
    return this.next() / 2147483648.0 - 1.0;
  }
}

/** make_parity.py's `synthetic()`: 20,000 rows × 10 uniform features, a nonlinear signal plus noise, and its sign as class. */
export function synthetic(rows = 20000, cols = 10, seed = 12345): { X: Matrix; target: number[]; labels: number[] } {
  const g = new XorShift32(seed);
  const data = new Float64Array(rows * cols);
  const target: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = g.uniform();
    const x = (j: number): number => data[i * cols + j];
    const noise = (g.uniform() + g.uniform() + g.uniform()) * 0.15;
    target.push(x(0) + 2.0 * x(1) * x(2) - x(3) * x(3) + (0.5 * x(4) + 0.3) + noise);
  }
  return { X: { data, rows, cols }, target, labels: target.map((v) => (v > 0 ? 1 : 0)) };
}

/** scikit-learn's HistGradientBoosting numbers on the synthetic table (first 16,000 rows train, last 4,000 test). */
export interface SyntheticReference {
  first_rows: number[][];
  first_targets: number[];
  classifier_auto: { n_iter: number; train_accuracy: number; test_accuracy: number };
  classifier_false: { n_iter: number; train_accuracy: number; test_accuracy: number };
  regressor_auto: { n_iter: number; train_r2: number; test_r2: number };
  regressor_false: { n_iter: number; train_r2: number; test_r2: number };
}

/** Largest absolute difference between two equally shaped number grids. */
export function maxAbsDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  if (a.length !== b.length) throw new Error(`row counts differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) throw new Error(`row ${i}: ${a[i].length} vs ${b[i].length} columns`);
    for (let j = 0; j < a[i].length; j++) worst = Math.max(worst, Math.abs(a[i][j] - b[i][j]));
  }
  return worst;
}

/** Mean of a list. */
export function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
