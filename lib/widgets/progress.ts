/**
 * A progress bar for long work (training, search, cross-validation, report runs): a FloatProgress
 * widget with a text label where the frontend shows widgets (see `widgetsSupported`), and one text line
 * updated in place (`update_display_data`) elsewhere, as before. Outside a kernel: a line on stdout at
 * the start and at the end.
 */
import { DisplayHandle, ProgressLine, display, kernelBridge } from "../display";
import { FloatProgress, HBox, Label } from "./controls";
import { widgetsSupported } from "./manager";

/** Options of `progressBar`. */
export interface ProgressBarOptions {
  /** The amount of work when done (e.g. epochs, folds, candidates). */
  total: number;
  /** What is running, shown before the bar. */
  description?: string;
  /** Force the widget (true) or the text line (false) instead of asking the frontend. */
  widget?: boolean;
}

/** The shortest time between two redraws of a progress bar. */
const MIN_REDRAW_MS = 100;

/** A running progress display; see `progressBar`. */
export class ProgressBar {
  /** The widget shown (undefined when the text line is used). */
  readonly widget: HBox | undefined;
  private readonly bar: FloatProgress | undefined;
  private readonly label: Label | undefined;
  private readonly line: DisplayHandle | undefined;
  private doneAmount = 0;
  private finished = false;
  private lastShown = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private pendingText = "";

  /** Shows the bar at 0. @throws Error when `total` is not a number above 0. */
  constructor(private readonly options: ProgressBarOptions) {
    if (!(typeof options.total === "number" && Number.isFinite(options.total) && options.total > 0)) {
      throw new Error(`progressBar: total must be a number above 0, got ${JSON.stringify(options.total)}`);
    }
    const inKernel = kernelBridge() !== undefined;
    const useWidget = inKernel && (options.widget ?? widgetsSupported());
    if (useWidget) {
      this.bar = new FloatProgress({ min: 0, max: options.total, value: 0, description: options.description ?? "" });
      this.label = new Label(this.summary());
      this.widget = new HBox([this.bar, this.label]);
      display(this.widget);
    } else if (inKernel) {
      this.line = display(new ProgressLine(this.summary(), false));
    } else {
      console.log(this.summary());
    }
  }

  /** The amount done so far. */
  get done(): number {
    return this.doneAmount;
  }

  /**
   * Sets the amount done (clipped to [0, total]) and the text after the bar (e.g. "loss 0.31 · ETA 12 s").
   * The display is redrawn at most every 100 ms; an update in between is drawn when that time is up, so
   * the bar never stays behind the work.
   */
  update(done: number, text = ""): void {
    if (this.finished) return;
    this.doneAmount = Math.min(this.options.total, Math.max(0, Number.isFinite(done) ? done : 0));
    this.pendingText = text;
    const wait = this.lastShown + MIN_REDRAW_MS - Date.now();
    if (wait <= 0 || this.doneAmount === this.options.total) this.redraw();
    else if (!this.pending) {
      this.pending = setTimeout(() => this.redraw(), wait);
      this.pending.unref?.();
    }
  }

  private redraw(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    if (this.finished) return;
    this.lastShown = Date.now();
    const summary = this.summary(this.pendingText);
    if (this.bar && this.label) {
      this.bar.value = this.doneAmount;
      this.label.value = summary;
    } else this.line?.update(new ProgressLine(summary, false));
  }

  /** Marks the work finished (green bar, or a ✔ line); `failed` shows it red / as FAILED. */
  close(text = "", failed = false): void {
    if (this.finished) return;
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.finished = true;
    const summary = `${this.summary(text)}${failed ? " · FAILED" : ""}`;
    if (this.bar && this.label) {
      this.bar.set({ value: this.doneAmount, bar_style: failed ? "danger" : "success" });
      this.label.value = summary;
    } else if (this.line) this.line.update(new ProgressLine(summary, true));
    else console.log(summary);
  }

  private summary(text = ""): string {
    const o = this.options;
    return `${o.description ? `${o.description}: ` : ""}${+this.doneAmount.toFixed(6)}/${o.total}${text ? ` · ${text}` : ""}`;
  }
}

/**
 * Shows a progress bar for `total` units of work: a widget where the frontend shows widgets, today's
 * text line elsewhere. Call `update(done, text)` as work proceeds and `close()` at the end.
 * @throws Error when `total` is not a number above 0.
 */
export function progressBar(options: ProgressBarOptions): ProgressBar {
  return new ProgressBar(options);
}
