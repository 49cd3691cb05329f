/** `EarlyStopping`: the callback that stops a run when a metric stops improving and restores the best weights. */
import * as tf from "@tensorflow/tfjs";
import { Logs, monitorMode } from "../history";
import type { Callback, CallbackState, TrainingControl } from "../callback";

/** Early stopping: stop when `monitor` has not improved for `patience` epochs. */
export interface EarlyStoppingOptions {
  /** Metric to watch (default `val_loss`, or `loss` without validation). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Whether smaller or larger is better (default: `max` for acc/accuracy/r2 metrics, else `min`). */
  mode?: "min" | "max" | "auto";
  /** Put back the weights of the best epoch at the end (default true). */
  restoreBestWeights?: boolean;
}

/** The best epoch so far: its monitored value, and the epochs since. */
interface Best {
  value: number;
  epoch: number;
  wait: number;
}

/**
 * Stops the run when the monitored metric has not improved for `patience` epochs, and (by default) puts back the
 * weights of its best epoch at the end, also when the run fails (Keras's `EarlyStopping`). Sets the History's
 * `monitor`, `stopReason` ("early-stopping") and `bestEpoch`. A checkpoint keeps its state, so a resumed run stops
 * where an uninterrupted one would. `train`'s `earlyStopping` option adds one.
 * @throws Error from `onTrainBegin` when it monitors a validation metric without validation data, and from
 *   `onEpochEnd` when the monitored metric is not in the epoch's logs.
 */
export class EarlyStopping implements Callback {
  readonly checkpointKey = "best";
  private readonly options: EarlyStoppingOptions;
  private best: Best | null = null;
  private bestWeights: tf.Tensor[] | null = null;
  private monitor = "val_loss";
  private mode: "min" | "max" = "min";

  /** @throws Error on a negative patience or minDelta. */
  constructor(options: EarlyStoppingOptions = {}) {
    if (options.patience !== undefined && !(options.patience >= 0)) {
      throw new Error(`Early stopping patience must be >= 0, got ${options.patience}.`);
    }
    if (options.minDelta !== undefined && !(options.minDelta >= 0)) {
      throw new Error(`Early stopping minDelta must be >= 0, got ${options.minDelta}.`);
    }
    this.options = { ...options };
  }

  private get restoreBestWeights(): boolean {
    return this.options.restoreBestWeights ?? true;
  }

  onTrainBegin(_logs: Logs, control: TrainingControl): void {
    const hasVal = control.params.validationSamples > 0;
    this.monitor = this.options.monitor ?? (hasVal ? "val_loss" : "loss");
    this.mode = !this.options.mode || this.options.mode === "auto" ? monitorMode(this.monitor) : this.options.mode;
    if (this.monitor.startsWith("val_") && !hasVal) {
      throw new Error(
        `Early stopping monitors "${this.monitor}" but there is no validation data: ` +
          `pass validationSplit or validationData, or monitor "loss".`,
      );
    }
    control.history.monitor = this.monitor;
  }

  onEpochEnd(epoch: number, logs: Logs, control: TrainingControl): void {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new Error(
        `Early stopping monitors "${this.monitor}", which is not among the metrics: ${Object.keys(logs).join(", ")}.`,
      );
    }
    const minDelta = this.options.minDelta ?? 0;
    const best = this.best;
    const better = !best || (this.mode === "min" ? value < best.value - minDelta : value > best.value + minDelta);
    if (better) {
      this.best = { value, epoch, wait: 0 };
      if (this.restoreBestWeights) {
        tf.dispose(this.bestWeights ?? []);
        this.bestWeights = control.network.getWeights().map((w) => w.clone());
      }
    } else if (best && ++best.wait >= (this.options.patience ?? 5)) {
      control.history.stopReason = "early-stopping";
      control.stop();
    }
  }

  onTrainEnd(_logs: Logs, control: TrainingControl): void {
    this.finish(control);
  }

  /** A failed run also ends on the best weights (a diverged network is worth less than its best epoch). */
  onTrainError(_error: unknown, control: TrainingControl): void {
    this.finish(control);
  }

  checkpointState(): CallbackState {
    return { data: this.best ? { ...this.best } : null, tensors: this.bestWeights ?? [] };
  }

  restoreCheckpointState(state: CallbackState, control: TrainingControl): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = null;
    this.best = isBest(state.data) ? { ...state.data } : null;
    if (this.best && this.restoreBestWeights) {
      // A checkpoint without the best weights was written right at the best epoch: its weights are the best ones.
      this.bestWeights = state.tensors.length > 0 ? state.tensors : control.network.getWeights().map((w) => w.clone());
    } else {
      tf.dispose(state.tensors);
    }
  }

  /**
   * Puts back the best weights, records the best epoch, frees the copies; a second call does nothing. It restores
   * even when the best epoch is the last recorded one: after an interrupt or an error mid-epoch the network has
   * moved on from it.
   */
  private finish(control: TrainingControl): void {
    const { best, bestWeights } = this;
    if (best && bestWeights && this.restoreBestWeights) {
      control.network.setWeights(bestWeights);
      control.history.bestEpoch = best.epoch;
    }
    tf.dispose(bestWeights ?? []);
    this.bestWeights = null;
    this.best = null;
  }
}

function isBest(data: unknown): data is Best {
  const b = data as Best | null;
  if (typeof b !== "object" || b === null) return false;
  return typeof b.value === "number" && typeof b.epoch === "number" && typeof b.wait === "number";
}
