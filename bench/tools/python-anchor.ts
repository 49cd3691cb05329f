/**
 * How the benches run their Python anchors (PyTorch, numpy, scikit-learn, the Jupyter client that drives IPython):
 * one driver script, written to a temporary file and run by /usr/bin/python3 with its arguments, in the default
 * environment or the tuned malloc/OpenMP one (TUNED_ENV), its answer the JSON object it prints on its last line.
 * `runPythonAnchor()` for one run, `spawnPythonAnchor()` for a long-lived worker, `pythonCanImport()` to see
 * whether an anchor can run at all.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Readable, Writable } from "stream";

/** The Python every anchor runs on unless told otherwise (the system one, with torch, numpy and sklearn). */
export const PYTHON = "/usr/bin/python3";

/**
 * The tuned environment the anchors also run in (malloc never returns memory to the system, OpenMP threads sleep
 * when idle): the faster of default and tuned is the anchor's figure.
 */
export const TUNED_ENV = {
  GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295",
  OMP_WAIT_POLICY: "passive",
};

/** How to run one anchor. */
export interface PythonAnchorOptions {
  /** What the error names when the run fails, e.g. "torch mlp 20000 128". */
  label: string;
  /** Adds TUNED_ENV to the environment (default: the environment as it is). */
  tuned?: boolean;
  /** The interpreter (default PYTHON). */
  python?: string;
  /** The working directory (default this process's). */
  cwd?: string;
  /** Kills the run after this many ms (default: no limit). */
  timeoutMs?: number;
}

/** A Python anchor that exited with an error; `stderr` is what it wrote there (the traceback). */
export class PythonAnchorError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "PythonAnchorError";
  }
}

/** Writes `script` to a fresh temporary .py file; returns its path and a function that removes it again. */
function scriptFile(script: string): { file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-bench-anchor-"));
  const file = path.join(dir, "anchor.py");
  fs.writeFileSync(file, script);
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function anchorEnv(tuned: boolean | undefined): NodeJS.ProcessEnv {
  return { ...process.env, ...(tuned ? TUNED_ENV : {}) };
}

/**
 * Runs the Python `script` with `args` (its sys.argv[1:]) and returns the JSON value its last line of stdout holds.
 * Throws PythonAnchorError "`label` failed: <stderr>" when Python does not exit with 0 (or cannot start, or times
 * out), and an Error naming `label` and quoting the line when that line is not JSON.
 */
export function runPythonAnchor<T = Record<string, unknown>>(
  script: string,
  args: string[],
  options: PythonAnchorOptions,
): T {
  const { file, remove } = scriptFile(script);
  let r;
  try {
    r = spawnSync(options.python ?? PYTHON, [file, ...args], {
      env: anchorEnv(options.tuned),
      cwd: options.cwd,
      encoding: "utf8",
      timeout: options.timeoutMs,
    });
  } finally {
    remove();
  }
  if (r.status !== 0) {
    const stderr = r.stderr ?? "";
    throw new PythonAnchorError(`${options.label} failed: ${stderr || r.error?.message}`, stderr);
  }
  const last = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as T;
  } catch (err) {
    throw new Error(`${options.label} printed no JSON on its last line of output: ${JSON.stringify(last)}`, {
      cause: err,
    });
  }
}

/**
 * Starts the Python `script` with `args` as a long-lived worker: stdin and stdout piped, stderr this process's.
 * Returns the process and `removeScript`, to call once the worker has said it started (Python has then read its
 * script). Does not throw: a failure to start arrives as the child's "error" event.
 */
export function spawnPythonAnchor(
  script: string,
  args: string[],
  options: { tuned?: boolean; python?: string } = {},
): { child: ChildProcessByStdio<Writable, Readable, null>; removeScript: () => void } {
  const { file, remove } = scriptFile(script);
  const child = spawn(options.python ?? PYTHON, [file, ...args], {
    env: anchorEnv(options.tuned),
    stdio: ["pipe", "pipe", "inherit"],
  });
  return { child, removeScript: remove };
}

/** True when `python` (default PYTHON) runs and can import every module named in `modules`, e.g. "torch". */
export function pythonCanImport(modules: string, python: string = PYTHON): boolean {
  return spawnSync(python, ["-c", `import ${modules}`], { encoding: "utf8" }).status === 0;
}
