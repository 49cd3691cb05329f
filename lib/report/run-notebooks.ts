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
 *
 * This file holds the command line: its arguments, main() and the signal handlers. The library it re-exports is in
 * notebook-run.ts (running notebooks), run-processes.ts (the processes a run starts) and run-index.ts (the index).
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot as findProjectRoot } from "./environment";
import { NotebookJson, cellSource, declaredParameters, parametersCellIndex, parseParameterArgs } from "./parameters";
import { NotebookError, NotebookRun, RunOptions, relativeName, runNotebook } from "./notebook-run";
import {
  closeRenderer,
  closeRenderers,
  endChildren,
  launchRenderer,
  markRunnerAsEntryPoint,
  removeStaging,
} from "./run-processes";
import { writeIndex } from "./run-index";

// The library parts, kept importable from this module path.
export { NotebookError, NotebookRun, RunOptions, runNotebook, runNotebooks } from "./notebook-run";
export { jupyterPython } from "./run-processes";
export { formatBytes, readRunSummaries } from "./run-index";

const projectRoot = findProjectRoot();

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
  markRunnerAsEntryPoint();
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
