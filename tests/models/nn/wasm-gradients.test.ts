/**
 * The pure-JS gradient kernels trainlab adds to stock wasm (lib/kernels/wasm-gradients: Conv2DBackpropFilter,
 * the depthwise gradients, UnsortedSegmentSum) agree with the cpu backend's own kernels for every stride, padding
 * and data format the cnn builder can produce, and a cnn trains on stock wasm with them.
 *
 * The native kernel pack overrides some of these kernels once it is installed (in a full mocha run it is, before
 * any spec starts), so this spec turns it off first and checks that the JS fallbacks are what wasm runs; it puts
 * the pack back afterwards so later specs train on it as before.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { ensureBackend } from "../../../lib/backend";
import { installNativeKernels, nativeKernelsActive, uninstallNativeKernels } from "../../../lib/kernels/native";
import {
  WASM_GRADIENT_KERNELS,
  activeWasmGradientFallbacks,
  conv2dFilterGradient,
} from "../../../lib/kernels/wasm-gradients";
import { cnn } from "../../../lib/models/nn";
import { mnistSplit } from "./helpers";

function maxRelativeError(
  a: Float32Array | Int32Array | Uint8Array,
  b: Float32Array | Int32Array | Uint8Array,
): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  const before = tf.getBackend();
  await tf.setBackend(name);
  try {
    return f();
  } finally {
    await tf.setBackend(before);
  }
}

describe("wasm gradient kernels (JS fallbacks on stock wasm, native kernel pack off)", function () {
  this.timeout(60000);
  let packWasActive = false;
  let backendBefore = "";
  before(async () => {
    await ensureBackend();
    backendBefore = tf.getBackend();
    packWasActive = nativeKernelsActive();
    uninstallNativeKernels();
    // Make sure both backends are initialised, whatever the chain picked.
    await tf.setBackend("cpu");
    await tf.setBackend("wasm");
  });
  after(async () => {
    if (packWasActive) installNativeKernels();
    await tf.setBackend(backendBefore);
  });

  it("wasm runs trainlab's JS kernels for all four gradients (the native pack is off)", () => {
    assert.equal(nativeKernelsActive(), false);
    assert.deepEqual(activeWasmGradientFallbacks(), [...WASM_GRADIENT_KERNELS]);
  });

  const cases: {
    name: string;
    x: number[];
    f: number[];
    strides: number | [number, number];
    pad: "same" | "valid";
    format: "NHWC" | "NCHW";
  }[] = [
    { name: "3x3 stride 1 valid", x: [3, 9, 9, 4], f: [3, 3, 4, 5], strides: 1, pad: "valid", format: "NHWC" },
    { name: "3x3 stride 1 same", x: [3, 9, 9, 4], f: [3, 3, 4, 5], strides: 1, pad: "same", format: "NHWC" },
    { name: "3x3 stride 2 same (odd size)", x: [2, 9, 7, 3], f: [3, 3, 3, 6], strides: 2, pad: "same", format: "NHWC" },
    { name: "3x3 stride 2 valid", x: [2, 10, 11, 3], f: [3, 3, 3, 2], strides: 2, pad: "valid", format: "NHWC" },
    { name: "5x5 stride [2,1] same", x: [2, 12, 12, 2], f: [5, 5, 2, 4], strides: [2, 1], pad: "same", format: "NHWC" },
    {
      name: "2x4 stride 3 same (even kernel)",
      x: [2, 13, 14, 2],
      f: [2, 4, 2, 3],
      strides: 3,
      pad: "same",
      format: "NHWC",
    },
    { name: "1x1 conv", x: [2, 6, 6, 8], f: [1, 1, 8, 4], strides: 1, pad: "valid", format: "NHWC" },
  ];

  for (const c of cases) {
    it(`Conv2D filter and input gradients match cpu: ${c.name}`, async () => {
      const xs = tf.randomNormal(c.x, 0, 1, "float32", 7);
      const fs = tf.randomNormal(c.f, 0, 1, "float32", 8);
      const xv = xs.dataSync().slice();
      const fv = fs.dataSync().slice();
      xs.dispose();
      fs.dispose();
      const grads = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
          const f = tf.tensor4d(fv, c.f as [number, number, number, number]);
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad, c.format)
              .square()
              .sum(),
          )([x, f]);
          return g.map((t) => t.dataSync().slice());
        });
      const ref = await onBackend("cpu", grads);
      const got = await onBackend("wasm", grads);
      assert.ok(maxRelativeError(ref[0], got[0]) < 1e-4, `dx relative error ${maxRelativeError(ref[0], got[0])}`);
      assert.ok(maxRelativeError(ref[1], got[1]) < 1e-4, `dfilter relative error ${maxRelativeError(ref[1], got[1])}`);
    });
  }

  const depthwise: {
    name: string;
    x: number[];
    f: number[];
    strides: number | [number, number];
    pad: "same" | "valid";
  }[] = [
    { name: "3x3 stride 1 valid, multiplier 1", x: [2, 8, 8, 3], f: [3, 3, 3, 1], strides: 1, pad: "valid" },
    { name: "3x3 stride 1 same, multiplier 2", x: [2, 7, 9, 3], f: [3, 3, 3, 2], strides: 1, pad: "same" },
    { name: "3x3 stride 2 same (odd size), multiplier 2", x: [2, 9, 7, 2], f: [3, 3, 2, 2], strides: 2, pad: "same" },
    { name: "5x5 stride 2 valid", x: [1, 12, 11, 4], f: [5, 5, 4, 1], strides: 2, pad: "valid" },
    { name: "2x2 stride [2,1] same (even kernel)", x: [2, 6, 6, 2], f: [2, 2, 2, 3], strides: [2, 1], pad: "same" },
  ];
  for (const c of depthwise) {
    it(`depthwiseConv2d input and filter gradients match cpu: ${c.name}`, async () => {
      const xs = tf.randomNormal(c.x, 0, 1, "float32", 9);
      const fs = tf.randomNormal(c.f, 0, 1, "float32", 10);
      const xv = xs.dataSync().slice();
      const fv = fs.dataSync().slice();
      tf.dispose([xs, fs]);
      const grads = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
          const f = tf.tensor4d(fv, c.f as [number, number, number, number]);
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad)
              .square()
              .sum(),
          )([x, f]);
          return g.map((t) => t.dataSync().slice());
        });
      const ref = await onBackend("cpu", grads);
      const got = await onBackend("wasm", grads);
      assert.ok(maxRelativeError(ref[0], got[0]) < 1e-4, `dx relative error ${maxRelativeError(ref[0], got[0])}`);
      assert.ok(maxRelativeError(ref[1], got[1]) < 1e-4, `dfilter relative error ${maxRelativeError(ref[1], got[1])}`);
    });
  }

  it("the filter gradient also handles NCHW inputs (checked on cpu against the cpu kernel)", async () => {
    await onBackend("cpu", () => {
      tf.tidy(() => {
        const x = tf.randomNormal([2, 3, 9, 9], 0, 1, "float32", 5) as tf.Tensor4D;
        const f = tf.randomNormal([3, 3, 3, 4], 0, 1, "float32", 6) as tf.Tensor4D;
        const ref = tf
          .grad((ff: tf.Tensor) =>
            tf
              .conv2d(x, ff as tf.Tensor4D, 2, "same", "NCHW")
              .square()
              .sum(),
          )(f)
          .dataSync();
        const dy = tf.conv2d(x, f, 2, "same", "NCHW").mul(2) as tf.Tensor4D;
        const got = conv2dFilterGradient(x, dy, [3, 3, 3, 4], 2, "same", "NCHW").dataSync();
        assert.ok(maxRelativeError(ref, got) < 1e-4, `relative error ${maxRelativeError(ref, got)}`);
      });
    });
  });

  it("Conv2DBackpropFilter matches a finite-difference estimate", async () => {
    await onBackend("wasm", () => {
      const x = tf.randomNormal([1, 6, 6, 2], 0, 1, "float32", 3);
      const f = tf.randomNormal([3, 3, 2, 2], 0, 1, "float32", 4);
      const loss = (filter: tf.Tensor4D) =>
        tf
          .conv2d(x as tf.Tensor4D, filter, 2, "same")
          .square()
          .sum();
      const analytic = tf
        .grad((ff: tf.Tensor) => loss(ff as tf.Tensor4D))(f)
        .dataSync();
      const fv = f.dataSync();
      const eps = 1e-2;
      for (const k of [0, 5, 17, 35]) {
        const plus = fv.slice();
        plus[k] += eps;
        const minus = fv.slice();
        minus[k] -= eps;
        const numeric =
          (loss(tf.tensor4d(plus, [3, 3, 2, 2])).dataSync()[0] - loss(tf.tensor4d(minus, [3, 3, 2, 2])).dataSync()[0]) /
          (2 * eps);
        assert.ok(
          Math.abs(numeric - analytic[k]) <= 2e-2 * Math.max(1, Math.abs(numeric)),
          `tap ${k}: numeric ${numeric} vs analytic ${analytic[k]}`,
        );
      }
      tf.dispose([x, f]);
    });
  });

  it("gather (embedding) gradients match cpu via UnsortedSegmentSum", async () => {
    const table = Array.from({ length: 7 * 3 }, (_, i) => Math.sin(i));
    const ids = [0, 3, 3, 6, 1, 3, 0, 2];
    const grads = () =>
      tf.tidy(() => {
        const t = tf.tensor2d(table, [7, 3]);
        const weights = tf.tensor2d(
          ids.map((_, i) => [i + 1, -i, 0.5]),
          [8, 3],
        );
        return tf
          .grad((p: tf.Tensor) => tf.gather(p, tf.tensor1d(ids, "int32")).mul(weights).sum())(t)
          .dataSync()
          .slice();
      });
    const ref = await onBackend("cpu", grads);
    const got = await onBackend("wasm", grads);
    assert.ok(maxRelativeError(ref, got) < 1e-6);
  });

  it("UnsortedSegmentSum itself matches cpu: float rows of any rank, int32 values, empty and repeated segments", async () => {
    const ids = [4, 0, 4, 1, 4, 0]; // segments 2 and 3 receive nothing
    const data3 = Array.from({ length: 6 * 2 * 3 }, (_, i) => Math.cos(i) * 3);
    const dataInt = [5, -2, 7, 1, 0, 3];
    const sums = () =>
      tf.tidy(() => {
        const segs = tf.tensor1d(ids, "int32");
        return [
          tf.unsortedSegmentSum(tf.tensor3d(data3, [6, 2, 3]), segs, 5),
          tf.unsortedSegmentSum(tf.tensor1d(dataInt, "int32"), segs, 5),
        ].map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync().slice() }));
      });
    const ref = await onBackend("cpu", sums);
    const got = await onBackend("wasm", sums);
    assert.deepEqual(
      got.map((g) => [g.shape, g.dtype]),
      [
        [[5, 2, 3], "float32"],
        [[5], "int32"],
      ],
    );
    assert.ok(
      maxRelativeError(ref[0].values, got[0].values) < 1e-6,
      `float relative error ${maxRelativeError(ref[0].values, got[0].values)}`,
    );
    // Hand-computed: segment 0 = -2 + 3, 1 = 1, 2 and 3 get nothing, 4 = 5 + 7 + 0.
    assert.deepEqual(Array.from(got[1].values), [1, 1, 0, 0, 12]);
    assert.deepEqual(Array.from(got[1].values), Array.from(ref[1].values));
  });

  it("a cnn learns MNIST digits on stock wasm: held-out accuracy far above chance after a few seconds", async function () {
    // Stock wasm has no Conv2DBackpropFilter, so with the native pack off every filter update comes from the JS fallback.
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(activeWasmGradientFallbacks().includes("Conv2DBackpropFilter"));
    const d = mnistSplit(600, 400);
    try {
      const started = Date.now();
      const model = await cnn({ filters: [8], epochs: 3, batchSize: 32, learningRate: 0.003, seed: 7 }).fit(
        d.xTrain,
        d.yTrain,
        { live: "none" },
      );
      const seconds = (Date.now() - started) / 1000;
      const loss = model.history!.metrics.loss;
      assert.ok(
        loss[loss.length - 1] < loss[0] * 0.6,
        `training loss went from ${loss[0]} to ${loss[loss.length - 1]}`,
      );
      const acc = model.score(d.xTest, d.yTest);
      assert.ok(acc >= 0.75, `held-out accuracy ${acc} (chance is 0.1) after ${seconds.toFixed(1)} s`);
      assert.equal(nativeKernelsActive(), false, "the native pack stayed off during training");
      model.dispose();
    } finally {
      tf.dispose([d.xTrain, d.xTest]);
    }
  });
});
