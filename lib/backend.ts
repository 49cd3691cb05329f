/**
 * The training-backend chain.
 *
 * When trainlab is imported (lib/index.ts calls {@link startBackendSelection}) it picks the fastest
 * tfjs backend this machine can run, in this order:
 *   1. `tfjs-node-gpu`: libtensorflow with CUDA, only if its native binding loads *and* sees a GPU;
 *   2. `tfjs-node`:     libtensorflow on the CPU;
 *   3. `wasm`:          @tensorflow/tfjs-backend-wasm (SIMD), plus trainlab's native kernel pack when it loads;
 *   4. `cpu`:           the pure-JS reference backend (30-60x slower than wasm).
 * `TRAINLAB_BACKEND=wasm` (or `useBackend("wasm")`) forces one.
 */
import * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle, escapeHtml, kernelBridge } from "./display";

/** The user-facing names of the backends trainlab can run on, fastest first. */
export type BackendName = "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu";

/** The chain's default order, fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"];

/** What one loader found when it tried to bring its backend up. */
export interface LoadedBackend {
  /** The name tfjs registered the backend under (`tensorflow`, `wasm`, `cpu`). */
  tfName: string;
  /** Whether WebAssembly SIMD is on (wasm only; false elsewhere). */
  simd: boolean;
  /** Threads the backend computes with. */
  threads: number;
  /** Versions of the packages that make up this backend. */
  versions: Record<string, string>;
  /** Optional accelerator in use on top of the backend (e.g. the native kernel pack on wasm). */
  accelerator?: { name: string; active: boolean; detail: string };
}

/**
 * A loader brings one backend up, or throws an Error whose message says why it can't
 * (package missing, native binding failed, no GPU visible).
 */
export type BackendLoader = () => Promise<LoadedBackend>;

/** One attempt of the chain: which backend, and why it was skipped if it was. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  reason?: string;
}

/** The backend in use and how the chain got there. Renders as a table in a notebook. */
export class BackendInfo {
  constructor(
    /** The backend in use. */
    readonly name: BackendName,
    readonly tfName: string,
    readonly simd: boolean,
    readonly threads: number,
    readonly versions: Record<string, string>,
    /** How it was chosen: "auto", "env" (TRAINLAB_BACKEND) or "call" (useBackend). */
    readonly chosenBy: "auto" | "env" | "call",
    /** Every backend the chain tried, in order. */
    readonly attempts: readonly BackendAttempt[],
    readonly accelerator?: { name: string; active: boolean; detail: string },
  ) {}

  /** One line for logs, e.g. `wasm (SIMD on, 1 thread) · tfjs 4.22.0`. */
  summary(): string {
    const parts = [`${this.simd ? "SIMD on" : "SIMD off"}`, `${this.threads} thread${this.threads === 1 ? "" : "s"}`];
    if (this.accelerator) parts.push(`${this.accelerator.name}: ${this.accelerator.active ? "on" : "off"}`);
    const versions = Object.entries(this.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    return `${this.name} (${parts.join(", ")}) · ${versions}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      tfName: this.tfName,
      simd: this.simd,
      threads: this.threads,
      versions: this.versions,
      chosenBy: this.chosenBy,
      attempts: this.attempts,
      accelerator: this.accelerator,
    };
  }

  toString(): string {
    return `Backend ${this.summary()}`;
  }

  [DISPLAY](): MimeBundle {
    const rows = this.attempts
      .map(
        (a) =>
          `<tr><td>${escapeHtml(a.name)}</td><td>${a.ok ? "✔ in use" : "✘"}</td><td>${escapeHtml(a.reason ?? "")}</td></tr>`,
      )
      .join("");
    const acc = this.accelerator
      ? `<p>${escapeHtml(this.accelerator.name)}: <b>${this.accelerator.active ? "on" : "off"}</b> — ${escapeHtml(this.accelerator.detail)}</p>`
      : "";
    return {
      "text/plain": this.toString(),
      "text/html":
        `<div class="trainlab-backend"><p><b>Backend:</b> ${escapeHtml(this.summary())} (chosen ${this.chosenBy === "auto" ? "automatically" : `by ${this.chosenBy === "env" ? "TRAINLAB_BACKEND" : "useBackend()"}`})</p>` +
        acc +
        `<table><thead><tr><th>backend</th><th>status</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    };
  }
}

/** Options for {@link selectBackend}; every field is for tests or power users. */
export interface SelectOptions {
  /** Force one backend: no fallback, an error if it cannot load. */
  force?: BackendName;
  /** Replace the loaders (tests inject failing or succeeding ones). */
  loaders?: Partial<Record<BackendName, BackendLoader>>;
  /** Where the choice came from, for the report. */
  chosenBy?: "auto" | "env" | "call";
  /** Where to log the chosen backend; defaults to console.log. Pass `null` for silence. */
  log?: ((line: string) => void) | null;
}

const ALIASES: Record<string, BackendName> = {
  "tfjs-node-gpu": "tfjs-node-gpu",
  gpu: "tfjs-node-gpu",
  "node-gpu": "tfjs-node-gpu",
  "tfjs-node": "tfjs-node",
  node: "tfjs-node",
  tensorflow: "tfjs-node",
  wasm: "wasm",
  "tfjs-backend-wasm": "wasm",
  cpu: "cpu",
  "tfjs-backend-cpu": "cpu",
};

/**
 * Parses a backend name as users write it (`gpu`, `node`, `wasm`, `cpu`, or the package names).
 * @throws Error listing the accepted names when `name` is not one of them.
 */
export function parseBackendName(name: string): BackendName {
  const parsed = ALIASES[name.trim().toLowerCase()];
  if (!parsed) {
    throw new Error(
      `Unknown backend "${name}". Use one of: ${BACKEND_ORDER.join(", ")} (or the aliases gpu, node, tensorflow).`,
    );
  }
  return parsed;
}

/** Reads a package's version without loading the package; undefined when it is not installed. */
function packageVersion(pkg: string): string | undefined {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * `@tensorflow/tfjs-node` can resolve to an alias of plain `@tensorflow/tfjs` (danfojs-node's override),
 * so a loader must check that the real native package is what `require` found.
 */
function requireRealPackage(pkg: string): void {
  let manifest: { name?: string };
  try {
    manifest = require(`${pkg}/package.json`) as { name?: string };
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  if (manifest.name !== pkg)
    throw new Error(`${pkg} resolves to ${manifest.name ?? "another package"} (an npm alias), not the native package`);
  require(pkg);
}

async function activate(tfName: string): Promise<void> {
  if (!tf.findBackendFactory(tfName)) throw new Error(`tfjs has no "${tfName}" backend registered`);
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend("${tfName}") failed to initialise`);
  await tf.ready();
}

interface NativeBinding {
  isUsingGpuDevice?: () => boolean;
}

async function loadTensorflow(gpu: boolean): Promise<LoadedBackend> {
  const pkg = gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
  requireRealPackage(pkg);
  await activate("tensorflow");
  if (gpu) {
    const binding = (tf.backend() as unknown as { binding?: NativeBinding }).binding;
    const seesGpu = binding?.isUsingGpuDevice?.() ?? false;
    if (!seesGpu) throw new Error("the native binding loaded but sees no GPU device");
  }
  return {
    tfName: "tensorflow",
    simd: true,
    threads: 0,
    versions: { tfjs: tf.version.tfjs, [pkg]: packageVersion(pkg) ?? "?" },
  };
}

/**
 * Hooks the wasm backend calls after it is active, so an accelerator (the native kernel pack) can
 * register its kernels. Each returns a description of what it did, or throws to say why it didn't.
 */
const wasmAccelerators: Array<() => { name: string; active: boolean; detail: string }> = [];

/** Registers a function that upgrades the wasm backend after it loads (used by the native kernel pack). */
export function registerWasmAccelerator(install: () => { name: string; active: boolean; detail: string }): void {
  wasmAccelerators.push(install);
}

async function loadWasm(): Promise<LoadedBackend> {
  require("@tensorflow/tfjs-backend-wasm");
  await activate("wasm");
  const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  const multithread = Boolean(await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
  let accelerator: LoadedBackend["accelerator"];
  for (const install of wasmAccelerators) {
    try {
      accelerator = install();
    } catch (err) {
      accelerator = { name: "native kernel pack", active: false, detail: (err as Error).message };
    }
  }
  return {
    tfName: "wasm",
    simd,
    threads: multithread ? 2 : 1,
    versions: { tfjs: tf.version.tfjs, "tfjs-backend-wasm": packageVersion("@tensorflow/tfjs-backend-wasm") ?? "?" },
    accelerator,
  };
}

async function loadCpu(): Promise<LoadedBackend> {
  await activate("cpu");
  return { tfName: "cpu", simd: false, threads: 1, versions: { tfjs: tf.version.tfjs } };
}

/** The real loaders, one per backend. */
export const DEFAULT_LOADERS: Record<BackendName, BackendLoader> = {
  "tfjs-node-gpu": () => loadTensorflow(true),
  "tfjs-node": () => loadTensorflow(false),
  wasm: loadWasm,
  cpu: loadCpu,
};

/**
 * Runs the chain: tries each backend in order (or only `force`), activates the first that loads,
 * logs and returns what it chose.
 * @throws Error naming every backend tried and why each failed, when none loads
 *   (or when the forced backend fails).
 */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendInfo> {
  const loaders = { ...DEFAULT_LOADERS, ...options.loaders };
  const order = options.force ? [options.force] : BACKEND_ORDER;
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const loaded = await loaders[name]();
      attempts.push({ name, ok: true });
      const info = new BackendInfo(
        name,
        loaded.tfName,
        loaded.simd,
        loaded.threads,
        loaded.versions,
        options.chosenBy ?? (options.force ? "call" : "auto"),
        attempts,
        loaded.accelerator,
      );
      const log = options.log === undefined ? (line: string) => console.log(line) : options.log;
      log?.(`trainlab backend: ${info.summary()}`);
      return info;
    } catch (err) {
      attempts.push({ name, ok: false, reason: (err as Error).message });
    }
  }
  const detail = attempts.map((a) => `  ${a.name}: ${a.reason}`).join("\n");
  throw new Error(
    options.force
      ? `Backend "${options.force}" could not be loaded:\n${detail}\nUnset TRAINLAB_BACKEND (or call useBackend("auto")) to let trainlab pick one.`
      : `No tfjs backend could be loaded:\n${detail}`,
  );
}

let current: Promise<BackendInfo> | undefined;

/**
 * Returns the active backend, running the chain on first use. Honours `TRAINLAB_BACKEND`.
 * @throws Error when `TRAINLAB_BACKEND` names an unknown or unloadable backend.
 */
export function ensureBackend(): Promise<BackendInfo> {
  if (!current) {
    const forced = process.env.TRAINLAB_BACKEND;
    const attempt =
      forced && forced !== "auto"
        ? selectBackend({ force: parseBackendName(forced), chosenBy: "env" })
        : selectBackend();
    current = attempt.catch((err: unknown) => {
      current = undefined;
      throw err;
    });
  }
  return current;
}

/**
 * Starts the chain in the background unless a backend was already chosen or is being chosen, so that
 * raw `tf` calls made after `import ... from "trainlab"` run on the chain's pick rather than on tfjs's
 * default `cpu` backend. Inside a kernel that supports it (the bridge's `awaitBeforeCell`), the importing
 * cell's code runs only once the choice is made, so its report prints in that cell; elsewhere (scripts)
 * `await ensureBackend()` (or `tf.ready()`) before the first tf call. Never throws: a failure (e.g. an
 * unknown TRAINLAB_BACKEND) is printed to stderr, and the next {@link ensureBackend} call throws it.
 */
export function startBackendSelection(): void {
  if (current) return;
  let started: Promise<unknown>;
  try {
    started = ensureBackend();
  } catch (err) {
    started = Promise.reject(err);
  }
  const settled = started.then(
    () => undefined,
    (err: unknown) => {
      console.error(
        `trainlab: no training backend was chosen at import: ${(err as Error).message ?? String(err)}\nensureBackend() will try again and throw this error.`,
      );
    },
  );
  kernelBridge()?.awaitBeforeCell?.(settled);
}

/**
 * Forces a backend for this process (`"auto"` re-runs the chain). Waits for a selection already
 * under way (e.g. the one started at import), so the two never race.
 * @throws Error when the name is unknown or that backend cannot load.
 */
export function useBackend(name: BackendName | "auto" | string): Promise<BackendInfo> {
  const options: SelectOptions = name === "auto" ? {} : { force: parseBackendName(name), chosenBy: "call" };
  const previous = current ? current.catch(() => undefined) : Promise.resolve(undefined);
  const next = previous.then(() => selectBackend(options));
  current = next.catch((err: unknown) => {
    current = undefined;
    throw err;
  });
  return current;
}

/** The backend chosen (or being chosen) so far, without starting the chain; undefined when no choice was started. */
export async function currentBackend(): Promise<BackendInfo | undefined> {
  return current;
}

/** Forgets the choice, so the next {@link ensureBackend} runs the chain again (and re-reads TRAINLAB_BACKEND). */
export function resetBackendChoice(): void {
  current = undefined;
}
