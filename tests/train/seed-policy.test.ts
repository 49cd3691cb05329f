/**
 * The seed policy holds for raw tfjs models too: train() without a seed shuffles (and drops out) with seed 0, like
 * every trainlab estimator's fit, so the same model from the same weights trains to the same losses twice.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { train } from "../../lib/train";

function model(): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 8,
        activation: "relu",
        inputShape: [2],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({
        units: 2,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  return m;
}

describe("train() seed policy", () => {
  it("without a seed, two runs from the same weights give the same loss curve (seed 0, as every fit)", async () => {
    const X = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7)]);
    const y = X.map(([a, b]) => (a + b > 0 ? 1 : 0));
    const options = {
      epochs: 3,
      batchSize: 8,
      loss: "sparseCategoricalCrossentropy" as const,
      live: "none" as const,
      fusedStep: false,
    };
    const first = model(),
      second = model();
    const x = tf.tensor2d(X),
      labels = tf.tensor1d(y, "float32");
    const h1 = await train(first, { x, y: labels }, options);
    const h2 = await train(second, { x, y: labels }, options);
    tf.dispose([x, labels]);
    assert.ok(h1.metrics.loss.length === 3);
    assert.deepEqual(h2.metrics.loss, h1.metrics.loss);
    first.dispose();
    second.dispose();
  });
});
