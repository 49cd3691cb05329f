/** Histogram builder (like plotly express `px.histogram`). */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { ChartData, ColumnRef, column, groupIndices, numbers, pick } from "./data";

/** Options of {@link histogram}. */
export interface HistogramOptions {
  /** The column (name, with a table) or the values. */
  x: ColumnRef;
  /** A grouping column: one overlaid histogram per group. */
  color?: ColumnRef;
  /** Maximum number of bins (Plotly picks the edges). */
  nbins?: number;
  /** "count" (default), "probability density" or "percent". */
  histnorm?: "" | "percent" | "probability" | "density" | "probability density";
  title?: string;
}

/**
 * A histogram of one numeric column, optionally one overlaid histogram per group.
 * @throws Error when the column is missing or holds no numbers.
 */
export function histogram(data: ChartData | undefined, options: HistogramOptions): Figure {
  const x = column(data, options.x, "x");
  const name = typeof options.x === "string" ? options.x : "value";
  if (numbers(x).length === 0 && x.every((v) => typeof v !== "string")) throw new Error(`Column "${name}" has no values to plot.`);
  const base = (values: unknown[], traceName?: string): PlotlyTrace => ({
    type: "histogram",
    x: values,
    ...(traceName !== undefined ? { name: traceName } : {}),
    ...(options.nbins ? { nbinsx: options.nbins } : {}),
    ...(options.histnorm ? { histnorm: options.histnorm } : {}),
    opacity: options.color !== undefined ? 0.6 : 1,
  });
  let traces: PlotlyTrace[];
  if (options.color !== undefined) {
    const groups = groupIndices(column(data, options.color, "color"));
    traces = groups.map((g) => base(pick(x, g.indices).filter((v) => v !== null), g.name));
  } else traces = [base(x.filter((v) => v !== null), name)];
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? `Distribution of ${name}`) },
      barmode: options.color !== undefined ? "overlay" : undefined,
      xaxis: { title: { text: plotlyText(name) } },
      yaxis: { title: { text: options.histnorm ? options.histnorm : "count" } },
      showlegend: options.color !== undefined,
    },
  });
}
