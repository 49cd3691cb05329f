/**
 * Running notebooks as a library: {@link runNotebook} executes one notebook in a fresh kernel and writes its report,
 * executed notebook and summary; {@link runNotebooks} runs several and writes the index. Also the run's types
 * ({@link RunOptions}, {@link NotebookRun}) and {@link NotebookError}. The command line is in run-notebooks.ts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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
} from "./parameters";
import { closeRenderer, launchRenderer, liveStaging, runPython } from "./run-processes";
import { writeIndex } from "./run-index";

const projectRoot = findProjectRoot();

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

/** A file's path relative to the project, or the path itself when it lies outside. */
export function relativeName(file: string): string {
  const rel = path.relative(projectRoot, file);
  return rel.startsWith("..") ? file : rel;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
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
