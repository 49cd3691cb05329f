/** `TerminateOnNaN`: the callback that ends a run with an error as soon as the training loss stops being finite. */
import type { Logs } from "../history";
import type { Callback } from "../callback";

/**
 * Ends the run when the loss of a batch becomes NaN or infinite (Keras's `TerminateOnNaN`, which stops the run;
 * this one throws, so a diverged model is never mistaken for a trained one). `train()` and every neural `fit`
 * always run it first. @throws Error "Training diverged" from `onBatchEnd`, naming the epoch and batch.
 */
export class TerminateOnNaN implements Callback {
  private epoch = 0;

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss === undefined || Number.isFinite(loss)) return;
    throw new Error(
      `Training diverged: the loss became ${loss} at epoch ${this.epoch}, batch ${batch}. ` +
        `Lower the learning rate, scale the features, or check the data for extreme values.`,
    );
  }
}
