/**
 * The native pack's matrix-multiply kernels (BatchMatMul and _FusedMatMul with its bias / activation epilogue),
 * computed by the addon on the wasm heap; other dtypes go to the stock wasm kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { broadcast_util, util } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { batchIndices, epilogueArgs, heap, KernelArgs, offsetOf } from "./kernel-util";

type KernelFunc = tf.KernelFunc;

/** BatchMatMul (or _FusedMatMul when `fused`) of float32 tensors with broadcast batch dimensions. */
export function makeMatMul(addon: NativeAddon, fallback: KernelFunc | undefined, fused: boolean): KernelFunc {
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
