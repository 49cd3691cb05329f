/** Scatter plot builder (like plotly express `px.scatter`). */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { ChartData, ColumnRef, PlotValue, column, groupIndices, pick } from "./data";

/** Options of {@link scatter}. */
export interface ScatterOptions {
  x: ColumnRef;
  y: ColumnRef;
  /** A grouping column: one colored series per group. */
  color?: ColumnRef;
  /** Hover text per point (name or values). */
  text?: ColumnRef;
  /** Draw lines between points ("lines+markers") instead of markers only. */
  mode?: "markers" | "lines" | "lines+markers";
  title?: string;
  xTitle?: string;
  yTitle?: string;
}

/**
 * A scatter plot of two columns, optionally colored by group. Rows with a missing x or y are left out.
 * @throws Error when a named column is missing or x and y differ in length.
 */
export function scatter(data: ChartData | undefined, options: ScatterOptions): Figure {
  const x = column(data, options.x, "x");
  const y = column(data, options.y, "y");
  if (x.length !== y.length) throw new Error(`x has ${x.length} values but y has ${y.length}.`);
  const text = options.text !== undefined ? column(data, options.text, "text") : undefined;
  const xName = options.xTitle ?? (typeof options.x === "string" ? options.x : "x");
  const yName = options.yTitle ?? (typeof options.y === "string" ? options.y : "y");
  const trace = (idx: number[], name?: string): PlotlyTrace => {
    const keep = idx.filter((i) => x[i] !== null && y[i] !== null);
    return {
      type: "scatter",
      mode: options.mode ?? "markers",
      x: pick(x, keep),
      y: pick(y, keep),
      ...(text ? { text: pick(text, keep) as PlotValue[] } : {}),
      ...(name !== undefined ? { name } : {}),
      marker: { size: 7, opacity: 0.8 },
    };
  };
  const all = x.map((_, i) => i);
  const traces =
    options.color !== undefined
      ? groupIndices(column(data, options.color, "color")).map((g) => trace(g.indices, g.name))
      : [trace(all)];
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? `${yName} vs ${xName}`) },
      xaxis: { title: { text: plotlyText(xName) } },
      yaxis: { title: { text: plotlyText(yName) } },
      showlegend: options.color !== undefined,
    },
  });
}
