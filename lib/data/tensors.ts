/**
 * Tables to tfjs tensors: features as a float32 [rows, features] tensor, labels as int32 class indices or a one-hot
 * float32 [rows, classes] tensor. Checks dtype and shape; a NaN or null left in a feature is an error naming the column.
 */
import * as tf from "@tensorflow/tfjs";
import type { ColumnTable } from "arquero";
import { Category, columnKind, compareCategories, dictColumn, materialize, numericColumn } from "./columns";

/** Options of {@link toTensors}. */
export interface ToTensorsOptions {
  /** Feature columns, in order (default: every column except the label). */
  features?: string[];
  /** The label column. */
  label?: string;
  /** "integer" (int32 class indices, default), "onehot" (float32 one-hot) or "regression" (float32 values). */
  labelEncoding?: "integer" | "onehot" | "regression";
  /** Class order for classification labels (default: sorted distinct labels). */
  classes?: readonly Category[];
  /** Feature dtype (default float32). */
  dtype?: "float32" | "int32";
}

/** Tensors made from a table; the caller disposes them (or calls dispose()). */
export interface TableTensors {
  x: tf.Tensor2D;
  y?: tf.Tensor1D | tf.Tensor2D;
  featureNames: string[];
  classes?: Category[];
  dispose(): void;
}

/**
 * Converts a table to a feature tensor (and a label tensor when `label` is given).
 * @throws Error naming the column (and row) for a missing value, NaN or non-numeric feature; for an empty table; for a
 *   label outside `classes`; or for a missing label.
 */
export function toTensors(table: ColumnTable, options: ToTensorsOptions = {}): TableTensors {
  const t = materialize(table);
  const rows = t.numRows();
  if (rows === 0) throw new Error("toTensors: the table is empty (0 rows); a tensor needs at least one row.");
  if (options.label !== undefined && !t.columnNames().includes(options.label))
    throw new Error(
      `toTensors: label column "${options.label}" is not in the table. Columns: ${t.columnNames().join(", ")}.`,
    );
  const features = options.features ?? t.columnNames().filter((n) => n !== options.label);
  if (features.length === 0) throw new Error("toTensors: no feature columns.");
  const cols = features.length;
  const data = options.dtype === "int32" ? new Int32Array(rows * cols) : new Float32Array(rows * cols);
  features.forEach((name, j) => {
    if (!t.columnNames().includes(name))
      throw new Error(
        `toTensors: feature column "${name}" is not in the table. Columns: ${t.columnNames().join(", ")}.`,
      );
    const kind = columnKind(t, name);
    if (kind !== "number" && kind !== "boolean") {
      throw new Error(
        `toTensors: feature column "${name}" is ${kind}, not numeric. Encode it first (OneHotEncoder / OrdinalEncoder) or leave it out of features.`,
      );
    }
    const v = numericColumn(t, name).values;
    for (let i = 0; i < rows; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) {
        throw new Error(
          `toTensors: feature column "${name}" has ${x !== x ? "a missing value (null/NaN)" : `the value ${x}`} at row ${i}. Impute or drop missing values before making tensors.`,
        );
      }
      data[i * cols + j] = x;
    }
  });
  const x = tf.tensor2d(data, [rows, cols], options.dtype ?? "float32");
  if (x.shape[0] !== rows || x.shape[1] !== cols)
    throw new Error(`toTensors: internal shape mismatch [${x.shape}] vs [${rows}, ${cols}].`);
  const out: TableTensors = {
    x,
    featureNames: features,
    dispose: () => tf.dispose([out.x, ...(out.y ? [out.y] : [])]),
  };
  if (options.label === undefined) return out;
  const encoding = options.labelEncoding ?? "integer";
  if (encoding === "regression") {
    const v = numericColumn(t, options.label).values;
    for (let i = 0; i < rows; i++)
      if (!Number.isFinite(v[i])) {
        x.dispose();
        throw new Error(`toTensors: label column "${options.label}" is missing or not finite at row ${i}.`);
      }
    out.y = tf.tensor1d(Float32Array.from(v), "float32");
    return out;
  }
  const col = dictColumn(t, options.label);
  const present = [
    ...new Set(
      Array.from(col.codes)
        .filter((c) => c >= 0)
        .map((c) => col.dictionary[c]),
    ),
  ];
  const classes = options.classes ? [...options.classes] : present.sort(compareCategories);
  const index = new Map<Category, number>();
  classes.forEach((c, k) => index.set(c, k));
  const codeToClass = col.dictionary.map(
    (v) =>
      index.get(v) ??
      index.get(String(v)) ??
      (typeof v === "string" && v.trim() !== "" ? index.get(Number(v)) : undefined) ??
      -1,
  );
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = col.codes[i];
    if (c < 0) {
      x.dispose();
      throw new Error(`toTensors: label column "${options.label}" is missing at row ${i}. Drop unlabeled rows first.`);
    }
    const k = codeToClass[c];
    if (k < 0) {
      x.dispose();
      throw new Error(
        `toTensors: label ${JSON.stringify(col.dictionary[c])} at row ${i} is not among the classes [${classes.map((v) => JSON.stringify(v)).join(", ")}].`,
      );
    }
    y[i] = k;
  }
  out.classes = classes;
  if (encoding === "onehot") {
    out.y = tf.tidy(() => tf.oneHot(tf.tensor1d(y, "int32"), classes.length).toFloat()) as tf.Tensor2D;
  } else out.y = tf.tensor1d(y, "int32");
  return out;
}
