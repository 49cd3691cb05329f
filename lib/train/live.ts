/**
 * The live view of a training run. Inside a Jupyter kernel: one Plotly chart of training and validation
 * loss/metrics, replaced in place every epoch (`update_display_data`), and a progress line (epoch, batch, ETA,
 * samples/s) updated a few times a second. Outside a kernel: concise epoch lines on stdout (first, last, and at most
 * one a second in between).
 */
import { DISPLAY, DisplayHandle, MimeBundle, display, escapeHtml, kernelBridge } from "../display";
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
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** The text of the progress line. */
export function progressLine(p: Progress): string {
  const metrics = Object.entries(p.logs).map(([k, v]) => `${k} ${formatMetric(v)}`).join(" · ");
  return `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches} · ${Math.round(p.samplesPerSecond).toLocaleString("en-US")} samples/s · ETA ${formatDuration(p.etaSeconds)}${metrics ? ` · ${metrics}` : ""}`;
}

class ProgressView {
  constructor(private readonly text: string, private readonly done: boolean) {}
  [DISPLAY](): MimeBundle {
    return {
      "text/plain": this.text,
      "text/html": `<div class="trainlab-progress" style="font-family:monospace">${this.done ? "✔ " : "⏳ "}${escapeHtml(this.text)}</div>`,
    };
  }
}

/** Where a run reports itself: `"auto"` (chart in a kernel, lines outside), `"chart"`, `"lines"` or `"none"`. */
export type LiveMode = "auto" | "chart" | "lines" | "none";

/** Shows a run as it trains. */
export class LiveView {
  private chart?: DisplayHandle;
  private progress?: DisplayHandle;
  private carriesPlotly = false;
  private lastProgress = 0;
  private readonly mode: "chart" | "lines" | "none";

  constructor(mode: LiveMode, private readonly title: string, private readonly log: (line: string) => void = (l) => console.log(l)) {
    this.mode = mode === "auto" ? (kernelBridge() ? "chart" : "lines") : mode;
  }

  /** Opens the chart and the progress line (in a kernel). */
  begin(history: History, summary: string): void {
    if (this.mode === "chart") {
      const bundle = history.plot(this.title)[DISPLAY]();
      this.carriesPlotly = String(bundle["text/html"] ?? "").includes("window.Plotly) {");
      this.chart = display({ [DISPLAY]: () => bundle });
      this.progress = display(new ProgressView(summary, false));
    } else if (this.mode === "lines") {
      this.log(summary);
    }
  }

  /** Updates the progress line, at most ~4 times a second. */
  batch(p: Progress): void {
    if (this.mode !== "chart" || !this.progress) return;
    const now = Date.now();
    if (now - this.lastProgress < 250) return;
    this.lastProgress = now;
    this.progress.update(new ProgressView(progressLine(p), false));
  }

  /** Redraws the chart with the new epoch, or prints the epoch line. */
  epoch(history: History, p: Progress): void {
    if (this.mode === "chart") {
      this.chart?.update(this.chartBundle(history, false));
      this.progress?.update(new ProgressView(progressLine(p), false));
      this.lastProgress = Date.now();
    } else if (this.mode === "lines") {
      // Concise: the first and last epochs, and at most one line a second in between.
      const now = Date.now();
      if (p.epoch !== 1 && p.epoch !== p.epochs && now - this.lastProgress < 1000) return;
      this.lastProgress = now;
      const metrics = Object.entries(p.logs).map(([k, v]) => `${k}=${formatMetric(v)}`).join(" ");
      this.log(`epoch ${p.epoch}/${p.epochs}  ${metrics}  ${Math.round(p.samplesPerSecond)} samples/s  ETA ${formatDuration(p.etaSeconds)}`);
    }
  }

  /** The final chart (which stays in the saved notebook) and the closing line. */
  end(history: History, closing: string): void {
    if (this.mode === "chart") {
      this.chart?.update(this.chartBundle(history, true));
      this.progress?.update(new ProgressView(closing, true));
    } else if (this.mode === "lines") {
      this.log(closing);
    }
  }

  private chartBundle(history: History, final: boolean): { [DISPLAY](): MimeBundle } {
    const fig = history.plot(this.title);
    const bundle = fig[DISPLAY]();
    // Intermediate updates rely on the plotly.js the first output defined on the page. The final one replaces that
    // output for good, so it carries plotly.js again when the first one did (saved notebooks and HTML reports need it).
    bundle["text/html"] = fig.toHTML({ includePlotly: final && this.carriesPlotly });
    return { [DISPLAY]: () => bundle };
  }
}
