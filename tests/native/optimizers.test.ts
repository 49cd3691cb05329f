/**
 * The fused optimizers (nativeAdam, nativeSGD) against tf.train.*, and their buffer-ownership rules.
 * (Tolerances: see helpers.ts.)
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import {
  installNativeKernels,
  nativeAdam,
  nativeKernelsActive,
  nativeSGD,
  uninstallNativeKernels,
} from "../../lib/kernels/native";
import { rand, assertClose, usePackOnWasm } from "./helpers";

describe("native kernel pack (lib/kernels/native): fused optimizers", function () {
  this.timeout(120000);
  usePackOnWasm();

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
      const ref = await runOptimizer(make, 5),
        ours = await runOptimizer(mine, 5);
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
      const keptSlots = (await opt.getWeights())
        .filter((w) => w.name !== "iter")
        .map((w) => ({ name: w.name, tensor: tf.clone(w.tensor), values: Array.from(w.tensor.dataSync()) }));
      const before = Array.from(keptVar.dataSync());
      opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
      assert.notDeepEqual(Array.from(v.dataSync()), before, "the variable moved");
      assert.deepEqual(Array.from(keptVar.dataSync()), before, "its clone did not");
      for (const k of keptSlots)
        assert.deepEqual(Array.from(k.tensor.dataSync()), k.values, `slot ${k.name} clone unchanged`);
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
