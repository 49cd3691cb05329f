/**
 * What every loader shares: {@link LoadOptions}, the size from which DuckDB reads a CSV, and the last step of
 * every load (recording provenance and warning about skipped lines).
 */
import type { ColumnTable } from "arquero";
import type { DeclaredType } from "./csv";
import type { TextEncoding } from "./encoding";
import { LoadInfo, recordProvenance } from "./provenance";

/** Options for the loaders. */
export interface LoadOptions {
  /** Per-column type overrides: "number", "string", "boolean" or "date". */
  types?: Record<string, DeclaredType>;
  /** Malformed rows: "error" (default) throws naming file, line and column; "skip" drops and counts them (see loadInfo). */
  onBadLines?: "error" | "skip";
  /** CSV field delimiter (default "," for .csv, "\t" for .tsv). */
  delimiter?: string;
  /** Field values read as missing (CSV). */
  nullValues?: readonly string[];
  /** "auto" (default): trainlab's parser for CSV/TSV under 512 MB, DuckDB for larger CSV, Parquet and JSON. */
  engine?: "auto" | "trainlab" | "duckdb";
  /**
   * CSV/TSV text encoding: "utf-8" (default), "latin1" (ISO-8859-1), "windows-1252" or "utf-16" (by its byte-order
   * mark). Bytes that are not valid UTF-8 are an error naming file, line and column, never silently replaced.
   */
  encoding?: TextEncoding;
  /** CSV/TSV: rename repeated header names ("x.1") with a warning instead of the default error naming both positions. */
  renameDuplicates?: boolean;
}

/** Files of at least this size are read by DuckDB, which streams instead of holding the file in memory. */
export const LARGE_FILE_BYTES = 512 * 1024 * 1024;

/** A loaded file's format, as its provenance records it. */
export type Format = LoadInfo["format"];

/** Records the load in the table's provenance and warns about skipped lines; returns the table. */
export function finish(
  table: ColumnTable,
  info: Omit<LoadInfo, "rows" | "columns" | "seconds">,
  t0: number,
): ColumnTable {
  recordProvenance(table, {
    load: { ...info, rows: table.numRows(), columns: table.numCols(), seconds: (performance.now() - t0) / 1e3 },
  });
  if (info.skippedLines > 0) {
    const first = info.badLines[0];
    console.warn(
      `${info.source}: skipped ${info.skippedLines} bad line(s)${first ? `; first at line ${first.line}, column ${first.column}: ${first.message.replace(/\.$/, "")}` : ""}.`,
    );
  }
  return table;
}
