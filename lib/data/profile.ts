/**
 * profile(table): what a data scientist checks first — types, counts, missing values, duplicates, cardinality,
 * numeric summaries with quartiles, outliers by the IQR rule, and the class balance of a target — rendered as an
 * HTML report with Plotly histograms and bar charts. Nulls and NaN are counted as missing, never a crash.
 */
import type { ColumnTable } from "arquero";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { Figure } from "../viz/figure";
import { bar } from "../viz/bar";
import { binnedHistogram } from "../viz/histogram";
import { compositeBundle } from "../viz/combine";
import {
  Category,
  ColumnKind,
  codeCounts,
  columnKind,
  compareCategories,
  dictColumn,
  materialize,
  missingCount,
  numericColumn,
} from "./columns";
import { NumericSummary, summarize } from "./stats";
import { countDuplicates } from "./transforms";

/** The profile of one column. */
export interface ColumnProfile {
  name: string;
  dtype: ColumnKind;
  /** Non-missing values. */
  count: number;
  missing: number;
  missingShare: number;
  /** Distinct non-missing values. */
  unique: number;
  /** Numeric columns: count, mean, std, min, quartiles, max. */
  summary?: NumericSummary;
  /** Numeric columns: values outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR]. */
  outliers?: { count: number; lower: number; upper: number };
  /** Categorical columns: the most frequent values with counts (up to 10). */
  top?: { value: Category; count: number }[];
  /** Histogram bins (numeric) for the chart. */
  histogram?: { edges: number[]; counts: number[] };
}

/** Class balance of the target column. */
export interface ClassBalance {
  column: string;
  classes: { value: Category; count: number; share: number }[];
  /** Largest class count / smallest class count. */
  imbalanceRatio: number;
  missing: number;
}

/** Options of {@link profile}. */
export interface ProfileOptions {
  /** A label column: its class balance is reported. */
  target?: string;
  /** Number of histogram bins (default 30). */
  bins?: number;
  /** Charts for at most this many columns (default 24). */
  maxCharts?: number;
}

/** A data profile; displays as an HTML report with charts. */
export class DataProfile {
  constructor(
    readonly rows: number,
    readonly columns: ColumnProfile[],
    readonly duplicateRows: number,
    readonly classBalance: ClassBalance | undefined,
    private readonly maxCharts: number,
  ) {}

  /** The profile of one column. @throws Error when the column is not profiled. */
  column(name: string): ColumnProfile {
    const c = this.columns.find((x) => x.name === name);
    if (!c)
      throw new Error(`No column "${name}" in the profile. Columns: ${this.columns.map((x) => x.name).join(", ")}.`);
    return c;
  }

  /** Total missing values. */
  get missing(): number {
    return this.columns.reduce((a, c) => a + c.missing, 0);
  }

  /** Charts: the class balance of the target, then a histogram per numeric column and a bar chart per other categorical column. */
  charts(): Figure[] {
    const figs: Figure[] = [];
    if (this.classBalance) {
      const cb = this.classBalance;
      figs.push(
        bar(undefined, {
          x: cb.classes.map((c) => String(c.value)),
          y: cb.classes.map((c) => c.count),
          title: `Class balance of ${cb.column}`,
          xTitle: cb.column,
          yTitle: "rows",
        }),
      );
    }
    for (const c of this.columns.slice(0, this.maxCharts)) {
      // The target's bar is the class balance above: one chart per column, not the same bars twice.
      if (this.classBalance && c.name === this.classBalance.column) continue;
      if (c.histogram && c.histogram.counts.length > 0) {
        const { edges, counts } = c.histogram;
        const fig = binnedHistogram(edges, counts, {
          title: `Histogram of ${c.name}${c.missing ? ` (${c.missing} missing not shown)` : ""}`,
          xTitle: c.name,
          yTitle: "count",
        });
        fig.layout.height = 280;
        figs.push(fig);
      } else if (c.top && c.top.length > 0) {
        const fig = bar(undefined, {
          x: c.top.map((t) => String(t.value)),
          y: c.top.map((t) => t.count),
          title: `Most frequent values of ${c.name}${c.unique > c.top.length ? ` (top ${c.top.length} of ${c.unique})` : ""}`,
          xTitle: c.name,
          yTitle: "count",
        });
        fig.layout.height = 280;
        figs.push(fig);
      }
    }
    return figs;
  }

  toString(): string {
    const fmt = (v: number | undefined) =>
      v === undefined || Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : v.toPrecision(4);
    const lines = [
      `DataProfile: ${this.rows} rows × ${this.columns.length} columns, ${this.duplicateRows} duplicate rows, ${this.missing} missing values`,
    ];
    for (const c of this.columns) {
      const s = c.summary;
      lines.push(
        `  ${c.name} [${c.dtype}] missing ${c.missing} (${(100 * c.missingShare).toFixed(1)}%), unique ${c.unique}` +
          (s
            ? `, mean ${fmt(s.mean)}, std ${fmt(s.std)}, min ${fmt(s.min)}, q1 ${fmt(s.q1)}, median ${fmt(s.median)}, q3 ${fmt(s.q3)}, max ${fmt(s.max)}, outliers ${c.outliers?.count}`
            : "") +
          (c.top
            ? `, top ${c.top
                .slice(0, 3)
                .map((t) => `${String(t.value)} (${t.count})`)
                .join(", ")}`
            : ""),
      );
    }
    if (this.classBalance) {
      lines.push(
        `  class balance of ${this.classBalance.column}: ${this.classBalance.classes.map((c) => `${String(c.value)} ${c.count} (${(100 * c.share).toFixed(1)}%)`).join(", ")}; imbalance ${this.classBalance.imbalanceRatio.toFixed(2)}×`,
      );
    }
    return lines.join("\n");
  }

  /** The report as a self-contained HTML fragment (charts included). */
  toHTML(): string {
    const fmt = (v: number | undefined) =>
      v === undefined || Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : v.toPrecision(4);
    const head = `<tr><th>column</th><th>type</th><th>count</th><th>missing</th><th>unique</th><th>mean</th><th>std</th><th>min</th><th>25%</th><th>50%</th><th>75%</th><th>max</th><th>outliers (IQR)</th><th>top values</th></tr>`;
    const body = this.columns
      .map((c) => {
        const s = c.summary;
        const warn = c.missingShare > 0 ? ` style="color:#b45309"` : "";
        return (
          `<tr><td><b>${escapeHtml(c.name)}</b></td><td>${c.dtype}</td><td>${c.count}</td><td${warn}>${c.missing} (${(100 * c.missingShare).toFixed(1)}%)</td><td>${c.unique}</td>` +
          `<td>${fmt(s?.mean)}</td><td>${fmt(s?.std)}</td><td>${fmt(s?.min)}</td><td>${fmt(s?.q1)}</td><td>${fmt(s?.median)}</td><td>${fmt(s?.q3)}</td><td>${fmt(s?.max)}</td>` +
          `<td>${c.outliers ? c.outliers.count : ""}</td><td>${
            c.top
              ? escapeHtml(
                  c.top
                    .slice(0, 3)
                    .map((t) => `${String(t.value)} (${t.count})`)
                    .join(", "),
                )
              : ""
          }</td></tr>`
        );
      })
      .join("");
    const balance = this.classBalance
      ? `<p><b>Class balance of ${escapeHtml(this.classBalance.column)}</b>: ` +
        this.classBalance.classes
          .map((c) => `${escapeHtml(String(c.value))} ${c.count} (${(100 * c.share).toFixed(1)}%)`)
          .join(", ") +
        `; imbalance ratio ${this.classBalance.imbalanceRatio.toFixed(2)}×${this.classBalance.imbalanceRatio > 3 ? " — imbalanced: consider stratified splits and class weights" : ""}.</p>`
      : "";
    const charts = this.charts()
      .map(
        (f) =>
          `<div style="display:inline-block;width:48%;min-width:320px;vertical-align:top">${String(f[DISPLAY]()["text/html"])}</div>`,
      )
      .join("");
    return (
      `<div class="trainlab-profile"><h3>Data profile</h3><p>${this.rows} rows × ${this.columns.length} columns · ` +
      `<b>${this.duplicateRows}</b> duplicate rows · <b>${this.missing}</b> missing values</p>` +
      `<table>${head}${body}</table>${balance}<div>${charts}</div></div>`
    );
  }

  [DISPLAY](): MimeBundle {
    const fmt = (v: number | undefined) =>
      v === undefined || Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : v.toPrecision(4);
    const summary = {
      title: `${this.duplicateRows} duplicate rows · ${this.missing} missing values`,
      columns: ["column", "type", "count", "missing", "unique", "mean", "std", "min", "median", "max"],
      rows: this.columns.map((c) => [
        c.name,
        c.dtype,
        String(c.count),
        String(c.missing),
        String(c.unique),
        fmt(c.summary?.mean),
        fmt(c.summary?.std),
        fmt(c.summary?.min),
        fmt(c.summary?.median),
        fmt(c.summary?.max),
      ]),
    };
    return compositeBundle(this.toString(), this.toHTML(), [summary, ...this.charts()], {
      columns: 2,
      title: `Data profile: ${this.rows} rows × ${this.columns.length} columns`,
    });
  }
}

/**
 * Profiles a table: per-column type, counts, missing values, cardinality, numeric summaries (quartiles), IQR outliers,
 * top categories; duplicate rows; class balance of `options.target`. Works with nulls and NaN.
 * @throws Error when `target` is not a column.
 */
export function profile(table: ColumnTable, options: ProfileOptions = {}): DataProfile {
  const t = materialize(table);
  const n = t.numRows();
  const bins = options.bins ?? 30;
  if (options.target !== undefined && !t.columnNames().includes(options.target)) {
    throw new Error(
      `profile: target column "${options.target}" is not in the table. Columns: ${t.columnNames().join(", ")}.`,
    );
  }
  const columns: ColumnProfile[] = t.columnNames().map((name) => {
    const dtype = columnKind(t, name);
    const missing = missingCount(t, name);
    const base = { name, dtype, count: n - missing, missing, missingShare: n ? missing / n : 0 };
    if (dtype === "number") {
      const values = numericColumn(t, name).values;
      const summary = summarize(values);
      const iqr = summary.q3 - summary.q1;
      const lower = summary.q1 - 1.5 * iqr;
      const upper = summary.q3 + 1.5 * iqr;
      let outliers = 0;
      const distinct = new Set<number>();
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v !== v) continue;
        if (v < lower || v > upper) outliers++;
        if (distinct.size <= 100000) distinct.add(v);
      }
      return {
        ...base,
        unique: distinct.size,
        summary,
        outliers: { count: outliers, lower, upper },
        histogram: histogramOf(values, summary.min, summary.max, bins),
      };
    }
    const col = dictColumn(t, name);
    const counts = codeCounts(col);
    const order = Array.from(counts.keys()).filter((k) => counts[k] > 0);
    order.sort((a, b) => counts[b] - counts[a] || compareCategories(col.dictionary[a], col.dictionary[b]));
    return {
      ...base,
      unique: order.length,
      top: order.slice(0, 10).map((k) => ({ value: col.dictionary[k], count: counts[k] })),
    };
  });
  let classBalance: ClassBalance | undefined;
  if (options.target !== undefined) {
    const col = dictColumn(t, options.target);
    const counts = codeCounts(col);
    const present = Array.from(counts.keys())
      .filter((k) => counts[k] > 0)
      .sort((a, b) => compareCategories(col.dictionary[a], col.dictionary[b]));
    const total = present.reduce((a, k) => a + counts[k], 0);
    const max = Math.max(...present.map((k) => counts[k]));
    const min = Math.min(...present.map((k) => counts[k]));
    classBalance = {
      column: options.target,
      classes: present.map((k) => ({
        value: col.dictionary[k],
        count: counts[k],
        share: total ? counts[k] / total : 0,
      })),
      imbalanceRatio: present.length ? max / min : NaN,
      missing: missingCount(t, options.target),
    };
  }
  return new DataProfile(n, columns, countDuplicates(t), classBalance, options.maxCharts ?? 24);
}

function histogramOf(
  values: Float64Array,
  min: number,
  max: number,
  bins: number,
): { edges: number[]; counts: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { edges: [], counts: [] };
  const k = max === min ? 1 : bins;
  const width = max === min ? 1 : (max - min) / k;
  const lo = max === min ? min - 0.5 : min;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    let b = Math.floor((v - lo) / width);
    if (b >= k) b = k - 1;
    if (b < 0) b = 0;
    counts[b]++;
  }
  return { edges: Array.from({ length: k + 1 }, (_, j) => lo + j * width), counts };
}
