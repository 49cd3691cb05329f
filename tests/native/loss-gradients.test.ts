/**
 * The native pack's backward passes for the loss path of tfjs-layers' categoricalCrossentropy (Softmax,
 * ClipByValue, Log, RealDiv: see lib/kernels/native/gradients.ts) against tfjs's own gradients on the cpu backend:
 * bit for bit, NaN, ±Inf, -0 and the clip bounds included; and model.fit training the same with them on and off.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { setNativeLossGradients } from "../../lib/kernels/native";
import { assertClose, rand, on, usePackOnWasm } from "./helpers";

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1e-7, 1 - 1e-7, 1e30, -1e30];

/** Random values in [-scale, scale) with the special values written over the first entries. */
function values(n: number, seed: number, scale = 3): Float32Array {
  const v = rand(n, seed).map((x) => x * scale);
  SPECIAL.forEach((s, i) => {
    if (i < n) v[(i * 7) % n] = s;
  });
  return v;
}

/** Asserts two float32 arrays hold the same bits (NaN equal to NaN, -0 different from 0). */
function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i]))
      assert.fail(`${what}: element ${i} is ${actual[i]}, tfjs on cpu gives ${expected[i]}`);
  }
}

/** The kernels one evaluation of `f` dispatches on the current backend. */
async function kernelsOf(f: () => tf.Tensor | tf.Tensor[]): Promise<string[]> {
  const profile = await tf.profile(() => {
    tf.dispose(f());
  });
  return profile.kernelNames;
}

describe("native kernel pack (lib/kernels/native): backward passes of the categorical cross-entropy loss path", function () {
  this.timeout(120000);
  usePackOnWasm();

  it("Softmax's gradient is one kernel and gives tfjs's bits, at rank 2 and 3, with NaN, ±Inf and -0 in dy and logits", async () => {
    for (const shape of [
      [7, 10],
      [2, 3, 5],
      [1, 1],
      [4, 33],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      for (const [zv, dv] of [
        [rand(n, 3).map((x) => x * 4), rand(n, 4)],
        [values(n, 5), rand(n, 6)],
        [rand(n, 7), values(n, 8)],
      ]) {
        const f = () =>
          tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.softmax(z), tf.tensor(dv, shape))))(tf.tensor(zv, shape));
        // (Softmax's forward differs from the cpu backend's in the last bits on wasm, so the gradient is compared
        // bit for bit with tfjs's own gradient on wasm, and within rounding with the cpu backend.)
        const [ref] = await on("cpu", f),
          [ours] = await on("wasm", f);
        const previous = setNativeLossGradients(false);
        const [stock] = await on("wasm", f).finally(() => setNativeLossGradients(previous));
        assertSameBits(ours, stock, `softmax gradient [${shape}] against tfjs's gradient on wasm`);
        const finite = (v: Float32Array) => v.map((e, i) => (Number.isFinite(e) && Number.isFinite(ref[i]) ? e : 0));
        assertClose(finite(ours), finite(ref), `softmax gradient [${shape}] against the cpu backend`, 1e-5, 1e-6);
        ours.forEach((e, i) => {
          if (!Number.isFinite(ref[i])) assert.ok(Object.is(e, ref[i]), `element ${i}: ${e}, cpu ${ref[i]}`);
        });
      }
    }
    await tf.setBackend("wasm");
    const kernels = await kernelsOf(() =>
      tf.grad((z: tf.Tensor) => tf.sum(tf.softmax(z)))(tf.tensor2d(rand(20, 9), [4, 5])),
    );
    assert.ok(kernels.includes("TrainlabSoftmaxGrad") && !kernels.includes("Sub"), `kernels: ${kernels.join(" ")}`);
  });

  it("ClipByValue's gradient is one kernel and passes dy exactly where min <= x <= max (bounds included, NaN x gives 0)", async () => {
    const xv = Float32Array.from([1e-7, 1 - 1e-7, 0.5, 0, -0, NaN, Infinity, -Infinity, 2, -1, 1e-8, 0.9999999]);
    for (const dv of [rand(xv.length, 11), values(xv.length, 12)]) {
      const f = () =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(x, 1e-7, 1 - 1e-7), tf.tensor(dv))))(tf.tensor(xv));
      const [ref] = await on("cpu", f),
        [ours] = await on("wasm", f);
      assertSameBits(ours, ref, "clipByValue gradient");
    }
    const big = values(3000, 13);
    const g = () => tf.grad((x: tf.Tensor) => tf.sum(tf.clipByValue(x, -1, 2)))(tf.tensor(big, [30, 100]));
    assertSameBits((await on("wasm", g))[0], (await on("cpu", g))[0], "clipByValue gradient [30, 100]");
    await tf.setBackend("wasm");
    const kernels = await kernelsOf(g);
    assert.ok(
      kernels.includes("TrainlabClipByValueGrad") && !kernels.includes("LogicalAnd"),
      `kernels: ${kernels.join(" ")}`,
    );
  });

  it("Log's and RealDiv's gradients give tfjs's bits with broadcasting, zero divisors, NaN and ±Inf, and run no Cast", async () => {
    const av = values(12, 21),
      bRow = values(4, 22),
      bCol = Float32Array.from([0, -0, 2]),
      bAll = rand(12, 23);
    const cases: Array<[string, number[], Float32Array, number[]]> = [
      ["[3,4] / [3,4]", [3, 4], bAll, [3, 4]],
      ["[3,4] / [4]", [3, 4], bRow, [4]],
      ["[3,4] / [3,1]", [3, 4], bCol, [3, 1]],
      ["[3,4] / scalar", [3, 4], Float32Array.from([-0.5]), []],
    ];
    for (const [what, aShape, bv, bShape] of cases) {
      const f = () =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.div(a, b), tf.tensor(rand(12, 24), [3, 4]))))([
          tf.tensor(av, aShape),
          tf.tensor(bv, bShape),
        ]);
      const ref = await on("cpu", f),
        ours = await on("wasm", f);
      assertSameBits(ours[0], ref[0], `${what}: gradient for a`);
      assertSameBits(ours[1], ref[1], `${what}: gradient for b`);
    }
    const lv = Float32Array.from([1e-7, 0.5, 0, -0, NaN, Infinity, -1, 3]);
    const fl = () => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.log(x), tf.tensor(values(8, 25)))))(tf.tensor(lv));
    assertSameBits((await on("wasm", fl))[0], (await on("cpu", fl))[0], "log gradient");
    await tf.setBackend("wasm");
    const kernels = await kernelsOf(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.log(tf.div(a, b)))([tf.tensor(av, [3, 4]), tf.tensor(bRow)]),
    );
    assert.ok(!kernels.includes("Cast"), `kernels: ${kernels.join(" ")}`);
  });

  it("model.fit of a softmax MLP with categoricalCrossentropy trains the same with the native loss gradients on and off, leaving no tensors", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor2d(rand(96 * 20, 31), [96, 20]);
    const y = tf.tidy(() =>
      tf
        .oneHot(
          tf.tensor1d(
            Array.from({ length: 96 }, (_, i) => (i * 7) % 5),
            "int32",
          ),
          5,
        )
        .asType("float32"),
    );
    const fit = async (nativeGradients: boolean): Promise<{ loss: number[]; weights: Float32Array[] }> => {
      const previous = setNativeLossGradients(nativeGradients);
      try {
        const model = tf.sequential({
          layers: [
            tf.layers.dense({
              units: 16,
              activation: "relu",
              inputShape: [20],
              kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
            }),
            tf.layers.dense({
              units: 5,
              activation: "softmax",
              kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
            }),
          ],
        });
        model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
        const history = await model.fit(x, y, { batchSize: 32, epochs: 4, shuffle: false, verbose: 0 });
        const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
        model.optimizer.dispose();
        model.dispose();
        return { loss: history.history.loss as number[], weights };
      } finally {
        setNativeLossGradients(previous);
      }
    };
    const off = await fit(false);
    const before = tf.memory().numTensors;
    const onNative = await fit(true);
    assert.equal(tf.memory().numTensors, before, "tensors left behind by a fit with the native loss gradients");
    tf.dispose([x, y]);
    assert.ok(onNative.loss[3] < onNative.loss[0], `the loss falls: ${onNative.loss}`);
    assert.deepEqual(onNative.loss, off.loss, "loss per epoch");
    onNative.weights.forEach((w, i) => assertSameBits(w, off.weights[i], `weight ${i} after training`));
  });
});
