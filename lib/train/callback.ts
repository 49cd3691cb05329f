/**
 * The callback interface of the training loop (Keras's `Callback`): the hooks the loop calls, and the
 * `TrainingControl` each hook receives, which is everything a callback may read or change about the run. The
 * built-in callbacks (lib/train/callbacks) use nothing else, so a user can write each of them.
 */
import type * as tf from "@tensorflow/tfjs";
import type { History, Logs } from "./history";
import type { OptimizerName } from "./optimizers";

/** What a callback knows of the run it is part of (like Keras's `callback.params`); fixed for the run. */
export interface RunParams {
  /** The last epoch of the run (epochs count from 1). */
  readonly epochs: number;
  readonly batchSize: number;
  /** Mini-batches per epoch. */
  readonly batches: number;
  /** Training samples (after a validation split). */
  readonly samples: number;
  /** Validation samples (0 without validation). */
  readonly validationSamples: number;
  readonly optimizer: OptimizerName;
  /** The learning rate the run starts from, before any schedule. */
  readonly learningRate: number;
  /** Momentum of the `momentum` optimizer. */
  readonly momentum: number;
  /** L2 penalty on the kernels. */
  readonly l2: number;
  /** Fraction of the samples held out for validation (0 with explicit validation data or none). */
  readonly validationSplit: number;
  /** The metric names each epoch's logs hold, e.g. `["loss", "acc", "val_loss", "val_acc"]`. */
  readonly metrics: readonly string[];
  /** One line that describes the run (the live view opens with it). */
  readonly summary: string;
}

/** A random generator whose state can be saved and restored (the run's shuffling and dropout draw from it). */
export interface RandomState {
  getState(): number;
  setState(state: number): void;
}

/**
 * A callback's state as a checkpoint keeps it: plain JSON data and tensors. The tensors stay the callback's when it
 * hands them out ({@link Callback.checkpointState}), and become the callback's when handed in.
 */
export interface CallbackState {
  data: unknown;
  tensors: tf.Tensor[];
}

/**
 * What each hook receives: the network, the run's parameters, its History so far and the means to steer it
 * (like Keras's `callback.model` and `model.stopTraining = true`).
 */
export interface TrainingControl {
  /** The network being trained. */
  readonly network: tf.LayersModel;
  /** The run's parameters. */
  readonly params: RunParams;
  /** The run's History: the epochs recorded so far; callbacks may set `stopReason`, `bestEpoch` and `monitor`. */
  readonly history: History;
  /** The optimizer of the run (its state is what a checkpoint saves next to the weights). */
  readonly optimizer: tf.Optimizer;
  /** The run's random generator (shuffling, validation split, dropout). */
  readonly random: RandomState;
  /** Every callback of the run, in the order the loop calls them. */
  readonly callbacks: readonly Callback[];
  /** The learning rate the next batches use. */
  readonly learningRate: number;
  /** Sets the learning rate of the next batches (and records it as the epoch's rate when set before it starts). */
  setLearningRate(learningRate: number): void;
  /**
   * Continues the run after `epoch`, whose weights, optimizer state and History a callback has just restored (a
   * checkpoint). Only from `onTrainBegin`. @throws Error when called later or with a negative epoch.
   */
  resumeAfter(epoch: number): void;
  /** Asks the loop to stop after the current batch (the History says `callback` unless a callback set a reason). */
  stop(): void;
  /** Whether a callback asked the loop to stop. */
  readonly stopRequested: boolean;
}

/**
 * Keras-style callbacks. Every hook is optional and may be async; the loop awaits each in turn, in list order.
 * Epochs and batches count from 1. Logs of a batch are running means over the epoch so far, plus `size`.
 */
export interface Callback {
  onTrainBegin?(logs: Logs, control: TrainingControl): void | Promise<void>;
  /** `logs.lr` is the learning rate the epoch starts with. */
  onEpochBegin?(epoch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  /** The logs object is shared: a callback may add a metric that later callbacks (early stopping) read. */
  onEpochEnd?(epoch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  /** Called when the run ends without an error (also after a stop or an interrupt); `logs` are the last epoch's. */
  onTrainEnd?(logs: Logs, control: TrainingControl): void | Promise<void>;
  /**
   * Called instead of `onTrainEnd` when the run fails (the loop or a callback threw; also when an `onTrainEnd`
   * threw, so a callback whose `onTrainEnd` already ran may get both); the error is rethrown afterwards, and an error
   * thrown here is ignored.
   */
  onTrainError?(error: unknown, control: TrainingControl): void | Promise<void>;
  /** The key under which a checkpoint keeps this callback's state (needed for the next two methods to be used). */
  readonly checkpointKey?: string;
  /** This callback's state, for a checkpoint to save (e.g. early stopping's best epoch and its weights). */
  checkpointState?(control: TrainingControl): CallbackState;
  /** Takes back a state from {@link checkpointState} when a run resumes (may come before or after `onTrainBegin`). */
  restoreCheckpointState?(state: CallbackState, control: TrainingControl): void;
}
