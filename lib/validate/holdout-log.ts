/**
 * The record of looks at test splits that holdout keeps: SHA-256 fingerprints of models and splits, the in-process
 * registry of evaluated splits, and the holdout log in a runs directory.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { FeatureInput, TargetInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { Frame, Value, readTarget } from "./common";

/** One recorded look at a test split. */
export interface HoldoutRecord {
  fingerprint: string;
  model: string;
  /** SHA-256 of the model's name, parameters and predictions on the split (absent in logs written before it existed). */
  modelFingerprint?: string;
  at: string;
  metrics: Record<string, number>;
}

/** The in-process record of evaluated splits: split fingerprint -> its recorded looks. */
export const seen = new Map<string, HoldoutRecord[]>();

/** Forgets the in-process record of evaluated splits (tests; a fresh experiment in the same kernel). */
export function resetHoldoutRegistry(): void {
  seen.clear();
}

/**
 * A SHA-256 fingerprint of a model as seen on a split: its name, its parameters and its predictions (and
 * probabilities) there. The same model re-trained with the same seed gets the same fingerprint; another model, or
 * the same one trained differently, does not.
 */
export function modelFingerprint(model: Estimator, pred: readonly Value[], proba: number[][] | undefined): string {
  const hash = crypto.createHash("sha256");
  hash.update(model.name);
  let params: string;
  try {
    params = JSON.stringify(model.getParams()) ?? "";
  } catch {
    params = "(unserialisable parameters)";
  }
  hash.update(params);
  hash.update(JSON.stringify(pred));
  if (proba) hash.update(Buffer.from(Float64Array.from(proba.flat()).buffer));
  return hash.digest("hex");
}

/** A SHA-256 fingerprint of a split: its column names, every feature value and every target value. */
export function splitFingerprint(X: FeatureInput, y: TargetInput): string {
  const frame = Frame.from(X);
  const hash = crypto.createHash("sha256");
  hash.update(JSON.stringify(frame.columns));
  hash.update(String(frame.rows));
  frame.columns.forEach((_, j) => {
    if (frame.numeric[j]) hash.update(Buffer.from(frame.numbers(j).buffer));
    else hash.update(JSON.stringify(frame.values(j)));
  });
  hash.update(JSON.stringify(readTarget(y, frame.rows, "holdout")));
  return hash.digest("hex");
}

/** The holdout log's path in `runsDir`. */
export function logFile(runsDir: string): string {
  return path.join(runsDir, "holdout-log.json");
}

/** The looks recorded in `runsDir`'s holdout log (none without a runsDir); throws when the log is not valid JSON. */
export function readLog(runsDir: string | undefined): HoldoutRecord[] {
  if (!runsDir || !fs.existsSync(logFile(runsDir))) return [];
  try {
    return JSON.parse(fs.readFileSync(logFile(runsDir), "utf8")) as HoldoutRecord[];
  } catch (err) {
    throw new Error(
      `${logFile(runsDir)} is not a valid holdout log (${(err as Error).message}); delete it only if you are sure the test split is untouched.`,
      { cause: err },
    );
  }
}
