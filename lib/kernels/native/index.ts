/**
 * trainlab's native kernel pack: OpenBLAS-backed CPU kernels for the tfjs wasm backend.
 *
 * Importing this module registers an accelerator with lib/backend, so when the backend chain activates
 * wasm it installs the pack (or records why it could not). Notebooks can inspect it with
 * `nativeKernelStatus()` and turn it off and on with `uninstallNativeKernels()` / `installNativeKernels()`.
 */
import { registerWasmAccelerator } from "../../backend";
import { installNativeKernels } from "./install";
import "./gradients";
import "./recurrent";

export { NATIVE_BUILD_HINT } from "./addon";
export { installNativeKernels, nativeKernelsActive, nativeKernelStatus, uninstallNativeKernels } from "./install";
export type { NativeKernelStatus } from "./install";
export { ownsBuffer } from "./buffers";
export { nativeSoftmaxCrossEntropy, setNativeLossGradients } from "./gradients";
export { NativeAdamOptimizer, NativeSGDOptimizer, nativeAdam, nativeSGD } from "./optimizers";
export type { NativeNamedTensor, NativeVariableGrads } from "./optimizers";
export { fusedRecurrentRejection, setFusedRecurrent } from "./recurrent";
export { fitNativeMLP, fusedMLPStep, nativeMLPSupport } from "./mlp-fit";
export type { FusedMLPStep, NativeFitOptions, NativeFitResult } from "./mlp-fit";

const ACCELERATOR_NAME = "native kernel pack";

// Hook into the backend chain: installs when wasm activates; the report shows on/off and why.
registerWasmAccelerator(() => {
  try {
    const s = installNativeKernels();
    return {
      name: ACCELERATOR_NAME,
      active: true,
      detail: `${s.kernels.length} kernels on ${s.blas}, up to ${s.maxThreads} threads`,
    };
  } catch (err) {
    return { name: ACCELERATOR_NAME, active: false, detail: `stock wasm kernels in use: ${(err as Error).message}` };
  }
});
