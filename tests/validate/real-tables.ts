/**
 * Real tables for the calibration battery: scikit-learn's bundled datasets, committed as CSV in
 * tests/fixtures/datasets (last column `target`), read as matrices, and seeded i.i.d. splits of them.
 */
import * as fs from "fs";
import * as path from "path";
import type { Matrix } from "../../lib/data/matrix";
import { SeededRandom } from "../../lib/random";

/** A numeric table: features as a matrix with column names, and the target column. */
export interface RealTable {
  name: string;
  X: Matrix;
  y: number[];
}

const cache = new Map<string, RealTable>();

/** Reads tests/fixtures/datasets/<name>.csv (numbers only; the last column is the target). */
export function realTable(name: "wine" | "breast_cancer" | "diabetes" | "iris" | "digits"): RealTable {
  const hit = cache.get(name);
  if (hit) return hit;
  const file = path.join(__dirname, "..", "..", "..", "tests", "fixtures", "datasets", `${name}.csv`);
  const lines = fs.readFileSync(file, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  const rows = lines.slice(1).map((l) => l.split(",").map(Number));
  const cols = header.length - 1;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r.slice(0, cols), i * cols));
  const table = {
    name,
    X: { data, rows: rows.length, cols, columns: header.slice(0, cols) },
    y: rows.map((r) => r[cols]),
  };
  cache.set(name, table);
  return table;
}

/** Rows `indices` of a matrix. */
export function rowsOf(X: Matrix, indices: ArrayLike<number>): Matrix {
  const data = new Float64Array(indices.length * X.cols);
  for (let r = 0; r < indices.length; r++)
    data.set(X.data.subarray(indices[r] * X.cols, (indices[r] + 1) * X.cols), r * X.cols);
  return { data, rows: indices.length, cols: X.cols, columns: X.columns };
}

/** The matrix with one more column `name` holding `values`. */
export function withColumn(X: Matrix, name: string, values: ArrayLike<number>): Matrix {
  const cols = X.cols + 1;
  const data = new Float64Array(X.rows * cols);
  for (let i = 0; i < X.rows; i++) {
    data.set(X.data.subarray(i * X.cols, (i + 1) * X.cols), i * cols);
    data[i * cols + X.cols] = values[i];
  }
  return { data, rows: X.rows, cols, columns: [...(X.columns ?? []), name] };
}

/** A column of uniform noise, independent of everything. */
export function noise(rows: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed, 5);
  return Float64Array.from({ length: rows }, () => rng.next());
}

/** A seeded shuffled 70/15/15 split of row indices (train, validation, test), as trainValTestSplit does. */
export function iidSplit(rows: number, seed: number): { train: number[]; val: number[]; test: number[] } {
  const order = Array.from(new SeededRandom(seed, 0x5eed).permutation(rows));
  const nTrain = Math.round(rows * 0.7);
  const nVal = Math.round(rows * 0.15);
  return { train: order.slice(0, nTrain), val: order.slice(nTrain, nTrain + nVal), test: order.slice(nTrain + nVal) };
}

/** A seeded i.i.d. split of (X, y) (see iidSplit): the training rows, and the other rows (validation and test). */
export function splitRows(
  X: Matrix,
  y: readonly number[],
  seed: number,
): { Xtrain: Matrix; ytrain: number[]; Xrest: Matrix; yrest: number[]; rest: number[] } {
  const s = iidSplit(X.rows, seed);
  const rest = [...s.val, ...s.test];
  return {
    Xtrain: rowsOf(X, s.train),
    ytrain: s.train.map((i) => y[i]),
    Xrest: rowsOf(X, rest),
    yrest: rest.map((i) => y[i]),
    rest,
  };
}

/**
 * The largest number of false alarms a check with false-alarm rate at most `alpha` shows in `runs` independent
 * runs, except with probability at most `tail`: the smallest k with P(Binomial(runs, alpha) > k) ≤ tail.
 * A test asserting "alarms ≤ k" then wrongly fails a calibrated check with probability at most `tail`.
 */
export function binomialAllowance(runs: number, alpha: number, tail = 0.001): number {
  let pmf = (1 - alpha) ** runs;
  let cdf = pmf;
  let k = 0;
  while (1 - cdf > tail && k < runs) {
    pmf *= ((runs - k) / (k + 1)) * (alpha / (1 - alpha));
    k++;
    cdf += pmf;
  }
  return k;
}
