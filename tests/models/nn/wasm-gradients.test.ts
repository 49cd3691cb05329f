/**
 * The gradient kernels trainlab adds to the wasm backend agree with the cpu backend's own kernels
 * for every stride, padding and data format the cnn builder can produce.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { ensureBackend } from "../../../lib/backend";
import { conv2dFilterGradient } from "../../../lib/kernels/wasm-gradients";

function maxRelativeError(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
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

describe("wasm gradient kernels", function () {
  this.timeout(60000);
  before(async () => {
    await ensureBackend();
    // Make sure both backends are initialised, whatever the chain picked.
    await tf.setBackend("cpu");
    await tf.setBackend("wasm");
  });

  const cases: { name: string; x: number[]; f: number[]; strides: number | [number, number]; pad: "same" | "valid"; format: "NHWC" | "NCHW" }[] = [
    { name: "3x3 stride 1 valid", x: [3, 9, 9, 4], f: [3, 3, 4, 5], strides: 1, pad: "valid", format: "NHWC" },
    { name: "3x3 stride 1 same", x: [3, 9, 9, 4], f: [3, 3, 4, 5], strides: 1, pad: "same", format: "NHWC" },
    { name: "3x3 stride 2 same (odd size)", x: [2, 9, 7, 3], f: [3, 3, 3, 6], strides: 2, pad: "same", format: "NHWC" },
    { name: "3x3 stride 2 valid", x: [2, 10, 11, 3], f: [3, 3, 3, 2], strides: 2, pad: "valid", format: "NHWC" },
    { name: "5x5 stride [2,1] same", x: [2, 12, 12, 2], f: [5, 5, 2, 4], strides: [2, 1], pad: "same", format: "NHWC" },
    { name: "2x4 stride 3 same (even kernel)", x: [2, 13, 14, 2], f: [2, 4, 2, 3], strides: 3, pad: "same", format: "NHWC" },
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
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad, c.format).square().sum())([x, f]);
          return g.map((t) => t.dataSync().slice());
        });
      const ref = await onBackend("cpu", grads);
      const got = await onBackend("wasm", grads);
      assert.ok(maxRelativeError(ref[0], got[0]) < 1e-4, `dx relative error ${maxRelativeError(ref[0], got[0])}`);
      assert.ok(maxRelativeError(ref[1], got[1]) < 1e-4, `dfilter relative error ${maxRelativeError(ref[1], got[1])}`);
    });
  }

  const depthwise: { name: string; x: number[]; f: number[]; strides: number | [number, number]; pad: "same" | "valid" }[] = [
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
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).square().sum())([x, f]);
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
        const ref = tf.grad((ff: tf.Tensor) => tf.conv2d(x, ff as tf.Tensor4D, 2, "same", "NCHW").square().sum())(f).dataSync();
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
      const loss = (filter: tf.Tensor4D) => tf.conv2d(x as tf.Tensor4D, filter, 2, "same").square().sum();
      const analytic = tf.grad((ff: tf.Tensor) => loss(ff as tf.Tensor4D))(f).dataSync();
      const fv = f.dataSync();
      const eps = 1e-2;
      for (const k of [0, 5, 17, 35]) {
        const plus = fv.slice();
        plus[k] += eps;
        const minus = fv.slice();
        minus[k] -= eps;
        const numeric = (loss(tf.tensor4d(plus, [3, 3, 2, 2])).dataSync()[0] - loss(tf.tensor4d(minus, [3, 3, 2, 2])).dataSync()[0]) / (2 * eps);
        assert.ok(Math.abs(numeric - analytic[k]) <= 2e-2 * Math.max(1, Math.abs(numeric)), `tap ${k}: numeric ${numeric} vs analytic ${analytic[k]}`);
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
        const weights = tf.tensor2d(ids.map((_, i) => [i + 1, -i, 0.5]), [8, 3]);
        return tf.grad((p: tf.Tensor) => tf.gather(p, tf.tensor1d(ids, "int32")).mul(weights).sum())(t).dataSync().slice();
      });
    const ref = await onBackend("cpu", grads);
    const got = await onBackend("wasm", grads);
    assert.ok(maxRelativeError(ref, got) < 1e-6);
  });
});
