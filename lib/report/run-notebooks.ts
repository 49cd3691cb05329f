/**
 * The main job: executes notebooks, each in a fresh trainlab kernel, and writes one self-contained HTML
 * report per notebook to `reports/`, plus `reports/index.html` linking them with each notebook's goal status.
 *
 *   node dist/lib/report/run-notebooks.js                                  # every notebook in notebooks/, sorted
 *   node dist/lib/report/run-notebooks.js notebooks/04-train.ipynb -p epochs=3
 *   node dist/lib/report/run-notebooks.js --fast                           # TRAINLAB_FAST=1 (CI)
 *
 * (`npm start -- ARGS` runs the set-up, then this with ARGS.)
 *
 * Execution goes through nbclient (lib/report/execute_notebook.py) with the Python that set-up recorded.
 * A failing cell stops the run with the notebook, the cell number and the error; the failing notebook's
 * report is removed rather than left half-written or stale. Reports, executed notebooks (.ipynb) and the
 * per-notebook summaries (.json) are written to a temporary file and renamed into place.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { escapeHtml } from "../display";
import { writeFileAtomically } from "../core/files";
import { gitCommit, packageVersions, projectRoot as findProjectRoot } from "./environment";
import {
  GoalStatus,
  RenderedParts,
  ReportMeta,
  buildReportHtml,
  goalStatus,
  notebookTitle,
  readReportContext,
} from "./html";
import { FigureImageRenderer } from "./static-images";
import { prepareExecutedNotebook } from "./notebook-outputs";
import {
  NotebookJson,
  ParameterValue,
  cellSource,
  declaredParameters,
  injectParameters,
  parametersCellIndex,
  parseParameterArgs,
} from "./parameters";

const projectRoot = findProjectRoot();

/** The Python that runs Jupyter: $TRAINLAB_PYTHON, the one set-up recorded in dist/python-path, or /usr/bin/python3. */
export function jupyterPython(): string {
  if (process.env.TRAINLAB_PYTHON) return process.env.TRAINLAB_PYTHON;
  const recorded = path.join(projectRoot, "dist", "python-path");
  return fs.existsSync(recorded) ? fs.readFileSync(recorded, "utf8").trim() : "/usr/bin/python3";
}

/** The notebooks the main job runs: every `notebooks/*.ipynb`, sorted (00 first), or the kernel smoke notebook until they exist. */
function defaultNotebooks(): string[] {
  const dir = path.join(projectRoot, "notebooks");
  const tutorials = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ipynb"))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  return tutorials.length > 0 ? tutorials : [path.join(projectRoot, "tests", "fixtures", "smoke.ipynb")];
}

/** Options of a notebook run. */
export interface RunOptions {
  /** Where reports go (default `<project>/reports`). */
  reportsDir?: string;
  /** Parameters to inject after the `parameters` cell. */
  params?: Record<string, ParameterValue>;
  /** Skip parameters the notebook does not declare instead of failing (used when one -p applies to many notebooks). */
  skipUndeclaredParams?: boolean;
  /** Sets TRAINLAB_FAST=1 for the kernel (fewer epochs and folds). Default: inherit TRAINLAB_FAST. */
  fast?: boolean;
  /** Per-cell timeout in seconds (default 900). */
  cellTimeoutSeconds?: number;
  /** The kernelspec to run (default "trainlab"). */
  kernel?: string;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
  /** Called with progress lines (cell being executed); default: none. */
  onProgress?: (line: string) => void;
  /** Draws the static images of the executed notebook's figures (default: a Chromium launched for this notebook). */
  imageRenderer?: FigureImageRenderer;
}

/** The outcome of one notebook, as reports/<name>.json stores it. */
export interface NotebookRun {
  name: string;
  /** The notebook's path relative to the project (or absolute when outside it). */
  notebook: string;
  /** The report's title (the notebook's first heading); absent when it failed. */
  title?: string;
  status: "ok" | "failed";
  startedAt: string;
  seconds: number;
  /** The report's file name inside the reports folder (absent when the notebook failed). */
  report?: string;
  /** The executed notebook's file name inside the reports folder. */
  executed?: string;
  goals: GoalStatus;
  injected: Record<string, unknown>;
  fast: boolean;
  /** The failure, one paragraph (absent when ok). */
  error?: string;
  /** Sizes in bytes of the report and the executed notebook as written. */
  bytes?: { report: number; executed: number };
  /** Figures of the executed notebook that got a static image. */
  staticImages?: number;
}

/** Where and why a notebook stopped. */
export class NotebookError extends Error {
  constructor(
    message: string,
    readonly notebook: string,
    /** 1-based position among all cells (undefined when the kernel never ran a cell). */
    readonly cellNumber: number | undefined,
    /** 1-based position among code cells. */
    readonly codeCellNumber: number | undefined,
    readonly ename: string | undefined,
    readonly evalue: string | undefined,
    /** The failing cell's error output (traceback or type errors). */
    readonly details: string,
  ) {
    super(message);
    this.name = "NotebookError";
  }
}

interface PythonResult {
  ok: boolean;
  seconds: number;
  language_info?: { name?: string; version?: string };
  rendered?: RenderedParts;
  error?: {
    kind: string;
    message: string;
    cellIndex?: number | null;
    codeCellNumber?: number;
    source?: string;
    ename?: string;
    evalue?: string;
    outputs?: string;
    traceback?: string;
  };
}

function relativeName(file: string): string {
  const rel = path.relative(projectRoot, file);
  return rel.startsWith("..") ? file : rel;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
}

/** The Jupyter (nbclient) processes running now; each ends its kernel, and kernels also exit when it dies. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** The staging folders of notebooks running now (inputs, the executed notebook, the result), removed on any exit. */
const liveStaging = new Set<string>();

/** Removes the staging folders of running notebooks (a signal ends the process before their `finally` runs). */
function removeStaging(): void {
  for (const dir of liveStaging) fs.rmSync(dir, { recursive: true, force: true });
  liveStaging.clear();
}

/** Chromium instances open now (figure images): closed properly on a signal, so Chromium removes its own temp files. */
const liveRenderers = new Set<FigureImageRenderer>();

/** Launches the figure image renderer, tracked until {@link closeRenderer} (signals close it: see main's handlers). */
async function launchRenderer(): Promise<FigureImageRenderer> {
  const renderer = await FigureImageRenderer.launch({ handleSignals: require.main !== module });
  liveRenderers.add(renderer);
  return renderer;
}

async function closeRenderer(renderer: FigureImageRenderer): Promise<void> {
  try {
    await renderer.close();
  } finally {
    liveRenderers.delete(renderer);
  }
}

/** Closes the open renderers, waiting at most `ms` (a stuck browser must not keep a killed runner alive). */
async function closeRenderers(ms: number): Promise<void> {
  const closing = Promise.all([...liveRenderers].map((r) => closeRenderer(r).catch(() => undefined)));
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

/** Ends the running Jupyter processes (their kernels notice their parent is gone and exit too). */
function endChildren(): void {
  for (const child of liveChildren) {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
}

function runPython(
  requestFile: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  onProgress?: (line: string) => void,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      jupyterPython(),
      [path.join(projectRoot, "lib", "report", "execute_notebook.py"), requestFile],
      { cwd, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    liveChildren.add(child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // However this process ends (an error, process.exit), no Jupyter process, kernel or staging folder is left behind.
      process.on("exit", () => {
        endChildren();
        removeStaging();
      });
    }
    let stderr = "";
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        onProgress?.(line);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    child.on("error", (err) =>
      reject(
        new Error(
          `Could not start ${jupyterPython()} to run Jupyter: ${err.message}. Run the set-up (npm start does it) or set TRAINLAB_PYTHON.`,
        ),
      ),
    );
    child.on("close", (code) => {
      liveChildren.delete(child);
      resolve({ code, stderr });
    });
  });
}

function removeReportFiles(reportsDir: string, name: string): void {
  for (const ext of [".html", ".ipynb"]) fs.rmSync(path.join(reportsDir, `${name}${ext}`), { force: true });
}

/**
 * Executes one notebook in a fresh kernel and writes `<reportsDir>/<name>.html`, `<name>.ipynb` (executed) and
 * `<name>.json` (summary for the index), each atomically.
 * @throws NotebookError naming the notebook, the cell number and the error when a cell fails (the notebook's
 *   report files are removed, and its summary records the failure); Error on a bad parameter or a missing notebook.
 */
export async function runNotebook(notebook: string, options: RunOptions = {}): Promise<NotebookRun> {
  const file = path.resolve(notebook);
  const name = path.basename(file, ".ipynb");
  const shown = relativeName(file);
  const reportsDir = path.resolve(options.reportsDir ?? path.join(projectRoot, "reports"));
  if (!fs.existsSync(file)) throw new Error(`Notebook ${shown} does not exist.`);
  let nb: NotebookJson;
  try {
    nb = JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
  } catch (err) {
    throw new Error(`${shown} is not valid notebook JSON: ${(err as Error).message}`, { cause: err });
  }
  let params = options.params ?? {};
  if (options.skipUndeclaredParams) {
    const index = parametersCellIndex(nb);
    const declared = index >= 0 ? declaredParameters(cellSource(nb.cells[index])) : new Map<string, string>();
    params = Object.fromEntries(Object.entries(params).filter(([k]) => declared.has(k)));
  }
  const prepared = injectParameters(nb, params, shown);
  const fast = options.fast ?? process.env.TRAINLAB_FAST === "1";
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), `trainlab-run-${name}-`));
  liveStaging.add(staging);
  try {
    const input = path.join(staging, `${name}.input.ipynb`);
    const output = path.join(staging, `${name}.ipynb`);
    const resultFile = path.join(staging, "result.json");
    fs.writeFileSync(input, JSON.stringify(prepared));
    const request = {
      input,
      output,
      result: resultFile,
      kernel: options.kernel ?? "trainlab",
      cwd: path.dirname(file),
      timeout: options.cellTimeoutSeconds ?? 900,
      startup_timeout: 120,
      progress: Boolean(options.onProgress),
    };
    const requestFile = path.join(staging, "request.json");
    fs.writeFileSync(requestFile, JSON.stringify(request));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      TRAINLAB_PROJECT: process.env.TRAINLAB_PROJECT ?? projectRoot,
    };
    // The kernel's connection file goes to the staging folder too, so a killed run leaves none in Jupyter's runtime dir.
    env.JUPYTER_RUNTIME_DIR = staging;
    if (options.fast !== undefined) env.TRAINLAB_FAST = options.fast ? "1" : "0";
    const { code, stderr } = await runPython(requestFile, env, path.dirname(file), options.onProgress);
    const seconds = (Date.now() - started) / 1000;
    const result: PythonResult | undefined = fs.existsSync(resultFile)
      ? (JSON.parse(fs.readFileSync(resultFile, "utf8")) as PythonResult)
      : undefined;
    if (!result || !result.ok) {
      const e = result?.error;
      const cellNumber = typeof e?.cellIndex === "number" ? e.cellIndex + 1 : undefined;
      const firstLine = (e?.source ?? "").split("\n").find((l) => l.trim()) ?? "";
      const reason = e?.ename
        ? `${e.ename}: ${e.evalue ?? ""}`
        : stripAnsi(e?.outputs ?? "")
            .trim()
            .split("\n")
            .slice(0, 6)
            .join("\n") ||
          e?.message ||
          "";
      const where =
        cellNumber !== undefined
          ? `cell ${cellNumber}${e?.codeCellNumber ? ` (code cell ${e.codeCellNumber})` : ""}${firstLine ? ` \`${firstLine.trim().slice(0, 80)}\`` : ""}`
          : "before any cell ran";
      const details = stripAnsi(e?.outputs || e?.traceback || e?.message || stderr.split("\n").slice(-30).join("\n"));
      const message = result
        ? `Notebook ${shown} failed at ${where}: ${e?.kind === "a cell failed" ? "" : `${e?.kind ?? "error"}: `}${reason}`
        : `Notebook ${shown} could not be executed (Jupyter exited with status ${code}):\n${stderr.split("\n").slice(-30).join("\n")}`;
      removeReportFiles(reportsDir, name);
      const failed: NotebookRun = {
        name,
        notebook: shown,
        status: "failed",
        startedAt,
        seconds,
        goals: goalStatus(undefined),
        injected: params,
        fast,
        error: message,
      };
      writeFileAtomically(path.join(reportsDir, `${name}.json`), JSON.stringify(failed, null, 2));
      throw new NotebookError(message, shown, cellNumber, e?.codeCellNumber, e?.ename, e?.evalue, details);
    }
    const executed = JSON.parse(fs.readFileSync(output, "utf8")) as NotebookJson;
    const context = readReportContext(executed);
    const meta: ReportMeta = {
      notebook: shown,
      name,
      title: context?.title ?? notebookTitle(executed, name),
      startedAt,
      seconds,
      gitCommit: gitCommit(projectRoot),
      injected: params,
      fast,
      packages: packageVersions(projectRoot),
      kernel: `${options.kernel ?? "trainlab"} (${result.language_info?.name ?? "typescript"}${result.language_info?.version ? ` ${result.language_info.version}` : ""})`,
      context,
      executed: `${name}.ipynb`,
    };
    // The report is built from the notebook as executed (its HTML draws interactive charts with the page's plotly.js);
    // the notebook kept beside it loses plotly.js and gains a static image per figure (lib/report/notebook-outputs.ts).
    const html = buildReportHtml(
      executed,
      result.rendered ?? { markdown: {}, code: {}, outputMarkdown: {}, css: "" },
      meta,
    );
    const renderer = options.imageRenderer ?? (await launchRenderer());
    let kept: Awaited<ReturnType<typeof prepareExecutedNotebook>>;
    try {
      kept = await prepareExecutedNotebook(executed, (spec) => renderer.png(spec));
    } finally {
      if (!options.imageRenderer) await closeRenderer(renderer);
    }
    const notebookText = JSON.stringify(executed, null, 1) + "\n";
    const run: NotebookRun = {
      name,
      notebook: shown,
      title: meta.title,
      status: "ok",
      startedAt,
      seconds,
      report: `${name}.html`,
      executed: `${name}.ipynb`,
      goals: goalStatus(context?.scorecard),
      injected: params,
      fast,
      bytes: { report: Buffer.byteLength(html), executed: Buffer.byteLength(notebookText) },
      staticImages: kept.figures,
    };
    writeFileAtomically(path.join(reportsDir, `${name}.ipynb`), notebookText);
    writeFileAtomically(path.join(reportsDir, `${name}.html`), html);
    writeFileAtomically(path.join(reportsDir, `${name}.json`), JSON.stringify(run, null, 2));
    return run;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    liveStaging.delete(staging);
  }
}

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
function writeIndex(reportsDir: string): string {
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

/**
 * Runs notebooks in order, stopping at the first failure, then writes the index.
 * @returns the runs that completed, and the failure if one stopped the run.
 */
export async function runNotebooks(
  notebooks: readonly string[],
  options: RunOptions = {},
): Promise<{ runs: NotebookRun[]; failure?: NotebookError | Error; index: string }> {
  const reportsDir = path.resolve(options.reportsDir ?? path.join(projectRoot, "reports"));
  const runs: NotebookRun[] = [];
  let failure: NotebookError | Error | undefined;
  const imageRenderer = options.imageRenderer ?? (await launchRenderer());
  try {
    for (const notebook of notebooks) {
      try {
        runs.push(await runNotebook(notebook, { ...options, reportsDir, imageRenderer }));
      } catch (err) {
        failure = err as Error;
        break;
      }
    }
  } finally {
    if (!options.imageRenderer) await closeRenderer(imageRenderer);
  }
  fs.mkdirSync(reportsDir, { recursive: true });
  return { runs, failure, index: writeIndex(reportsDir) };
}

const USAGE = `usage: npm start -- [NOTEBOOK.ipynb ...] [-p name=value ...] [--fast] [--reports DIR] [--timeout SECONDS]

Executes the notebooks (default: every notebooks/*.ipynb, in order) in a fresh trainlab kernel each and writes
one HTML report per notebook, plus index.html, to reports/.
  -p name=value   set a parameter declared in the notebook's "parameters" cell (repeatable)
  --fast          TRAINLAB_FAST=1: fewer epochs and folds (what CI runs)
  --reports DIR   write reports to DIR instead of reports/
  --timeout S     per-cell timeout in seconds (default 900)`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const { params, rest } = parseParameterArgs(argv);
  const options: RunOptions = { params };
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--fast") options.fast = true;
    else if (a === "--reports") options.reportsDir = path.resolve(rest[++i] ?? "reports");
    else if (a === "--timeout") options.cellTimeoutSeconds = Number(rest[++i]);
    else if (a.endsWith(".ipynb")) files.push(path.resolve(process.env.INIT_CWD ?? process.cwd(), a));
    else throw new Error(`Unknown argument ${JSON.stringify(a)}.\n${USAGE}`);
  }
  const notebooks = files.length ? files : defaultNotebooks();
  if (files.length === 0 && Object.keys(params).length) {
    options.skipUndeclaredParams = true;
    for (const name of Object.keys(params)) {
      const declaredSomewhere = notebooks.some((nbFile) => {
        const nb = JSON.parse(fs.readFileSync(nbFile, "utf8")) as NotebookJson;
        const index = parametersCellIndex(nb);
        return index >= 0 && declaredParameters(cellSource(nb.cells[index])).has(name);
      });
      if (!declaredSomewhere) throw new Error(`No notebook declares a parameter "${name}".`);
    }
  }
  const fast = options.fast ?? process.env.TRAINLAB_FAST === "1";
  console.log(
    `trainlab: running ${notebooks.length} notebook(s)${fast ? " in fast mode (TRAINLAB_FAST=1)" : ""}${
      Object.keys(params).length
        ? ` with ${Object.entries(params)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(", ")}`
        : ""
    }`,
  );
  const started = Date.now();
  const runs: NotebookRun[] = [];
  let failure: Error | undefined;
  const imageRenderer = await launchRenderer();
  for (const notebook of notebooks) {
    const shown = relativeName(notebook);
    const isTty = process.stdout.isTTY;
    process.stdout.write(`  ${shown} ...${isTty ? "" : "\n"}`);
    try {
      const run = await runNotebook(notebook, {
        ...options,
        imageRenderer,
        onProgress: isTty ? (line) => process.stdout.write(`\r\u001b[2K  ${shown} ... ${line}`) : undefined,
      });
      runs.push(run);
      process.stdout.write(
        `${isTty ? `\r\u001b[2K  ${shown} ...` : "   "} ok in ${run.seconds.toFixed(1)} s (${run.goals.label}) -> ${relativeName(path.join(options.reportsDir ?? path.join(projectRoot, "reports"), run.report ?? ""))}\n`,
      );
    } catch (err) {
      failure = err as Error;
      process.stdout.write(`${isTty ? `\r\u001b[2K  ${shown} ...` : "   "} FAILED\n`);
      break;
    }
  }
  await closeRenderer(imageRenderer);
  const index = writeIndex(path.resolve(options.reportsDir ?? path.join(projectRoot, "reports")));
  console.log(
    `trainlab: ${runs.length}/${notebooks.length} notebook(s) ran in ${((Date.now() - started) / 1000).toFixed(1)} s; index: ${relativeName(index)}`,
  );
  if (failure) {
    console.error(`\n${failure.message}`);
    if (failure instanceof NotebookError && failure.details && !failure.message.includes(failure.details.trim()))
      console.error(`\n${failure.details.trim().split("\n").slice(0, 40).join("\n")}`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  // Ctrl-C or a kill of the runner ends its Jupyter processes and kernels, removes its staging folders and closes its
  // Chromium before it exits. Reports are only ever renamed into place whole (writeAtomic, synchronous), so none is left half-written.
  // Once a signal arrives, its exit status wins: the notebook its kill interrupted fails meanwhile, and main() must
  // not exit with that failure's 1 before the signal's clean-up has closed Chromium.
  let signalExitCode: number | undefined;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.on(signal, () => {
      if (signalExitCode !== undefined) return;
      signalExitCode = code;
      endChildren();
      removeStaging();
      void closeRenderers(10_000).then(() => process.exit(code));
    });
  }
  process.on("uncaughtException", (err) => {
    if (signalExitCode === undefined) console.error(`trainlab: ${err.stack ?? err.message}`);
    endChildren();
    removeStaging();
    process.exit(signalExitCode ?? 2);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      if (signalExitCode === undefined) process.exit(code);
    },
    (err: Error) => {
      if (signalExitCode !== undefined) return;
      console.error(`trainlab: ${err.message}`);
      process.exit(2);
    },
  );
}
