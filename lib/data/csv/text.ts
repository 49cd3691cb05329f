/** Byte-level text facts the CSV readers share: default null markers, powers of ten, the number pattern, the parse error. */

/** Field values read as missing by default. */
export const DEFAULT_NULLS = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "n/a", "#N/A"];
/** 10^0 .. 10^22, exactly representable: the fast number path multiplies or divides by one of them. */
export const POW10 = Array.from({ length: 23 }, (_, i) => Math.pow(10, i));
/** Text that reads as a number (with optional sign, exponent, surrounding blanks, inf/infinity/nan). */
export const NUMBER_TEXT = /^\s*[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)\s*$/i;

/** A malformed row: the message names the file, line and column. */
export class ParseError extends Error {}

/** True when bytes [s, e) of `src` are one of the null markers. */
export function isNullMarker(src: Uint8Array, s: number, e: number, nullSet: Set<string>): boolean {
  if (s === e) return nullSet.has("");
  return nullSet.has(Buffer.from(src.buffer, src.byteOffset + s, e - s).toString("utf8"));
}
