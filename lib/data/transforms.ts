/**
 * Table transforms with scikit-learn's contract: `fit(train)` learns state from the training split only,
 * `transform(table)` applies that state to any split, parameters are plain data, and `toJSON()`/`transformFromJSON()`
 * round-trip the fitted state exactly. All work happens on typed columns (Float64Array + NaN for missing,
 * dictionary codes for categories), never on row objects.
 */
import type { ColumnTable } from "arquero";
import type { FeatureInput } from "./matrix";
import {
  Category, DictColumn, NumericColumn, asTable, codeCounts, columnKind, compareCategories, dictColumn, makeTable, materialize,
  missingCount, numericColumn, takeTableRows, withColumns,
} from "./columns";
import { inheritProvenance } from "./provenance";
import { meanStd, minMax, presentValues, quantileInPlace } from "./stats";

/** Plain-JSON value. */
export type ParamJson = null | boolean | number | string | ParamJson[] | { [key: string]: ParamJson };

/** The serialized form of a transform: its kind, parameters and fitted state. */
export interface TransformJSON {
  kind: string;
  params: ParamJson;
  state: ParamJson | null;
}

/** What a fitted step did to the training data (used by pipeline.checklist()). */
export interface StepFacts {
  rowsIn: number;
  rowsOut: number;
  columnsIn: string[];
  columnsOut: string[];
  /** Step-specific counts, e.g. { duplicatesRemoved: 12 } or { imputed: { age: 3 } }. */
  details: Record<string, ParamJson>;
  /** Missing values per column in the step's input and output (columns with none left out), counted from the tables. */
  missingIn?: Record<string, number>;
  missingOut?: Record<string, number>;
}

/** Missing values per column of a table, leaving out the columns that have none. */
/**
 * Missing values per column (columns without any left out). With `known` (the counts of another table), a column that
 * is the very same storage object in both unfiltered tables reuses its count instead of scanning it again: a step's
 * output shares every column it did not change with its input.
 */
function missingByColumn(table: ColumnTable, known?: { table: ColumnTable; counts: Record<string, number> }): Record<string, number> {
  const out: Record<string, number> = {};
  const isView = (t: ColumnTable) => t.isFiltered() || t.isOrdered();
  const reuse = known !== undefined && !isView(table) && !isView(known.table);
  const before = reuse ? new Set(known.table.columnNames()) : null;
  for (const n of table.columnNames()) {
    const m = before !== null && before.has(n) && known!.table.column(n) === table.column(n) ? known!.counts[n] ?? 0 : missingCount(table, n);
    if (m > 0) out[n] = m;
  }
  return out;
}

/** The fit/transform contract every step of a {@link Pipeline} follows. */
export abstract class Transform {
  /** The class name, used for serialization. */
  abstract readonly kind: string;
  /** What fit() did on the training data, once fitted. */
  facts: StepFacts | null = null;

  /** True once fit() has run (or the state was restored from JSON). */
  get fitted(): boolean {
    return this.stateJSON() !== null;
  }

  /**
   * Learns state from the training table only (a Matrix or nested arrays are read as numeric columns x0, x1, ...).
   * `y` is accepted for scikit-learn compatibility and ignored. Every call relearns from scratch. Returns this.
   */
  fit(table: ColumnTable | FeatureInput, _y?: unknown): this {
    this.learn(materialize(asTable(table)));
    return this;
  }

  /** An unfitted copy with the same parameters. */
  clone(): Transform {
    return transformFromJSON({ kind: this.kind, params: this.paramsJSON(), state: null });
  }

  /**
   * Applies the learned state.
   * @throws Error when called before fit(), or when a column the step needs is missing.
   */
  transform(input: ColumnTable | FeatureInput): ColumnTable {
    if (!this.fitted) throw new Error(`${this.kind}: call fit(trainTable) before transform().`);
    const table = asTable(input);
    return inheritProvenance(this.apply(materialize(table)), table);
  }

  /** fit(table) then transform(table), recording what the step did. */
  fitTransform(table: ColumnTable | FeatureInput, _y?: unknown): ColumnTable {
    const input = materialize(asTable(table));
    const missingIn = missingByColumn(input); // before the step runs, whatever it does to its input
    this.learn(input);
    const out = this.transform(input);
    // Built-in steps never write into their input's columns, so a column they pass through keeps its count.
    const missingOut = missingByColumn(out, PURE_STEPS.has(this.constructor) ? { table: input, counts: missingIn } : undefined);
    this.facts = {
      rowsIn: input.numRows(), rowsOut: out.numRows(), columnsIn: input.columnNames(), columnsOut: out.columnNames(),
      details: this.describeFit(input, out, { missingIn, missingOut }), missingIn, missingOut,
    };
    return out;
  }

  /** True when transform() returns exactly one output row per input row, in order (every step but DropDuplicates). */
  get preservesRows(): boolean {
    return true;
  }

  /** The serialized step: kind, params and fitted state. */
  toJSON(): TransformJSON {
    return { kind: this.kind, params: this.paramsJSON(), state: this.stateJSON() };
  }

  /** One line saying what the step does (for the pipeline diagram). */
  abstract describe(): string;
  /** The parameters as plain JSON. */
  abstract paramsJSON(): ParamJson;
  /** The fitted state as plain JSON, or null before fit. */
  abstract stateJSON(): ParamJson | null;
  /** Restores state from {@link stateJSON} output. */
  abstract loadState(state: ParamJson): void;
  protected abstract learn(table: ColumnTable): void;
  protected abstract apply(table: ColumnTable): ColumnTable;
  /** What fit did, for `facts.details`; `counts` are the missing values per column of input and output (absent = 0). */
  protected describeFit(_input: ColumnTable, _output: ColumnTable, _counts: { missingIn: Record<string, number>; missingOut: Record<string, number> }): Record<string, ParamJson> {
    return {};
  }
}

function requireColumns(kind: string, table: ColumnTable, names: readonly string[]): void {
  const have = new Set(table.columnNames());
  for (const n of names) {
    if (!have.has(n)) throw new Error(`${kind}: column "${n}" is not in the table. Columns: ${table.columnNames().join(", ") || "(none)"}.`);
  }
}

function numericColumnsOf(table: ColumnTable): string[] {
  return table.columnNames().filter((n) => columnKind(table, n) === "number");
}
function categoricalColumnsOf(table: ColumnTable): string[] {
  return table.columnNames().filter((n) => {
    const k = columnKind(table, n);
    return k === "string" || k === "boolean";
  });
}


// ----------------------------------------------------------------------------------------- DropDuplicates

/** Parameters of {@link DropDuplicates}. */
export interface DropDuplicatesParams {
  /** Columns that define a duplicate (default: all). */
  subset?: string[];
}

/** Row hash over typed columns, for duplicate detection. */
function rowKeys(table: ColumnTable, names: readonly string[]): { hashes: Int32Array; equal: (a: number, b: number) => boolean } {
  const n = table.numRows();
  const hashes = new Int32Array(n).fill(0x2545f491);
  const comparers: ((a: number, b: number) => boolean)[] = [];
  for (const name of names) {
    const kind = columnKind(table, name);
    if (kind === "number") {
      const values = numericColumn(table, name).values;
      const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let lo: number;
        let hi: number;
        if (v !== v) {
          lo = 0x7ff80000;
          hi = 1;
        } else if (v === 0) {
          lo = 0;
          hi = 0;
        } else {
          lo = words[2 * i];
          hi = words[2 * i + 1];
        }
        let h = hashes[i];
        h = Math.imul(h ^ lo, 0x9e3779b1);
        h = Math.imul(h ^ hi, 0x85ebca6b);
        hashes[i] = h ^ (h >>> 15);
      }
      comparers.push((a, b) => values[a] === values[b] || (values[a] !== values[a] && values[b] !== values[b]));
    } else {
      const codes = dictColumn(table, name).codes;
      for (let i = 0; i < n; i++) {
        let h = hashes[i];
        h = Math.imul(h ^ (codes[i] + 7), 0xcc9e2d51);
        hashes[i] = h ^ (h >>> 13);
      }
      comparers.push((a, b) => codes[a] === codes[b]);
    }
  }
  return {
    hashes,
    equal: (a, b) => {
      for (let k = 0; k < comparers.length; k++) if (!comparers[k](a, b)) return false;
      return true;
    },
  };
}

/** Indices of the first occurrence of each distinct row. */
export function uniqueRowIndices(table: ColumnTable, subset?: readonly string[]): Uint32Array {
  const names = subset ?? table.columnNames();
  const n = table.numRows();
  if (n === 0 || names.length === 0) return Uint32Array.from({ length: Math.min(n, 1) }, (_, i) => i);
  const { hashes, equal } = rowKeys(table, names);
  let size = 1;
  while (size < n * 2) size <<= 1;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const keep = new Uint32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    let s = hashes[i] & mask;
    let dup = false;
    for (;;) {
      const j = slots[s];
      if (j < 0) break;
      if (hashes[j] === hashes[i] && equal(i, j)) {
        dup = true;
        break;
      }
      s = (s + 1) & mask;
    }
    if (!dup) {
      slots[s] = i;
      keep[kept++] = i;
    }
  }
  return keep.subarray(0, kept);
}

/** Number of rows that repeat an earlier row exactly (pandas' `duplicated().sum()`). */
export function countDuplicates(table: ColumnTable, subset?: readonly string[]): number {
  return table.numRows() - uniqueRowIndices(materialize(table), subset).length;
}

/**
 * Cleaning before the split: drops exact duplicate rows from the whole table (keeping the first occurrence) and
 * records how many it removed, which pipeline.checklist() reports for the splits made from the result. Prefer it to
 * a {@link DropDuplicates} pipeline step: a fitted pipeline then keeps one output row per input row, so predictions
 * on new data stay aligned with their inputs and labels. Returns a new table (sharing the columns when nothing is removed).
 * @throws Error when a `subset` column is not in the table.
 */
export function dropDuplicates(table: ColumnTable, options: DropDuplicatesParams = {}): ColumnTable {
  if (options.subset) requireColumns("dropDuplicates", table, options.subset);
  const input = materialize(table);
  const keep = uniqueRowIndices(input, options.subset);
  const dedupe = { rowsIn: input.numRows(), removed: input.numRows() - keep.length, ...(options.subset ? { subset: [...options.subset] } : {}) };
  // Without duplicates, a new table over the same columns (no copy), so the record belongs to the result only.
  const out = keep.length === input.numRows() ? withColumns(input, {}) : takeTableRows(input, keep);
  return inheritProvenance(out, table, { dedupe });
}

/**
 * Pipeline step that drops exact duplicate rows (keeping the first). Stateless: it applies to each split on its own.
 * It changes the number of rows at transform time, so labels must come from the transformed table; to keep a
 * pipeline row-preserving, dedupe the whole table with {@link dropDuplicates} before splitting instead.
 */
export class DropDuplicates extends Transform {
  readonly kind = "DropDuplicates";
  readonly params: DropDuplicatesParams;
  private done = false;

  constructor(params: DropDuplicatesParams = {}) {
    super();
    this.params = { ...params };
  }
  override get preservesRows(): boolean {
    return false;
  }
  describe(): string {
    return `drop duplicate rows${this.params.subset ? ` (by ${this.params.subset.join(", ")})` : ""}`;
  }
  paramsJSON(): ParamJson {
    return this.params.subset ? { subset: this.params.subset } : {};
  }
  stateJSON(): ParamJson | null {
    return this.done ? {} : null;
  }
  loadState(): void {
    this.done = true;
  }
  protected learn(table: ColumnTable): void {
    if (this.params.subset) requireColumns(this.kind, table, this.params.subset);
    this.done = true;
  }
  protected apply(table: ColumnTable): ColumnTable {
    if (this.params.subset) requireColumns(this.kind, table, this.params.subset);
    const keep = uniqueRowIndices(table, this.params.subset);
    return keep.length === table.numRows() ? table : takeTableRows(table, keep);
  }
  protected override describeFit(input: ColumnTable, output: ColumnTable): Record<string, ParamJson> {
    return { duplicatesRemoved: input.numRows() - output.numRows() };
  }
}

// ----------------------------------------------------------------------------------------- Impute

/** How {@link Impute} fills a column. */
export type ImputeStrategy = "mean" | "median" | "most_frequent" | { constant: number | string };

/** What {@link Impute} does with string/boolean columns when `strategy` is "mean" or "median" (which only apply to numbers). */
export type CategoricalImputeStrategy = "most_frequent" | { constant: string } | "skip";

/** Parameters of {@link Impute}. */
export interface ImputeParams {
  /** Strategy for every listed column (default "mean"). */
  strategy?: ImputeStrategy;
  /**
   * Columns to impute: a list (all use `strategy`) or a per-column record of strategies.
   * Default: every numeric column for mean/median, every column for most_frequent/constant.
   */
  columns?: string[] | Record<string, ImputeStrategy>;
  /** Columns to leave alone when `columns` is not given (e.g. the label, whose gaps are not for filling). */
  exclude?: string[];
  /**
   * With `strategy` "mean" or "median" and no `columns`: how to fill the string and boolean columns, which have no
   * mean or median: "most_frequent", `{ constant }`, or "skip" to leave them to a later step. Without it, fit()
   * throws naming every non-numeric column that has missing values (as scikit-learn's SimpleImputer refuses strings).
   */
  categorical?: CategoricalImputeStrategy;
}

/**
 * Fills missing values (null, NaN) with a statistic of the training split: mean, median, most frequent, or a constant.
 * fit() throws naming the columns it cannot fill (a mean/median asked of a string column, a column with no values);
 * `facts.details.imputed` counts the values it really filled in the training table, per column.
 */
export class Impute extends Transform {
  readonly kind = "Impute";
  readonly params: ImputeParams;
  private fills: Record<string, number | string | boolean> | null = null;

  constructor(params: ImputeParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as ImputeParams;
  }

  /** The learned fill value per column. */
  get fillValues(): Readonly<Record<string, number | string | boolean>> {
    if (!this.fills) throw new Error("Impute: not fitted yet.");
    return this.fills;
  }
  describe(): string {
    const cols = this.params.columns;
    if (cols && !Array.isArray(cols)) return `impute ${Object.entries(cols).map(([c, s]) => `${c}: ${strategyName(s)}`).join(", ")}`;
    const cat = this.params.categorical;
    const catText = cols || cat === undefined ? "" : cat === "skip" ? "; string columns left as they are" : `; string columns: ${strategyName(cat)}`;
    return `impute ${strategyName(this.params.strategy ?? "mean")}${cols ? ` (${cols.join(", ")})` : ""}${catText}`;
  }
  paramsJSON(): ParamJson {
    return JSON.parse(JSON.stringify(this.params)) as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.fills ? { fills: this.fills } : null;
  }
  loadState(state: ParamJson): void {
    this.fills = (state as { fills: Record<string, number | string | boolean> }).fills;
  }

  private plan(table: ColumnTable): [string, ImputeStrategy][] {
    const cols = this.params.columns;
    const strategy = this.params.strategy ?? "mean";
    if (cols && !Array.isArray(cols)) return Object.entries(cols);
    const numericOnly = strategy === "mean" || strategy === "median";
    const kept = (names: string[]): string[] => names.filter((n) => !(this.params.exclude ?? []).includes(n));
    if (cols || !numericOnly) return (cols ?? kept(table.columnNames())).map((n) => [n, strategy]);
    const plan: [string, ImputeStrategy][] = kept(numericColumnsOf(table)).map((n) => [n, strategy]);
    const categorical = this.params.categorical;
    if (categorical === undefined) this.refuseUnfilled(table, "training");
    else if (categorical !== "skip") for (const n of kept(categoricalColumnsOf(table))) plan.push([n, categorical as ImputeStrategy]);
    return plan;
  }

  /**
   * A mean/median Impute over the default columns, with no `categorical` rule, fills only numbers: it throws when a
   * string or boolean column of `table` has gaps it would pass on unfilled (at fit and at transform time alike).
   */
  private refuseUnfilled(table: ColumnTable, which: string): void {
    const strategy = this.params.strategy ?? "mean";
    if (this.params.columns || this.params.categorical !== undefined || (strategy !== "mean" && strategy !== "median")) return;
    const unfilled = categoricalColumnsOf(table)
      .filter((n) => !(this.params.exclude ?? []).includes(n))
      .map((n) => [n, missingCount(table, n)] as const)
      .filter(([, m]) => m > 0);
    if (unfilled.length === 0) return;
    const list = unfilled.map(([n, m]) => `"${n}" (${m} missing)`).join(", ");
    throw new Error(
      `Impute: strategy "${strategy}" applies to numeric columns only, and the non-numeric column(s) ${list} of the ${which} table would be left unfilled. ` +
        `Pass { strategy: "${strategy}", categorical: "most_frequent" } (or categorical: { constant: "missing" }) to fill them too, ` +
        `categorical: "skip" to leave them to a later step, or list the columns to impute in "columns".`,
    );
  }

  protected learn(table: ColumnTable): void {
    const plan = this.plan(table);
    requireColumns(this.kind, table, plan.map(([c]) => c));
    const fills: Record<string, number | string | boolean> = {};
    let scratch: Float64Array | null = null; // reused by every median: fresh pages are costly
    for (const [name, strategy] of plan) {
      const kind = columnKind(table, name);
      if (typeof strategy === "object") {
        fills[name] = strategy.constant;
        continue;
      }
      if (strategy === "mean" || strategy === "median") {
        if (kind !== "number" && kind !== "empty") {
          throw new Error(`Impute: column "${name}" is not numeric, so "${strategy}" does not apply. Use "most_frequent" or { constant } for it.`);
        }
        const values = numericColumn(table, name).values;
        let v: number;
        if (strategy === "mean") v = meanStd(values).mean;
        else {
          if (scratch === null || scratch.length < values.length) scratch = new Float64Array(values.length);
          let k = 0;
          for (let i = 0; i < values.length; i++) if (values[i] === values[i]) scratch[k++] = values[i];
          v = quantileInPlace(scratch.subarray(0, k), 0.5);
        }
        if (Number.isNaN(v)) {
          throw new Error(`Impute: column "${name}" has no values in the training data, so its ${strategy} is undefined. Drop the column or use { constant }.`);
        }
        fills[name] = v;
      } else {
        if (kind === "number") {
          const values = numericColumn(table, name).values;
          const counts = new Map<number, number>();
          for (let i = 0; i < values.length; i++) if (values[i] === values[i]) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
          let best = NaN;
          let bestCount = 0;
          for (const [v, c] of counts) if (c > bestCount || (c === bestCount && v < best)) [best, bestCount] = [v, c];
          if (bestCount === 0) throw new Error(`Impute: column "${name}" has no values in the training data; use { constant }.`);
          fills[name] = best;
        } else {
          const col = dictColumn(table, name);
          const counts = codeCounts(col);
          let best = -1;
          for (let k = 0; k < counts.length; k++) {
            if (counts[k] === 0) continue;
            if (best < 0 || counts[k] > counts[best] || (counts[k] === counts[best] && compareCategories(col.dictionary[k], col.dictionary[best]) < 0)) best = k;
          }
          if (best < 0) throw new Error(`Impute: column "${name}" has no values in the training data; use { constant }.`);
          fills[name] = col.dictionary[best];
        }
      }
    }
    this.fills = fills;
  }

  protected apply(table: ColumnTable): ColumnTable {
    const fills = this.fills!;
    requireColumns(this.kind, table, Object.keys(fills));
    this.refuseUnfilled(table, "given");
    const replace: Record<string, unknown> = {};
    for (const [name, fill] of Object.entries(fills)) {
      const kind = columnKind(table, name);
      if ((kind === "number" || kind === "empty") && typeof fill === "number") {
        const src = numericColumn(table, name).values;
        const out = new Float64Array(src.length);
        for (let i = 0; i < src.length; i++) {
          const v = src[i];
          out[i] = v === v ? v : fill;
        }
        replace[name] = new NumericColumn(out, null);
      } else {
        const col = dictColumn(table, name);
        let code = col.dictionary.indexOf(fill);
        let dictionary = col.dictionary;
        if (code < 0) {
          dictionary = [...col.dictionary, fill];
          code = dictionary.length - 1;
        }
        const codes = new Int32Array(col.codes.length);
        for (let i = 0; i < codes.length; i++) codes[i] = col.codes[i] < 0 ? code : col.codes[i];
        replace[name] = new DictColumn(codes, dictionary);
      }
    }
    return withColumns(table, replace);
  }

  protected override describeFit(_input: ColumnTable, _output: ColumnTable, counts: { missingIn: Record<string, number>; missingOut: Record<string, number> }): Record<string, ParamJson> {
    // Counted from the tables, not from the plan: a value counts as filled when it was missing before and is not after.
    const imputed: Record<string, number> = {};
    for (const name of Object.keys(this.fills!)) imputed[name] = (counts.missingIn[name] ?? 0) - (counts.missingOut[name] ?? 0);
    return { imputed, fills: this.fills as Record<string, ParamJson> };
  }
}

function strategyName(s: ImputeStrategy): string {
  return typeof s === "object" ? `constant ${JSON.stringify(s.constant)}` : s;
}

// ----------------------------------------------------------------------------------------- scalers

/** Parameters shared by the scalers. */
export interface ScalerParams {
  /** Columns to scale (default: every numeric column at fit time, minus `exclude`). */
  columns?: string[];
  /** Columns to leave alone when `columns` is not given (e.g. the target). */
  exclude?: string[];
}

abstract class AffineScaler extends Transform {
  readonly params: ScalerParams;
  /** Per column: x' = (x - shift) / scale. */
  protected state: Record<string, { shift: number; scale: number }> | null = null;

  constructor(params: ScalerParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as ScalerParams;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.state ? (this.state as unknown as ParamJson) : null;
  }
  loadState(state: ParamJson): void {
    this.state = state as unknown as Record<string, { shift: number; scale: number }>;
  }
  protected columnsFor(table: ColumnTable): string[] {
    const names = this.params.columns ?? numericColumnsOf(table).filter((n) => !(this.params.exclude ?? []).includes(n));
    requireColumns(this.kind, table, names);
    for (const n of names) {
      const k = columnKind(table, n);
      if (k !== "number" && k !== "empty") throw new Error(`${this.kind}: column "${n}" is not numeric (${k}). Encode it first or leave it out of "columns".`);
    }
    return names;
  }
  /** shift and scale for one column's training values; a zero scale becomes 1 (constant columns map to 0). */
  protected abstract statistics(values: Float64Array, name: string): { shift: number; scale: number };

  protected learn(table: ColumnTable): void {
    const state: Record<string, { shift: number; scale: number }> = {};
    for (const name of this.columnsFor(table)) {
      const s = this.statistics(numericColumn(table, name).values, name);
      if (!Number.isFinite(s.shift)) throw new Error(`${this.kind}: column "${name}" has no values in the training data, so it cannot be scaled. Impute or drop it first.`);
      state[name] = { shift: s.shift, scale: s.scale === 0 || !Number.isFinite(s.scale) ? 1 : s.scale };
    }
    this.state = state;
  }
  protected apply(table: ColumnTable): ColumnTable {
    const replace: Record<string, unknown> = {};
    requireColumns(this.kind, table, Object.keys(this.state!));
    for (const [name, { shift, scale }] of Object.entries(this.state!)) {
      const col = numericColumn(table, name);
      const src = col.values;
      const out = new Float64Array(src.length);
      const inv = 1 / scale;
      for (let i = 0; i < src.length; i++) out[i] = (src[i] - shift) * inv;
      replace[name] = new NumericColumn(out, col.valid);
    }
    return withColumns(table, replace);
  }
  /** The learned (shift, scale) per column. */
  get scaling(): Readonly<Record<string, { shift: number; scale: number }>> {
    if (!this.state) throw new Error(`${this.kind}: not fitted yet.`);
    return this.state;
  }
  protected override describeFit(): Record<string, ParamJson> {
    return { scaled: Object.keys(this.state!) };
  }
}

/** Scales each column to [0, 1] using the training min and max (constant columns become 0; missing stays missing). */
export class MinMaxScaler extends AffineScaler {
  readonly kind = "MinMaxScaler";
  describe(): string {
    return `min-max scale to [0, 1]${this.params.columns ? ` (${this.params.columns.join(", ")})` : ""}`;
  }
  protected statistics(values: Float64Array): { shift: number; scale: number } {
    const { min, max } = minMax(values);
    return { shift: min, scale: max - min };
  }
}

/** Standardizes each column to zero mean and unit variance (population std, as scikit-learn); constant columns become 0. */
export class StandardScaler extends AffineScaler {
  readonly kind = "StandardScaler";
  describe(): string {
    return `standardize (z-score)${this.params.columns ? ` (${this.params.columns.join(", ")})` : ""}`;
  }
  protected statistics(values: Float64Array): { shift: number; scale: number } {
    const { mean, std } = meanStd(values);
    return { shift: mean, scale: std };
  }
}

/** Centers on the training median and divides by the interquartile range (robust to outliers); IQR 0 becomes 1. */
export class RobustScaler extends AffineScaler {
  readonly kind = "RobustScaler";
  describe(): string {
    return `robust scale (median, IQR)${this.params.columns ? ` (${this.params.columns.join(", ")})` : ""}`;
  }
  protected statistics(values: Float64Array): { shift: number; scale: number } {
    const a = presentValues(values);
    const q1 = quantileInPlace(a, 0.25);
    const med = quantileInPlace(a, 0.5);
    const q3 = quantileInPlace(a, 0.75);
    return { shift: med, scale: q3 - q1 };
  }
}

// ----------------------------------------------------------------------------------------- encoders

/** Sorted distinct non-missing categories of a column. */
function sortedCategories(table: ColumnTable, name: string): Category[] {
  const kind = columnKind(table, name);
  if (kind === "number") {
    const set = new Set<number>();
    const v = numericColumn(table, name).values;
    for (let i = 0; i < v.length; i++) if (v[i] === v[i]) set.add(v[i]);
    return [...set].sort((a, b) => a - b);
  }
  const col = dictColumn(table, name);
  const counts = codeCounts(col);
  return col.dictionary.filter((_, k) => counts[k] > 0).sort(compareCategories);
}

/**
 * The sorted categories of each column, for an encoder's fit.
 * @throws Error naming the column when it has no value in the training data (no rows, or all missing): there is
 *   nothing to learn, and a one-hot encoding of it would be no columns at all.
 */
function learnCategories(kind: string, table: ColumnTable, names: readonly string[]): Record<string, Category[]> {
  const categories: Record<string, Category[]> = {};
  for (const name of names) {
    const cats = sortedCategories(table, name);
    if (cats.length === 0) {
      const n = table.numRows();
      const why = n === 0 ? "the training table has no rows" : `all ${n} training rows are missing`;
      const q = JSON.stringify(name);
      const advice = kind === "LabelEncoder"
        ? `A label column needs labelled rows: check that the split kept them, or drop the unlabelled rows before fitting.`
        : `Fill it first (e.g. new Impute({ columns: { ${q}: { constant: "missing" } } }) before this step) or leave it out ` +
          `(new SelectColumns({ exclude: [${q}] }), or list only the columns to encode in "columns").`;
      const effect = kind === "OneHotEncoder" ? "so it has no categories and would become no columns at all" : "so it has no categories to encode";
      throw new Error(`${kind}: column ${q} has no values in the training data (${why}), ${effect}. ${advice}`);
    }
    categories[name] = cats;
  }
  return categories;
}

/**
 * Maps a column to category indices (by `categories`): -1 for missing, -2 for a value not in `categories`.
 * Works on dictionary codes, so the per-row cost is one array lookup.
 */
function categoryIndices(table: ColumnTable, name: string, categories: readonly Category[]): { index: Int32Array; unseen: Category[] } {
  const kind = columnKind(table, name);
  const position = new Map<Category, number>();
  categories.forEach((c, k) => position.set(c, k));
  const unseen: Category[] = [];
  if (kind === "number") {
    const v = numericColumn(table, name).values;
    const index = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (v[i] !== v[i]) index[i] = -1;
      else {
        const k = position.get(v[i]);
        if (k === undefined) {
          index[i] = -2;
          if (unseen.length < 5 && !unseen.includes(v[i])) unseen.push(v[i]);
        } else index[i] = k;
      }
    }
    return { index, unseen };
  }
  const col = dictColumn(table, name);
  const counts = codeCounts(col);
  const remap = new Int32Array(col.dictionary.length);
  col.dictionary.forEach((value, code) => {
    let k = position.get(value);
    if (k === undefined && typeof value !== "string") k = position.get(String(value));
    if (k === undefined && typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) k = position.get(Number(value));
    if (k === undefined) {
      remap[code] = -2;
      if (counts[code] > 0 && unseen.length < 5) unseen.push(value);
    } else remap[code] = k;
  });
  const codes = col.codes;
  const index = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) index[i] = codes[i] < 0 ? -1 : remap[codes[i]];
  return { index, unseen };
}

function unseenError(kind: string, name: string, unseen: Category[], categories: readonly Category[], hint: string): Error {
  const shown = categories.slice(0, 10).map((c) => JSON.stringify(c)).join(", ") + (categories.length > 10 ? `, … (${categories.length} in all)` : "");
  return new Error(
    `${kind}: column "${name}" has the value ${JSON.stringify(unseen[0])}${unseen.length > 1 ? ` (and ${unseen.slice(1).map((u) => JSON.stringify(u)).join(", ")})` : ""}, ` +
      `which was not in the training data (known: ${shown}). ${hint}`,
  );
}

/** Parameters of {@link OneHotEncoder}. */
export interface OneHotEncoderParams {
  /** Columns to encode (default: every string/boolean column at fit time, minus `exclude`). */
  columns?: string[];
  exclude?: string[];
  /** A category not seen in training: "error" (default) throws naming it; "ignore" encodes it as all zeros. */
  handleUnknown?: "error" | "ignore";
  /**
   * A missing value in an encoded column: "error" (default) throws naming the column and the count (fill it first,
   * e.g. with Impute); "all_zero" encodes it as a row of zeros on purpose, and the checklist reports how many.
   */
  handleMissing?: "error" | "all_zero";
}

/**
 * One 0/1 column per training category (`col_value`, Uint8), in sorted category order.
 * fit() throws naming a column with no value in the training data (it would otherwise vanish without a trace), and
 * transform() throws naming a column with missing values unless `handleMissing: "all_zero"` asks for zero rows.
 */
export class OneHotEncoder extends Transform {
  readonly kind = "OneHotEncoder";
  readonly params: OneHotEncoderParams;
  private categories: Record<string, Category[]> | null = null;

  constructor(params: OneHotEncoderParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as OneHotEncoderParams;
  }
  /** The learned categories per column (sorted). */
  get categoriesByColumn(): Readonly<Record<string, readonly Category[]>> {
    if (!this.categories) throw new Error("OneHotEncoder: not fitted yet.");
    return this.categories;
  }
  describe(): string {
    return `one-hot encode${this.params.columns ? ` ${this.params.columns.join(", ")}` : ""} (unknown: ${this.params.handleUnknown ?? "error"}${this.params.handleMissing === "all_zero" ? ", missing: all zeros" : ""})`;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.categories ? { categories: this.categories } : null;
  }
  loadState(state: ParamJson): void {
    this.categories = (state as { categories: Record<string, Category[]> }).categories;
  }
  protected learn(table: ColumnTable): void {
    const names = this.params.columns ?? categoricalColumnsOf(table).filter((n) => !(this.params.exclude ?? []).includes(n));
    requireColumns(this.kind, table, names);
    this.categories = learnCategories(this.kind, table, names);
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, Object.keys(this.categories!));
    const replace: Record<string, unknown> = {};
    const order: string[] = [];
    const encoded = new Set(Object.keys(this.categories!));
    for (const name of table.columnNames()) {
      if (!encoded.has(name)) {
        order.push(name);
        continue;
      }
      const cats = this.categories![name];
      const { index, unseen } = categoryIndices(table, name, cats);
      if (unseen.length > 0 && (this.params.handleUnknown ?? "error") === "error") {
        throw unseenError(this.kind, name, unseen, cats, `Use handleUnknown: "ignore" to encode unseen values as all zeros, or map them to a known category.`);
      }
      if ((this.params.handleMissing ?? "error") === "error") {
        const first = index.indexOf(-1);
        if (first >= 0) {
          let missing = 0;
          for (let i = first; i < index.length; i++) if (index[i] === -1) missing++;
          throw new Error(
            `OneHotEncoder: column "${name}" has ${missing} missing value(s) (the first in row ${first}), which one-hot encoding would turn into all-zero rows. ` +
              `Fill them first (e.g. new Impute({ strategy: "most_frequent", columns: ["${name}"] }), or categorical: "most_frequent" on a mean/median Impute), ` +
              `or pass handleMissing: "all_zero" to encode them as zeros on purpose.`,
          );
        }
      }
      const n = index.length;
      const outs = cats.map(() => new Uint8Array(n));
      for (let i = 0; i < n; i++) {
        const k = index[i];
        if (k >= 0) outs[k][i] = 1;
      }
      cats.forEach((c, k) => {
        let out = `${name}_${String(c)}`;
        while (order.includes(out) || (table.columnNames().includes(out) && !encoded.has(out))) out += "_";
        replace[out] = outs[k];
        order.push(out);
      });
    }
    return withColumns(table, replace, order);
  }
  protected override describeFit(_input: ColumnTable, _output: ColumnTable, counts: { missingIn: Record<string, number> }): Record<string, ParamJson> {
    const missingAsZeros: Record<string, number> = {};
    for (const name of Object.keys(this.categories!)) {
      const m = counts.missingIn[name] ?? 0;
      if (m > 0) missingAsZeros[name] = m;
    }
    return { encoded: Object.keys(this.categories!), method: "one-hot", ...(Object.keys(missingAsZeros).length ? { missingAsZeros } : {}) };
  }
}

/** Parameters of {@link OrdinalEncoder}. */
export interface OrdinalEncoderParams {
  /** Columns to encode (default: every string/boolean column at fit time, minus `exclude`). */
  columns?: string[];
  exclude?: string[];
  /** A category not seen in training: "error" (default) or "use_encoded_value" (encodes it as `unknownValue`). */
  handleUnknown?: "error" | "use_encoded_value";
  /** Code for unseen categories with "use_encoded_value" (default -1). */
  unknownValue?: number;
}

/**
 * Replaces each category by its index in the sorted training categories (0, 1, …); missing stays missing.
 * fit() throws naming a column with no value in the training data.
 */
export class OrdinalEncoder extends Transform {
  readonly kind: string = "OrdinalEncoder";
  readonly params: OrdinalEncoderParams;
  protected categories: Record<string, Category[]> | null = null;

  constructor(params: OrdinalEncoderParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as OrdinalEncoderParams;
  }
  /** The learned categories per column (sorted; a value's code is its index). */
  get categoriesByColumn(): Readonly<Record<string, readonly Category[]>> {
    if (!this.categories) throw new Error(`${this.kind}: not fitted yet.`);
    return this.categories;
  }
  describe(): string {
    return `ordinal encode (sorted categories)${this.params.columns ? ` ${this.params.columns.join(", ")}` : ""}`;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.categories ? { categories: this.categories } : null;
  }
  loadState(state: ParamJson): void {
    this.categories = (state as { categories: Record<string, Category[]> }).categories;
  }
  protected learn(table: ColumnTable): void {
    const names = this.params.columns ?? categoricalColumnsOf(table).filter((n) => !(this.params.exclude ?? []).includes(n));
    requireColumns(this.kind, table, names);
    this.categories = learnCategories(this.kind, table, names);
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, Object.keys(this.categories!));
    const replace: Record<string, unknown> = {};
    for (const [name, cats] of Object.entries(this.categories!)) {
      const { index, unseen } = categoryIndices(table, name, cats);
      if (unseen.length > 0 && (this.params.handleUnknown ?? "error") === "error") {
        throw unseenError(this.kind, name, unseen, cats, `Use handleUnknown: "use_encoded_value" to give unseen values the code unknownValue (default -1).`);
      }
      const unknown = this.params.unknownValue ?? -1;
      const out = new Float64Array(index.length);
      let valid: Uint8Array | null = null;
      for (let i = 0; i < index.length; i++) {
        const k = index[i];
        if (k >= 0) out[i] = k;
        else if (k === -2) out[i] = unknown;
        else {
          out[i] = NaN;
          if (valid === null) valid = new Uint8Array(index.length).fill(1);
          valid[i] = 0;
        }
      }
      replace[name] = new NumericColumn(out, valid);
    }
    return withColumns(table, replace);
  }
  protected override describeFit(): Record<string, ParamJson> {
    return { encoded: Object.keys(this.categories!), method: "ordinal" };
  }
}

/** Parameters of {@link LabelEncoder}. */
export interface LabelEncoderParams {
  /** The label column to encode. */
  column: string;
}

/**
 * Encodes one label column as integers 0..k-1 by sorted class (so codes do not depend on row order).
 * Unseen labels are an error naming them, and so is fitting on a column without any label. `classes` and `inverse()` map codes back.
 */
export class LabelEncoder extends OrdinalEncoder {
  override readonly kind: string = "LabelEncoder";
  readonly column: string;

  constructor(params: LabelEncoderParams) {
    if (!params || typeof params.column !== "string") throw new Error(`LabelEncoder: give the label column, e.g. new LabelEncoder({ column: "species" }).`);
    super({ columns: [params.column], handleUnknown: "error" });
    this.column = params.column;
  }
  override describe(): string {
    return `label encode ${this.column} (sorted classes)`;
  }
  override paramsJSON(): ParamJson {
    return { column: this.column };
  }
  /** The classes in code order. */
  get classes(): readonly Category[] {
    return this.categoriesByColumn[this.column];
  }
  /** Maps codes back to class labels. @throws Error for a code outside 0..k-1. */
  inverse(codes: ArrayLike<number>): Category[] {
    const classes = this.classes;
    return Array.from(codes, (c) => {
      if (!Number.isInteger(c) || c < 0 || c >= classes.length) throw new Error(`LabelEncoder: code ${c} is not in 0..${classes.length - 1}.`);
      return classes[c];
    });
  }
  protected override describeFit(): Record<string, ParamJson> {
    return { encoded: [this.column], method: "label", classes: this.classes as ParamJson };
  }
}

// ----------------------------------------------------------------------------------------- ClipOutliers

/** Parameters of {@link ClipOutliers}. */
export interface ClipOutliersParams {
  /** Columns to clip (default: every numeric column at fit time, minus `exclude`). */
  columns?: string[];
  exclude?: string[];
  /** IQR multiplier: bounds are [Q1 - factor·IQR, Q3 + factor·IQR] from the training split (default 1.5). */
  factor?: number;
}

/** Clips values to the training split's IQR fences (Tukey's rule); missing stays missing. */
export class ClipOutliers extends Transform {
  readonly kind = "ClipOutliers";
  readonly params: ClipOutliersParams;
  private bounds: Record<string, { lower: number; upper: number }> | null = null;

  constructor(params: ClipOutliersParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as ClipOutliersParams;
  }
  /** The learned [lower, upper] per column. */
  get fences(): Readonly<Record<string, { lower: number; upper: number }>> {
    if (!this.bounds) throw new Error("ClipOutliers: not fitted yet.");
    return this.bounds;
  }
  describe(): string {
    return `clip outliers to Q1−${this.params.factor ?? 1.5}·IQR … Q3+${this.params.factor ?? 1.5}·IQR`;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.bounds ? (this.bounds as unknown as ParamJson) : null;
  }
  loadState(state: ParamJson): void {
    this.bounds = state as unknown as Record<string, { lower: number; upper: number }>;
  }
  protected learn(table: ColumnTable): void {
    const names = this.params.columns ?? numericColumnsOf(table).filter((n) => !(this.params.exclude ?? []).includes(n));
    requireColumns(this.kind, table, names);
    const k = this.params.factor ?? 1.5;
    const bounds: Record<string, { lower: number; upper: number }> = {};
    for (const name of names) {
      const a = presentValues(numericColumn(table, name).values);
      if (a.length === 0) throw new Error(`ClipOutliers: column "${name}" has no values in the training data, so it has no quartiles to clip to. Impute or drop it first.`);
      const q1 = quantileInPlace(a, 0.25);
      const q3 = quantileInPlace(a, 0.75);
      bounds[name] = { lower: q1 - k * (q3 - q1), upper: q3 + k * (q3 - q1) };
    }
    this.bounds = bounds;
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, Object.keys(this.bounds!));
    const replace: Record<string, unknown> = {};
    for (const [name, { lower, upper }] of Object.entries(this.bounds!)) {
      const col = numericColumn(table, name);
      const out = new Float64Array(col.values.length);
      for (let i = 0; i < out.length; i++) {
        const v = col.values[i];
        out[i] = v < lower ? lower : v > upper ? upper : v;
      }
      replace[name] = new NumericColumn(out, col.valid);
    }
    return withColumns(table, replace);
  }
  protected override describeFit(input: ColumnTable): Record<string, ParamJson> {
    const clipped: Record<string, number> = {};
    for (const [name, { lower, upper }] of Object.entries(this.bounds!)) {
      const v = numericColumn(input, name).values;
      let c = 0;
      for (let i = 0; i < v.length; i++) if (v[i] < lower || v[i] > upper) c++;
      clipped[name] = c;
    }
    return { clipped };
  }
}

// ----------------------------------------------------------------------------------------- SelectColumns

/** Parameters of {@link SelectColumns}. */
export interface SelectColumnsParams {
  /** Keep exactly these columns, in this order. */
  columns?: string[];
  /** Drop these columns. */
  exclude?: string[];
  /** Keep only columns of this type (decided at fit time). */
  dtype?: "number" | "string";
}

/** Keeps or drops columns; the selection is fixed at fit time and every split gets the same columns in the same order. */
export class SelectColumns extends Transform {
  readonly kind = "SelectColumns";
  readonly params: SelectColumnsParams;
  private selected: string[] | null = null;

  constructor(params: SelectColumnsParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as SelectColumnsParams;
  }
  describe(): string {
    if (this.params.columns) return `select ${this.params.columns.join(", ")}`;
    return `select${this.params.dtype ? ` ${this.params.dtype} columns` : " columns"}${this.params.exclude ? ` except ${this.params.exclude.join(", ")}` : ""}`;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.selected ? { selected: this.selected } : null;
  }
  loadState(state: ParamJson): void {
    this.selected = (state as { selected: string[] }).selected;
  }
  /** The selected column names, once fitted. */
  get columns(): readonly string[] {
    if (!this.selected) throw new Error("SelectColumns: not fitted yet.");
    return this.selected;
  }
  protected learn(table: ColumnTable): void {
    let names = this.params.columns ?? table.columnNames();
    requireColumns(this.kind, table, names);
    if (this.params.exclude) {
      requireColumns(this.kind, table, this.params.exclude);
      names = names.filter((n) => !this.params.exclude!.includes(n));
    }
    if (this.params.dtype === "number") names = names.filter((n) => columnKind(table, n) === "number");
    if (this.params.dtype === "string") names = names.filter((n) => columnKind(table, n) === "string");
    this.selected = names;
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, this.selected!);
    const data: Record<string, unknown> = {};
    for (const n of this.selected!) data[n] = table.column(n);
    return makeTable(data, this.selected!);
  }
  protected override describeFit(input: ColumnTable): Record<string, ParamJson> {
    return { dropped: input.columnNames().filter((n) => !this.selected!.includes(n)) };
  }
}

// ----------------------------------------------------------------------------------------- registry

type TransformFactory = (params: ParamJson) => Transform;
const REGISTRY: Record<string, TransformFactory> = {
  DropDuplicates: (p) => new DropDuplicates(p as DropDuplicatesParams),
  Impute: (p) => new Impute(p as ImputeParams),
  MinMaxScaler: (p) => new MinMaxScaler(p as ScalerParams),
  StandardScaler: (p) => new StandardScaler(p as ScalerParams),
  RobustScaler: (p) => new RobustScaler(p as ScalerParams),
  OneHotEncoder: (p) => new OneHotEncoder(p as OneHotEncoderParams),
  OrdinalEncoder: (p) => new OrdinalEncoder(p as OrdinalEncoderParams),
  LabelEncoder: (p) => new LabelEncoder(p as unknown as LabelEncoderParams),
  ClipOutliers: (p) => new ClipOutliers(p as ClipOutliersParams),
  SelectColumns: (p) => new SelectColumns(p as SelectColumnsParams),
};

/** The built-in step classes: their apply() writes new arrays and never changes the input table's columns. */
const PURE_STEPS = new Set<unknown>([DropDuplicates, Impute, MinMaxScaler, StandardScaler, RobustScaler, OneHotEncoder, OrdinalEncoder, LabelEncoder, ClipOutliers, SelectColumns]);

/**
 * Rebuilds a transform (with its fitted state) from {@link Transform.toJSON} output.
 * @throws Error for an unknown kind.
 */
export function transformFromJSON(json: TransformJSON): Transform {
  const make = REGISTRY[json.kind];
  if (!make) throw new Error(`Unknown transform kind "${json.kind}". Known: ${Object.keys(REGISTRY).join(", ")}.`);
  const t = make(json.params);
  if (json.state !== null && json.state !== undefined) t.loadState(json.state);
  return t;
}

/** Registers a custom transform kind so pipelines containing it can be deserialized. */
export function registerTransform(kind: string, factory: (params: ParamJson) => Transform): void {
  REGISTRY[kind] = factory;
}
