/** Neural-network estimators on tfjs: mlp, cnn, rnn (LSTM/GRU) and a small transformer encoder. */
export { mlp, cnn, rnn, transformer } from "./builders";
export { NeuralNetwork, NeuralClassifier, NeuralRegressor } from "./network";
export { loadNeuralNetwork, isSavedNeuralNetwork } from "./load";
export { buildNetwork } from "./architectures";
export { NEURAL_DEFAULTS } from "./params";
export type {
  NeuralParams,
  MlpParams,
  CnnParams,
  RnnParams,
  TransformerParams,
  CommonNeuralParams,
  NeuralTask,
  NeuralFitOptions,
} from "./params";
export type { NeuralInput } from "./inputs";
export { PositionEmbedding, TransformerEncoderBlock } from "./layers";
