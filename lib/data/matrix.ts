/**
 * The numeric matrix every estimator consumes: row-major Float64Array plus shape and column names.
 * Tables, nested arrays and 2-D tensors all convert to it, so classical and tfjs models share one input type.
 */
import * as tf from "@tensorflow/tfjs";
import type { ColumnTable } from "arquero";
import { isTable } from "../core/table";

/** A dense row-major matrix of float64 values. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** Feature names, when known (from a table). */
  readonly columns?: readonly string[];
}

/** Anything trainlab accepts as features. */
export type FeatureInput = Matrix | ColumnTable | tf.Tensor2D | ArrayLike<ArrayLike<number>>;

/** Anything trainlab accepts as a target: numbers (regression or class codes) or class labels (defined in lib/core). */
export type { TargetInput } from "../core/target";

/** True when `x` is a {@link Matrix}. */
export function isMatrix(x: unknown): x is Matrix {
  return (
    typeof x === "object" &&
    x !== null &&
    (x as Matrix).data instanceof Float64Array &&
    typeof (x as Matrix).rows === "number"
  );
}

/**
 * Converts features to a {@link Matrix}. From a table, `columns` picks and orders the columns (default: all).
 * @throws Error naming the column (and row) when a value is not a finite number, or when rows are ragged.
 */
export function toMatrix(x: FeatureInput, columns?: readonly string[]): Matrix {
  if (isMatrix(x)) return x;
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2)
      throw new Error(`Expected a 2-D tensor of features, got shape [${x.shape}]. Reshape it to [samples, features].`);
    const [rows, cols] = x.shape as [number, number];
    return checkFinite({ data: Float64Array.from(x.dataSync()), rows, cols });
  }
  if (isTable(x)) {
    const names = columns ?? x.columnNames();
    const rows = x.numRows();
    const data = new Float64Array(rows * names.length);
    names.forEach((name, j) => {
      if (!x.columnNames().includes(name))
        throw new Error(`Column "${name}" is not in the table. Columns: ${x.columnNames().join(", ")}.`);
      const values = x.array(name) as ArrayLike<unknown>;
      for (let i = 0; i < rows; i++) {
        const v = values[i];
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new Error(
            `Column "${name}", row ${i}: ${v === null || v === undefined ? "missing value" : `non-numeric value ${JSON.stringify(v)}`}. ` +
              `Impute or drop missing values and encode categorical columns before building a feature matrix.`,
          );
        }
        data[i * names.length + j] = v;
      }
    });
    return { data, rows, cols: names.length, columns: names };
  }
  const rowsIn = x as ArrayLike<ArrayLike<number>>;
  const rows = rowsIn.length;
  const cols = rows > 0 ? rowsIn[0].length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = rowsIn[i];
    if (row.length !== cols)
      throw new Error(
        `Row ${i} has ${row.length} values but row 0 has ${cols}: every sample needs the same number of features.`,
      );
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
  }
  return checkFinite({ data, rows, cols });
}

/**
 * Checks that every value is finite.
 * @throws Error naming the first bad row and column.
 */
export function checkFinite(m: Matrix): Matrix {
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) {
      const row = Math.floor(k / m.cols);
      const col = k % m.cols;
      const name = m.columns?.[col] !== undefined ? `column "${m.columns[col]}"` : `column ${col}`;
      throw new Error(`Row ${row}, ${name}: ${m.data[k]} is not a finite number. Impute or drop it before fitting.`);
    }
  }
  return m;
}

/** Row `i` of a matrix, as a view (no copy). */
export function matrixRow(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** A new matrix of the given rows, in the given order. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const data = new Float64Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) data.set(matrixRow(m, indices[r]), r * m.cols);
  return { data, rows: indices.length, cols: m.cols, columns: m.columns };
}

/** Converts a target to a plain array (numbers or strings), from arrays, typed arrays or a 1-D tensor (defined in lib/core). */
export { toTargetArray } from "../core/target";

/** A 2-D float32 tensor of a matrix (caller disposes it). */
export function matrixToTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols], "float32");
}
