/** Neural-network estimators on tfjs: mlp, cnn, rnn (LSTM/GRU) and a small transformer encoder. */
export { mlp, cnn, rnn, transformer } from "./builders";
export {
  NeuralNetwork, NeuralClassifier, NeuralRegressor, loadNeuralNetwork, isSavedNeuralNetwork, buildNetwork, NEURAL_DEFAULTS,
} from "./network";
export type { NeuralParams, MlpParams, CnnParams, RnnParams, TransformerParams, CommonNeuralParams, NeuralTask, NeuralFitOptions } from "./network";
export type { NeuralInput } from "./inputs";
export { PositionEmbedding, TransformerEncoderBlock } from "./layers";
