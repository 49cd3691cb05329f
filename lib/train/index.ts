/** Step 4: the training loop with a live chart, callbacks, early stopping, checkpoints and a History. */
export { train } from "./train";
export type { TrainData, TrainCallOptions, LossName } from "./train";
export { History, formatMetric } from "./history";
export type { Logs, StopReason, HistoryData, FitHint } from "./history";
export { makeOptimizer } from "./optimizers";
export type { OptimizerName } from "./optimizers";
export { evaluateLoss } from "./losses";
export type { LossKind } from "./losses";
export type { TrainOptions } from "./options";
export type { Callback, TrainingControl, RunParams, RandomState, CallbackState } from "./callback";
export {
  EarlyStopping,
  ModelCheckpoint,
  LearningRateScheduler,
  TerminateOnNaN,
  LiveProgress,
  hasCheckpoint,
  scheduledLearningRate,
} from "./callbacks";
export type {
  EarlyStoppingOptions,
  CheckpointOptions,
  ModelCheckpointOptions,
  LearningRateSchedule,
  LiveProgressOptions,
} from "./callbacks";
export { LiveView, progressLine } from "./live";
export type { LiveMode, Progress } from "./live";
export { installFitInterrupt, stopOnAbort } from "./interrupt";
