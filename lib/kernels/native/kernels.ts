/**
 * The native kernel pack's tfjs kernels for the wasm backend, by name in install order (`nativeKernelFactories`).
 * Each kernel computes with the C++ addon directly on the wasm heap, at each tensor's memoryOffset, and falls back
 * to the stock wasm kernel for dtypes or attribute combinations it does not handle (listed next to each kernel in
 * its family's file: matmul-, conv-, pooling-, elementwise-, indexing- and gradient-kernels.ts; shared plumbing
 * in kernel-util.ts). The helpers and kernel names stay reachable from this module.
 */
import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { makeConv2D, makeConv2DBackpropFilter, makeConv2DBackpropInput } from "./conv-kernels";
import { makeAdd, makeBinary, makeFloat32Unary, makeIdentity } from "./elementwise-kernels";
import {
  CLIP_GRAD_KERNEL,
  makeClipGrad,
  makeReluGrad,
  makeSoftmaxCrossEntropy,
  makeSoftmaxGrad,
  RELU_GRAD_KERNEL,
  SOFTMAX_CE_KERNEL,
  SOFTMAX_GRAD_KERNEL,
} from "./gradient-kernels";
import { makeGather, makeSlice, makeSum } from "./indexing-kernels";
import { makeMatMul } from "./matmul-kernels";
import { makeMaxPool, makeMaxPoolGrad } from "./pooling-kernels";

export { broadcastStrides, heap, offsetOf } from "./kernel-util";
export type { KernelArgs, WasmBackendLike } from "./kernel-util";
export { CLIP_GRAD_KERNEL, RELU_GRAD_KERNEL, SOFTMAX_CE_KERNEL, SOFTMAX_GRAD_KERNEL } from "./gradient-kernels";

type KernelFunc = tf.KernelFunc;

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
