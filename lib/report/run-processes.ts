/**
 * The processes a notebook run starts and must not leave behind: the Jupyter (nbclient) children and their kernels,
 * the staging folders, and the Chromium instances that draw figure images. Holds the Python that runs Jupyter
 * ({@link jupyterPython}), {@link runPython}, and the clean-up that the runner's exit and signal handlers call.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot as findProjectRoot } from "./environment";
import { FigureImageRenderer } from "./static-images";

const projectRoot = findProjectRoot();

/** The Python that runs Jupyter: $TRAINLAB_PYTHON, the one set-up recorded in dist/python-path, or /usr/bin/python3. */
export function jupyterPython(): string {
  if (process.env.TRAINLAB_PYTHON) return process.env.TRAINLAB_PYTHON;
  const recorded = path.join(projectRoot, "dist", "python-path");
  return fs.existsSync(recorded) ? fs.readFileSync(recorded, "utf8").trim() : "/usr/bin/python3";
}

/** Whether the command-line runner (run-notebooks.ts) is the entry point: it then handles signals itself. */
let runnerIsEntryPoint = false;

/** Records that the command-line runner is the entry point, so renderers leave signal handling to it. */
export function markRunnerAsEntryPoint(): void {
  runnerIsEntryPoint = true;
}

/** The Jupyter (nbclient) processes running now; each ends its kernel, and kernels also exit when it dies. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** The staging folders of notebooks running now (inputs, the executed notebook, the result), removed on any exit. */
export const liveStaging = new Set<string>();

/** Removes the staging folders of running notebooks (a signal ends the process before their `finally` runs). */
export function removeStaging(): void {
  for (const dir of liveStaging) fs.rmSync(dir, { recursive: true, force: true });
  liveStaging.clear();
}

/** Chromium instances open now (figure images): closed properly on a signal, so Chromium removes its own temp files. */
const liveRenderers = new Set<FigureImageRenderer>();

/** Launches the figure image renderer, tracked until {@link closeRenderer} (signals close it: see main's handlers). */
export async function launchRenderer(): Promise<FigureImageRenderer> {
  const renderer = await FigureImageRenderer.launch({ handleSignals: !runnerIsEntryPoint });
  liveRenderers.add(renderer);
  return renderer;
}

/** Closes a renderer from {@link launchRenderer} and stops tracking it. */
export async function closeRenderer(renderer: FigureImageRenderer): Promise<void> {
  try {
    await renderer.close();
  } finally {
    liveRenderers.delete(renderer);
  }
}

/** Closes the open renderers, waiting at most `ms` (a stuck browser must not keep a killed runner alive). */
export async function closeRenderers(ms: number): Promise<void> {
  const closing = Promise.all([...liveRenderers].map((r) => closeRenderer(r).catch(() => undefined)));
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

/** Ends the running Jupyter processes (their kernels notice their parent is gone and exit too). */
export function endChildren(): void {
  for (const child of liveChildren) {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
}

/** Runs lib/report/execute_notebook.py on a request file, tracked until it exits; streams progress lines. */
export function runPython(
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
