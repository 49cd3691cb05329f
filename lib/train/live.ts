/**
 * The live view of a training run. Inside a Jupyter kernel: one Plotly chart of training and validation
 * loss/metrics, replaced in place (`update_display_data`) at most every 4 s, and a progress line (epoch, batch, ETA,
 * samples/s) at most twice a second. Outside a kernel: concise epoch lines on stdout (first, last, and at most
 * one a second in between).
 */
import {
  Clock,
  DISPLAY,
  MimeBundle,
  ProgressLine,
  ThrottledDisplay,
  display,
  escapeHtml,
  kernelBridge,
  throttledDisplay,
} from "../display";
import { PLOTLY_LOADER_ATTRIBUTE } from "../viz/figure";
import { History, Logs, formatMetric } from "./history";

/** Progress of the run, for the progress line. */
export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesPerSecond: number;
  etaSeconds: number;
  logs: Logs;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
      : `${s}s`;
}

/** The text of the progress line. */
export function progressLine(p: Progress): string {
  const metrics = Object.entries(p.logs)
    .map(([k, v]) => `${k} ${formatMetric(v)}`)
    .join(" · ");
  return `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · ${Math.round(p.samplesPerSecond).toLocaleString("en-US")} samples/s · ETA ${formatDuration(p.etaSeconds)}${metrics ? ` · ${metrics}` : ""}`;
}

/** The bundle of the chart before the first epoch: a note, no empty axes. */
function waitingBundle(title: string): MimeBundle {
  const text = `${title}: the chart appears after the first epoch.`;
  return {
    "text/plain": text,
    "text/html": `<div class="trainlab-plot-waiting" style="color:#666;font:13px sans-serif;padding:8px 0">${escapeHtml(text)}</div>`,
  };
}

/** Where a run reports itself: `"auto"` (chart in a kernel, lines outside), `"chart"`, `"lines"` or `"none"`. */
export type LiveMode = "auto" | "chart" | "lines" | "none";

/** How often the live view may update the notebook. */
export interface LiveTiming {
  /**
   * Least time between two chart redraws, ms (default 4000). Each redraw costs the browser a full Plotly draw
   * (about 150 ms measured in headless Chromium on a loaded 2-core machine for a 4-trace, 150-epoch chart), so 4 s
   * keeps a live chart under 4% of training time.
   */
  chartIntervalMs: number;
  /** Least time between two progress-line updates, ms (default 500). */
  progressIntervalMs: number;
  /** Least time between two epoch lines outside a kernel, ms (default 1000). */
  lineIntervalMs: number;
  /** The clock (default `Date.now`); tests inject one. */
  clock: Clock;
}

/** The default timing: a chart redraw at most every 4 s and a progress update at most every 0.5 s. */
export const DEFAULT_LIVE_TIMING: LiveTiming = {
  chartIntervalMs: 4000,
  progressIntervalMs: 500,
  lineIntervalMs: 1000,
  clock: () => Date.now(),
};

/**
 * Shows a run as it trains. In a kernel the chart and the progress line are throttled in time (see
 * {@link LiveTiming}): a browser replays every `update_display_data` it receives, so an update per epoch can cost
 * more than the training. The first epoch is drawn at once (unless the run will end before the next redraw is due),
 * and `end()` always sends the final state.
 */
export class LiveView {
  private chart?: ThrottledDisplay;
  private progress?: ThrottledDisplay;
  private carriesPlotly = false;
  private lastLine = -Infinity;
  private readonly mode: "chart" | "lines" | "none";
  private readonly timing: LiveTiming;

  constructor(
    mode: LiveMode,
    private readonly title: string,
    private readonly log: (line: string) => void = (l) => console.log(l),
    timing: Partial<LiveTiming> = {},
  ) {
    this.mode = mode === "auto" ? (kernelBridge() ? "chart" : "lines") : mode;
    this.timing = { ...DEFAULT_LIVE_TIMING, ...timing };
  }

  /** Chart updates sent to the notebook so far (the initial display not counted). */
  get chartUpdates(): number {
    return this.chart?.sent ?? 0;
  }

  /** Opens the chart (a note until the first epoch) and the progress line (in a kernel). */
  begin(_history: History, summary: string): void {
    if (this.mode === "chart") {
      const clock = this.timing.clock;
      const waiting = waitingBundle(this.title);
      this.chart = throttledDisplay(display({ [DISPLAY]: () => waiting }), {
        intervalMs: this.timing.chartIntervalMs,
        clock,
      });
      this.progress = throttledDisplay(display(new ProgressLine(summary, false)), {
        intervalMs: this.timing.progressIntervalMs,
        clock,
      });
    } else if (this.mode === "lines") {
      this.log(summary);
    }
  }

  /** Updates the progress line (throttled). */
  batch(p: Progress): void {
    if (this.mode !== "chart" || !this.progress) return;
    this.progress.offer(() => new ProgressLine(progressLine(p), false));
  }

  /** Redraws the chart with the new epoch (throttled), or prints the epoch line. */
  epoch(history: History, p: Progress): void {
    if (this.mode === "chart") {
      // When the run will end before the next redraw is due, the final chart comes soon anyway: skip this one.
      if (p.etaSeconds * 1000 >= this.timing.chartIntervalMs) this.chart?.offer(() => this.chartBundle(history, false));
      this.progress?.offer(() => new ProgressLine(progressLine(p), false));
    } else if (this.mode === "lines") {
      // Concise: the first and last epochs, and at most one line a second in between.
      const now = this.timing.clock();
      if (p.epoch !== 1 && p.epoch !== p.epochs && now - this.lastLine < this.timing.lineIntervalMs) return;
      this.lastLine = now;
      const metrics = Object.entries(p.logs)
        .map(([k, v]) => `${k}=${formatMetric(v)}`)
        .join(" ");
      this.log(
        `epoch ${p.epoch}/${p.epochs}  ${metrics}  ${Math.round(p.samplesPerSecond)} samples/s  ETA ${formatDuration(p.etaSeconds)}`,
      );
    }
  }

  /** The final chart (which stays in the saved notebook) and the closing line, sent whatever the throttle says. */
  end(history: History, closing: string): void {
    if (this.mode === "chart") {
      if (history.epochs.length > 0) this.chart?.force(() => this.chartBundle(history, true));
      else this.chart?.force(() => ({ [DISPLAY]: () => waitingBundle(`${this.title} (no epoch finished)`) }));
      this.progress?.force(() => new ProgressLine(closing, true));
    } else if (this.mode === "lines") {
      this.log(closing);
    }
  }

  private chartBundle(history: History, final: boolean): { [DISPLAY](): MimeBundle } {
    const fig = history.plot(this.title);
    const bundle = fig[DISPLAY]();
    // The first drawn update carries plotly.js when no figure of this kernel did yet; later updates rely on the page's
    // window.Plotly. The final one replaces the output for good, so it carries plotly.js again when the first one did.
    if (!this.carriesPlotly && String(bundle["text/html"] ?? "").includes(PLOTLY_LOADER_ATTRIBUTE))
      this.carriesPlotly = true;
    else bundle["text/html"] = fig.toHTML({ includePlotly: final && this.carriesPlotly });
    return { [DISPLAY]: () => bundle };
  }
}
