/**
 * Label handling shared by the classification metrics: scikit-learn's `unique_labels` and `type_of_target`, in short.
 */
import type { TargetInput } from "../data/matrix";
import { toTargetArray } from "../data/matrix";

/** A class label: a number (class code) or a string. */
export type Label = number | string;

/**
 * Reads a target as class labels.
 * @throws Error when it is empty, holds null/NaN, mixes numbers and strings, or holds non-integer numbers
 * (continuous values are not class labels).
 */
export function readLabels(y: TargetInput, name: string, options: { allowEmpty?: boolean } = {}): Label[] {
  if (y === null || y === undefined) throw new Error(`${name} is missing: pass an array of class labels.`);
  const values = toTargetArray(y);
  if (values.length === 0 && !options.allowEmpty) {
    throw new Error(`${name} is empty: a metric needs at least one sample.`);
  }
  let kind: "number" | "string" | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as unknown;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error(`${name}[${i}] is ${v}: class labels must be finite numbers or strings.`);
      if (!Number.isInteger(v)) {
        throw new Error(
          `${name}[${i}] is ${v}: continuous values are not class labels. Use regression metrics, or pass predicted labels (not probabilities).`,
        );
      }
    } else if (typeof v !== "string") {
      throw new Error(`${name}[${i}] is ${v === null ? "null" : typeof v}: class labels must be numbers or strings. Drop or impute missing labels.`);
    }
    const k = typeof v as "number" | "string";
    if (kind === undefined) kind = k;
    else if (kind !== k) throw new Error(`${name} mixes numbers and strings (at index ${i}): use one type of class label.`);
  }
  return values;
}

/** Orders labels like numpy: numbers numerically, strings by code point. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * The sorted union of the labels in several arrays (scikit-learn's `unique_labels`).
 * @throws Error when the arrays mix numbers and strings.
 */
export function uniqueLabels(...arrays: readonly (readonly Label[])[]): Label[] {
  const seen = new Set<Label>();
  let kind: string | undefined;
  for (const arr of arrays) {
    for (const v of arr) {
      if (kind === undefined) kind = typeof v;
      else if (kind !== typeof v) throw new Error("y_true and y_pred mix numbers and strings: use one type of class label for both.");
      seen.add(v);
    }
  }
  return Array.from(seen).sort(compareLabels);
}

/** Label to its position in `labels`. */
export function labelIndex(labels: readonly Label[]): Map<Label, number> {
  return new Map(labels.map((l, i) => [l, i]));
}

/** Throws unless the two arrays have the same length. */
export function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, nameA: string, nameB: string): void {
  if (a.length !== b.length) {
    throw new Error(`${nameA} has ${a.length} samples but ${nameB} has ${b.length}: they must be the same length.`);
  }
}

/**
 * Reads numbers (scores, regression targets).
 * @throws Error when empty, or a value is not a finite number.
 */
export function readNumbers(y: TargetInput | ArrayLike<number>, name: string, options: { allowEmpty?: boolean } = {}): number[] {
  if (y === null || y === undefined) throw new Error(`${name} is missing: pass an array of numbers.`);
  const values = toTargetArray(y as TargetInput);
  if (values.length === 0 && !options.allowEmpty) throw new Error(`${name} is empty: a metric needs at least one sample.`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${name}[${i}] is ${JSON.stringify(v) ?? String(v)}: expected a finite number. Impute or drop it first.`);
    }
  }
  return values as number[];
}

/** Numerically stable sum (Neumaier), so means match numpy's pairwise sums to ~1e-15. */
export function stableSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return sum + c;
}

/** Mean with {@link stableSum}. */
export function mean(values: ArrayLike<number>): number {
  return stableSum(values) / values.length;
}
