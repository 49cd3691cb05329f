/** Scatter matrix builder (pair plot): every numeric column against every other, histograms on the diagonal. */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { ChartData, ColumnRef, PALETTE, PlotValue, column, columnNames, groupIndices, pick } from "./data";

/** Options of {@link scatterMatrix}. */
export interface ScatterMatrixOptions {
  /** The numeric columns to pair (default: every column whose values are all numbers or missing). At most 8. */
  columns?: readonly string[];
  /** A grouping column: points colored per group (e.g. species). */
  color?: ColumnRef;
  title?: string;
}

/**
 * A pair plot drawn with SVG subplots (no WebGL): cell (i, j) scatters column j (x) against column i (y); the diagonal
 * holds each column's histogram. Axes are `xaxis{k}`/`yaxis{k}` with k = i * n + j + 1.
 * @throws Error when fewer than 2 or more than 8 numeric columns are chosen, or a column is missing.
 */
export function scatterMatrix(data: ChartData, options: ScatterMatrixOptions = {}): Figure {
  const names =
    options.columns?.slice() ??
    columnNames(data).filter((c) => {
      const v = column(data, c);
      return v.every((x) => x === null || typeof x === "number") && v.some((x) => x !== null);
    });
  if (names.length < 2)
    throw new Error(`A scatter matrix needs at least 2 numeric columns; got ${names.length} (${names.join(", ")}).`);
  if (names.length > 8)
    throw new Error(`A scatter matrix of ${names.length} columns is unreadable: pass columns (at most 8).`);
  const values = names.map((n) => column(data, n));
  const rows = values[0].length;
  const groups =
    options.color !== undefined
      ? groupIndices(column(data, options.color, "color"))
      : [{ name: "", indices: Array.from({ length: rows }, (_, i) => i) }];
  const n = names.length;
  const gap = 0.02;
  const size = (1 - gap * (n - 1)) / n;
  const traces: PlotlyTrace[] = [];
  const layout: Record<string, unknown> = {
    title: { text: plotlyText(options.title ?? "Scatter matrix") },
    showlegend: options.color !== undefined,
    barmode: "overlay",
    height: Math.max(420, 170 * n),
    margin: { l: 60, r: 20, t: 50, b: 50 },
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j + 1;
      const suffix = k === 1 ? "" : String(k);
      const x0 = j * (size + gap);
      const y1 = 1 - i * (size + gap);
      layout[`xaxis${suffix}`] = {
        domain: [x0, x0 + size],
        anchor: `y${suffix}`,
        showticklabels: i === n - 1,
        ...(i === n - 1 ? { title: { text: plotlyText(names[j]), font: { size: 11 } } } : {}),
      };
      layout[`yaxis${suffix}`] = {
        domain: [y1 - size, y1],
        anchor: `x${suffix}`,
        showticklabels: j === 0,
        ...(j === 0 ? { title: { text: plotlyText(names[i]), font: { size: 11 } } } : {}),
      };
      groups.forEach((g, gi) => {
        const color = PALETTE[gi % PALETTE.length];
        const common = {
          xaxis: `x${suffix}`,
          yaxis: `y${suffix}`,
          name: g.name || names[j],
          legendgroup: g.name,
          showlegend: options.color !== undefined && k === 2,
        };
        if (i === j) {
          traces.push({
            type: "histogram",
            x: pick(values[j], g.indices).filter((v) => v !== null),
            marker: { color },
            opacity: 0.6,
            ...common,
            showlegend: false,
          });
        } else {
          const keep = g.indices.filter((r) => values[j][r] !== null && values[i][r] !== null);
          traces.push({
            type: "scatter",
            mode: "markers",
            x: pick(values[j], keep) as PlotValue[],
            y: pick(values[i], keep) as PlotValue[],
            marker: { size: 4, color, opacity: 0.7 },
            ...common,
          });
        }
      });
    }
  }
  return new Figure({ data: traces, layout });
}
