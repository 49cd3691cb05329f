/**
 * `train(model, data, options)`: trains a trainlab neural estimator (continuing from its weights when it is
 * already fitted) or a plain compiled/uncompiled tfjs LayersModel, and returns the History.
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { ImageDataset } from "../datasets";
import { ensureBackend } from "../backend";
import { History } from "./history";
import type { LossKind } from "./losses";
import { TrainOptions, runTraining } from "./options";
import { SeededRandom, resolveSeed } from "./random";

/** Everything a neural estimator (and so `train`) accepts as features. */
export type NeuralInput = FeatureInput | tf.Tensor | ImageDataset | ArrayLike<ArrayLike<ArrayLike<number>>>;

/**
 * A model that trains itself on the loop (trainlab's neural estimators): `train` hands it the data, the options and
 * whether to continue from its current weights. `train` knows models only through this shape, never their class.
 */
export interface SelfTrainingModel {
  trainOn(x: NeuralInput, y: TargetInput | undefined, options: TrainCallOptions, warmStart: boolean): Promise<History>;
}

/** Whether `model` trains itself (has a `trainOn` method) rather than being a raw tfjs LayersModel. */
function isSelfTraining(model: unknown): model is SelfTrainingModel {
  return (
    typeof model === "object" &&
    model !== null &&
    !(model instanceof tf.LayersModel) &&
    typeof (model as { trainOn?: unknown }).trainOn === "function"
  );
}

/** Training data: features and targets in any form the model accepts (tensors for a raw tfjs model). */
export interface TrainData {
  x: NeuralInput;
  y?: TargetInput | tf.Tensor;
}

/** Loss names for a raw tfjs model, Keras-style or trainlab's. */
export type LossName =
  LossKind | "sparseCategoricalCrossentropy" | "categoricalCrossentropy" | "binaryCrossentropy" | "meanSquaredError";

/** Options of {@link train}; `loss` is needed for a raw tfjs model. */
export interface TrainCallOptions extends TrainOptions {
  loss?: LossName;
  /** For a trainlab estimator: start from fresh weights even when it is fitted (default false). */
  reset?: boolean;
}

const LOSSES: Record<LossName, LossKind> = {
  "sparse-categorical": "sparse-categorical",
  categorical: "categorical",
  binary: "binary",
  mse: "mse",
  sparseCategoricalCrossentropy: "sparse-categorical",
  categoricalCrossentropy: "categorical",
  binaryCrossentropy: "binary",
  meanSquaredError: "mse",
};

/**
 * Trains `model` on `data`. A trainlab estimator continues from its current weights when fitted (pass
 * `reset: true` to start over); its hyperparameters fill unset options. A raw tfjs model needs tensors and `loss`.
 * Shows a live chart in a kernel; stops cleanly on interrupt; returns per-epoch metrics.
 * @throws Error on wrong shapes, NaN, a missing loss for a raw model, or a diverging loss.
 */
export async function train(
  model: SelfTrainingModel | tf.LayersModel,
  data: TrainData,
  options: TrainCallOptions = {},
): Promise<History> {
  if (isSelfTraining(model)) return model.trainOn(data.x, data.y as TargetInput | undefined, options, !options.reset);
  if (!(model instanceof tf.LayersModel))
    throw new Error("train() takes a trainlab neural estimator (mlp, cnn, rnn, transformer) or a tfjs LayersModel.");
  await ensureBackend();
  if (!options.loss || !LOSSES[options.loss]) {
    throw new Error(`Training a raw tfjs model needs options.loss: one of ${Object.keys(LOSSES).join(", ")}.`);
  }
  if (!(data.x instanceof tf.Tensor) || !(data.y instanceof tf.Tensor))
    throw new Error("Training a raw tfjs model needs data.x and data.y as tensors.");
  if (data.x.shape[0] !== data.y.shape[0])
    throw new Error(`x has ${data.x.shape[0]} samples but y has ${data.y.shape[0]}.`);
  let xVal: tf.Tensor | undefined;
  let yVal: tf.Tensor | undefined;
  if (options.validationData) {
    if (!(options.validationData.x instanceof tf.Tensor) || !(options.validationData.y instanceof tf.Tensor))
      throw new Error("validationData for a raw tfjs model must be tensors.");
    xVal = options.validationData.x;
    yVal = options.validationData.y;
  }
  const seed = resolveSeed(options.seed);
  return runTraining(
    { net: model, x: data.x, y: data.y, xVal, yVal, loss: LOSSES[options.loss], rng: new SeededRandom(seed) },
    {
      epochs: options.epochs ?? 10,
      batchSize: options.batchSize ?? 32,
      optimizer: options.optimizer ?? "adam",
      learningRate: options.learningRate ?? 1e-3,
      momentum: options.momentum ?? 0.9,
      l2: options.l2 ?? 0,
      validationSplit: xVal ? 0 : (options.validationSplit ?? 0),
    },
    options,
  );
}
