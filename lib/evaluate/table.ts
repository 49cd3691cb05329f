/**
 * A small displayable table for evaluation results: HTML in notebooks, aligned text in a terminal, plain rows as data.
 */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";

/** A cell value. */
export type TableCell = number | string | boolean | null;

/** How a column's numbers are written: "int", "float" (with the table's digits) or "auto" (int when all are). */
export type ColumnFormat = "int" | "float" | "auto";

/** Formats a number for a table: integers as is (unless `float`), others with `digits` decimals. */
export function formatCell(value: TableCell, digits = 4, format: ColumnFormat = "auto"): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (format === "int" || (format === "auto" && Number.isInteger(value))) return String(Math.round(value));
    return value.toFixed(digits);
  }
  return String(value);
}

/** Rows of named columns that render as a table in a notebook. Rows stay plain data (`rows`, `toJSON()`). */
export class ResultTable<R extends Record<string, TableCell> = Record<string, TableCell>> {
  readonly columns: readonly string[];
  readonly rows: readonly R[];
  readonly title: string;
  readonly digits: number;
  /** Optional per-row CSS class name (e.g. "best", "baseline"), for highlighting. */
  readonly rowClasses: readonly (string | undefined)[];
  /** Per-column number format (default "auto": a column is written as integers only when all its numbers are). */
  readonly formats: Readonly<Record<string, ColumnFormat>>;

  constructor(
    columns: readonly string[],
    rows: readonly R[],
    options: {
      title?: string;
      digits?: number;
      rowClasses?: readonly (string | undefined)[];
      formats?: Record<string, ColumnFormat>;
    } = {},
  ) {
    this.columns = columns;
    this.rows = rows;
    this.title = options.title ?? "";
    this.digits = options.digits ?? 4;
    this.rowClasses = options.rowClasses ?? [];
    const formats: Record<string, ColumnFormat> = {};
    for (const c of columns) {
      const given = options.formats?.[c];
      if (given) formats[c] = given;
      else formats[c] = rows.every((r) => typeof r[c] !== "number" || Number.isInteger(r[c])) ? "int" : "float";
    }
    this.formats = formats;
  }

  private cell(row: R, column: string): string {
    return formatCell(row[column] ?? null, this.digits, this.formats[column]);
  }

  /** The table as plain rows. */
  toJSON(): { title: string; columns: readonly string[]; rows: readonly R[] } {
    return { title: this.title, columns: this.columns, rows: this.rows };
  }

  /** The table as formatted text cells, for drawing it elsewhere (e.g. a Plotly table in a composite figure). */
  toPart(): { title: string; columns: readonly string[]; rows: string[][] } {
    return {
      title: this.title,
      columns: this.columns,
      rows: this.rows.map((r) => this.columns.map((c) => this.cell(r, c))),
    };
  }

  /** Aligned plain text. */
  toString(): string {
    const cells = this.rows.map((r) => this.columns.map((c) => this.cell(r, c)));
    const widths = this.columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
    const line = (vals: string[]): string =>
      vals
        .map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j])))
        .join("  ")
        .trimEnd();
    return [this.title, line(this.columns.slice()), ...cells.map(line)].filter((s) => s !== "").join("\n");
  }

  /** An HTML table (numbers right-aligned). */
  toHTML(): string {
    const head = this.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const body = this.rows
      .map((r, i) => {
        const cls = this.rowClasses[i];
        const style =
          cls === "best"
            ? ' style="font-weight:bold"'
            : cls === "baseline"
              ? ' style="color:#666;font-style:italic"'
              : "";
        const tds = this.columns
          .map((c) => {
            const v = r[c] ?? null;
            const align = typeof v === "number" ? ' style="text-align:right"' : ' style="text-align:left"';
            return `<td${align}>${escapeHtml(this.cell(r, c))}</td>`;
          })
          .join("");
        return `<tr${cls ? ` class="${escapeHtml(cls)}"` : ""}${style}>${tds}</tr>`;
      })
      .join("");
    const caption = this.title
      ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(this.title)}</caption>`
      : "";
    return `<table class="trainlab-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  [DISPLAY](): MimeBundle {
    return { "text/plain": this.toString(), "text/html": this.toHTML() };
  }
}
