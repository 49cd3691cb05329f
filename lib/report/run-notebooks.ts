/**
 * The main job: executes notebooks in a fresh trainlab kernel each and writes one self-contained
 * HTML report per notebook to `reports/`, plus `reports/index.html`.
 *
 *   node dist/lib/report/run-notebooks.js [notebook.ipynb ...]
 *
 * Each report is written to a temporary file and renamed into place, so a failing notebook
 * never leaves a half-written report behind.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { escapeHtml } from "../display";

const projectRoot = path.resolve(__dirname, "..", "..", "..");

/** The Python that runs Jupyter: $TRAINLAB_PYTHON, the one set-up recorded, or /usr/bin/python3. */
export function jupyterPython(): string {
  if (process.env.TRAINLAB_PYTHON) return process.env.TRAINLAB_PYTHON;
  const recorded = path.join(projectRoot, "dist", "python-path");
  return fs.existsSync(recorded) ? fs.readFileSync(recorded, "utf8").trim() : "/usr/bin/python3";
}

/** The notebooks the main job runs: the tutorials, or the kernel smoke notebook until they exist. */
export function defaultNotebooks(): string[] {
  const dir = path.join(projectRoot, "notebooks");
  const tutorials = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(dir, f)) : [];
  return tutorials.length > 0 ? tutorials : [path.join(projectRoot, "tests", "fixtures", "smoke.ipynb")];
}

/** The outcome of one notebook run. */
export interface NotebookRun {
  notebook: string;
  report?: string;
  seconds: number;
  error?: string;
}

/**
 * Executes one notebook with nbconvert in a fresh trainlab kernel and writes `<reportsDir>/<name>.html` atomically.
 * @throws Error naming the notebook and nbconvert's message (with the failing cell) when a cell fails.
 */
export function runNotebook(notebook: string, reportsDir: string, timeoutSeconds = 600): NotebookRun {
  const started = Date.now();
  const name = path.basename(notebook, ".ipynb");
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-report-"));
  try {
    const result = spawnSync(
      jupyterPython(),
      [
        "-m", "nbconvert", "--to", "html", "--execute",
        "--ExecutePreprocessor.kernel_name=trainlab",
        `--ExecutePreprocessor.timeout=${timeoutSeconds}`,
        "--output-dir", staging, "--output", name, notebook,
      ],
      { cwd: path.dirname(notebook), encoding: "utf8", env: { ...process.env } },
    );
    if (result.status !== 0) {
      const tail = (result.stderr || "").split("\n").slice(-40).join("\n");
      throw new Error(`Notebook ${path.relative(projectRoot, notebook)} failed:\n${tail}`);
    }
    fs.mkdirSync(reportsDir, { recursive: true });
    const target = path.join(reportsDir, `${name}.html`);
    const temporary = `${target}.tmp-${process.pid}`;
    fs.copyFileSync(path.join(staging, `${name}.html`), temporary);
    fs.renameSync(temporary, target);
    return { notebook, report: target, seconds: (Date.now() - started) / 1000 };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Writes `index.html` linking every report, atomically. */
export function writeIndex(reportsDir: string, runs: NotebookRun[]): string {
  const rows = runs
    .map((r) => `<tr><td>${r.report ? `<a href="${escapeHtml(path.basename(r.report))}">${escapeHtml(path.basename(r.notebook))}</a>` : escapeHtml(path.basename(r.notebook))}</td><td>${r.error ? "failed" : "ok"}</td><td>${r.seconds.toFixed(1)} s</td></tr>`)
    .join("");
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>trainlab reports</title></head><body><h1>trainlab experiment reports</h1><table><thead><tr><th>notebook</th><th>status</th><th>time</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
  const target = path.join(reportsDir, "index.html");
  fs.writeFileSync(`${target}.tmp-${process.pid}`, html);
  fs.renameSync(`${target}.tmp-${process.pid}`, target);
  return target;
}

if (require.main === module) {
  const args = process.argv.slice(2).filter((a) => a.endsWith(".ipynb"));
  const notebooks = args.length ? args.map((a) => path.resolve(a)) : defaultNotebooks();
  const reportsDir = path.join(projectRoot, "reports");
  const runs: NotebookRun[] = [];
  for (const notebook of notebooks) {
    process.stdout.write(`running ${path.relative(projectRoot, notebook)} ... `);
    try {
      const run = runNotebook(notebook, reportsDir);
      runs.push(run);
      console.log(`ok (${run.seconds.toFixed(1)} s) -> ${path.relative(projectRoot, run.report ?? "")}`);
    } catch (err) {
      console.log("FAILED");
      console.error((err as Error).message);
      process.exit(1);
    }
  }
  console.log(`index: ${path.relative(projectRoot, writeIndex(reportsDir, runs))}`);
}
