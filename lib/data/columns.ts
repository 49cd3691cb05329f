/**
 * Typed columns: the storage that makes lib/data fast. Numbers live in a Float64Array with a validity mask
 * for nulls; strings live as dictionary codes (Int32Array, -1 = null) with a dictionary of distinct values.
 * Both implement arquero's column interface (`length`, `at(row)`, iteration), so they sit inside ordinary
 * arquero tables, and every transform reads and writes them without building row objects.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { isTable } from "../core/table";
import { FeatureInput, toMatrix } from "./matrix";

import { Category, DictColumn, NumericColumn } from "./typed";

export { Category, DictColumn, NumericColumn };

/** A column of a table in typed form. */
export type TypedColumn = NumericColumn | DictColumn;

/** The logical type of a column: what profile() and the transforms see. */
export type ColumnKind = "number" | "string" | "boolean" | "date" | "other" | "empty";

type AnyColumn = { length: number; at(row: number): unknown };

function rawColumn(table: ColumnTable, name: string): AnyColumn {
  if (!table.columnNames().includes(name)) {
    throw new Error(`Column "${name}" is not in the table. Columns: ${table.columnNames().join(", ") || "(none)"}.`);
  }
  return table.column(name) as unknown as AnyColumn;
}

/** Row indices of a filtered or ordered table, or null when the table is in storage order. */
function rowIndices(table: ColumnTable): Uint32Array | null {
  if (!table.isFiltered() && !table.isOrdered()) return null;
  return table.indices() as Uint32Array;
}

const TYPED_NUMERIC = [
  Float64Array,
  Float32Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
  Uint8ClampedArray,
];
function isNumericTyped(x: unknown): x is ArrayLike<number> & { [i: number]: number } {
  return TYPED_NUMERIC.some((C) => x instanceof C);
}

/** The logical type of a column, from its storage or (for plain arrays) its non-null values. */
export function columnKind(table: ColumnTable, name: string): ColumnKind {
  const col: unknown = rawColumn(table, name);
  if (col instanceof NumericColumn || isNumericTyped(col)) return "number";
  if (col instanceof DictColumn) {
    const first = col.dictionary[0];
    return col.dictionary.length === 0
      ? "empty"
      : typeof first === "number"
        ? "number"
        : typeof first === "boolean"
          ? "boolean"
          : "string";
  }
  let kind: ColumnKind = "empty";
  const any = col as AnyColumn;
  const n = any.length;
  for (let i = 0; i < n; i++) {
    const v = any.at(i);
    if (v === null || v === undefined || (typeof v === "number" && v !== v)) continue;
    const k: ColumnKind =
      typeof v === "number"
        ? "number"
        : typeof v === "string"
          ? "string"
          : typeof v === "boolean"
            ? "boolean"
            : v instanceof Date
              ? "date"
              : typeof v === "bigint"
                ? "number"
                : "other";
    if (kind === "empty") kind = k;
    else if (kind !== k) return "other";
  }
  return kind;
}

/**
 * A column as numbers: a {@link NumericColumn} (no copy when the table already stores one and is unfiltered).
 * NaN, null and undefined become nulls; booleans become 0/1; dates become epoch milliseconds.
 * @throws Error naming the column and row of the first non-numeric value.
 */
export function numericColumn(table: ColumnTable, name: string): NumericColumn {
  const col: unknown = rawColumn(table, name);
  const idx = rowIndices(table);
  if (col instanceof NumericColumn && idx === null) return col;
  const n = table.numRows();
  const values = new Float64Array(n);
  let valid: Uint8Array | null = null;
  const markNull = (i: number) => {
    if (valid === null) valid = new Uint8Array(n).fill(1);
    valid[i] = 0;
    values[i] = NaN;
  };
  if (col instanceof NumericColumn) {
    for (let i = 0; i < n; i++) {
      const r = idx![i];
      if (col.valid !== null && col.valid[r] === 0) markNull(i);
      else values[i] = col.values[r];
    }
    return new NumericColumn(values, valid);
  }
  if (isNumericTyped(col)) {
    if (idx === null) values.set(col);
    else for (let i = 0; i < n; i++) values[i] = col[idx[i]];
    return NumericColumn.fromNaN(values);
  }
  const any = col as AnyColumn;
  for (let i = 0; i < n; i++) {
    const v = any.at(idx === null ? i : idx[i]);
    if (typeof v === "number") {
      if (v !== v) markNull(i);
      else values[i] = v;
    } else if (v === null || v === undefined) markNull(i);
    else if (typeof v === "boolean") values[i] = v ? 1 : 0;
    else if (v instanceof Date) values[i] = v.getTime();
    else if (typeof v === "bigint") values[i] = Number(v);
    else {
      throw new Error(
        `Column "${name}", row ${i}: ${JSON.stringify(v)} is not a number. ` +
          `Encode categorical columns (OneHotEncoder, OrdinalEncoder) or give the column a numeric type when loading.`,
      );
    }
  }
  return new NumericColumn(values, valid);
}

/** Compares categories: numbers (ascending) before booleans before strings (code-point order). */
export function compareCategories(a: Category, b: Category): number {
  const ta = typeof a === "number" ? 0 : typeof a === "boolean" ? 1 : 2;
  const tb = typeof b === "number" ? 0 : typeof b === "boolean" ? 1 : 2;
  if (ta !== tb) return ta - tb;
  if (ta === 0) return (a as number) - (b as number);
  if (ta === 1) return Number(a) - Number(b);
  return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
}

/**
 * A column as dictionary codes: a {@link DictColumn} (no copy when the table already stores one and is unfiltered).
 * Null, undefined and NaN become code -1. Dates become their ISO strings.
 */
export function dictColumn(table: ColumnTable, name: string): DictColumn {
  const col = rawColumn(table, name);
  const idx = rowIndices(table);
  if (col instanceof DictColumn) {
    if (idx === null) return col;
    const codes = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) codes[i] = col.codes[idx[i]];
    return new DictColumn(codes, col.dictionary);
  }
  const n = table.numRows();
  const codes = new Int32Array(n);
  const dictionary: Category[] = [];
  const lookup = new Map<Category, number>();
  for (let i = 0; i < n; i++) {
    let v = col.at(idx === null ? i : idx[i]) as unknown;
    if (v === null || v === undefined || (typeof v === "number" && v !== v)) {
      codes[i] = -1;
      continue;
    }
    if (v instanceof Date) v = v.toISOString();
    else if (typeof v === "bigint") v = Number(v);
    else if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") v = String(v);
    let code = lookup.get(v as Category);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(v as Category);
      lookup.set(v as Category, code);
    }
    codes[i] = code;
  }
  return new DictColumn(codes, dictionary);
}

/** Count of values of each dictionary entry (nulls not counted). */
export function codeCounts(col: DictColumn): Float64Array {
  const counts = new Float64Array(col.dictionary.length);
  const codes = col.codes;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) counts[codes[i]]++;
  return counts;
}

/** A column taken at the given rows (typed storage is kept). */
function takeColumn(col: unknown, rows: ArrayLike<number>): unknown {
  const n = rows.length;
  if (col instanceof NumericColumn) {
    const values = new Float64Array(n);
    const src = col.values;
    for (let i = 0; i < n; i++) values[i] = src[rows[i]];
    let valid: Uint8Array | null = null;
    if (col.valid !== null) {
      valid = new Uint8Array(n);
      const v = col.valid;
      for (let i = 0; i < n; i++) valid[i] = v[rows[i]];
    }
    return new NumericColumn(values, valid);
  }
  if (col instanceof DictColumn) {
    const codes = new Int32Array(n);
    const src = col.codes;
    for (let i = 0; i < n; i++) codes[i] = src[rows[i]];
    return new DictColumn(codes, col.dictionary);
  }
  if (isNumericTyped(col)) {
    const C = (col as unknown as { constructor: new (n: number) => Float64Array }).constructor;
    const out = new C(n);
    for (let i = 0; i < n; i++) out[i] = col[rows[i]];
    return out;
  }
  const c = col as AnyColumn;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = c.at(rows[i]);
  return out;
}

/** A new table of the given rows (of the table as it is seen, i.e. after any filter/order), keeping typed storage. */
export function takeTableRows(table: ColumnTable, rows: ArrayLike<number>): ColumnTable {
  const idx = rowIndices(table);
  let physical: ArrayLike<number> = rows;
  if (idx !== null) {
    const p = new Uint32Array(rows.length);
    for (let i = 0; i < rows.length; i++) p[i] = idx[rows[i]];
    physical = p;
  }
  const data: Record<string, unknown> = {};
  for (const name of table.columnNames()) data[name] = takeColumn(table.column(name), physical);
  return makeTable(data, table.columnNames());
}

/** A table in storage order with every column materialized (filters and orderings applied). */
export function materialize(table: ColumnTable): ColumnTable {
  const idx = rowIndices(table);
  if (idx === null) return table;
  return takeTableRows(
    table,
    Array.from({ length: idx.length }, (_, i) => i),
  );
}

/** Builds an arquero table from columns (typed columns kept as they are). */
export function makeTable(columns: Record<string, unknown>, names?: readonly string[]): ColumnTable {
  const order = names ? names.slice() : Object.keys(columns);
  const lengths = new Set(order.map((n) => (columns[n] as { length: number }).length));
  if (lengths.size > 1)
    throw new Error(
      `Columns have different lengths: ${order.map((n) => `${n}=${(columns[n] as { length: number }).length}`).join(", ")}.`,
    );
  // arquero's ColumnTable takes any object with length/at/iterator as a column.
  const Ctor = aq.ColumnTable as unknown as new (data: Record<string, unknown>, names: string[]) => ColumnTable;
  return new Ctor(columns, order);
}

/** A table with some columns replaced or added (others kept, order kept; new columns appended or placed by `order`). */
export function withColumns(
  table: ColumnTable,
  replace: Record<string, unknown>,
  order?: readonly string[],
): ColumnTable {
  const base = materialize(table);
  const data: Record<string, unknown> = {};
  for (const name of base.columnNames()) data[name] = base.column(name);
  Object.assign(data, replace);
  const names = order ?? [
    ...base.columnNames(),
    ...Object.keys(replace).filter((n) => !base.columnNames().includes(n)),
  ];
  for (const key of Object.keys(data)) if (!names.includes(key)) delete data[key];
  return makeTable(data, names);
}

/** Number of missing values (null, undefined, NaN) in a column. */
export function missingCount(table: ColumnTable, name: string): number {
  const col: unknown = rawColumn(table, name);
  if (rowIndices(table) === null) {
    if (col instanceof NumericColumn) {
      let m = 0;
      const v = col.values;
      for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) m++;
      return m;
    }
    if (col instanceof DictColumn) {
      let m = 0;
      for (let i = 0; i < col.codes.length; i++) if (col.codes[i] < 0) m++;
      return m;
    }
    if (isNumericTyped(col)) {
      // Integer storage (e.g. one-hot Uint8 columns) cannot hold NaN: nothing to scan.
      if (!(col instanceof Float64Array || col instanceof Float32Array)) return 0;
      let m = 0;
      for (let i = 0; i < col.length; i++) if (col[i] !== col[i]) m++;
      return m;
    }
  }
  let m = 0;
  const any = col as AnyColumn;
  table.scan((row?: number) => {
    const v = any.at(row as number);
    if (v === null || v === undefined || (typeof v === "number" && v !== v)) m++;
  }, true);
  return m;
}

/**
 * Any feature input as a table: tables pass through; a Matrix, 2-D tensor or nested arrays become a table of
 * numeric columns named by the matrix's `columns` (or x0, x1, ...).
 */
export function asTable(x: ColumnTable | FeatureInput): ColumnTable {
  if (isTable(x)) return x;
  const m = toMatrix(x);
  const data: Record<string, NumericColumn> = {};
  const names = m.columns ? [...m.columns] : Array.from({ length: m.cols }, (_, j) => `x${j}`);
  names.forEach((name, j) => {
    const v = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) v[i] = m.data[i * m.cols + j];
    data[name] = NumericColumn.fromNaN(v);
  });
  return makeTable(data, names);
}
