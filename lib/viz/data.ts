/**
 * Input helpers shared by the figure builders: read columns from an arquero table or a record of arrays,
 * turn typed arrays into plain JSON arrays, and split values by a grouping column.
 */
import type { ColumnTable } from "arquero";
import { isTable } from "../core/table";

/** Tabular input of the chart builders: an arquero table or a record of equal-length columns. */
export type ChartData = ColumnTable | Readonly<Record<string, ArrayLike<unknown>>>;

/** A plain value Plotly accepts in a data array. */
export type PlotValue = number | string | null;

/** A column given either by name (with a table) or as the values themselves. */
export type ColumnRef = string | ArrayLike<PlotValue>;

/** The column names of chart data. */
export function columnNames(data: ChartData): string[] {
  return isTable(data) ? data.columnNames() : Object.keys(data);
}

/**
 * The values of a column as a plain array (null for missing, Dates as ISO strings).
 * @throws Error naming the column and listing the available ones when it is missing.
 */
export function column(data: ChartData | undefined, ref: ColumnRef, role = "column"): PlotValue[] {
  if (typeof ref !== "string") return plain(ref);
  if (data === undefined) throw new Error(`${role} "${ref}" was given by name but no table was passed.`);
  const names = columnNames(data);
  if (!names.includes(ref)) throw new Error(`${role} "${ref}" is not in the table. Columns: ${names.join(", ")}.`);
  const values = isTable(data)
    ? (data.array(ref) as ArrayLike<unknown>)
    : (data as Record<string, ArrayLike<unknown>>)[ref];
  return plain(values as ArrayLike<PlotValue>);
}

/** A plain JSON array of values (typed arrays serialize badly; NaN and undefined become null). */
export function plain(values: ArrayLike<unknown>): PlotValue[] {
  const out: PlotValue[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || v === null || (typeof v === "number" && !Number.isFinite(v))) out[i] = null;
    else if (v instanceof Date) out[i] = v.toISOString();
    else if (typeof v === "number" || typeof v === "string") out[i] = v;
    else if (typeof v === "bigint") out[i] = Number(v);
    else out[i] = String(v);
  }
  return out;
}

/** Finite numbers of a column (missing and non-numeric values dropped). */
export function numbers(values: readonly PlotValue[]): number[] {
  return values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
}

/** Splits row indices by the value of a grouping column, groups in first-seen order (missing as "(missing)"). */
export function groupIndices(groups: readonly PlotValue[]): { name: string; indices: number[] }[] {
  const map = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const key = g === null ? "(missing)" : String(g);
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(i);
  });
  return Array.from(map, ([name, indices]) => ({ name, indices }));
}

/** Picks values at indices. */
export function pick<T>(values: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => values[i]);
}

/** A qualitative palette (Plotly's default colorway). */
export const PALETTE = [
  "#636efa",
  "#EF553B",
  "#00cc96",
  "#ab63fa",
  "#FFA15A",
  "#19d3f3",
  "#FF6692",
  "#B6E880",
  "#FF97FF",
  "#FECB52",
];
