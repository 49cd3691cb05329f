/**
 * A fast, strict CSV/TSV parser that writes straight into typed columns (Float64Array for numbers,
 * dictionary codes for strings) without creating a string per field. Malformed input gets an error naming
 * the file, line and column; `onBadLines: "skip"` drops bad rows and counts them instead.
 */
import { DictColumn, NumericColumn, Category } from "./typed";
import { TextEncoding, toUtf8 } from "./encoding";

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

const DEFAULT_NULLS = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "n/a", "#N/A"];
const POW10 = Array.from({ length: 23 }, (_, i) => Math.pow(10, i));
const NUMBER_TEXT = /^\s*[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)\s*$/i;

class ParseError extends Error {}

/** A growable hash dictionary of byte strings → codes. */
class ByteDictionary {
  values: string[] = [];
  private pool = new Uint8Array(1 << 12);
  private poolUsed = 0;
  private starts = new Int32Array(64);
  private lens = new Int32Array(64);
  private table = new Int32Array(256);
  private mask = 255;

  code(src: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ src[i], 16777619);
    return this.codeHashed(src, s, e, h);
  }

  /** The code of bytes [s, e) whose FNV-1a hash is `h` (added when new). */
  codeHashed(src: Uint8Array, s: number, e: number, h: number): number {
    const len = e - s;
    let slot = h & this.mask;
    for (;;) {
      const entry = this.table[slot];
      if (entry === 0) break;
      const code = entry - 1;
      if (this.lens[code] === len) {
        const start = this.starts[code];
        let k = 0;
        while (k < len && this.pool[start + k] === src[s + k]) k++;
        if (k === len) return code;
      }
      slot = (slot + 1) & this.mask;
    }
    const code = this.values.length;
    if (code >= this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.lens = grow(this.lens);
    }
    if (this.poolUsed + len > this.pool.length) {
      const b = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      b.set(this.pool);
      this.pool = b;
    }
    this.pool.set(src.subarray(s, e), this.poolUsed);
    this.starts[code] = this.poolUsed;
    this.lens[code] = len;
    this.poolUsed += len;
    this.values.push(Buffer.from(src.buffer, src.byteOffset + s, len).toString("utf8"));
    this.table[slot] = code + 1;
    if (this.values.length * 2 > this.table.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let code = 0; code < this.values.length; code++) {
      let h = 0x811c9dc5;
      const start = this.starts[code];
      for (let i = 0; i < this.lens[code]; i++) h = Math.imul(h ^ this.pool[start + i], 16777619);
      let slot = h & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
      this.table[slot] = code + 1;
    }
  }
}

/**
 * Parses CSV/TSV bytes into typed columns. The first line is the header.
 * @throws Error "FILE:LINE:COLUMN: ..." for ragged rows, bad quoting, and non-numeric values in columns declared "number"
 *   (unless `onBadLines: "skip"`), for bytes that are not valid in the encoding, for a header naming a column twice
 *   (unless `renameDuplicates`), and for an empty input without a header.
 */
export function parseCsv(input: Uint8Array | string, options: CsvParseOptions = {}): CsvParseResult {
  const delimiter = (options.delimiter ?? ",").charCodeAt(0);
  const buf = typeof input === "string" ? Buffer.from(input, "utf8") : toUtf8(input, options.encoding, options.fileName ?? "<csv>", delimiter);
  const plan = planCsv(buf, options);
  const { isNumeric } = plan;
  for (;;) {
    try {
      return parseBody(buf, plan.bodyStart, plan.D, plan.names, isNumeric, plan.declared, plan.nullSet, plan.skipBad, plan.file, estimateCapacity(buf, plan.bodyStart), plan.headerLine);
    } catch (e) {
      if (e instanceof RetryAsString) {
        isNumeric[e.column] = false;
        continue;
      }
      throw e;
    }
  }
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

/** Reads the header and infers column types from the first rows. @throws Error for an empty input or unknown typed columns. */
export function planCsv(buf: Uint8Array, options: CsvParseOptions): CsvPlan {
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
    if (!names.includes(name)) throw new Error(`${file}: type given for column "${name}", which is not in the header (${names.join(", ")}).`);
  }
  // Inference: numeric unless a sampled value is not a number (declared types win; a later non-number re-parses).
  const isNumeric = names.map((name) => (declared[name] ? declared[name] === "number" : true));
  if (Object.keys(declared).length < names.length) inferTypes(buf, header.next, D, names.length, isNumeric, names, declared, nullSet, file);
  return { file, D, nullSet, skipBad: options.onBadLines === "skip", declared, names, bodyStart: header.next, headerLine: header.line, isNumeric };
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
  return probe >= buf.length || probeRows === 0 ? probeRows + 1 : Math.ceil(((buf.length - bodyStart) / (probe - bodyStart)) * probeRows * 1.02) + 64;
}

class RetryAsString {
  constructor(readonly column: number) {}
}

/**
 * Column names from the header fields: an empty name becomes `column_J`; a repeated name is an error naming both
 * positions, or with `rename` becomes "name.1", "name.2", ... (never colliding with another column) and is reported.
 */
export function headerNames(fields: readonly string[], file: string, line: number, rename: boolean): string[] {
  const base = fields.map((raw, j) => (raw.trim() === "" ? `column_${j}` : raw));
  const firstAt = new Map<string, number>();
  const renamed: string[] = [];
  const taken = new Set(base);
  const names = base.map((name, j) => {
    const first = firstAt.get(name);
    if (first === undefined) {
      firstAt.set(name, j);
      return name;
    }
    if (!rename) {
      throw new Error(
        `${file}:${line}:${j + 1}: the header names column ${JSON.stringify(name)} twice (columns ${first + 1} and ${j + 1}). ` +
          `Rename one of them in the file, or load with { renameDuplicates: true } to call the later one ${JSON.stringify(`${name}.1`)}.`,
      );
    }
    let k = 1;
    while (taken.has(`${name}.${k}`)) k++;
    const fresh = `${name}.${k}`;
    taken.add(fresh);
    renamed.push(`${JSON.stringify(name)} (column ${j + 1}) → ${JSON.stringify(fresh)}`);
    return fresh;
  });
  if (renamed.length > 0) console.warn(`${file}: renamed duplicate header column(s): ${renamed.join(", ")}.`);
  return names;
}

/** Reads one row as strings (used for the header and the sample). Returns null at end of input. */
function readRowAsStrings(buf: Uint8Array, start: number, D: number, file: string, line = 1): { fields: string[]; next: number; line: number } | null {
  let pos = start;
  // Skip blank lines.
  while (pos < buf.length && (buf[pos] === 10 || buf[pos] === 13)) {
    if (buf[pos] === 10) line++;
    pos++;
  }
  if (pos >= buf.length) return null;
  const fields: string[] = [];
  const startLine = line;
  for (;;) {
    const colStart = pos;
    let text: string;
    if (buf[pos] === 34) {
      const r = scanQuoted(buf, pos, D, file, line, fields.length + 1);
      text = r.text;
      pos = r.end;
      line = r.line;
    } else {
      let e = pos;
      while (e < buf.length && buf[e] !== D && buf[e] !== 10 && buf[e] !== 13) e++;
      text = Buffer.from(buf.buffer, buf.byteOffset + colStart, e - colStart).toString("utf8");
      pos = e;
    }
    fields.push(text);
    if (pos < buf.length && buf[pos] === D) {
      pos++;
      continue;
    }
    if (pos < buf.length && buf[pos] === 13) pos++;
    if (pos < buf.length && buf[pos] === 10) pos++;
    break;
  }
  return { fields, next: pos, line: startLine };
}

/** Scans a quoted field starting at the opening quote. */
function scanQuoted(buf: Uint8Array, start: number, D: number, file: string, line: number, column: number): { text: string; end: number; line: number } {
  const parts: number[] = [];
  let i = start + 1;
  const startLine = line;
  for (;;) {
    if (i >= buf.length) throw new ParseError(`${file}:${startLine}:${column}: bad quoting: the quoted field that starts here is never closed. Close the quote or escape it by doubling ("").`);
    const c = buf[i];
    if (c === 34) {
      if (buf[i + 1] === 34) {
        parts.push(34);
        i += 2;
        continue;
      }
      i++;
      break;
    }
    if (c === 10) line++;
    parts.push(c);
    i++;
  }
  if (i < buf.length && buf[i] !== D && buf[i] !== 10 && buf[i] !== 13) {
    throw new ParseError(
      `${file}:${line}:${column}: bad quoting: unexpected character ${JSON.stringify(String.fromCharCode(buf[i]))} after the closing quote. ` +
        `Quote the whole field and double any quote inside it ("").`,
    );
  }
  return { text: Buffer.from(parts).toString("utf8"), end: i, line };
}

function inferTypes(
  buf: Uint8Array, start: number, D: number, ncol: number, isNumeric: boolean[], names: string[],
  declared: Record<string, DeclaredType>, nullSet: Set<string>, file: string,
): void {
  let pos = start;
  let line = 2;
  for (let r = 0; r < 5000; r++) {
    let row;
    try {
      row = readRowAsStrings(buf, pos, D, file, line);
    } catch {
      return; // the full pass reports it with its position
    }
    if (row === null) return;
    pos = row.next;
    line = row.line + 1;
    for (let j = 0; j < Math.min(ncol, row.fields.length); j++) {
      if (!isNumeric[j] || declared[names[j]]) continue;
      const f = row.fields[j];
      if (!nullSet.has(f) && !NUMBER_TEXT.test(f)) isNumeric[j] = false;
    }
  }
}

function parseBody(
  buf: Uint8Array, bodyStart: number, D: number, names: string[], isNumeric: boolean[], declared: Record<string, DeclaredType>,
  nullSet: Set<string>, skipBad: boolean, file: string, capacity: number, headerLine: number,
): CsvParseResult {
  const ncol = names.length;
  const nums: (Float64Array | null)[] = isNumeric.map((n) => (n ? new Float64Array(capacity) : null));
  const codes: (Int32Array | null)[] = isNumeric.map((n) => (n ? null : new Int32Array(capacity)));
  let room = capacity;
  // Validity masks, built while parsing (allocated at a column's first missing value).
  const valids: (Uint8Array | null)[] = names.map(() => null);
  const markNull = (j: number, r: number): void => {
    let m = valids[j];
    if (m === null) valids[j] = m = new Uint8Array(room).fill(1);
    m[r] = 0;
  };
  const grow = (): void => {
    room = room * 2 + 1024;
    for (let j = 0; j < nums.length; j++) {
      const m = valids[j];
      if (m !== null) {
        const b = new Uint8Array(room).fill(1);
        b.set(m);
        valids[j] = b;
      }
      const a = nums[j];
      if (a !== null) {
        const b = new Float64Array(room);
        b.set(a);
        nums[j] = b;
      }
      const c = codes[j];
      if (c !== null) {
        const d = new Int32Array(room);
        d.set(c);
        codes[j] = d;
      }
    }
  };
  const dicts: (ByteDictionary | null)[] = isNumeric.map((n) => (n ? null : new ByteDictionary()));
  // First bytes of the null markers (and of empty fields, i.e. delimiter and line ends), to skip the null check fast.
  const nullFirstBytes = new Uint8Array(256);
  for (const v of nullSet) nullFirstBytes[v.length ? Buffer.from(v)[0] : D] = 1;
  nullFirstBytes[D] = 1;
  nullFirstBytes[10] = 1;
  nullFirstBytes[13] = 1;
  let maxNullLength = 0;
  for (const v of nullSet) maxNullLength = Math.max(maxNullLength, Buffer.byteLength(v));
  const badLines: BadLine[] = [];
  let skipped = 0;
  const scratch = { bytes: new Uint8Array(1024) };
  const len = buf.length;
  let pos = bodyStart;
  let line = headerLine + 1;
  let row = 0;

  // Parses bytes [s,e) as a number; returns NaN (with `bad` set) when not a number.
  let bad = false;
  const parseNumber = (s: number, e: number): number => {
    bad = false;
    if (s === e) return NaN;
    let i = s;
    let neg = false;
    let c = buf[i];
    if (c === 45) {
      neg = true;
      i++;
    } else if (c === 43) i++;
    let mant = 0;
    let sig = 0;
    let exp10 = 0;
    let any = false;
    while (i < e) {
      c = buf[i] - 48;
      if (c < 0 || c > 9) break;
      any = true;
      if (sig < 15) {
        mant = mant * 10 + c;
        if (mant !== 0) sig++;
      } else exp10++;
      i++;
    }
    if (i < e && buf[i] === 46) {
      i++;
      while (i < e) {
        c = buf[i] - 48;
        if (c < 0 || c > 9) break;
        any = true;
        if (sig < 15) {
          mant = mant * 10 + c;
          if (mant !== 0) sig++;
          exp10--;
        }
        i++;
      }
    }
    if (any && i < e && (buf[i] === 101 || buf[i] === 69)) {
      i++;
      let eneg = false;
      if (buf[i] === 45) {
        eneg = true;
        i++;
      } else if (buf[i] === 43) i++;
      let ex = 0;
      let anyExp = false;
      while (i < e) {
        c = buf[i] - 48;
        if (c < 0 || c > 9) break;
        ex = ex * 10 + c;
        anyExp = true;
        i++;
      }
      if (!anyExp) any = false;
      exp10 += eneg ? -ex : ex;
    }
    if (any && i === e && sig < 15 && exp10 >= -22 && exp10 <= 22) {
      const v = exp10 < 0 ? mant / POW10[-exp10] : mant * POW10[exp10];
      return neg ? -v : v;
    }
    // Slow path: long mantissas, big exponents, whitespace, inf/nan, null markers, or not a number.
    const text = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString("utf8");
    if (nullSet.has(text)) return NaN;
    if (NUMBER_TEXT.test(text)) {
      const t = text.trim().toLowerCase().replace(/^([-+]?)inf(inity)?$/, "$1Infinity");
      return Number(t);
    }
    bad = true;
    return NaN;
  };

  const fail = (message: string, column: number): void => {
    if (!skipBad) throw new ParseError(`${file}:${line}:${column}: ${message}`);
    if (badLines.length < 100) badLines.push({ line, column, message });
  };

  rows: while (pos < len) {
    const c0 = buf[pos];
    if (c0 === 10 || c0 === 13) {
      // blank line
      if (c0 === 13 && buf[pos + 1] === 10) pos++;
      pos++;
      line++;
      continue;
    }
    if (row >= room) grow();
    const rowLine = line;
    let j = 0;
    let rowBad = false;
    for (;;) {
      // Fast paths for unquoted fields: parse numbers and hash categories in the same pass that finds the field's end.
      if (j < ncol && pos < len && buf[pos] !== 34) {
        const num = nums[j];
        if (num !== null) {
          let i = pos;
          let neg = false;
          let c = buf[i];
          if (c === 45) {
            neg = true;
            i++;
          }
          let mant = 0;
          let digits = 0;
          let frac = 0;
          while (i < len) {
            c = buf[i] - 48;
            if (c < 0 || c > 9) break;
            mant = mant * 10 + c;
            digits++;
            i++;
          }
          if (i < len && buf[i] === 46) {
            i++;
            while (i < len) {
              c = buf[i] - 48;
              if (c < 0 || c > 9) break;
              mant = mant * 10 + c;
              digits++;
              frac++;
              i++;
            }
          }
          c = i < len ? buf[i] : 10;
          if (digits > 0 && digits <= 15 && (c === D || c === 10 || c === 13)) {
            const v = frac === 0 ? mant : mant / POW10[frac];
            num[row] = neg ? -v : v;
            pos = i;
            j++;
            if (pos < len && buf[pos] === D) {
              pos++;
              continue;
            }
            break;
          }
          if (digits === 0 && !neg && (c === D || c === 10 || c === 13) && i === pos && nullSet.has("")) {
            num[row] = NaN;
            markNull(j, row);
            j++;
            if (pos < len && buf[pos] === D) {
              pos++;
              continue;
            }
            break;
          }
        } else if (!nullFirstBytes[buf[pos]]) {
          let i = pos;
          let h = 0x811c9dc5;
          while (i < len) {
            const c = buf[i];
            if (c === D || c === 10 || c === 13) break;
            h = Math.imul(h ^ c, 16777619);
            i++;
          }
          codes[j]![row] = dicts[j]!.codeHashed(buf, pos, i, h);
          pos = i;
          j++;
          if (pos < len && buf[pos] === D) {
            pos++;
            continue;
          }
          break;
        }
      }
      // One field.
      let s = pos;
      let e: number;
      let quoted = false;
      let escaped = false;
      if (buf[pos] === 34) {
        quoted = true;
        let i = pos + 1;
        s = i;
        for (;;) {
          if (i >= len) {
            line = rowLine;
            fail(`bad quoting: the quoted field that starts here is never closed. Close the quote or escape it by doubling ("").`, j + 1);
            skipped++;
            pos = len;
            break rows;
          }
          const c = buf[i];
          if (c === 34) {
            if (buf[i + 1] === 34) {
              escaped = true;
              i += 2;
              continue;
            }
            break;
          }
          if (c === 10) line++;
          i++;
        }
        e = i;
        pos = i + 1;
        if (pos < len && buf[pos] !== D && buf[pos] !== 10 && buf[pos] !== 13) {
          fail(`bad quoting: unexpected character ${JSON.stringify(String.fromCharCode(buf[pos]))} after the closing quote. Quote the whole field and double any quote inside it ("").`, j + 1);
          rowBad = true;
          // resynchronise at the end of the line
          while (pos < len && buf[pos] !== 10) pos++;
          break;
        }
      } else {
        let i = pos;
        while (i < len) {
          const c = buf[i];
          if (c === D || c === 10 || c === 13) break;
          i++;
        }
        e = i;
        pos = i;
      }
      if (j < ncol) {
        let src: Uint8Array = buf;
        let fs = s;
        let fe = e;
        if (escaped) {
          const need = e - s;
          if (scratch.bytes.length < need) scratch.bytes = new Uint8Array(need * 2);
          let k = 0;
          for (let i = s; i < e; i++) {
            scratch.bytes[k++] = buf[i];
            if (buf[i] === 34) i++;
          }
          src = scratch.bytes;
          fs = 0;
          fe = k;
        }
        const num = nums[j];
        if (num !== null) {
          let v: number;
          if (src === buf) v = parseNumber(fs, fe);
          else {
            const text = Buffer.from(src.buffer, src.byteOffset + fs, fe - fs).toString("utf8");
            bad = !nullSet.has(text) && !NUMBER_TEXT.test(text);
            v = bad || nullSet.has(text) ? NaN : Number(text.trim());
          }
          if (bad) {
            if (declared[names[j]] === "number") {
              const text = Buffer.from(src.buffer, src.byteOffset + fs, fe - fs).toString("utf8");
              fail(`column "${names[j]}" is declared a number, but ${JSON.stringify(text)} is not a number. Fix the value, add it to nullValues, or declare the column "string".`, j + 1);
              rowBad = true;
            } else throw new RetryAsString(j);
          }
          num[row] = v;
          if (v !== v) markNull(j, row);
        } else {
          // Unquoted null markers ("" or NA...) are missing; a quoted "" is an empty string... unless it is in nullValues too.
          const flen = fe - fs;
          let code: number;
          if (!quoted && flen <= maxNullLength && isNullMarker(src, fs, fe, nullSet)) code = -1;
          else if (flen === 0 && quoted) code = -1;
          else code = dicts[j]!.code(src, fs, fe);
          codes[j]![row] = code;
        }
      }
      j++;
      if (pos < len && buf[pos] === D) {
        pos++;
        continue;
      }
      break;
    }
    // End of row.
    if (pos < len && buf[pos] === 13) pos++;
    if (pos < len && buf[pos] === 10) pos++;
    if (!rowBad && j !== ncol) {
      line = rowLine;
      fail(
        j > ncol
          ? `ragged row: expected ${ncol} fields (as in the header), found ${j}. Quote fields that contain the delimiter.`
          : `ragged row: expected ${ncol} fields (as in the header), found ${j}; column "${names[j]}" is missing.`,
        j > ncol ? ncol + 1 : j + 1,
      );
      rowBad = true;
    }
    line++;
    if (rowBad) {
      skipped++;
      for (let k = 0; k < ncol; k++) valids[k]?.fill(1, row, row + 1);
      continue;
    }
    row++;
  }

  const columns: CsvParseResult["columns"] = {};
  names.forEach((name, j) => {
    const num = nums[j];
    if (num !== null) {
      columns[name] = new NumericColumn(num.subarray(0, row), valids[j] === null ? null : valids[j]!.subarray(0, row));
      return;
    }
    let c = codes[j]!.subarray(0, row);
    let dictionary: Category[] = dicts[j]!.values;
    if (skipped > 0) ({ codes: c, dictionary } = compactDictionary(c, dictionary));
    const col = new DictColumn(c, dictionary);
    const type = declared[name];
    if (type === "boolean") columns[name] = toBooleans(col, name, file);
    else if (type === "date") columns[name] = toDates(col, name, file);
    else columns[name] = col;
  });
  return { names, columns, rows: row, badLines, skipped };
}

function isNullMarker(src: Uint8Array, s: number, e: number, nullSet: Set<string>): boolean {
  if (s === e) return nullSet.has("");
  return nullSet.has(Buffer.from(src.buffer, src.byteOffset + s, e - s).toString("utf8"));
}

/** Drops dictionary entries no row uses (from skipped rows) and keeps codes dense. */
function compactDictionary(codes: Int32Array, dictionary: Category[]): { codes: Int32Array; dictionary: Category[] } {
  const used = new Uint8Array(dictionary.length);
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) used[codes[i]] = 1;
  const remap = new Int32Array(dictionary.length);
  const kept: Category[] = [];
  dictionary.forEach((v, k) => {
    if (used[k]) {
      remap[k] = kept.length;
      kept.push(v);
    } else remap[k] = -1;
  });
  if (kept.length === dictionary.length) return { codes, dictionary };
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] < 0 ? -1 : remap[codes[i]];
  return { codes: out, dictionary: kept };
}

const TRUE_TEXT = new Set(["true", "True", "TRUE", "1", "yes", "Yes", "YES", "t", "T", "y", "Y"]);
const FALSE_TEXT = new Set(["false", "False", "FALSE", "0", "no", "No", "NO", "f", "F", "n", "N"]);

function toBooleans(col: DictColumn, name: string, file: string): (boolean | null)[] {
  const map = col.dictionary.map((v) => {
    const t = String(v);
    if (TRUE_TEXT.has(t)) return true;
    if (FALSE_TEXT.has(t)) return false;
    const row = col.codes.indexOf(col.dictionary.indexOf(v));
    throw new Error(`${file}: column "${name}" is declared boolean, but data row ${row + 1} holds ${JSON.stringify(t)}. Use true/false, 1/0 or yes/no.`);
  });
  return Array.from(col.codes, (c) => (c < 0 ? null : map[c]));
}

function toDates(col: DictColumn, name: string, file: string): (Date | null)[] {
  const map = col.dictionary.map((v) => {
    const t = String(v);
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
    if (Number.isNaN(d.getTime())) {
      const row = col.codes.indexOf(col.dictionary.indexOf(v));
      throw new Error(`${file}: column "${name}" is declared a date, but data row ${row + 1} holds ${JSON.stringify(t)}, which is not a date (use ISO 8601, e.g. 2024-01-31).`);
    }
    return d;
  });
  return Array.from(col.codes, (c) => (c < 0 ? null : map[c]));
}
