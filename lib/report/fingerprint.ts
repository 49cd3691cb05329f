/**
 * Data fingerprints: a short, stable hash of a dataset's content, so a report or a run says exactly which data
 * it saw. Two tables with the same column names, types and values (in the same row order) get the same
 * fingerprint; changing one value, one name or the row order changes it.
 */
import { createHash, Hash } from "crypto";
import { isTable } from "../core/table";

/** What {@link dataFingerprint} accepts: tables, matrices, typed arrays, arrays, strings, buffers or plain JSON. */
export type Fingerprintable = unknown;

function isMatrixLike(
  x: unknown,
): x is { data: ArrayLike<number>; rows: number; cols: number; columns?: readonly string[] } {
  const m = x as { data?: unknown; rows?: unknown; cols?: unknown };
  return (
    typeof x === "object" &&
    x !== null &&
    ArrayBuffer.isView(m.data) &&
    typeof m.rows === "number" &&
    typeof m.cols === "number"
  );
}

function feedValue(hash: Hash, value: unknown): void {
  if (value === null || value === undefined) hash.update("\u0000null;");
  else if (typeof value === "number") hash.update(Number.isNaN(value) ? "n:NaN;" : `n:${value};`);
  else if (typeof value === "string") hash.update(`s:${value.length}:${value};`);
  else if (typeof value === "boolean") hash.update(`b:${value};`);
  else if (typeof value === "bigint") hash.update(`i:${value};`);
  else if (value instanceof Date) hash.update(`d:${value.toISOString()};`);
  else hash.update(`j:${stableJson(value)};`);
}

function feedArray(hash: Hash, values: ArrayLike<unknown>): void {
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const view = values as unknown as ArrayBufferView;
    hash.update(`${view.constructor.name}:${(values as ArrayLike<unknown>).length}:`);
    hash.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    return;
  }
  hash.update(`array:${values.length}:`);
  for (let i = 0; i < values.length; i++) feedValue(hash, values[i]);
}

/** JSON with sorted keys, so equal objects hash equally whatever their key order. */
export function stableJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (ArrayBuffer.isView(value)) return JSON.stringify(Array.from(value as unknown as ArrayLike<number>));
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return stableJson(withJson.toJSON());
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/**
 * A content hash of a dataset, as `sha256:` plus 16 hex digits.
 * Tables hash their column names and every column's values; matrices their shape, column names and values;
 * arrays and typed arrays their values; anything else its key-sorted JSON.
 */
export function dataFingerprint(data: Fingerprintable): string {
  const hash = createHash("sha256");
  if (isTable(data)) {
    const names = data.columnNames();
    hash.update(`table:${data.numRows()}:${names.length};`);
    for (const name of names) {
      hash.update(`column:${name};`);
      feedArray(hash, data.array(name) as ArrayLike<unknown>);
    }
  } else if (isMatrixLike(data)) {
    hash.update(`matrix:${data.rows}x${data.cols};`);
    for (const name of data.columns ?? []) hash.update(`column:${name};`);
    feedArray(hash, data.data);
  } else if (typeof data === "string") {
    hash.update(`string:${data}`);
  } else if (Buffer.isBuffer(data)) {
    hash.update("buffer:");
    hash.update(data);
  } else if (ArrayBuffer.isView(data) || Array.isArray(data)) {
    feedArray(hash, data as ArrayLike<unknown>);
  } else {
    hash.update(`json:${stableJson(data)}`);
  }
  return `sha256:${hash.digest("hex").slice(0, 16)}`;
}
