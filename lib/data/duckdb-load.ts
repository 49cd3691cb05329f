/**
 * Reading files through DuckDB: Parquet, JSON and CSV files too large to hold in memory, streamed chunk by chunk into
 * typed columns. The connection comes from the caller (load.ts loads the optional @duckdb/node-api).
 */
import * as fs from "fs";
import * as path from "path";
import type { ColumnTable } from "arquero";
import { DeclaredType, readHeaderNames } from "./csv";
import { Category, DictColumn, NumericColumn, makeTable } from "./columns";
import { LoadInfo } from "./provenance";
import { Format, LARGE_FILE_BYTES, LoadOptions, finish } from "./load-options";

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
/** The parts of a DuckDB connection the loader uses. */
export interface DuckConnection {
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

const DUCK_TYPES: Record<DeclaredType, string> = {
  number: "DOUBLE",
  string: "VARCHAR",
  boolean: "BOOLEAN",
  date: "TIMESTAMP",
};

/** Loads a file through a DuckDB connection from `duckConnect`; throws naming the file on a bad row or type. */
export async function duckLoad(
  file: string,
  format: Format,
  options: LoadOptions,
  delimiter: string,
  t0: number,
  duckConnect: () => Promise<DuckConnection>,
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
