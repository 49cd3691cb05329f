/** The built-in callbacks of the training loop (Keras's `keras.callbacks`), each one a user could have written. */
export { EarlyStopping } from "./early-stopping";
export type { EarlyStoppingOptions } from "./early-stopping";
export { ModelCheckpoint, hasCheckpoint } from "./model-checkpoint";
export type { CheckpointOptions, ModelCheckpointOptions } from "./model-checkpoint";
export { LearningRateScheduler, scheduledLearningRate } from "./learning-rate-scheduler";
export type { LearningRateSchedule } from "./learning-rate-scheduler";
export { TerminateOnNaN } from "./terminate-on-nan";
export { LiveProgress } from "./live-progress";
export type { LiveProgressOptions } from "./live-progress";
