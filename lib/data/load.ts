/**
 * Loading tables from files: CSV, TSV, JSON, Parquet and Arrow, into arquero tables with typed columns.
 * CSV/TSV go through trainlab's own typed parser (exact file:line:column errors, skip-and-count of bad rows);
 * Parquet, JSON and CSV files too large to hold in memory go through DuckDB (@duckdb/node-api).
 */
import * as fs from "fs";
import * as path from "path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { parseCsv, CsvParseOptions, DeclaredType, readHeaderNames } from "./csv";
import type { TextEncoding } from "./encoding";
import { installDanfoRenderers } from "../viz/renderers";
import { Category, DictColumn, NumericColumn, columnKind, dictColumn, makeTable, numericColumn } from "./columns";
import { LoadInfo, recordProvenance } from "./provenance";
import { DATASET_NAMES, loadDataset } from "../datasets";

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

type Format = LoadInfo["format"];

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

function finish(table: ColumnTable, info: Omit<LoadInfo, "rows" | "columns" | "seconds">, t0: number): ColumnTable {
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
    return duckLoad(file, format, options, delimiter, t0);
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
  return duckLoad(file, "parquet", options, ",", performance.now());
}

/** Loads JSON (an array of row objects) or JSON Lines through DuckDB. */
export async function loadJSON(file: string, options: LoadOptions = {}): Promise<ColumnTable> {
  checkFile(file);
  return duckLoad(file, "json", options, ",", performance.now());
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

// ---------------------------------------------------------------------------------------------- DuckDB

interface DuckVector {
  items?: ArrayLike<number | bigint>;
  getItem(i: number): unknown;
}
interface DuckChunk {
  rowCount: number;
  getColumnVector(j: number): DuckVector;
}
interface DuckResult {
  columnNames(): string[];
  fetchChunk(): Promise<DuckChunk | null>;
}
interface DuckReader {
  getRowObjectsJS(): Record<string, unknown>[];
}
interface DuckConnection {
  run(sql: string): Promise<DuckResult>;
  runAndReadAll(sql: string): Promise<DuckReader>;
  closeSync?(): void;
  disconnectSync?(): void;
}

let rejectCounter = 0;

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

async function duckConnect(): Promise<DuckConnection> {
  const duck = require("@duckdb/node-api") as {
    DuckDBInstance: { create(p: string): Promise<{ connect(): Promise<DuckConnection> }> };
  };
  const instance = await duck.DuckDBInstance.create(":memory:");
  return instance.connect();
}

const DUCK_TYPES: Record<DeclaredType, string> = {
  number: "DOUBLE",
  string: "VARCHAR",
  boolean: "BOOLEAN",
  date: "TIMESTAMP",
};

async function duckLoad(
  file: string,
  format: Format,
  options: LoadOptions,
  delimiter: string,
  t0: number,
): Promise<ColumnTable> {
  const con = await duckConnect();
  const skip = options.onBadLines === "skip";
  const abs = path.resolve(file);
  let source: string;
  const rejectTable = `trainlab_rejects_${++rejectCounter}`;
  const types = options.types ?? {};
  let headerNames: string[] | undefined;
  if (format === "csv" || format === "tsv") {
    const enc = (options.encoding ?? "utf-8").toLowerCase().replace(/_/g, "-");
    const duckEncoding = ["utf-8", "utf8"].includes(enc)
      ? ""
      : ["latin1", "latin-1", "iso-8859-1"].includes(enc)
        ? "latin-1"
        : enc.startsWith("utf-16")
          ? "utf-16"
          : null;
    if (duckEncoding === null) {
      throw new Error(
        `${file}: the DuckDB engine cannot read ${JSON.stringify(options.encoding)}; load it with { engine: "trainlab" } (files under ${LARGE_FILE_BYTES / 2 ** 20} MB), or convert it to UTF-8 first.`,
      );
    }
    if (!duckEncoding) {
      // The header, checked as trainlab's parser checks it: duplicate names are an error unless renameDuplicates.
      const fd = fs.openSync(file, "r");
      const head = Buffer.alloc(Math.min(fs.fstatSync(fd).size, 1 << 20));
      fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      headerNames = readHeaderNames(head, { delimiter, fileName: file, renameDuplicates: options.renameDuplicates });
    }
    const encodingSpec = duckEncoding ? `, encoding=${sqlString(duckEncoding)}` : "";
    const typeSpec = Object.keys(types).length
      ? `, types={${Object.entries(types)
          .map(([k, v]) => `${sqlString(k)}: ${sqlString(DUCK_TYPES[v])}`)
          .join(", ")}}`
      : "";
    const nulls = options.nullValues ? `, nullstr=[${options.nullValues.map(sqlString).join(", ")}]` : "";
    source =
      `read_csv(${sqlString(abs)}, delim=${sqlString(delimiter)}, quote='"', escape='"', header=true${typeSpec}${nulls}${encodingSpec}, ` +
      `ignore_errors=true, store_rejects=true, rejects_table=${sqlString(rejectTable)}, rejects_scan=${sqlString(rejectTable + "_scan")})`;
  } else if (format === "parquet") source = `read_parquet(${sqlString(abs)})`;
  else source = `read_json_auto(${sqlString(abs)})`;

  let described: Record<string, unknown>[];
  try {
    described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS();
  } catch (e) {
    throw new Error(
      `${file}: DuckDB could not read the file as ${format}: ${(e as Error).message.split("\n")[0]}` +
        (format === "csv" || format === "tsv"
          ? ` For the exact line and column of the problem, load it with { engine: "trainlab" }.`
          : ""),
      { cause: e },
    );
  }
  const names = described.map((r) => String(r.column_name));
  const duckTypes = described.map((r) => String(r.column_type));
  const kinds: ("number" | "string" | "boolean" | "date")[] = [];
  const select = names.map((name, j) => {
    const want = types[name];
    const t = duckTypes[j];
    const id = sqlIdent(name);
    if (format !== "csv" && format !== "tsv" && want) {
      kinds.push(want);
      if (want === "date") return `CAST(epoch_ms(CAST(${id} AS TIMESTAMP)) AS DOUBLE) AS ${id}`;
      return `CAST(${id} AS ${DUCK_TYPES[want]}) AS ${id}`;
    }
    if (
      /^(DOUBLE|FLOAT|REAL|DECIMAL|HUGEINT|UHUGEINT|BIGINT|INTEGER|SMALLINT|TINYINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)/.test(
        t,
      )
    ) {
      kinds.push("number");
      return `CAST(${id} AS DOUBLE) AS ${id}`;
    }
    if (t === "BOOLEAN") {
      kinds.push("boolean");
      return id;
    }
    if (/^(DATE|TIMESTAMP)/.test(t)) {
      kinds.push("date");
      return `CAST(epoch_ms(CAST(${id} AS TIMESTAMP)) AS DOUBLE) AS ${id}`;
    }
    kinds.push("string");
    return `CAST(${id} AS VARCHAR) AS ${id}`;
  });

  const result = await con.run(`SELECT ${select.join(", ")} FROM ${source}`);
  const numParts: Float64Array[][] = names.map(() => []);
  const validParts: Uint8Array[][] = names.map(() => []);
  const codeParts: Int32Array[][] = names.map(() => []);
  const lookups = names.map(() => new Map<string, number>());
  const dictionaries: string[][] = names.map(() => []);
  const booleans: (boolean | null)[][] = names.map(() => []);
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    for (let j = 0; j < names.length; j++) {
      const vec = chunk.getColumnVector(j);
      if (kinds[j] === "number" || kinds[j] === "date") {
        const values = Float64Array.from(vec.items as ArrayLike<number>);
        const valid = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          if (vec.getItem(i) === null) values[i] = NaN;
          else valid[i] = 1;
        }
        numParts[j].push(values);
        validParts[j].push(valid);
      } else if (kinds[j] === "string") {
        const codes = new Int32Array(n);
        const lookup = lookups[j];
        const dict = dictionaries[j];
        for (let i = 0; i < n; i++) {
          const s = vec.getItem(i) as string | null;
          if (s === null) {
            codes[i] = -1;
            continue;
          }
          let code = lookup.get(s);
          if (code === undefined) {
            code = dict.length;
            dict.push(s);
            lookup.set(s, code);
          }
          codes[i] = code;
        }
        codeParts[j].push(codes);
      } else {
        for (let i = 0; i < n; i++) booleans[j].push(vec.getItem(i) as boolean | null);
      }
    }
    rows += n;
  }

  let badLines: LoadInfo["badLines"] = [];
  let skipped = 0;
  if (format === "csv" || format === "tsv") {
    const rejects = (
      await con.runAndReadAll(
        `SELECT line, column_idx, column_name, error_type, csv_line, error_message FROM ${rejectTable} ORDER BY line`,
      )
    ).getRowObjectsJS();
    skipped = new Set(rejects.map((r) => Number(r.line))).size;
    badLines = rejects.slice(0, 100).map((r) => ({
      line: Number(r.line),
      column: Number(r.column_idx),
      message: `${String(r.error_type).toLowerCase()}: ${String(r.error_message)}${r.column_name ? ` (column "${String(r.column_name)}")` : ""}`,
    }));
    if (!skip && badLines.length > 0) {
      const b = badLines[0];
      const encodingHint = /encoding|unicode|utf-8/i.test(b.message)
        ? ` The file is not UTF-8: load it with { encoding: "latin1" } (ISO-8859-1), { encoding: "utf-16" }, or { engine: "trainlab", encoding: "windows-1252" }.`
        : "";
      throw new Error(
        `${file}:${b.line}:${b.column}: ${b.message}.${encodingHint || ` Fix the line, or load with { onBadLines: "skip" } to drop bad rows.`}`,
      );
    }
  }
  con.disconnectSync?.();

  const concatF = (parts: Float64Array[]) => {
    const out = new Float64Array(rows);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const data: Record<string, unknown> = {};
  // With renameDuplicates, the header's names as trainlab names them ("x.1"), not DuckDB's ("x_1").
  const outNames = headerNames && headerNames.length === names.length ? headerNames : names;
  outNames.forEach((name, j) => {
    if (kinds[j] === "number") {
      data[name] = NumericColumn.fromNaN(concatF(numParts[j]));
    } else if (kinds[j] === "date") {
      const ms = concatF(numParts[j]);
      data[name] = Array.from(ms, (v) => (v !== v ? null : new Date(v)));
    } else if (kinds[j] === "string") {
      const codes = new Int32Array(rows);
      let o = 0;
      for (const p of codeParts[j]) {
        codes.set(p, o);
        o += p.length;
      }
      data[name] = new DictColumn(codes, dictionaries[j] as Category[]);
    } else data[name] = booleans[j];
  });
  const table = makeTable(data, outNames);
  return finish(table, { source: file, format, skippedLines: skipped, badLines, engine: "duckdb" }, t0);
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
