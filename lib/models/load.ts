/** loadModel(dir): restores any model saved with `save(dir)`, classical or neural, by its saved name. */
import * as fs from "fs";
import * as path from "path";
import type { Estimator } from "./estimator";
import { readableDir } from "../core/files";
import { readSavedModel, restoreEstimator } from "./base";
// Side effect: register every classical estimator with the loader.
import "./linear";
import "./trees";
import "./boosting";
import "./svm";
import "./naive-bayes";
import "./clustering";
// The baselines save in the same format and register their restorers.
import { restoreLegacyBaseline } from "./baseline";
import { isSavedNeuralNetwork, loadNeuralNetwork } from "./nn";

/**
 * Restores a model written by `model.save(dir)`: dispatches on the name in `model.json` for classical
 * models, and hands neural networks (lib/models/nn) to their loader.
 * @throws Error naming the file when `dir` does not hold a saved trainlab model, names an unknown model, or its
 * weights file is missing, truncated, empty or altered.
 */
export async function loadModel(saved: string): Promise<Estimator> {
  const dir = readableDir(saved);
  if (!fs.existsSync(dir)) throw new Error(`No saved model at ${path.resolve(dir)}: the directory does not exist.`);
  if (isSavedNeuralNetwork(dir)) return loadNeuralNetwork(dir);
  const legacy = readLegacy(dir);
  if (legacy) return legacy;
  const { manifest, state } = readSavedModel(dir);
  return restoreEstimator(manifest, state);
}

/** A baseline saved before baselines wrote the trainlab-model format, else undefined. */
function readLegacy(dir: string): Estimator | undefined {
  const file = path.join(dir, "model.json");
  if (!fs.existsSync(file)) return undefined;
  try {
    return restoreLegacyBaseline(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    return undefined; // not JSON: readSavedModel reports it with the file name
  }
}
