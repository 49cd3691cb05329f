/**
 * Gradient overrides and fused losses on the native pack: relu backward as one kernel, and
 * nativeSoftmaxCrossEntropy (forward and gradient in one call). Both compute what tfjs computes elsewhere.
 */
import * as tf from "@tensorflow/tfjs";
import { RELU_GRAD_KERNEL, SOFTMAX_CE_KERNEL } from "./kernels";
import { nativeKernelsActive } from "./install";

// Relu backward as one kernel. The gradient registry is global, so the override only takes the native path
// while the pack is active on the wasm backend; otherwise it computes what tfjs computes (dy * step(x)).
const stockReluGrad = tf.getGradient("Relu");
tf.registerGradient({
  kernelName: "Relu",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    if (nativeKernelsActive() && tf.getBackend() === "wasm" && x.dtype === "float32") {
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }) as tf.Tensor };
    }
    if (stockReluGrad) return stockReluGrad.gradFunc(dy, saved, attrs);
    return { x: () => tf.mul(dy as tf.Tensor, tf.cast(tf.step(x), "float32")) };
  },
});

/**
 * Mean softmax cross-entropy of `logits` [rows, classes] against one-hot (or soft) `labels`, with a fused
 * forward/backward on the native pack; elsewhere it is `tf.losses.softmaxCrossEntropy`.
 * Differentiable with respect to `logits`.
 * @throws Error when the shapes differ or are not rank 2.
 */
export function nativeSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  if (labels.rank !== 2 || logits.rank !== 2 || !util_equal(labels.shape, logits.shape)) {
    throw new Error(`nativeSoftmaxCrossEntropy: labels ${JSON.stringify(labels.shape)} and logits ${JSON.stringify(logits.shape)} must both be [rows, classes]`);
  }
  if (!(nativeKernelsActive() && tf.getBackend() === "wasm" && logits.dtype === "float32")) {
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  }
  const y = labels.dtype === "float32" ? labels : tf.cast(labels, "float32");
  const f = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, grad] = tf.engine().runKernel(SOFTMAX_CE_KERNEL, { logits: z, labels: y }) as tf.Tensor[];
    save([grad]);
    const value = tf.mean(loss) as tf.Scalar;
    loss.dispose();
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], tf.div(dy, z.shape[0])) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const result = f(logits) as tf.Scalar;
  if (y !== labels) y.dispose();
  return result;
}

function util_equal(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
