/**
 * Converts what users pass to a neural estimator (tables, matrices, nested arrays, tensors, an ImageDataset)
 * into the float32/int32 tensor each architecture consumes, with clear errors for wrong shapes and NaN.
 */
import * as tf from "@tensorflow/tfjs";
import { FeatureInput, isMatrix, toMatrix, toTargetArray, TargetInput } from "../../data/matrix";
import type { ImageDataset } from "../../datasets";
import {
  ValidationError,
  asValidationError,
  checkConsistentLength,
  checkFeatureRows,
  checkPresent,
} from "../../core/validation";
import type { NeuralInput } from "../../train/train";

/** Everything a neural estimator accepts as features (defined beside `train`, which takes the same). */
export type { NeuralInput };

/** What the architecture needs. */
export interface InputSpec {
  architecture: "mlp" | "cnn" | "rnn" | "transformer";
  /** cnn: [height, width, channels] to reshape flat rows into. */
  imageShape?: readonly number[] | null;
  /** rnn/transformer: token ids in [0, vocabSize) when set. */
  vocabSize?: number | null;
}

/** True when `x` is an {@link ImageDataset}. */
export function isImageDataset(x: unknown): x is ImageDataset {
  return (
    typeof x === "object" &&
    x !== null &&
    (x as ImageDataset).images instanceof Float32Array &&
    (x as ImageDataset).labels instanceof Int32Array
  );
}

/**
 * The values of a float32/int32 tensor held by the current backend, read in place (wasm heap, cpu array) without a
 * copy; undefined when the backend does not allow it. Read them before the next tfjs op, which may move the heap.
 */
function valuesInPlace(t: tf.Tensor): ArrayLike<number> | undefined {
  const b = tf.backend() as unknown as {
    dataIdMap?: { has(id: object): boolean };
    typedArrayFromHeap?: (info: tf.TensorInfo) => ArrayLike<number>;
    data?: { has(id: object): boolean; get(id: object): { values?: unknown } | undefined };
  };
  if (typeof b.typedArrayFromHeap === "function" && b.dataIdMap?.has(t.dataId)) return b.typedArrayFromHeap(t);
  if (b.data && typeof b.data.has === "function" && b.data.has(t.dataId)) {
    const values = b.data.get(t.dataId)?.values;
    if (values instanceof Float32Array || values instanceof Int32Array) return values;
  }
  return undefined;
}

function checkFiniteValues(values: ArrayLike<number>, shape: readonly number[], what: string): void {
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ValidationError(
        `${what}: sample ${Math.floor(i / Math.max(inner, 1))} holds ${values[i]} (not a finite number). Impute or drop it before fitting.`,
      );
    }
  }
}

function isNested3(x: unknown): x is ArrayLike<ArrayLike<ArrayLike<number>>> {
  if (
    typeof x !== "object" ||
    x === null ||
    isMatrix(x) ||
    x instanceof tf.Tensor ||
    typeof (x as { length?: unknown }).length !== "number"
  )
    return false;
  const first = (x as ArrayLike<unknown>)[0];
  if (typeof first !== "object" || first === null || typeof (first as { length?: unknown }).length !== "number")
    return false;
  const inner = (first as ArrayLike<unknown>)[0];
  return typeof inner === "object" && inner !== null && typeof (inner as { length?: unknown }).length === "number";
}

/**
 * The feature tensor for `spec` (caller disposes it), and the labels an ImageDataset carries.
 * @throws Error on a shape the architecture cannot take, NaN/Infinity, or token ids out of range.
 */
export function featureTensor(x: NeuralInput, spec: InputSpec): { tensor: tf.Tensor; labels?: Int32Array } {
  if (isImageDataset(x)) {
    if (spec.architecture !== "cnn" && spec.architecture !== "mlp")
      throw new ValidationError(`An ImageDataset feeds a cnn or an mlp, not a ${spec.architecture}.`);
    checkFiniteValues(x.images, [x.count, x.height * x.width * x.channels], "Images");
    const tensor =
      spec.architecture === "mlp"
        ? tf.tensor2d(x.images, [x.count, x.height * x.width * x.channels])
        : tf.tensor4d(x.images, [x.count, x.height, x.width, x.channels]);
    return { tensor, labels: x.labels };
  }
  let values: ArrayLike<number>;
  let shape: number[];
  // A float32/int32 tensor is checked where it lies and reshaped (or cast), not copied out and back in: the copies
  // cost more than an epoch's worth of fused MLP steps on MNIST-size data.
  let source: tf.Tensor | undefined;
  if (x instanceof tf.Tensor) {
    const inPlace = x.dtype === "float32" || x.dtype === "int32" ? valuesInPlace(x) : undefined;
    if (inPlace) source = x;
    values = inPlace ?? Float32Array.from(x.dataSync());
    shape = x.shape.slice();
  } else if (isNested3(x)) {
    const n = x.length;
    const t = x[0].length;
    const f = x[0][0].length;
    const seq = new Float32Array(n * t * f);
    values = seq;
    for (let i = 0; i < n; i++) {
      if (x[i].length !== t)
        throw new ValidationError(
          `Sequence ${i} has ${x[i].length} steps but sequence 0 has ${t}: pad or truncate them to one length.`,
        );
      for (let s = 0; s < t; s++) {
        const step = x[i][s];
        if (step.length !== f)
          throw new ValidationError(`Sequence ${i}, step ${s} has ${step.length} features but others have ${f}.`);
        for (let j = 0; j < f; j++) {
          const v = step[j];
          if (typeof v !== "number")
            throw new ValidationError(
              `Sequence ${i}, step ${s}, feature ${j} is ${v === null ? "null" : typeof v}, not a number. Impute or drop it first.`,
            );
          seq[(i * t + s) * f + j] = v;
        }
      }
    }
    shape = [n, t, f];
  } else {
    checkPresent(x, "X", "Features");
    checkFeatureRows(x, "Features");
    let m;
    try {
      m = toMatrix(x as FeatureInput);
    } catch (err) {
      throw asValidationError(err, "Features");
    }
    values = new Float32Array(m.data);
    shape = [m.rows, m.cols];
  }
  const arch = spec.architecture;
  if (shape[0] === 0) throw new ValidationError("No samples: the feature set is empty.");
  if (source?.dtype !== "int32") checkFiniteValues(values, shape, "Features");
  /** The checked values as a tensor of `newShape`: a view of the source tensor (cast when its dtype differs), or new. */
  const make = (newShape: number[], dtype: "float32" | "int32" = "float32"): tf.Tensor => {
    if (source) {
      const src = source;
      return tf.tidy(() =>
        src.dtype === dtype ? tf.reshape(src, newShape) : tf.cast(tf.reshape(src, newShape), dtype),
      );
    }
    return tf.tensor(
      dtype === "int32" ? Int32Array.from(values) : values instanceof Float32Array ? values : Float32Array.from(values),
      newShape,
      dtype,
    );
  };
  if (arch === "mlp") {
    if (shape.length < 2) throw new ValidationError(`An mlp needs [samples, features], got shape [${shape}].`);
    const flat = shape.slice(1).reduce((a, b) => a * b, 1);
    return { tensor: make([shape[0], flat]) };
  }
  if (arch === "cnn") {
    if (shape.length === 4) return { tensor: make(shape) };
    if (shape.length === 3) return { tensor: make([shape[0], shape[1], shape[2], 1]) };
    const image = spec.imageShape ?? (shape[1] === 784 ? [28, 28, 1] : null);
    if (!image)
      throw new ValidationError(
        `A cnn needs images [samples, height, width, channels]; got [${shape}]. Pass a 4-D tensor or set imageShape.`,
      );
    if (image.reduce((a, b) => a * b, 1) !== shape[1]) {
      throw new ValidationError(
        `Rows have ${shape[1]} values but imageShape [${image}] needs ${image.reduce((a, b) => a * b, 1)}.`,
      );
    }
    return { tensor: make([shape[0], image[0], image[1], image[2]]) };
  }
  // rnn / transformer
  if (spec.vocabSize) {
    if (shape.length !== 2)
      throw new ValidationError(`With vocabSize, a ${arch} takes token ids [samples, steps]; got shape [${shape}].`);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= spec.vocabSize) {
        throw new ValidationError(
          `Sample ${Math.floor(i / shape[1])}, step ${i % shape[1]}: token id ${v} is not an integer in [0, ${spec.vocabSize}). Encode tokens first or raise vocabSize.`,
        );
      }
    }
    return { tensor: make([shape[0], shape[1]], "int32") };
  }
  if (shape.length === 3) return { tensor: make(shape) };
  if (shape.length === 2) return { tensor: make([shape[0], shape[1], 1]) };
  throw new ValidationError(
    `A ${arch} takes sequences [samples, steps, features] (or token ids with vocabSize); got shape [${shape}].`,
  );
}

/**
 * Targets as a plain array (values unchecked: the estimator checks them as labels or numbers), or the labels an
 * ImageDataset carried. @throws ValidationError when both are missing or lengths differ.
 */
export function targetValues(
  y: TargetInput | undefined,
  carried: Int32Array | undefined,
  rows: number,
  where = "fit",
): unknown[] {
  let values: unknown[] | undefined;
  try {
    values = y !== undefined && y !== null ? toTargetArray(y) : carried ? Array.from(carried) : undefined;
  } catch (err) {
    throw asValidationError(err, where);
  }
  if (!values)
    throw new ValidationError(`${where}: y is missing. Pass a target (labels or values) with one value per sample.`);
  checkConsistentLength(rows, values.length, where);
  return values;
}
