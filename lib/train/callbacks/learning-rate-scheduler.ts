/** `LearningRateScheduler`: learning-rate schedules by name or function, and the callback that applies one. */
import type { Logs } from "../history";
import type { Callback, TrainingControl } from "../callback";

/** A learning-rate schedule: by name (epochs count from 1) or a function of epoch and base rate. */
export type LearningRateSchedule =
  | { type: "constant" }
  | { type: "step"; every: number; factor: number }
  | { type: "exponential"; decay: number }
  | { type: "cosine"; minLearningRate?: number }
  | ((epoch: number, baseLearningRate: number) => number);

/** The learning rate of `epoch` (1-based) under a schedule. @throws Error on a malformed schedule. */
export function scheduledLearningRate(
  schedule: LearningRateSchedule | undefined,
  epoch: number,
  base: number,
  epochs: number,
): number {
  if (!schedule) return base;
  if (typeof schedule === "function") return schedule(epoch, base);
  switch (schedule.type) {
    case "constant":
      return base;
    case "step":
      return base * Math.pow(schedule.factor, Math.floor((epoch - 1) / Math.max(1, schedule.every)));
    case "exponential":
      return base * Math.pow(schedule.decay, epoch - 1);
    case "cosine": {
      const min = schedule.minLearningRate ?? 0;
      return min + 0.5 * (base - min) * (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, epochs - 1)));
    }
    default:
      throw new Error(
        `Unknown learning-rate schedule ${JSON.stringify(schedule)}: ` +
          `use constant, step, exponential, cosine or a function.`,
      );
  }
}

/**
 * Sets the learning rate at the start of every epoch from a schedule of the epoch and the run's base rate (Keras's
 * `LearningRateScheduler`; `train`'s `schedule` option adds one). The History records each epoch's rate.
 * @throws Error from `onEpochBegin` on a malformed schedule or a rate that is negative or not finite.
 */
export class LearningRateScheduler implements Callback {
  constructor(private readonly schedule: LearningRateSchedule) {}

  onEpochBegin(epoch: number, _logs: Logs, control: TrainingControl): void {
    const lr = scheduledLearningRate(this.schedule, epoch, control.params.learningRate, control.params.epochs);
    if (!(lr >= 0 && Number.isFinite(lr))) {
      throw new Error(`The learning-rate schedule gave ${lr} for epoch ${epoch}: a rate must be a finite number >= 0.`);
    }
    control.setLearningRate(lr);
  }
}
