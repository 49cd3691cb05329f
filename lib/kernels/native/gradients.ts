/**
 * Gradient overrides and fused losses on the native pack: the backward passes of Relu, Softmax and ClipByValue as
 * one kernel each, Log's and RealDiv's without their float32 -> float32 Casts, and nativeSoftmaxCrossEntropy
 * (forward and gradient in one call). All compute what tfjs computes elsewhere. (tfjs-layers' model.fit with
 * loss categoricalCrossentropy runs Softmax, ClipByValue, Log and RealDiv backward every batch: these overrides
 * take 13 of its ~113 kernel dispatches per batch away.)
 */
import * as tf from "@tensorflow/tfjs";
import { CLIP_GRAD_KERNEL, RELU_GRAD_KERNEL, SOFTMAX_CE_KERNEL, SOFTMAX_GRAD_KERNEL } from "./kernels";
import { nativeKernelsActive } from "./install";
import { onForeignTfjsLoaded } from "../../core/foreign-tfjs";

/** The gradient overrides of this file, each as registered: {@link ensureNativeGradients} puts back any replaced. */
const overrides: tf.GradConfig[] = [];

/** Registers a gradient override and remembers it. */
function override(config: tf.GradConfig): void {
  overrides.push(config);
  tf.registerGradient(config);
}

/**
 * Puts back every gradient override of the pack that something registered over since: a second tfjs bundle (danfojs
 * loads `@tensorflow/tfjs-node`, here an alias of the whole tfjs bundle) re-registers tfjs's stock gradients into the
 * one global registry when it loads, which silently dropped these overrides. Cheap and idempotent: call it after
 * loading such a package and before training. Returns the kernel names it put back. Never throws.
 */
export function ensureNativeGradients(): string[] {
  const restored: string[] = [];
  for (const config of overrides) {
    if (tf.getGradient(config.kernelName)?.gradFunc === config.gradFunc) continue;
    tf.registerGradient(config);
    restored.push(config.kernelName);
  }
  return restored;
}

// Relu backward as one kernel. The gradient registry is global, so the override only takes the native path
// while the pack is active on the wasm backend; otherwise it computes what tfjs computes (dy * step(x)).
const stockReluGrad = tf.getGradient("Relu");
override({
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

let lossGradients = true;

/**
 * Turns the native backward passes of Softmax, ClipByValue, Log and RealDiv (the loss path of tfjs-layers'
 * categoricalCrossentropy) on or off; off, tfjs's own gradients run. On by default; for before/after measurements.
 * Returns the previous setting. Never throws.
 */
export function setNativeLossGradients(on: boolean): boolean {
  const previous = lossGradients;
  lossGradients = on;
  return previous;
}

/** Whether a gradient override should take the native path: switched on, the pack active on wasm, float32 tensors. */
function nativeFloat32(...ts: tf.Tensor[]): boolean {
  return lossGradients && nativeKernelsActive() && tf.getBackend() === "wasm" && ts.every((t) => t.dtype === "float32");
}

// Each override below keeps tfjs's own gradient for everything it does not handle (and when the pack is off).
const stockSoftmaxGrad = tf.getGradient("Softmax");
override({
  kernelName: "Softmax",
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [y] = saved;
    const dim = (attrs as { dim?: number }).dim ?? -1;
    if (
      nativeFloat32(y, dy as tf.Tensor) &&
      tf.getKernel(SOFTMAX_GRAD_KERNEL, "wasm") &&
      (dim === -1 || dim === y.rank - 1)
    ) {
      return { logits: () => tf.engine().runKernel(SOFTMAX_GRAD_KERNEL, { dy: dy as tf.Tensor, y }) as tf.Tensor };
    }
    return stockSoftmaxGrad!.gradFunc(dy, saved, attrs);
  },
});

const stockClipGrad = tf.getGradient("ClipByValue");
override({
  kernelName: "ClipByValue",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    if (nativeFloat32(x, dy as tf.Tensor) && tf.getKernel(CLIP_GRAD_KERNEL, "wasm")) {
      const { clipValueMin, clipValueMax } = attrs as { clipValueMin: number; clipValueMax: number };
      return {
        x: () =>
          tf
            .engine()
            .runKernel(CLIP_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, { clipValueMin, clipValueMax }) as tf.Tensor,
      };
    }
    return stockClipGrad!.gradFunc(dy, saved, attrs);
  },
});

// Log: dy / x, as tfjs (which casts x to float32 first: a no-op kernel call for float32 x).
const stockLogGrad = tf.getGradient("Log");
override({
  kernelName: "Log",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    if (nativeFloat32(x)) return { x: () => tf.div(dy as tf.Tensor, x) };
    return stockLogGrad!.gradFunc(dy, saved, attrs);
  },
});

// RealDiv: tfjs's gradient without its Casts of float32 operands to float32 (three kernel calls fewer).
const stockDivGrad = tf.getGradient("RealDiv");
override({
  kernelName: "RealDiv",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    if (!nativeFloat32(a, b)) return stockDivGrad!.gradFunc(dy, saved, attrs);
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const reduceTo = (t: tf.Tensor, shape: number[]) => {
      const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
      return axes.length > 0 ? tf.reshape(tf.sum(t, axes), shape) : t;
    };
    return {
      a: () => reduceTo(tf.div(dy as tf.Tensor, b), a.shape),
      b: () => tf.neg(tf.div(reduceTo(tf.mul(dy as tf.Tensor, a), b.shape), tf.square(b))),
    };
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
    throw new Error(
      `nativeSoftmaxCrossEntropy: labels ${JSON.stringify(labels.shape)} and logits ${JSON.stringify(logits.shape)} must both be [rows, classes]`,
    );
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

onForeignTfjsLoaded(() => void ensureNativeGradients());
