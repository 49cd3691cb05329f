/**
 * The hyperparameters of the neural estimators (mlp, cnn, rnn, transformer) as plain data: their types, each
 * architecture's defaults, and the checks a constructor runs on them.
 */
import type { FitOptions } from "../estimator";
import type { OptimizerName } from "../../train/optimizers";
import type { TrainOptions } from "../../train/options";

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

/** Hyperparameters every architecture shares, at their defaults. */
const COMMON_DEFAULTS: CommonNeuralParams = {
  task: "classification",
  epochs: 20,
  batchSize: 32,
  optimizer: "adam",
  learningRate: 1e-3,
  momentum: 0.9,
  l2: 0,
  dropout: 0,
  validationSplit: 0,
  earlyStoppingPatience: null,
  seed: 0,
};

/** Default hyperparameters of each architecture. */
export const NEURAL_DEFAULTS: { mlp: MlpParams; cnn: CnnParams; rnn: RnnParams; transformer: TransformerParams } = {
  mlp: { ...COMMON_DEFAULTS, architecture: "mlp", hiddenUnits: [64, 32], activation: "relu" },
  cnn: {
    ...COMMON_DEFAULTS,
    architecture: "cnn",
    epochs: 5,
    batchSize: 64,
    imageShape: null,
    filters: [16, 32],
    kernelSize: 3,
    strides: 1,
    padding: "valid",
    poolSize: 2,
    denseUnits: 0,
  },
  rnn: {
    ...COMMON_DEFAULTS,
    architecture: "rnn",
    cell: "lstm",
    units: 32,
    layers: 1,
    vocabSize: null,
    embeddingDim: 16,
  },
  transformer: {
    ...COMMON_DEFAULTS,
    architecture: "transformer",
    vocabSize: null,
    maxLength: 128,
    dModel: 32,
    numHeads: 4,
    ffDim: 64,
    numLayers: 1,
  },
};

/** The display name of each architecture (`MLP` in `MLPClassifier`). */
export const NAMES: Record<NeuralParams["architecture"], string> = {
  mlp: "MLP",
  cnn: "CNN",
  rnn: "RNN",
  transformer: "Transformer",
};

/** Checks hyperparameters. @throws Error naming the first bad parameter and what it must be. */
export function checkParams(p: NeuralParams): void {
  const positiveInt = (name: string, v: unknown) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
      throw new Error(`Parameter ${name} must be a positive integer, got ${JSON.stringify(v)}.`);
  };
  positiveInt("epochs", p.epochs);
  positiveInt("batchSize", p.batchSize);
  if (!(p.learningRate > 0)) throw new Error(`Parameter learningRate must be > 0, got ${p.learningRate}.`);
  if (!(p.dropout >= 0 && p.dropout < 1)) throw new Error(`Parameter dropout must be in [0, 1), got ${p.dropout}.`);
  if (!(p.l2 >= 0)) throw new Error(`Parameter l2 must be >= 0, got ${p.l2}.`);
  if (!(p.validationSplit >= 0 && p.validationSplit < 1))
    throw new Error(`Parameter validationSplit must be in [0, 1), got ${p.validationSplit}.`);
  if (p.task !== "classification" && p.task !== "regression")
    throw new Error(`Parameter task must be "classification" or "regression", got ${JSON.stringify(p.task)}.`);
  if (!["sgd", "momentum", "adam", "rmsprop"].includes(p.optimizer))
    throw new Error(`Parameter optimizer must be sgd, momentum, adam or rmsprop, got ${JSON.stringify(p.optimizer)}.`);
  if (p.architecture === "transformer" && p.dModel % p.numHeads !== 0)
    throw new Error(`dModel (${p.dModel}) must be divisible by numHeads (${p.numHeads}).`);
  if (p.architecture === "mlp") p.hiddenUnits.forEach((u, i) => positiveInt(`hiddenUnits[${i}]`, u));
  if (p.architecture === "cnn") p.filters.forEach((u, i) => positiveInt(`filters[${i}]`, u));
}
