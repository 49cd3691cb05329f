/**
 * The neural estimators (mlp, cnn, rnn, transformer) behind the scikit-learn-style contract of
 * lib/models/estimator.ts: fit/predict/predictProba/score, plain-data params, atomic save. Training runs through
 * lib/train's loop (live chart, callbacks, early stopping, checkpoints, interrupt) on the backend lib/backend chose.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../backend";
import { DISPLAY, MimeBundle, escapeHtml } from "../../display";
import type { TargetInput } from "../../data/matrix";
import type { Classifier, EstimatorKind, Regressor } from "../estimator";
import { History } from "../../train/history";
import type { LossKind } from "../../train/losses";
import type { LoopSettings } from "../../train/loop";
import { runTraining } from "../../train/options";
import { SeededRandom, withSeededRandom } from "../../train/random";
import { fitSeed } from "../base";
import {
  Label,
  ValidationError,
  checkClassificationTarget,
  checkFitted,
  checkLabelValues,
  checkRegressionTarget,
  checkScoringLabels,
} from "../../core/validation";
import { FileDigest, digestOf } from "../../core/integrity";
import { accuracyOf, mean, r2Of, std } from "../../core/stats";
import { writeDirAtomically, writeLayersModel } from "../../train/checkpoint";
import { NeuralInput, featureTensor, targetValues } from "./inputs";
import { NAMES, NEURAL_DEFAULTS, NeuralFitOptions, NeuralParams, checkParams } from "./params";
import { buildNetwork } from "./architectures";

/** The format tag of a saved neural model. */
export const SAVE_FORMAT = "trainlab-nn";

/** The file in a saved neural model's directory that holds params and state. */
export const NN_PARAMS_FILE = "trainlab-params.json";

/** What trainlab-params.json holds. */
export interface SavedNeural {
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
      if (!(key in defaults))
        throw new Error(
          `Unknown parameter "${key}" for ${NAMES[defaults.architecture]}. Parameters: ${Object.keys(defaults).join(", ")}.`,
        );
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
  async trainOn(
    X: NeuralInput,
    y: TargetInput | undefined,
    options: NeuralFitOptions,
    warmStart: boolean,
  ): Promise<History> {
    await ensureBackend();
    const p = this.params;
    const warm = warmStart && this.isFitted && this.net !== null;
    const seed = fitSeed(options, p.seed);
    const rng = new SeededRandom(seed);
    const spec = {
      architecture: p.architecture,
      imageShape: p.architecture === "cnn" ? p.imageShape : null,
      vocabSize: "vocabSize" in p ? p.vocabSize : null,
    };
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
        yVal = this.encodeTargets(
          targetValues(
            options.validationData.y as TargetInput | undefined,
            v.labels,
            v.tensor.shape[0],
            `${this.name}.fit (validationData)`,
          ),
          "validation",
        );
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
        validationSplit: xVal ? 0 : (options.validationSplit ?? p.validationSplit),
      };
      const earlyStopping =
        options.earlyStopping ?? (p.earlyStoppingPatience !== null ? { patience: p.earlyStoppingPatience } : undefined);
      const loss: LossKind = p.task === "classification" ? "sparse-categorical" : "mse";
      const history = await runTraining(
        {
          net: this.net!,
          x,
          y: yT,
          xVal,
          yVal,
          loss,
          lossScale: this.yStd * this.yStd,
          rng,
          summary: `${this.name}: ${x.shape[0]} samples, ${settings.epochs} epochs, batch ${settings.batchSize}, ${settings.optimizer} lr ${settings.learningRate}, seed ${seed}`,
        },
        settings,
        { ...options, earlyStopping, title: options.title ?? `${this.name} training` },
        (dir) => this.writeParams(dir),
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
      this.yMean = mean(nums);
      this.yStd = std(nums, 0) || 1;
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
        if (k === undefined)
          throw new ValidationError(
            `${where}: y[${i}]: label ${JSON.stringify(v)} was not seen in fit. Known classes: ${this.classList.map((c) => JSON.stringify(c)).join(", ")}.`,
          );
        return k;
      });
      return tf.tensor1d(codes, "int32");
    }
    const nums = checkRegressionTarget(values, values.length, where);
    return tf.tensor2d(
      Array.from(nums, (v) => (v - this.yMean) / this.yStd),
      [nums.length, 1],
    );
  }

  private checkInputShape(x: tf.Tensor): void {
    const got = x.shape.slice(1);
    if (got.join() !== this.inputShape.join()) {
      throw new ValidationError(
        `${this.name}: X has samples of shape [${got}] but the model was fitted on samples of shape [${this.inputShape}]. Use the same features (and sequence length) as in fit.`,
      );
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
    const { tensor } = featureTensor(X, {
      architecture: p.architecture,
      imageShape: p.architecture === "cnn" ? p.imageShape : null,
      vocabSize: "vocabSize" in p ? p.vocabSize : null,
    });
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
      format: SAVE_FORMAT,
      version: 1,
      name: this.name,
      kind: this.kind,
      params: this.getParams(),
      classes: this.classList,
      yMean: this.yMean,
      yStd: this.yStd,
      inputShape: this.inputShape,
      history: this.history?.toJSON() ?? null,
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
    return `${this.name}(${Object.entries(this.params)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ")})${this.isFitted ? " [fitted]" : ""}`;
  }

  [DISPLAY](): MimeBundle {
    const rows = Object.entries(this.params)
      .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(JSON.stringify(v))}</td></tr>`)
      .join("");
    return {
      "text/plain": `${this.toString()}\n${this.isFitted ? this.summary() : ""}`,
      "text/html":
        `<div class="trainlab-model"><b>${escapeHtml(this.name)}</b> ${this.isFitted ? "(fitted)" : "(not fitted)"}<table>${rows}</table>` +
        (this.isFitted ? `<pre>${escapeHtml(this.summary())}</pre>` : "") +
        `</div>`,
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
    const truth = checkScoringLabels(
      targetValues(y, undefined, pred.length, `${this.name}.score`),
      pred.length,
      `${this.name}.score`,
    );
    return accuracyOf(truth, pred);
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
    const truth = Array.from(
      checkRegressionTarget(
        targetValues(y, undefined, pred.length, `${this.name}.score`),
        pred.length,
        `${this.name}.score`,
      ),
    );
    return r2Of(truth, pred);
  }
}

/** Builds the classifier or regressor for complete params. */
export function makeNeural<P extends NeuralParams>(params: P): NeuralClassifier<P> | NeuralRegressor<P> {
  const defaults = NEURAL_DEFAULTS[params.architecture] as unknown as P;
  return params.task === "regression"
    ? new NeuralRegressor<P>(defaults, params)
    : new NeuralClassifier<P>(defaults, params);
}
