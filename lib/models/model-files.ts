/**
 * The saved-model format of the classical estimators: a JSON manifest (model.json) whose state refers to typed
 * arrays stored in one binary file (weights.bin, with its length and SHA-256 in the manifest), and reading it back.
 */
import * as fs from "fs";
import * as path from "path";
import type { EstimatorKind, Params } from "./estimator";
import { FileDigest, readCheckedFile } from "../core/integrity";
import { readableDir } from "../core/files";

/** Model state: JSON values and typed arrays (stored in weights.bin). */
export type StateValue =
  | number
  | string
  | boolean
  | null
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint8Array
  | StateValue[]
  | { [key: string]: StateValue };
/** The state object a model saves and restores. */
export type ModelState = { [key: string]: StateValue };

type ArrayRef = { $array: "float64" | "float32" | "int32" | "uint8"; offset: number; length: number };

/** The state as JSON, its typed arrays appended (8-byte aligned) to `chunks` and replaced by references. */
export function encodeState(value: StateValue, chunks: Buffer[], offset: { bytes: number }): unknown {
  const typed = (kind: ArrayRef["$array"], arr: Float64Array | Float32Array | Int32Array | Uint8Array): ArrayRef => {
    const align = 8 - (offset.bytes % 8 || 8);
    if (align > 0 && align < 8) {
      chunks.push(Buffer.alloc(align));
      offset.bytes += align;
    }
    const ref: ArrayRef = { $array: kind, offset: offset.bytes, length: arr.length };
    const buf = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
    chunks.push(Buffer.from(buf));
    offset.bytes += buf.length;
    return ref;
  };
  if (value instanceof Float64Array) return typed("float64", value);
  if (value instanceof Float32Array) return typed("float32", value);
  if (value instanceof Int32Array) return typed("int32", value);
  if (value instanceof Uint8Array) return typed("uint8", value);
  if (Array.isArray(value)) return value.map((v) => encodeState(v, chunks, offset));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeState(v, chunks, offset);
    return out;
  }
  return value;
}

function decodeState(value: unknown, weights: Buffer): StateValue {
  if (Array.isArray(value)) return value.map((v) => decodeState(v, weights));
  if (value !== null && typeof value === "object") {
    const ref = value as ArrayRef;
    if (typeof ref.$array === "string") {
      const copy = new Uint8Array(weights.subarray(ref.offset, ref.offset + ref.length * bytesOf(ref.$array))).buffer;
      switch (ref.$array) {
        case "float64":
          return new Float64Array(copy);
        case "float32":
          return new Float32Array(copy);
        case "int32":
          return new Int32Array(copy);
        case "uint8":
          return new Uint8Array(copy);
      }
    }
    const out: { [key: string]: StateValue } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = decodeState(v, weights);
    return out;
  }
  return value as StateValue;
}

function bytesOf(kind: ArrayRef["$array"]): number {
  return kind === "float64" ? 8 : kind === "uint8" ? 1 : 4;
}

/** What `model.json` holds. */
export interface SavedModelManifest {
  format: "trainlab-model";
  version: number;
  name: string;
  kind: EstimatorKind;
  params: Params;
  state: unknown;
  savedAt: string;
  /** Byte length and SHA-256 of weights.bin (absent in saves made before checksums were recorded). */
  weights?: FileDigest;
}

/** The binary file of a classical model's typed arrays. */
export const WEIGHTS_FILE = "weights.bin";

/** Bytes of weights.bin the state's array references need (an old save without a digest must have exactly this). */
function bytesNeeded(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => Math.max(n, bytesNeeded(v)), 0);
  if (value !== null && typeof value === "object") {
    const ref = value as ArrayRef;
    if (typeof ref.$array === "string") return ref.offset + ref.length * bytesOf(ref.$array);
    return Object.values(value as Record<string, unknown>).reduce((n: number, v) => Math.max(n, bytesNeeded(v)), 0);
  }
  return 0;
}

/**
 * Reads `model.json` (+ `weights.bin`) from a directory written by `save`, checking weights.bin's length and checksum.
 * @throws Error naming the file when it is not a saved model, or weights.bin is missing, truncated, empty or altered.
 */
export function readSavedModel(savedDir: string): { manifest: SavedModelManifest; state: ModelState } {
  const dir = readableDir(savedDir);
  const file = path.join(dir, "model.json");
  if (!fs.existsSync(file)) throw new Error(`${dir} is not a saved trainlab model: ${file} does not exist.`);
  let manifest: SavedModelManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, "utf8")) as SavedModelManifest;
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); the save may be from another program.`, {
      cause: err,
    });
  }
  if (manifest.format !== "trainlab-model")
    throw new Error(`${file} is not a trainlab model manifest (format is ${JSON.stringify(manifest.format)}).`);
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  const needed = manifest.weights ? manifest.weights.bytes : bytesNeeded(manifest.state);
  // An old save (no digest) that needs no bytes may lack the file; a recorded file must be there.
  const weights =
    !manifest.weights && needed === 0 && !fs.existsSync(weightsFile)
      ? Buffer.alloc(0)
      : readCheckedFile(weightsFile, { bytes: needed, sha256: manifest.weights?.sha256 });
  return { manifest, state: decodeState(manifest.state, weights) as ModelState };
}
