/**
 * The runs folder as the place notebooks share files (goals, the fitted pipeline, splits, models) wherever they run
 * from: where it is, paths inside it, and atomic writes and checked reads of its files.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./environment";
import { writeFileAtomically } from "../core/files";

/** The folder runs are written to: `$TRAINLAB_RUNS_DIR`, else `<project>/runs`. */
export function runsDir(): string {
  return process.env.TRAINLAB_RUNS_DIR ? path.resolve(process.env.TRAINLAB_RUNS_DIR) : path.join(projectRoot(), "runs");
}

/**
 * A path inside the runs folder, e.g. `runPath("goals.json")`: how notebooks share files (goals, the fitted
 * pipeline, splits, models) wherever they run from. Creates no folders.
 */
export function runPath(...parts: string[]): string {
  return path.join(runsDir(), ...parts);
}

/**
 * Writes a file into the runs folder atomically (temporary file, then rename), creating its folders: how
 * notebooks hand results to the next ones (`writeRunFile("prep/train.csv", train.toCSV())`). Strings and bytes are
 * written as they are; anything else as pretty JSON. Returns the absolute path.
 * @throws Error when the name leaves the runs folder or the file cannot be written.
 */
export function writeRunFile(name: string, content: unknown): string {
  if (path.isAbsolute(name) || name.split(/[\\/]/).includes(".."))
    throw new Error(`writeRunFile: ${JSON.stringify(name)} must be a relative path inside the runs folder.`);
  const text =
    typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content, null, 2) + "\n";
  return writeFileAtomically(runPath(name), text);
}

/**
 * Reads a text file from the runs folder.
 * @throws Error naming the file, and the notebook that writes it when `producer` is given, when it is missing.
 */
export function readRunFile(name: string, producer?: string): string {
  const file = runPath(name);
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} does not exist yet.${producer ? ` It is written by ${producer}: run that notebook first (npm start runs them all in order).` : ""}`,
    );
  }
  return fs.readFileSync(file, "utf8");
}

/**
 * Reads and parses a JSON file from the runs folder.
 * @throws Error when it is missing (naming `producer`) or not valid JSON.
 */
export function readRunJson<T = unknown>(name: string, producer?: string): T {
  const text = readRunFile(name, producer);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${runPath(name)} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** True when the runs folder has this file. */
export function hasRunFile(name: string): boolean {
  return fs.existsSync(runPath(name));
}
