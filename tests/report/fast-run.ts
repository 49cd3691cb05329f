/**
 * What the report tests share: the one fast-mode `npm start` run ({@link fastRun}, memoized, so every
 * reports-*.test.ts file awaits the same run and the expensive run happens once per test run), its reports and runs
 * folders (removed once, by a root-level after hook, when the whole test run ends), and helpers that read its output.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../lib/report/environment";
import { NotebookRun, readRunSummaries } from "../../lib/report/run-notebooks";

export const root = projectRoot();

/** The command `npm start` runs after its set-up step, read from package.json (e.g. `node dist/lib/report/run-notebooks.js`). */
export function npmStartCommand(): string[] {
  const start = (
    JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts.start;
  const steps = start.split("&&").map((s) => s.trim());
  assert.match(steps[0], /^bash \.ci\/setup\.sh start$/, "npm start begins with the set-up");
  return steps[steps.length - 1].split(/\s+/);
}

/** Runs a command to completion, collecting its output. */
export function run(
  command: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] === "node" ? process.execPath : command[0], command.slice(1), {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The outputs of the executed notebook's code cells whose source contains `marker`, as text. */
export function outputsOf(reportsDir: string, name: string, marker: string): string {
  const nb = JSON.parse(fs.readFileSync(path.join(reportsDir, `${name}.ipynb`), "utf8")) as {
    cells: {
      cell_type: string;
      source: string | string[];
      outputs?: { text?: string | string[]; data?: Record<string, string | string[]> }[];
    }[];
  };
  const cells = nb.cells.filter((c) => c.cell_type === "code" && [c.source].flat().join("").includes(marker));
  assert.ok(cells.length > 0, `${name} has a code cell with ${JSON.stringify(marker)}`);
  return cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => [o.text ?? o.data?.["text/plain"] ?? ""].flat().join(""))
    .join("\n");
}

/** The SVG layer that holds a drawn trace of each Plotly trace type. */
export const LAYER: Record<string, string> = {
  scatter: ".scatterlayer .trace",
  histogram: ".barlayer .trace",
  bar: ".barlayer .trace",
  box: ".boxlayer .trace",
  heatmap: ".heatmaplayer .hm",
};

/** What the browser check of a report page found. */
export interface PageCheck {
  plots: { id: string; svg: boolean; counts: Record<string, { expected: number; found: number }> }[];
  tables: number;
  scorecardRows: number;
  hasScorecardSection: boolean;
  codeCells: number;
  collapsible: number;
  header: string;
}

/** The reports folder of the shared fast run (a fresh temporary folder). */
export const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-reports-"));
/** The runs folder of the shared fast run (fresh, as on a fresh clone). */
export const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-runs-"));

/** What the shared fast run produced: the command's exit code and output, and the notebook summaries. */
export interface FastRun {
  cli: { code: number | null; stdout: string; stderr: string };
  runs: NotebookRun[];
}

let fastRunPromise: Promise<FastRun> | undefined;

/**
 * Runs `npm start`'s command once in fast mode into {@link reportsDir} (every caller after the first gets the same
 * promise). Rejects only when the command cannot be started.
 */
export function fastRun(): Promise<FastRun> {
  fastRunPromise ??= (async () => {
    const cli = await run([...npmStartCommand(), "--reports", reportsDir], {
      ...process.env,
      TRAINLAB_FAST: "1",
      TRAINLAB_RUNS_DIR: runsDir,
    });
    return { cli, runs: readRunSummaries(reportsDir) };
  })();
  return fastRunPromise;
}

// One root-level hook (this module loads once): after every test file ran, the shared folders are removed.
after(() => {
  // TRAINLAB_KEEP_REPORTS=1 keeps the reports and executed notebooks (their folder is printed) to look at.
  if (process.env.TRAINLAB_KEEP_REPORTS) console.log(`      reports kept in ${reportsDir}`);
  else fs.rmSync(reportsDir, { recursive: true, force: true });
  fs.rmSync(runsDir, { recursive: true, force: true });
});
