/** RunComparison: recorded runs side by side, as a table (params and final metrics, best in bold) and a chart. */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { Figure, PlotlyTrace } from "../viz/figure";
import { compositeBundle } from "../viz/combine";
import type { RunRecord } from "./runs";

function formatValue(v: unknown): string {
  if (typeof v === "number")
    return Number.isInteger(v)
      ? String(v)
      : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3
        ? v.toExponential(3)
        : v.toFixed(4);
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** A comparison of runs: a table (params and final metrics) and a chart. Displays as both. */
export class RunComparison {
  /** The metric the chart plots. */
  readonly metric: string | undefined;
  constructor(
    readonly runs: readonly RunRecord[],
    metric?: string,
  ) {
    const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))];
    this.metric = metric ?? metrics[0];
    if (metric && !metrics.includes(metric) && !runs.some((r) => r.history.some((h) => metric in h))) {
      throw new Error(`No run has metric "${metric}". Recorded metrics: ${metrics.join(", ") || "none"}.`);
    }
  }

  /** The comparison as rows: one per run, with `run`, `date`, params and final metrics. */
  rows(): Array<Record<string, unknown>> {
    return this.runs.map((r) => ({
      run: r.id,
      name: r.name,
      kind: r.kind,
      date: r.createdAt,
      ...r.params,
      ...r.metrics,
    }));
  }

  /** The columns of {@link rows}: identity, then the parameters that differ, then metrics. */
  columns(): { params: string[]; metrics: string[] } {
    const params = [...new Set(this.runs.flatMap((r) => Object.keys(r.params)))];
    return { params, metrics: [...new Set(this.runs.flatMap((r) => Object.keys(r.metrics)))] };
  }

  /** The chart: the final metric per run (bars) and, when runs have histories, that metric per epoch (lines). */
  chart(): Figure {
    const metric = this.metric ?? "";
    const withHistory = this.runs.filter((r) =>
      r.history.some((h) => metric in h || `val_${metric}` in h || "loss" in h),
    );
    if (withHistory.length > 0) {
      const key = withHistory.some((r) => r.history.some((h) => `val_${metric}` in h))
        ? `val_${metric}`
        : withHistory.some((r) => r.history.some((h) => metric in h))
          ? metric
          : "loss";
      const traces: PlotlyTrace[] = withHistory.map((r) => ({
        type: "scatter",
        mode: "lines+markers",
        name: r.id,
        x: r.history.filter((h) => key in h).map((h) => h.epoch),
        y: r.history.filter((h) => key in h).map((h) => h[key]),
      }));
      return new Figure({
        data: traces,
        layout: {
          title: { text: `${key} per epoch, by run` },
          xaxis: { title: { text: "epoch" } },
          yaxis: { title: { text: key } },
          height: 380,
        },
      });
    }
    return new Figure({
      data: [
        {
          type: "bar",
          name: metric,
          x: this.runs.map((r) => r.id),
          y: this.runs.map((r) => r.metrics[metric] ?? null),
        },
      ],
      layout: {
        title: { text: `${metric} by run` },
        yaxis: { title: { text: metric } },
        height: 380,
        margin: { b: 140 },
      },
    });
  }

  /** The table as HTML. */
  tableHtml(): string {
    const { params, metrics } = this.columns();
    const best = new Map<string, number>();
    for (const m of metrics) {
      const values = this.runs.map((r) => r.metrics[m]).filter((v): v is number => typeof v === "number");
      const lowerIsBetter = /loss|error|mse|mae|rmse|mape|latency/i.test(m);
      if (values.length) best.set(m, lowerIsBetter ? Math.min(...values) : Math.max(...values));
    }
    const head = ["run", "kind", ...params, ...metrics].map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const body = this.runs
      .map(
        (r) =>
          `<tr><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.kind)}</td>${params.map((p) => `<td>${escapeHtml(formatValue(r.params[p]))}</td>`).join("")}${metrics.map((m) => `<td${r.metrics[m] !== undefined && r.metrics[m] === best.get(m) && this.runs.length > 1 ? ' style="font-weight:bold"' : ""}>${escapeHtml(formatValue(r.metrics[m]))}</td>`).join("")}</tr>`,
      )
      .join("");
    return `<table class="trainlab-runs"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  toString(): string {
    const { params, metrics } = this.columns();
    const lines = [
      ["run", ...params, ...metrics].join("\t"),
      ...this.runs.map((r) =>
        [r.id, ...params.map((p) => formatValue(r.params[p])), ...metrics.map((m) => formatValue(r.metrics[m]))].join(
          "\t",
        ),
      ),
    ];
    return `${this.runs.length} run(s)\n${lines.join("\n")}`;
  }

  [DISPLAY](): MimeBundle {
    if (this.runs.length === 0)
      return { "text/plain": "No runs recorded yet.", "text/html": "<p>No runs recorded yet.</p>" };
    const chart = this.chart()[DISPLAY]();
    // The chart also travels as Plotly JSON, for frontends that show no untrusted HTML (JupyterLab, VS Code).
    return compositeBundle(
      this.toString(),
      `<div class="trainlab-run-comparison"><b>${this.runs.length} run(s)</b>${this.tableHtml()}${String(chart["text/html"])}</div>`,
      [this.chart()],
    );
  }
}
