/**
 * The native kernel pack (lib/kernels/native) against the cpu backend, over shape grids.
 *
 * Tolerances. Every kernel computes in float32 like the cpu backend, but sums in a different order (OpenBLAS
 * blocks and vectorises its dot products; the cpu backend sums left to right), so results differ by rounding only.
 * For a length-K dot product of O(1) values the rounding error is bounded by about K·2⁻²⁴·Σ|aᵢbᵢ|; with K ≤ 150
 * and |aᵢbᵢ| ≲ 1 that is ≲ 1e-5. We allow |ours − ref| ≤ 1e-4 + 1e-4·|ref| (10x headroom). Copies (Gather, Slice)
 * and elementwise kernels (Step, relu backward) must match exactly. The optimizers follow tfjs's formulas with
 * the same float32 operations, so they match tf.train.* to 1e-6 relative after several steps.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { useBackend } from "../../lib/backend";
import { loadAddon } from "../../lib/kernels/native/addon";
import {
  installNativeKernels, nativeAdam, nativeKernelStatus, nativeKernelsActive, nativeSGD, nativeSoftmaxCrossEntropy, uninstallNativeKernels,
} from "../../lib/kernels/native";

const RTOL = 1e-4, ATOL = 1e-4;

/** Deterministic pseudo-random values in [-1, 1). */
function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed * 2654435761 % 4294967296 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) % 4294967296;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs `f` on a backend and returns the values of what it returns (tensors are disposed). */
async function on(backend: "cpu" | "wasm", f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

/** float64 batched matmul with numpy broadcasting; shapes are the logical (un-transposed) [.., M, K] and [.., K, N]. */
function refMatMul(av: Float32Array, aShape: number[], bv: Float32Array, bShape: number[], ta: boolean, tb: boolean): Float32Array {
  const M = aShape[aShape.length - 2], K = aShape[aShape.length - 1], N = bShape[bShape.length - 1];
  const ab = aShape.slice(0, -2), bb = bShape.slice(0, -2);
  const r = Math.max(ab.length, bb.length);
  const pa = [...Array(r - ab.length).fill(1), ...ab], pb = [...Array(r - bb.length).fill(1), ...bb];
  const ob = pa.map((d, i) => Math.max(d, pb[i]));
  const out = new Float32Array(size(ob) * M * N);
  for (let e = 0; e < size(ob); e++) {
    let rem = e, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = r - 1; d >= 0; d--) {
      const idx = rem % ob[d]; rem = Math.floor(rem / ob[d]);
      ia += (pa[d] === 1 ? 0 : idx) * sa; sa *= pa[d];
      ib += (pb[d] === 1 ? 0 : idx) * sb; sb *= pb[d];
    }
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const x = av[ia * M * K + (ta ? k * M + i : i * K + k)], y = bv[ib * K * N + (tb ? j * K + k : k * N + j)];
        acc += x * y;
      }
      out[(e * M + i) * N + j] = acc;
    }
  }
  return out;
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string, rtol = RTOL, atol = ATOL): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i], a = actual[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("native kernel pack (lib/kernels/native)", function () {
  this.timeout(120000);

  before(async () => {
    await useBackend("wasm");
    const status = nativeKernelStatus();
    assert.ok(status.active, `the native pack must be built and active on this machine: ${status.reason} — ${status.fix}`);
  });
  after(async () => {
    installNativeKernels();
    await tf.setBackend("wasm");
  });

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
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: path.resolve(__dirname, "..", "..", "..") });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
      summary: string; acc: { active: boolean; detail: string }; status: { active: boolean; reason: string; fix: string }; y: number[];
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
    for (const [cap, expected] of [["avx2", /^(AVX2|baseline)$/], ["baseline", /^baseline$/]] as const) {
      const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: path.resolve(__dirname, "..", "..", ".."), env: { ...process.env, TRAINLAB_NATIVE_ISA: cap } });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { isa: string; active: boolean; worst: number };
      assert.ok(out.active, `pack active with TRAINLAB_NATIVE_ISA=${cap}`);
      assert.match(out.isa, expected);
      assert.ok(out.worst < 1e-4, `TRAINLAB_NATIVE_ISA=${cap}: worst relative error ${out.worst}`);
    }
  });

  describe("BatchMatMul and _FusedMatMul", () => {
    const M = 5, K = 7, N = 3;
    const biasShapes: Array<number[] | null> = [null, [N], [1], [M, N], [M, 1], [1, N]];
    const activations = ["linear", "relu", "relu6", "elu", "leakyrelu", "prelu", "sigmoid"] as const;

    it("matches the cpu backend for every transpose × bias shape × activation", async () => {
      let cases = 0;
      for (const ta of [false, true]) for (const tb of [false, true]) for (const biasShape of biasShapes) for (const act of activations) {
        const aShape = ta ? [K, M] : [M, K], bShape = tb ? [N, K] : [K, N];
        const av = rand(size(aShape), 1), bv = rand(size(bShape), 2);
        const biasV = biasShape ? rand(size(biasShape), 3) : null;
        const preluV = rand(N, 4);
        const f = () => tf.fused.matMul({
          a: tf.tensor2d(av, aShape as [number, number]), b: tf.tensor2d(bv, bShape as [number, number]), transposeA: ta, transposeB: tb,
          bias: biasV && biasShape ? tf.tensor(biasV, biasShape) : undefined, activation: act,
          preluActivationWeights: act === "prelu" ? tf.tensor1d(preluV) : undefined, leakyreluAlpha: 0.13,
        });
        const [ref] = await on("cpu", f);
        const [ours] = await on("wasm", f);
        assertClose(ours, ref, `fused matMul ta=${ta} tb=${tb} bias=${JSON.stringify(biasShape)} ${act}`);
        cases++;
      }
      assert.equal(cases, 2 * 2 * biasShapes.length * activations.length);
    });

    it("broadcasts batch dimensions, including the one-big-GEMM path and odd sizes", async () => {
      const pairs: Array<[number[], number[]]> = [
        [[2, 1, 5, 7], [3, 7, 4]], [[5, 7], [4, 7, 3]], [[4, 5, 7], [7, 3]], [[3, 5, 7], [1, 7, 3]], [[2, 3, 5, 7], [2, 3, 7, 6]],
        [[1, 33, 65], [65, 17]], [[129, 257], [257, 1]], [[1, 1], [1, 1]],
      ];
      for (const [aShape, bShape] of pairs) for (const ta of [false, true]) for (const tb of [false, true]) {
        const a = aShape.slice(), b = bShape.slice();
        if (ta) [a[a.length - 2], a[a.length - 1]] = [a[a.length - 1], a[a.length - 2]];
        if (tb) [b[b.length - 2], b[b.length - 1]] = [b[b.length - 1], b[b.length - 2]];
        const av = rand(size(a), 5), bv = rand(size(b), 6);
        const f = () => tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), ta, tb);
        // The cpu backend only broadcasts when one side's batch is 1 or both are equal ([2,1] x [3] gives the wrong
        // shape there), so the reference is a float64 matmul with numpy's broadcasting.
        const ref = refMatMul(av, aShape, bv, bShape, ta, tb);
        const [ours] = await on("wasm", f);
        if (aShape.length <= 3 && bShape.length <= 3 && (aShape.length < 3 || bShape.length < 3 || aShape[0] === bShape[0] || aShape[0] === 1 || bShape[0] === 1)) {
          assertClose((await on("cpu", f))[0], ref, "cpu backend vs float64 reference (sanity)");
        }
        assertClose(ours, ref, `matMul ${JSON.stringify(a)} x ${JSON.stringify(b)} ta=${ta} tb=${tb}`);
      }
    });

    it("handles a bias broadcast over batch dimensions", async () => {
      const av = rand(3 * 4 * 5, 7), bv = rand(5 * 6, 8), biasV = rand(3 * 1 * 6, 9);
      const f = () => tf.fused.matMul({ a: tf.tensor(av, [3, 4, 5]) as unknown as tf.Tensor2D, b: tf.tensor(bv, [5, 6]) as tf.Tensor2D,
        bias: tf.tensor(biasV, [3, 1, 6]), activation: "relu" });
      assertClose((await on("wasm", f))[0], (await on("cpu", f))[0], "batched bias");
    });

    it("is right where the stock wasm _FusedMatMul is wrong (transposeB with bias, transposeA with bias, bias of size 1)", async () => {
      const cases = [
        { ta: false, tb: true, bias: [N], act: "linear" as const },
        { ta: true, tb: false, bias: [N], act: "linear" as const },
        { ta: false, tb: false, bias: [1], act: "linear" as const },
      ];
      let stockWrong = 0;
      for (const c of cases) {
        const aShape = c.ta ? [K, M] : [M, K], bShape = c.tb ? [N, K] : [K, N];
        const av = rand(size(aShape), 11), bv = rand(size(bShape), 12), biasV = rand(size(c.bias), 13);
        const f = () => tf.fused.matMul({ a: tf.tensor2d(av, aShape as [number, number]), b: tf.tensor2d(bv, bShape as [number, number]),
          transposeA: c.ta, transposeB: c.tb, bias: tf.tensor(biasV, c.bias), activation: c.act });
        const [ref] = await on("cpu", f);
        const [ours] = await on("wasm", f);
        assertClose(ours, ref, `native fused matMul ${JSON.stringify(c)}`);
        uninstallNativeKernels();
        try {
          const [stock] = await on("wasm", f);
          if (maxAbsDiff(stock, ref) > 1e-3) stockWrong++;
        } finally {
          installNativeKernels();
        }
      }
      // If this fails, tfjs-backend-wasm fixed its _FusedMatMul: the pin can go, the native kernel stays right.
      assert.ok(stockWrong >= 1, "expected the stock wasm _FusedMatMul to be wrong in at least one of these cases");
    });
  });

  describe("convolutions (im2col + GEMM)", () => {
    type Case = { x: number[]; f: number[]; strides: [number, number]; pad: "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]]; dil: [number, number]; fmt: "NHWC" | "NCHW" };
    const cases: Case[] = [];
    for (const fmt of ["NHWC", "NCHW"] as const) {
      for (const pad of ["valid", "same", 1] as const) for (const s of [1, 2]) {
        cases.push({ x: fmt === "NHWC" ? [2, 9, 7, 3] : [2, 3, 9, 7], f: [3, 2, 3, 4], strides: [s, s], pad, dil: [1, 1], fmt });
      }
      cases.push({ x: fmt === "NHWC" ? [1, 6, 6, 2] : [1, 2, 6, 6], f: [1, 1, 2, 5], strides: [1, 1], pad: "valid", dil: [1, 1], fmt });
    }
    cases.push({ x: [2, 8, 8, 2], f: [3, 3, 2, 3], strides: [1, 1], pad: [[0, 0], [1, 2], [2, 0], [0, 0]], dil: [1, 1], fmt: "NHWC" });
    cases.push({ x: [3, 13, 13, 16], f: [3, 3, 16, 32], strides: [1, 1], pad: "valid", dil: [1, 1], fmt: "NHWC" });
    // Narrow filters (KH*KW*Ci <= 32) take the fused small-K path: a 1-channel first layer, odd sizes, strides.
    cases.push({ x: [3, 12, 11, 1], f: [3, 3, 1, 16], strides: [1, 1], pad: "valid", dil: [1, 1], fmt: "NHWC" });
    cases.push({ x: [2, 11, 10, 1], f: [5, 5, 1, 7], strides: [2, 1], pad: "same", dil: [1, 1], fmt: "NHWC" });
    cases.push({ x: [2, 9, 9, 3], f: [3, 3, 3, 33], strides: [2, 2], pad: 1, dil: [1, 1], fmt: "NHWC" });

    it("Conv2D and FusedConv2D forward match the cpu backend (layouts, paddings, strides, dilations, bias, activation)", async () => {
      const fwd: Case[] = [...cases, { x: [1, 10, 9, 2], f: [3, 3, 2, 3], strides: [1, 1], pad: "same", dil: [2, 2], fmt: "NHWC" },
        { x: [1, 2, 10, 9], f: [3, 2, 2, 3], strides: [1, 1], pad: "valid", dil: [2, 1], fmt: "NCHW" }];
      for (const c of fwd) {
        const xv = rand(size(c.x), 21), fv = rand(size(c.f), 22), bv = rand(c.f[3], 23);
        const plain = () => tf.conv2d(tf.tensor4d(xv, c.x as [number, number, number, number]), tf.tensor4d(fv, c.f as [number, number, number, number]), c.strides, c.pad, c.fmt, c.dil);
        assertClose((await on("wasm", plain))[0], (await on("cpu", plain))[0], `conv2d ${JSON.stringify(c)}`);
        for (const act of ["relu", "leakyrelu", "elu"] as const) {
          const fused = () => tf.fused.conv2d({ x: tf.tensor4d(xv, c.x as [number, number, number, number]), filter: tf.tensor4d(fv, c.f as [number, number, number, number]),
            strides: c.strides, pad: c.pad, dataFormat: c.fmt, dilations: c.dil, bias: tf.tensor1d(bv), activation: act, leakyreluAlpha: 0.3 });
          assertClose((await on("wasm", fused))[0], (await on("cpu", fused))[0], `fused conv2d ${act} ${JSON.stringify(c)}`);
        }
      }
    });

    it("Conv2DBackpropInput and Conv2DBackpropFilter match the cpu backend", async () => {
      for (const c of cases) {
        const xv = rand(size(c.x), 31), fv = rand(size(c.f), 32);
        const f = () => {
          const x = tf.tensor4d(xv, c.x as [number, number, number, number]), filt = tf.tensor4d(fv, c.f as [number, number, number, number]);
          const y = tf.conv2d(x, filt, c.strides, c.pad, c.fmt);
          const dy = tf.tensor(rand(y.size, 33), y.shape) as tf.Tensor4D;
          return [
            ...(c.fmt === "NHWC" ? [tf.conv2dTranspose(dy, filt, c.x as [number, number, number, number], c.strides, c.pad as "valid")] : []),
            tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: c.fmt, filterShape: c.f }) as tf.Tensor,
            tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: filt }, { strides: c.strides, pad: c.pad, dataFormat: c.fmt, inputShape: c.x }) as tf.Tensor,
          ];
        };
        const ref = await on("cpu", f), ours = await on("wasm", f);
        ref.forEach((r, i) => assertClose(ours[i], r, `conv backprop #${i} ${JSON.stringify(c)}`, 1e-4, 3e-4));
      }
    });

    it("MaxPoolGrad routes each gradient to its window's first maximum, like the cpu backend", async () => {
      for (const [shape, pool, stride, pad] of [[[2, 9, 8, 3], 2, 2, "valid"], [[1, 7, 7, 5], 3, 2, "same"], [[2, 6, 5, 4], 3, 1, "valid"], [[1, 5, 5, 2], 2, 1, "same"], [[2, 6, 6, 20], 2, 2, "valid"], [[1, 7, 6, 35], 3, 2, "same"],
        [[2, 26, 26, 16], 2, 2, "valid"], [[1, 7, 11, 17], 3, 3, "valid"], [[2, 11, 11, 32], 2, 2, "valid"]] as Array<[number[], number, number, "valid" | "same"]>) {
        const xv = rand(size(shape), 121).map((v) => Math.round(v * 4) / 4);  // coarse values: many ties
        const f = () => tf.grad((x: tf.Tensor) => {
          const y = tf.maxPool(x as tf.Tensor4D, pool, stride, pad);
          return tf.sum(tf.mul(y, tf.tensor(rand(y.size, 122), y.shape)));
        })(tf.tensor(xv, shape));
        const [ref] = await on("cpu", f), [ours] = await on("wasm", f);
        assertClose(ours, ref, `maxPool grad ${JSON.stringify({ shape, pool, stride, pad })}`, 1e-6, 1e-6);
      }
    });

    it("MaxPool forward matches the cpu backend (channel blocks of 16 and remainders, paddings, strides, ties)", async () => {
      for (const [shape, pool, stride, pad] of [[[2, 9, 8, 3], 2, 2, "valid"], [[1, 7, 7, 5], 3, 2, "same"], [[2, 6, 5, 4], 3, 1, "valid"],
        [[1, 5, 5, 2], 2, 1, "same"], [[2, 26, 26, 16], 2, 2, "valid"], [[1, 7, 6, 35], 3, 2, "same"], [[1, 4, 4, 1], 4, 4, "valid"]] as Array<[number[], number, number, "valid" | "same"]>) {
        const xv = rand(size(shape), 131).map((v) => Math.round(v * 4) / 4);
        const f = () => tf.maxPool(tf.tensor4d(xv, shape as [number, number, number, number]), pool, stride, pad);
        const [ref] = await on("cpu", f), [ours] = await on("wasm", f);
        assertClose(ours, ref, `maxPool ${JSON.stringify({ shape, pool, stride, pad })}`, 0, 0);
      }
    });

    it("the bias Add (x + b, b rank 1 along the last axis) is exact; other Adds still work", async () => {
      const cases: Array<[number[], number[]]> = [[[4, 5, 6, 16], [16]], [[7, 3], [3]], [[3, 1], [1]], [[2, 3, 5], [5]],
        [[5], [5]], [[2, 3], [2, 3]], [[3], [2, 3]], [[2, 1, 4], [3, 1]], [[2, 3], [1]]];
      for (const [as, bs] of cases) {
        const av = rand(size(as), 141), bv = rand(size(bs), 142);
        const f = () => tf.add(tf.tensor(av, as), tf.tensor(bv, bs));
        const [ref] = await on("cpu", f), [ours] = await on("wasm", f);
        assertClose(ours, ref, `add ${JSON.stringify([as, bs])}`, 0, 0);
      }
      const ints = () => tf.add(tf.tensor([[1, 2], [3, 4]], [2, 2], "int32"), tf.tensor([10, 20], [2], "int32"));
      assert.deepEqual(Array.from((await on("wasm", ints))[0]), [11, 22, 13, 24]);
    });

    it("gradients agree with central differences (the loss is linear in x and in the filter, so differences are exact up to rounding)", async () => {
      await tf.setBackend("wasm");
      const xs = [2, 7, 6, 3], fs = [3, 3, 3, 4];
      const xv = rand(size(xs), 41), fv = rand(size(fs), 42);
      const loss = (x: tf.Tensor4D, f: tf.Tensor4D) => {
        const y = tf.conv2d(x, f, [2, 1], "same");
        return tf.sum(tf.mul(y, tf.tensor(rand(y.size, 43), y.shape)));
      };
      const [gx, gf] = tf.grads((x: tf.Tensor, f: tf.Tensor) => loss(x as tf.Tensor4D, f as tf.Tensor4D))([tf.tensor(xv, xs), tf.tensor(fv, fs)]);
      const gxv = gx.dataSync(), gfv = gf.dataSync();
      const h = 0.5;
      const evalLoss = (xArr: Float32Array, fArr: Float32Array) => tf.tidy(() => loss(tf.tensor4d(xArr, xs as [number, number, number, number]), tf.tensor4d(fArr, fs as [number, number, number, number])).dataSync()[0]);
      for (const i of [0, 17, 60, size(xs) - 1]) {
        const p = xv.slice(), m = xv.slice(); p[i] += h; m[i] -= h;
        const num = (evalLoss(p, fv) - evalLoss(m, fv)) / (2 * h);
        assert.ok(Math.abs(num - gxv[i]) <= 1e-3 * (1 + Math.abs(num)), `dL/dx[${i}] ${gxv[i]} vs numeric ${num}`);
      }
      for (const i of [0, 5, 50, size(fs) - 1]) {
        const p = fv.slice(), m = fv.slice(); p[i] += h; m[i] -= h;
        const num = (evalLoss(xv, p) - evalLoss(xv, m)) / (2 * h);
        assert.ok(Math.abs(num - gfv[i]) <= 1e-3 * (1 + Math.abs(num)), `dL/dfilter[${i}] ${gfv[i]} vs numeric ${num}`);
      }
      tf.dispose([gx, gf]);
    });
  });

  describe("reductions, copies and elementwise kernels", () => {
    it("Sum over leading axes (bias gradient) and trailing axes matches cpu; other axes still work", async () => {
      const xv = rand(4 * 5 * 6, 51);
      for (const [axis, keep] of [[0, false], [[0, 1], true], [2, false], [[1, 2], false], [1, false], [[0, 2], true], [-1, true]] as Array<[number | number[], boolean]>) {
        const f = () => tf.sum(tf.tensor(xv, [4, 5, 6]), axis, keep);
        const [ref] = await on("cpu", f), [ours] = await on("wasm", f);
        assertClose(ours, ref, `sum axis=${JSON.stringify(axis)} keepDims=${keep}`, 1e-5, 1e-5);
      }
    });

    it("GatherV2 copies rows exactly for every axis, batchDims and dtype, and rejects bad indices", async () => {
      const xv = rand(6 * 4 * 3, 61);
      const cases: Array<[number[], number[], number, number]> = [
        [[6, 12], [5, 0, 5, 2], 0, 0], [[6, 4, 3], [3, 1, 1], 1, 0], [[6, 4, 3], [2, 0], 2, 0], [[6, 4, 3], [0, 3, 2, 1, 2, 0], 1, 1],
      ];
      for (const [shape, idx, axis, batchDims] of cases) {
        const indShape = batchDims ? [6, idx.length / 6 || 1] : [idx.length];
        const idxFull = batchDims ? Array.from({ length: 6 }, (_, i) => idx[i % idx.length] % shape[1]) : idx;
        const f = () => tf.gather(tf.tensor(xv, shape), tf.tensor(idxFull, batchDims ? [6, 1] : indShape, "int32"), axis, batchDims);
        const [ref] = await on("cpu", f), [ours] = await on("wasm", f);
        assert.deepEqual(ours, ref, `gather ${JSON.stringify({ shape, idx, axis, batchDims })}`);
      }
      const fi = () => tf.gather(tf.tensor([[1, 2], [3, 4], [5, 6]], [3, 2], "int32"), tf.tensor1d([2, 0], "int32"));
      assert.deepEqual(Array.from((await on("wasm", fi))[0]), [5, 6, 1, 2]);
      await tf.setBackend("wasm");
      assert.throws(() => tf.tidy(() => tf.gather(tf.tensor2d([[1], [2]]), tf.tensor1d([0, 2], "int32")).dataSync()), /index value 2/);
    });

    it("Slice copies only the slice, exactly, at every rank and dtype", async () => {
      const shape = [3, 4, 5, 6, 2];
      const xv = rand(size(shape), 71);
      const cases: Array<[number[], number[]]> = [
        [[1, 0, 0, 0, 0], [1, -1, -1, -1, -1]], [[0, 1, 2, 3, 0], [3, 2, 2, 3, 2]], [[2, 3, 4, 5, 1], [1, 1, 1, 1, 1]],
        [[0, 0, 0, 0, 0], [3, 4, 5, 6, 2]], [[1, 0, 1, 0, 0], [2, 4, 3, 6, 2]],
      ];
      for (const [begin, sz] of cases) {
        const f = () => tf.slice(tf.tensor(xv, shape), begin, sz);
        const [ref] = await on("cpu", f), [ours] = await on("wasm", f);
        assert.deepEqual(ours, ref, `slice begin=${begin} size=${sz}`);
      }
      const f2 = () => tf.slice(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], "int32"), [0, 1], [2, 2]);
      assert.deepEqual(Array.from((await on("wasm", f2))[0]), [2, 3, 5, 6]);
      await tf.setBackend("wasm");
      const b = tf.tidy(() => tf.slice(tf.tensor1d([true, false, true, true], "bool"), [1], [3]).dataSync());
      assert.deepEqual(Array.from(b), [0, 1, 1]);
    });

    it("Identity (tf.clone) shares the buffer instead of copying it, and each handle disposes independently", async () => {
      await tf.setBackend("wasm");
      const backend = tf.backend() as unknown as { dataIdMap: { get(id: unknown): { memoryOffset: number; refCount: number } | undefined } };
      const x = tf.tensor2d([[1, 2], [3, 4]]);
      const c = tf.clone(x);
      assert.equal(backend.dataIdMap.get(c.dataId)!.memoryOffset, backend.dataIdMap.get(x.dataId)!.memoryOffset, "same buffer");
      x.dispose();
      assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3, 4], "the clone outlives the original");
      c.dispose();
      const s = tf.tensor1d(["a", "b"], "string");
      assert.deepEqual(tf.clone(s).dataSync(), ["a", "b"], "string tensors take the stock kernel");
      s.dispose();
    });

    it("dataSync copies a tensor out exactly once, into its own buffer of the right type", async () => {
      await tf.setBackend("wasm");
      const f = tf.tensor2d([[1.5, -2], [3, NaN]]), i = tf.tensor1d([7, -8, 9], "int32"), b = tf.tensor1d([true, false, true], "bool"), e = tf.zeros([0, 3]);
      const fv = f.dataSync(), iv = i.dataSync(), bv = b.dataSync();
      assert.ok(fv instanceof Float32Array && iv instanceof Int32Array && bv instanceof Uint8Array);
      assert.deepEqual(Array.from(fv), [1.5, -2, 3, NaN]);
      assert.deepEqual(Array.from(iv), [7, -8, 9]);
      assert.deepEqual(Array.from(bv), [1, 0, 1]);
      assert.equal(e.dataSync().length, 0);
      assert.equal(fv.buffer.byteLength, 16, "not a view of the wasm heap or of a shared pool");
      fv[0] = 100;
      assert.equal(f.dataSync()[0], 1.5, "writing to the copy leaves the tensor alone");
      assert.deepEqual(Array.from(tf.tensor1d(["a", "b"], "string").dataSync()), ["a", "b"]);
      tf.dispose([f, i, b, e]);
    });

    it("Step, relu and relu backward are exact", async () => {
      const xv = rand(1000, 81);
      xv[3] = 0; xv[4] = NaN; xv[5] = -Infinity; xv[6] = Infinity; xv[7] = -0;
      const f = () => [tf.step(tf.tensor1d(xv), 0.25), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.tensor1d(rand(1000, 82)))))(tf.tensor1d(xv)),
        tf.relu(tf.tensor1d(xv))];
      const ref = await on("cpu", f), ours = await on("wasm", f);
      assert.deepEqual(ours[0], ref[0]);
      assertClose(ours[1], ref[1], "relu grad", 0, 0);
      // (Same values, NaN included; not the same bits: the cpu backend's relu turns NaN's sign bit on.)
      ours[2].forEach((v, i) => assert.ok(Object.is(v, ref[2][i]), `relu(${xv[i]}) is ${v}, expected ${ref[2][i]}`));
      const ints = () => tf.relu(tf.tensor1d([-3, 0, 4], "int32"));
      assert.deepEqual(Array.from((await on("wasm", ints))[0]), [0, 0, 4]);
    });

    it("fused softmax cross-entropy matches tf.losses.softmaxCrossEntropy (value and gradient)", async () => {
      const zv = rand(7 * 10, 91).map((v) => v * 5), yv = new Float32Array(70);
      for (let r = 0; r < 7; r++) yv[r * 10 + ((r * 3) % 10)] = 1;
      const run = (loss: (y: tf.Tensor, z: tf.Tensor) => tf.Scalar) => () => {
        const y = tf.tensor2d(yv, [7, 10]);
        const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => loss(y, z))(tf.tensor2d(zv, [7, 10]));
        return [value, grad];
      };
      const ref = await on("cpu", run((y, z) => tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar));
      const ours = await on("wasm", run(nativeSoftmaxCrossEntropy));
      assertClose(ours[0], ref[0], "softmax CE value", 1e-5, 1e-6);
      assertClose(ours[1], ref[1], "softmax CE grad", 1e-4, 1e-6);
    });
  });

  describe("work sharing over the pack's threads", () => {
    // Big GEMMs are split into blocks of rows (or columns, or whole batch items) that the calling thread and the
    // pack's workers take from a shared counter; convolutions split their images into parts; big readbacks are
    // copied in one part per thread. Here every GEMM and convolution is split (thresholds 0) over 3 threads, more
    // than this machine's cores, so blocks have tails and some threads take several. (With more than two threads a
    // single big GEMM runs on OpenBLAS's own threads instead; the GEMM test covers both.)
    let saved: { maxThreads: number; parallelMacs: number; wideParallelMacs?: number; convParallelMacs?: number } | undefined;
    before(() => {
      const load = loadAddon();
      assert.ok(load.ok);
      saved = load.addon.info();
      load.addon.configure(3, 0, 0, 0);
    });
    after(() => {
      const load = loadAddon();
      if (load.ok && saved) load.addon.configure(saved.maxThreads, saved.parallelMacs, saved.wideParallelMacs, saved.convParallelMacs);
    });

    it("split GEMMs (by rows, by columns, by batch item; on 2 and on 3 threads) match a float64 reference for every transpose", async () => {
      const load = loadAddon();
      assert.ok(load.ok);
      const pairs: Array<[number[], number[]]> = [
        [[129, 33], [33, 20]],      // rows: on 2 threads, blocks of 64, 64 and a tail of 1
        [[37, 50], [50, 41]],       // wider than tall: columns
        [[4, 20, 9], [4, 9, 18]],   // batch items
        [[3, 40, 7], [7, 35]],      // batches sharing b: one tall GEMM, split by rows
        [[1, 16], [16, 100]],       // a single row: columns
      ];
      for (const threads of [2, 3]) for (const [aShape, bShape] of pairs) for (const ta of [false, true]) for (const tb of [false, true]) {
        load.addon.configure(threads, 0, 0, 0);
        const a = aShape.slice(), b = bShape.slice();
        if (ta) [a[a.length - 2], a[a.length - 1]] = [a[a.length - 1], a[a.length - 2]];
        if (tb) [b[b.length - 2], b[b.length - 1]] = [b[b.length - 1], b[b.length - 2]];
        const av = rand(size(a), 21), bv = rand(size(b), 22);
        const [ours] = await on("wasm", () => tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), ta, tb));
        assertClose(ours, refMatMul(av, aShape, bv, bShape, ta, tb), `${threads} threads: matMul ${JSON.stringify(a)} x ${JSON.stringify(b)} ta=${ta} tb=${tb}`);
      }
      load.addon.configure(3, 0, 0, 0);
    });

    it("convolutions split by images (forward, input and filter gradients) match the cpu backend", async () => {
      // im2col + GEMM (NHWC and NCHW), the direct small-K paths (16, 32, 64 and 8 output channels), strides and
      // padding; 1 to 7 images over up to 6 parts (so some parts are single images and N=1 is not split).
      const cases: Array<{ x: number[]; f: number[]; s: number; pad: "valid" | "same"; fmt: "NHWC" | "NCHW" }> = [
        { x: [3, 13, 13, 16], f: [3, 3, 16, 32], s: 1, pad: "same", fmt: "NHWC" },
        { x: [7, 9, 8, 3], f: [3, 3, 3, 12], s: 2, pad: "valid", fmt: "NHWC" },
        { x: [5, 6, 9, 9], f: [3, 3, 6, 4], s: 1, pad: "same", fmt: "NCHW" },
        { x: [5, 12, 11, 1], f: [3, 3, 1, 16], s: 1, pad: "valid", fmt: "NHWC" },
        { x: [4, 12, 11, 1], f: [3, 3, 1, 32], s: 2, pad: "same", fmt: "NHWC" },
        { x: [2, 9, 9, 2], f: [3, 3, 2, 64], s: 1, pad: "same", fmt: "NHWC" },
        { x: [6, 10, 10, 1], f: [3, 3, 1, 8], s: 1, pad: "valid", fmt: "NHWC" },
        { x: [1, 10, 10, 1], f: [3, 3, 1, 16], s: 1, pad: "valid", fmt: "NHWC" },
      ];
      for (const c of cases) {
        const xv = rand(size(c.x), 23), fv = rand(size(c.f), 24);
        const f = () => {
          const x = tf.tensor4d(xv, c.x as [number, number, number, number]), filt = tf.tensor4d(fv, c.f as [number, number, number, number]);
          const y = tf.conv2d(x, filt, c.s, c.pad, c.fmt);
          const dy = tf.tensor(rand(y.size, 25), y.shape) as tf.Tensor4D;
          const attrs = { strides: c.s, pad: c.pad, dataFormat: c.fmt };
          return [y,
            tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: filt }, { ...attrs, inputShape: c.x }) as tf.Tensor,
            tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: c.f }) as tf.Tensor];
        };
        const ref = await on("cpu", f);
        const ours = await on("wasm", f);
        ["forward", "input gradient", "filter gradient"].forEach((what, i) => assertClose(ours[i], ref[i], `split conv ${what} ${JSON.stringify(c)}`, 1e-4, 1e-3));
      }
    });

    it("memory-bound kernels split from 1 MB (max pooling and its gradient, relu backward, bias add, sums) match the cpu backend", async () => {
      const xs = [5, 64, 60, 16], xv = rand(size(xs), 26);  // 307,200 elements: 3 parts of images or rows
      for (const [k, s, pad] of [[2, 2, "valid"], [3, 2, "same"]] as Array<[number, number, "valid" | "same"]>) {
        const f = () => {
          const x = tf.tensor4d(xv, xs as [number, number, number, number]);
          return [tf.maxPool(x, k, s, pad), tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.maxPool(p as tf.Tensor4D, k, s, pad))))(x)];
        };
        const ref = await on("cpu", f), ours = await on("wasm", f);
        assertClose(ours[0], ref[0], `split maxPool ${k}/${s} ${pad}`, 0, 0);
        assertClose(ours[1], ref[1], `split maxPool gradient ${k}/${s} ${pad}`, 0, 0);
      }
      const n = 300001, dyv = rand(n, 27), bv = rand(16, 28);
      const relu = () => { const x = tf.tensor1d(xv.subarray(0, n)); return [tf.relu(x), tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.relu(p), tf.tensor1d(dyv))))(x)]; };
      const [reluRef, reluGradRef] = await on("cpu", relu), [reluOurs, reluGradOurs] = await on("wasm", relu);
      assertClose(reluOurs, reluRef, "split relu", 0, 0);
      assertClose(reluGradOurs, reluGradRef, "split relu backward", 0, 0);
      const bias = () => tf.add(tf.tensor(xv, [size(xs) / 16, 16]), tf.tensor1d(bv));
      assertClose((await on("wasm", bias))[0], (await on("cpu", bias))[0], "split bias add", 0, 0);
      for (const [shape, axis] of [[[size(xs) / 16, 16], 0], [[16, size(xs) / 16], 1], [[size(xs) / 16, 16], 1]] as Array<[number[], number]>) {
        const sum = () => tf.sum(tf.tensor(xv, shape), axis);
        assertClose((await on("wasm", sum))[0], (await on("cpu", sum))[0], `split sum ${JSON.stringify(shape)} axis ${axis}`, 1e-4, 1e-4);
      }
    });

    it("large readbacks (from 1 MB) are exact for float32, int32 and bool, in parts that do not divide evenly", async () => {
      await tf.setBackend("wasm");
      const n = (1 << 18) + 13, nb = (1 << 20) + 5;
      const f = tf.range(0, n, 1, "float32"), i = tf.range(0, n, 1, "int32"), b = tf.equal(tf.mod(tf.range(0, nb, 1, "int32"), 3), 0);
      const fv = f.dataSync(), iv = i.dataSync(), bv = b.dataSync();
      assert.ok(fv instanceof Float32Array && iv instanceof Int32Array && bv instanceof Uint8Array);
      assert.equal(fv.buffer.byteLength, n * 4);
      for (let k = 0; k < n; k++) if (fv[k] !== k || iv[k] !== k) assert.fail(`element ${k}: ${fv[k]}, ${iv[k]}`);
      for (let k = 0; k < nb; k++) if (bv[k] !== (k % 3 === 0 ? 1 : 0)) assert.fail(`bool element ${k}: ${bv[k]}`);
      tf.dispose([f, i, b]);
    });
  });

  it("stays correct when the wasm memory grows between and during kernels", async () => {
    await tf.setBackend("wasm");
    const av = rand(64 * 96, 101), bv = rand(96 * 48, 102);
    const a = tf.tensor2d(av, [64, 96]), b = tf.tensor2d(bv, [96, 48]);
    const before = tf.matMul(a, b).dataSync();
    const mem0 = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    // A 2^25-row gather output forces malloc to grow the memory inside the kernel (after its inputs were placed).
    const big = tf.gather(a, tf.zeros([1 << 19], "int32"));
    const mem1 = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    assert.ok(mem1 > mem0, `memory should have grown (${mem0} -> ${mem1})`);
    assert.deepEqual(Array.from(big.slice([(1 << 19) - 1, 0], [1, 96]).dataSync()), Array.from(av.slice(0, 96)));
    const after = tf.matMul(a, b).dataSync();
    assert.deepEqual(Array.from(after), Array.from(before));
    tf.dispose([a, b, big]);
  });

  describe("fused optimizers", () => {
    async function runOptimizer(make: () => tf.Optimizer, steps: number): Promise<Float32Array[]> {
      await tf.setBackend("wasm");
      const w = tf.variable(tf.tensor2d(rand(20 * 8, 111), [20, 8]));
      const bias = tf.variable(tf.tensor1d(rand(8, 112)));
      const x = tf.tensor2d(rand(16 * 20, 113), [16, 20]);
      const opt = make();
      for (let i = 0; i < steps; i++) {
        opt.minimize(() => tf.mean(tf.square(tf.relu(tf.add(tf.matMul(x, w), bias)))) as tf.Scalar);
      }
      const out = [Float32Array.from(w.dataSync()), Float32Array.from(bias.dataSync())];
      opt.dispose();
      tf.dispose([w, bias, x]);
      return out;
    }

    it("nativeAdam follows tf.train.adam", async () => {
      const ref = await runOptimizer(() => tf.train.adam(0.01), 6);
      const ours = await runOptimizer(() => nativeAdam(0.01), 6);
      ref.forEach((r, i) => assertClose(ours[i], r, `adam param ${i}`, 1e-5, 1e-6));
    });

    it("nativeSGD follows tf.train.sgd and tf.train.momentum (plain and Nesterov)", async () => {
      for (const [make, mine] of [
        [() => tf.train.sgd(0.1), () => nativeSGD(0.1)],
        [() => tf.train.momentum(0.1, 0.9), () => nativeSGD(0.1, 0.9)],
        [() => tf.train.momentum(0.1, 0.9, true), () => nativeSGD(0.1, 0.9, true)],
      ] as Array<[() => tf.Optimizer, () => tf.Optimizer]>) {
        const ref = await runOptimizer(make, 5), ours = await runOptimizer(mine, 5);
        ref.forEach((r, i) => assertClose(ours[i], r, `sgd param ${i}`, 1e-5, 1e-6));
      }
    });

    it("never updates a buffer another tensor shares", async () => {
      await tf.setBackend("wasm");
      const init = tf.tensor1d([1, 2, 3]);
      const v = tf.variable(init);
      const alias = tf.reshape(v, [3, 1]);
      const opt = nativeSGD(1);
      opt.minimize(() => tf.sum(v) as tf.Scalar);
      assert.deepEqual(Array.from(v.dataSync()), [0, 1, 2]);
      assert.deepEqual(Array.from(alias.dataSync()), [1, 2, 3]);
      tf.dispose([init, v, alias]);
      opt.dispose();
    });

    it("never updates a clone kept of a variable or of an optimizer slot (Identity shares buffers)", async () => {
      await tf.setBackend("wasm");
      for (const make of [() => nativeAdam(0.1), () => nativeSGD(0.1, 0.9)]) {
        const v = tf.variable(tf.tensor1d([1, 2, 3]));
        const opt = make();
        opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
        const keptVar = tf.clone(v);
        const keptSlots = (await opt.getWeights()).filter((w) => w.name !== "iter").map((w) => ({ name: w.name, tensor: tf.clone(w.tensor), values: Array.from(w.tensor.dataSync()) }));
        const before = Array.from(keptVar.dataSync());
        opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
        assert.notDeepEqual(Array.from(v.dataSync()), before, "the variable moved");
        assert.deepEqual(Array.from(keptVar.dataSync()), before, "its clone did not");
        for (const k of keptSlots) assert.deepEqual(Array.from(k.tensor.dataSync()), k.values, `slot ${k.name} clone unchanged`);
        tf.dispose([v, keptVar, ...keptSlots.map((k) => k.tensor)]);
        opt.dispose();
      }
    });

    it("falls back to the tfjs optimizer when the pack is off", async () => {
      uninstallNativeKernels();
      try {
        assert.equal(nativeKernelsActive(), false);
        const ref = await runOptimizer(() => tf.train.adam(0.01), 3);
        const ours = await runOptimizer(() => nativeAdam(0.01), 3);
        ref.forEach((r, i) => assertClose(ours[i], r, `fallback adam param ${i}`, 1e-6, 1e-7));
      } finally {
        installNativeKernels();
      }
    });
  });
});
