/**
 * Makes plain tfjs `model.fit` stop cleanly when the user interrupts the cell in a trainlab kernel:
 * inside a kernel, every `fit` gets one extra callback that sets `model.stopTraining` once the kernel's
 * interrupt signal aborts. Outside a kernel `fit` is untouched.
 */
import * as tf from "@tensorflow/tfjs";
import { interruptSignal } from "../display";

type FitFn = (this: tf.LayersModel, x: unknown, y: unknown, args?: tf.ModelFitArgs) => Promise<tf.History>;

let installed = false;

/** A tfjs callback config that stops `model` after the batch during which `signal` aborted. */
export function stopOnAbort(model: tf.LayersModel, signal: AbortSignal): tf.CustomCallbackArgs {
  return {
    onBatchEnd: async () => {
      if (signal.aborted) model.stopTraining = true;
    },
  };
}

/** Patches `tf.LayersModel.prototype.fit` once (idempotent). Returns whether it patched now. */
export function installFitInterrupt(): boolean {
  if (installed) return false;
  installed = true;
  const proto = tf.LayersModel.prototype as unknown as { fit: FitFn };
  const original = proto.fit;
  proto.fit = function patchedFit(
    this: tf.LayersModel,
    x: unknown,
    y: unknown,
    args: tf.ModelFitArgs = {},
  ): Promise<tf.History> {
    const signal = interruptSignal();
    if (!signal) return original.call(this, x, y, args);
    const config = stopOnAbort(this, signal);
    const given = args.callbacks;
    const list = given == null ? [] : Array.isArray(given) ? [...given] : [given];
    // tfjs wraps plain configs unless the list starts with a BaseCallback instance: match the list's kind.
    const extra = list.length > 0 && list[0] instanceof tf.CustomCallback ? new tf.CustomCallback(config) : config;
    return original.call(this, x, y, { ...args, callbacks: [...list, extra] as tf.ModelFitArgs["callbacks"] });
  };
  return true;
}

installFitInterrupt();
