/** The result of `Goals.check`: one row per goal and constraint, with an overall verdict. */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import type { GoalDirection } from "./metric-direction";
import { formatNumber } from "./format";

/** One line of a scorecard. */
export interface ScorecardRow {
  /** "goal" (a metric threshold) or "constraint". */
  kind: "goal" | "constraint";
  /** The metric or measurement name. */
  name: string;
  /** What the threshold means, e.g. "≥ 0.95". */
  requirement: string;
  threshold: number;
  direction: GoalDirection;
  /** The measured value, or null when the results did not include it. */
  measured: number | null;
  /**
   * The measurement's confidence interval, when the result gave one; `degenerate` when every bootstrap resample
   * scored the same, so the rows cannot bound the metric (such a goal is inconclusive, never a pass).
   */
  interval: { lower: number; upper: number; degenerate?: boolean } | null;
  /** What the status was decided on: the point estimate, or the interval's pessimistic bound. */
  judgedOn: "point" | "lower";
  /**
   * "inconclusive": the point estimate meets the target but the confidence interval does not (judgeOn "lower"), or
   * the interval is degenerate (no resample varied): too little test data to tell. Never counted as a pass.
   */
  status: "pass" | "fail" | "inconclusive" | "not measured";
  why?: string;
  /**
   * Binary metrics (precision, recall, f1, average_precision, roc_auc): the class scored as positive, or null when
   * the result did not say and the goal names none.
   */
  positiveClass?: number | string | null;
}

/** "f1 (positive class "M")" for a binary metric's row; the bare name otherwise. */
export function rowLabel(r: ScorecardRow): string {
  if (r.positiveClass === undefined) return r.name;
  return `${r.name} (${r.positiveClass === null ? "positive class not stated" : `positive class ${JSON.stringify(r.positiveClass)}`})`;
}
/** A row's interval as the scorecard prints it; a degenerate one says that no resample varied. */
function intervalText(ci: { lower: number; upper: number; degenerate?: boolean }): string {
  return ci.degenerate
    ? `no spread: every resample scored ${formatNumber(ci.lower)}, so these rows cannot bound it`
    : `95% CI ${formatNumber(ci.lower)}–${formatNumber(ci.upper)}`;
}

/** The result of checking results against goals: pass/fail per goal with the measured value. Renders as a table. */
export class Scorecard {
  constructor(
    readonly rows: readonly ScorecardRow[],
    readonly title: string,
  ) {}

  /** True when every goal and constraint was measured and met. */
  get passed(): boolean {
    return this.rows.every((r) => r.status === "pass");
  }

  /** The rows that failed or were not measured. */
  get failures(): ScorecardRow[] {
    return this.rows.filter((r) => r.status !== "pass");
  }

  /**
   * Overall verdict: "pass", "fail" (something measured missed its threshold) or "incomplete" (no miss, but some
   * items were not measured or are inconclusive within their confidence interval).
   */
  get verdict(): "pass" | "fail" | "incomplete" {
    if (this.rows.some((r) => r.status === "fail")) return "fail";
    return this.passed ? "pass" : "incomplete";
  }

  toJSON(): { title: string; verdict: string; rows: readonly ScorecardRow[] } {
    return { title: this.title, verdict: this.verdict, rows: this.rows };
  }

  toString(): string {
    const lines = this.rows.map(
      (r) =>
        `${r.status === "pass" ? "PASS" : r.status === "fail" ? "FAIL" : r.status === "inconclusive" ? "????" : "----"}  ${rowLabel(r)} ${r.requirement}: ` +
        `${r.measured === null ? "not measured" : formatNumber(r.measured)}${r.interval ? ` (${intervalText(r.interval)}, judged on the ${r.judgedOn === "lower" ? "bound" : "point"})` : ""}`,
    );
    return `${this.title}: ${this.verdict.toUpperCase()}\n${lines.join("\n")}`;
  }

  [DISPLAY](): MimeBundle {
    const color = { pass: "#1a7f37", fail: "#cf222e", inconclusive: "#9a6700", "not measured": "#9a6700" } as const;
    const icon = {
      pass: "✔ pass",
      fail: "✘ fail",
      inconclusive: "? inconclusive (CI too wide)",
      "not measured": "… not measured",
    } as const;
    const verdictColor =
      this.verdict === "pass" ? color.pass : this.verdict === "fail" ? color.fail : color["not measured"];
    const rows = this.rows
      .map(
        (r) =>
          `<tr><td>${r.kind}</td><td><b>${escapeHtml(r.name)}</b>${r.positiveClass !== undefined ? ` <small>${escapeHtml(rowLabel(r).slice(r.name.length + 1))}</small>` : ""}${r.why ? `<br><small>${escapeHtml(r.why)}</small>` : ""}</td>` +
          `<td>${escapeHtml(r.requirement)}</td><td style="text-align:right">${r.measured === null ? "—" : escapeHtml(formatNumber(r.measured))}</td>` +
          `<td style="text-align:right">${r.interval ? escapeHtml(intervalText(r.interval)) : "—"}</td>` +
          `<td style="color:${color[r.status]};font-weight:bold">${icon[r.status]}</td></tr>`,
      )
      .join("");
    return {
      "text/plain": this.toString(),
      "text/html":
        `<div class="trainlab-scorecard"><p><b>${escapeHtml(this.title)}</b>: <span style="color:${verdictColor};font-weight:bold">${this.verdict.toUpperCase()}</span>` +
        ` (${this.rows.filter((r) => r.status === "pass").length} of ${this.rows.length} met)</p>` +
        `<table><thead><tr><th>kind</th><th>goal</th><th>requirement</th><th>measured</th><th>95% CI</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>` +
        (this.rows.some((r) => r.interval && r.judgedOn === "lower")
          ? "<p><small>Goals with an interval are judged on its pessimistic end: met only when the whole 95% interval meets the target.</small></p>"
          : "") +
        `</div>`,
    };
  }
}
