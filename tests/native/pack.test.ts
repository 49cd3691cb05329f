/**
 * The native kernel pack as a whole: it reports itself in the backend report, says why when it cannot load,
 * agrees with the cpu backend on every ISA build of its loops, and survives wasm memory growth.
 * (Tolerances: see helpers.ts.)
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";
import { nativeKernelStatus } from "../../lib/kernels/native";
import { rand, usePackOnWasm } from "./helpers";

describe("native kernel pack (lib/kernels/native): installation, ISA builds and wasm memory", function () {
  this.timeout(120000);
  usePackOnWasm();

  it("reports itself in the backend report", async () => {
    const info = await useBackend("wasm");
    assert.equal(info.accelerator?.name, "native kernel pack");
    assert.equal(info.accelerator?.active, true);
    assert.match(info.summary(), /native kernel pack: on/);
    assert.ok(nativeKernelStatus().kernels.includes("Conv2DBackpropFilter"));
  });

  it("when the pack cannot load, the backend report says it is off, why, and how to fix it (stock wasm runs)", () => {
    const script = `
      process.env.TRAINLAB_NATIVE = "0";
      const { ensureBackend } = require(${JSON.stringify(require.resolve("../../lib/backend"))});
      const native = require(${JSON.stringify(require.resolve("../../lib/kernels/native"))});
      const tf = require("@tensorflow/tfjs");
      ensureBackend().then((info) => {
        const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();
        console.log(JSON.stringify({ summary: info.summary(), acc: info.accelerator, status: native.nativeKernelStatus(), y: Array.from(y) }));
      });`;
    const r = spawnSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      cwd: path.resolve(__dirname, "..", "..", ".."),
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
      summary: string;
      acc: { active: boolean; detail: string };
      status: { active: boolean; reason: string; fix: string };
      y: number[];
    };
    assert.match(out.summary, /^wasm .*native kernel pack: off/);
    assert.equal(out.acc.active, false);
    assert.match(out.acc.detail, /TRAINLAB_NATIVE=0/);
    assert.match(out.status.fix, /unset TRAINLAB_NATIVE/);
    assert.deepEqual(out.y, [3, 3, 3, 3]);
  });

  it("the AVX2 and baseline builds of the pack's own loops agree with the cpu backend too (TRAINLAB_NATIVE_ISA)", () => {
    // The pack's loops (direct small-K convolutions, pooling, bias add, fused Adam and MLP step) are compiled for
    // AVX-512, AVX2 and baseline x86-64; this machine runs the best. Force the others in child processes.
    const script = `
      const tf = require("@tensorflow/tfjs");
      const { useBackend } = require(${JSON.stringify(require.resolve("../../lib/backend"))});
      const native = require(${JSON.stringify(require.resolve("../../lib/kernels/native"))});
      const { loadAddon } = require(${JSON.stringify(require.resolve("../../lib/kernels/native/addon"))});
      const rand = (n, seed) => { let s = seed; return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1); };
      const cases = [];
      for (const [shape, co, stride, pad] of [[[2, 12, 11, 1], 16, 1, "valid"], [[2, 12, 11, 1], 32, 2, "same"], [[1, 9, 9, 2], 64, 1, "same"]]) {
        const k = [3, 3, shape[3], co];
        cases.push(() => {
          const x = tf.tensor(rand(shape.reduce((a, b) => a * b), 3), shape), f = tf.tensor(rand(k.reduce((a, b) => a * b), 5), k);
          const g = tf.grads((a, b) => tf.sum(tf.square(tf.maxPool(tf.relu(tf.conv2d(a, b, stride, pad)), 2, 2, "valid"))))([x, f]);
          return [tf.conv2d(x, f, stride, pad), ...g];
        });
      }
      const run = async (backend) => { await (backend === "wasm" ? useBackend("wasm") : tf.setBackend("cpu")); return cases.map((c) => tf.tidy(() => c().map((t) => Array.from(t.dataSync())))); };
      (async () => {
        const ours = await run("wasm"), ref = await run("cpu");
        let worst = 0;
        ours.forEach((outs, i) => outs.forEach((o, j) => o.forEach((v, k) => { const r = ref[i][j][k]; worst = Math.max(worst, Math.abs(v - r) / (1 + Math.abs(r))); })));
        console.log(JSON.stringify({ isa: loadAddon().addon.info().isa, active: native.nativeKernelStatus().active, worst }));
      })();`;
    for (const [cap, expected] of [
      ["avx2", /^(AVX2|baseline)$/],
      ["baseline", /^baseline$/],
    ] as const) {
      const r = spawnSync(process.execPath, ["-e", script], {
        encoding: "utf8",
        cwd: path.resolve(__dirname, "..", "..", ".."),
        env: { ...process.env, TRAINLAB_NATIVE_ISA: cap },
      });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
        isa: string;
        active: boolean;
        worst: number;
      };
      assert.ok(out.active, `pack active with TRAINLAB_NATIVE_ISA=${cap}`);
      assert.match(out.isa, expected);
      assert.ok(out.worst < 1e-4, `TRAINLAB_NATIVE_ISA=${cap}: worst relative error ${out.worst}`);
    }
  });

  it("stays correct when the wasm memory grows between and during kernels", async () => {
    await tf.setBackend("wasm");
    const av = rand(64 * 96, 101),
      bv = rand(96 * 48, 102);
    const a = tf.tensor2d(av, [64, 96]),
      b = tf.tensor2d(bv, [96, 48]);
    const before = tf.matMul(a, b).dataSync();
    const mem0 = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    // A gather output larger than the whole heap forces malloc to grow the memory inside the kernel (after its inputs
    // were placed), however much of the heap earlier tests left free.
    const rows = Math.ceil((mem0 + (32 << 20)) / (96 * 4));
    const index = tf.zeros([rows], "int32");
    const big = tf.gather(a, index);
    const mem1 = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    assert.ok(mem1 > mem0, `memory should have grown (${mem0} -> ${mem1})`);
    assert.deepEqual(Array.from(big.slice([rows - 1, 0], [1, 96]).dataSync()), Array.from(av.slice(0, 96)));
    const after = tf.matMul(a, b).dataSync();
    assert.deepEqual(Array.from(after), Array.from(before));
    tf.dispose([a, b, big, index]);
  });
});
