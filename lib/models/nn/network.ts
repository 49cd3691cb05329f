/**
 * Neural-network estimators on tfjs (mlp, cnn, rnn, transformer) that share the scikit-learn-style contract of
 * lib/models/estimator.ts: fit/predict/predictProba/score, plain-data params, atomic save/load. Training runs
 * through lib/train's loop (live chart, callbacks, early stopping, checkpoints, interrupt) on the backend
 * lib/backend chose.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../backend";
import { DISPLAY, MimeBundle, escapeHtml } from "../../display";
import type { TargetInput } from "../../data/matrix";
import type { Classifier, EstimatorKind, FitOptions, Regressor } from "../estimator";
import { History } from "../../train/history";
import { LossKind, LoopSettings, OptimizerName, TrainOptions, runLoop } from "../../train/loop";
import { SeededRandom, withSeededRandom } from "../../train/random";
import { fitSeed } from "../base";
import {
  Label, ValidationError, checkClassificationTarget, checkFitted, checkLabelValues, checkRegressionTarget, checkScoringLabels,
} from "../../core/validation";
import { FileDigest, digestOf, readCheckedFile } from "../../core/integrity";
import { readLayersModel, writeDirAtomically, writeLayersModel } from "../../train/checkpoint";
import { NeuralInput, featureTensor, targetValues } from "./inputs";
import "./layers";
import { PositionEmbedding, TransformerEncoderBlock } from "./layers";

/** What the network predicts. */
export type NeuralTask = "classification" | "regression";

/** Hyperparameters every neural estimator has. */
export type CommonNeuralParams = {
  task: NeuralTask;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** Momentum of the `momentum` optimizer. */
  momentum: number;
  /** L2 penalty on weights (not biases). */
  l2: number;
  /** Dropout rate after hidden layers (0 = none). */
  dropout: number;
  /** Held-out fraction for validation during fit (0 = none). */
  validationSplit: number;
  /** Early-stopping patience in epochs on the validation loss (null = off). */
  earlyStoppingPatience: number | null;
  /**
   * Seed of weight init, shuffling and dropout. trainlab's seed policy: every fit is seeded, by `fit`'s `seed` option,
   * else this, else 0 (null means the default too); for another random draw pass another seed.
   */
  seed: number | null;
};

/** Multi-layer perceptron on feature rows. */
export type MlpParams = CommonNeuralParams & {
  architecture: "mlp";
  hiddenUnits: number[];
  activation: "relu" | "tanh" | "sigmoid" | "elu";
};

/** Convolutional network on images (MNIST-size). */
export type CnnParams = CommonNeuralParams & {
  architecture: "cnn";
  /** [height, width, channels] for flat rows (null: 784 columns mean 28×28×1). */
  imageShape: number[] | null;
  /** Filters of each conv block (conv → ReLU → max-pool). */
  filters: number[];
  kernelSize: number;
  strides: number;
  padding: "same" | "valid";
  poolSize: number;
  /** Units of the dense layer before the output (0 = none). */
  denseUnits: number;
};

/** Recurrent network (LSTM or GRU) on sequences. */
export type RnnParams = CommonNeuralParams & {
  architecture: "rnn";
  cell: "lstm" | "gru";
  units: number;
  /** Stacked recurrent layers. */
  layers: number;
  /** Token ids in [0, vocabSize) get an embedding; null for float sequences [samples, steps, features]. */
  vocabSize: number | null;
  embeddingDim: number;
};

/** A small transformer encoder on token or float sequences. */
export type TransformerParams = CommonNeuralParams & {
  architecture: "transformer";
  vocabSize: number | null;
  /** Longest sequence the positional embedding covers. */
  maxLength: number;
  dModel: number;
  numHeads: number;
  ffDim: number;
  numLayers: number;
};

/** Hyperparameters of any neural estimator. */
export type NeuralParams = MlpParams | CnnParams | RnnParams | TransformerParams;

/** Options of a neural `fit`: the estimator's FitOptions plus the training loop's. */
export type NeuralFitOptions = FitOptions & TrainOptions;

const COMMON_DEFAULTS: CommonNeuralParams = {
  task: "classification", epochs: 20, batchSize: 32, optimizer: "adam", learningRate: 1e-3, momentum: 0.9,
  l2: 0, dropout: 0, validationSplit: 0, earlyStoppingPatience: null, seed: 0,
};

/** Default hyperparameters of each architecture. */
export const NEURAL_DEFAULTS: { mlp: MlpParams; cnn: CnnParams; rnn: RnnParams; transformer: TransformerParams } = {
  mlp: { ...COMMON_DEFAULTS, architecture: "mlp", hiddenUnits: [64, 32], activation: "relu" },
  cnn: { ...COMMON_DEFAULTS, architecture: "cnn", epochs: 5, batchSize: 64, imageShape: null, filters: [16, 32], kernelSize: 3, strides: 1, padding: "valid", poolSize: 2, denseUnits: 0 },
  rnn: { ...COMMON_DEFAULTS, architecture: "rnn", cell: "lstm", units: 32, layers: 1, vocabSize: null, embeddingDim: 16 },
  transformer: { ...COMMON_DEFAULTS, architecture: "transformer", vocabSize: null, maxLength: 128, dModel: 32, numHeads: 4, ffDim: 64, numLayers: 1 },
};

const SAVE_FORMAT = "trainlab-nn";

/** The file in a saved neural model's directory that holds params and state. */
export const NN_PARAMS_FILE = "trainlab-params.json";

interface SavedNeural {
  format: typeof SAVE_FORMAT;
  version: 1;
  name: string;
  kind: EstimatorKind;
  params: NeuralParams;
  classes: (number | string)[];
  yMean: number;
  yStd: number;
  inputShape: number[];
  history: ReturnType<History["toJSON"]> | null;
  /** Byte length and SHA-256 of weights.bin at save time (absent in older saves). */
  weights?: FileDigest;
}

function checkParams(p: NeuralParams): void {
  const positiveInt = (name: string, v: unknown) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`Parameter ${name} must be a positive integer, got ${JSON.stringify(v)}.`);
  };
  positiveInt("epochs", p.epochs);
  positiveInt("batchSize", p.batchSize);
  if (!(p.learningRate > 0)) throw new Error(`Parameter learningRate must be > 0, got ${p.learningRate}.`);
  if (!(p.dropout >= 0 && p.dropout < 1)) throw new Error(`Parameter dropout must be in [0, 1), got ${p.dropout}.`);
  if (!(p.l2 >= 0)) throw new Error(`Parameter l2 must be >= 0, got ${p.l2}.`);
  if (!(p.validationSplit >= 0 && p.validationSplit < 1)) throw new Error(`Parameter validationSplit must be in [0, 1), got ${p.validationSplit}.`);
  if (p.task !== "classification" && p.task !== "regression") throw new Error(`Parameter task must be "classification" or "regression", got ${JSON.stringify(p.task)}.`);
  if (!["sgd", "momentum", "adam", "rmsprop"].includes(p.optimizer)) throw new Error(`Parameter optimizer must be sgd, momentum, adam or rmsprop, got ${JSON.stringify(p.optimizer)}.`);
  if (p.architecture === "transformer" && p.dModel % p.numHeads !== 0) throw new Error(`dModel (${p.dModel}) must be divisible by numHeads (${p.numHeads}).`);
  if (p.architecture === "mlp") p.hiddenUnits.forEach((u, i) => positiveInt(`hiddenUnits[${i}]`, u));
  if (p.architecture === "cnn") p.filters.forEach((u, i) => positiveInt(`filters[${i}]`, u));
}

/** Builds the tfjs network of an architecture for one input shape (without the batch axis). */
export function buildNetwork(p: NeuralParams, inputShape: number[], outputs: number): tf.Sequential {
  const net = tf.sequential();
  const drop = () => {
    if (p.dropout > 0) net.add(tf.layers.dropout({ rate: p.dropout }));
  };
  switch (p.architecture) {
    case "mlp":
      p.hiddenUnits.forEach((units, i) => {
        net.add(tf.layers.dense(i === 0 ? { units, activation: p.activation, inputShape } : { units, activation: p.activation }));
        drop();
      });
      if (p.hiddenUnits.length === 0) net.add(tf.layers.inputLayer({ inputShape }));
      break;
    case "cnn": {
      let [h, w] = inputShape;
      p.filters.forEach((filters, i) => {
        const conv = { filters, kernelSize: p.kernelSize, strides: p.strides, padding: p.padding, activation: "relu" as const };
        net.add(tf.layers.conv2d(i === 0 ? { ...conv, inputShape } : conv));
        h = p.padding === "same" ? Math.ceil(h / p.strides) : Math.floor((h - p.kernelSize) / p.strides) + 1;
        w = p.padding === "same" ? Math.ceil(w / p.strides) : Math.floor((w - p.kernelSize) / p.strides) + 1;
        if (h < 1 || w < 1) throw new Error(`The image (${inputShape.join("×")}) is too small for ${p.filters.length} conv blocks of kernel ${p.kernelSize}: use padding "same" or fewer filters.`);
        if (p.poolSize > 1 && h >= p.poolSize && w >= p.poolSize) {
          net.add(tf.layers.maxPooling2d({ poolSize: p.poolSize }));
          h = Math.floor(h / p.poolSize);
          w = Math.floor(w / p.poolSize);
        }
      });
      net.add(tf.layers.flatten());
      drop();
      if (p.denseUnits > 0) {
        net.add(tf.layers.dense({ units: p.denseUnits, activation: "relu" }));
        drop();
      }
      break;
    }
    case "rnn": {
      if (p.vocabSize) net.add(tf.layers.embedding({ inputDim: p.vocabSize, outputDim: p.embeddingDim, inputLength: inputShape[0], inputShape }));
      for (let i = 0; i < p.layers; i++) {
        const cfg = { units: p.units, returnSequences: i < p.layers - 1, ...(i === 0 && !p.vocabSize ? { inputShape } : {}) };
        net.add(p.cell === "gru" ? tf.layers.gru(cfg) : tf.layers.lstm(cfg));
        drop();
      }
      break;
    }
    case "transformer": {
      if (inputShape[0] > p.maxLength) throw new Error(`Sequences have ${inputShape[0]} steps but maxLength is ${p.maxLength}: raise maxLength or truncate.`);
      if (p.vocabSize) net.add(tf.layers.embedding({ inputDim: p.vocabSize, outputDim: p.dModel, inputShape }));
      else net.add(tf.layers.dense({ units: p.dModel, inputShape }));
      net.add(new PositionEmbedding({ maxLength: p.maxLength }));
      for (let i = 0; i < p.numLayers; i++) net.add(new TransformerEncoderBlock({ numHeads: p.numHeads, ffDim: p.ffDim, dropout: p.dropout }));
      net.add(tf.layers.globalAveragePooling1d());
      drop();
      break;
    }
  }
  net.add(tf.layers.dense({ units: outputs, activation: p.task === "classification" ? "softmax" : "linear" }));
  return net;
}

const NAMES: Record<NeuralParams["architecture"], string> = { mlp: "MLP", cnn: "CNN", rnn: "RNN", transformer: "Transformer" };

/** The shared implementation of neural classifiers and regressors. */
export abstract class NeuralNetwork<P extends NeuralParams = NeuralParams> {
  abstract readonly kind: EstimatorKind;
  protected readonly params: P;
  protected net: tf.LayersModel | null = null;
  protected isFitted = false;
  protected inputShape: number[] = [];
  protected classList: (number | string)[] = [];
  protected yMean = 0;
  protected yStd = 1;
  /** The History of the last fit/train call (null before). */
  history: History | null = null;

  constructor(defaults: P, params: Partial<P> = {}) {
    const merged = { ...defaults } as Record<string, unknown>;
    for (const [key, value] of Object.entries(params)) {
      if (!(key in defaults)) throw new Error(`Unknown parameter "${key}" for ${NAMES[defaults.architecture]}. Parameters: ${Object.keys(defaults).join(", ")}.`);
      if (value !== undefined) merged[key] = value;
    }
    this.params = merged as P;
    checkParams(this.params);
  }

  /** E.g. `MLPClassifier`, `CNNClassifier`, `RNNRegressor`. */
  get name(): string {
    return `${NAMES[this.params.architecture]}${this.params.task === "classification" ? "Classifier" : "Regressor"}`;
  }

  get fitted(): boolean {
    return this.isFitted;
  }

  /** The underlying tfjs model (null before fit). Training it directly bypasses trainlab's bookkeeping. */
  get network(): tf.LayersModel | null {
    return this.net;
  }

  getParams(): P {
    return JSON.parse(JSON.stringify(this.params)) as P;
  }

  /** An unfitted copy with some hyperparameters changed. @throws Error on an unknown parameter or a bad value. */
  withParams(params: Partial<P>): NeuralClassifier<P> | NeuralRegressor<P> {
    return makeNeural<P>({ ...this.getParams(), ...params } as P);
  }

  /**
   * Learns from scratch (fresh, seeded weights).
   * @throws Error on wrong shapes, NaN, an empty set, a single class, or a diverging loss.
   */
  async fit(X: NeuralInput, y?: TargetInput, options: NeuralFitOptions = {}): Promise<this> {
    await this.trainOn(X, y, options, false);
    return this;
  }

  /**
   * Trains on (X, y); with `warmStart` a fitted model continues from its current weights (like Keras's fit).
   * Returns the run's History. @throws like {@link fit}.
   */
  async trainOn(X: NeuralInput, y: TargetInput | undefined, options: NeuralFitOptions, warmStart: boolean): Promise<History> {
    await ensureBackend();
    const p = this.params;
    const warm = warmStart && this.isFitted && this.net !== null;
    const seed = fitSeed(options, p.seed);
    const rng = new SeededRandom(seed);
    const spec = { architecture: p.architecture, imageShape: p.architecture === "cnn" ? p.imageShape : null, vocabSize: "vocabSize" in p ? p.vocabSize : null };
    const toFree: tf.Tensor[] = [];
    try {
      const { tensor: x, labels } = featureTensor(X, spec);
      toFree.push(x);
      const yValues = targetValues(y, labels, x.shape[0], `${this.name}.fit`);
      if (warm) this.checkInputShape(x);
      else this.fitTargets(yValues);
      const yT = this.encodeTargets(yValues);
      toFree.push(yT);
      let xVal: tf.Tensor | undefined;
      let yVal: tf.Tensor | undefined;
      if (options.validationData) {
        const v = featureTensor(options.validationData.x as NeuralInput, spec);
        toFree.push(v.tensor);
        xVal = v.tensor;
        yVal = this.encodeTargets(targetValues(options.validationData.y as TargetInput | undefined, v.labels, v.tensor.shape[0], `${this.name}.fit (validationData)`), "validation");
        toFree.push(yVal);
      }
      if (!warm) {
        const inputShape = x.shape.slice(1);
        const outputs = p.task === "classification" ? this.classList.length : 1;
        const fresh = withSeededRandom(rng, () => buildNetwork(p, inputShape, outputs));
        this.net?.dispose();
        this.net = fresh;
        this.inputShape = inputShape;
        if (xVal) this.checkInputShape(xVal);
      }
      const settings: LoopSettings = {
        epochs: options.epochs ?? p.epochs,
        batchSize: options.batchSize ?? p.batchSize,
        optimizer: options.optimizer ?? p.optimizer,
        learningRate: options.learningRate ?? p.learningRate,
        momentum: options.momentum ?? p.momentum,
        l2: options.l2 ?? p.l2,
        validationSplit: xVal ? 0 : options.validationSplit ?? p.validationSplit,
      };
      const earlyStopping = options.earlyStopping ?? (p.earlyStoppingPatience !== null ? { patience: p.earlyStoppingPatience } : undefined);
      const loss: LossKind = p.task === "classification" ? "sparse-categorical" : "mse";
      const history = await runLoop(
        {
          net: this.net!, x, y: yT, xVal, yVal, loss, lossScale: this.yStd * this.yStd, rng,
          saveExtra: (dir) => this.writeParams(dir),
          summary: `${this.name}: ${x.shape[0]} samples, ${settings.epochs} epochs, batch ${settings.batchSize}, ${settings.optimizer} lr ${settings.learningRate}, seed ${seed}`,
        },
        settings,
        { ...options, earlyStopping, title: options.title ?? `${this.name} training` },
      );
      this.isFitted = true;
      this.history = history;
      return history;
    } catch (err) {
      if (!warm) {
        this.net?.dispose();
        this.net = null;
        this.isFitted = false;
      }
      throw err;
    } finally {
      tf.dispose(toFree);
    }
  }

  /** Learns the classes (classification) or the target scale (regression). @throws ValidationError on bad targets. */
  private fitTargets(values: unknown[]): void {
    const where = `${this.name}.fit`;
    if (this.params.task === "classification") {
      this.classList = checkClassificationTarget(values, values.length, where).classes;
    } else {
      const nums = checkRegressionTarget(values, values.length, where);
      const mean = nums.reduce((a, b) => a + b, 0) / nums.length;
      const variance = nums.reduce((a, b) => a + (b - mean) ** 2, 0) / nums.length;
      this.yMean = mean;
      this.yStd = Math.sqrt(variance) || 1;
    }
  }

  /** Targets as a tensor: class codes (label identity is `===`, as in the classical models) or scaled values. */
  private encodeTargets(values: unknown[], what = "training"): tf.Tensor {
    const where = `${this.name}.fit (${what} targets)`;
    if (this.params.task === "classification") {
      const labels = checkLabelValues(values, "y", where);
      const index = new Map<Label, number>(this.classList.map((c, i) => [c, i]));
      const codes = labels.map((v, i) => {
        const k = index.get(v);
        if (k === undefined) throw new ValidationError(`${where}: y[${i}]: label ${JSON.stringify(v)} was not seen in fit. Known classes: ${this.classList.map((c) => JSON.stringify(c)).join(", ")}.`);
        return k;
      });
      return tf.tensor1d(codes, "int32");
    }
    const nums = checkRegressionTarget(values, values.length, where);
    return tf.tensor2d(Array.from(nums, (v) => (v - this.yMean) / this.yStd), [nums.length, 1]);
  }

  private checkInputShape(x: tf.Tensor): void {
    const got = x.shape.slice(1);
    if (got.join() !== this.inputShape.join()) {
      throw new ValidationError(`${this.name}: X has samples of shape [${got}] but the model was fitted on samples of shape [${this.inputShape}]. Use the same features (and sequence length) as in fit.`);
    }
  }

  /** The network. @throws NotFittedError before fit. */
  protected requireFitted(method = "predict"): tf.LayersModel {
    checkFitted(this.isFitted && this.net !== null, this.name, method);
    return this.net as tf.LayersModel;
  }

  /** Raw network outputs (probabilities or scaled values), rows × outputs. @throws Error when unfitted or on a wrong shape. */
  protected outputs(X: NeuralInput): { values: Float32Array; rows: number; cols: number } {
    const net = this.requireFitted();
    const p = this.params;
    const { tensor } = featureTensor(X, { architecture: p.architecture, imageShape: p.architecture === "cnn" ? p.imageShape : null, vocabSize: "vocabSize" in p ? p.vocabSize : null });
    try {
      this.checkInputShape(tensor);
      const out = net.predict(tensor, { batchSize: 256 }) as tf.Tensor;
      const values = out.dataSync() as Float32Array;
      const [rows, cols] = out.shape as [number, number];
      out.dispose();
      return { values, rows, cols };
    } finally {
      tensor.dispose();
    }
  }

  /** Writes the fitted model to `dir` atomically: tfjs `model.json` + `weights.bin` and trainlab's params/state JSON. @throws Error when unfitted. */
  async save(dir: string): Promise<void> {
    const net = this.requireFitted("save");
    await writeDirAtomically(dir, async (tmp) => {
      await writeLayersModel(net, tmp);
      await this.writeParams(tmp);
    });
  }

  private async writeParams(dir: string): Promise<void> {
    const saved: SavedNeural = {
      format: SAVE_FORMAT, version: 1, name: this.name, kind: this.kind, params: this.getParams(), classes: this.classList,
      yMean: this.yMean, yStd: this.yStd, inputShape: this.inputShape, history: this.history?.toJSON() ?? null,
    };
    const weightsFile = path.join(dir, "weights.bin");
    if (fs.existsSync(weightsFile)) saved.weights = digestOf("weights.bin", fs.readFileSync(weightsFile));
    fs.writeFileSync(path.join(dir, NN_PARAMS_FILE), JSON.stringify(saved, null, 1));
  }

  /** @internal Restores state written by {@link save}. */
  restore(saved: SavedNeural, net: tf.LayersModel): void {
    this.net?.dispose();
    this.net = net;
    this.classList = saved.classes;
    this.yMean = saved.yMean;
    this.yStd = saved.yStd;
    this.inputShape = saved.inputShape;
    this.history = saved.history ? History.fromJSON(saved.history) : null;
    this.isFitted = true;
  }

  /** Frees the network's tensors; the estimator becomes unfitted. */
  dispose(): void {
    this.net?.dispose();
    this.net = null;
    this.isFitted = false;
  }

  /** Layer-by-layer summary of the network (as Keras's `model.summary()`). */
  summary(): string {
    if (!this.net) return `${this.name} (not built yet: fit it first)`;
    const lines: string[] = [];
    this.net.summary(100, undefined, (line: string) => lines.push(line));
    return lines.join("\n");
  }

  toString(): string {
    return `${this.name}(${Object.entries(this.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")})${this.isFitted ? " [fitted]" : ""}`;
  }

  [DISPLAY](): MimeBundle {
    const rows = Object.entries(this.params).map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(JSON.stringify(v))}</td></tr>`).join("");
    return {
      "text/plain": `${this.toString()}\n${this.isFitted ? this.summary() : ""}`,
      "text/html": `<div class="trainlab-model"><b>${escapeHtml(this.name)}</b> ${this.isFitted ? "(fitted)" : "(not fitted)"}<table>${rows}</table>` +
        (this.isFitted ? `<pre>${escapeHtml(this.summary())}</pre>` : "") + `</div>`,
    };
  }
}

/** A neural classifier: class labels, probabilities, accuracy. */
export class NeuralClassifier<P extends NeuralParams = NeuralParams> extends NeuralNetwork<P> implements Classifier<P> {
  readonly kind = "classifier" as const;

  /** The sorted class labels seen in fit. @throws Error when unfitted. */
  get classes(): readonly (number | string)[] {
    this.requireFitted("classes");
    return this.classList;
  }

  predictProba(X: NeuralInput): number[][] {
    const { values, rows, cols } = this.outputs(X);
    return Array.from({ length: rows }, (_, i) => Array.from(values.subarray(i * cols, (i + 1) * cols)));
  }

  predict(X: NeuralInput): (number | string)[] {
    const { values, rows, cols } = this.outputs(X);
    const out: (number | string)[] = [];
    for (let i = 0; i < rows; i++) {
      let best = 0;
      for (let j = 1; j < cols; j++) if (values[i * cols + j] > values[i * cols + best]) best = j;
      out.push(this.classList[best]);
    }
    return out;
  }

  /** Accuracy. @throws Error when unfitted or lengths differ. */
  score(X: NeuralInput, y: TargetInput): number {
    const pred = this.predict(X);
    const truth = checkScoringLabels(targetValues(y, undefined, pred.length, `${this.name}.score`), pred.length, `${this.name}.score`);
    return pred.reduce<number>((n, p, i) => n + (p === truth[i] ? 1 : 0), 0) / pred.length;
  }
}

/** A neural regressor: one number per sample, R² score. */
export class NeuralRegressor<P extends NeuralParams = NeuralParams> extends NeuralNetwork<P> implements Regressor<P> {
  readonly kind = "regressor" as const;

  predict(X: NeuralInput): number[] {
    const { values } = this.outputs(X);
    return Array.from(values, (v) => v * this.yStd + this.yMean);
  }

  /** R² (coefficient of determination). @throws Error when unfitted or lengths differ. */
  score(X: NeuralInput, y: TargetInput): number {
    const pred = this.predict(X);
    const truth = Array.from(checkRegressionTarget(targetValues(y, undefined, pred.length, `${this.name}.score`), pred.length, `${this.name}.score`));
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    let ssRes = 0;
    let ssTot = 0;
    truth.forEach((t, i) => {
      ssRes += (t - pred[i]) ** 2;
      ssTot += (t - mean) ** 2;
    });
    return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  }
}

/** Builds the classifier or regressor for complete params. */
export function makeNeural<P extends NeuralParams>(params: P): NeuralClassifier<P> | NeuralRegressor<P> {
  const defaults = NEURAL_DEFAULTS[params.architecture] as unknown as P;
  return params.task === "regression" ? new NeuralRegressor<P>(defaults, params) : new NeuralClassifier<P>(defaults, params);
}

/** True when `dir` holds a neural model saved by trainlab. */
export function isSavedNeuralNetwork(dir: string): boolean {
  return fs.existsSync(path.join(dir, NN_PARAMS_FILE));
}

/**
 * Loads a neural model written by `save(dir)` (or a training checkpoint dir).
 * @throws Error naming the file when the directory is not a saved trainlab neural model.
 */
export async function loadNeuralNetwork(dir: string): Promise<NeuralClassifier | NeuralRegressor> {
  const file = path.join(dir, NN_PARAMS_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file} not found: ${dir} is not a saved trainlab neural network.`);
  let saved: SavedNeural;
  try {
    saved = JSON.parse(fs.readFileSync(file, "utf8")) as SavedNeural;
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}): the save is incomplete or was changed. Save the model again.`);
  }
  if (saved.format !== SAVE_FORMAT) throw new Error(`${file} has format ${JSON.stringify(saved.format)}, expected "${SAVE_FORMAT}".`);
  checkNeuralWeights(dir, saved);
  await ensureBackend();
  const model = makeNeural(saved.params);
  let net: tf.LayersModel;
  try {
    net = await readLayersModel(dir);
  } catch (err) {
    throw new Error(`${path.join(dir, "model.json")} and weights.bin could not be loaded as a network (${(err as Error).message}). The save is incomplete or was changed: save the model again.`);
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
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile} is missing: the network's topology was not saved. Save the model again.`);
  let specs: { shape: number[]; dtype: string }[] = [];
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { weightsManifest: { weights: { shape: number[]; dtype: string }[] }[] };
    specs = manifest.weightsManifest.flatMap((g) => g.weights);
  } catch (err) {
    throw new Error(`${manifestFile} is not a valid tfjs model manifest (${(err as Error).message}). Save the model again.`);
  }
  const bytes = specs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[w.dtype] ?? 4), 0);
  readCheckedFile(weightsFile, { bytes });
}
