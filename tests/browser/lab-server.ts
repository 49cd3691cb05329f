/**
 * Debian's jupyter_server (1.x) serving the JupyterLab harness page built in tests/browser/jupyterlab/build, with the
 * project's notebooks as its root. Kernels it starts inherit its environment, so the options' `env` reaches the
 * trainlab kernel (TRAINLAB_FAST, TRAINLAB_RUNS_DIR), as `npm start` passes them through nbclient.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { createHash, randomBytes } from "crypto";
import { jupyterPython } from "../../lib/report/run-notebooks";

/** The project folder (this file runs from dist/tests/browser). */
export const projectRoot = path.resolve(__dirname, "..", "..", "..");
/** The harness package: package.json, server extension, sources and build/. */
export const harnessDir = path.join(projectRoot, "tests", "browser", "jupyterlab");

/** A running server. */
export interface LabServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
  /** The URL of the harness page showing `notebook` (a path relative to the server's root). */
  pageUrl(notebook: string): string;
  /** The server's log so far (stderr). */
  log(): string;
  /** Stops the server (and the kernels it started) and removes its temporary folders. */
  stop(): Promise<void>;
}

/** The hash `.ci/setup.sh` stamps on the bundle: sha256 of package-lock.json, build.js, then src/* by name. */
export function harnessSourceHash(): string {
  const files = [
    "package-lock.json",
    "build.js",
    ...fs
      .readdirSync(path.join(harnessDir, "src"))
      .sort()
      .map((f) => path.join("src", f)),
  ];
  const hash = createHash("sha256");
  for (const f of files) hash.update(fs.readFileSync(path.join(harnessDir, f)));
  return hash.digest("hex");
}

/**
 * Checks that the harness bundle exists and was built from the current sources.
 * @throws Error saying how to build it (`bash .ci/setup.sh test` does) when it is missing or stale.
 */
export function assertHarnessBuilt(): void {
  const stamp = path.join(harnessDir, "build", ".trainlab-build-hash");
  const how =
    "Run `bash .ci/setup.sh test`: it installs tests/browser/jupyterlab (npm ci) and bundles it (node build.js).";
  if (!fs.existsSync(path.join(harnessDir, "build", "index.js")) || !fs.existsSync(stamp)) {
    throw new Error(`The JupyterLab harness is not built (tests/browser/jupyterlab/build). ${how}`);
  }
  if (fs.readFileSync(stamp, "utf8").trim() !== harnessSourceHash()) {
    throw new Error(
      `The JupyterLab harness bundle is older than its sources (package-lock.json, build.js or src/). ${how}`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(origin: string, token: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`jupyter_server exited with status ${child.exitCode}:\n${log().slice(-3000)}`);
    try {
      const res = await fetch(`${origin}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`jupyter_server did not answer on ${origin} within two minutes:\n${log().slice(-3000)}`);
}

/**
 * Starts `python3 -m jupyter_server` with the harness extension, on a free localhost port, with a random token,
 * its own runtime, config and checkpoint folders, and `rootDir` as the root the page opens notebooks from.
 * @throws Error with the server's log when it exits or does not answer.
 */
export async function startLabServer(options: { rootDir: string; env?: Record<string, string> }): Promise<LabServer> {
  assertHarnessBuilt();
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-lab-server-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    PYTHONPATH: [harnessDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
    JUPYTER_CONFIG_DIR: path.join(scratch, "config"),
    TRAINLAB_PROJECT: process.env.TRAINLAB_PROJECT ?? projectRoot,
  };
  const args = [
    "-m",
    "jupyter_server",
    "--ServerApp.jpserver_extensions",
    "trainlab_lab_harness=True",
    `--ServerApp.root_dir=${options.rootDir}`,
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.token=${token}`,
    "--ServerApp.open_browser=False",
    "--ServerApp.allow_root=True",
    // JupyterLab makes a checkpoint of every notebook it opens: keep them out of the project.
    `--FileCheckpoints.checkpoint_dir=${path.join(scratch, "checkpoints")}`,
  ];
  const child = spawn(jupyterPython(), args, {
    cwd: options.rootDir,
    env,
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    if (stderr.length > 400_000) stderr = stderr.slice(-200_000);
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(
        () => child.exitCode === null && child.pid !== undefined && process.kill(-child.pid, "SIGKILL"),
        10_000,
      );
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await waitForServer(origin, token, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    origin,
    token,
    pageUrl: (notebook) => `${origin}/trainlab-lab?path=${encodeURIComponent(notebook)}&token=${token}`,
    log: () => stderr,
    stop,
  };
}
