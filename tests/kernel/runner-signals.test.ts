/**
 * `npm start`'s runner (lib/report/run-notebooks.ts) killed mid-run with SIGINT (Ctrl-C) or SIGTERM: it ends its
 * Jupyter process and kernel (and its Chromium), and leaves no half-written report, no staging folder and no
 * connection file behind. A real runner runs a real notebook in a real kernel; the notebook's second cell waits, so
 * the kill lands while a cell runs.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { privateHistoryFile, projectRoot } from "./client";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The parent pid of a process, read from /proc (undefined once it is gone). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every process descending from `root` now, with its command line. */
function descendants(root: number): Array<{ pid: number; cmd: string }> {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid !== undefined) parents.set(Number(entry), ppid);
  }
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const [pid] of parents) {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p !== root) continue;
      let cmd = "";
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      } catch {
        // gone meanwhile
      }
      found.push({ pid, cmd });
      break;
    }
  }
  return found;
}

/** Every file and folder under `dir`, relative to it. */
function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

const code = (lines: string[]): object => ({
  cell_type: "code",
  metadata: {},
  execution_count: null,
  outputs: [],
  source: lines.join("\n"),
});

/** A notebook whose first cell records the kernel's pid and whose second waits a minute. */
function slowNotebook(dir: string, marker: string): string {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "trainlab", display_name: "TypeScript (trainlab)", language: "typescript" } },
    cells: [
      code([`import * as fs from "fs";`, `fs.writeFileSync(${JSON.stringify(marker)}, String(process.pid));`]),
      code(["await new Promise((resolve) => setTimeout(resolve, 60_000));"]),
    ],
  };
  const file = path.join(dir, "slow.ipynb");
  fs.writeFileSync(file, JSON.stringify(nb));
  return file;
}

async function waitFor(what: string, done: () => boolean, budgetMs = 120_000): Promise<void> {
  // Generous: on a busy machine only "it never happens" must fail.
  const deadline = Date.now() + budgetMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  describe(`runner: killed with ${signal} while a cell runs`, function () {
    this.timeout(240_000);
    let runner: ChildProcess | undefined;
    afterEach(() => {
      if (runner?.exitCode === null) runner.kill("SIGKILL");
    });

    it("ends its kernel and Jupyter process, writes no report, leaves no temporary file", async () => {
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-runner-signal-"));
      const folder = path.join(scratch, "notebooks");
      const reports = path.join(scratch, "reports");
      const tmp = path.join(scratch, "tmp");
      for (const d of [folder, reports, tmp]) fs.mkdirSync(d);
      const marker = path.join(scratch, "kernel.pid");
      const notebook = slowNotebook(folder, marker);
      let output = "";
      runner = spawn(
        process.execPath,
        [path.join(projectRoot, "dist", "lib", "report", "run-notebooks.js"), notebook, "--reports", reports],
        {
          cwd: projectRoot,
          // TMPDIR: the runner's staging folders (and Chromium's profile) land where this test can see them.
          env: { ...process.env, TMPDIR: tmp, TRAINLAB_HISTORY_FILE: privateHistoryFile() },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      runner.stdout?.on("data", (b: Buffer) => (output += b.toString()));
      runner.stderr?.on("data", (b: Buffer) => (output += b.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        runner?.once("exit", (c, s) => resolve({ code: c, signal: s })),
      );

      await waitFor(
        `the kernel to run the first cell (runner output: ${output})`,
        () => fs.existsSync(marker) && fs.readFileSync(marker, "utf8") !== "",
      );
      const kernelPid = Number(fs.readFileSync(marker, "utf8"));
      assert.ok(alive(kernelPid), "the kernel runs");
      const children = descendants(runner.pid as number);
      assert.ok(
        children.some((c) => c.pid === kernelPid),
        `the kernel descends from the runner: ${JSON.stringify(children)}`,
      );
      assert.ok(
        listing(tmp).some((f) => f.startsWith("trainlab-run-slow-")),
        "the runner stages the notebook in TMPDIR while it runs",
      );

      runner.kill(signal);
      const { code } = await exited;
      assert.equal(
        code,
        signal === "SIGINT" ? 130 : 143,
        `the runner's exit status says which signal ended it\n${output}`,
      );
      await waitFor(
        "every process the runner started to end",
        () => children.every((c) => !alive(c.pid)),
        60_000,
      ).catch(() => undefined);
      const left = children.filter((c) => alive(c.pid));
      for (const c of left) process.kill(c.pid, "SIGKILL");
      assert.deepEqual(left, [], "no kernel, Jupyter or browser process outlives the runner");
      assert.deepEqual(
        listing(reports),
        [],
        "no report (complete or half-written) and no temporary file in the reports folder",
      );
      assert.deepEqual(listing(tmp), [], "no staging folder, connection file or browser profile left in TMPDIR");
      assert.deepEqual(listing(folder), ["slow.ipynb"], "the notebook's folder holds only the notebook");
      fs.rmSync(scratch, { recursive: true, force: true });
    });
  });
}
