/**
 * Label handling shared by the classification metrics: scikit-learn's `unique_labels` and `type_of_target`, in short.
 */
import type { TargetInput } from "../core/target";
import { toTargetArray } from "../core/target";
import { Label, ValidationError, asValidationError, checkLabelValues, compareLabels } from "../core/validation";

export type { Label };
export { compareLabels };

function arrayOf(y: TargetInput, name: string): (number | string)[] {
  try {
    return toTargetArray(y);
  } catch (err) {
    throw asValidationError(err, name);
  }
}

/**
 * Reads a target as class labels (lib/core/validation's label rules: integers or strings, one type, none missing).
 * @throws ValidationError when it is empty, holds null/NaN, mixes numbers and strings, or holds non-integer numbers
 * (continuous values are not class labels).
 */
export function readLabels(y: TargetInput, name: string, options: { allowEmpty?: boolean } = {}): Label[] {
  if (y === null || y === undefined) throw new ValidationError(`${name} is missing: pass an array of class labels.`);
  const values = arrayOf(y, name);
  if (values.length === 0 && !options.allowEmpty) {
    throw new ValidationError(`${name} is empty: a metric needs at least one sample.`);
  }
  return checkLabelValues(values, name, "");
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
      else if (kind !== typeof v)
        throw new ValidationError("y_true and y_pred mix numbers and strings: use one type of class label for both.");
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
    throw new ValidationError(
      `${nameA} has ${a.length} samples but ${nameB} has ${b.length}: they must be the same length.`,
    );
  }
}

/**
 * Reads numbers (scores, regression targets).
 * @throws Error when empty, or a value is not a finite number.
 */
export function readNumbers(
  y: TargetInput | ArrayLike<number>,
  name: string,
  options: { allowEmpty?: boolean } = {},
): number[] {
  if (y === null || y === undefined) throw new ValidationError(`${name} is missing: pass an array of numbers.`);
  const values = arrayOf(y as TargetInput, name);
  if (values.length === 0 && !options.allowEmpty)
    throw new ValidationError(`${name} is empty: a metric needs at least one sample.`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ValidationError(
        `${name}[${i}] is ${JSON.stringify(v) ?? String(v)}: expected a finite number. Impute or drop it first.`,
      );
    }
  }
  return values as number[];
}
