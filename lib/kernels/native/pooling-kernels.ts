/**
 * The native pack's pooling kernels: MaxPool and MaxPoolGrad (NHWC, float32); other cases go to the stock wasm kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { backend_util, util } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { geometry, heap, KernelArgs, offsetOf, Pad, Rounding } from "./kernel-util";

type KernelFunc = tf.KernelFunc;

/** MaxPoolGrad (NHWC, tfjs pools are NHWC only): dy routed to the first maximum of each window. */
export function makeMaxPoolGrad(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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
export function makeMaxPool(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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
