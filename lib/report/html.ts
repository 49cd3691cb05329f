/**
 * Turns an executed notebook into one self-contained HTML experiment report:
 * - a header with the run date, git commit, seed, backend, parameters, package versions, data fingerprints
 *   and the goal scorecard (from the notebook's `reportContext()` outputs, see ./context.ts);
 * - every cell, code collapsible (`<details>`, plus a button that hides or shows all code);
 * - Plotly charts drawn offline: plotly.js (minified, gzip+base64, unpacked by the browser) is inlined exactly once,
 *   in the page's `<head>`; copies that outputs carried (the first figure of each kernel inlines it) are removed;
 * - saved widgets drawn offline by @jupyter-widgets/html-manager, embedded only when an output shows one
 *   (./widget-state.ts): precomputed controls work, the others say they need a live kernel.
 */
import { escapeHtml } from "../display";
import { Figure, FigureSpec, PLOTLY_LOADER_ATTRIBUTE, PLOTLY_MIME, plotlyScriptTag } from "../viz/figure";
import { REPORT_MIME, ReportContextData, ScorecardEntry, mergeReportContexts, scorecardHtml } from "./context";
import { NotebookCell, NotebookJson, NotebookOutput, cellSource } from "./parameters";
import { WIDGET_VIEW_MIME } from "../widgets";
import {
  SavedWidgetState,
  WIDGET_CSS,
  WIDGET_PLOT_RESIZE_SCRIPT,
  controlsNeedingKernel,
  htmlManagerScriptTag,
  readWidgetState,
  reportWidgetState,
  widgetStateScript,
  widgetViewHtml,
} from "./widget-state";

/** HTML the Python side rendered: markdown cells, markdown outputs and highlighted code, by cell index. */
export interface RenderedParts {
  markdown: Record<string, string>;
  code: Record<string, string>;
  outputMarkdown: Record<string, string>;
  /** Pygments CSS for `.highlight`. */
  css: string;
}

/** What the runner knows about one notebook run, for the header and for reports/<name>.json. */
export interface ReportMeta {
  /** The notebook's path relative to the project. */
  notebook: string;
  /** The report's base name (`04-train`). */
  name: string;
  title: string;
  startedAt: string;
  seconds: number;
  gitCommit?: string;
  /** Parameters injected with -p. */
  injected: Record<string, unknown>;
  fast: boolean;
  /** Versions the runner found installed. */
  packages: Record<string, string>;
  kernel: string;
  /** The merged reportContext() publications, if the notebook made any. */
  context?: ReportContextData;
  /** The executed notebook's file name beside the report (`04-train.ipynb`), linked from the header. */
  executed?: string;
}

/** How a notebook did against its goals, for the index page. */
export interface GoalStatus {
  status: "pass" | "fail" | "partial" | "none";
  met: number;
  total: number;
  label: string;
}

/** Summarises a scorecard: all met, some missed, some not measured, or no goals. */
export function goalStatus(scorecard: readonly ScorecardEntry[] | undefined): GoalStatus {
  if (!scorecard || scorecard.length === 0) return { status: "none", met: 0, total: 0, label: "no goals checked" };
  const met = scorecard.filter((e) => e.passed === true).length;
  const failed = scorecard.filter((e) => e.passed === false).length;
  const total = scorecard.length;
  if (failed > 0) return { status: "fail", met, total, label: `${met}/${total} goals met, ${failed} missed` };
  if (met === total) return { status: "pass", met, total, label: `all ${total} goals met` };
  return { status: "partial", met, total, label: `${met}/${total} goals met, ${total - met} not measured here` };
}

/** Reads and merges the report-context outputs of an executed notebook. */
export function readReportContext(nb: NotebookJson): ReportContextData | undefined {
  const parts: ReportContextData[] = [];
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      const raw = output.data?.[REPORT_MIME];
      if (raw === undefined) continue;
      const value = typeof raw === "string" ? (JSON.parse(raw) as ReportContextData) : (raw as ReportContextData);
      parts.push(value);
    }
  }
  return mergeReportContexts(parts);
}

const PLOTLY_BANNER = /^\s*(if\s*\(\s*!window\.Plotly\s*\)\s*\{)?\s*\/\*\*?\s*\*?\s*plotly\.js v\d/;

/**
 * Removes every inlined copy of plotly.js (a `<script>` whose body is the plotly.js bundle, guarded or not)
 * from an HTML fragment. Returns the fragment and how many copies it removed.
 */
export function stripPlotlyBundles(html: string): { html: string; removed: number } {
  let out = "";
  let removed = 0;
  let pos = 0;
  for (;;) {
    const start = html.indexOf("<script", pos);
    if (start < 0) break;
    const open = html.indexOf(">", start);
    const close = open < 0 ? -1 : html.indexOf("</script>", open);
    if (open < 0 || close < 0) break;
    const body = html.slice(open + 1, Math.min(close, open + 400));
    if (
      html.slice(start, open).includes(PLOTLY_LOADER_ATTRIBUTE) ||
      (PLOTLY_BANNER.test(body) && /\bplotly\.js v\d/.test(body))
    ) {
      out += html.slice(pos, start);
      removed++;
    } else {
      out += html.slice(pos, close + 9);
    }
    pos = close + 9;
  }
  return { html: out + html.slice(pos), removed };
}

/** Text with ANSI colour codes removed and carriage-return progress lines collapsed to their last state. */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const noAnsi = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
  return noAnsi
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .join("\n");
}

function joined(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/** The saved widget state while a page is built, and what its widget views need. */
interface WidgetPage {
  saved: SavedWidgetState | undefined;
  /** Controls that need a kernel (shown disabled). */
  needKernel: Set<string>;
  views: number;
}

function renderWidgetView(data: Record<string, unknown>, widgets: WidgetPage): string | undefined {
  const view = data[WIDGET_VIEW_MIME] as { model_id?: unknown } | undefined;
  const id = typeof view?.model_id === "string" ? view.model_id : undefined;
  if (!id || !widgets.saved?.state[id]) return undefined;
  const needing = controlsNeedingKernel(widgets.saved, id);
  for (const c of needing) widgets.needKernel.add(c);
  widgets.views++;
  return widgetViewHtml(id, plainText(joined(data["text/plain"])), needing.length > 0);
}

function renderOutput(output: NotebookOutput, key: string, rendered: RenderedParts, widgets: WidgetPage): string {
  switch (output.output_type) {
    case "stream":
      return `<pre class="output stream ${output.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(plainText(joined(output.text)))}</pre>`;
    case "error":
      return `<pre class="output error">${escapeHtml(plainText((output.traceback ?? []).join("\n") || `${output.ename}: ${output.evalue}`))}</pre>`;
    case "display_data":
    case "execute_result": {
      const data = output.data ?? {};
      if (REPORT_MIME in data) return "";
      // A widget whose state the notebook saved is drawn by html-manager; others fall through to their text.
      const widget = WIDGET_VIEW_MIME in data ? renderWidgetView(data, widgets) : undefined;
      if (widget !== undefined) return widget;
      // trainlab's own HTML draws its charts with the page's plotly.js and keeps a composite's tables; Plotly JSON from
      // other kernels is drawn from the JSON.
      const html = "text/html" in data ? joined(data["text/html"]) : "";
      if (PLOTLY_MIME in data && !html.includes(`class="trainlab-plot"`)) {
        const spec = data[PLOTLY_MIME] as FigureSpec;
        return `<div class="output plotly">${new Figure({ data: spec.data ?? [], layout: spec.layout ?? {}, config: spec.config }).toHTML()}</div>`;
      }
      if ("text/html" in data)
        return `<div class="output html">${stripPlotlyBundles(joined(data["text/html"])).html}</div>`;
      if ("image/svg+xml" in data) return `<div class="output svg">${joined(data["image/svg+xml"])}</div>`;
      for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
        if (mime in data)
          return `<div class="output image"><img src="data:${mime};base64,${joined(data[mime]).replace(/\s/g, "")}" alt="output image"></div>`;
      }
      if ("text/markdown" in data)
        return `<div class="output markdown">${rendered.outputMarkdown[key] ?? `<pre>${escapeHtml(joined(data["text/markdown"]))}</pre>`}</div>`;
      if ("application/json" in data)
        return `<pre class="output json">${escapeHtml(JSON.stringify(data["application/json"], null, 2))}</pre>`;
      if ("text/plain" in data)
        return `<pre class="output text">${escapeHtml(plainText(joined(data["text/plain"])))}</pre>`;
      return "";
    }
    default:
      return "";
  }
}

function renderCell(cell: NotebookCell, index: number, rendered: RenderedParts, widgets: WidgetPage): string {
  if (cell.cell_type === "markdown")
    return `<section class="cell markdown" id="cell-${index}">${rendered.markdown[String(index)] ?? `<pre>${escapeHtml(cellSource(cell))}</pre>`}</section>`;
  if (cell.cell_type !== "code") return "";
  const tags = cell.metadata?.tags ?? [];
  const label = tags.includes("injected-parameters")
    ? "injected parameters"
    : tags.includes("parameters")
      ? "parameters"
      : "code";
  const count = cell.execution_count ?? " ";
  const code = rendered.code[String(index)] ?? escapeHtml(cellSource(cell));
  const outputs = (cell.outputs ?? []).map((o, j) => renderOutput(o, `${index}:${j}`, rendered, widgets)).join("");
  return (
    `<section class="cell code${tags.includes("injected-parameters") ? " injected" : ""}" id="cell-${index}">` +
    `<details class="input" open><summary><span class="prompt">In [${escapeHtml(count)}]</span> ${escapeHtml(label)}</summary><pre class="highlight"><code>${code}</code></pre></details>` +
    (outputs ? `<div class="outputs">${outputs}</div>` : "") +
    `</section>`
  );
}

/** The notebook's title: the first markdown heading, else its name. */
export function notebookTitle(nb: NotebookJson, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const m = /^#\s+(.+)$/m.exec(cellSource(cell));
    if (m) return m[1].trim();
  }
  return fallback;
}

const PAGE_CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg-code:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--partial:#9a6700}
*{box-sizing:border-box}body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
main,header.report-header{max-width:1100px;margin:0 auto;padding:0 24px}
header.report-header{padding-top:24px;border-bottom:2px solid var(--line);padding-bottom:16px}
header.report-header h1{margin:.2em 0}.subtitle{color:var(--muted);margin:0 0 12px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid var(--line);padding:4px 8px;text-align:right;vertical-align:top}
th{background:var(--bg-code)}table.facts th,table.facts td{text-align:left}table.facts td code{white-space:pre-wrap;word-break:break-all}
.trainlab-scorecard td:first-child,.trainlab-scorecard td:nth-child(2),.trainlab-scorecard td:last-child{text-align:left}
.goal-pass .verdict{color:var(--pass);font-weight:600}.goal-fail .verdict{color:var(--fail);font-weight:600}.goal-not-measured .verdict{color:var(--partial)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.partial{background:var(--partial)}.badge.none{background:#6e7781}
.toolbar{margin-top:12px}.toolbar button{font:inherit;font-size:13px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg-code);cursor:pointer}
.cell{margin:14px 0}.cell.markdown{padding:0 2px}.cell.code details.input{border:1px solid var(--line);border-radius:6px;background:var(--bg-code)}
.cell.code details.input summary{cursor:pointer;padding:2px 10px;color:var(--muted);font-size:12px;font-family:ui-monospace,monospace}
.cell.code pre.highlight{margin:0;padding:8px 12px;overflow-x:auto;font-size:13px;background:transparent;border-top:1px solid var(--line)}
.cell.injected details.input{border-color:#d4a72c;background:#fff8c5}
.outputs{padding:4px 0 0 0}.output{margin:4px 0;overflow-x:auto}pre.output{font-size:12.5px;padding:6px 10px;margin:4px 0;white-space:pre-wrap;word-break:break-word}
pre.stderr{background:#fff1e5}pre.error{background:#ffebe9;color:#82071e}
.output.image img{max-width:100%}
a.anchor-link{visibility:hidden;text-decoration:none;margin-left:6px;color:var(--muted)}h1:hover>a.anchor-link,h2:hover>a.anchor-link,h3:hover>a.anchor-link,h4:hover>a.anchor-link{visibility:visible}
body.code-hidden .cell.code details.input{display:none}
footer{max-width:1100px;margin:32px auto;padding:12px 24px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
`;

const TOGGLE_SCRIPT = `<script>(function(){var b=document.getElementById("toggle-code");if(!b)return;b.addEventListener("click",function(){var hidden=document.body.classList.toggle("code-hidden");b.textContent=hidden?"Show code":"Hide code";});var c=document.getElementById("collapse-code");if(c)c.addEventListener("click",function(){var ds=document.querySelectorAll("details.input");var anyOpen=Array.prototype.some.call(ds,function(d){return d.open;});ds.forEach(function(d){d.open=!anyOpen;});c.textContent=anyOpen?"Expand all code":"Collapse all code";});})();</script>`;

function fact(label: string, value: string, html = false): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${html ? value : `<code>${escapeHtml(value)}</code>`}</td></tr>`;
}

/** The report header: facts about the run and the goal scorecard. */
function headerHtml(meta: ReportMeta): string {
  const ctx = meta.context;
  const env = ctx?.environment;
  const packages = { ...meta.packages, ...(env?.packages ?? {}) };
  const params = { ...(ctx?.params ?? {}) };
  const facts = [
    fact("run date", meta.startedAt),
    fact("git commit", meta.gitCommit ?? env?.gitCommit ?? "not a git checkout"),
    fact("seed", ctx?.seed !== undefined ? String(ctx.seed) : "not reported by the notebook"),
    fact("backend", ctx?.backend ?? env?.backend ?? "not reported by the notebook"),
    fact(
      "parameters",
      Object.keys(params).length
        ? Object.entries(params)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(", ")
        : "defaults",
    ),
    fact(
      "injected with -p",
      Object.keys(meta.injected).length
        ? Object.entries(meta.injected)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(", ")
        : "none",
    ),
    fact("fast mode", meta.fast ? "on (TRAINLAB_FAST=1: fewer epochs and folds)" : "off"),
    fact("dataset", ctx?.dataset ?? "–"),
    fact(
      "data fingerprint",
      ctx && Object.keys(ctx.dataFingerprints).length
        ? Object.entries(ctx.dataFingerprints)
            .map(([k, v]) => `${k}: ${v}`)
            .join("\n")
        : "not reported by the notebook",
    ),
    fact(
      "environment",
      env
        ? `Node ${env.node} · ${env.platform} · ${env.cores} cores (${env.cpu}) · ${env.memoryGiB} GiB`
        : `Node ${process.version}`,
    ),
    fact("kernel", meta.kernel),
    fact(
      "package versions",
      Object.entries(packages)
        .map(([k, v]) => `${k} ${v}`)
        .join(" · "),
    ),
    fact("duration", `${meta.seconds.toFixed(1)} s`),
  ].join("");
  const status = goalStatus(ctx?.scorecard);
  const scorecard = ctx?.scorecard?.length
    ? scorecardHtml(ctx.scorecard)
    : `<p class="no-goals">This notebook checked no goals. The goals are defined in 01-define-goals and scored in 00-full-experiment and 06-validate.</p>`;
  return (
    `<header class="report-header">` +
    `<p class="subtitle"><a href="index.html">← all reports</a> · trainlab experiment report</p>` +
    `<h1>${escapeHtml(meta.title)}</h1>` +
    `<p class="subtitle">${escapeHtml(meta.notebook)}${meta.executed ? ` · <a class="executed-notebook" href="${escapeHtml(meta.executed)}" download>executed notebook (.ipynb)</a>` : ""} · executed ${escapeHtml(meta.startedAt)} in ${meta.seconds.toFixed(1)} s · <span class="badge ${status.status}">${escapeHtml(status.label)}</span></p>` +
    (ctx?.notes ? `<p>${escapeHtml(ctx.notes)}</p>` : "") +
    `<table class="facts">${facts}</table>` +
    `<section id="scorecard" class="scorecard"><h2>Goal scorecard</h2>${scorecard}</section>` +
    `<div class="toolbar"><button id="toggle-code" type="button">Hide code</button> <button id="collapse-code" type="button">Collapse all code</button></div>` +
    `</header>`
  );
}

/**
 * Builds the whole report page. plotly.js is inlined once in `<head>` when any output draws a chart; the saved
 * widget state and html-manager only when an output shows a widget (see ./widget-state.ts).
 */
export function buildReportHtml(nb: NotebookJson, rendered: RenderedParts, meta: ReportMeta): string {
  const widgets: WidgetPage = { saved: readWidgetState(nb), needKernel: new Set(), views: 0 };
  const cells = nb.cells.map((cell, i) => renderCell(cell, i, rendered, widgets)).join("\n");
  const state =
    widgets.saved && widgets.views > 0
      ? widgetStateScript(reportWidgetState(widgets.saved, (html) => stripPlotlyBundles(html).html, widgets.needKernel))
      : "";
  const body = state + cells;
  const usesPlotly = /\bwindow\.(Plotly|trainlabPlotly)\b|\bPlotly\.(newPlot|react|plot)\b/.test(body);
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="generator" content="trainlab report runner"><title>${escapeHtml(meta.title)} · trainlab report</title>` +
    `<style>${PAGE_CSS}\n${rendered.css}${state ? `\n${WIDGET_CSS}` : ""}</style>` +
    (usesPlotly ? plotlyScriptTag() : "") +
    (state ? htmlManagerScriptTag() : "") +
    `</head><body>${headerHtml(meta)}<main>\n${body}\n</main>` +
    `<footer>Generated by trainlab's report runner from ${escapeHtml(meta.notebook)}. Charts are interactive and work offline (plotly.js is embedded in this file)${state ? "; so are the saved widgets (@jupyter-widgets/html-manager)" : ""}.</footer>` +
    `${TOGGLE_SCRIPT}${state ? WIDGET_PLOT_RESIZE_SCRIPT : ""}</body></html>\n`
  );
}
