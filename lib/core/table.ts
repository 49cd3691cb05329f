/** The one check for "is this an arquero table?", shared by every layer that accepts tables beside matrices. */
import type { ColumnTable } from "arquero";

/**
 * True when `x` is an arquero table (or behaves as one: it has `columnNames()`, `numRows()` and `array(name)`).
 * Never throws.
 */
export function isTable(x: unknown): x is ColumnTable {
  if (typeof x !== "object" || x === null) return false;
  const t = x as ColumnTable;
  return typeof t.columnNames === "function" && typeof t.numRows === "function" && typeof t.array === "function";
}
