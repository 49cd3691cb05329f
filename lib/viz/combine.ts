/**
 * Composite displays (a table and its charts, a data profile's many histograms) as ONE Plotly figure with subplots,
 * so that frontends that only render `application/vnd.plotly.v1+json` (JupyterLab's plotly renderer, VS Code, GitHub
 * through the static image) show every chart and table of the composite, not just its HTML.
 */
import { DISPLAY, MimeBundle } from "../display";
import { Figure, PLOTLY_MIME, PlotlyLayout, PlotlyTrace, plotlyText } from "./figure";

/** A table to draw inside a composite figure (a Plotly `table` trace). Cells are already formatted text. */
export interface TablePart {
  title?: string;
  columns: readonly string[];
  rows: readonly (readonly string[])[];
}

/** A part of a composite figure: a chart or a table. */
export type CompositePart = Figure | TablePart;

/** Options of {@link combineFigures}. */
export interface CombineOptions {
  title?: string;
  /** Charts per row (tables always take a whole row). Default 1. */
  columns?: number;
  /** Height of a chart cell in pixels when the chart sets none (default 360). */
  cellHeight?: number;
}

const AXIS_KEY = /^([xy])axis(\d*)$/;
const AXIS_REF = /^([xy])(\d*)$/;

function isFigure(part: CompositePart): part is Figure {
  return part instanceof Figure;
}

function tableHeight(t: TablePart): number {
  return 40 + 26 * (t.rows.length + 1) + (t.title ? 24 : 0);
}

/** Scales a [0, 1] domain into the cell [lo, hi]. */
function inside(domain: unknown, lo: number, hi: number): [number, number] {
  const [a, b] =
    Array.isArray(domain) && domain.length === 2 && domain.every((v) => typeof v === "number")
      ? (domain as [number, number])
      : [0, 1];
  return [lo + a * (hi - lo), lo + b * (hi - lo)];
}

function deepCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * One figure holding every part: each chart's axes are renamed to fresh subplot axes placed in its cell, its title
 * becomes an annotation above the cell, its colour bars move beside the cell; each table becomes a Plotly `table`
 * trace on a full row. Legends of several charts are merged (one legend group per part).
 * @throws Error when there are no parts.
 */
export function combineFigures(parts: readonly CompositePart[], options: CombineOptions = {}): Figure {
  if (parts.length === 0) throw new Error("combineFigures: no charts or tables to combine.");
  const perRow = Math.max(1, Math.floor(options.columns ?? 1));
  const cellHeight = options.cellHeight ?? 360;
  // Lay out rows: a table alone, charts `perRow` at a time.
  const rows: CompositePart[][] = [];
  // Horizontal bars (long category labels left of their axis) and heatmaps (a colour bar on their right) get a row of
  // their own, so labels and colour bars never run into a neighbour.
  const wide = (part: CompositePart): boolean =>
    !isFigure(part) ||
    part.data.some(
      (t) => t.orientation === "h" || t.type === "heatmap" || t.type === "contour" || t.colorbar !== undefined,
    );
  for (const part of parts) {
    const last = rows[rows.length - 1];
    if (!wide(part) && last && !wide(last[0]) && last.length < perRow) last.push(part);
    else rows.push([part]);
  }
  const titleSpace = 28;
  // Room under a chart for its tick labels and x-axis title, so they never run into the next row's title.
  const axisSpace = (row: CompositePart[]): number => (isFigure(row[0]) ? 56 : 8);
  const rowHeights = rows.map((row) =>
    isFigure(row[0])
      ? Math.max(
          ...row.map((f) =>
            Math.max(
              160,
              (typeof (f as Figure).layout.height === "number" ? ((f as Figure).layout.height as number) : cellHeight) -
                90,
            ),
          ),
        )
      : tableHeight(row[0] as TablePart),
  );
  const top = options.title ? 60 : 20;
  const total = rowHeights.reduce((a, b, r) => a + b + titleSpace + axisSpace(rows[r]), 0) + top + 20;
  const data: PlotlyTrace[] = [];
  const layout: PlotlyLayout = {
    height: total,
    margin: { t: top, b: 20, l: 90, r: 30 },
    showlegend: parts.some(
      (p) => isFigure(p) && p.layout.showlegend !== false && p.data.some((t) => t.name !== undefined),
    ),
    annotations: [] as unknown[],
    legend: { orientation: "h", y: -0.02, yanchor: "top" },
  };
  if (options.title) layout.title = { text: plotlyText(options.title) };
  const annotations = layout.annotations as Record<string, unknown>[];
  const plotHeight = total - top - 20;
  const axisCount = { x: 0, y: 0 };
  let y = 0; // pixels from the top of the plot area
  rows.forEach((row, r) => {
    const h = rowHeights[r];
    const y1 = 1 - (y + titleSpace) / plotHeight; // top of the cell, in paper coordinates
    const y0 = 1 - (y + titleSpace + h) / plotHeight;
    y += h + titleSpace + axisSpace(row);
    const gap = 0.12; // room for a colour bar and the next chart's y tick labels
    const width = (1 - gap * (perRow - 1)) / perRow;
    row.forEach((part, c) => {
      const x0 = wide(part) ? 0 : c * (width + gap);
      const x1 = wide(part) ? 1 : x0 + width;
      const title = isFigure(part) ? part.title : (part.title ?? "");
      if (title)
        annotations.push({
          text: `<b>${title}</b>`,
          x: (x0 + x1) / 2,
          y: y1,
          xref: "paper",
          yref: "paper",
          xanchor: "center",
          yanchor: "bottom",
          showarrow: false,
          font: { size: 13 },
        });
      if (!isFigure(part)) {
        data.push({
          type: "table",
          domain: { x: [x0, x1], y: [y0, y1] },
          header: {
            values: part.columns.map((name) => `<b>${plotlyText(name)}</b>`),
            align: "left",
            fill: { color: "#f6f8fa" },
          },
          cells: {
            values: part.columns.map((_, j) => part.rows.map((cells) => plotlyText(cells[j] ?? ""))),
            align: "left",
            height: 24,
          },
        });
        return;
      }
      // Fresh axis names for every axis the chart uses.
      const names = new Map<string, string>(); // "x2" -> "x7"
      const rename = (ref: string): string => {
        const m = AXIS_REF.exec(ref);
        if (!m) return ref;
        let renamed = names.get(ref);
        if (!renamed) {
          const letter = m[1] as "x" | "y";
          const n = ++axisCount[letter];
          renamed = `${letter}${n === 1 ? "" : n}`;
          names.set(ref, renamed);
        }
        return renamed;
      };
      const spec = deepCopy(part.toJSON());
      const cartesian = spec.data.some(
        (t) => !["table", "pie", "parcoords", "parcats", "sankey", "indicator"].includes(String(t.type ?? "scatter")),
      );
      if (cartesian) {
        for (const key of Object.keys(spec.layout)) {
          const m = AXIS_KEY.exec(key);
          if (m) rename(`${m[1]}${m[2]}`);
        }
        for (const t of spec.data) {
          rename(String(t.xaxis ?? "x"));
          rename(String(t.yaxis ?? "y"));
        }
        for (const [from, to] of names) {
          const fromKey = `${from[0]}axis${from.slice(1)}`;
          const toKey = `${to[0]}axis${to.slice(1)}`;
          const axis = { ...((spec.layout[fromKey] as Record<string, unknown>) ?? {}) };
          for (const ref of ["anchor", "overlaying", "matches", "scaleanchor"]) {
            if (typeof axis[ref] === "string" && AXIS_REF.test(axis[ref] as string))
              axis[ref] = names.get(axis[ref] as string) ?? rename(axis[ref] as string);
          }
          if (axis.anchor === undefined) axis.anchor = names.get(from[0] === "x" ? "y" : "x") ?? "free";
          if (axis.anchor === "free") axis.position = from[0] === "x" ? y0 : x0;
          axis.domain = from[0] === "x" ? inside(axis.domain, x0, x1) : inside(axis.domain, y0, y1);
          if (axis.overlaying) delete axis.domain;
          layout[toKey] = axis;
        }
      }
      for (const t of spec.data) {
        if (cartesian) {
          t.xaxis = names.get(String(t.xaxis ?? "x"));
          t.yaxis = names.get(String(t.yaxis ?? "y"));
        } else {
          const d = (t.domain ?? {}) as { x?: unknown; y?: unknown };
          t.domain = { x: inside(d.x, x0, x1), y: inside(d.y, y0, y1) };
        }
        const colorbar = t.colorbar as Record<string, unknown> | undefined;
        if (t.type === "heatmap" || t.type === "contour" || colorbar)
          t.colorbar = {
            ...(colorbar ?? {}),
            x: x1 + 0.005,
            xanchor: "left",
            y: (y0 + y1) / 2,
            len: y1 - y0,
            yanchor: "middle",
            thickness: 12,
          };
        if (part.layout.showlegend === false) t.showlegend = false;
        data.push(t);
      }
      for (const a of (spec.layout.annotations as Record<string, unknown>[] | undefined) ?? []) {
        const moved = { ...a };
        if (typeof a.xref === "string" && AXIS_REF.test(a.xref)) moved.xref = names.get(a.xref) ?? a.xref;
        else if (typeof a.x === "number") moved.x = x0 + a.x * (x1 - x0);
        if (typeof a.yref === "string" && AXIS_REF.test(a.yref)) moved.yref = names.get(a.yref) ?? a.yref;
        else if (typeof a.y === "number") moved.y = y0 + a.y * (y1 - y0);
        annotations.push(moved);
      }
      const shapes = (spec.layout.shapes as Record<string, unknown>[] | undefined) ?? [];
      if (shapes.length) {
        layout.shapes = [
          ...((layout.shapes as unknown[]) ?? []),
          ...shapes.map((s) => {
            const moved = { ...s };
            for (const [ref, lo, hi, keys] of [
              ["xref", x0, x1, ["x0", "x1"]],
              ["yref", y0, y1, ["y0", "y1"]],
            ] as const) {
              const value = s[ref];
              if (typeof value === "string" && AXIS_REF.test(value.replace(/ domain$/, "")))
                moved[ref] = value.replace(/^[xy]\d*/, (v) => names.get(v) ?? v);
              else for (const k of keys) if (typeof s[k] === "number") moved[k] = lo + (s[k] as number) * (hi - lo);
            }
            return moved;
          }),
        ];
      }
      // Layout-wide settings that do not change other parts (not bargap: a histogram's 0 would merge other bars).
      for (const key of ["barmode", "boxmode", "hovermode"])
        if (spec.layout[key] !== undefined && layout[key] === undefined) layout[key] = spec.layout[key];
    });
  });
  return new Figure({ data, layout });
}

/**
 * The MIME bundle of a composite display: its own text and HTML, plus every chart and table combined into one Plotly
 * figure (see {@link combineFigures}) under `application/vnd.plotly.v1+json`. Without charts, just text and HTML.
 */
export function compositeBundle(
  text: string,
  html: string,
  parts: readonly CompositePart[],
  options: CombineOptions = {},
): MimeBundle {
  const bundle: MimeBundle = { "text/plain": text, "text/html": html };
  if (!parts.some(isFigure)) return bundle;
  const combined = parts.length === 1 ? (parts[0] as Figure) : combineFigures(parts, options);
  bundle[PLOTLY_MIME] = combined.toJSON();
  return bundle;
}

/** The Plotly JSON of any displayable that carries one (its `application/vnd.plotly.v1+json`), else undefined. */
export function plotlyJsonOf(value: { [DISPLAY](): MimeBundle }): unknown {
  return value[DISPLAY]()[PLOTLY_MIME];
}
