/**
 * trainlab: the public entry that notebooks import.
 *
 *   import { loadDataset, ensureBackend, tf, aq } from "trainlab";
 *
 * One folder per step of the workflow: data, models, train, evaluate, validate, viz, report.
 */
export * as tf from "@tensorflow/tfjs";
export * as aq from "arquero";
export * from "./display";
export * from "./backend";
export * from "./datasets";
export * from "./data";
export * from "./models";
export * from "./train";
export * from "./viz";
export * from "./evaluate";
export * from "./validate";
export * from "./goals";
export * from "./report";
export * from "./exercises";
// What a user needs of the kernels trainlab adds: whether the native pack runs, switching it, and which gradients
// run as JS fallbacks. Their internals (optimizers, fused steps) stay importable from lib/kernels for tests and benches.
export {
  nativeKernelStatus,
  nativeKernelsActive,
  installNativeKernels,
  uninstallNativeKernels,
} from "./kernels/native";
export type { NativeKernelStatus } from "./kernels/native";
export { activeWasmGradientFallbacks } from "./kernels/wasm-gradients";
export type { WasmGradientKernel } from "./kernels/wasm-gradients";
export { ValidationError, NotFittedError } from "./core/validation";
export * from "./widgets";

import { startBackendSelection } from "./backend";
import { installRenderers } from "./viz/renderers";
// The only things importing trainlab does besides defining its exports, both here: choose the training backend now,
// so that raw `tf` use after the import runs on it (see backend.ts), and give arquero tables, tensors, models and
// danfojs frames their display bundles (viz/renderers.ts itself does nothing when imported).
startBackendSelection();
installRenderers();
