/**
 * The optimizers of the training loop: built by name (tfjs's, or the native kernel pack's fused equivalents when
 * that pack is active on wasm), their learning rate set between epochs, their tensors freed, and the pack's fused
 * training step for dense softmax classifiers.
 */
import * as tf from "@tensorflow/tfjs";
import * as nativePack from "../kernels/native";
import type { FusedMLPStep } from "../kernels/native";
import type { LossKind } from "./losses";

/** Optimizers trainlab builds by name. */
export type OptimizerName = "sgd" | "momentum" | "adam" | "rmsprop";

/** The native kernel pack's fused optimizers, when the pack is active on the current (wasm) backend. */
function activeNativePack(): typeof nativePack | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  return nativePack.nativeKernelsActive() ? nativePack : undefined;
}

/**
 * Builds an optimizer by name: tfjs's, or the native kernel pack's fused equivalent (same update rule) when that
 * pack is active on wasm. @throws Error on an unknown name.
 */
export function makeOptimizer(name: OptimizerName, learningRate: number, momentum = 0.9): tf.Optimizer {
  const pack = name === "rmsprop" ? undefined : activeNativePack();
  if (pack) {
    if (name === "adam") return pack.nativeAdam(learningRate);
    if (name === "sgd") return pack.nativeSGD(learningRate, 0);
    if (name === "momentum") return pack.nativeSGD(learningRate, momentum);
  }
  switch (name) {
    case "sgd":
      return tf.train.sgd(learningRate);
    case "momentum":
      return tf.train.momentum(learningRate, momentum);
    case "adam":
      return tf.train.adam(learningRate);
    case "rmsprop":
      return tf.train.rmsprop(learningRate);
    default:
      throw new Error(`Unknown optimizer "${String(name)}". Use one of: sgd, momentum, adam, rmsprop.`);
  }
}

/**
 * Sets an optimizer's learning rate: SGD and momentum keep a cached scalar that `setLearningRate` renews, the others
 * read their `learningRate` field at each step. Throws nothing.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === "function") o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}

/**
 * Frees an optimizer's tensors. tfjs 4.22's MomentumOptimizer.dispose forgets the learning-rate scalar its SGD base
 * keeps (`c`), so without this every momentum run would leave one tensor behind.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (c instanceof tf.Tensor && !c.isDisposed) c.dispose();
}

/**
 * The native pack's fused step for a run when the network is a dense softmax classifier, the optimizer its Adam
 * and the pack is active; else undefined (the loop then runs tfjs ops). One-hot labels it makes go to `owned`.
 */
export function fusedStepFor(
  net: tf.LayersModel,
  loss: LossKind,
  x: tf.Tensor,
  y: tf.Tensor,
  optimizer: tf.Optimizer,
  l2: number,
  owned: tf.Tensor[],
): FusedMLPStep | undefined {
  if (loss !== "sparse-categorical" && loss !== "categorical") return undefined;
  const pack = activeNativePack();
  if (!pack || typeof pack.fusedMLPStep !== "function") return undefined;
  const classes = net.outputs[0].shape[net.outputs[0].shape.length - 1];
  if (typeof classes !== "number") return undefined;
  const yOneHot = tf.tidy(() =>
    loss === "categorical"
      ? tf.cast(y, "float32")
      : tf.oneHot(tf.cast(tf.reshape(y, [-1]), "int32") as tf.Tensor1D, classes).asType("float32"),
  );
  const step = pack.fusedMLPStep(net, x, yOneHot, optimizer, l2);
  if (typeof step === "string") {
    yOneHot.dispose();
    return undefined;
  }
  owned.push(yOneHot);
  return step;
}
