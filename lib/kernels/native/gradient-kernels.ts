/**
 * The native pack's custom gradient kernels (registered under Trainlab* names): relu backward, softmax
 * cross-entropy with its gradient, ClipByValue's gradient and Softmax's gradient.
 */
import * as tf from "@tensorflow/tfjs";
import { util } from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { heap, KernelArgs, offsetOf } from "./kernel-util";

type KernelFunc = tf.KernelFunc;

/** Custom kernel: relu backward, out = x > 0 ? dy : 0 (one pass instead of Step + Cast + Multiply). */
export const RELU_GRAD_KERNEL = "TrainlabReluGrad";
/** The relu-backward kernel. */
export function makeReluGrad(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const dy = inputs.dy!,
      x = inputs.x!;
    const out = backend.makeOutput([...x.shape], "float32");
    const n = util.sizeFromShape(x.shape);
    if (n > 0) addon.reluGrad(heap(backend), offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, out), n);
    return out;
  }) as unknown as KernelFunc;
}

/** Custom kernel: per-row softmax cross-entropy and its gradient (softmax - labels), for [rows, classes] inputs. */
export const SOFTMAX_CE_KERNEL = "TrainlabSoftmaxCrossEntropy";
/** The softmax cross-entropy kernel (outputs: per-row loss, gradient). */
export function makeSoftmaxCrossEntropy(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const logits = inputs.logits!,
      labels = inputs.labels!;
    const rows = logits.shape[0],
      classes = logits.shape[1];
    const loss = backend.makeOutput([rows], "float32");
    const grad = backend.makeOutput([rows, classes], "float32");
    if (rows * classes > 0) {
      addon.softmaxCrossEntropy(
        heap(backend),
        offsetOf(backend, logits),
        offsetOf(backend, labels),
        offsetOf(backend, loss),
        offsetOf(backend, grad),
        rows,
        classes,
      );
    }
    return [loss, grad];
  }) as unknown as KernelFunc;
}

/** Custom kernel: ClipByValue's gradient, out = clipValueMin <= x <= clipValueMax ? dy : 0 (one pass, not five kernels). */
export const CLIP_GRAD_KERNEL = "TrainlabClipByValueGrad";
/** The ClipByValue gradient kernel. */
export function makeClipGrad(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs, attrs = {} } = args;
    const dy = inputs.dy!,
      x = inputs.x!;
    const out = backend.makeOutput([...x.shape], "float32");
    const n = util.sizeFromShape(x.shape);
    if (n > 0) {
      addon.clipGrad!(
        heap(backend),
        offsetOf(backend, dy),
        offsetOf(backend, x),
        offsetOf(backend, out),
        n,
        attrs.clipValueMin as number,
        attrs.clipValueMax as number,
      );
    }
    return out;
  }) as unknown as KernelFunc;
}

/** Custom kernel: Softmax's gradient over the last axis, dy * y - sum(dy * y) * y per row (one pass, not four kernels). */
export const SOFTMAX_GRAD_KERNEL = "TrainlabSoftmaxGrad";
/** The Softmax gradient kernel. */
export function makeSoftmaxGrad(addon: NativeAddon): KernelFunc {
  return ((args: KernelArgs) => {
    const { backend, inputs } = args;
    const dy = inputs.dy!,
      y = inputs.y!;
    const out = backend.makeOutput([...y.shape], "float32");
    const n = util.sizeFromShape(y.shape);
    const cols = y.shape[y.shape.length - 1];
    if (n > 0)
      addon.softmaxGrad!(
        heap(backend),
        offsetOf(backend, dy),
        offsetOf(backend, y),
        offsetOf(backend, out),
        n / cols,
        cols,
      );
    return out;
  }) as unknown as KernelFunc;
}
