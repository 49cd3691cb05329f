/**
 * `LiveProgress`: the callback that shows a run as it trains (Keras's progress bar, plus a live chart in a
 * notebook), through lib/train/live's `LiveView`.
 */
import { Logs, formatMetric } from "../history";
import { LiveMode, LiveTiming, LiveView } from "../live";
import type { Callback, TrainingControl } from "../callback";

/** Options of a {@link LiveProgress}. */
export interface LiveProgressOptions {
  /** `"auto"` (default: a chart in a kernel, epoch lines outside), `"chart"`, `"lines"` or `"none"`. */
  mode?: LiveMode;
  /** Title of the chart (default "Training"). */
  title?: string;
  /** Where epoch lines go outside a kernel (default `console.log`). */
  log?: (line: string) => void;
  /** How often the chart and progress line may update (see `LiveTiming`). */
  timing?: Partial<LiveTiming>;
}

/**
 * Shows the run live: in a kernel one chart of the training and validation curves updated in place and a progress
 * line (epoch, batch, samples/s, ETA); outside, concise epoch lines; at the end the final chart and a closing line
 * with how the run ended and the History's fit hint. `train()` and every neural `fit` add one (option `live`,
 * `title`). Throws nothing of its own.
 */
export class LiveProgress implements Callback {
  private view?: LiveView;
  private started = 0;
  private samplesSeen = 0;
  private seenThisEpoch = 0;
  private epoch = 0;

  constructor(private readonly options: LiveProgressOptions = {}) {}

  onTrainBegin(_logs: Logs, control: TrainingControl): void {
    const o = this.options;
    this.view = new LiveView(o.mode ?? "auto", o.title ?? "Training", o.log, o.timing);
    this.started = Date.now();
    this.samplesSeen = 0;
    this.view.begin(control.history, control.params.summary);
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.seenThisEpoch = 0;
  }

  onBatchEnd(batch: number, logs: Logs, control: TrainingControl): void {
    const { size, ...metrics } = logs;
    this.seenThisEpoch += size ?? 0;
    this.samplesSeen += size ?? 0;
    const { epochs, samples, batches } = control.params;
    const rate = this.rate();
    const remaining = (epochs - this.epoch) * samples + (samples - this.seenThisEpoch);
    const progress = {
      epoch: this.epoch,
      epochs,
      batch,
      batches,
      samplesPerSecond: rate,
      etaSeconds: remaining / rate,
      logs: metrics,
    };
    this.view?.batch(progress);
  }

  onEpochEnd(epoch: number, logs: Logs, control: TrainingControl): void {
    const { epochs, samples, batches } = control.params;
    const rate = this.rate();
    const etaSeconds = ((epochs - epoch) * samples) / rate;
    this.view?.epoch(control.history, {
      epoch,
      epochs,
      batch: batches,
      batches,
      samplesPerSecond: rate,
      etaSeconds,
      logs,
    });
  }

  onTrainEnd(logs: Logs, control: TrainingControl): void {
    const h = control.history;
    const reason =
      h.stopReason === "completed"
        ? "done"
        : h.stopReason === "early-stopping"
          ? `stopped early, best epoch ${h.bestEpoch}`
          : h.stopReason;
    const metrics = Object.entries(logs)
      .map(([k, v]) => `${k} ${formatMetric(v)}`)
      .join(" · ");
    const speed = `${Math.round(h.samplesPerSecond)} samples/s`;
    this.view?.end(
      h,
      `${reason}: ${h.epochs.length} epoch(s) in ${h.seconds.toFixed(1)} s, ${speed} · ` +
        `${metrics} · ${h.hint().message}`,
    );
    this.view = undefined;
  }

  /** Samples per second since the run began. */
  private rate(): number {
    return this.samplesSeen / Math.max((Date.now() - this.started) / 1000, 1e-6);
  }
}
