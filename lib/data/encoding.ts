/**
 * Text encodings of delimited files: bytes in UTF-8, Latin-1 (ISO-8859-1), Windows-1252 or UTF-16 become UTF-8 for
 * the parser, and bytes that are not valid in the encoding are an error naming the file, line and column of the
 * first bad byte (never a silent U+FFFD).
 */
import { isUtf8 } from "buffer";

/** Encodings the CSV/TSV loaders read. "utf-16" reads the byte-order mark (little-endian without one). */
export type TextEncoding =
  | "utf-8"
  | "utf8"
  | "latin1"
  | "latin-1"
  | "iso-8859-1"
  | "windows-1252"
  | "cp1252"
  | "utf-16"
  | "utf-16le"
  | "utf-16be";

type Canonical = "utf-8" | "latin1" | "windows-1252" | "utf-16" | "utf-16le" | "utf-16be";
const CANONICAL: Record<string, Canonical> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  latin1: "latin1",
  "latin-1": "latin1",
  "iso-8859-1": "latin1",
  "iso8859-1": "latin1",
  "windows-1252": "windows-1252",
  cp1252: "windows-1252",
  "utf-16": "utf-16",
  utf16: "utf-16",
  "utf-16le": "utf-16le",
  "utf-16be": "utf-16be",
};

/** Windows-1252's characters for bytes 0x80–0x9F (the five undefined bytes keep their C1 code points, as browsers do). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d,
  0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d,
  0x017e, 0x0178,
];

function windows1252(buf: Uint8Array): string {
  let out = "";
  const CHUNK = 8192;
  for (let s = 0; s < buf.length; s += CHUNK) {
    const codes = Array.from(buf.subarray(s, Math.min(buf.length, s + CHUNK)), (b) =>
      b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : b,
    );
    out += String.fromCharCode(...codes);
  }
  return out;
}

/** Offset of the first byte that breaks UTF-8 (a bad lead byte, a missing continuation, an overlong or surrogate form), or -1. */
function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (i + k >= n || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Line (1-based), field (1-based, counting delimiters outside quotes) and header name of a byte offset. */
function position(buf: Uint8Array, offset: number, delimiter: number): { line: number; column: number; name?: string } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (buf[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  let quoted = false;
  for (let i = lineStart; i < offset; i++) {
    if (buf[i] === 34) quoted = !quoted;
    else if (buf[i] === delimiter && !quoted) column++;
  }
  const headerEnd = buf.indexOf(10);
  const header = Buffer.from(buf.buffer, buf.byteOffset, headerEnd < 0 ? buf.length : headerEnd)
    .toString("utf8")
    .replace(/\r$/, "");
  const name = line > 1 ? header.split(String.fromCharCode(delimiter))[column - 1]?.replace(/^"|"$/g, "") : undefined;
  return { line, column, name };
}

function decodeUtf16(buf: Uint8Array, bigEndian: boolean, file: string): string {
  if (buf.length % 2 !== 0)
    throw new Error(
      `${file}: the file has an odd number of bytes (${buf.length}), so it is not UTF-16. Check the encoding option.`,
    );
  let bytes = buf;
  if (bigEndian) {
    bytes = new Uint8Array(buf.length);
    for (let i = 0; i < buf.length; i += 2) {
      bytes[i] = buf[i + 1];
      bytes[i + 1] = buf[i];
    }
  }
  try {
    return new TextDecoder("utf-16le", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(
      `${file}: the file is not valid UTF-16${bigEndian ? "BE" : "LE"} (an unpaired surrogate). Check the encoding option.`,
    );
  }
}

/**
 * The file's bytes as UTF-8 (without a byte-order mark), decoded from `encoding` (default "utf-8"). A UTF-16
 * byte-order mark is recognised even without the option. `delimiter` (a byte) places errors in a column.
 * @throws Error "FILE:LINE:COLUMN: ..." naming the first byte that is not valid UTF-8 and the encodings to try; an
 *   error for an unknown encoding name, or bytes that are not valid UTF-16.
 */
export function toUtf8(buf: Uint8Array, encoding: string | undefined, file: string, delimiter = 44): Uint8Array {
  const enc = CANONICAL[(encoding ?? "utf-8").toLowerCase().replace(/_/g, "-")];
  if (!enc)
    throw new Error(
      `${file}: unknown encoding ${JSON.stringify(encoding)}. Use one of: ${Object.keys(CANONICAL).join(", ")}.`,
    );
  const bomLE = buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe;
  const bomBE = buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff;
  if (
    enc === "utf-16" ||
    enc === "utf-16le" ||
    enc === "utf-16be" ||
    (enc === "utf-8" && encoding === undefined && (bomLE || bomBE))
  ) {
    const big = enc === "utf-16be" || (enc !== "utf-16le" && bomBE);
    const text = decodeUtf16(buf, big, file).replace(/^\uFEFF/, "");
    return Buffer.from(text, "utf8");
  }
  if (enc === "latin1")
    return Buffer.from(Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString("latin1"), "utf8");
  if (enc === "windows-1252") return Buffer.from(windows1252(buf), "utf8");
  if (isUtf8(buf)) return buf;
  const bad = firstInvalidUtf8(buf);
  const at = position(buf, bad, delimiter);
  const lineEnd = buf.indexOf(10, bad);
  const lineStart = buf.lastIndexOf(10, bad) + 1;
  const guess = windows1252(
    buf.subarray(Math.max(lineStart, bad - 20), Math.min(lineEnd < 0 ? buf.length : lineEnd, bad + 20)),
  ).replace(/\r$/, "");
  throw new Error(
    `${file}:${at.line}:${at.column}: byte 0x${buf[bad].toString(16).toUpperCase().padStart(2, "0")} (file offset ${bad}${at.name ? `, column "${at.name}"` : ""}) ` +
      `is not valid UTF-8, so the file is in another encoding. Read as Windows-1252 the text there is ${JSON.stringify(guess)}. ` +
      `Load it with { encoding: "latin1" } (ISO-8859-1), { encoding: "windows-1252" } or { encoding: "utf-16" }, whichever the file was saved in.`,
  );
}
