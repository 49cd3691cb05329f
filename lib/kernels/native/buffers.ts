/**
 * Ownership of wasm tensor buffers: in-place native updates are safe only on a buffer no other tensor shares
 * (tf.clone and Identity share buffers on wasm).
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackendLike } from "./kernels";
import { wasmBackend } from "./install";

/** Whether a wasm-backend tensor's memory is exclusively its own (useful to check in-place updates are safe). */
export function ownsBuffer(t: tf.Tensor): boolean {
  const backend = wasmBackend();
  return Boolean(backend?.dataIdMap.get(t.dataId)?.refCount === 1);
}

/** Makes sure a wasm variable owns its buffer alone (so an in-place update cannot change another tensor). */
export function exclusive(backend: WasmBackendLike, v: tf.Variable): void {
  const data = backend.dataIdMap.get(v.dataId);
  if (data && data.refCount === 1) return;
  const copy = tf.tidy(() => tf.add(v, tf.scalar(0)));
  v.assign(copy);
  copy.dispose();
}

/** `t` itself when it owns its wasm buffer alone; else a kept copy that does (and `t` is disposed). For optimizer slots. */
export function ownedSlot(backend: WasmBackendLike, t: tf.Tensor): tf.Tensor {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data || data.refCount === 1) return t;
  const copy = tf.keep(tf.tidy(() => tf.add(t, tf.scalar(0))));
  t.dispose();
  return copy;
}
