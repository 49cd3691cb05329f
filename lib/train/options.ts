/**
 * The options of a training run (`train()`'s and every neural `fit`'s) and how they become the loop's settings
 * and built-in callbacks: `schedule` a LearningRateScheduler, `earlyStopping` an EarlyStopping, `checkpoint` a
 * ModelCheckpoint, `live`/`title` a LiveProgress, and always a TerminateOnNaN.
 */
import type { History } from "./history";
import type { Callback } from "./callback";
import type { LiveMode } from "./live";
import type { OptimizerName } from "./optimizers";
import { LoopSettings, LoopTask, runLoop } from "./loop";
import { EarlyStopping, EarlyStoppingOptions } from "./callbacks/early-stopping";
import { LearningRateSchedule, LearningRateScheduler } from "./callbacks/learning-rate-scheduler";
import { LiveProgress } from "./callbacks/live-progress";
import { CheckpointOptions, ModelCheckpoint } from "./callbacks/model-checkpoint";
import { TerminateOnNaN } from "./callbacks/terminate-on-nan";

/** Options of a training run. Unset fields come from the model's hyperparameters. */
export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  optimizer?: OptimizerName;
  learningRate?: number;
  /** Momentum for the `momentum` optimizer (default 0.9). */
  momentum?: number;
  /** A learning-rate schedule (adds a `LearningRateScheduler`). */
  schedule?: LearningRateSchedule;
  /** L2 penalty on the kernels (weights, not biases). */
  l2?: number;
  /** Fraction of the training samples held out (seeded shuffle) for validation; ignored with `validationData`. */
  validationSplit?: number;
  /** Explicit validation samples, in the same forms as the training data. */
  validationData?: { x: unknown; y?: unknown };
  /** Shuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Seed for weight init, shuffling, splitting and dropout: same seed, same metrics. */
  seed?: number;
  /**
   * Your callbacks. At each hook they run after the built-in NaN check and schedule, and before the early stopping,
   * checkpoint and live view these options add (so early stopping can monitor a metric your `onEpochEnd` adds to
   * the logs), except that a `checkpoint` resumes before your `onTrainBegin` (it sees the resumed weights and
   * History) and `earlyStopping` restores the best weights before your `onTrainEnd` (it sees the weights the run
   * returns, and `bestEpoch`). Built-ins you pass here yourself run where you put them, as in Keras.
   */
  callbacks?: Callback[];
  /** Early stopping (true = defaults; adds an `EarlyStopping`). */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** Resumable checkpoints (adds a `ModelCheckpoint`). */
  checkpoint?: CheckpointOptions;
  /** Live display: chart in a kernel, epoch lines outside (default `auto`; adds a `LiveProgress` unless `none`). */
  live?: LiveMode;
  /** Title of the live chart. */
  title?: string;
  /** Stops the run after the current batch; defaults to the kernel's interrupt signal. */
  signal?: AbortSignal;
  /**
   * Let a dense softmax classifier trained with Adam (no dropout) take the native kernel pack's fused step: one
   * native call per batch, same maths (default true; false forces the tfjs path).
   */
  fusedStep?: boolean;
}

/**
 * The callbacks a run with `options` gets, in the order the loop calls them: TerminateOnNaN, the schedule's
 * LearningRateScheduler, the checkpoint's resume (its `onTrainBegin`), early stopping's restore of the best weights
 * (its `onTrainEnd`/`onTrainError`), the user's callbacks, EarlyStopping, ModelCheckpoint's writes (its
 * `onEpochEnd`, with `saveExtra`'s files in each checkpoint) and LiveProgress. @throws Error on bad early-stopping
 * or checkpoint options.
 */
export function trainingCallbacks(options: TrainOptions, saveExtra?: (dir: string) => Promise<void>): Callback[] {
  const list: Callback[] = [new TerminateOnNaN()];
  if (options.schedule) list.push(new LearningRateScheduler(options.schedule));
  const stopping = options.earlyStopping
    ? new EarlyStopping(options.earlyStopping === true ? {} : options.earlyStopping)
    : undefined;
  const checkpoint = options.checkpoint ? new ModelCheckpoint({ ...options.checkpoint, saveExtra }) : undefined;
  // The user's onTrainBegin sees a resumed run and their onTrainEnd the best weights, as before these were callbacks.
  if (checkpoint) list.push({ onTrainBegin: (logs, control) => checkpoint.onTrainBegin(logs, control) });
  if (stopping) {
    list.push({
      onTrainEnd: (logs, control) => stopping.onTrainEnd(logs, control),
      onTrainError: (error, control) => stopping.onTrainError(error, control),
    });
  }
  list.push(...(options.callbacks ?? []));
  if (stopping) list.push(stopping); // its own onTrainEnd then finds nothing left to restore
  if (checkpoint) list.push({ onEpochEnd: (epoch, logs, control) => checkpoint.onEpochEnd(epoch, logs, control) });
  if ((options.live ?? "auto") !== "none") list.push(new LiveProgress({ mode: options.live, title: options.title }));
  return list;
}

/**
 * Runs the loop with the callbacks `options` ask for ({@link trainingCallbacks}).
 * @throws Error like `runLoop`, and "Training diverged" when the loss stops being finite.
 */
export function runTraining(
  task: LoopTask,
  settings: LoopSettings,
  options: TrainOptions,
  saveExtra?: (dir: string) => Promise<void>,
): Promise<History> {
  const { signal, shuffle, fusedStep } = options;
  return runLoop(task, settings, { callbacks: trainingCallbacks(options, saveExtra), signal, shuffle, fusedStep });
}
