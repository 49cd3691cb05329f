/**
 * The one input-validation module (scikit-learn's `utils/validation`, in short): feature checks, target checks and
 * fitted-state checks shared by every estimator, baseline and metric. A leaf: it imports nothing from other lib folders,
 * so every layer may use it.
 *
 * One wording: `<where>: <what is wrong>. <what to do>.`, where `where` names the call (`"SVC.fit"`, `"accuracy"`),
 * the row, column or label at fault.
 */

/** Bad input (features, targets, labels, shapes): the message says what is wrong and what to do. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValidationError";
  }
}

/** A model was used (predict, score, save, ...) before `fit`. */
export class NotFittedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFittedError";
  }
}

/** A class label: a number (an integer class code) or a string. */
export type Label = number | string;

/** The numeric matrix shape the checks read (structurally the same as lib/data's Matrix). */
export interface MatrixLike {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
  readonly columns?: readonly string[];
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean") return `the boolean ${v}`;
  return `a value of type ${typeof v}`;
}

/**
 * Throws unless `value` is present.
 * @throws ValidationError when it is null or undefined.
 */
export function checkPresent(value: unknown, what: "X" | "y", where: string): void {
  if (value === null || value === undefined) {
    throw new ValidationError(
      what === "X"
        ? `${where}: X is missing. Pass a feature matrix (a table, a 2-D tensor, or an array of rows).`
        : `${where}: y is missing. Pass a target with one value per row of X.`,
    );
  }
}

/**
 * Checks features given as a plain array of rows before they are converted: 2-D, same length rows, every value a
 * finite number (a `null` would silently become 0 in a Float64Array). Tables, tensors and matrices are left to their
 * converters. @throws ValidationError naming the first bad row and column.
 */
export function checkFeatureRows(X: unknown, where: string): void {
  if (!Array.isArray(X)) return;
  const rows = X as unknown[];
  let cols = -1;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as ArrayLike<unknown> | null;
    if (row === null || typeof row !== "object" || typeof (row as ArrayLike<unknown>).length !== "number") {
      throw new ValidationError(
        `${where}: X must be 2-D (samples × features), but row ${i} is ${describe(row)}. Wrap each sample in an array: [[x1], [x2], ...].`,
      );
    }
    if (cols < 0) cols = row.length;
    else if (row.length !== cols)
      throw new ValidationError(
        `${where}: row ${i} has ${row.length} values but row 0 has ${cols}. Every sample needs the same number of features.`,
      );
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new ValidationError(
          `${where}: row ${i}, column ${j} is ${describe(v)}, not a finite number. Impute or drop missing values and encode categorical columns first.`,
        );
      }
    }
  }
}

/** What a converted feature matrix is checked against. */
export interface FeatureCheck {
  /** The number of features seen in fit (predict, score, transform). */
  nFeatures?: number;
  /** The feature names seen in fit, for the message. */
  featureNames?: readonly string[] | null;
}

/**
 * Checks a converted feature matrix: at least one row and one column, every value finite, and (after fit) the
 * column count seen in fit. @throws ValidationError naming the row and column.
 */
export function checkFeatureMatrix(m: MatrixLike, where: string, check: FeatureCheck = {}): void {
  if (m.rows === 0) throw new ValidationError(`${where}: X is empty (0 rows). Pass at least one sample.`);
  if (m.cols === 0) throw new ValidationError(`${where}: X has no feature columns. Pass at least one feature.`);
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k])) {
      const row = Math.floor(k / m.cols);
      const col = k % m.cols;
      const name = m.columns?.[col] !== undefined ? `column "${m.columns[col]}"` : `column ${col}`;
      throw new ValidationError(
        `${where}: Row ${row}, ${name}: ${d[k]} is not a finite number. Impute or drop it first.`,
      );
    }
  }
  if (check.nFeatures !== undefined && m.cols !== check.nFeatures) {
    const names = check.featureNames ? ` (${check.featureNames.join(", ")})` : "";
    throw new ValidationError(
      `${where}: X has ${m.cols} features but the model was fitted on ${check.nFeatures}${names}. Pass the same feature columns as in fit.`,
    );
  }
}

/**
 * Throws unless X and y have the same number of samples.
 * @throws ValidationError with both counts.
 */
export function checkConsistentLength(rows: number, targets: number, where: string): void {
  if (rows !== targets) {
    throw new ValidationError(
      `${where}: X has ${rows} rows but y has ${targets} values. They must match: one target per sample.`,
    );
  }
}

/** Orders labels like numpy: numbers numerically, strings by code point. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Checks class labels one by one: each is an integer-valued number or a string, and they are all of one type.
 * Label identity is `===` (so `1` and `"1"` are different labels, and predictions return the type given).
 * @throws ValidationError on null/undefined/NaN/Infinity, a fractional number (a continuous target), a boolean or
 * other type, or mixed numbers and strings; naming the index (`name[i]`). An empty `where` drops the prefix.
 */
export function checkLabelValues(values: ArrayLike<unknown>, name: string, where: string): Label[] {
  const at = where ? `${where}: ` : "";
  let kind: "number" | "string" | undefined;
  const out: Label[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) {
      throw new ValidationError(
        `${at}${name}[${i}] is ${describe(v)}, a missing class label. Drop or impute rows with a missing label first.`,
      );
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v))
        throw new ValidationError(
          `${at}${name}[${i}] is ${v}, not a class label. Class labels must be integers or strings.`,
        );
      if (!Number.isInteger(v)) {
        throw new ValidationError(
          `${at}${name}[${i}] is ${v}: continuous values are not class labels (labels must be integers or strings). ` +
            `For a continuous target use a regressor (e.g. LinearRegression); for predictions, pass labels, not probabilities.`,
        );
      }
    } else if (typeof v !== "string") {
      throw new ValidationError(
        `${at}${name}[${i}] is ${describe(v)}. Class labels must be integers or strings: map booleans to 0/1 or to names first.`,
      );
    }
    const k = typeof v as "number" | "string";
    if (kind === undefined) kind = k;
    else if (kind !== k)
      throw new ValidationError(`${at}${name} mixes numbers and strings (at index ${i}). Use one type of class label.`);
    out[i] = v as Label;
  }
  return out;
}

/** Class labels encoded as 0..K-1 in sorted label order. */
export interface EncodedLabels {
  classes: Label[];
  codes: Int32Array;
}

/**
 * Checks a classifier's training target and encodes it: valid labels ({@link checkLabelValues}), one per row, at
 * least two classes. @throws ValidationError otherwise.
 */
export function checkClassificationTarget(y: ArrayLike<unknown>, rows: number, where: string): EncodedLabels {
  checkConsistentLength(rows, y.length, where);
  const labels = checkLabelValues(y, "y", where);
  const classes = Array.from(new Set(labels)).sort(compareLabels);
  if (classes.length < 2) {
    throw new ValidationError(
      `${where}: y has only one class (${JSON.stringify(classes[0])}). A classifier needs at least two classes; check your split or filter.`,
    );
  }
  const index = new Map<Label, number>(classes.map((c, k) => [c, k]));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) codes[i] = index.get(labels[i]) as number;
  return { classes, codes };
}

/**
 * Checks a regression target: one finite number per row.
 * @throws ValidationError naming the first row that is not a finite number.
 */
export function checkRegressionTarget(y: ArrayLike<unknown>, rows: number, where: string): Float64Array {
  checkConsistentLength(rows, y.length, where);
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ValidationError(
        `${where}: target row ${i} is ${describe(v)}, not a finite number. Regression needs numeric targets: drop or impute missing ones.`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Labels to score against a fitted classifier's classes: valid labels, one per prediction.
 * @throws ValidationError on a bad label or a length mismatch.
 */
export function checkScoringLabels(y: ArrayLike<unknown>, rows: number, where: string): Label[] {
  checkConsistentLength(rows, y.length, where);
  return checkLabelValues(y, "y", where);
}

/**
 * Throws unless the model is fitted.
 * @throws NotFittedError saying to call fit first.
 */
export function checkFitted(fitted: boolean, model: string, method: string): void {
  if (!fitted) throw new NotFittedError(`${model}.${method}: the model is not fitted yet. Call fit(X, y) first.`);
}

/**
 * Re-raises an error thrown while converting input as a {@link ValidationError} prefixed with `where`
 * (ValidationErrors pass through unchanged).
 */
export function asValidationError(err: unknown, where: string): Error {
  if (err instanceof ValidationError || err instanceof NotFittedError) return err;
  return new ValidationError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
}
