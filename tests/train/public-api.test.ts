/**
 * What `import ... from "trainlab"` offers for training (issue 17): the loop, its built-in callbacks and which
 * backend and kernels run, but not the native kernel pack's or the wasm gradients' internals (those stay importable
 * from lib/kernels for tests and benches).
 */
import { strict as assert } from "assert";
import * as trainlab from "../../lib";
import * as nativePack from "../../lib/kernels/native";
import * as wasmGradients from "../../lib/kernels/wasm-gradients";

/** What a user needs of the kernels: whether the native pack runs, switching it, the gradients that run as JS. */
const KERNEL_STATUS = [
  "nativeKernelStatus",
  "nativeKernelsActive",
  "installNativeKernels",
  "uninstallNativeKernels",
  "activeWasmGradientFallbacks",
];

describe("the public entry for training", () => {
  const exported = new Set(Object.keys(trainlab));

  it("offers the loop and each built-in callback", () => {
    const names = [
      "train",
      "History",
      "EarlyStopping",
      "ModelCheckpoint",
      "LearningRateScheduler",
      "TerminateOnNaN",
      "LiveProgress",
    ];
    for (const name of [...names, "hasCheckpoint"]) {
      assert.ok(exported.has(name), `trainlab exports ${name}`);
    }
  });

  it("says which backend and kernels run, and can switch the native pack, without exporting its internals", () => {
    for (const name of ["ensureBackend", ...KERNEL_STATUS]) {
      assert.ok(exported.has(name), `trainlab exports ${name}`);
    }
    const internals = [...Object.keys(nativePack), ...Object.keys(wasmGradients)].filter(
      (name) => !KERNEL_STATUS.includes(name),
    );
    assert.ok(
      internals.includes("fusedMLPStep") && internals.includes("conv2dFilterGradient"),
      `internals: ${internals.join(", ")}`,
    );
    assert.deepEqual(
      internals.filter((name) => exported.has(name)),
      [],
      "kernel internals in the public entry",
    );
  });
});
