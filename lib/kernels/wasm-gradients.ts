/**
 * Gradient kernels that stock @tensorflow/tfjs-backend-wasm 4.22 lacks, so conv nets and embeddings train on wasm:
 *
 * - `Conv2DBackpropFilter` (the filter gradient of every `conv2d`): im2col built from strided slices of the
 *   zero-padded input, then one matMul with the output gradient. Correct for any stride, `same`/`valid`/explicit
 *   padding and NHWC/NCHW (tfjs computes conv gradients only for dilation 1).
 * - `UnsortedSegmentSum` (the gradient of `gather`, hence of `tf.layers.embedding`): a one-hot matMul.
 *
 * Both are composed from kernels the wasm backend has, so they run at wasm speed. They are registered when this
 * module is imported, only where no kernel exists yet (a faster native kernel registered earlier wins; one registered
 * later may `tf.unregisterKernel` these first).
 */
import * as tf from "@tensorflow/tfjs";

type Pad = "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]];

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

/**
 * The gradient of `conv2d(x, filter)` with respect to the filter, from tfjs ops (any backend).
 * `x` is [batch, height, width, inChannels] (NHWC) or [batch, inChannels, height, width] (NCHW); `dy` likewise.
 * @throws Error when the shapes do not match the convolution they describe.
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number],
  strides: number | [number, number], pad: Pad, dataFormat: "NHWC" | "NCHW" = "NHWC", dimRoundingMode?: "floor" | "round" | "ceil",
): tf.Tensor4D {
  return tf.tidy(() => {
    const xs = dataFormat === "NCHW" ? tf.transpose(x, [0, 2, 3, 1]) : x;
    const dys = dataFormat === "NCHW" ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
    const [kh, kw, ci, co] = filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      xs.shape as [number, number, number, number], filterShape, strides, 1, pad as "same", dimRoundingMode, false, "channelsLast",
    );
    const [n, h, w] = xs.shape;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    if (dys.shape[1] !== oh || dys.shape[2] !== ow || dys.shape[3] !== co || ci !== xs.shape[3]) {
      throw new Error(`Conv2DBackpropFilter: dy shape [${dys.shape}] does not match a ${kh}x${kw} conv of x [${xs.shape}] (expected [${n},${oh},${ow},${co}]).`);
    }
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // Rows/cols the taps reach: (out-1)*stride + kernel. Pad (or crop) the input to exactly that.
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const bottom = Math.max(0, needH - h - top);
    const right = Math.max(0, needW - w - left);
    const padded = top || left || bottom || right ? tf.pad(xs, [[0, 0], [top, bottom], [left, right], [0, 0]]) : xs;
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = sh === 1 && sw === 1
          ? tf.slice(padded, [0, i, j, 0], [n, oh, ow, ci])
          : tf.stridedSlice(padded, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, ci], [1, sh, sw, 1]);
        taps.push(tap);
      }
    }
    // im2col: [n*oh*ow, kh*kw*ci], tap-major then channel, matching the filter's [kh, kw, ci, co] layout.
    const cols = taps.length === 1 ? taps[0] : tf.concat(taps, 3);
    const patches = tf.reshape(cols, [n * oh * ow, kh * kw * ci]);
    const grad = tf.matMul(patches, tf.reshape(dys, [n * oh * ow, co]), true, false);
    return tf.reshape(grad, filterShape);
  });
}

/** `tf.unsortedSegmentSum` from a one-hot matMul (any backend). */
export function unsortedSegmentSumByMatMul(data: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const n = segmentIds.size;
    const rest = data.shape.slice(segmentIds.rank);
    const width = rest.reduce((a, b) => a * b, 1);
    const flat = tf.reshape(data.dtype === "float32" ? data : tf.cast(data, "float32"), [n, width]);
    const ids = tf.reshape(segmentIds.dtype === "int32" ? segmentIds : tf.cast(segmentIds, "int32"), [n]);
    const oneHot = tf.oneHot(ids, numSegments);
    const sums = tf.matMul(oneHot, flat, true, false);
    const out = tf.reshape(sums, [numSegments, ...rest]);
    return data.dtype === "int32" ? tf.cast(tf.round(out), "int32") : out;
  });
}

let installed = false;

/**
 * Registers the missing wasm gradient kernels (idempotent). Returns the names it registered.
 * Kernels that already exist for 'wasm' (e.g. from the native kernel pack) are left alone.
 */
export function registerWasmGradientKernels(): string[] {
  if (installed) return [];
  installed = true;
  const done: string[] = [];
  if (!tf.getKernel("Conv2DBackpropFilter", "wasm")) {
    tf.registerKernel({
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      // Returning a Tensor (not a TensorInfo) is how composed kernels hand their result to the engine.
      kernelFunc: ({ inputs, attrs }) => {
        const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
        const a = attrs as unknown as BackpropFilterAttrs;
        return conv2dFilterGradient(x, dy, a.filterShape, a.strides, a.pad, a.dataFormat, a.dimRoundingMode) as unknown as tf.TensorInfo;
      },
    });
    done.push("Conv2DBackpropFilter");
  }
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({
      kernelName: "UnsortedSegmentSum",
      backendName: "wasm",
      kernelFunc: ({ inputs, attrs }) => {
        const { x, segmentIds } = inputs as unknown as { x: tf.Tensor; segmentIds: tf.Tensor };
        const { numSegments } = attrs as unknown as { numSegments: number };
        return unsortedSegmentSumByMatMul(x, segmentIds, numSegments) as unknown as tf.TensorInfo;
      },
    });
    done.push("UnsortedSegmentSum");
  }
  return done;
}

registerWasmGradientKernels();
