/**
 * The native pack's 2-D convolution kernels: Conv2D / FusedConv2D and their input and filter gradients
 * (Conv2DBackpropInput, Conv2DBackpropFilter), NHWC or NCHW; other dtypes go to the stock wasm kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { backend_util, util } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { DataFormat, epilogueArgs, geometry, heap, KernelArgs, offsetOf, Pad, Rounding } from "./kernel-util";

type KernelFunc = tf.KernelFunc;

/** Conv2D (or FusedConv2D when `fused`) of float32 tensors. */
export function makeConv2D(addon: NativeAddon, fallback: KernelFunc | undefined, fused: boolean): KernelFunc {
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

/** Conv2DBackpropInput (the input gradient) of float32 tensors. */
export function makeConv2DBackpropInput(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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

/** Conv2DBackpropFilter (the filter gradient) of float32 tensors. */
export function makeConv2DBackpropFilter(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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
