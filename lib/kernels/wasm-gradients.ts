/**
 * Gradient kernels that stock @tensorflow/tfjs-backend-wasm 4.22 lacks, so conv nets and embeddings train on wasm:
 *
 * - `Conv2DBackpropFilter` (the filter gradient of every `conv2d`): im2col built from strided slices of the
 *   zero-padded input, then one matMul with the output gradient. Correct for any stride, `same`/`valid`/explicit
 *   padding and NHWC/NCHW (tfjs computes conv gradients only for dilation 1).
 * - `DepthwiseConv2dNativeBackpropFilter` / `...BackpropInput` (gradients of `depthwiseConv2d`, hence of
 *   `tf.layers.depthwiseConv2d` and `separableConv2d`): per-tap products and strided placement.
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
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dataFormat: "NHWC" | "NCHW" = "NHWC",
  dimRoundingMode?: "floor" | "round" | "ceil",
): tf.Tensor4D {
  return tf.tidy(() => {
    const xs = dataFormat === "NCHW" ? tf.transpose(x, [0, 2, 3, 1]) : x;
    const dys = dataFormat === "NCHW" ? tf.transpose(dy, [0, 2, 3, 1]) : dy;
    const [kh, kw, ci, co] = filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      xs.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad as "same",
      dimRoundingMode,
      false,
      "channelsLast",
    );
    const [n, h, w] = xs.shape;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    if (dys.shape[1] !== oh || dys.shape[2] !== ow || dys.shape[3] !== co || ci !== xs.shape[3]) {
      throw new Error(
        `Conv2DBackpropFilter: dy shape [${dys.shape}] does not match a ${kh}x${kw} conv of x [${xs.shape}] (expected [${n},${oh},${ow},${co}]).`,
      );
    }
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // Rows/cols the taps reach: (out-1)*stride + kernel. Pad (or crop) the input to exactly that.
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const bottom = Math.max(0, needH - h - top);
    const right = Math.max(0, needW - w - left);
    const padded =
      top || left || bottom || right
        ? tf.pad(xs, [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ])
        : xs;
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap =
          sh === 1 && sw === 1
            ? tf.slice(padded, [0, i, j, 0], [n, oh, ow, ci])
            : tf.stridedSlice(
                padded,
                [0, i, j, 0],
                [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, ci],
                [1, sh, sw, 1],
              );
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

/** Geometry shared by the depthwise gradients: output size, strides and the zero padding the taps need. */
function depthwiseGeometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: "floor" | "round" | "ceil",
) {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    1,
    pad as "same",
    dimRoundingMode,
    true,
    "channelsLast",
  );
  const [, h, w] = xShape;
  const [kh, kw] = filterShape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
  const right = Math.max(0, (ow - 1) * sw + kw - w - left);
  return { oh, ow, sh, sw, top, left, bottom, right };
}

/** One filter tap of a padded input: the [n, oh, ow, c] values tap (i, j) sees. */
function tapOf(padded: tf.Tensor4D, i: number, j: number, oh: number, ow: number, sh: number, sw: number): tf.Tensor4D {
  const [n, , , c] = padded.shape;
  return sh === 1 && sw === 1
    ? tf.slice(padded, [0, i, j, 0], [n, oh, ow, c])
    : (tf.stridedSlice(
        padded,
        [0, i, j, 0],
        [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c],
        [1, sh, sw, 1],
      ) as tf.Tensor4D);
}

/**
 * The filter gradient of `depthwiseConv2d(x, filter)` (NHWC, dilation 1) from tfjs ops: for each tap, the
 * per-channel products of the input it sees and the output gradient, summed over batch and positions.
 */
export function depthwiseFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: "floor" | "round" | "ceil",
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filterShape;
    const g = depthwiseGeometry(x.shape, filterShape, strides, pad, dimRoundingMode);
    const [n] = x.shape;
    const padded =
      g.top || g.left || g.bottom || g.right
        ? tf.pad(x, [
            [0, 0],
            [g.top, g.bottom],
            [g.left, g.right],
            [0, 0],
          ])
        : x;
    const dy5 = tf.reshape(dy, [n, g.oh, g.ow, c, m]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = tf.reshape(tapOf(padded, i, j, g.oh, g.ow, g.sh, g.sw), [n, g.oh, g.ow, c, 1]);
        taps.push(tf.sum(tf.mul(tap, dy5), [0, 1, 2]));
      }
    }
    return tf.reshape(tf.stack(taps), filterShape);
  });
}

/**
 * The input gradient of `depthwiseConv2d(x, filter)` (NHWC, dilation 1) from tfjs ops: each tap's contribution
 * (output gradient times that tap's weights, summed over the channel multiplier) is spread back with the stride
 * and shifted to the tap's offset, then the padding is cropped.
 */
export function depthwiseInputGradient(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: "floor" | "round" | "ceil",
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, m] = filter.shape;
    const [n, h, w] = inputShape;
    const g = depthwiseGeometry(inputShape, filter.shape, strides, pad, dimRoundingMode);
    const hp = h + g.top + g.bottom;
    const wp = w + g.left + g.right;
    const dy5 = tf.reshape(dy, [n, g.oh, g.ow, c, m]);
    // dy spread on the strided grid: [n, oh*sh, ow*sw, c*m] with zeros between samples.
    let acc: tf.Tensor4D | undefined;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const weights = tf.reshape(tf.slice(filter, [i, j, 0, 0], [1, 1, c, m]), [c, m]);
        let contrib = tf.sum(tf.mul(dy5, weights), 4) as tf.Tensor4D; // [n, oh, ow, c]
        if (g.sh > 1 || g.sw > 1) {
          const six = tf.reshape(contrib, [n, g.oh, 1, g.ow, 1, c]);
          contrib = tf.reshape(
            tf.pad(six, [
              [0, 0],
              [0, 0],
              [0, g.sh - 1],
              [0, 0],
              [0, g.sw - 1],
              [0, 0],
            ]),
            [n, g.oh * g.sh, g.ow * g.sw, c],
          );
        }
        const spanH = contrib.shape[1];
        const spanW = contrib.shape[2];
        // Place at offset (i, j) in the padded frame, cropping anything past its edge.
        const keepH = Math.min(spanH, hp - i);
        const keepW = Math.min(spanW, wp - j);
        const cropped =
          keepH < spanH || keepW < spanW ? tf.slice(contrib, [0, 0, 0, 0], [n, keepH, keepW, c]) : contrib;
        const placed = tf.pad(cropped, [
          [0, 0],
          [i, hp - i - keepH],
          [j, wp - j - keepW],
          [0, 0],
        ]) as tf.Tensor4D;
        acc = acc ? (tf.add(acc, placed) as tf.Tensor4D) : placed;
      }
    }
    return tf.slice(acc!, [0, g.top, g.left, 0], [n, h, w, c]);
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

/** The kernels this module provides for the wasm backend, by tfjs kernel name. */
export const WASM_GRADIENT_KERNELS = [
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "UnsortedSegmentSum",
] as const;

/** One of {@link WASM_GRADIENT_KERNELS}. */
export type WasmGradientKernel = (typeof WASM_GRADIENT_KERNELS)[number];

// Composed kernels return a Tensor (not a TensorInfo): that is how they hand their result to the engine.
const KERNEL_FUNCS: Record<WasmGradientKernel, tf.KernelFunc> = {
  Conv2DBackpropFilter: ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const a = attrs as unknown as BackpropFilterAttrs;
    return conv2dFilterGradient(
      x,
      dy,
      a.filterShape,
      a.strides,
      a.pad,
      a.dataFormat,
      a.dimRoundingMode,
    ) as unknown as tf.TensorInfo;
  },
  DepthwiseConv2dNativeBackpropFilter: ({ inputs, attrs }) => {
    const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const a = attrs as unknown as BackpropFilterAttrs;
    return depthwiseFilterGradient(
      x,
      dy,
      a.filterShape,
      a.strides,
      a.pad,
      a.dimRoundingMode,
    ) as unknown as tf.TensorInfo;
  },
  DepthwiseConv2dNativeBackpropInput: ({ inputs, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const a = attrs as unknown as {
      strides: number | [number, number];
      pad: Pad;
      dimRoundingMode?: "floor" | "round" | "ceil";
      inputShape: [number, number, number, number];
    };
    return depthwiseInputGradient(
      a.inputShape,
      dy,
      filter,
      a.strides,
      a.pad,
      a.dimRoundingMode,
    ) as unknown as tf.TensorInfo;
  },
  UnsortedSegmentSum: ({ inputs, attrs }) => {
    const { x, segmentIds } = inputs as unknown as { x: tf.Tensor; segmentIds: tf.Tensor };
    const { numSegments } = attrs as unknown as { numSegments: number };
    return unsortedSegmentSumByMatMul(x, segmentIds, numSegments) as unknown as tf.TensorInfo;
  },
};

let installed = false;

/**
 * Registers the missing wasm gradient kernels (idempotent). Returns the names it registered.
 * Kernels that already exist for 'wasm' (e.g. from the native kernel pack) are left alone. Never throws.
 */
export function registerWasmGradientKernels(): string[] {
  if (installed) return [];
  installed = true;
  const done: string[] = [];
  for (const name of WASM_GRADIENT_KERNELS) {
    if (tf.getKernel(name, "wasm")) continue;
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: KERNEL_FUNCS[name] });
    done.push(name);
  }
  return done;
}

/**
 * The kernels of {@link WASM_GRADIENT_KERNELS} that the wasm backend runs with this module's JS implementation
 * right now (rather than a native or stock kernel): all four on stock wasm, none while the native kernel pack
 * overrides them. Never throws.
 */
export function activeWasmGradientFallbacks(): WasmGradientKernel[] {
  return WASM_GRADIENT_KERNELS.filter((name) => tf.getKernel(name, "wasm")?.kernelFunc === KERNEL_FUNCS[name]);
}

registerWasmGradientKernels();
