/**
 * What is known about where a table came from: the loader records its source, splits record which part a table is,
 * diversity() records its report, dropDuplicates() what it removed. pipeline.checklist() reads these facts instead of trusting hand-typed status.
 */
import type { ColumnTable } from "arquero";

/** Facts about how a table was loaded. */
export interface LoadInfo {
  /** File path or dataset name. */
  source: string;
  format: "csv" | "tsv" | "json" | "parquet" | "arrow" | "dataset" | "danfojs";
  rows: number;
  columns: number;
  /** Rows dropped because they were malformed (onBadLines: "skip"). */
  skippedLines: number;
  /** The first bad lines, with their position and problem. */
  badLines: { line: number; column: number; message: string }[];
  engine: "trainlab-csv" | "duckdb" | "arquero";
  seconds: number;
}

/** Facts about a split part. */
export interface SplitInfo {
  part: string;
  strategy: string;
  parts: Record<string, number>;
  seed: number;
}

/** Facts about a deduplication of the whole table (dropDuplicates, run before the split). */
export interface DedupeInfo {
  rowsIn: number;
  removed: number;
  /** Columns that defined a duplicate (absent: all columns). */
  subset?: string[];
}

/** Everything known about a table's origin. */
export interface Provenance {
  load?: LoadInfo;
  split?: SplitInfo;
  diversity?: { by: string[]; warnings: string[] };
  /** The whole table was deduplicated (before any split). */
  dedupe?: DedupeInfo;
  /** The table this one was derived from (by splits and transforms), if any. */
  parent?: ColumnTable;
}

const registry = new WeakMap<object, Provenance>();

/**
 * What trainlab knows about where the table came from (empty object when nothing). Facts recorded on the table it
 * was derived from (e.g. a diversity check run on the full table after splitting) are included.
 */
export function provenance(table: ColumnTable): Provenance {
  const own = registry.get(table) ?? {};
  let merged: Provenance = { ...own };
  let parent = own.parent;
  for (let depth = 0; parent && depth < 20; depth++) {
    const p = registry.get(parent) ?? {};
    merged = { ...p, ...merged };
    if (!merged.diversity && p.diversity) merged.diversity = p.diversity;
    parent = p.parent;
  }
  return merged;
}

/** Records facts about a table (merged with what is known). */
export function recordProvenance(table: ColumnTable, facts: Provenance): void {
  registry.set(table, { ...registry.get(table), ...facts });
}

/**
 * Passes what is known about `from` on to `to`. A transformed table copies the facts (so intermediate tables can be
 * freed); a split part (`link: true`) points at its source, so facts recorded on the source later still apply.
 */
export function inheritProvenance(
  to: ColumnTable,
  from: ColumnTable,
  extra: Provenance = {},
  link = false,
): ColumnTable {
  if (to === from) return to;
  const base = link ? { parent: from } : (registry.get(from) ?? {});
  registry.set(to, { ...base, ...registry.get(to), ...extra });
  return to;
}

/** The load report of a table from loadCSV/loadTable..., or undefined when it was not loaded by trainlab. */
export function loadInfo(table: ColumnTable): LoadInfo | undefined {
  return registry.get(table)?.load;
}
