/** Box plot builder (like plotly express `px.box`). */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { ChartData, ColumnRef, column, groupIndices, numbers, pick } from "./data";

/** Options of {@link box}. */
export interface BoxOptions {
  /** The numeric column (name or values). */
  y: ColumnRef;
  /** A grouping column: one box per group (e.g. species). */
  x?: ColumnRef;
  /** Show every point next to the box. */
  points?: "all" | "outliers" | false;
  title?: string;
}

/**
 * Box plots of a numeric column, one box per group of `x` (or a single box).
 * @throws Error when a named column is missing.
 */
export function box(data: ChartData | undefined, options: BoxOptions): Figure {
  const y = column(data, options.y, "y");
  const yName = typeof options.y === "string" ? options.y : "value";
  const xName = typeof options.x === "string" ? options.x : "";
  const trace = (values: unknown[], name: string): PlotlyTrace => ({
    type: "box",
    y: numbers(values as never[]),
    name,
    boxpoints: options.points ?? "outliers",
    boxmean: true,
  });
  const traces =
    options.x !== undefined
      ? groupIndices(column(data, options.x, "x")).map((g) => trace(pick(y, g.indices), g.name))
      : [trace(y, yName)];
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? (xName ? `${yName} by ${xName}` : `Distribution of ${yName}`)) },
      yaxis: { title: { text: plotlyText(yName) } },
      xaxis: { title: { text: plotlyText(xName) } },
      showlegend: false,
    },
  });
}
