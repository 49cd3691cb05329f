/**
 * Saving and loading tfjs layer models and optimizer state as files, atomically (write a temp dir, then rename).
 * The model format is the standard tfjs Layers format (model.json + weights.bin).
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { readableDir } from "../core/files";

/** The library's one atomic folder writer (lib/core/files), re-exported for the training loop and networks. */
export { writeDirAtomically } from "../core/files";

function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  return tf.io.CompositeArrayBuffer.join(data);
}

/** Writes a layers model as `model.json` + `weights.bin` into an existing directory (not atomic by itself). */
export async function writeLayersModel(net: tf.LayersModel, dir: string): Promise<void> {
  await net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? Buffer.from(joinWeightData(artifacts.weightData)) : Buffer.alloc(0);
      fs.writeFileSync(path.join(dir, "weights.bin"), weights);
      const manifest = {
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs} (trainlab)`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(manifest));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON", weightDataBytes: weights.length },
      };
    }),
  );
}

/**
 * Reads a layers model written by {@link writeLayersModel} (or any tfjs `model.json` with one weights file).
 * @throws Error naming the file when it is missing or malformed.
 */
export async function readLayersModel(saved: string): Promise<tf.LayersModel> {
  const dir = readableDir(saved);
  const file = path.join(dir, "model.json");
  if (!fs.existsSync(file)) throw new Error(`${file} not found: not a saved trainlab/tfjs model directory.`);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of manifest.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs: specs, weightData }),
  );
}

/** Writes named tensors (e.g. optimizer state) to `name.bin` + `name.json` in `dir`. */
export async function writeNamedTensors(
  dir: string,
  name: string,
  tensors: { name: string; tensor: tf.Tensor }[],
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  fs.writeFileSync(path.join(dir, `${name}.bin`), Buffer.from(joinWeightData(data)));
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(specs));
}

/** Reads tensors written by {@link writeNamedTensors}, in their saved order (caller disposes them). */
export function readNamedTensors(dir: string, name: string): { name: string; tensor: tf.Tensor }[] {
  const specs = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8")) as tf.io.WeightsManifestEntry[];
  const buf = fs.readFileSync(path.join(dir, `${name}.bin`));
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}
