/**
 * The native pack's elementwise kernels: the bias Add, the broadcasting Add / Sub / Multiply / RealDiv, float32 unary
 * kernels (Step, Relu) and the buffer-sharing Identity; other dtypes go to the stock wasm kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { backend_util, util } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { broadcastStrides, heap, KernelArgs, offsetOf } from "./kernel-util";

type KernelFunc = tf.KernelFunc;

/**
 * Add where the second operand is rank 1 and broadcasts along the last axis of the first (a layer's bias add,
 * `x + b`); every other Add (other shapes, dtypes, or the operands swapped) goes to stock wasm.
 */
export function makeAdd(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
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
export function makeBinary(
  addon: NativeAddon,
  name: keyof typeof BINARY_OPS,
  fallback: KernelFunc | undefined,
): KernelFunc {
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

/**
 * An elementwise float32 kernel run by the addon: `run(heap, xOffset, outOffset, n, attrs)` fills a new tensor of
 * x's shape. Other dtypes go to the stock kernel (`fallback`), or throw when there is none.
 */
export function makeFloat32Unary(
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
/** Identity sharing its input's buffer (string tensors go to the stock kernel). */
export function makeIdentity(fallback: KernelFunc | undefined): KernelFunc {
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
