/**
 * Installing and removing the native kernel pack: registers its kernels for the wasm backend (keeping the stock
 * ones to restore), patches wasm's readSync to copy tensors out once, and reports whether it is active and why not.
 */
import * as tf from "@tensorflow/tfjs";
import { loadAddon, NativeAddon } from "./addon";
import { nativeKernelFactories, WasmBackendLike } from "./kernels";
import { recurrentKernelFactories } from "./recurrent-kernels";

/** What the native kernel pack is doing in this process. */
export interface NativeKernelStatus {
  /** The addon was built and loaded. */
  available: boolean;
  /** Its kernels are registered for the wasm backend right now. */
  active: boolean;
  /** Why it is off (empty when active). */
  reason: string;
  /** How to turn it on (empty when active). */
  fix: string;
  /** Kernels it overrides or adds. */
  kernels: string[];
  /** OpenBLAS build and the core it runs on (e.g. "SkylakeX"), when loaded. */
  blas?: string;
  /** Most threads it computes on: its own pool splits convolutions, readbacks and memory-bound kernels, and large GEMMs. */
  maxThreads?: number;
}

let installed: { previous: Map<string, tf.KernelConfig | undefined>; kernels: string[] } | undefined;
let lastError: string | undefined;

/** The wasm backend when it is registered (never throws). */
export function wasmBackend(): WasmBackendLike | undefined {
  try {
    return tf.findBackend("wasm") as unknown as WasmBackendLike | undefined;
  } catch {
    return undefined;
  }
}

/** The loaded addon. @throws Error saying why it is missing and how to build it. */
export function addonOrThrow(): NativeAddon {
  const load = loadAddon();
  if (!load.ok) throw new Error(`${load.reason}. To enable it: ${load.fix}`);
  return load.addon;
}

/**
 * Registers the pack's kernels for the wasm backend (overriding stock ones, and any JS fallback such as a
 * Conv2DBackpropFilter registered by lib/kernels/wasm-gradients). Idempotent.
 * @throws Error saying why and how to fix it when the addon is not built or cannot load.
 */
export function installNativeKernels(): NativeKernelStatus {
  if (installed) return nativeKernelStatus();
  let addon: NativeAddon;
  try {
    addon = addonOrThrow();
  } catch (err) {
    lastError = (err as Error).message;
    throw err;
  }
  const previous = new Map<string, tf.KernelConfig | undefined>();
  const factories = { ...nativeKernelFactories(addon), ...recurrentKernelFactories(addon) };
  for (const [name, make] of Object.entries(factories)) {
    const prev = tf.getKernel(name, "wasm");
    previous.set(name, prev);
    if (prev) tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: make(prev?.kernelFunc) });
  }
  patchReadSync(addon);
  installed = { previous, kernels: Object.keys(factories) };
  lastError = undefined;
  return nativeKernelStatus();
}

type ReadSync = (dataId: unknown, start?: number, end?: number) => tf.backend_util.BackendValues;
let stockReadSync: ReadSync | undefined;

// dataSync()/arraySync() on wasm copy the tensor out of the wasm heap into a new buffer. Stock wasm does it with
// HEAPU8.slice, which zero-fills the new buffer before copying into it; for a whole float32/int32/bool tensor this
// allocates it uninitialised (Buffer.allocUnsafeSlow: its own ArrayBuffer, not pooled) and copies once, on two
// threads from 1 MB (the addon's copyOut).
function patchReadSync(addon: NativeAddon): void {
  const backend = wasmBackend() as unknown as (WasmBackendLike & { readSync: ReadSync }) | undefined;
  if (!backend || stockReadSync) return;
  const stock = backend.readSync;
  stockReadSync = stock;
  backend.readSync = function (
    this: WasmBackendLike & { readSync: ReadSync },
    dataId: unknown,
    start?: number,
    end?: number,
  ) {
    const data = backend.dataIdMap.get(dataId) as
      { memoryOffset: number; shape: number[]; dtype?: tf.DataType } | undefined;
    const dtype = data?.dtype;
    if (
      !data ||
      (start !== undefined && start !== 0) ||
      end !== undefined ||
      (dtype !== "float32" && dtype !== "int32" && dtype !== "bool")
    ) {
      return stock.call(this, dataId, start, end);
    }
    const n = data.shape.reduce((a, b) => a * b, 1);
    const bytes = dtype === "bool" ? n : n * 4;
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    const buffer = Buffer.allocUnsafeSlow(bytes).buffer;
    if (addon.copyOut) addon.copyOut(heap, data.memoryOffset, buffer, bytes);
    else new Uint8Array(buffer, 0, bytes).set(new Uint8Array(heap, data.memoryOffset, bytes));
    return dtype === "bool"
      ? new Uint8Array(buffer, 0, n)
      : dtype === "float32"
        ? new Float32Array(buffer, 0, n)
        : new Int32Array(buffer, 0, n);
  };
}

function unpatchReadSync(): void {
  const backend = wasmBackend() as unknown as { readSync: ReadSync } | undefined;
  if (backend && stockReadSync) backend.readSync = stockReadSync;
  stockReadSync = undefined;
}

/** Restores the kernels that were registered before {@link installNativeKernels} (stock wasm). */
export function uninstallNativeKernels(): void {
  if (!installed) return;
  for (const [name, prev] of installed.previous) {
    if (tf.getKernel(name, "wasm")) tf.unregisterKernel(name, "wasm");
    if (prev) tf.registerKernel(prev);
  }
  unpatchReadSync();
  installed = undefined;
  lastError = "uninstalled by uninstallNativeKernels()";
}

/** Whether the native kernels are registered for wasm right now. */
export function nativeKernelsActive(): boolean {
  return installed !== undefined;
}

/** Reports whether the pack is loaded and active, and if not, why and how to fix it. Never throws. */
export function nativeKernelStatus(): NativeKernelStatus {
  const load = loadAddon();
  if (!load.ok) return { available: false, active: false, reason: load.reason, fix: load.fix, kernels: [] };
  const info = load.addon.info();
  const blas =
    `${info.blasConfig.trim()} (core ${info.blasCore}${load.coretype ? `, OPENBLAS_CORETYPE=${load.coretype}` : ""}` +
    `${info.isa ? `; pack loops ${info.isa}` : ""}${info.mallocTuned ? "; malloc keeps freed memory" : ""})`;
  if (!installed) {
    return {
      available: true,
      active: false,
      reason: lastError ?? "the wasm backend has not been activated yet",
      fix: 'call ensureBackend() (or useBackend("wasm")) — the pack installs when wasm activates',
      kernels: [],
      blas,
      maxThreads: info.maxThreads,
    };
  }
  return {
    available: true,
    active: true,
    reason: "",
    fix: "",
    kernels: [...installed.kernels],
    blas,
    maxThreads: info.maxThreads,
  };
}
