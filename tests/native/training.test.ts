/**
 * Training on the native kernel pack reaches what the cpu (reference) backend reaches, on real MNIST digits,
 * with the same initial weights and the same batch order. The two runs differ only by float32 rounding (other
 * summation orders), which training amplifies a little, so accuracies must agree within 3 points on 400 test
 * digits (one point is 4 digits; runs with different seeds differ by more than that).
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { useBackend } from "../../lib/backend";
import { loadImages } from "../../lib/datasets";
import { fitNativeMLP, nativeAdam, nativeKernelStatus, nativeMLPSupport } from "../../lib/kernels/native";
import { mlp as mlpClassifier } from "../../lib/models/nn";

const TRAIN = 1200,
  TEST = 400;

/** A fixed, seeded shuffle of MNIST (the source is grouped by digit). */
function mnistSplit(): { xTrain: Float32Array; yTrain: Int32Array; xTest: Float32Array; yTest: Int32Array } {
  const { images, labels, count } = loadImages("mnist");
  const order = Array.from({ length: count }, (_, i) => i);
  let s = 12345;
  for (let i = count - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (from: number, n: number) => {
    const x = new Float32Array(n * 784),
      y = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const src = order[from + k];
      for (let p = 0; p < 784; p++)
        x[k * 784 + p] = images[src * 784 + p] > 1 ? images[src * 784 + p] / 255 : images[src * 784 + p];
      y[k] = labels[src];
    }
    return { x, y };
  };
  const tr = take(0, TRAIN),
    te = take(TRAIN, TEST);
  return { xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y };
}

type Builder = () => tf.Sequential;
const mlp: Builder = () =>
  tf.sequential({
    layers: [
      tf.layers.dense({
        units: 64,
        activation: "relu",
        inputShape: [784],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({
        units: 10,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
const cnn: Builder = () =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        activation: "relu",
        inputShape: [28, 28, 1],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: "same",
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 10,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
      }),
    ],
  });

async function trainAndScore(
  backend: "cpu" | "wasm",
  build: Builder,
  image: boolean,
  optimizer: () => tf.Optimizer,
  epochs: number,
): Promise<number> {
  await tf.setBackend(backend);
  const data = mnistSplit();
  const shape = (n: number): number[] => (image ? [n, 28, 28, 1] : [n, 784]);
  const x = tf.tensor(data.xTrain, shape(TRAIN)),
    y = tf.oneHot(tf.tensor1d(data.yTrain, "int32"), 10);
  const xt = tf.tensor(data.xTest, shape(TEST));
  const model = build();
  model.compile({ optimizer: optimizer(), loss: "categoricalCrossentropy" });
  await model.fit(x, y, { batchSize: 32, epochs, shuffle: false, verbose: 0 });
  const pred = tf.tidy(() => (model.predict(xt) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0;
  pred.forEach((p, i) => {
    if (p === data.yTest[i]) correct++;
  });
  tf.dispose([x, y, xt]);
  model.dispose();
  return correct / TEST;
}

describe("training on the native kernel pack matches the cpu backend (MNIST)", function () {
  this.timeout(120000);
  before(async () => {
    await useBackend("wasm");
    assert.ok(nativeKernelStatus().active, nativeKernelStatus().reason);
  });
  after(async () => {
    await tf.setBackend("wasm");
  });

  it("MLP with Adam: same accuracy within 3 points", async () => {
    const ref = await trainAndScore("cpu", mlp, false, () => tf.train.adam(1e-3), 3);
    const ours = await trainAndScore("wasm", mlp, false, () => tf.train.adam(1e-3), 3);
    const fused = await trainAndScore("wasm", mlp, false, () => nativeAdam(1e-3), 3);
    assert.ok(ref > 0.8, `the reference run should learn (accuracy ${ref})`);
    assert.ok(Math.abs(ours - ref) <= 0.03, `native ${ours} vs cpu ${ref}`);
    assert.ok(Math.abs(fused - ref) <= 0.03, `native + fused Adam ${fused} vs cpu ${ref}`);
  });

  it("CNN (conv, pooling, strided same-padded conv) with Adam: same accuracy within 3 points", async () => {
    const ref = await trainAndScore("cpu", cnn, true, () => tf.train.adam(2e-3), 2);
    const ours = await trainAndScore("wasm", cnn, true, () => nativeAdam(2e-3), 2);
    assert.ok(ref > 0.6, `the reference run should learn (accuracy ${ref})`);
    assert.ok(Math.abs(ours - ref) <= 0.03, `native ${ours} vs cpu ${ref}`);
  });

  it("the fused MLP fast path (fitNativeMLP) trains like model.fit: same loss curve and accuracy", async () => {
    await tf.setBackend("wasm");
    const data = mnistSplit();
    const x = tf.tensor2d(data.xTrain, [TRAIN, 784]),
      y = tf.oneHot(tf.tensor1d(data.yTrain, "int32"), 10).asType("float32");
    const xt = tf.tensor2d(data.xTest, [TEST, 784]);
    const score = (m: tf.Sequential) => {
      const pred = tf.tidy(() => (m.predict(xt) as tf.Tensor).argMax(-1).dataSync());
      return Array.from(pred).reduce((acc, p, i) => acc + (p === data.yTest[i] ? 1 : 0), 0) / TEST;
    };
    const viaFit = mlp();
    viaFit.compile({ optimizer: nativeAdam(1e-3), loss: "categoricalCrossentropy" });
    const h = await viaFit.fit(x, y, { batchSize: 32, epochs: 3, shuffle: false, verbose: 0 });
    const fast = mlp();
    fast.compile({ optimizer: nativeAdam(1e-3), loss: "categoricalCrossentropy" });
    assert.deepEqual(nativeMLPSupport(fast), { ok: true });
    const first = await fitNativeMLP(fast, x, y, { batchSize: 32, epochs: 1, shuffle: false });
    const before = tf.memory().numTensors; // after the optimizer created its moment tensors
    const rest = await fitNativeMLP(fast, x, y, { batchSize: 32, epochs: 2, shuffle: false });
    assert.equal(tf.memory().numTensors, before, "the fast path creates no tensors per step");
    const r = { loss: [...first.loss, ...rest.loss] };
    (h.history.loss as number[]).forEach((l, i) =>
      assert.ok(Math.abs(l - r.loss[i]) < 2e-3, `epoch ${i}: model.fit loss ${l} vs fast path ${r.loss[i]}`),
    );
    const a = score(viaFit),
      b = score(fast);
    assert.ok(a > 0.8 && Math.abs(a - b) <= 0.01, `accuracy model.fit ${a} vs fast path ${b}`);
    const conv = cnn();
    conv.compile({ optimizer: nativeAdam(1e-3), loss: "categoricalCrossentropy" });
    const why = nativeMLPSupport(conv);
    assert.ok(!why.ok && /Conv2D/.test(why.reason), "a conv net is rejected with a reason");
    tf.dispose([x, y, xt]);
    viaFit.dispose();
    fast.dispose();
    conv.dispose();
  });

  it("train() runs a dense softmax classifier as the fused native step and learns what the tfjs path learns", async () => {
    await tf.setBackend("wasm");
    const data = mnistSplit();
    const x = tf.tensor2d(data.xTrain, [TRAIN, 784]),
      xt = tf.tensor2d(data.xTest, [TEST, 784]);
    const labels = Array.from(data.yTrain),
      testLabels = Array.from(data.yTest);
    const quiet = { live: "none" as const };
    for (const l2 of [0, 1e-3]) {
      const params = { hiddenUnits: [64, 32], epochs: 3, batchSize: 32, seed: 11, l2, validationSplit: 0.1 };
      const fused = await mlpClassifier(params).fit(x, labels, quiet);
      const viaTfjs = await mlpClassifier(params).fit(x, labels, { ...quiet, fusedStep: false });
      assert.equal(fused.history!.fusedStep, true, "the fused step was taken");
      assert.equal(viaTfjs.history!.fusedStep, false);
      // Same seed: same initial weights, same batches; only float32 summation order differs.
      for (const key of ["loss", "acc", "val_loss", "val_acc"]) {
        fused.history!.metrics[key].forEach((v, i) => {
          const ref = viaTfjs.history!.metrics[key][i];
          assert.ok(Math.abs(v - ref) < 5e-3, `l2 ${l2}, ${key} at epoch ${i + 1}: fused ${v} vs tfjs ${ref}`);
        });
      }
      const a = fused.score(xt, testLabels),
        b = viaTfjs.score(xt, testLabels);
      assert.ok(a > 0.8 && Math.abs(a - b) <= 0.01, `l2 ${l2}: held-out accuracy fused ${a} vs tfjs ${b}`);
      fused.dispose();
      viaTfjs.dispose();
    }
    // What the fused step cannot do goes through tfjs: dropout layers, other optimizers.
    const withDropout = await mlpClassifier({ hiddenUnits: [16], dropout: 0.2, epochs: 1, seed: 1 }).fit(
      x,
      labels,
      quiet,
    );
    const withSgd = await mlpClassifier({ hiddenUnits: [16], optimizer: "sgd", epochs: 1, seed: 1 }).fit(
      x,
      labels,
      quiet,
    );
    assert.equal(withDropout.history!.fusedStep, false);
    assert.equal(withSgd.history!.fusedStep, false);
    withDropout.dispose();
    withSgd.dispose();
    tf.dispose([x, xt]);
  });

  it("keeps tf.memory().numTensors flat across repeated training", async () => {
    await tf.setBackend("wasm");
    const model = mlp();
    model.compile({ optimizer: nativeAdam(1e-3), loss: "categoricalCrossentropy" });
    const x = tf.randomNormal([256, 784], 0, 1, "float32", 7),
      y = tf.oneHot(tf.randomUniform([256], 0, 10, "int32", 8), 10);
    await model.fit(x, y, { batchSize: 64, epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.fit(x, y, { batchSize: 64, epochs: 1, verbose: 0 });
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
