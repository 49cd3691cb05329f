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
  if (numbers(x).length === 0 && x.every((v) => typeof v !== "string"))
    throw new Error(`Column "${name}" has no values to plot.`);
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
    traces = groups.map((g) =>
      base(
        pick(x, g.indices).filter((v) => v !== null),
        g.name,
      ),
    );
  } else
    traces = [
      base(
        x.filter((v) => v !== null),
        name,
      ),
    ];
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

/** Options of {@link binnedHistogram}. */
export interface BinnedHistogramOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
}

/**
 * A histogram of counts already binned (equal-width bins, `edges` has one more entry than `counts`): one bar per bin
 * on a linear x axis, each bar exactly as wide as its bin, so bars tile the range without gaps or overlaps and ticks
 * fall on round numbers.
 * @throws Error when edges and counts do not match, or the edges are not finite and increasing.
 */
export function binnedHistogram(
  edges: readonly number[],
  counts: readonly number[],
  options: BinnedHistogramOptions = {},
): Figure {
  if (edges.length !== counts.length + 1)
    throw new Error(
      `binnedHistogram: ${edges.length} edges for ${counts.length} bins: expected one edge more than bins.`,
    );
  for (let k = 1; k < edges.length; k++) {
    if (!Number.isFinite(edges[k - 1]) || !Number.isFinite(edges[k]) || edges[k] <= edges[k - 1])
      throw new Error(
        `binnedHistogram: edges must be finite and increasing (edge ${k - 1} is ${edges[k - 1]}, edge ${k} is ${edges[k]}).`,
      );
  }
  const centers = counts.map((_, k) => (edges[k] + edges[k + 1]) / 2);
  const widths = counts.map((_, k) => edges[k + 1] - edges[k]);
  const hover = counts.map(
    (c, k) => `[${Number(edges[k].toPrecision(4))}, ${Number(edges[k + 1].toPrecision(4))}): ${c}`,
  );
  return new Figure({
    data: [
      {
        type: "bar",
        name: options.xTitle ?? "count",
        x: centers,
        y: counts.slice(),
        width: widths,
        text: hover,
        hoverinfo: "text",
        textposition: "none",
        marker: { line: { width: 0.5, color: "white" } },
      },
    ],
    layout: {
      title: { text: plotlyText(options.title ?? "Histogram") },
      bargap: 0,
      xaxis: {
        type: "linear",
        title: { text: plotlyText(options.xTitle ?? "") },
        range: [edges[0], edges[edges.length - 1]],
      },
      yaxis: { type: "linear", title: { text: plotlyText(options.yTitle ?? "count") }, rangemode: "tozero" },
      showlegend: false,
    },
  });
}
