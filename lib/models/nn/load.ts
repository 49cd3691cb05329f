/** Loading a neural estimator saved by its `save(dir)` (or a training checkpoint), with its weights checked first. */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../backend";
import { readCheckedFile } from "../../core/integrity";
import { readableDir } from "../../core/files";
import { readLayersModel } from "../../train/checkpoint";
import { NN_PARAMS_FILE, NeuralClassifier, NeuralRegressor, SAVE_FORMAT, SavedNeural, makeNeural } from "./network";

/** True when `dir` holds a neural model saved by trainlab. */
export function isSavedNeuralNetwork(dir: string): boolean {
  return fs.existsSync(path.join(readableDir(dir), NN_PARAMS_FILE));
}

/**
 * Loads a neural model written by `save(dir)` (or a training checkpoint dir).
 * @throws Error naming the file when the directory is not a saved trainlab neural model.
 */
export async function loadNeuralNetwork(savedDir: string): Promise<NeuralClassifier | NeuralRegressor> {
  const dir = readableDir(savedDir);
  const file = path.join(dir, NN_PARAMS_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file} not found: ${dir} is not a saved trainlab neural network.`);
  let saved: SavedNeural;
  try {
    saved = JSON.parse(fs.readFileSync(file, "utf8")) as SavedNeural;
  } catch (err) {
    throw new Error(
      `${file} is not valid JSON (${(err as Error).message}): the save is incomplete or was changed. Save the model again.`,
      { cause: err },
    );
  }
  if (saved.format !== SAVE_FORMAT)
    throw new Error(`${file} has format ${JSON.stringify(saved.format)}, expected "${SAVE_FORMAT}".`);
  checkNeuralWeights(dir, saved);
  await ensureBackend();
  const model = makeNeural(saved.params);
  let net: tf.LayersModel;
  try {
    net = await readLayersModel(dir);
  } catch (err) {
    throw new Error(
      `${path.join(dir, "model.json")} and weights.bin could not be loaded as a network (${(err as Error).message}). The save is incomplete or was changed: save the model again.`,
      { cause: err },
    );
  }
  model.restore(saved, net);
  return model;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2, complex64: 8 };

/**
 * Checks weights.bin before tfjs reads it: against the digest recorded at save time, or (older saves) against the
 * byte count the tfjs manifest's weight specs need.
 * @throws Error naming the file when it is missing, empty, truncated or altered.
 */
function checkNeuralWeights(dir: string, saved: SavedNeural): void {
  const weightsFile = path.join(dir, "weights.bin");
  if (saved.weights) {
    readCheckedFile(weightsFile, saved.weights);
    return;
  }
  const manifestFile = path.join(dir, "model.json");
  if (!fs.existsSync(manifestFile))
    throw new Error(`${manifestFile} is missing: the network's topology was not saved. Save the model again.`);
  let specs: { shape: number[]; dtype: string }[];
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as {
      weightsManifest: { weights: { shape: number[]; dtype: string }[] }[];
    };
    specs = manifest.weightsManifest.flatMap((g) => g.weights);
  } catch (err) {
    throw new Error(
      `${manifestFile} is not a valid tfjs model manifest (${(err as Error).message}). Save the model again.`,
      { cause: err },
    );
  }
  const bytes = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[w.dtype] ?? 4), 0);
  readCheckedFile(weightsFile, { bytes });
}
