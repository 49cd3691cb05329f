/**
 * Work sharing over the native pack's threads: split GEMMs, convolutions, memory-bound kernels and readbacks
 * give the same results as unsplit ones.
 * (Tolerances: see helpers.ts.)
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { loadAddon } from "../../lib/kernels/native/addon";
import { nativeAdam, setNativeLossGradients } from "../../lib/kernels/native";
import { rand, size, on, refMatMul, assertClose, usePackOnWasm } from "./helpers";

describe("native kernel pack (lib/kernels/native): work sharing over the pack's threads", function () {
  this.timeout(120000);
  usePackOnWasm();

  // Big GEMMs are split into blocks of rows (or columns, or whole batch items) that the calling thread and the
  // pack's workers take from a shared counter; convolutions split their images into parts; big readbacks are
  // copied in one part per thread. Here every GEMM and convolution is split (thresholds 0) over 3 threads, more
  // than this machine's cores, so blocks have tails and some threads take several. (With more than two threads a
  // single big GEMM runs on OpenBLAS's own threads instead; the GEMM test covers both.)
  let saved:
    { maxThreads: number; parallelMacs: number; wideParallelMacs?: number; convParallelMacs?: number } | undefined;
  before(() => {
    const load = loadAddon();
    assert.ok(load.ok);
    saved = load.addon.info();
    load.addon.configure(3, 0, 0, 0);
  });
  after(() => {
    const load = loadAddon();
    if (load.ok && saved)
      load.addon.configure(saved.maxThreads, saved.parallelMacs, saved.wideParallelMacs, saved.convParallelMacs);
  });

  it("split GEMMs (by rows, by columns, by batch item; on 2 and on 3 threads) match a float64 reference for every transpose", async () => {
    const load = loadAddon();
    assert.ok(load.ok);
    const pairs: Array<[number[], number[]]> = [
      [
        [129, 33],
        [33, 20],
      ], // rows: on 2 threads, blocks of 64, 64 and a tail of 1
      [
        [37, 50],
        [50, 41],
      ], // wider than tall: columns
      [
        [4, 20, 9],
        [4, 9, 18],
      ], // batch items
      [
        [3, 40, 7],
        [7, 35],
      ], // batches sharing b: one tall GEMM, split by rows
      [
        [1, 16],
        [16, 100],
      ], // a single row: columns
    ];
    for (const threads of [2, 3])
      for (const [aShape, bShape] of pairs)
        for (const ta of [false, true])
          for (const tb of [false, true]) {
            load.addon.configure(threads, 0, 0, 0);
            const a = aShape.slice(),
              b = bShape.slice();
            if (ta) [a[a.length - 2], a[a.length - 1]] = [a[a.length - 1], a[a.length - 2]];
            if (tb) [b[b.length - 2], b[b.length - 1]] = [b[b.length - 1], b[b.length - 2]];
            const av = rand(size(a), 21),
              bv = rand(size(b), 22);
            const [ours] = await on("wasm", () => tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), ta, tb));
            assertClose(
              ours,
              refMatMul(av, aShape, bv, bShape, ta, tb),
              `${threads} threads: matMul ${JSON.stringify(a)} x ${JSON.stringify(b)} ta=${ta} tb=${tb}`,
            );
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
      const xv = rand(size(c.x), 23),
        fv = rand(size(c.f), 24);
      const f = () => {
        const x = tf.tensor4d(xv, c.x as [number, number, number, number]),
          filt = tf.tensor4d(fv, c.f as [number, number, number, number]);
        const y = tf.conv2d(x, filt, c.s, c.pad, c.fmt);
        const dy = tf.tensor(rand(y.size, 25), y.shape) as tf.Tensor4D;
        const attrs = { strides: c.s, pad: c.pad, dataFormat: c.fmt };
        return [
          y,
          tf
            .engine()
            .runKernel("Conv2DBackpropInput", { dy, filter: filt }, { ...attrs, inputShape: c.x }) as tf.Tensor,
          tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: c.f }) as tf.Tensor,
        ];
      };
      const ref = await on("cpu", f);
      const ours = await on("wasm", f);
      ["forward", "input gradient", "filter gradient"].forEach((what, i) =>
        assertClose(ours[i], ref[i], `split conv ${what} ${JSON.stringify(c)}`, 1e-4, 1e-3),
      );
    }
  });

  it("memory-bound kernels split from 1 MB (max pooling and its gradient, relu backward, bias add, sums) match the cpu backend", async () => {
    const xs = [5, 64, 60, 16],
      xv = rand(size(xs), 26); // 307,200 elements: 3 parts of images or rows
    for (const [k, s, pad] of [
      [2, 2, "valid"],
      [3, 2, "same"],
    ] as Array<[number, number, "valid" | "same"]>) {
      const f = () => {
        const x = tf.tensor4d(xv, xs as [number, number, number, number]);
        return [
          tf.maxPool(x, k, s, pad),
          tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.maxPool(p as tf.Tensor4D, k, s, pad))))(x),
        ];
      };
      const ref = await on("cpu", f),
        ours = await on("wasm", f);
      assertClose(ours[0], ref[0], `split maxPool ${k}/${s} ${pad}`, 0, 0);
      assertClose(ours[1], ref[1], `split maxPool gradient ${k}/${s} ${pad}`, 0, 0);
    }
    const n = 300001,
      dyv = rand(n, 27),
      bv = rand(16, 28);
    const relu = () => {
      const x = tf.tensor1d(xv.subarray(0, n));
      return [tf.relu(x), tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.relu(p), tf.tensor1d(dyv))))(x)];
    };
    const [reluRef, reluGradRef] = await on("cpu", relu),
      [reluOurs, reluGradOurs] = await on("wasm", relu);
    assertClose(reluOurs, reluRef, "split relu", 0, 0);
    assertClose(reluGradOurs, reluGradRef, "split relu backward", 0, 0);
    const bias = () => tf.add(tf.tensor(xv, [size(xs) / 16, 16]), tf.tensor1d(bv));
    assertClose((await on("wasm", bias))[0], (await on("cpu", bias))[0], "split bias add", 0, 0);
    for (const [shape, axis] of [
      [[size(xs) / 16, 16], 0],
      [[16, size(xs) / 16], 1],
      [[size(xs) / 16, 16], 1],
    ] as Array<[number[], number]>) {
      const sum = () => tf.sum(tf.tensor(xv, shape), axis);
      assertClose(
        (await on("wasm", sum))[0],
        (await on("cpu", sum))[0],
        `split sum ${JSON.stringify(shape)} axis ${axis}`,
        1e-4,
        1e-4,
      );
    }
  });

  it("nativeAdam split over the threads (from 65,536 elements) updates every element as on one thread, like tf.train.adam", async () => {
    await tf.setBackend("wasm");
    const shapes = [[301, 257], [257], [7, 3], [1]]; // 77,415 elements: 3 uneven parts of each variable
    const load = loadAddon();
    assert.ok(load.ok);
    const run = async (make: () => tf.Optimizer, threads: number): Promise<Float32Array[]> => {
      load.addon.configure(threads, 0, 0, 0);
      const vars = shapes.map((s, i) => tf.variable(tf.tensor(rand(size(s), 40 + i), s)));
      const opt = make();
      for (let step = 0; step < 4; step++) {
        opt.minimize(
          () =>
            tf.addN(
              vars.map((v, i) => tf.sum(tf.mul(tf.square(v), tf.tensor(rand(size(shapes[i]), 50 + i), shapes[i])))),
            ) as tf.Scalar,
        );
      }
      const out = vars.map((v) => Float32Array.from(v.dataSync()));
      opt.dispose();
      tf.dispose(vars);
      return out;
    };
    const one = await run(() => nativeAdam(0.01), 1),
      three = await run(() => nativeAdam(0.01), 3);
    const ref = await run(() => tf.train.adam(0.01), 3);
    three.forEach((w, i) => {
      assertClose(w, one[i], `variable ${i}: 3 threads against 1`, 0, 0);
      assertClose(w, ref[i], `variable ${i} against tf.train.adam`, 1e-5, 1e-6);
    });
  });

  it("Softmax and ClipByValue backward split from 1 MB give the same bits as tfjs's gradients", async () => {
    const rows = 30001,
      zv = rand(rows * 10, 61),
      dv = rand(rows * 10, 62);
    const softmax = () =>
      tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.softmax(z), tf.tensor(dv, [rows, 10]))))(tf.tensor(zv, [rows, 10]));
    const [ours] = await on("wasm", softmax);
    const previous = setNativeLossGradients(false);
    const [stock] = await on("wasm", softmax).finally(() => setNativeLossGradients(previous));
    assertClose(ours, stock, "split softmax backward", 0, 0);
    const clip = () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(x, -0.5, 0.5), tf.tensor(dv))))(tf.tensor(zv));
    assertClose((await on("wasm", clip))[0], (await on("cpu", clip))[0], "split clipByValue backward", 0, 0);
  });

  it("large readbacks (from 1 MB) are exact for float32, int32 and bool, in parts that do not divide evenly", async () => {
    await tf.setBackend("wasm");
    const n = (1 << 18) + 13,
      nb = (1 << 20) + 5;
    const f = tf.range(0, n, 1, "float32"),
      i = tf.range(0, n, 1, "int32"),
      b = tf.equal(tf.mod(tf.range(0, nb, 1, "int32"), 3), 0);
    const fv = f.dataSync(),
      iv = i.dataSync(),
      bv = b.dataSync();
    assert.ok(fv instanceof Float32Array && iv instanceof Int32Array && bv instanceof Uint8Array);
    assert.equal(fv.buffer.byteLength, n * 4);
    for (let k = 0; k < n; k++) if (fv[k] !== k || iv[k] !== k) assert.fail(`element ${k}: ${fv[k]}, ${iv[k]}`);
    for (let k = 0; k < nb; k++) if (bv[k] !== (k % 3 === 0 ? 1 : 0)) assert.fail(`bool element ${k}: ${bv[k]}`);
    tf.dispose([f, i, b]);
  });
});
