/**
 * Reading CSV rows as strings, for the header and the sample that infers column types: header names (with the
 * duplicate check), one row at a time, quoted fields, and the number test of the inference.
 */
import type { DeclaredType } from "./types";
import { NUMBER_TEXT, ParseError } from "./text";

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
export function readRowAsStrings(
  buf: Uint8Array,
  start: number,
  D: number,
  file: string,
  line = 1,
): { fields: string[]; next: number; line: number } | null {
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
function scanQuoted(
  buf: Uint8Array,
  start: number,
  D: number,
  file: string,
  line: number,
  column: number,
): { text: string; end: number; line: number } {
  const parts: number[] = [];
  let i = start + 1;
  const startLine = line;
  for (;;) {
    if (i >= buf.length)
      throw new ParseError(
        `${file}:${startLine}:${column}: bad quoting: the quoted field that starts here is never closed. Close the quote or escape it by doubling ("").`,
      );
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

/** Marks as non-numeric every undeclared column whose first 5,000 rows hold a value that is neither a number nor a null marker. */
export function inferTypes(
  buf: Uint8Array,
  start: number,
  D: number,
  ncol: number,
  isNumeric: boolean[],
  names: string[],
  declared: Record<string, DeclaredType>,
  nullSet: Set<string>,
  file: string,
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
