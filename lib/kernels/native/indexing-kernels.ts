/**
 * The native pack's reduction and indexing kernels: Sum over leading or trailing axes, GatherV2 and Slice; other
 * cases go to the stock wasm kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { backend_util, slice_util, util } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { bytesPer, heap, KernelArgs, offsetOf } from "./kernel-util";

type KernelFunc = tf.KernelFunc;

/** Sum over leading axes (the bias gradient: batch axis) or trailing axes; anything else goes to stock wasm. */
export function makeSum(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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

/** GatherV2 of any numeric or bool tensor by int32 indices; throws on an index out of range. */
export function makeGather(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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

/** Slice of any numeric or bool tensor. */
export function makeSlice(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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
