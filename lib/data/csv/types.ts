/** The option and result types of the CSV parser (lib/data/csv.ts), shared by its parts in this folder. */
import type { DictColumn, NumericColumn } from "../typed";
import type { TextEncoding } from "../encoding";

/** Column types a loader can be told to use (overriding inference). */
export type DeclaredType = "number" | "string" | "boolean" | "date";

/** One skipped bad line. */
export interface BadLine {
  line: number;
  column: number;
  message: string;
}

/** Options of the CSV parser. */
export interface CsvParseOptions {
  /** Field delimiter, one character (default ","; "\t" for TSV). */
  delimiter?: string;
  /** Per-column type overrides, by column name. */
  types?: Record<string, DeclaredType>;
  /** What to do with malformed rows: "error" (default) throws; "skip" drops them and counts them. */
  onBadLines?: "error" | "skip";
  /** Field values read as missing (default: "", NA, N/A, NaN, nan, null, NULL, None). */
  nullValues?: readonly string[];
  /** File name used in error messages. */
  fileName?: string;
  /**
   * The bytes' text encoding (default "utf-8"; a UTF-16 byte-order mark is recognised without it). Bytes that are not
   * valid UTF-8 are an error naming the line and column of the first one. Ignored for text already given as a string.
   */
  encoding?: TextEncoding;
  /**
   * Two header columns with the same name are an error naming both positions (default); `true` renames the later
   * ones ("x.1", "x.2", ...) and warns naming them.
   */
  renameDuplicates?: boolean;
}

/** The parsed columns, in header order, plus what was skipped. */
export interface CsvParseResult {
  names: string[];
  columns: Record<string, NumericColumn | DictColumn | (boolean | null)[] | (Date | null)[]>;
  rows: number;
  badLines: BadLine[];
  /** Number of rows skipped as bad (may exceed badLines.length, which keeps the first 100). */
  skipped: number;
}

/** What the header and a sample of rows say about a CSV: names, where rows start, inferred numeric columns. */
export interface CsvPlan {
  file: string;
  D: number;
  nullSet: Set<string>;
  skipBad: boolean;
  declared: Record<string, DeclaredType>;
  names: string[];
  bodyStart: number;
  headerLine: number;
  isNumeric: boolean[];
}
