/**
 * The pass over a CSV body: one parse-state object (cursor, line, row, the typed columns being filled, what was
 * skipped) and small steps on it (a row, a fast numeric or category field, a general field, a value, the end of a
 * row). Numbers are parsed from the bytes and strings hashed into dictionaries, without a string per field.
 */
import { Category, DictColumn, NumericColumn } from "../typed";
import type { BadLine, CsvParseResult, CsvPlan } from "./types";
import { ByteDictionary } from "./dictionary";
import { NUMBER_TEXT, POW10, ParseError, isNullMarker } from "./text";
import { compactDictionary, toBooleans, toDates } from "./typed-columns";

/** Thrown when a column inferred numeric holds a non-number: the caller parses again with the column as strings. */
export class RetryAsString {
  constructor(readonly column: number) {}
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** What a general field step tells the row loop. */
const enum FieldEnd {
  /** The field was read; go on at the cursor. */
  Read,
  /** The row is bad and the cursor is at its end. */
  BadRow,
  /** The input ended inside a quoted field: stop parsing. */
  Stop,
}

/** One pass over the body of a CSV. `parse()` runs it; a pass is used once. */
export class BodyParser {
  private readonly len: number;
  private readonly ncol: number;
  private readonly nums: (Float64Array | null)[];
  private readonly codes: (Int32Array | null)[];
  /** Validity masks, built while parsing (allocated at a column's first missing value). */
  private readonly valids: (Uint8Array | null)[];
  private readonly dicts: (ByteDictionary | null)[];
  /** First bytes of the null markers (and of empty fields, i.e. delimiter and line ends), to skip the null check fast. */
  private readonly nullFirstBytes = new Uint8Array(256);
  private readonly maxNullLength: number;
  private readonly badLines: BadLine[] = [];
  private skipped = 0;
  private scratch = new Uint8Array(1024);
  private room: number;
  private pos: number;
  private line: number;
  private row = 0;
  /** The field index within the current row. */
  private j = 0;
  private rowBad = false;
  /** Set by {@link parseNumber} when the bytes are not a number. */
  private bad = false;

  constructor(
    private readonly buf: Uint8Array,
    private readonly plan: CsvPlan,
    capacity: number,
  ) {
    const { isNumeric, nullSet, D } = plan;
    this.len = buf.length;
    this.ncol = plan.names.length;
    this.room = capacity;
    this.nums = isNumeric.map((n) => (n ? new Float64Array(capacity) : null));
    this.codes = isNumeric.map((n) => (n ? null : new Int32Array(capacity)));
    this.valids = plan.names.map(() => null);
    this.dicts = isNumeric.map((n) => (n ? null : new ByteDictionary()));
    for (const v of nullSet) this.nullFirstBytes[v.length ? Buffer.from(v)[0] : D] = 1;
    this.nullFirstBytes[D] = 1;
    this.nullFirstBytes[LF] = 1;
    this.nullFirstBytes[CR] = 1;
    let maxNullLength = 0;
    for (const v of nullSet) maxNullLength = Math.max(maxNullLength, Buffer.byteLength(v));
    this.maxNullLength = maxNullLength;
    this.pos = plan.bodyStart;
    this.line = plan.headerLine + 1;
  }

  /**
   * Parses every row into the columns.
   * @throws ParseError "FILE:LINE:COLUMN: ..." for a bad row (unless skipping), RetryAsString for an inferred numeric
   *   column holding a non-number, Error for a declared boolean or date column holding something else.
   */
  parse(): CsvParseResult {
    while (this.pos < this.len) {
      const c0 = this.buf[this.pos];
      if (c0 === LF || c0 === CR) {
        // blank line
        if (c0 === CR && this.buf[this.pos + 1] === LF) this.pos++;
        this.pos++;
        this.line++;
        continue;
      }
      if (!this.readRow()) break;
    }
    return this.result();
  }

  /** Reads one row at the cursor. Returns false when parsing must stop (the input ended inside a quoted field). */
  private readRow(): boolean {
    if (this.row >= this.room) this.grow();
    const { buf, len, ncol } = this;
    const rowLine = this.line;
    this.j = 0;
    this.rowBad = false;
    for (;;) {
      // Fast paths for unquoted fields: parse numbers and hash categories in the same pass that finds the field's end.
      const fast =
        this.j < ncol &&
        this.pos < len &&
        buf[this.pos] !== QUOTE &&
        (this.nums[this.j] !== null ? this.fastNumber() : this.fastCategory());
      if (!fast) {
        const end = this.generalField(rowLine);
        if (end === FieldEnd.Stop) return false;
        if (end === FieldEnd.BadRow) break;
      }
      this.j++;
      if (this.pos < len && buf[this.pos] === this.plan.D) {
        this.pos++;
        continue;
      }
      break;
    }
    this.endRow(rowLine);
    return true;
  }

  /** An unquoted field of plain digits (or an empty field read as missing) in a numeric column; false when not one. */
  private fastNumber(): boolean {
    const { buf, len } = this;
    const D = this.plan.D;
    const num = this.nums[this.j]!;
    let i = this.pos;
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
    c = i < len ? buf[i] : LF;
    if (digits > 0 && digits <= 15 && (c === D || c === LF || c === CR)) {
      const v = frac === 0 ? mant : mant / POW10[frac];
      num[this.row] = neg ? -v : v;
      this.pos = i;
      return true;
    }
    if (digits === 0 && !neg && (c === D || c === LF || c === CR) && i === this.pos && this.plan.nullSet.has("")) {
      num[this.row] = NaN;
      this.markNull(this.j, this.row);
      return true;
    }
    return false;
  }

  /** An unquoted field of a string column that cannot be a null marker, hashed as it is scanned; false otherwise. */
  private fastCategory(): boolean {
    const { buf, len } = this;
    if (this.nullFirstBytes[buf[this.pos]]) return false;
    const D = this.plan.D;
    let i = this.pos;
    let h = 0x811c9dc5;
    while (i < len) {
      const c = buf[i];
      if (c === D || c === LF || c === CR) break;
      h = Math.imul(h ^ c, 16777619);
      i++;
    }
    this.codes[this.j]![this.row] = this.dicts[this.j]!.codeHashed(buf, this.pos, i, h);
    this.pos = i;
    return true;
  }

  /** Any field at the cursor (quoted or not), stored when the row has a column for it. */
  private generalField(rowLine: number): FieldEnd {
    const { buf, len } = this;
    const D = this.plan.D;
    let s = this.pos;
    let e: number;
    let quoted = false;
    let escaped = false;
    if (buf[this.pos] === QUOTE) {
      quoted = true;
      let i = this.pos + 1;
      s = i;
      for (;;) {
        if (i >= len) {
          this.line = rowLine;
          this.fail(
            `bad quoting: the quoted field that starts here is never closed. Close the quote or escape it by doubling ("").`,
            this.j + 1,
          );
          this.skipped++;
          this.pos = len;
          return FieldEnd.Stop;
        }
        const c = buf[i];
        if (c === QUOTE) {
          if (buf[i + 1] === QUOTE) {
            escaped = true;
            i += 2;
            continue;
          }
          break;
        }
        if (c === LF) this.line++;
        i++;
      }
      e = i;
      this.pos = i + 1;
      const next = buf[this.pos];
      if (this.pos < len && next !== D && next !== LF && next !== CR) {
        this.fail(
          `bad quoting: unexpected character ${JSON.stringify(String.fromCharCode(next))} after the closing quote. ` +
            `Quote the whole field and double any quote inside it ("").`,
          this.j + 1,
        );
        this.rowBad = true;
        // resynchronise at the end of the line
        while (this.pos < len && buf[this.pos] !== LF) this.pos++;
        return FieldEnd.BadRow;
      }
    } else {
      let i = this.pos;
      while (i < len) {
        const c = buf[i];
        if (c === D || c === LF || c === CR) break;
        i++;
      }
      e = i;
      this.pos = i;
    }
    if (this.j < this.ncol) {
      if (escaped) this.storeValue(this.unescaped(s, e), 0, this.unescapedLength, quoted);
      else this.storeValue(buf, s, e, quoted);
    }
    return FieldEnd.Read;
  }

  private unescapedLength = 0;

  /** Bytes [s, e) with each doubled quote made single, in the scratch buffer (its length in `unescapedLength`). */
  private unescaped(s: number, e: number): Uint8Array {
    const buf = this.buf;
    if (this.scratch.length < e - s) this.scratch = new Uint8Array((e - s) * 2);
    let k = 0;
    for (let i = s; i < e; i++) {
      this.scratch[k++] = buf[i];
      if (buf[i] === QUOTE) i++;
    }
    this.unescapedLength = k;
    return this.scratch;
  }

  /** Stores bytes [fs, fe) of `src` as the value of column j in the current row. */
  private storeValue(src: Uint8Array, fs: number, fe: number, quoted: boolean): void {
    const j = this.j;
    const { nullSet, names, declared } = this.plan;
    const num = this.nums[j];
    if (num !== null) {
      let v: number;
      if (src === this.buf) v = this.parseNumber(fs, fe);
      else {
        const text = Buffer.from(src.buffer, src.byteOffset + fs, fe - fs).toString("utf8");
        this.bad = !nullSet.has(text) && !NUMBER_TEXT.test(text);
        v = this.bad || nullSet.has(text) ? NaN : Number(text.trim());
      }
      if (this.bad) {
        if (declared[names[j]] !== "number") throw new RetryAsString(j);
        const text = Buffer.from(src.buffer, src.byteOffset + fs, fe - fs).toString("utf8");
        this.fail(
          `column "${names[j]}" is declared a number, but ${JSON.stringify(text)} is not a number. ` +
            `Fix the value, add it to nullValues, or declare the column "string".`,
          j + 1,
        );
        this.rowBad = true;
      }
      num[this.row] = v;
      if (v !== v) this.markNull(j, this.row);
      return;
    }
    // Unquoted null markers ("" or NA...) are missing; a quoted "" is an empty string... unless it is in nullValues too.
    const flen = fe - fs;
    let code: number;
    if (!quoted && flen <= this.maxNullLength && isNullMarker(src, fs, fe, nullSet)) code = -1;
    else if (flen === 0 && quoted) code = -1;
    else code = this.dicts[j]!.code(src, fs, fe);
    this.codes[j]![this.row] = code;
  }

  /** Parses bytes [s, e) of the input as a number; NaN (with `bad` set) when they are not a number. */
  private parseNumber(s: number, e: number): number {
    const buf = this.buf;
    this.bad = false;
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
    if (this.plan.nullSet.has(text)) return NaN;
    if (NUMBER_TEXT.test(text)) {
      const t = text
        .trim()
        .toLowerCase()
        .replace(/^([-+]?)inf(inity)?$/, "$1Infinity");
      return Number(t);
    }
    this.bad = true;
    return NaN;
  }

  /** After the last field: checks the field count, then keeps the row or drops it as bad. */
  private endRow(rowLine: number): void {
    const { buf, len, ncol, j } = this;
    if (this.pos < len && buf[this.pos] === CR) this.pos++;
    if (this.pos < len && buf[this.pos] === LF) this.pos++;
    if (!this.rowBad && j !== ncol) {
      this.line = rowLine;
      this.fail(
        j > ncol
          ? `ragged row: expected ${ncol} fields (as in the header), found ${j}. Quote fields that contain the delimiter.`
          : `ragged row: expected ${ncol} fields (as in the header), found ${j}; column "${this.plan.names[j]}" is missing.`,
        j > ncol ? ncol + 1 : j + 1,
      );
      this.rowBad = true;
    }
    this.line++;
    if (this.rowBad) {
      this.skipped++;
      for (let k = 0; k < ncol; k++) this.valids[k]?.fill(1, this.row, this.row + 1);
      return;
    }
    this.row++;
  }

  /** A bad row: throws naming the file, line and column, or (when skipping) records it. */
  private fail(message: string, column: number): void {
    if (!this.plan.skipBad) throw new ParseError(`${this.plan.file}:${this.line}:${column}: ${message}`);
    if (this.badLines.length < 100) this.badLines.push({ line: this.line, column, message });
  }

  private markNull(j: number, r: number): void {
    let m = this.valids[j];
    if (m === null) this.valids[j] = m = new Uint8Array(this.room).fill(1);
    m[r] = 0;
  }

  /** Doubles (and then some) the room of every column. */
  private grow(): void {
    const room = (this.room = this.room * 2 + 1024);
    for (let j = 0; j < this.nums.length; j++) {
      const m = this.valids[j];
      if (m !== null) {
        const b = new Uint8Array(room).fill(1);
        b.set(m);
        this.valids[j] = b;
      }
      const a = this.nums[j];
      if (a !== null) {
        const b = new Float64Array(room);
        b.set(a);
        this.nums[j] = b;
      }
      const c = this.codes[j];
      if (c !== null) {
        const d = new Int32Array(room);
        d.set(c);
        this.codes[j] = d;
      }
    }
  }

  /** The filled columns, cut to the rows read, with declared boolean and date columns converted. */
  private result(): CsvParseResult {
    const { names, declared, file } = this.plan;
    const rows = this.row;
    const columns: CsvParseResult["columns"] = {};
    names.forEach((name, j) => {
      const num = this.nums[j];
      if (num !== null) {
        const valid = this.valids[j];
        columns[name] = new NumericColumn(num.subarray(0, rows), valid === null ? null : valid.subarray(0, rows));
        return;
      }
      let c = this.codes[j]!.subarray(0, rows);
      let dictionary: Category[] = this.dicts[j]!.values;
      if (this.skipped > 0) ({ codes: c, dictionary } = compactDictionary(c, dictionary));
      const col = new DictColumn(c, dictionary);
      const type = declared[name];
      if (type === "boolean") columns[name] = toBooleans(col, name, file);
      else if (type === "date") columns[name] = toDates(col, name, file);
      else columns[name] = col;
    });
    return { names, columns, rows, badLines: this.badLines, skipped: this.skipped };
  }
}
