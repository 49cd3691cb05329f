/**
 * The native kernel pack's tfjs kernels for the wasm backend. Each kernel computes with the C++ addon directly
 * on the wasm heap, at each tensor's memoryOffset, and falls back to the stock wasm kernel for dtypes or
 * attribute combinations it does not handle (which are listed next to each kernel).
 *
 * Heap rule: `backend.wasm.HEAPU8.buffer` is read after the last allocation of a kernel (makeOutput can grow
 * the wasm memory and detach older buffers), never cached.
 */
import * as tf from "@tensorflow/tfjs";
import { backend_util, broadcast_util, slice_util, util } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;

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

function bytesPer(dtype: tf.DataType): number {
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
function batchIndices(batchShape: number[], outBatch: number[]): Int32Array | null {
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

function epilogueArgs(
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

function makeMatMul(addon: NativeAddon, fallback: KernelFunc | undefined, fused: boolean): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const a = inputs.a!,
      b = inputs.b!;
    const bias = fused ? inputs.bias : undefined;
    const prelu = fused ? inputs.preluActivationWeights : undefined;
    if (
      a.dtype !== "float32" ||
      b.dtype !== "float32" ||
      (bias && bias.dtype !== "float32") ||
      (prelu && prelu.dtype !== "float32")
    ) {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("MatMul: only float32 tensors are supported");
    }
    const transposeA = Boolean(attrs.transposeA),
      transposeB = Boolean(attrs.transposeB);
    const ra = a.shape.length,
      rb = b.shape.length;
    const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (K !== Kb) {
      throw new Error(
        `Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ${b.shape} and ` +
          `transposeA=${transposeA} and transposeB=${transposeB} must match.`,
      );
    }
    const batchA = a.shape.slice(0, -2),
      batchB = b.shape.slice(0, -2);
    const outBatch = broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
    const outShape = [...outBatch, M, N];
    const batch = util.sizeFromShape(outBatch);
    const aIdx = batchIndices(batchA, outBatch),
      bIdx = batchIndices(batchB, outBatch);
    const out = backend.makeOutput(outShape, "float32");
    if (batch * M * N === 0) return out;
    const activation = (attrs.activation as string | undefined) ?? "linear";
    const alpha = (attrs.leakyreluAlpha as number | undefined) ?? 0.2;
    const tail = fused ? epilogueArgs(backend, outShape, bias, prelu, activation, alpha) : [];
    addon.matmul(
      heap(backend),
      offsetOf(backend, a),
      offsetOf(backend, b),
      offsetOf(backend, out),
      M,
      N,
      K,
      transposeA,
      transposeB,
      aIdx,
      bIdx,
      batch,
      M * K,
      K * N,
      ...tail,
    );
    return out;
  }) as unknown as KernelFunc;
}

function geometry(info: backend_util.Conv2DInfo): Int32Array {
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

type DataFormat = "NHWC" | "NCHW";
type Pad = "valid" | "same" | number | backend_util.ExplicitPadding;
type Rounding = "floor" | "round" | "ceil" | undefined;

function makeConv2D(addon: NativeAddon, fallback: KernelFunc | undefined, fused: boolean): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const x = inputs.x!,
      filter = inputs.filter!;
    const bias = fused ? inputs.bias : undefined,
      prelu = fused ? inputs.preluActivationWeights : undefined;
    if (x.dtype !== "float32" || filter.dtype !== "float32") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("Conv2D: only float32 tensors are supported");
    }
    const dataFormat = backend_util.convertConv2DDataFormat((attrs.dataFormat as DataFormat | undefined) ?? "NHWC");
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides as [number, number],
      (attrs.dilations as [number, number] | undefined) ?? 1,
      attrs.pad as Pad,
      attrs.dimRoundingMode as Rounding,
      false,
      dataFormat,
    );
    const out = backend.makeOutput(info.outShape, "float32");
    if (util.sizeFromShape(info.outShape) === 0) return out;
    const tail = fused
      ? epilogueArgs(
          backend,
          info.outShape,
          bias,
          prelu,
          (attrs.activation as string | undefined) ?? "linear",
          (attrs.leakyreluAlpha as number | undefined) ?? 0.2,
          dataFormat === "channelsFirst",
        )
      : [];
    addon.conv2d(
      heap(backend),
      offsetOf(backend, x),
      offsetOf(backend, filter),
      offsetOf(backend, out),
      geometry(info),
      ...tail,
    );
    return out;
  }) as unknown as KernelFunc;
}

function makeConv2DBackpropInput(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const dy = inputs.dy!,
      filter = inputs.filter!;
    if (dy.dtype !== "float32" || filter.dtype !== "float32") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("Conv2DBackpropInput: only float32 tensors are supported");
    }
    const dataFormat = backend_util.convertConv2DDataFormat((attrs.dataFormat as DataFormat | undefined) ?? "NHWC");
    const inputShape = attrs.inputShape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides as [number, number],
      1,
      attrs.pad as Pad,
      attrs.dimRoundingMode as Rounding,
      false,
      dataFormat,
    );
    const out = backend.makeOutput([...inputShape], "float32");
    if (util.sizeFromShape(inputShape) === 0) return out;
    addon.conv2dBackpropInput(
      heap(backend),
      offsetOf(backend, dy),
      offsetOf(backend, filter),
      offsetOf(backend, out),
      geometry(info),
    );
    return out;
  }) as unknown as KernelFunc;
}

function makeConv2DBackpropFilter(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const x = inputs.x!,
      dy = inputs.dy!;
    if (x.dtype !== "float32" || dy.dtype !== "float32") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("Conv2DBackpropFilter: only float32 tensors are supported");
    }
    const dataFormat = backend_util.convertConv2DDataFormat((attrs.dataFormat as DataFormat | undefined) ?? "NHWC");
    const filterShape = attrs.filterShape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      attrs.strides as [number, number],
      1,
      attrs.pad as Pad,
      attrs.dimRoundingMode as Rounding,
      false,
      dataFormat,
    );
    const out = backend.makeOutput([...filterShape], "float32");
    if (util.sizeFromShape(filterShape) === 0) return out;
    addon.conv2dBackpropFilter(
      heap(backend),
      offsetOf(backend, x),
      offsetOf(backend, dy),
      offsetOf(backend, out),
      geometry(info),
    );
    return out;
  }) as unknown as KernelFunc;
}

/** MaxPoolGrad (NHWC, tfjs pools are NHWC only): dy routed to the first maximum of each window. */
function makeMaxPoolGrad(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const dy = inputs.dy!,
      x = inputs.input!;
    if (x.dtype !== "float32" || dy.dtype !== "float32") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("MaxPoolGrad: only float32 is supported");
    }
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize as [number, number],
      attrs.strides as [number, number],
      1,
      attrs.pad as Pad,
      attrs.dimRoundingMode as Rounding,
    );
    const out = backend.makeOutput([...x.shape], "float32");
    if (util.sizeFromShape(x.shape) === 0) return out;
    addon.maxPoolGrad(
      heap(backend),
      offsetOf(backend, x),
      offsetOf(backend, dy),
      offsetOf(backend, out),
      geometry(info),
    );
    return out;
  }) as unknown as KernelFunc;
}

/** MaxPool (NHWC): max over each window, padding excluded (NaNs skipped, like the cpu backend). */
function makeMaxPool(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const x = inputs.x!;
    if (x.dtype !== "float32" || x.shape.length !== 4) {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("MaxPool: only float32 rank-4 (NHWC) input is supported");
    }
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize as [number, number],
      attrs.strides as [number, number],
      1,
      attrs.pad as Pad,
      attrs.dimRoundingMode as Rounding,
    );
    const out = backend.makeOutput([...info.outShape], "float32");
    if (util.sizeFromShape(info.outShape) === 0) return out;
    addon.maxPool(heap(backend), offsetOf(backend, x), offsetOf(backend, out), geometry(info));
    return out;
  }) as unknown as KernelFunc;
}

/**
 * Add where the second operand is rank 1 and broadcasts along the last axis of the first (a layer's bias add,
 * `x + b`); every other Add (other shapes, dtypes, or the operands swapped) goes to stock wasm.
 */
function makeAdd(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const a = inputs.a!,
      b = inputs.b!;
    const r = a.shape.length;
    const n = r > 0 ? a.shape[r - 1] : 0;
    if (
      a.dtype !== "float32" ||
      b.dtype !== "float32" ||
      r < 2 ||
      b.shape.length !== 1 ||
      b.shape[0] !== n ||
      n === 0
    ) {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("Add: unsupported case");
    }
    const out = backend.makeOutput([...a.shape], "float32");
    const size = util.sizeFromShape(a.shape);
    if (size > 0)
      addon.biasAdd(heap(backend), offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out), size / n, n);
    return out;
  }) as unknown as KernelFunc;
}

/** Op codes of the addon's broadcasting binary kernel. */
const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/**
 * Add, Sub, Multiply and RealDiv of two float32 tensors with numpy broadcasting (src/binary.cc: bit-identical to the
 * cpu backend); other dtypes go to stock wasm.
 */
function makeBinary(addon: NativeAddon, name: keyof typeof BINARY_OPS, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const a = inputs.a!,
      b = inputs.b!;
    if (a.dtype !== "float32" || b.dtype !== "float32") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error(`${name}: only float32 is supported`);
    }
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = backend.makeOutput(outShape, "float32");
    if (util.sizeFromShape(outShape) > 0) {
      addon.binary!(
        heap(backend),
        offsetOf(backend, a),
        offsetOf(backend, b),
        offsetOf(backend, out),
        BINARY_OPS[name],
        Int32Array.from(outShape),
        broadcastStrides(a.shape, outShape),
        broadcastStrides(b.shape, outShape),
      );
    }
    return out;
  }) as unknown as KernelFunc;
}

/** Sum over leading axes (the bias gradient: batch axis) or trailing axes; anything else goes to stock wasm. */
function makeSum(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const x = inputs.x!;
    const r = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((p, q) => p - q);
    const k = axes.length;
    const leading = k > 0 && axes.every((ax, i) => ax === i);
    const trailing = k > 0 && axes.every((ax, i) => ax === r - k + i);
    if (x.dtype !== "float32" || (!leading && !trailing) || (k === r && r === 0)) {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("Sum: unsupported case");
    }
    const keep = Boolean(attrs.keepDims);
    const outShape = keep
      ? x.shape.map((s, i) => (axes.includes(i) ? 1 : s))
      : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.makeOutput(outShape, "float32");
    const split = leading ? k : r - k;
    const outer = util.sizeFromShape(x.shape.slice(0, split)),
      inner = util.sizeFromShape(x.shape.slice(split));
    if (util.sizeFromShape(outShape) === 0) return out;
    addon.reduceSum(heap(backend), offsetOf(backend, x), offsetOf(backend, out), outer, inner, leading ? 0 : 1);
    return out;
  }) as unknown as KernelFunc;
}

/**
 * An elementwise float32 kernel run by the addon: `run(heap, xOffset, outOffset, n, attrs)` fills a new tensor of
 * x's shape. Other dtypes go to the stock kernel (`fallback`), or throw when there is none.
 */
function makeFloat32Unary(
  name: string,
  fallback: KernelFunc | undefined,
  run: (heap: ArrayBuffer, x: number, out: number, n: number, attrs: Record<string, unknown>) => void,
): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const x = inputs.x!;
    if (x.dtype !== "float32") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error(`${name}: only float32 is supported`);
    }
    const out = backend.makeOutput([...x.shape], "float32");
    const n = util.sizeFromShape(x.shape);
    if (n > 0) run(heap(backend), offsetOf(backend, x), offsetOf(backend, out), n, attrs);
    return out;
  }) as unknown as KernelFunc;
}

// Identity (tf.clone, and the many clones inside tfjs-layers' training step) shares the input's buffer, as the cpu
// backend does, instead of stock wasm's full copy. Every in-place writer in this pack (the fused optimizers and the
// MLP step) first makes its tensors own their buffers (see `exclusive` in index.ts).
function makeIdentity(fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const x = inputs.x!;
    if (x.dtype === "string") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("Identity: string tensors need the stock kernel");
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }) as unknown as KernelFunc;
}

function makeGather(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const x = inputs.x!,
      indices = inputs.indices!;
    if (x.dtype === "string" || x.dtype === "complex64" || indices.dtype !== "int32") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("GatherV2: unsupported dtype");
    }
    const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const info = backend_util.segment_util.collectGatherOpShapeInfo(
      x as tf.TensorInfo,
      indices as tf.TensorInfo,
      axis,
      (attrs.batchDims as number | undefined) ?? 0,
    );
    const out = backend.makeOutput(info.outputShape, x.dtype);
    const nIdx = util.sizeFromShape(indices.shape);
    if (util.sizeFromShape(info.outputShape) === 0 || nIdx === 0) return out;
    const perBatch = nIdx / info.batchSize;
    const bad = addon.gather(
      heap(backend),
      offsetOf(backend, x),
      offsetOf(backend, indices),
      offsetOf(backend, out),
      info.batchSize,
      info.outerSize,
      info.dimSize,
      info.sliceSize,
      perBatch,
      bytesPer(x.dtype),
    );
    if (bad >= 0) {
      backend.disposeData(out.dataId);
      const value = new Int32Array(heap(backend), offsetOf(backend, indices), nIdx)[bad];
      throw new Error(`GatherV2: the index value ${value} is not in [0, ${info.dimSize - 1}]`);
    }
    return out;
  }) as unknown as KernelFunc;
}

function makeSlice(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const x = inputs.x!;
    if (x.dtype === "string" || x.dtype === "complex64") {
      if (fallback) return fallback(args as unknown as Parameters<KernelFunc>[0]);
      throw new Error("Slice: unsupported dtype");
    }
    const [begin, size] = slice_util.parseSliceParams(
      x as unknown as tf.Tensor,
      attrs.begin as number[],
      attrs.size as number[],
    );
    slice_util.assertParamsValid(x as unknown as tf.Tensor, begin, size);
    const out = backend.makeOutput(size, x.dtype);
    if (util.sizeFromShape(size) === 0) return out;
    addon.slice(
      heap(backend),
      offsetOf(backend, x),
      offsetOf(backend, out),
      Int32Array.from(x.shape),
      Int32Array.from(begin),
      Int32Array.from(size),
      bytesPer(x.dtype),
    );
    return out;
  }) as unknown as KernelFunc;
}

/** Custom kernel: relu backward, out = x > 0 ? dy : 0 (one pass instead of Step + Cast + Multiply). */
export const RELU_GRAD_KERNEL = "TrainlabReluGrad";
function makeReluGrad(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const dy = inputs.dy!,
      x = inputs.x!;
    const out = backend.makeOutput([...x.shape], "float32");
    const n = util.sizeFromShape(x.shape);
    if (n > 0) addon.reluGrad(heap(backend), offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, out), n);
    return out;
  }) as unknown as KernelFunc;
}

/** Custom kernel: per-row softmax cross-entropy and its gradient (softmax - labels), for [rows, classes] inputs. */
export const SOFTMAX_CE_KERNEL = "TrainlabSoftmaxCrossEntropy";
function makeSoftmaxCrossEntropy(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const logits = inputs.logits!,
      labels = inputs.labels!;
    const rows = logits.shape[0],
      classes = logits.shape[1];
    const loss = backend.makeOutput([rows], "float32");
    const grad = backend.makeOutput([rows, classes], "float32");
    if (rows * classes > 0) {
      addon.softmaxCrossEntropy(
        heap(backend),
        offsetOf(backend, logits),
        offsetOf(backend, labels),
        offsetOf(backend, loss),
        offsetOf(backend, grad),
        rows,
        classes,
      );
    }
    return [loss, grad];
  }) as unknown as KernelFunc;
}

/** Custom kernel: ClipByValue's gradient, out = clipValueMin <= x <= clipValueMax ? dy : 0 (one pass, not five kernels). */
export const CLIP_GRAD_KERNEL = "TrainlabClipByValueGrad";
function makeClipGrad(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const dy = inputs.dy!,
      x = inputs.x!;
    const out = backend.makeOutput([...x.shape], "float32");
    const n = util.sizeFromShape(x.shape);
    if (n > 0) {
      addon.clipGrad!(
        heap(backend),
        offsetOf(backend, dy),
        offsetOf(backend, x),
        offsetOf(backend, out),
        n,
        attrs.clipValueMin as number,
        attrs.clipValueMax as number,
      );
    }
    return out;
  }) as unknown as KernelFunc;
}

/** Custom kernel: Softmax's gradient over the last axis, dy * y - sum(dy * y) * y per row (one pass, not four kernels). */
export const SOFTMAX_GRAD_KERNEL = "TrainlabSoftmaxGrad";
function makeSoftmaxGrad(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const dy = inputs.dy!,
      y = inputs.y!;
    const out = backend.makeOutput([...y.shape], "float32");
    const n = util.sizeFromShape(y.shape);
    const cols = y.shape[y.shape.length - 1];
    if (n > 0)
      addon.softmaxGrad!(
        heap(backend),
        offsetOf(backend, dy),
        offsetOf(backend, y),
        offsetOf(backend, out),
        n / cols,
        cols,
      );
    return out;
  }) as unknown as KernelFunc;
}

/** Kernel name -> factory given the addon and the previously registered kernel (for fallback). */
export function nativeKernelFactories(
  addon: NativeAddon,
): Record<string, (previous: KernelFunc | undefined) => KernelFunc> {
  return {
    BatchMatMul: (p) => makeMatMul(addon, p, false),
    _FusedMatMul: (p) => makeMatMul(addon, p, true),
    Conv2D: (p) => makeConv2D(addon, p, false),
    FusedConv2D: (p) => makeConv2D(addon, p, true),
    Conv2DBackpropInput: (p) => makeConv2DBackpropInput(addon, p),
    Conv2DBackpropFilter: (p) => makeConv2DBackpropFilter(addon, p),
    MaxPoolGrad: (p) => makeMaxPoolGrad(addon, p),
    // (Only with an addon that has these entry points: a stale build keeps the stock kernels.)
    ...(typeof addon.maxPool === "function" ? { MaxPool: (p: KernelFunc | undefined) => makeMaxPool(addon, p) } : {}),
    ...(typeof addon.biasAdd === "function" ? { Add: (p: KernelFunc | undefined) => makeAdd(addon, p) } : {}),
    // (Adds other than x + bias, and Sub, Multiply, RealDiv: the broadcasting kernel, when the build has it.)
    ...(typeof addon.binary === "function"
      ? {
          Add: (p: KernelFunc | undefined) => makeAdd(addon, makeBinary(addon, "Add", p)),
          Sub: (p: KernelFunc | undefined) => makeBinary(addon, "Sub", p),
          Multiply: (p: KernelFunc | undefined) => makeBinary(addon, "Multiply", p),
          RealDiv: (p: KernelFunc | undefined) => makeBinary(addon, "RealDiv", p),
        }
      : {}),
    Sum: (p) => makeSum(addon, p),
    Step: (p) =>
      makeFloat32Unary("Step", p, (h, x, out, n, attrs) =>
        addon.step(h, x, out, n, (attrs.alpha as number | undefined) ?? 0),
      ),
    ...(typeof addon.relu === "function"
      ? { Relu: (p: KernelFunc | undefined) => makeFloat32Unary("Relu", p, (h, x, out, n) => addon.relu(h, x, out, n)) }
      : {}),
    GatherV2: (p) => makeGather(addon, p),
    Slice: (p) => makeSlice(addon, p),
    Identity: (p) => makeIdentity(p),
    [RELU_GRAD_KERNEL]: () => makeReluGrad(addon),
    [SOFTMAX_CE_KERNEL]: () => makeSoftmaxCrossEntropy(addon),
    ...(typeof addon.clipGrad === "function" ? { [CLIP_GRAD_KERNEL]: () => makeClipGrad(addon) } : {}),
    ...(typeof addon.softmaxGrad === "function" ? { [SOFTMAX_GRAD_KERNEL]: () => makeSoftmaxGrad(addon) } : {}),
  };
}
