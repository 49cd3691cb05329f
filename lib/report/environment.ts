/**
 * Where a notebook or a run executed: the project, its git commit, Node, the machine and the versions of the
 * packages that shape the results. Reports put this in their header; runs store it next to the metrics.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The trainlab project folder: `$TRAINLAB_PROJECT` (set by the kernelspec), else the folder this file was built into. */
export function projectRoot(): string {
  const fromEnv = process.env.TRAINLAB_PROJECT;
  if (fromEnv && fs.existsSync(path.join(fromEnv, "package.json"))) return fromEnv;
  // dist/lib/report/environment.js (or dist-XX/...) -> the project folder three levels up.
  return path.resolve(__dirname, "..", "..", "..");
}

/** The git commit of the project (with `-dirty` when tracked files changed), or undefined outside a git checkout. */
export function gitCommit(root: string = projectRoot()): string | undefined {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return undefined;
  }
}

/** The packages whose versions a report lists: the project's dependencies plus the kernel's TypeScript. */
const KEY_PACKAGES = [
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-backend-wasm",
  "arquero",
  "danfojs-node",
  "@duckdb/node-api",
  "plotly.js-dist-min",
  "playwright-core",
  "libsvm-js",
  "tslab",
  "typescript",
];

/** Installed version of a package (from its package.json under the project's node_modules), or undefined. */
function installedVersion(name: string, root: string = projectRoot()): string | undefined {
  try {
    const file = path.join(root, "node_modules", name, "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Versions of trainlab and of the packages that shape results, as installed now. */
export function packageVersions(root: string = projectRoot()): Record<string, string> {
  const versions: Record<string, string> = {};
  try {
    const own = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      name?: string;
      version?: string;
    };
    if (own.name && own.version) versions[own.name] = own.version;
  } catch {
    /* not a trainlab checkout: list the dependencies only */
  }
  for (const name of KEY_PACKAGES) {
    const version = installedVersion(name, root);
    if (version) versions[name] = version;
  }
  return versions;
}

/** The environment a run or report records. */
export interface EnvironmentInfo {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  gitCommit?: string;
  packages: Record<string, string>;
  /** The training backend, when one was chosen (e.g. `wasm (SIMD on, 1 thread) · tfjs 4.22.0`). */
  backend?: string;
}

/** Collects the {@link EnvironmentInfo} of this process. Never throws: unknown parts are left out. */
export function environmentInfo(root: string = projectRoot()): EnvironmentInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gitCommit: gitCommit(root),
    packages: packageVersions(root),
  };
}
