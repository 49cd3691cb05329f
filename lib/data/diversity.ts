/**
 * diversity(table, by): are all the groups that matter represented, and in what proportions?
 * Reports group counts and shares, the imbalance ratio, and warns on tiny groups, rows with no group, and
 * expected groups that are absent.
 */
import type { ColumnTable } from "arquero";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { Figure } from "../viz/figure";
import { bar } from "../viz/bar";
import { compositeBundle } from "../viz/combine";
import { Category, dictColumn, materialize } from "./columns";
import { recordProvenance } from "./provenance";

/** One group (a combination of the `by` columns' values). */
export interface DiversityGroup {
  key: Record<string, Category | null>;
  label: string;
  count: number;
  share: number;
}

/** Options of {@link diversity}. */
export interface DiversityOptions {
  /** Groups with fewer rows than this are "tiny" (default 30). */
  minCount?: number;
  /** Groups with a smaller share than this are "tiny" (default 0.01). */
  minShare?: number;
  /** Values each `by` column should have; absent ones are warned about. */
  expected?: Record<string, readonly Category[]>;
}

/** The diversity report; displays as a table, warnings and a bar chart. */
export class DiversityReport {
  constructor(
    readonly by: string[],
    readonly rows: number,
    readonly groups: DiversityGroup[],
    readonly warnings: string[],
  ) {}

  /** Largest group count / smallest group count (1 when balanced; Infinity with an empty expected group). */
  get imbalanceRatio(): number {
    const counts = this.groups.filter((g) => !g.label.includes("(missing)")).map((g) => g.count);
    return counts.length ? Math.max(...counts) / Math.min(...counts) : NaN;
  }

  chart(): Figure {
    return bar(undefined, {
      x: this.groups.map((g) => g.label),
      y: this.groups.map((g) => g.count),
      title: `Rows per group (${this.by.join(" × ")})`,
      xTitle: this.by.join(" × "),
      yTitle: "rows",
    });
  }

  toString(): string {
    return (
      `Diversity by ${this.by.join(", ")}: ${this.groups.length} groups over ${this.rows} rows, imbalance ${this.imbalanceRatio.toFixed(2)}×\n` +
      this.groups.map((g) => `  ${g.label}: ${g.count} (${(100 * g.share).toFixed(1)}%)`).join("\n") +
      (this.warnings.length ? `\nWarnings:\n${this.warnings.map((w) => `  ! ${w}`).join("\n")}` : "\nNo warnings.")
    );
  }

  [DISPLAY](): MimeBundle {
    const chart = this.chart();
    const rows = this.groups
      .map(
        (g) =>
          `<tr><td>${escapeHtml(g.label)}</td><td style="text-align:right">${g.count}</td><td style="text-align:right">${(100 * g.share).toFixed(1)}%</td></tr>`,
      )
      .join("");
    const warnings = this.warnings.length
      ? `<ul style="color:#b45309">${this.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`
      : `<p>No warnings.</p>`;
    return compositeBundle(
      this.toString(),
      `<div class="trainlab-diversity"><b>Diversity by ${escapeHtml(this.by.join(", "))}</b>: ${this.groups.length} groups, imbalance ${this.imbalanceRatio.toFixed(2)}×` +
        `<table><thead><tr><th>group</th><th>rows</th><th>share</th></tr></thead><tbody>${rows}</tbody></table>${warnings}` +
        String(chart[DISPLAY]()["text/html"]) +
        `</div>`,
      [chart],
    );
  }
}

/**
 * Counts rows per group of `by` (one column or several), and warns on tiny groups, missing group values and
 * expected-but-absent groups. The result is recorded with the table for pipeline.checklist().
 * @throws Error when a `by` column is not in the table or the table is empty.
 */
export function diversity(table: ColumnTable, by: string | string[], options: DiversityOptions = {}): DiversityReport {
  const names = Array.isArray(by) ? by : [by];
  if (names.length === 0) throw new Error("diversity(table, by): give at least one column to group by.");
  const t = materialize(table);
  for (const n of names)
    if (!t.columnNames().includes(n))
      throw new Error(`diversity: column "${n}" is not in the table. Columns: ${t.columnNames().join(", ")}.`);
  const rows = t.numRows();
  if (rows === 0) throw new Error("diversity: the table is empty (0 rows).");
  const cols = names.map((n) => dictColumn(t, n));
  const counts = new Map<string, { codes: number[]; count: number }>();
  for (let i = 0; i < rows; i++) {
    const codes = cols.map((c) => c.codes[i]);
    const key = codes.join(",");
    const e = counts.get(key);
    if (e) e.count++;
    else counts.set(key, { codes, count: 1 });
  }
  const groups: DiversityGroup[] = [...counts.values()]
    .map(({ codes, count }) => {
      const key: Record<string, Category | null> = {};
      names.forEach((n, j) => (key[n] = codes[j] < 0 ? null : cols[j].dictionary[codes[j]]));
      const label = names.map((n) => (key[n] === null ? `${n} (missing)` : String(key[n]))).join(" × ");
      return { key, label, count, share: count / rows };
    })
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const minCount = options.minCount ?? 30;
  const minShare = options.minShare ?? 0.01;
  const warnings: string[] = [];
  for (const g of groups) {
    if (Object.values(g.key).some((v) => v === null)) {
      const known = names.filter((n) => g.key[n] !== null).map((n) => `${n} = ${String(g.key[n])}`);
      warnings.push(
        `${g.count} row(s)${known.length ? ` with ${known.join(", ")}` : ""} have no value for ${names.filter((n) => g.key[n] === null).join(", ")}: impute, label or drop them.`,
      );
    } else if (g.count < minCount || g.share < minShare)
      warnings.push(
        `group ${g.label} is tiny: ${g.count} row(s) (${(100 * g.share).toFixed(2)}%); metrics on it will be noisy — collect more data for it.`,
      );
  }
  for (const [n, expected] of Object.entries(options.expected ?? {})) {
    if (!names.includes(n)) throw new Error(`diversity: expected values given for "${n}", which is not a "by" column.`);
    const present = new Set(groups.map((g) => g.key[n]));
    for (const v of expected)
      if (!present.has(v))
        warnings.push(`no rows at all for ${n} = ${JSON.stringify(v)}: the model will never see this group.`);
  }
  const report = new DiversityReport(names, rows, groups, warnings);
  recordProvenance(table, { diversity: { by: names, warnings } });
  return report;
}
