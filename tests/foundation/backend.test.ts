/**
 * Specification of the backend chain (lib/backend): tfjs-node-gpu, tfjs-node, wasm, cpu, in that order, and what the
 * user sees of the choice.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import {
  BackendLoader,
  LoadedBackend,
  ensureBackend,
  parseBackendName,
  resetBackendChoice,
  selectBackend,
  useBackend,
} from "../../lib/backend";

/** The built public entry, as `import ... from "trainlab"` loads it. */
const entry = path.resolve(__dirname, "..", "..", "lib", "index.js");

/** tfjs's warning when it falls back to its pure-JS cpu backend in Node. */
const CPU_BANNER = /looks like you are running TensorFlow\.js in Node\.js/;

/** Runs `script` in a fresh Node process (fresh tfjs state) where `trainlab` is the built entry; returns its output and last JSON line. */
function fresh(
  script: string,
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string; result: Record<string, unknown> } {
  const run = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: { ...process.env, TRAINLAB_BACKEND: "", ...env, TRAINLAB_ENTRY: entry },
    timeout: 60_000,
  });
  const last = run.stdout.trim().split("\n").pop() ?? "";
  let result: Record<string, unknown> = {};
  try {
    result = JSON.parse(last) as Record<string, unknown>;
  } catch {
    // the assertions on status and output say what went wrong
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, result };
}

const fails =
  (reason: string): BackendLoader =>
  async () => {
    throw new Error(reason);
  };
const succeeds =
  (tfName: string): BackendLoader =>
  async (): Promise<LoadedBackend> => ({
    tfName,
    simd: false,
    threads: 1,
    versions: { tfjs: tf.version.tfjs },
  });

describe("backend chain (lib/backend)", () => {
  describe("selection order, with injected loaders", () => {
    it("takes the GPU backend when its loader succeeds", async () => {
      const info = await selectBackend({ loaders: { "tfjs-node-gpu": succeeds("tensorflow") }, log: null });
      assert.equal(info.name, "tfjs-node-gpu");
      assert.deepEqual(
        info.attempts.map((a) => a.ok),
        [true],
      );
    });

    it("falls through gpu → tfjs-node → wasm → cpu, recording why each failed", async () => {
      const info = await selectBackend({
        loaders: {
          "tfjs-node-gpu": fails("the native binding loaded but sees no GPU device"),
          "tfjs-node": fails("@tensorflow/tfjs-node is not installed"),
          wasm: fails("wasm binary missing"),
          cpu: succeeds("cpu"),
        },
        log: null,
      });
      assert.equal(info.name, "cpu");
      assert.deepEqual(
        info.attempts.map((a) => a.name),
        ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"],
      );
      assert.match(info.attempts[0].reason ?? "", /sees no GPU/);
      assert.match(info.attempts[1].reason ?? "", /not installed/);
    });

    it("stops at tfjs-node when the GPU is missing but libtensorflow loads", async () => {
      const info = await selectBackend({
        loaders: { "tfjs-node-gpu": fails("no GPU"), "tfjs-node": succeeds("tensorflow") },
        log: null,
      });
      assert.equal(info.name, "tfjs-node");
    });

    it("a forced backend does not fall back, and its error says how to undo the choice", async () => {
      await assert.rejects(
        selectBackend({ force: "tfjs-node", loaders: { "tfjs-node": fails("not installed") }, log: null }),
        /Backend "tfjs-node" could not be loaded:[\s\S]*not installed[\s\S]*TRAINLAB_BACKEND/,
      );
    });

    it("reports every failure when nothing loads", async () => {
      const all = { "tfjs-node-gpu": fails("a"), "tfjs-node": fails("b"), wasm: fails("c"), cpu: fails("d") };
      await assert.rejects(selectBackend({ loaders: all, log: null }), /No tfjs backend[\s\S]*cpu: d/);
    });

    it("logs the chosen backend's name, SIMD, threads and versions", async () => {
      const lines: string[] = [];
      await selectBackend({
        loaders: { "tfjs-node-gpu": fails("x"), "tfjs-node": succeeds("tensorflow") },
        log: (l) => lines.push(l),
      });
      assert.equal(lines.length, 1);
      assert.match(lines[0], /tfjs-node \(SIMD off, 1 thread\) · tfjs 4\.22\.0/);
    });
  });

  describe("names users type", () => {
    it("accepts aliases", () => {
      assert.equal(parseBackendName("GPU"), "tfjs-node-gpu");
      assert.equal(parseBackendName("node"), "tfjs-node");
      assert.equal(parseBackendName("wasm"), "wasm");
    });
    it("rejects unknown names with the list of valid ones", () => {
      assert.throws(
        () => parseBackendName("metal"),
        /Unknown backend "metal". Use one of: tfjs-node-gpu, tfjs-node, wasm, cpu/,
      );
    });
  });

  describe("the real chain on this machine", () => {
    it("skips tfjs-node-gpu and tfjs-node (not installed, or only danfojs' npm alias) and lands on wasm with SIMD", async () => {
      const info = await selectBackend({ log: null });
      assert.equal(info.name, "wasm");
      assert.equal(info.simd, true);
      assert.equal(info.threads, 1);
      assert.equal(tf.getBackend(), "wasm");
      assert.equal(info.attempts[0].ok, false);
      assert.equal(info.attempts[1].ok, false);
      assert.match(info.attempts[1].reason ?? "", /not installed|alias/);
      assert.equal(info.versions["tfjs-backend-wasm"], "4.22.0");
    });

    it("TRAINLAB_BACKEND=cpu forces the cpu backend on first use, and useBackend switches back", async () => {
      const saved = process.env.TRAINLAB_BACKEND;
      process.env.TRAINLAB_BACKEND = "cpu";
      try {
        resetBackendChoice();
        const forced = await ensureBackend();
        assert.equal(forced.name, "cpu");
        assert.equal(forced.chosenBy, "env");
        assert.equal(tf.getBackend(), "cpu");
      } finally {
        if (saved === undefined) delete process.env.TRAINLAB_BACKEND;
        else process.env.TRAINLAB_BACKEND = saved;
      }
      const back = await useBackend("wasm");
      assert.equal(back.name, "wasm");
      assert.equal(back.chosenBy, "call");
      assert.equal((await ensureBackend()).name, "wasm");
    });

    it("an unknown TRAINLAB_BACKEND is a clear error, and the next call can still succeed", async () => {
      process.env.TRAINLAB_BACKEND = "metal";
      try {
        resetBackendChoice();
        assert.throws(() => ensureBackend(), /Unknown backend "metal"/);
      } finally {
        delete process.env.TRAINLAB_BACKEND;
      }
      assert.equal((await ensureBackend()).name, "wasm");
    });

    it("useBackend waits for a selection under way instead of racing it", async () => {
      resetBackendChoice();
      const auto = ensureBackend();
      const forced = useBackend("cpu");
      assert.equal((await auto).name, "wasm");
      assert.equal((await forced).name, "cpu");
      assert.equal(tf.getBackend(), "cpu", "the later call wins");
      resetBackendChoice();
      assert.equal((await ensureBackend()).name, "wasm");
    });

    it("renders as a notebook table with every attempt", async () => {
      const info = await ensureBackend();
      const bundle = (info as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
      assert.match(bundle["text/plain"], /wasm/);
      assert.match(bundle["text/html"], /<table>[\s\S]*tfjs-node-gpu[\s\S]*wasm/);
    });
  });

  describe("chosen when trainlab is imported (startBackendSelection)", function () {
    this.timeout(90_000);

    it("starts the chain at import, so raw tf runs on wasm with no cpu banner, reported exactly once", () => {
      const run = fresh(`
        const trainlab = require(process.env.TRAINLAB_ENTRY);
        trainlab.currentBackend().then(async (chosen) => {
          const squares = Array.from(await trainlab.tf.tensor([1, 2, 3]).square().data());
          const again = await trainlab.ensureBackend();
          console.log(JSON.stringify({ chosen: chosen && chosen.name, backend: trainlab.tf.getBackend(), squares, same: again === chosen }));
        });`);
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(run.result, { chosen: "wasm", backend: "wasm", squares: [1, 4, 9], same: true });
      assert.equal(run.stdout.match(/trainlab backend: wasm \(SIMD on, \d+ threads?/g)?.length, 1, run.stdout);
      assert.doesNotMatch(run.stdout + run.stderr, CPU_BANNER);
    });

    it("hands a kernel the selection to await before the importing cell's code (the bridge's awaitBeforeCell)", () => {
      const run = fresh(`
        const handed = [];
        globalThis[Symbol.for("Jupyter.bridge")] = { awaitBeforeCell: (promise) => handed.push(promise) };
        const trainlab = require(process.env.TRAINLAB_ENTRY);
        Promise.all(handed).then(() => console.log(JSON.stringify({ handed: handed.length, afterAwait: trainlab.tf.getBackend() })));`);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.result.handed, 1);
      assert.equal(run.result.afterAwait, "wasm");
      assert.doesNotMatch(run.stdout + run.stderr, CPU_BANNER);
    });

    it("an unknown TRAINLAB_BACKEND does not break the import: a warning, then ensureBackend() throws it", () => {
      const run = fresh(
        `
        const trainlab = require(process.env.TRAINLAB_ENTRY);
        setTimeout(() => {
          let message = "";
          try { trainlab.ensureBackend(); } catch (err) { message = err.message; }
          console.log(JSON.stringify({ message }));
        }, 200);`,
        { TRAINLAB_BACKEND: "metal" },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /trainlab: no training backend was chosen at import: Unknown backend "metal"/);
      assert.match(String(run.result.message), /Unknown backend "metal"/);
    });
  });
});
