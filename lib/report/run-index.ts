/**
 * The reports folder's index: reads the per-notebook summaries (`*.json`) and writes `index.html` linking every
 * report with its status, goal status, time and size.
 */
import * as fs from "fs";
import * as path from "path";
import { escapeHtml } from "../display";
import { writeFileAtomically } from "../core/files";
import type { NotebookRun } from "./notebook-run";

/** A file's size in bytes, or undefined when it is missing. */
function fileSize(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

/** Bytes as a short human size: `812 KB`, `2.1 MB` (1 KB = 1000 bytes, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${Math.round(bytes / 1000)} KB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Reads every notebook summary (`*.json`) in the reports folder, sorted by name. */
export function readRunSummaries(reportsDir: string): NotebookRun[] {
  if (!fs.existsSync(reportsDir)) return [];
  return fs
    .readdirSync(reportsDir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("."))
    .sort()
    .map((f) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(reportsDir, f), "utf8")) as NotebookRun;
      } catch {
        return undefined;
      }
    })
    .filter((r): r is NotebookRun => !!r && typeof r.name === "string" && (r.status === "ok" || r.status === "failed"))
    .filter((r) => r.status === "failed" || (r.report !== undefined && fs.existsSync(path.join(reportsDir, r.report))));
}

/** Writes `index.html` linking every report in the folder with its status, goal status and time, atomically. */
export function writeIndex(reportsDir: string): string {
  const runs = readRunSummaries(reportsDir);
  const rows = runs
    .map((r) => {
      const title =
        (r.report ? `<a href="${escapeHtml(r.report)}">${escapeHtml(r.name)}</a>` : escapeHtml(r.name)) +
        (r.title ? `<br><small>${escapeHtml(r.title)}</small>` : "");
      const status =
        r.status === "ok" ? `<span class="badge pass">ran</span>` : `<span class="badge fail">failed</span>`;
      const goals =
        r.status === "ok"
          ? `<span class="badge ${r.goals.status}">${escapeHtml(r.goals.label)}</span>`
          : `<code>${escapeHtml(r.error ?? "")}</code>`;
      const executed = r.executed ? `<a href="${escapeHtml(r.executed)}">.ipynb</a>` : "";
      const params = Object.keys(r.injected ?? {}).length
        ? Object.entries(r.injected)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(", ")
        : "";
      const size = r.report ? fileSize(path.join(reportsDir, r.report)) : undefined;
      const executedSize = r.executed ? fileSize(path.join(reportsDir, r.executed)) : undefined;
      return (
        `<tr class="run-${r.status}"><td class="name">${title}</td><td>${status}</td><td class="goals">${goals}</td><td>${r.seconds.toFixed(1)} s</td><td>${escapeHtml(r.startedAt)}</td><td>${r.fast ? "fast" : "full"}${params ? ` · ${escapeHtml(params)}` : ""}</td>` +
        `<td class="size">${size !== undefined ? formatBytes(size) : ""}</td><td>${executed}${executedSize !== undefined ? ` <small>${formatBytes(executedSize)}</small>` : ""}</td></tr>`
      );
    })
    .join("\n");
  const failed = runs.filter((r) => r.status === "failed").length;
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>trainlab experiment reports</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 24px;color:#1f2328}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d1d9e0;padding:6px 10px;text-align:left;vertical-align:top}th{background:#f6f8fa}td code{white-space:pre-wrap;font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}.pass{background:#1a7f37}.fail{background:#cf222e}.partial{background:#9a6700}.none{background:#6e7781}
</style></head><body><h1>trainlab experiment reports</h1>
<p>${runs.length} notebook(s)${failed ? `, <b>${failed} failed</b>` : ""}. Each report is a single self-contained HTML file: charts stay interactive offline. Regenerate with <code>npm start</code>; run one notebook with <code>npm start -- notebooks/04-train.ipynb -p epochs=3</code>.</p>
<table><thead><tr><th>notebook</th><th>run</th><th>goals</th><th>time</th><th>executed at</th><th>mode</th><th>report size</th><th>notebook file</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>\n`;
  const target = path.join(reportsDir, "index.html");
  writeFileAtomically(target, html);
  return target;
}
