/**
 * The fused recurrent kernels for the wasm backend (TrainlabLSTM, TrainlabGRU and their gradients): thin wrappers
 * that allocate the outputs on the wasm heap and call the addon's lstm/gru entry points (src/recurrent.cc).
 * recurrent.ts routes tf.layers.lstm / tf.layers.gru to them.
 */
import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { heap, KernelArgs, offsetOf, WasmBackendLike } from "./kernels";

/** The custom kernels' names. */
export const LSTM_KERNEL = "TrainlabLSTM";
export const LSTM_GRAD_KERNEL = "TrainlabLSTMGrad";
export const GRU_KERNEL = "TrainlabGRU";
export const GRU_GRAD_KERNEL = "TrainlabGRUGrad";

type TensorInfo = tf.TensorInfo;

/** [B, T, F] and U of a call, from x [B, T, F] and the recurrent kernel [U, G·U]. */
function dims(x: TensorInfo, wr: TensorInfo): [number, number, number, number] {
  return [x.shape[0], x.shape[1], x.shape[2], wr.shape[0]];
}

function off(backend: WasmBackendLike, t: TensorInfo | undefined): number {
  return t ? offsetOf(backend, t) : -1;
}

/** Forward: [hs, cs, zs] for the LSTM (gates = 4), [hs, zs] for the GRU (gates = 3). */
function makeForward(addon: NativeAddon, gates: 3 | 4): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs } = args;
    const x = inputs.x!,
      w = inputs.w!,
      wr = inputs.wr!,
      b = inputs.b;
    const [B, T, F, U] = dims(x, wr);
    const act = Number(attrs?.recurrentActivation ?? 0);
    const hs = backend.makeOutput([B, T, U], "float32");
    const cs = gates === 4 ? backend.makeOutput([B, T, U], "float32") : undefined;
    const zs = backend.makeOutput([B, T, gates * U], "float32");
    if (gates === 4) {
      addon.lstmForward!(
        heap(backend),
        offsetOf(backend, x),
        offsetOf(backend, w),
        offsetOf(backend, wr),
        off(backend, b),
        offsetOf(backend, hs),
        offsetOf(backend, cs!),
        offsetOf(backend, zs),
        B,
        T,
        F,
        U,
        act,
      );
      return [hs, cs!, zs];
    }
    addon.gruForward!(
      heap(backend),
      offsetOf(backend, x),
      offsetOf(backend, w),
      offsetOf(backend, wr),
      off(backend, b),
      offsetOf(backend, hs),
      offsetOf(backend, zs),
      B,
      T,
      F,
      U,
      act,
    );
    return [hs, zs];
  }) as unknown as tf.KernelFunc;
}

/** Backward: [dx, dW, dWr(, db)] given the saved x, W, Wr, the forward's outputs (s0, s1, ...) and dh. */
function makeBackward(addon: NativeAddon, gates: 3 | 4): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs } = args;
    const x = inputs.x!,
      w = inputs.w!,
      wr = inputs.wr!,
      dh = inputs.dh!;
    const [B, T, F, U] = dims(x, wr);
    const act = Number(attrs?.recurrentActivation ?? 0),
      seq = Boolean(attrs?.seq),
      useBias = Boolean(attrs?.useBias);
    const dx = backend.makeOutput([B, T, F], "float32");
    const dw = backend.makeOutput([F, gates * U], "float32");
    const dwr = backend.makeOutput([U, gates * U], "float32");
    const db = useBias ? backend.makeOutput([gates * U], "float32") : undefined;
    const h = heap(backend);
    if (gates === 4) {
      addon.lstmBackward!(
        h,
        offsetOf(backend, x),
        offsetOf(backend, w),
        offsetOf(backend, wr),
        offsetOf(backend, inputs.s0!),
        offsetOf(backend, inputs.s1!),
        offsetOf(backend, inputs.s2!),
        offsetOf(backend, dh),
        seq,
        offsetOf(backend, dx),
        offsetOf(backend, dw),
        offsetOf(backend, dwr),
        off(backend, db),
        B,
        T,
        F,
        U,
        act,
      );
    } else {
      addon.gruBackward!(
        h,
        offsetOf(backend, x),
        offsetOf(backend, w),
        offsetOf(backend, wr),
        offsetOf(backend, inputs.s0!),
        offsetOf(backend, inputs.s1!),
        offsetOf(backend, dh),
        seq,
        offsetOf(backend, dx),
        offsetOf(backend, dw),
        offsetOf(backend, dwr),
        off(backend, db),
        B,
        T,
        F,
        U,
        act,
      );
    }
    return db ? [dx, dw, dwr, db] : [dx, dw, dwr];
  }) as unknown as tf.KernelFunc;
}

/** Kernel name -> factory, for an addon that has the recurrent entry points (an older build gets none). */
export function recurrentKernelFactories(addon: NativeAddon): Record<string, () => tf.KernelFunc> {
  if (typeof addon.lstmForward !== "function" || typeof addon.gruBackward !== "function") return {};
  return {
    [LSTM_KERNEL]: () => makeForward(addon, 4),
    [LSTM_GRAD_KERNEL]: () => makeBackward(addon, 4),
    [GRU_KERNEL]: () => makeForward(addon, 3),
    [GRU_GRAD_KERNEL]: () => makeBackward(addon, 3),
  };
}
