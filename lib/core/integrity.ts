/**
 * Integrity of the binary files a saved model writes: a byte length and a SHA-256 recorded in the model's JSON at save
 * time, checked at load time, so a truncated, emptied, missing or altered weights file fails loudly instead of
 * loading into a model that predicts wrong. A leaf: imports nothing from other lib folders.
 */
import * as crypto from "crypto";
import * as fs from "fs";

/** What a save records about one binary file. */
export interface FileDigest {
  /** The file name, relative to the model directory. */
  file: string;
  bytes: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** The digest of bytes about to be written as `file`. */
export function digestOf(file: string, bytes: Uint8Array): FileDigest {
  return { file, bytes: bytes.byteLength, sha256: crypto.createHash("sha256").update(bytes).digest("hex") };
}

const REMEDY =
  "The save is incomplete or the file was changed: save the model again from the notebook that trained it, or restore the directory from a copy.";

/**
 * Reads a model's binary file and checks it: present, of the expected size and (when a digest was recorded) checksum.
 * `expected.sha256` may be absent for saves made before checksums were recorded; then the length alone is checked.
 * @throws Error naming the file, what is wrong with it, and what to do.
 */
export function readCheckedFile(path: string, expected: { bytes: number; sha256?: string }): Buffer {
  if (!fs.existsSync(path)) {
    throw new Error(`${path} is missing: the model needs its ${expected.bytes} bytes of weights. ${REMEDY}`);
  }
  const buf = fs.readFileSync(path);
  if (buf.byteLength !== expected.bytes) {
    const what = buf.byteLength === 0 ? "empty" : buf.byteLength < expected.bytes ? "truncated" : "longer than saved";
    throw new Error(
      `${path} is ${what}: it holds ${buf.byteLength} bytes but the model was saved with ${expected.bytes}. ${REMEDY}`,
    );
  }
  if (expected.sha256 !== undefined) {
    const actual = crypto.createHash("sha256").update(buf).digest("hex");
    if (actual !== expected.sha256)
      throw new Error(
        `${path} does not match its checksum (SHA-256 ${actual.slice(0, 12)}…, saved ${expected.sha256.slice(0, 12)}…). ${REMEDY}`,
      );
  }
  return buf;
}
