/** Line charts of training curves (loss and metrics per epoch, training next to validation). */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { PALETTE, plain } from "./data";

/** Per-epoch metric values, as a `History` (lib/train) or Keras's `history.history` holds them. */
export type TrainingLog =
  | { epochs?: readonly number[]; metrics: Readonly<Record<string, ArrayLike<number>>> }
  | Readonly<Record<string, ArrayLike<number>>>;

function split(log: TrainingLog): { epochs?: readonly number[]; metrics: Readonly<Record<string, ArrayLike<number>>> } {
  const m = (log as { metrics?: unknown }).metrics;
  if (typeof m === "object" && m !== null && !ArrayLike(m))
    return log as { epochs?: readonly number[]; metrics: Record<string, ArrayLike<number>> };
  return { metrics: log as Record<string, ArrayLike<number>> };
}

function ArrayLike(x: unknown): boolean {
  return typeof x === "object" && x !== null && typeof (x as ArrayLike<unknown>).length === "number";
}

/**
 * One panel per metric (`loss` with `val_loss`, `acc` with `val_acc`, ...), training solid, validation dashed.
 * Panels stack vertically; traces of panel p use axes `x{p}`/`y{p}`. `metrics` picks and orders the base names.
 * @throws Error when the log has no metrics.
 */
export function trainingCurves(
  log: TrainingLog,
  options: { metrics?: readonly string[]; title?: string } = {},
): Figure {
  const { epochs, metrics } = split(log);
  const keys = Object.keys(metrics);
  if (keys.length === 0)
    throw new Error("The training log has no metrics to plot: train first (history.metrics is empty).");
  const bases = options.metrics?.slice() ?? Array.from(new Set(keys.map((k) => k.replace(/^val_/, ""))));
  const n = bases.length;
  const gap = 0.08;
  const height = (1 - gap * (n - 1)) / n;
  const traces: PlotlyTrace[] = [];
  const layout: Record<string, unknown> = {
    title: { text: plotlyText(options.title ?? "Training curves") },
    height: Math.max(320, 260 * n),
    hovermode: "x unified",
  };
  bases.forEach((base, p) => {
    const suffix = p === 0 ? "" : String(p + 1);
    const top = 1 - p * (height + gap);
    layout[`yaxis${suffix}`] = { domain: [top - height, top], anchor: `x${suffix}`, title: { text: plotlyText(base) } };
    layout[`xaxis${suffix}`] = {
      anchor: `y${suffix}`,
      title: { text: p === n - 1 ? "epoch" : "" },
      matches: p === 0 ? undefined : "x",
    };
    [base, `val_${base}`].forEach((key, v) => {
      const values = metrics[key];
      if (!values) return;
      const x = epochs ? plain(epochs) : Array.from({ length: values.length }, (_, i) => i + 1);
      traces.push({
        type: "scatter",
        mode: values.length <= 30 ? "lines+markers" : "lines",
        name: key,
        x,
        y: plain(values),
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        line: { color: PALETTE[v], dash: v === 1 ? "dash" : "solid" },
      });
    });
  });
  return new Figure({ data: traces, layout });
}
