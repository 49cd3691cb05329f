/**
 * Training-loop fast path for dense classifiers: one native call per batch (forward, backward, Adam), batches
 * read straight from the full x/y tensors on the wasm heap (no Slice/Gather tensors).
 */
import * as tf from "@tensorflow/tfjs";
import { offsetOf, WasmBackendLike } from "./kernels";
import { addonOrThrow, nativeKernelsActive } from "./install";
import { exclusive } from "./buffers";
import { NativeAdamOptimizer } from "./optimizers";
import { SeededRandom, shuffleInPlace } from "../../random";

const FAST_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, sigmoid: 6, tanh: 7 };

/** Options for {@link fitNativeMLP}, as in `model.fit`. */
export interface NativeFitOptions {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the rows every epoch (default true), with a seeded generator when `seed` is given. */
  shuffle?: boolean;
  seed?: number;
  /** Called after every epoch with its mean training loss; return `false` to stop early. */
  onEpochEnd?: (epoch: number, loss: number) => void | boolean | Promise<void | boolean>;
}

/** What {@link fitNativeMLP} did. */
export interface NativeFitResult {
  /** Mean training loss per epoch (categorical cross-entropy, probabilities clipped to [1e-7, 1 − 1e-7] as tfjs does). */
  loss: number[];
  samplesPerSecond: number;
}

interface FastLayer {
  kernel: tf.Variable;
  bias?: tf.Variable;
  units: number;
  inputDim: number;
  act: number;
}

function fastLayers(model: tf.LayersModel): FastLayer[] | string {
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  if (layers.length === 0) return "the model has no layers";
  const out: FastLayer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    if (layer.getClassName() !== "Dense") return `layer ${i} (${layer.name}) is a ${layer.getClassName()}, not Dense`;
    const config = layer.getConfig() as { activation?: string; units?: number; useBias?: boolean };
    const activation = config.activation ?? "linear";
    const last = i === layers.length - 1;
    if (last && activation !== "softmax") return `the last layer's activation is ${activation}, not softmax`;
    if (!last && FAST_ACTIVATIONS[activation] === undefined)
      return `layer ${i} (${layer.name}) uses ${activation} (supported: relu, linear, sigmoid, tanh)`;
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernel = weights[0];
    if (!kernel || kernel.rank !== 2) return `layer ${i} (${layer.name}) has no 2-D kernel (is it trainable?)`;
    if (weights.length > (config.useBias === false ? 1 : 2))
      return `layer ${i} (${layer.name}) has extra trainable weights`;
    if (out.length && out[out.length - 1].units !== kernel.shape[0])
      return `layer ${i} input size ${kernel.shape[0]} does not follow the previous layer`;
    out.push({
      kernel,
      bias: weights[1],
      units: kernel.shape[1] as number,
      inputDim: kernel.shape[0] as number,
      act: last ? 8 : (FAST_ACTIVATIONS[activation] ?? 0),
    });
  }
  return out;
}

/**
 * Whether {@link fitNativeMLP} can train this model: the native pack active on wasm, a stack of Dense layers
 * (hidden relu/linear/sigmoid/tanh, softmax last), compiled with loss `categoricalCrossentropy` and a
 * {@link NativeAdamOptimizer}. Returns `{ ok: false, reason }` saying what does not fit.
 */
export function nativeMLPSupport(model: tf.LayersModel): { ok: true } | { ok: false; reason: string } {
  const loss = (model as unknown as { loss?: unknown }).loss;
  const lossName = Array.isArray(loss) ? loss[0] : loss;
  if (lossName !== "categoricalCrossentropy")
    return { ok: false, reason: "the model is not compiled with loss 'categoricalCrossentropy'" };
  const why = fusedStepRejection(model, model.optimizer);
  return why ? { ok: false, reason: why } : { ok: true };
}

/** Why {@link fusedMLPStep} cannot train `model` with `optimizer`, or undefined when it can. */
function fusedStepRejection(model: tf.LayersModel, optimizer: tf.Optimizer): string | undefined {
  if (!nativeKernelsActive() || tf.getBackend() !== "wasm")
    return "the native kernel pack is not active on the wasm backend";
  // (Not `instanceof`: tf.Optimizer's Symbol.hasInstance accepts any optimizer, and subclasses inherit it.)
  if (!Object.prototype.isPrototypeOf.call(NativeAdamOptimizer.prototype, optimizer))
    return "the optimizer is not nativeAdam()";
  const layers = fastLayers(model);
  return typeof layers === "string" ? layers : undefined;
}

/** One fused training step of a dense softmax classifier: forward, backward and Adam in one native call. */
export interface FusedMLPStep {
  /**
   * Trains on the rows `order[start .. start + size)` of x/y (or rows `start .. start + size` when `order` is null),
   * with the optimizer's current learning rate. Returns the batch's mean cross-entropy (plus the L2 penalty)
   * and how many of its rows the network classified right before the update.
   */
  step(order: Int32Array | null, start: number, size: number): { loss: number; correct: number };
}

/**
 * Prepares the training-loop fast path for a dense softmax classifier (see {@link nativeMLPSupport} for the
 * architectures it takes): each {@link FusedMLPStep.step} reads its batch straight from `x` and `yOneHot` on the
 * wasm heap and updates the weights and the optimizer's moments in place, so a step is one native call instead of
 * ~60 tfjs kernels. The maths is tfjs's: softmax cross-entropy, `l2 * sum(kernel^2)`, and tfjs's Adam update.
 * Returns a string saying why when the model, optimizer, backend or tensors do not fit (callers then use tfjs).
 */
export function fusedMLPStep(
  model: tf.LayersModel,
  x: tf.Tensor,
  yOneHot: tf.Tensor,
  optimizer: tf.Optimizer,
  l2 = 0,
): FusedMLPStep | string {
  const rejection = fusedStepRejection(model, optimizer);
  if (rejection) return rejection;
  const layers = fastLayers(model) as FastLayer[];
  const n = x.shape[0];
  const classes = layers[layers.length - 1].units;
  if (x.rank !== 2 || x.dtype !== "float32" || x.shape[1] !== layers[0].inputDim)
    return `x must be float32 [n, ${layers[0].inputDim}], got ${x.dtype} [${x.shape}]`;
  if (yOneHot.rank !== 2 || yOneHot.dtype !== "float32" || yOneHot.shape[0] !== n || yOneHot.shape[1] !== classes) {
    return `y must be float32 one-hot [${n}, ${classes}], got ${yOneHot.dtype} [${yOneHot.shape}]`;
  }
  const backend = tf.backend() as unknown as WasmBackendLike;
  if (!backend.dataIdMap.get(x.dataId) || !backend.dataIdMap.get(yOneHot.dataId))
    return "x or y is not stored on the wasm backend";
  const addon = addonOrThrow();
  const opt = optimizer as NativeAdamOptimizer;
  const L = layers.length;
  const spec = new Float64Array(L * 5),
    slots = new Float64Array(L * 4),
    out = new Float64Array(2);
  return {
    step(order, start, size) {
      // Offsets are looked up every step: a variable shared with a clone (early stopping's best weights) is copied
      // first, and an assign() elsewhere gives a variable new storage.
      layers.forEach((l, i) => {
        exclusive(backend, l.kernel);
        if (l.bias) exclusive(backend, l.bias);
        const mk = opt.momentsOf(l.kernel),
          mb = l.bias ? opt.momentsOf(l.bias) : undefined;
        spec.set(
          [offsetOf(backend, l.kernel), l.bias ? offsetOf(backend, l.bias) : -1, l.inputDim, l.units, l.act],
          i * 5,
        );
        slots.set(
          [
            offsetOf(backend, mk.m),
            offsetOf(backend, mk.v),
            mb ? offsetOf(backend, mb.m) : -1,
            mb ? offsetOf(backend, mb.v) : -1,
          ],
          i * 4,
        );
      });
      const { accBeta1, accBeta2 } = opt.advance();
      addon.mlpStep(
        backend.wasm.HEAPU8.buffer as ArrayBuffer,
        offsetOf(backend, x),
        offsetOf(backend, yOneHot),
        order,
        start,
        size,
        spec,
        slots,
        opt.learningRate,
        opt.beta1,
        opt.beta2,
        opt.epsilon,
        accBeta1,
        accBeta2,
        l2,
        out,
      );
      return { loss: out[0], correct: out[1] };
    },
  };
}

/**
 * Trains a dense softmax classifier like `model.fit(x, y, {epochs, batchSize, shuffle})` — same maths (tfjs's Adam,
 * softmax cross-entropy) — with one native call per batch instead of ~60 tfjs kernel calls.
 * Updates the model's weights in place. (lib/train's `train()` takes the same fast path by itself.)
 * @throws Error saying why when {@link nativeMLPSupport} rejects the model, or when x / y do not match it
 *   (x must be float32 [n, inputs], y float32 one-hot [n, classes]).
 */
export async function fitNativeMLP(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  options: NativeFitOptions = {},
): Promise<NativeFitResult> {
  const support = nativeMLPSupport(model);
  if (!support.ok) throw new Error(`fitNativeMLP: ${support.reason}. Use model.fit instead.`);
  const stepper = fusedMLPStep(model, x, y, model.optimizer);
  if (typeof stepper === "string") throw new Error(`fitNativeMLP: ${stepper}`);
  const n = x.shape[0];
  const epochs = options.epochs ?? 1,
    batch = Math.max(1, Math.min(options.batchSize ?? 32, n));
  const rng = options.seed === undefined ? undefined : new SeededRandom(options.seed);
  const shuffle = options.shuffle ?? true;
  const losses: number[] = [];
  const t0 = performance.now();
  let seen = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffle
      ? shuffleInPlace(
          Int32Array.from({ length: n }, (_, i) => i),
          rng ? () => rng.next() : Math.random,
        )
      : null;
    let sum = 0;
    for (let start = 0; start < n; start += batch) {
      const b = Math.min(batch, n - start);
      sum += stepper.step(order, start, b).loss * b;
    }
    seen += n;
    losses.push(sum / n);
    await new Promise((resolve) => setImmediate(resolve));
    if ((await options.onEpochEnd?.(epoch, sum / n)) === false) break;
  }
  return { loss: losses, samplesPerSecond: seen / ((performance.now() - t0) / 1000) };
}
