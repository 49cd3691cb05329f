/** Correlation heatmap builder (like `df.corr()` shown with seaborn's heatmap). */
import { Figure, plotlyText } from "./figure";
import { ChartData, column, columnNames } from "./data";

/** Pairwise correlation of numeric columns, rows with a missing value in either column left out (pandas' `corr`). */
export interface CorrelationMatrix {
  columns: string[];
  /** values[i][j]: correlation of columns i and j (NaN when undefined, e.g. a constant column). */
  values: number[][];
}

function ranks(v: number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && order[e + 1][0] === order[s][0]) e++;
    for (let k = s; k <= e; k++) r[order[k][1]] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return r;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 2) return NaN;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  const d = Math.sqrt(saa * sbb);
  return d === 0 ? NaN : Math.max(-1, Math.min(1, sab / d));
}

/**
 * Pearson (default) or Spearman correlation between numeric columns, with pairwise-complete rows.
 * @throws Error when a named column is missing or holds non-numbers, or fewer than 2 columns are numeric.
 */
export function correlationMatrix(
  data: ChartData,
  options: { columns?: readonly string[]; method?: "pearson" | "spearman" } = {},
): CorrelationMatrix {
  const names =
    options.columns?.slice() ??
    columnNames(data).filter((c) => column(data, c).every((x) => x === null || typeof x === "number"));
  if (names.length < 2) throw new Error(`Correlation needs at least 2 numeric columns; got ${names.length}.`);
  const values = names.map((n) => {
    const v = column(data, n);
    const bad = v.findIndex((x) => x !== null && typeof x !== "number");
    if (bad >= 0)
      throw new Error(
        `Column "${n}", row ${bad}: ${JSON.stringify(v[bad])} is not a number. Encode it or leave it out of columns.`,
      );
    return v as (number | null)[];
  });
  const m = names.map(() => new Array<number>(names.length).fill(NaN));
  for (let i = 0; i < names.length; i++) {
    for (let j = i; j < names.length; j++) {
      const a: number[] = [];
      const b: number[] = [];
      values[i].forEach((x, r) => {
        const y = values[j][r];
        if (x !== null && y !== null) {
          a.push(x);
          b.push(y);
        }
      });
      const c = options.method === "spearman" ? pearson(ranks(a), ranks(b)) : pearson(a, b);
      m[i][j] = m[j][i] = c;
    }
  }
  return { columns: names, values: m };
}

/**
 * A heatmap of the correlation matrix (red positive, blue negative, values written in the cells).
 * @throws as {@link correlationMatrix}.
 */
export function correlationHeatmap(
  data: ChartData,
  options: { columns?: readonly string[]; method?: "pearson" | "spearman"; title?: string } = {},
): Figure {
  const corr = correlationMatrix(data, options);
  const z = corr.values.map((row) => row.map((v) => (Number.isNaN(v) ? null : v)));
  return new Figure({
    data: [
      {
        type: "heatmap",
        x: corr.columns,
        y: corr.columns,
        z,
        zmin: -1,
        zmax: 1,
        colorscale: "RdBu",
        reversescale: true,
        text: z.map((row) => row.map((v) => (v === null ? "" : v.toFixed(2)))),
        texttemplate: "%{text}",
        hovertemplate: "%{y} vs %{x}: %{z:.3f}<extra></extra>",
        name: `${options.method ?? "pearson"} correlation`,
      },
    ],
    layout: {
      title: { text: plotlyText(options.title ?? `Correlation (${options.method ?? "pearson"})`) },
      yaxis: { autorange: "reversed", automargin: true },
      xaxis: { automargin: true },
    },
  });
}
