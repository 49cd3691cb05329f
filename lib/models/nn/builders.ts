/**
 * Builders of the neural estimators: `mlp`, `cnn`, `rnn`, `transformer`. Each takes partial hyperparameters
 * and returns an unfitted classifier (default) or regressor (`task: "regression"`).
 */
import { markEstimatorFactory } from "../estimator";
import { NeuralClassifier, NeuralRegressor, makeNeural } from "./network";
import { CnnParams, MlpParams, NEURAL_DEFAULTS, RnnParams, TransformerParams } from "./params";

type Build<P> = Partial<Omit<P, "architecture">>;

/** A multi-layer perceptron on feature rows (784-256-128-10: `mlp({ hiddenUnits: [256, 128] })`). @throws Error on bad params. */
export function mlp(params?: Build<MlpParams> & { task?: "classification" }): NeuralClassifier<MlpParams>;
export function mlp(params: Build<MlpParams> & { task: "regression" }): NeuralRegressor<MlpParams>;
export function mlp(params: Build<MlpParams> = {}): NeuralClassifier<MlpParams> | NeuralRegressor<MlpParams> {
  return makeNeural<MlpParams>({ ...NEURAL_DEFAULTS.mlp, ...params, architecture: "mlp" });
}

/** A convolutional network for images (conv → ReLU → max-pool blocks, then dense). @throws Error on bad params. */
export function cnn(params?: Build<CnnParams> & { task?: "classification" }): NeuralClassifier<CnnParams>;
export function cnn(params: Build<CnnParams> & { task: "regression" }): NeuralRegressor<CnnParams>;
export function cnn(params: Build<CnnParams> = {}): NeuralClassifier<CnnParams> | NeuralRegressor<CnnParams> {
  return makeNeural<CnnParams>({ ...NEURAL_DEFAULTS.cnn, ...params, architecture: "cnn" });
}

/** A recurrent network (LSTM or GRU) for sequences or token ids. @throws Error on bad params. */
export function rnn(params?: Build<RnnParams> & { task?: "classification" }): NeuralClassifier<RnnParams>;
export function rnn(params: Build<RnnParams> & { task: "regression" }): NeuralRegressor<RnnParams>;
export function rnn(params: Build<RnnParams> = {}): NeuralClassifier<RnnParams> | NeuralRegressor<RnnParams> {
  return makeNeural<RnnParams>({ ...NEURAL_DEFAULTS.rnn, ...params, architecture: "rnn" });
}

/** A small transformer encoder (self-attention blocks, mean pooling) for text or sequences. @throws Error on bad params. */
export function transformer(
  params?: Build<TransformerParams> & { task?: "classification" },
): NeuralClassifier<TransformerParams>;
export function transformer(
  params: Build<TransformerParams> & { task: "regression" },
): NeuralRegressor<TransformerParams>;
export function transformer(
  params: Build<TransformerParams> = {},
): NeuralClassifier<TransformerParams> | NeuralRegressor<TransformerParams> {
  return makeNeural<TransformerParams>({ ...NEURAL_DEFAULTS.transformer, ...params, architecture: "transformer" });
}

const TASKS = [{ task: "classification" }, { task: "regression" }] as const;
for (const factory of [mlp, cnn, rnn, transformer]) markEstimatorFactory(factory, TASKS);
