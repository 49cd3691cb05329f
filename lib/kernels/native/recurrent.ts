/**
 * Fused recurrent layers on the native pack: tf.layers.lstm and tf.layers.gru run a whole sequence as one native
 * kernel (TrainlabLSTM / TrainlabGRU) with its gradient as one more (backward through time), instead of ~15 small
 * ops per timestep and ~40 in their gradients (about 7,000 kernel dispatches per batch of a 50-step LSTM).
 *
 * The layers' `call` is redirected only while the pack is active on the wasm backend, and only for what the fused
 * kernels compute exactly as tfjs's cells do: float32 input of rank 3, tanh activation, hardSigmoid or sigmoid
 * recurrent activation, no dropout, no mask or initial state, not stateful, not backwards, no returned states.
 * Everything else (and every other backend) runs tfjs's own cell, unchanged.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeKernelsActive } from "./install";
import { GRU_GRAD_KERNEL, GRU_KERNEL, LSTM_GRAD_KERNEL, LSTM_KERNEL } from "./recurrent-kernels";

/** Recurrent activations the kernels implement, by tfjs class name (the kernels' `recurrentActivation` code). */
export const RECURRENT_ACTIVATIONS: Record<string, number> = { hardSigmoid: 0, sigmoid: 1 };

interface LayerVariableLike {
  read(): tf.Tensor;
}
interface CellLike {
  units: number;
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
  kernel: LayerVariableLike;
  recurrentKernel: LayerVariableLike;
  bias?: LayerVariableLike;
}
interface RnnLayerLike {
  cell: CellLike;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

let fusedEnabled = true;

/**
 * Turns the fused recurrent kernels off (tfjs's own cells run, op by op, still on the pack's other kernels) or back
 * on; returns the previous setting. For comparisons such as bench/training's before/after; on by default.
 */
export function setFusedRecurrent(enabled: boolean): boolean {
  const previous = fusedEnabled;
  fusedEnabled = enabled;
  return previous;
}

/** Why the fused path cannot run this call (undefined when it can). */
function rejection(
  layer: RnnLayerLike,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown> | undefined,
  kernel: string,
): string | undefined {
  if (!nativeKernelsActive() || tf.getBackend() !== "wasm") return "the pack is not active on wasm";
  if (!fusedEnabled) return "turned off by setFusedRecurrent(false)";
  if (!tf.getKernel(kernel, "wasm")) return "this build of the pack has no fused recurrent kernels";
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  if (!x || x.rank !== 3 || x.dtype !== "float32") return "input is not one float32 tensor of rank 3";
  if (kwargs && (kwargs.mask != null || kwargs.initialState != null)) return "mask or initial state";
  if (layer.returnState || layer.goBackwards || layer.stateful) return "returnState, goBackwards or stateful";
  const cell = layer.cell;
  if (cell.dropout > 0 || cell.recurrentDropout > 0) return "dropout";
  if (cell.activation.getClassName() !== "tanh") return "activation other than tanh";
  if (!(cell.recurrentActivation.getClassName() in RECURRENT_ACTIVATIONS)) {
    return "recurrent activation other than hardSigmoid/sigmoid";
  }
  return undefined;
}

/** Runs the whole sequence with the fused kernel pair; returns hs [B, T, U] or the last step [B, U]. */
function fusedCall(layer: RnnLayerLike, x: tf.Tensor3D, forward: string, backward: string): tf.Tensor {
  const cell = layer.cell;
  const attrs = {
    recurrentActivation: RECURRENT_ACTIVATIONS[cell.recurrentActivation.getClassName()],
    units: cell.units,
  };
  const seq = layer.returnSequences;
  const weights = [
    cell.kernel.read(),
    cell.recurrentKernel.read(),
    ...(cell.useBias && cell.bias ? [cell.bias.read()] : []),
  ];
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [xs, w, wr, b] = args.slice(0, -1) as tf.Tensor[];
    const inputs: tf.NamedTensorMap = { x: xs, w, wr, ...(b ? { b } : {}) };
    const outs = tf.engine().runKernel(forward, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([xs, w, wr, ...outs]);
    const hs = outs[0] as tf.Tensor3D;
    const [B, T, U] = hs.shape;
    const value = seq ? tf.clone(hs) : tf.reshape(tf.slice(hs, [0, T - 1, 0], [B, 1, U]), [B, U]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, swr, ...rest] = saved;
        const gradInputs: tf.NamedTensorMap = { x: sx, w: sw, wr: swr, dh: dy };
        rest.forEach((t, i) => {
          gradInputs[`s${i}`] = t;
        });
        const grads = tf.engine().runKernel(backward, gradInputs, {
          ...attrs,
          seq,
          useBias: b !== undefined,
        } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return b !== undefined ? grads : grads.slice(0, 3);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (f as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, ...weights);
}

/** Redirects `proto.call` to the fused kernels when they apply (see the file comment). */
function patch(proto: RnnLayerLike, forward: string, backward: string): void {
  const stock = proto.call;
  proto.call = function (this: RnnLayerLike, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
    if (rejection(this, inputs, kwargs, forward) !== undefined) return stock.call(this, inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    return tf.tidy(() => fusedCall(this, x, forward, backward));
  };
}

/**
 * Why a tf.layers.lstm / tf.layers.gru layer would run on tfjs's own cell rather than the fused kernels here (for
 * reports and tests); undefined when a call with a float32 [batch, steps, features] input would be fused.
 */
export function fusedRecurrentRejection(layer: tf.layers.Layer): string | undefined {
  const kind = layer.getClassName();
  if (kind !== "LSTM" && kind !== "GRU") return `${kind} is not an LSTM or GRU layer`;
  const probe = tf.zeros([1, 1, 1]);
  try {
    return rejection(layer as unknown as RnnLayerLike, probe, undefined, kind === "LSTM" ? LSTM_KERNEL : GRU_KERNEL);
  } finally {
    probe.dispose();
  }
}

patch(Object.getPrototypeOf(tf.layers.lstm({ units: 1 })) as RnnLayerLike, LSTM_KERNEL, LSTM_GRAD_KERNEL);
patch(Object.getPrototypeOf(tf.layers.gru({ units: 1 })) as RnnLayerLike, GRU_KERNEL, GRU_GRAD_KERNEL);
