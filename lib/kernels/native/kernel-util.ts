/**
 * The shared plumbing of the native kernel pack's tfjs kernels: the wasm backend types they rely on, tensor offsets
 * on the wasm heap, broadcast strides, batch indices, the fused-epilogue arguments and the convolution geometry.
 *
 * Heap rule: `backend.wasm.HEAPU8.buffer` is read after the last allocation of a kernel (makeOutput can grow
 * the wasm memory and detach older buffers), never cached.
 */
import * as tf from "@tensorflow/tfjs";
import { backend_util, util } from "@tensorflow/tfjs";

type TensorInfo = tf.TensorInfo;

/** The parts of tfjs-backend-wasm's BackendWasm the pack relies on (stable across 4.x). */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: {
    get(dataId: unknown): { memoryOffset: number; refCount: number; shape: number[] } | undefined;
    has(dataId: unknown): boolean;
  };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: unknown, force?: boolean): boolean;
  incRef(dataId: unknown): void;
}

/** What tfjs passes a kernel function on the wasm backend. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmBackendLike;
  attrs?: Record<string, unknown>;
}

const ACTIVATIONS: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  leakyrelu: 4,
  prelu: 5,
  sigmoid: 6,
};

/** Byte offset of a tensor on the wasm heap. */
export function offsetOf(backend: WasmBackendLike, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error("native kernel pack: tensor data is not on the wasm backend");
  return data.memoryOffset;
}

/** The wasm heap as it is now (re-read after every allocation: growth detaches the old buffer). */
export function heap(backend: WasmBackendLike): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

/** Bytes per element of a tensor of `dtype` on the wasm heap (bool: 1, everything else: 4). */
export function bytesPer(dtype: tf.DataType): number {
  return dtype === "bool" ? 1 : 4;
}

/** Per-dimension strides of an operand right-aligned and broadcast against `outShape` (0 where broadcast). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const r = outShape.length;
  const strides = new Int32Array(r);
  let s = 1;
  for (let i = shape.length - 1, d = r - 1; i >= 0; i--, d--) {
    if (d < 0) throw new Error(`native kernel pack: shape [${shape}] does not broadcast to [${outShape}]`);
    if (shape[i] !== 1 && shape[i] !== outShape[d])
      throw new Error(`native kernel pack: shape [${shape}] does not broadcast to [${outShape}]`);
    strides[d] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/** Flat indices into an operand's batch for each flat output batch index (null = identity). */
export function batchIndices(batchShape: number[], outBatch: number[]): Int32Array | null {
  const size = util.sizeFromShape(batchShape);
  const outSize = util.sizeFromShape(outBatch);
  if (size === outSize) return null;
  const idx = new Int32Array(outSize);
  if (size === 1) return idx;
  const strides = broadcastStrides(batchShape, outBatch);
  const r = outBatch.length;
  const pos = new Array<number>(r).fill(0);
  let off = 0;
  for (let e = 0; e < outSize; e++) {
    idx[e] = off;
    for (let d = r - 1; d >= 0; d--) {
      pos[d]++;
      off += strides[d];
      if (pos[d] < outBatch[d]) break;
      off -= strides[d] * outBatch[d];
      pos[d] = 0;
    }
  }
  return idx;
}

/** The addon's fused-epilogue arguments (bias, activation, prelu weights) for an output of `outShape`; throws on an
 * unknown activation. */
export function epilogueArgs(
  backend: WasmBackendLike,
  outShape: number[],
  bias: TensorInfo | undefined,
  prelu: TensorInfo | undefined,
  activation: string,
  alpha: number,
  channelsFirst = false,
): unknown[] {
  const act = ACTIVATIONS[activation ?? "linear"];
  if (act === undefined) throw new Error(`native kernel pack: unknown fused activation "${activation}"`);
  const out = Int32Array.from(outShape);
  // tfjs (cpu backend) reshapes a rank-1 bias / prelu weight to [C, 1, 1] for NCHW convolutions.
  const align = (t: TensorInfo) =>
    channelsFirst && t.shape.length === 1 && t.shape[0] !== 1 ? [t.shape[0], 1, 1] : t.shape;
  return [
    bias ? offsetOf(backend, bias) : -1,
    out,
    bias ? broadcastStrides(align(bias), outShape) : null,
    act,
    alpha,
    prelu ? offsetOf(backend, prelu) : -1,
    out,
    prelu ? broadcastStrides(align(prelu), outShape) : null,
    out,
  ];
}

/** The addon's convolution / pooling geometry: sizes, strides, dilations, padding and the x / y element strides. */
export function geometry(info: backend_util.Conv2DInfo): Int32Array {
  const first = info.dataFormat === "channelsFirst";
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co } = info;
  const xs = first ? [Ci * H * W, W, 1, H * W] : [H * W * Ci, W * Ci, Ci, 1];
  const ys = first ? [Co * OH * OW, OW, 1, OH * OW] : [OH * OW * Co, OW * Co, Co, 1];
  return Int32Array.from([
    N,
    H,
    W,
    Ci,
    info.filterHeight,
    info.filterWidth,
    Co,
    OH,
    OW,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    ...xs,
    ...ys,
  ]);
}

/** A tfjs conv / pool `dataFormat` attribute. */
export type DataFormat = "NHWC" | "NCHW";
/** A tfjs conv / pool `pad` attribute. */
export type Pad = "valid" | "same" | number | backend_util.ExplicitPadding;
/** A tfjs conv / pool `dimRoundingMode` attribute. */
export type Rounding = "floor" | "round" | "ceil" | undefined;
