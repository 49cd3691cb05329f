/**
 * Convolutions, pooling and the bias Add on the native pack against the cpu backend, with gradients checked
 * against central differences.
 * (Tolerances: see helpers.ts.)
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { rand, size, on, assertClose, usePackOnWasm } from "./helpers";

describe("native kernel pack (lib/kernels/native): convolutions (im2col + GEMM)", function () {
  this.timeout(120000);
  usePackOnWasm();

  type Case = {
    x: number[];
    f: number[];
    strides: [number, number];
    pad: "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]];
    dil: [number, number];
    fmt: "NHWC" | "NCHW";
  };
  const cases: Case[] = [];
  for (const fmt of ["NHWC", "NCHW"] as const) {
    for (const pad of ["valid", "same", 1] as const)
      for (const s of [1, 2]) {
        cases.push({
          x: fmt === "NHWC" ? [2, 9, 7, 3] : [2, 3, 9, 7],
          f: [3, 2, 3, 4],
          strides: [s, s],
          pad,
          dil: [1, 1],
          fmt,
        });
      }
    cases.push({
      x: fmt === "NHWC" ? [1, 6, 6, 2] : [1, 2, 6, 6],
      f: [1, 1, 2, 5],
      strides: [1, 1],
      pad: "valid",
      dil: [1, 1],
      fmt,
    });
  }
  cases.push({
    x: [2, 8, 8, 2],
    f: [3, 3, 2, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
    dil: [1, 1],
    fmt: "NHWC",
  });
  cases.push({ x: [3, 13, 13, 16], f: [3, 3, 16, 32], strides: [1, 1], pad: "valid", dil: [1, 1], fmt: "NHWC" });
  // Narrow filters (KH*KW*Ci <= 32) take the fused small-K path: a 1-channel first layer, odd sizes, strides.
  cases.push({ x: [3, 12, 11, 1], f: [3, 3, 1, 16], strides: [1, 1], pad: "valid", dil: [1, 1], fmt: "NHWC" });
  cases.push({ x: [2, 11, 10, 1], f: [5, 5, 1, 7], strides: [2, 1], pad: "same", dil: [1, 1], fmt: "NHWC" });
  cases.push({ x: [2, 9, 9, 3], f: [3, 3, 3, 33], strides: [2, 2], pad: 1, dil: [1, 1], fmt: "NHWC" });

  it("Conv2D and FusedConv2D forward match the cpu backend (layouts, paddings, strides, dilations, bias, activation)", async () => {
    const fwd: Case[] = [
      ...cases,
      { x: [1, 10, 9, 2], f: [3, 3, 2, 3], strides: [1, 1], pad: "same", dil: [2, 2], fmt: "NHWC" },
      { x: [1, 2, 10, 9], f: [3, 2, 2, 3], strides: [1, 1], pad: "valid", dil: [2, 1], fmt: "NCHW" },
    ];
    for (const c of fwd) {
      const xv = rand(size(c.x), 21),
        fv = rand(size(c.f), 22),
        bv = rand(c.f[3], 23);
      const plain = () =>
        tf.conv2d(
          tf.tensor4d(xv, c.x as [number, number, number, number]),
          tf.tensor4d(fv, c.f as [number, number, number, number]),
          c.strides,
          c.pad,
          c.fmt,
          c.dil,
        );
      assertClose((await on("wasm", plain))[0], (await on("cpu", plain))[0], `conv2d ${JSON.stringify(c)}`);
      for (const act of ["relu", "leakyrelu", "elu"] as const) {
        const fused = () =>
          tf.fused.conv2d({
            x: tf.tensor4d(xv, c.x as [number, number, number, number]),
            filter: tf.tensor4d(fv, c.f as [number, number, number, number]),
            strides: c.strides,
            pad: c.pad,
            dataFormat: c.fmt,
            dilations: c.dil,
            bias: tf.tensor1d(bv),
            activation: act,
            leakyreluAlpha: 0.3,
          });
        assertClose(
          (await on("wasm", fused))[0],
          (await on("cpu", fused))[0],
          `fused conv2d ${act} ${JSON.stringify(c)}`,
        );
      }
    }
  });

  it("Conv2DBackpropInput and Conv2DBackpropFilter match the cpu backend", async () => {
    for (const c of cases) {
      const xv = rand(size(c.x), 31),
        fv = rand(size(c.f), 32);
      const f = () => {
        const x = tf.tensor4d(xv, c.x as [number, number, number, number]),
          filt = tf.tensor4d(fv, c.f as [number, number, number, number]);
        const y = tf.conv2d(x, filt, c.strides, c.pad, c.fmt);
        const dy = tf.tensor(rand(y.size, 33), y.shape) as tf.Tensor4D;
        return [
          ...(c.fmt === "NHWC"
            ? [tf.conv2dTranspose(dy, filt, c.x as [number, number, number, number], c.strides, c.pad as "valid")]
            : []),
          tf
            .engine()
            .runKernel(
              "Conv2DBackpropFilter",
              { x, dy },
              { strides: c.strides, pad: c.pad, dataFormat: c.fmt, filterShape: c.f },
            ) as tf.Tensor,
          tf
            .engine()
            .runKernel(
              "Conv2DBackpropInput",
              { dy, filter: filt },
              { strides: c.strides, pad: c.pad, dataFormat: c.fmt, inputShape: c.x },
            ) as tf.Tensor,
        ];
      };
      const ref = await on("cpu", f),
        ours = await on("wasm", f);
      ref.forEach((r, i) => assertClose(ours[i], r, `conv backprop #${i} ${JSON.stringify(c)}`, 1e-4, 3e-4));
    }
  });

  it("MaxPoolGrad routes each gradient to its window's first maximum, like the cpu backend", async () => {
    for (const [shape, pool, stride, pad] of [
      [[2, 9, 8, 3], 2, 2, "valid"],
      [[1, 7, 7, 5], 3, 2, "same"],
      [[2, 6, 5, 4], 3, 1, "valid"],
      [[1, 5, 5, 2], 2, 1, "same"],
      [[2, 6, 6, 20], 2, 2, "valid"],
      [[1, 7, 6, 35], 3, 2, "same"],
      [[2, 26, 26, 16], 2, 2, "valid"],
      [[1, 7, 11, 17], 3, 3, "valid"],
      [[2, 11, 11, 32], 2, 2, "valid"],
    ] as Array<[number[], number, number, "valid" | "same"]>) {
      const xv = rand(size(shape), 121).map((v) => Math.round(v * 4) / 4); // coarse values: many ties
      const f = () =>
        tf.grad((x: tf.Tensor) => {
          const y = tf.maxPool(x as tf.Tensor4D, pool, stride, pad);
          return tf.sum(tf.mul(y, tf.tensor(rand(y.size, 122), y.shape)));
        })(tf.tensor(xv, shape));
      const [ref] = await on("cpu", f),
        [ours] = await on("wasm", f);
      assertClose(ours, ref, `maxPool grad ${JSON.stringify({ shape, pool, stride, pad })}`, 1e-6, 1e-6);
    }
  });

  it("MaxPool forward matches the cpu backend (channel blocks of 16 and remainders, paddings, strides, ties)", async () => {
    for (const [shape, pool, stride, pad] of [
      [[2, 9, 8, 3], 2, 2, "valid"],
      [[1, 7, 7, 5], 3, 2, "same"],
      [[2, 6, 5, 4], 3, 1, "valid"],
      [[1, 5, 5, 2], 2, 1, "same"],
      [[2, 26, 26, 16], 2, 2, "valid"],
      [[1, 7, 6, 35], 3, 2, "same"],
      [[1, 4, 4, 1], 4, 4, "valid"],
    ] as Array<[number[], number, number, "valid" | "same"]>) {
      const xv = rand(size(shape), 131).map((v) => Math.round(v * 4) / 4);
      const f = () => tf.maxPool(tf.tensor4d(xv, shape as [number, number, number, number]), pool, stride, pad);
      const [ref] = await on("cpu", f),
        [ours] = await on("wasm", f);
      assertClose(ours, ref, `maxPool ${JSON.stringify({ shape, pool, stride, pad })}`, 0, 0);
    }
  });

  it("the bias Add (x + b, b rank 1 along the last axis) is exact; other Adds still work", async () => {
    const cases: Array<[number[], number[]]> = [
      [[4, 5, 6, 16], [16]],
      [[7, 3], [3]],
      [[3, 1], [1]],
      [[2, 3, 5], [5]],
      [[5], [5]],
      [
        [2, 3],
        [2, 3],
      ],
      [[3], [2, 3]],
      [
        [2, 1, 4],
        [3, 1],
      ],
      [[2, 3], [1]],
    ];
    for (const [as, bs] of cases) {
      const av = rand(size(as), 141),
        bv = rand(size(bs), 142);
      const f = () => tf.add(tf.tensor(av, as), tf.tensor(bv, bs));
      const [ref] = await on("cpu", f),
        [ours] = await on("wasm", f);
      assertClose(ours, ref, `add ${JSON.stringify([as, bs])}`, 0, 0);
    }
    const ints = () =>
      tf.add(
        tf.tensor(
          [
            [1, 2],
            [3, 4],
          ],
          [2, 2],
          "int32",
        ),
        tf.tensor([10, 20], [2], "int32"),
      );
    assert.deepEqual(Array.from((await on("wasm", ints))[0]), [11, 22, 13, 24]);
  });

  it("gradients agree with central differences (the loss is linear in x and in the filter, so differences are exact up to rounding)", async () => {
    await tf.setBackend("wasm");
    const xs = [2, 7, 6, 3],
      fs = [3, 3, 3, 4];
    const xv = rand(size(xs), 41),
      fv = rand(size(fs), 42);
    const loss = (x: tf.Tensor4D, f: tf.Tensor4D) => {
      const y = tf.conv2d(x, f, [2, 1], "same");
      return tf.sum(tf.mul(y, tf.tensor(rand(y.size, 43), y.shape)));
    };
    const [gx, gf] = tf.grads((x: tf.Tensor, f: tf.Tensor) => loss(x as tf.Tensor4D, f as tf.Tensor4D))([
      tf.tensor(xv, xs),
      tf.tensor(fv, fs),
    ]);
    const gxv = gx.dataSync(),
      gfv = gf.dataSync();
    const h = 0.5;
    const evalLoss = (xArr: Float32Array, fArr: Float32Array) =>
      tf.tidy(
        () =>
          loss(
            tf.tensor4d(xArr, xs as [number, number, number, number]),
            tf.tensor4d(fArr, fs as [number, number, number, number]),
          ).dataSync()[0],
      );
    for (const i of [0, 17, 60, size(xs) - 1]) {
      const p = xv.slice(),
        m = xv.slice();
      p[i] += h;
      m[i] -= h;
      const num = (evalLoss(p, fv) - evalLoss(m, fv)) / (2 * h);
      assert.ok(Math.abs(num - gxv[i]) <= 1e-3 * (1 + Math.abs(num)), `dL/dx[${i}] ${gxv[i]} vs numeric ${num}`);
    }
    for (const i of [0, 5, 50, size(fs) - 1]) {
      const p = fv.slice(),
        m = fv.slice();
      p[i] += h;
      m[i] -= h;
      const num = (evalLoss(xv, p) - evalLoss(xv, m)) / (2 * h);
      assert.ok(Math.abs(num - gfv[i]) <= 1e-3 * (1 + Math.abs(num)), `dL/dfilter[${i}] ${gfv[i]} vs numeric ${num}`);
    }
    tf.dispose([gx, gf]);
  });
});
