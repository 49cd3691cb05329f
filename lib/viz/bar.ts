/** Bar chart builder (like plotly express `px.bar`). */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { ChartData, ColumnRef, PlotValue, column, groupIndices, pick } from "./data";

/** Options of {@link bar}. */
export interface BarOptions {
  /** Categories (name or values). */
  x: ColumnRef;
  /** Heights (name or values). Without `y`, bars count the rows per category. */
  y?: ColumnRef;
  /** A grouping column: one bar series per group. */
  color?: ColumnRef;
  /** "group" (side by side, default) or "stack". */
  barmode?: "group" | "stack";
  /** Horizontal bars. */
  horizontal?: boolean;
  title?: string;
  xTitle?: string;
  yTitle?: string;
}

function countBy(values: readonly PlotValue[]): [PlotValue[], number[]] {
  const counts = new Map<PlotValue, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [Array.from(counts.keys()), Array.from(counts.values())];
}

/**
 * A bar chart: heights per category (or counts of rows per category when `y` is omitted).
 * @throws Error when a named column is missing or x and y differ in length.
 */
export function bar(data: ChartData | undefined, options: BarOptions): Figure {
  const x = column(data, options.x, "x");
  const y = options.y !== undefined ? column(data, options.y, "y") : undefined;
  if (y && y.length !== x.length) throw new Error(`x has ${x.length} values but y has ${y.length}.`);
  const xName = options.xTitle ?? (typeof options.x === "string" ? options.x : "");
  const yName = options.yTitle ?? (typeof options.y === "string" ? options.y : y ? "" : "count");
  const trace = (xs: PlotValue[], ys: PlotValue[] | undefined, name?: string): PlotlyTrace => {
    const [cats, heights] = ys ? [xs, ys] : countBy(xs);
    return {
      type: "bar",
      ...(options.horizontal ? { y: cats, x: heights, orientation: "h" } : { x: cats, y: heights }),
      ...(name !== undefined ? { name } : {}),
    };
  };
  const traces =
    options.color !== undefined
      ? groupIndices(column(data, options.color, "color")).map((g) =>
          trace(pick(x, g.indices), y ? pick(y, g.indices) : undefined, g.name),
        )
      : [trace(x, y)];
  const catAxis = { title: { text: plotlyText(xName) }, type: "category" };
  const valAxis = { title: { text: plotlyText(yName) } };
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? (yName && xName ? `${yName} by ${xName}` : "")) },
      barmode: options.barmode ?? "group",
      xaxis: options.horizontal ? valAxis : catAxis,
      yaxis: options.horizontal ? { ...catAxis, automargin: true } : valAxis,
      showlegend: options.color !== undefined,
    },
  });
}
