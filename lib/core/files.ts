/** File helpers shared by every layer: writing a JSON file atomically. */
import * as fs from "fs";
import * as path from "path";

/**
 * Writes JSON to `file` through a temp file and a rename, so readers never see half a file.
 * @throws Error naming the file when it cannot be written (the temporary file is removed).
 */
export function saveJsonAtomically(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`Could not write ${file}: ${(err as Error).message}`);
  }
}
