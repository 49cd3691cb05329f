/**
 * Loading tables from files: CSV, TSV, JSON, Parquet and Arrow, into arquero tables with typed columns.
 * CSV/TSV go through trainlab's own typed parser (exact file:line:column errors, skip-and-count of bad rows);
 * Parquet, JSON and CSV files too large to hold in memory go through DuckDB (@duckdb/node-api; the reading itself is
 * in duckdb-load.ts, the options in load-options.ts). Also the conversions to and from danfojs DataFrames.
 */
import * as fs from "fs";
import * as path from "path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { parseCsv, CsvParseOptions, DeclaredType } from "./csv";
import { installDanfoRenderers } from "../viz/renderers";
import { DictColumn, columnKind, dictColumn, makeTable, numericColumn } from "./columns";
import { recordProvenance } from "./provenance";
import { DATASET_NAMES, loadDataset } from "../datasets";
import { Format, LARGE_FILE_BYTES, LoadOptions, finish } from "./load-options";
import { DuckConnection, duckLoad } from "./duckdb-load";

export { LARGE_FILE_BYTES, LoadOptions } from "./load-options";

function formatOf(file: string): Format {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".txt") return "csv";
  if (ext === ".tsv" || ext === ".tab") return "tsv";
  if (ext === ".json" || ext === ".jsonl" || ext === ".ndjson") return "json";
  if (ext === ".parquet" || ext === ".pq") return "parquet";
  if (ext === ".arrow" || ext === ".feather" || ext === ".ipc") return "arrow";
  throw new Error(
    `${file}: unknown file type "${ext}". Use .csv, .tsv, .json/.jsonl, .parquet or .arrow, or call loadCSV/loadTSV/loadJSON/loadParquet/loadArrow.`,
  );
}

function checkFile(file: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file (working directory: ${process.cwd()}).`);
}

/**
 * Parses CSV text (or bytes) already in memory into a table with typed columns.
 * @throws Error "NAME:LINE:COLUMN: ..." for malformed input, unless `onBadLines: "skip"`.
 */
export function fromCSVText(text: string | Uint8Array, options: LoadOptions & { name?: string } = {}): ColumnTable {
  const t0 = performance.now();
  const parsed = parseCsv(text, { ...options, fileName: options.name ?? "<csv text>" } as CsvParseOptions);
  const table = makeTable(parsed.columns, parsed.names);
  return finish(
    table,
    {
      source: options.name ?? "<csv text>",
      format: options.delimiter === "\t" ? "tsv" : "csv",
      skippedLines: parsed.skipped,
      badLines: parsed.badLines,
      engine: "trainlab-csv",
    },
    t0,
  );
}

/**
 * Loads a CSV file. Columns whose values all parse as numbers become numeric; others become categorical (string).
 * @throws Error "FILE:LINE:COLUMN: ..." for ragged rows, bad quoting, or a non-number in a column declared "number".
 */
export async function loadCSV(file: string, options: LoadOptions = {}): Promise<ColumnTable> {
  return loadDelimited(file, options, options.delimiter ?? ",", "csv");
}

/** Loads a tab-separated file (see {@link loadCSV}). */
export async function loadTSV(file: string, options: LoadOptions = {}): Promise<ColumnTable> {
  return loadDelimited(file, options, options.delimiter ?? "\t", "tsv");
}

async function loadDelimited(
  file: string,
  options: LoadOptions,
  delimiter: string,
  format: "csv" | "tsv",
): Promise<ColumnTable> {
  checkFile(file);
  const t0 = performance.now();
  const size = fs.statSync(file).size;
  const engine = options.engine ?? "auto";
  if (engine === "duckdb" || (engine === "auto" && size >= LARGE_FILE_BYTES)) {
    return duckLoad(file, format, options, delimiter, t0, duckConnect);
  }
  const parsed = parseCsv(fs.readFileSync(file), { ...options, delimiter, fileName: file });
  const table = makeTable(parsed.columns, parsed.names);
  return finish(
    table,
    { source: file, format, skippedLines: parsed.skipped, badLines: parsed.badLines, engine: "trainlab-csv" },
    t0,
  );
}

/** Loads a Parquet file through DuckDB. */
export async function loadParquet(file: string, options: LoadOptions = {}): Promise<ColumnTable> {
  checkFile(file);
  return duckLoad(file, "parquet", options, ",", performance.now(), duckConnect);
}

/** Loads JSON (an array of row objects) or JSON Lines through DuckDB. */
export async function loadJSON(file: string, options: LoadOptions = {}): Promise<ColumnTable> {
  checkFile(file);
  return duckLoad(file, "json", options, ",", performance.now(), duckConnect);
}

/** Loads an Arrow IPC file (file or stream format) with arquero, then stores its columns typed. */
export async function loadArrow(file: string, options: LoadOptions = {}): Promise<ColumnTable> {
  checkFile(file);
  const t0 = performance.now();
  let arrow: ColumnTable;
  try {
    arrow = aq.fromArrow(fs.readFileSync(file));
  } catch (e) {
    throw new Error(`${file}: not a readable Arrow IPC file (${(e as Error).message}).`, { cause: e });
  }
  const table = typedTable(arrow, options.types ?? {}, file);
  return finish(table, { source: file, format: "arrow", skippedLines: 0, badLines: [], engine: "arquero" }, t0);
}

/**
 * Loads a file by its extension (.csv, .tsv, .json/.jsonl, .parquet or .arrow), or a bundled dataset by name
 * (e.g. "penguins"), into a table with typed columns; the source is recorded for pipeline.checklist().
 * @throws Error for an unknown extension, a missing file, or malformed content (naming file, line and column where known).
 */
export async function loadTable(file: string, options: LoadOptions = {}): Promise<ColumnTable> {
  if (!fs.existsSync(file) && (DATASET_NAMES as readonly string[]).includes(file)) {
    const t0 = performance.now();
    const table = typedTable(loadDataset(file), options.types ?? {}, file);
    return finish(
      table,
      { source: `dataset ${file}`, format: "dataset", skippedLines: 0, badLines: [], engine: "arquero" },
      t0,
    );
  }
  switch (formatOf(file)) {
    case "csv":
      return loadCSV(file, options);
    case "tsv":
      return loadTSV(file, options);
    case "json":
      return loadJSON(file, options);
    case "parquet":
      return loadParquet(file, options);
    default:
      return loadArrow(file, options);
  }
}

/**
 * Re-stores an arbitrary arquero table with typed columns (numbers as Float64 with nulls, strings as dictionary codes).
 * Booleans, dates and other values stay as they are. `types` forces a column's type.
 */
export function typedTable(
  table: ColumnTable,
  types: Record<string, DeclaredType> = {},
  source = "table",
): ColumnTable {
  const data: Record<string, unknown> = {};
  for (const name of table.columnNames()) {
    const want = types[name];
    const kind = columnKind(table, name);
    if (want === "number" || (!want && kind === "number")) {
      try {
        data[name] = numericColumn(table, name);
      } catch (e) {
        throw new Error(`${source}: ${(e as Error).message}`, { cause: e });
      }
    } else if (want === "string" || (!want && kind === "string")) {
      const d = dictColumn(table, name);
      data[name] =
        want === "string"
          ? new DictColumn(
              d.codes,
              d.dictionary.map((v) => String(v)),
            )
          : d;
    } else data[name] = table.array(name);
  }
  return makeTable(data, table.columnNames());
}
/** Opens an in-memory DuckDB connection (the optional @duckdb/node-api is loaded only here, when needed). */
async function duckConnect(): Promise<DuckConnection> {
  const duck = require("@duckdb/node-api") as {
    DuckDBInstance: { create(p: string): Promise<{ connect(): Promise<DuckConnection> }> };
  };
  const instance = await duck.DuckDBInstance.create(":memory:");
  return instance.connect();
}

// ---------------------------------------------------------------------------------------------- danfojs

/** The parts of a danfojs DataFrame that the conversion uses. */
export interface DanfoFrameLike {
  columns: string[];
  column(name: string): { values: unknown[] };
  /** danfojs dtypes per column ("float32", "int32", "string", "boolean"), when the frame has them. */
  dtypes?: string[];
}

/** danfojs dtype of a column kind (danfojs has no date dtype: dates travel as values of a "string" column). */
function danfoDtype(kind: string): string {
  return kind === "number" ? "float32" : kind === "boolean" ? "boolean" : "string";
}

/**
 * Converts an arquero table to a danfojs DataFrame (danfojs-node is loaded on first use).
 * Missing numbers become NaN and missing strings null, as danfojs expects. A table with columns but no rows
 * becomes an empty DataFrame with those columns and their dtypes. Never throws for a table trainlab made.
 */
export function toDanfo(table: ColumnTable): DanfoFrameLike {
  const dfd = require("danfojs-node") as {
    DataFrame: new (data: Record<string, unknown[]> | unknown[], opts?: Record<string, unknown>) => DanfoFrameLike;
  };
  installDanfoRenderers(dfd);
  if (table.numCols() === 0) return new dfd.DataFrame({});
  const names = table.columnNames();
  if (table.numRows() === 0) {
    // danfojs cannot build a frame from empty column arrays ("end must be greater than start"); rows + columns can.
    return new dfd.DataFrame([], { columns: names, dtypes: names.map((n) => danfoDtype(columnKind(table, n))) });
  }
  const data: Record<string, unknown[]> = {};
  for (const name of names) {
    const kind = columnKind(table, name);
    if (kind === "number") data[name] = Array.from(numericColumn(table, name).values);
    else data[name] = table.array(name) as unknown[];
  }
  return new dfd.DataFrame(data, { columns: names });
}

/**
 * Converts a danfojs DataFrame to an arquero table with typed columns (NaN, null and undefined become nulls).
 * Types are inferred from the values; a column with no value at all (an empty frame, or all missing) takes its
 * type from the frame's dtype, so numeric columns stay numeric.
 */
export function fromDanfo(frame: DanfoFrameLike): ColumnTable {
  const data: Record<string, unknown[]> = {};
  const types: Record<string, DeclaredType> = {};
  frame.columns.forEach((name, j) => {
    const values = frame
      .column(name)
      .values.map((v) => (v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v));
    data[name] = values;
    const dtype = frame.dtypes?.[j];
    if (values.every((v) => v === null) && dtype !== undefined) {
      if (dtype === "float32" || dtype === "int32") types[name] = "number";
      else if (dtype === "string") types[name] = "string";
    }
  });
  const table = typedTable(aq.table(data), types, "danfojs DataFrame");
  recordProvenance(table, {
    load: {
      source: "danfojs DataFrame",
      format: "danfojs",
      rows: table.numRows(),
      columns: table.numCols(),
      skippedLines: 0,
      badLines: [],
      engine: "arquero",
      seconds: 0,
    },
  });
  return table;
}
