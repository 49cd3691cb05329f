/**
 * The typed column classes, in a module with no heavy imports (the CSV parser's worker thread loads it).
 * Both implement arquero's column interface (`length`, `at(row)`, iteration).
 */

/** A category value: what a categorical column holds. */
export type Category = string | number | boolean;

/** A float64 column with a validity mask (`valid[i] === 0` means null; a null's value slot holds NaN). */
export class NumericColumn {
  readonly values: Float64Array;
  /** 1 = present, 0 = null; `null` when the column has no nulls. */
  readonly valid: Uint8Array | null;

  constructor(values: Float64Array, valid: Uint8Array | null = null) {
    this.values = values;
    this.valid = valid;
  }

  get length(): number {
    return this.values.length;
  }

  /** The value at `row`, or null. */
  at(row: number): number | null {
    return this.valid !== null && this.valid[row] === 0 ? null : this.values[row];
  }

  *[Symbol.iterator](): Iterator<number | null> {
    for (let i = 0; i < this.values.length; i++) yield this.at(i);
  }

  /** Plain array with nulls. */
  toArray(): (number | null)[] {
    const out = new Array<number | null>(this.values.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  /** True when the row is null or NaN (pandas' and scikit-learn's notion of missing). */
  isMissing(row: number): boolean {
    const v = this.values[row];
    return v !== v || (this.valid !== null && this.valid[row] === 0);
  }

  /** Builds a column from a Float64Array where NaN marks missing values. */
  static fromNaN(values: Float64Array): NumericColumn {
    let valid: Uint8Array | null = null;
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== values[i]) {
        if (valid === null) valid = new Uint8Array(values.length).fill(1);
        valid[i] = 0;
      }
    }
    return new NumericColumn(values, valid);
  }
}

/** A dictionary-encoded categorical column: `codes[i]` indexes `dictionary`, -1 is null. */
export class DictColumn {
  readonly codes: Int32Array;
  readonly dictionary: readonly Category[];

  constructor(codes: Int32Array, dictionary: readonly Category[]) {
    this.codes = codes;
    this.dictionary = dictionary;
  }

  get length(): number {
    return this.codes.length;
  }

  at(row: number): Category | null {
    const c = this.codes[row];
    return c < 0 ? null : this.dictionary[c];
  }

  *[Symbol.iterator](): Iterator<Category | null> {
    for (let i = 0; i < this.codes.length; i++) yield this.at(i);
  }

  toArray(): (Category | null)[] {
    const out = new Array<Category | null>(this.codes.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }
}
