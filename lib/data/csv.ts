/**
 * A fast, strict CSV/TSV parser that writes straight into typed columns (Float64Array for numbers,
 * dictionary codes for strings) without creating a string per field. Malformed input gets an error naming
 * the file, line and column; `onBadLines: "skip"` drops bad rows and counts them instead. This module plans a
 * parse (header, inferred types) and runs it; the parts live in ./csv/ (the body pass, the header reader, the
 * byte dictionary, typed-column conversions).
 */
import { toUtf8 } from "./encoding";
import type { CsvParseOptions, CsvParseResult, CsvPlan } from "./csv/types";
import { BodyParser, RetryAsString } from "./csv/body";
import { headerNames, inferTypes, readRowAsStrings } from "./csv/header";
import { DEFAULT_NULLS } from "./csv/text";

export type { BadLine, CsvParseOptions, CsvParseResult, CsvPlan, DeclaredType } from "./csv/types";

/**
 * Parses CSV/TSV bytes into typed columns. The first line is the header.
 * @throws Error "FILE:LINE:COLUMN: ..." for ragged rows, bad quoting, and non-numeric values in columns declared "number"
 *   (unless `onBadLines: "skip"`), for bytes that are not valid in the encoding, for a header naming a column twice
 *   (unless `renameDuplicates`), and for an empty input without a header.
 */
export function parseCsv(input: Uint8Array | string, options: CsvParseOptions = {}): CsvParseResult {
  const delimiter = (options.delimiter ?? ",").charCodeAt(0);
  const buf =
    typeof input === "string"
      ? Buffer.from(input, "utf8")
      : toUtf8(input, options.encoding, options.fileName ?? "<csv>", delimiter);
  const plan = planCsv(buf, options);
  for (;;) {
    try {
      return new BodyParser(buf, plan, estimateCapacity(buf, plan.bodyStart)).parse();
    } catch (e) {
      if (e instanceof RetryAsString) {
        plan.isNumeric[e.column] = false;
        continue;
      }
      throw e;
    }
  }
}

/** Reads the header and infers column types from the first rows. @throws Error for an empty input or unknown typed columns. */
function planCsv(buf: Uint8Array, options: CsvParseOptions): CsvPlan {
  const file = options.fileName ?? "<csv>";
  const delimiter = options.delimiter ?? ",";
  if (delimiter.length !== 1) throw new Error(`The delimiter must be one character, got ${JSON.stringify(delimiter)}.`);
  const D = delimiter.charCodeAt(0);
  const nullSet = new Set(options.nullValues ?? DEFAULT_NULLS);
  const declared = options.types ?? {};
  let pos = 0;
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
  const header = readRowAsStrings(buf, pos, D, file);
  if (header === null) throw new Error(`${file}: the file is empty; expected a header line with column names.`);
  const names = headerNames(header.fields, file, header.line, options.renameDuplicates ?? false);
  for (const name of Object.keys(declared)) {
    if (!names.includes(name))
      throw new Error(`${file}: type given for column "${name}", which is not in the header (${names.join(", ")}).`);
  }
  // Inference: numeric unless a sampled value is not a number (declared types win; a later non-number re-parses).
  const isNumeric = names.map((name) => (declared[name] ? declared[name] === "number" : true));
  if (Object.keys(declared).length < names.length)
    inferTypes(buf, header.next, D, names.length, isNumeric, names, declared, nullSet, file);
  return {
    file,
    D,
    nullSet,
    skipBad: options.onBadLines === "skip",
    declared,
    names,
    bodyStart: header.next,
    headerLine: header.line,
    isNumeric,
  };
}

/**
 * The column names of a CSV's header (the first bytes of the file are enough), checked as the parser checks them.
 * @throws Error for an empty input, or a header naming a column twice without `renameDuplicates`.
 */
export function readHeaderNames(buf: Uint8Array, options: CsvParseOptions): string[] {
  const file = options.fileName ?? "<csv>";
  const D = (options.delimiter ?? ",").charCodeAt(0);
  const pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const header = readRowAsStrings(buf, pos, D, file);
  if (header === null) throw new Error(`${file}: the file is empty; expected a header line with column names.`);
  return headerNames(header.fields, file, header.line, options.renameDuplicates ?? false);
}

/** Initial column capacity from the bytes per row of the first rows (columns grow by doubling if the guess is short). */
function estimateCapacity(buf: Uint8Array, bodyStart: number): number {
  let probe = bodyStart;
  let probeRows = 0;
  while (probeRows < 2000 && probe < buf.length) {
    const nl = buf.indexOf(10, probe);
    if (nl < 0) break;
    probe = nl + 1;
    probeRows++;
  }
  return probe >= buf.length || probeRows === 0
    ? probeRows + 1
    : Math.ceil(((buf.length - bodyStart) / (probe - bodyStart)) * probeRows * 1.02) + 64;
}
