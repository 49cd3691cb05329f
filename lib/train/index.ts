/** Step 4: the training loop with a live chart, callbacks, early stopping, checkpoints and a History. */
import "../kernels/wasm-gradients";
export { train } from "./train";
export type { TrainData, TrainCallOptions, LossName } from "./train";
export { History, formatMetric } from "./history";
export type { Logs, StopReason, HistoryData, FitHint } from "./history";
export { makeOptimizer, scheduledLearningRate, evaluateLoss, hasCheckpoint } from "./loop";
export type { OptimizerName, LearningRateSchedule, Callback, TrainingControl, EarlyStoppingOptions, CheckpointOptions, TrainOptions, LossKind } from "./loop";
export { LiveView, progressLine } from "./live";
export type { LiveMode, Progress } from "./live";
export { installFitInterrupt, stopOnAbort } from "./interrupt";
export {
  registerWasmGradientKernels, activeWasmGradientFallbacks, WASM_GRADIENT_KERNELS, conv2dFilterGradient, depthwiseFilterGradient, depthwiseInputGradient,
} from "../kernels/wasm-gradients";
export type { WasmGradientKernel } from "../kernels/wasm-gradients";
