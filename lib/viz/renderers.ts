/**
 * Rich notebook display for the data structures trainlab works with, through the one display
 * protocol (`[Symbol.for("Jupyter.display")]()` returns a MIME bundle). Importing trainlab installs
 * these methods on the prototypes of:
 * - arquero tables (ColumnTable) and danfojs DataFrame / Series: an HTML table, head/tail truncated, with the shape;
 * - tfjs Tensors: shape, dtype and a preview (a table for matrices);
 * - tfjs LayersModel (and Sequential): a summary table of layers, output shapes and parameters.
 * Every bundle carries a `text/plain` fallback, and all text is HTML-escaped.
 * danfojs is large and loaded lazily, so its renderers install when a cell imports it (the kernel bridge's
 * `onImport`) or when trainlab's own conversions load it (lib/data/load.ts), not by watching Node's module loader.
 */
import * as aq from "arquero";
import * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle, escapeHtml, kernelBridge } from "../display";
import { foreignTfjsLoaded } from "../core/foreign-tfjs";

/** How much of a table or tensor a display shows. */
export interface TruncationOptions {
  /** Rows shown before truncating to head and tail halves (default 20). */
  maxRows: number;
  /** Columns shown before truncating to first and last halves (default 20). */
  maxColumns: number;
  /** Characters per cell before cutting with an ellipsis (default 80). */
  maxCellChars: number;
}

/** The limits every renderer uses; change them to show more or less. */
export const displayOptions: TruncationOptions = { maxRows: 20, maxColumns: 20, maxCellChars: 80 };

/** A table to render: the visible cells only, plus where rows/columns were elided. */
export interface TableView {
  kind: string;
  shape: [number, number];
  columns: string[];
  /** Column types shown under the names (optional). */
  dtypes?: string[];
  /** Row labels (optional; default the row numbers). */
  index?: string[];
  rows: unknown[][];
  /** Position in `rows` after which a "…" row stands for elided rows (or -1). */
  rowGap: number;
  /** Position in `columns` after which a "…" column stands for elided columns (or -1). */
  columnGap: number;
}

/** Row positions to show for `n` rows: all, or head and tail halves. */
export function visiblePositions(n: number, max: number): { positions: number[]; gap: number } {
  if (n <= max) return { positions: Array.from({ length: n }, (_, i) => i), gap: -1 };
  const head = Math.ceil(max / 2);
  const tail = Math.floor(max / 2);
  return {
    positions: [...Array.from({ length: head }, (_, i) => i), ...Array.from({ length: tail }, (_, i) => n - tail + i)],
    gap: head,
  };
}

function formatCell(value: unknown): string {
  let text: string;
  if (value === null) text = "null";
  else if (value === undefined) text = "undefined";
  else if (typeof value === "number")
    text = Number.isInteger(value) ? String(value) : Number(value.toPrecision(6)).toString();
  else if (value instanceof Date)
    text = isNaN(value.getTime()) ? "Invalid Date" : value.toISOString().replace("T00:00:00.000Z", "");
  else if (typeof value === "object") {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  } else text = String(value);
  return text.length > displayOptions.maxCellChars ? `${text.slice(0, displayOptions.maxCellChars - 1)}…` : text;
}

function shapeText(view: TableView): string {
  return `${view.shape[0]} row${view.shape[0] === 1 ? "" : "s"} × ${view.shape[1]} column${view.shape[1] === 1 ? "" : "s"}`;
}

/** An HTML table (pandas-like markup, class "dataframe") of a view. */
export function tableHtml(view: TableView): string {
  const withGap = <T>(cells: T[], gap: number, filler: T): T[] =>
    gap < 0 ? cells : [...cells.slice(0, gap), filler, ...cells.slice(gap)];
  const head = withGap(
    view.columns.map((c) => `<th>${escapeHtml(c)}</th>`),
    view.columnGap,
    "<th>…</th>",
  ).join("");
  const types = view.dtypes
    ? `<tr class="trainlab-dtypes"><th></th>${withGap(
        view.dtypes.map((t) => `<td style="color:#888;font-style:italic">${escapeHtml(t)}</td>`),
        view.columnGap,
        "<td></td>",
      ).join("")}</tr>`
    : "";
  const body: string[] = [];
  view.rows.forEach((row, i) => {
    if (i === view.rowGap)
      body.push(
        `<tr><th>…</th>${withGap(
          row.map(() => "<td>…</td>"),
          view.columnGap,
          "<td>…</td>",
        ).join("")}</tr>`,
      );
    const label = view.index?.[i] ?? String(i);
    const cells = withGap(
      row.map((v) => `<td>${escapeHtml(formatCell(v))}</td>`),
      view.columnGap,
      "<td>…</td>",
    );
    body.push(`<tr><th>${escapeHtml(label)}</th>${cells.join("")}</tr>`);
  });
  return (
    `<div class="trainlab-table" data-kind="${escapeHtml(view.kind)}">` +
    `<table class="dataframe" border="1"><thead><tr><th></th>${head}</tr>${types}</thead><tbody>${body.join("")}</tbody></table>` +
    `<p style="color:#666;font-size:90%">${escapeHtml(view.kind)}: ${shapeText(view)}</p></div>`
  );
}

/** A fixed-width text table of a view. */
export function tableText(view: TableView): string {
  const header = ["", ...view.columns];
  const rows = view.rows.map((r, i) => [view.index?.[i] ?? String(i), ...r.map(formatCell)]);
  if (view.columnGap >= 0) {
    header.splice(view.columnGap + 1, 0, "…");
    for (const r of rows) r.splice(view.columnGap + 1, 0, "…");
  }
  if (view.rowGap >= 0)
    rows.splice(
      view.rowGap,
      0,
      header.map(() => "…"),
    );
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  const lines = all.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "),
  );
  return `${lines.join("\n")}\n\n[${view.kind}: ${shapeText(view)}]`;
}

/** The bundle of a table view. */
export function tableBundle(view: TableView): MimeBundle {
  return { "text/plain": tableText(view), "text/html": tableHtml(view) };
}

// ---------------------------------------------------------------------------------------------- arquero

interface ArqueroTableLike {
  numRows(): number;
  numCols(): number;
  columnNames(): string[];
  get(name: string, row: number): unknown;
}

/** The view of an arquero table (filtered rows and selected columns respected). */
export function arqueroView(table: ArqueroTableLike): TableView {
  const names = table.columnNames();
  const n = table.numRows();
  const rows = visiblePositions(n, displayOptions.maxRows);
  const cols = visiblePositions(names.length, displayOptions.maxColumns);
  const columns = cols.positions.map((c) => names[c]);
  const dtypes = columns.map((c) => {
    for (let r = 0; r < Math.min(n, 50); r++) {
      const v = table.get(c, r);
      if (v !== null && v !== undefined) return v instanceof Date ? "date" : typeof v;
    }
    return "empty";
  });
  return {
    kind: "arquero table",
    shape: [n, names.length],
    columns,
    dtypes,
    rows: rows.positions.map((r) => columns.map((c) => table.get(c, r))),
    index: rows.positions.map(String),
    rowGap: rows.gap,
    columnGap: cols.gap,
  };
}

// ---------------------------------------------------------------------------------------------- danfojs

interface DanfoFrameLike {
  shape: number[];
  columns: string[];
  index: Array<string | number>;
  dtypes: string[];
  values: unknown[][];
}
interface DanfoSeriesLike {
  shape: number[];
  index: Array<string | number>;
  dtype: string;
  values: unknown[];
  config?: unknown;
  columns?: string[];
}

/** The view of a danfojs DataFrame. */
export function danfoFrameView(df: DanfoFrameLike): TableView {
  const [n, m] = [df.shape[0] ?? 0, df.shape[1] ?? 0];
  const rows = visiblePositions(n, displayOptions.maxRows);
  const cols = visiblePositions(m, displayOptions.maxColumns);
  const values = df.values;
  return {
    kind: "danfojs DataFrame",
    shape: [n, m],
    columns: cols.positions.map((c) => String(df.columns[c])),
    dtypes: cols.positions.map((c) => String(df.dtypes[c])),
    index: rows.positions.map((r) => String(df.index[r])),
    rows: rows.positions.map((r) => cols.positions.map((c) => values[r]?.[c])),
    rowGap: rows.gap,
    columnGap: cols.gap,
  };
}

/** The view of a danfojs Series (one column). */
export function danfoSeriesView(s: DanfoSeriesLike): TableView {
  const n = s.shape[0] ?? s.values.length;
  const rows = visiblePositions(n, displayOptions.maxRows);
  const name = s.columns?.[0] ?? "values";
  return {
    kind: "danfojs Series",
    shape: [n, 1],
    columns: [String(name)],
    dtypes: [String(s.dtype)],
    index: rows.positions.map((r) => String(s.index[r])),
    rows: rows.positions.map((r) => [s.values[r]]),
    rowGap: rows.gap,
    columnGap: -1,
  };
}

// ---------------------------------------------------------------------------------------------- tfjs

/** The bundle of a tensor: shape, dtype and a preview (an HTML table for vectors and matrices). */
export function tensorBundle(t: tf.Tensor): MimeBundle {
  const title = `Tensor shape [${t.shape.join(", ")}] dtype ${t.dtype}`;
  if (t.isDisposed)
    return { "text/plain": `${title} (disposed)`, "text/html": `<p><b>${escapeHtml(title)}</b> (disposed)</p>` };
  let preview: string;
  try {
    preview = t.toString();
  } catch (err) {
    preview = `(cannot read values: ${(err as Error).message})`;
  }
  const text = `${title}\n${preview.replace(/^Tensor\n/, "")}`;
  let html = `<div class="trainlab-tensor"><p><b>Tensor</b> shape <code>[${escapeHtml(t.shape.join(", "))}]</code> dtype <code>${escapeHtml(t.dtype)}</code> (${t.size} value${t.size === 1 ? "" : "s"})</p>`;
  if ((t.rank === 1 || t.rank === 2) && t.dtype !== "string" && t.size > 0) {
    const n = t.shape[0] ?? 0;
    const m = t.rank === 1 ? 1 : (t.shape[1] ?? 0);
    const rows = visiblePositions(n, displayOptions.maxRows);
    const cols = visiblePositions(m, displayOptions.maxColumns);
    const picked = tf.tidy(() => {
      const matrix = t.rank === 1 ? t.reshape([n, 1]) : t;
      return tf.gather(tf.gather(matrix, rows.positions, 0), cols.positions, 1);
    });
    const data = picked.arraySync() as unknown[][];
    picked.dispose();
    html += tableHtml({
      kind: "Tensor",
      shape: [n, m],
      columns: cols.positions.map(String),
      rows: data,
      index: rows.positions.map(String),
      rowGap: rows.gap,
      columnGap: cols.gap,
    });
  } else {
    html += `<pre>${escapeHtml(preview)}</pre>`;
  }
  return { "text/plain": text, "text/html": html + "</div>" };
}

/** The bundle of a layers model: a summary table (layer, type, output shape, parameters) and totals. */
export function modelBundle(model: tf.LayersModel): MimeBundle {
  const lines: string[] = [];
  try {
    model.summary(100, undefined, (line: string) => lines.push(line));
  } catch (err) {
    lines.push(`${model.name}: ${(err as Error).message}`);
  }
  const rows = model.layers.map((layer) => {
    let shape: string;
    try {
      shape = JSON.stringify(layer.outputShape).replace(/null/g, "None");
    } catch {
      shape = "?";
    }
    let params: number | string;
    try {
      params = layer.countParams();
    } catch {
      params = "?";
    }
    return [`${layer.name}`, layer.getClassName(), shape, params];
  });
  let total = 0;
  let trainable = 0;
  try {
    total = model.countParams();
    trainable = model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  } catch {
    // an unbuilt model has no weights yet
  }
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`).join("");
  const html =
    `<div class="trainlab-model"><p><b>Model</b> <code>${escapeHtml(model.name)}</code> (${escapeHtml(model.getClassName())})</p>` +
    `<table class="dataframe" border="1"><thead><tr><th>Layer</th><th>Type</th><th>Output shape</th><th>Params</th></tr></thead><tbody>${body}</tbody></table>` +
    `<p>Total params: ${total.toLocaleString("en-US")} · trainable: ${trainable.toLocaleString("en-US")} · non-trainable: ${(total - trainable).toLocaleString("en-US")}</p></div>`;
  return { "text/plain": lines.join("\n"), "text/html": html };
}

// ---------------------------------------------------------------------------------------------- install

function define(proto: object | undefined, render: (self: never) => MimeBundle): void {
  if (!proto || Object.prototype.hasOwnProperty.call(proto, DISPLAY)) return;
  Object.defineProperty(proto, DISPLAY, {
    value: function (this: never): MimeBundle {
      return render(this);
    },
    configurable: true,
    writable: true,
  });
}

let danfoInstalled = false;

/**
 * Installs the danfojs renderers on a loaded danfojs module, and announces the tfjs bundle danfojs brought
 * (lib/core/foreign-tfjs: the native pack puts back the gradient overrides that bundle replaced). Never throws.
 */
export function installDanfoRenderers(dfd: {
  DataFrame?: { prototype: object };
  Series?: { prototype: object };
}): void {
  if (danfoInstalled || !dfd?.DataFrame || !dfd.Series) return;
  foreignTfjsLoaded();
  danfoInstalled = true;
  // danfojs-node's classes extend danfojs-base's, and operations (df["col"], head()) return base instances:
  // install on every prototype down to NDframe.
  const chain = (proto: object): object[] => {
    const out: object[] = [];
    for (
      let p: object | null = proto;
      p && p !== Object.prototype && (p as { constructor?: { name?: string } }).constructor?.name !== "NDframe";
      p = Object.getPrototypeOf(p)
    )
      out.push(p);
    return out;
  };
  for (const p of chain(dfd.Series.prototype)) define(p, (s: DanfoSeriesLike) => tableBundle(danfoSeriesView(s)));
  for (const p of chain(dfd.DataFrame.prototype)) define(p, (df: DanfoFrameLike) => tableBundle(danfoFrameView(df)));
}

let installed = false;

/** Installs all renderers (idempotent). lib/index.ts calls it: importing trainlab installs them; this module alone does not. */
export function installRenderers(): void {
  if (installed) return;
  installed = true;
  const tableClass = (aq as unknown as { ColumnTable?: { prototype: object } }).ColumnTable;
  define(tableClass?.prototype, (t: ArqueroTableLike) => tableBundle(arqueroView(t)));
  define(tf.Tensor.prototype, (t: tf.Tensor) => tensorBundle(t));
  define(tf.LayersModel.prototype, (m: tf.LayersModel) => modelBundle(m));
  // danfojs: now if already loaded, else when a cell imports it (the kernel's onImport), or when trainlab's own
  // conversions load it (lib/data/load.ts installs them then).
  for (const [file, mod] of Object.entries(require.cache)) {
    if (/[/\\]danfojs(-node)?[/\\]/.test(file) && mod?.exports && (mod.exports as { DataFrame?: unknown }).DataFrame)
      installDanfoRenderers(mod.exports as never);
  }
  kernelBridge()?.onImport?.((specifier, exports) => {
    if (specifier === "danfojs-node" || specifier === "danfojs") installDanfoRenderers(exports as never);
  });
}
