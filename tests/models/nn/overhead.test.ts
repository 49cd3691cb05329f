/**
 * A neural estimator's fit costs nothing over a bare tfjs `model.fit` of the same layers, checked by counting work,
 * never by timing it: per batch it runs no more tfjs kernels and keeps no more tensors than model.fit does (mlp with
 * the native pack: none at all, one fused native call), and a float32 tensor input is read where it lies instead of
 * being copied. Counted with `tf.profile` on real MNIST images.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../../lib/backend";
// As `import "trainlab"` does: the native kernel pack (when built) accelerates wasm.
import { nativeKernelsActive } from "../../../lib/kernels/native";
import { buildNetwork, cnn, mlp, NEURAL_DEFAULTS } from "../../../lib/models/nn";
import { featureTensor } from "../../../lib/models/nn/inputs";
import type { NeuralParams } from "../../../lib/models/nn";
import { makeOptimizer } from "../../../lib/train/loop";
import { mnistSplit } from "./helpers";

const quiet = { live: "none" as const };

/** Kernels run, tensors left and peak bytes above the start while `run` goes. */
async function countWork(
  run: () => Promise<void>,
): Promise<{ kernels: number; newTensors: number; peakAbove: number }> {
  const start = tf.memory().numBytes;
  const info = await tf.profile(run);
  // tf.profile hands back the engine's one profile record, which the next profile reuses: copy the counts now.
  return { kernels: info.kernels.length, newTensors: info.newTensors, peakAbove: info.peakBytes - start };
}

/** Kernels per batch: the difference between a fit of `long` batches and one of `short`, over the batches between. */
async function kernelsPerBatch(
  fitBatches: (batches: number) => Promise<void>,
  short = 2,
  long = 6,
): Promise<{ perBatch: number; newTensors: number }> {
  const a = await countWork(() => fitBatches(short));
  const b = await countWork(() => fitBatches(long));
  return { perBatch: (b.kernels - a.kernels) / (long - short), newTensors: Math.max(a.newTensors, b.newTensors) };
}

describe("neural estimators cost nothing over a bare model.fit", function () {
  this.timeout(300000);
  const batch = 32;
  let images: { xTrain: tf.Tensor4D; yTrain: number[]; xTest: tf.Tensor4D };
  let oneHot: tf.Tensor;
  before(async () => {
    await tf.setBackend((await ensureBackend()).tfName);
    images = mnistSplit(6 * batch, 1);
    oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(images.yTrain, "int32"), 10).asType("float32"));
  });
  after(() => tf.dispose([images.xTrain, images.xTest, oneHot]));

  /** One epoch of a bare model.fit of `params`' layers on the first `batches` batches, the estimator's optimizer. */
  async function bareFit(params: NeuralParams, shape: number[], batches: number): Promise<void> {
    const net = buildNetwork(params, shape, 10);
    const x = tf.tidy(() => tf.reshape(images.xTrain.slice(0, batches * batch), [batches * batch, ...shape]));
    const y = oneHot.slice(0, batches * batch);
    try {
      net.compile({ optimizer: makeOptimizer(params.optimizer, params.learningRate), loss: "categoricalCrossentropy" });
      await net.fit(x, y, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
    } finally {
      tf.dispose([x, y]);
      (net.optimizer as tf.Optimizer).dispose();
      net.dispose();
    }
  }

  it("cnn(): per batch, no more tfjs kernels than model.fit of the same layers, and no tensor left behind", async () => {
    const params = {
      ...NEURAL_DEFAULTS.cnn,
      task: "classification" as const,
      filters: [4, 8],
      batchSize: batch,
      epochs: 1,
      seed: 1,
    };
    const est = await kernelsPerBatch(async (batches) => {
      const x = images.xTrain.slice(0, batches * batch);
      try {
        const { architecture: _a, ...p } = params;
        (await cnn(p).fit(x, images.yTrain.slice(0, batches * batch), quiet)).dispose();
      } finally {
        x.dispose();
      }
    });
    const bare = await kernelsPerBatch((batches) => bareFit(params, [28, 28, 1], batches));
    assert.ok(est.perBatch > 0, "the cnn trains with tfjs kernels");
    assert.ok(
      est.perBatch <= bare.perBatch,
      `cnn() runs ${est.perBatch} kernels per batch, a bare model.fit ${bare.perBatch}`,
    );
    assert.equal(est.newTensors, 0, "fit leaves no tensor behind");
  });

  it("mlp(): one fused native call per batch where the native pack is active (no tfjs kernels), else no more kernels than model.fit", async () => {
    const params = {
      ...NEURAL_DEFAULTS.mlp,
      task: "classification" as const,
      hiddenUnits: [32],
      batchSize: batch,
      epochs: 1,
      seed: 1,
    };
    let fused: boolean | undefined;
    const est = await kernelsPerBatch(async (batches) => {
      const x = tf.tidy(() => tf.reshape(images.xTrain.slice(0, batches * batch), [batches * batch, 784]));
      try {
        const { architecture: _a, ...p } = params;
        const model = await mlp(p).fit(x, images.yTrain.slice(0, batches * batch), quiet);
        fused = model.history!.fusedStep;
        model.dispose();
      } finally {
        x.dispose();
      }
    });
    assert.equal(est.newTensors, 0, "fit leaves no tensor behind");
    if (nativeKernelsActive() && tf.getBackend() === "wasm") {
      assert.equal(fused, true, "a dense softmax classifier trained with Adam takes the native pack's fused step");
      assert.equal(est.perBatch, 0, "the fused step runs no tfjs kernel per batch");
    } else {
      assert.equal(fused, false, "without the native pack there is no fused step");
      const bare = await kernelsPerBatch((batches) => bareFit(params, [784], batches));
      assert.ok(
        est.perBatch <= bare.perBatch,
        `mlp() runs ${est.perBatch} kernels per batch, a bare model.fit ${bare.perBatch}`,
      );
    }
  });

  it("fit reads a float32 tensor input in place: the network trains on the caller's data buffer, not a copy of it", () => {
    // (tf.memory().numBytes counts a reshaped view again, so the check is on the data buffer itself.)
    const flat = tf.tidy(() => tf.reshape(images.xTrain, [images.xTrain.shape[0], 784]));
    try {
      for (const [arch, input] of [
        ["cnn", images.xTrain],
        ["cnn", flat],
        ["mlp", flat],
        ["mlp", images.xTrain],
      ] as const) {
        const buffersBefore = tf.memory().numDataBuffers;
        const { tensor } = featureTensor(input, { architecture: arch });
        try {
          assert.equal(tensor.dataId, input.dataId, `${arch} on [${input.shape}]: the features share the input's data`);
          assert.equal(tf.memory().numDataBuffers, buffersBefore, `${arch} on [${input.shape}]: no new data buffer`);
          assert.deepEqual(tensor.shape, arch === "cnn" ? [input.shape[0], 28, 28, 1] : [input.shape[0], 784]);
        } finally {
          tensor.dispose();
        }
      }
      assert.equal(flat.isDisposed, false, "the caller's tensor stays usable");
    } finally {
      flat.dispose();
    }
  });
});
