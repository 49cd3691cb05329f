import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { BackendLoader, LoadedBackend, ensureBackend, parseBackendName, resetBackendChoice, selectBackend, useBackend } from "../../lib/backend";

const fails = (reason: string): BackendLoader => async () => {
  throw new Error(reason);
};
const succeeds = (tfName: string): BackendLoader => async (): Promise<LoadedBackend> => ({
  tfName, simd: false, threads: 1, versions: { tfjs: tf.version.tfjs },
});

describe("backend chain (lib/backend)", () => {
  describe("selection order, with injected loaders", () => {
    it("takes the GPU backend when its loader succeeds", async () => {
      const info = await selectBackend({ loaders: { "tfjs-node-gpu": succeeds("tensorflow") }, log: null });
      assert.equal(info.name, "tfjs-node-gpu");
      assert.deepEqual(info.attempts.map((a) => a.ok), [true]);
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
      assert.deepEqual(info.attempts.map((a) => a.name), ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"]);
      assert.match(info.attempts[0].reason ?? "", /sees no GPU/);
      assert.match(info.attempts[1].reason ?? "", /not installed/);
    });

    it("stops at tfjs-node when the GPU is missing but libtensorflow loads", async () => {
      const info = await selectBackend({ loaders: { "tfjs-node-gpu": fails("no GPU"), "tfjs-node": succeeds("tensorflow") }, log: null });
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
      await selectBackend({ loaders: { "tfjs-node-gpu": fails("x"), "tfjs-node": succeeds("tensorflow") }, log: (l) => lines.push(l) });
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
      assert.throws(() => parseBackendName("metal"), /Unknown backend "metal". Use one of: tfjs-node-gpu, tfjs-node, wasm, cpu/);
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

    it("renders as a notebook table with every attempt", async () => {
      const info = await ensureBackend();
      const bundle = (info as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
      assert.match(bundle["text/plain"], /wasm/);
      assert.match(bundle["text/html"], /<table>[\s\S]*tfjs-node-gpu[\s\S]*wasm/);
    });
  });
});
