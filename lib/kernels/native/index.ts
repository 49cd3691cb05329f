/**
 * trainlab's native kernel pack: OpenBLAS-backed CPU kernels for the tfjs wasm backend.
 *
 * Importing this module registers an accelerator with lib/backend, so when the backend chain activates
 * wasm it installs the pack (or records why it could not). Notebooks can inspect it with
 * `nativeKernelStatus()` and turn it off and on with `uninstallNativeKernels()` / `installNativeKernels()`.
 */
import * as tf from "@tensorflow/tfjs";
import { registerWasmAccelerator } from "../../backend";
import { loadAddon, NativeAddon, NATIVE_BUILD_HINT } from "./addon";
import { nativeKernelFactories, offsetOf, RELU_GRAD_KERNEL, SOFTMAX_CE_KERNEL, WasmBackendLike } from "./kernels";
import { SeededRandom, shuffleInPlace } from "../../random";

export { NATIVE_BUILD_HINT } from "./addon";

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

const ACCELERATOR_NAME = "native kernel pack";
let installed: { previous: Map<string, tf.KernelConfig | undefined>; kernels: string[] } | undefined;
let lastError: string | undefined;

function wasmBackend(): WasmBackendLike | undefined {
  try {
    return tf.findBackend("wasm") as unknown as WasmBackendLike | undefined;
  } catch {
    return undefined;
  }
}

function addonOrThrow(): NativeAddon {
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
  const factories = nativeKernelFactories(addon);
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
  backend.readSync = function (this: WasmBackendLike & { readSync: ReadSync }, dataId: unknown, start?: number, end?: number) {
    const data = backend.dataIdMap.get(dataId) as { memoryOffset: number; shape: number[]; dtype?: tf.DataType } | undefined;
    const dtype = data?.dtype;
    if (!data || (start !== undefined && start !== 0) || end !== undefined || (dtype !== "float32" && dtype !== "int32" && dtype !== "bool")) {
      return stock.call(this, dataId, start, end);
    }
    const n = data.shape.reduce((a, b) => a * b, 1);
    const bytes = dtype === "bool" ? n : n * 4;
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    const buffer = Buffer.allocUnsafeSlow(bytes).buffer;
    if (addon.copyOut) addon.copyOut(heap, data.memoryOffset, buffer, bytes);
    else new Uint8Array(buffer, 0, bytes).set(new Uint8Array(heap, data.memoryOffset, bytes));
    return dtype === "bool" ? new Uint8Array(buffer, 0, n) : dtype === "float32" ? new Float32Array(buffer, 0, n) : new Int32Array(buffer, 0, n);
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
  const blas = `${info.blasConfig.trim()} (core ${info.blasCore}${load.coretype ? `, OPENBLAS_CORETYPE=${load.coretype}` : ""}` +
    `${info.isa ? `; pack loops ${info.isa}` : ""}${info.mallocTuned ? "; malloc keeps freed memory" : ""})`;
  if (!installed) {
    return {
      available: true, active: false, reason: lastError ?? "the wasm backend has not been activated yet",
      fix: "call ensureBackend() (or useBackend(\"wasm\")) — the pack installs when wasm activates", kernels: [], blas,
      maxThreads: info.maxThreads,
    };
  }
  return { available: true, active: true, reason: "", fix: "", kernels: [...installed.kernels], blas, maxThreads: info.maxThreads };
}

// ---------------------------------------------------------------------------------------------------------
// Relu backward as one kernel. The gradient registry is global, so the override only takes the native path
// while the pack is active on the wasm backend; otherwise it computes what tfjs computes (dy * step(x)).
const stockReluGrad = tf.getGradient("Relu");
tf.registerGradient({
  kernelName: "Relu",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    if (installed && tf.getBackend() === "wasm" && x.dtype === "float32") {
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }) as tf.Tensor };
    }
    if (stockReluGrad) return stockReluGrad.gradFunc(dy, saved, attrs);
    return { x: () => tf.mul(dy as tf.Tensor, tf.cast(tf.step(x), "float32")) };
  },
});

/**
 * Mean softmax cross-entropy of `logits` [rows, classes] against one-hot (or soft) `labels`, with a fused
 * forward/backward on the native pack; elsewhere it is `tf.losses.softmaxCrossEntropy`.
 * Differentiable with respect to `logits`.
 * @throws Error when the shapes differ or are not rank 2.
 */
export function nativeSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  if (labels.rank !== 2 || logits.rank !== 2 || !util_equal(labels.shape, logits.shape)) {
    throw new Error(`nativeSoftmaxCrossEntropy: labels ${JSON.stringify(labels.shape)} and logits ${JSON.stringify(logits.shape)} must both be [rows, classes]`);
  }
  if (!(installed && tf.getBackend() === "wasm" && logits.dtype === "float32")) {
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  }
  const y = labels.dtype === "float32" ? labels : tf.cast(labels, "float32");
  const f = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, grad] = tf.engine().runKernel(SOFTMAX_CE_KERNEL, { logits: z, labels: y }) as tf.Tensor[];
    save([grad]);
    const value = tf.mean(loss) as tf.Scalar;
    loss.dispose();
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], tf.div(dy, z.shape[0])) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const result = f(logits) as tf.Scalar;
  if (y !== labels) y.dispose();
  return result;
}

function util_equal(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ---------------------------------------------------------------------------------------------------------
// Fused optimizers: one native call updates every variable in place on the wasm heap.

/** A named tensor as tfjs optimizers see it. */
export interface NativeNamedTensor {
  name: string;
  tensor: tf.Tensor;
}
/** Gradients as tfjs optimizers receive them. */
export type NativeVariableGrads = tf.NamedTensorMap | NativeNamedTensor[];

function listGrads(variableGradients: NativeVariableGrads): Array<{ name: string; grad: tf.Tensor }> {
  return Array.isArray(variableGradients)
    ? variableGradients.map((v) => ({ name: v.name, grad: v.tensor }))
    : Object.keys(variableGradients).map((name) => ({ name, grad: variableGradients[name] }));
}

function registeredVariable(name: string): tf.Variable {
  const v = (tf.engine().registeredVariables as Record<string, tf.Variable>)[name];
  if (!v) throw new Error(`optimizer: no variable named "${name}" is registered`);
  return v;
}

/** Makes sure a wasm variable owns its buffer alone (so an in-place update cannot change another tensor). */
function exclusive(backend: WasmBackendLike, v: tf.Variable): void {
  const data = backend.dataIdMap.get(v.dataId);
  if (data && data.refCount === 1) return;
  const copy = tf.tidy(() => tf.add(v, tf.scalar(0)));
  v.assign(copy);
  copy.dispose();
}

/** `t` itself when it owns its wasm buffer alone; else a kept copy that does (and `t` is disposed). For optimizer slots. */
function ownedSlot(backend: WasmBackendLike, t: tf.Tensor): tf.Tensor {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data || data.refCount === 1) return t;
  const copy = tf.keep(tf.tidy(() => tf.add(t, tf.scalar(0))));
  t.dispose();
  return copy;
}

function nativeUsable(vars: Array<{ grad: tf.Tensor }>): boolean {
  return installed !== undefined && tf.getBackend() === "wasm" && vars.every((g) => g.grad.dtype === "float32");
}

/**
 * Adam with tfjs's exact update rule, fused into one native call per step on the native pack (state
 * m, v live on the wasm heap); on any other backend it delegates to `tf.train.adam` with the same settings.
 * Use it wherever a tfjs optimizer goes: `model.compile({ optimizer: nativeAdam(1e-3), ... })`.
 */
export class NativeAdamOptimizer extends tf.Optimizer {
  /** Name used by tfjs serialization. */
  static get className(): string {
    return "TrainlabNativeAdam";
  }
  private readonly slots = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();
  private step = 0;
  private fallback?: tf.AdamOptimizer;

  constructor(readonly learningRate = 0.001, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-7) {
    super();
  }

  override applyGradients(variableGradients: NativeVariableGrads): void {
    const grads = listGrads(variableGradients);
    if (!nativeUsable(grads)) {
      this.fallback ??= tf.train.adam(this.learningRate, this.beta1, this.beta2, this.epsilon);
      (this.fallback.applyGradients as (g: NativeVariableGrads) => void).call(this.fallback, variableGradients);
      this.incrementIterations();
      return;
    }
    const backend = tf.backend() as unknown as WasmBackendLike;
    const addon = addonOrThrow();
    this.step++;
    const live = grads.filter((g) => g.grad != null);
    const vars = live.map((g) => registeredVariable(g.name));
    vars.forEach((v) => exclusive(backend, v));
    const n = vars.length;
    const P = new Float64Array(n), G = new Float64Array(n), M = new Float64Array(n), V = new Float64Array(n), S = new Float64Array(n);
    vars.forEach((v, i) => {
      const s = this.momentsOf(v);
      P[i] = offsetOf(backend, v); G[i] = offsetOf(backend, live[i].grad); M[i] = offsetOf(backend, s.m); V[i] = offsetOf(backend, s.v);
      S[i] = v.size;
    });
    addon.adam(backend.wasm.HEAPU8.buffer as ArrayBuffer, P, G, M, V, S, this.learningRate, this.beta1, this.beta2, this.epsilon,
      Math.pow(this.beta1, this.step), Math.pow(this.beta2, this.step));
    this.incrementIterations();
  }

  /**
   * Moment tensors of a variable, created on first use, each owning its buffer alone so that an in-place update
   * cannot change a clone someone kept (used by the fused fast paths; do not dispose them).
   */
  momentsOf(v: tf.Variable): { m: tf.Tensor; v: tf.Tensor } {
    let slot = this.slots.get(v.name);
    if (!slot) {
      slot = { m: tf.keep(tf.zerosLike(v)), v: tf.keep(tf.zerosLike(v)) };
      this.slots.set(v.name, slot);
    }
    const backend = tf.backend() as unknown as WasmBackendLike;
    slot.m = ownedSlot(backend, slot.m);
    slot.v = ownedSlot(backend, slot.v);
    return slot;
  }

  /** Advances the step counter for a fused update done elsewhere; returns beta1^t and beta2^t for bias correction. */
  advance(): { accBeta1: number; accBeta2: number } {
    this.step++;
    this.incrementIterations();
    return { accBeta1: Math.pow(this.beta1, this.step), accBeta2: Math.pow(this.beta2, this.step) };
  }

  override dispose(): void {
    for (const s of this.slots.values()) tf.dispose([s.m, s.v]);
    this.slots.clear();
    this.fallback?.dispose();
  }

  override async getWeights(): Promise<NativeNamedTensor[]> {
    const out: NativeNamedTensor[] = [await this.saveIterations()];
    for (const [name, s] of this.slots) out.push({ name: `${name}/m`, tensor: s.m }, { name: `${name}/v`, tensor: s.v });
    return out;
  }

  override async setWeights(weightValues: NativeNamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.step = this.iterations;
    for (const { name, tensor } of rest) {
      const [varName, kind] = [name.slice(0, name.lastIndexOf("/")), name.slice(name.lastIndexOf("/") + 1)];
      const slot = this.slots.get(varName) ?? { m: tf.keep(tf.zerosLike(tensor)), v: tf.keep(tf.zerosLike(tensor)) };
      const copy = tf.keep(tf.add(tensor, 0));
      if (kind === "m") { slot.m.dispose(); slot.m = copy; } else { slot.v.dispose(); slot.v = copy; }
      this.slots.set(varName, slot);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/**
 * SGD, optionally with (Nesterov) momentum, with tfjs's update rules (tf.train.sgd / tf.train.momentum),
 * fused into one native call per step on the native pack; elsewhere it delegates to the tfjs optimizer.
 */
export class NativeSGDOptimizer extends tf.Optimizer {
  static get className(): string {
    return "TrainlabNativeSGD";
  }
  private readonly accums = new Map<string, tf.Tensor>();
  private fallback?: tf.Optimizer;

  constructor(readonly learningRate = 0.01, readonly momentum = 0, readonly useNesterov = false) {
    super();
  }

  override applyGradients(variableGradients: NativeVariableGrads): void {
    const grads = listGrads(variableGradients);
    if (!nativeUsable(grads)) {
      this.fallback ??= this.momentum > 0 ? tf.train.momentum(this.learningRate, this.momentum, this.useNesterov) : tf.train.sgd(this.learningRate);
      (this.fallback.applyGradients as (g: NativeVariableGrads) => void).call(this.fallback, variableGradients);
      this.incrementIterations();
      return;
    }
    const backend = tf.backend() as unknown as WasmBackendLike;
    const addon = addonOrThrow();
    const live = grads.filter((g) => g.grad != null);
    const vars = live.map((g) => registeredVariable(g.name));
    vars.forEach((v) => exclusive(backend, v));
    const useAcc = this.momentum > 0;
    if (useAcc) for (const v of vars) this.accums.set(v.name, ownedSlot(backend, this.accums.get(v.name) ?? tf.keep(tf.zerosLike(v))));
    const n = vars.length;
    const P = new Float64Array(n), G = new Float64Array(n), A = new Float64Array(n), S = new Float64Array(n);
    vars.forEach((v, i) => {
      P[i] = offsetOf(backend, v); G[i] = offsetOf(backend, live[i].grad); S[i] = v.size;
      if (useAcc) A[i] = offsetOf(backend, this.accums.get(v.name)!);
    });
    addon.sgd(backend.wasm.HEAPU8.buffer as ArrayBuffer, P, G, useAcc ? A : null, S, this.learningRate, this.momentum, this.useNesterov);
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose([...this.accums.values()]);
    this.accums.clear();
    this.fallback?.dispose();
  }

  override async getWeights(): Promise<NativeNamedTensor[]> {
    const out: NativeNamedTensor[] = [await this.saveIterations()];
    for (const [name, t] of this.accums) out.push({ name: `${name}/momentum`, tensor: t });
    return out;
  }

  override async setWeights(weightValues: NativeNamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    for (const { name, tensor } of rest) {
      const varName = name.slice(0, name.lastIndexOf("/"));
      this.accums.get(varName)?.dispose();
      this.accums.set(varName, tf.keep(tf.add(tensor, 0)));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, momentum: this.momentum, useNesterov: this.useNesterov };
  }
}

/** Adam fused on the native pack (tf.train.adam elsewhere). Same defaults as tf.train.adam. */
export function nativeAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): NativeAdamOptimizer {
  return new NativeAdamOptimizer(learningRate, beta1, beta2, epsilon);
}

/** SGD (momentum = 0) or momentum SGD fused on the native pack (tf.train.sgd / tf.train.momentum elsewhere). */
export function nativeSGD(learningRate = 0.01, momentum = 0, useNesterov = false): NativeSGDOptimizer {
  return new NativeSGDOptimizer(learningRate, momentum, useNesterov);
}

// ---------------------------------------------------------------------------------------------------------
// Hook into the backend chain: installs when wasm activates; the report shows on/off and why.
registerWasmAccelerator(() => {
  try {
    const s = installNativeKernels();
    return { name: ACCELERATOR_NAME, active: true, detail: `${s.kernels.length} kernels on ${s.blas}, up to ${s.maxThreads} threads` };
  } catch (err) {
    return { name: ACCELERATOR_NAME, active: false, detail: `stock wasm kernels in use: ${(err as Error).message}` };
  }
});

/** Whether a wasm-backend tensor's memory is exclusively its own (useful to check in-place updates are safe). */
export function ownsBuffer(t: tf.Tensor): boolean {
  const backend = wasmBackend();
  return Boolean(backend?.dataIdMap.get(t.dataId)?.refCount === 1);
}

// ---------------------------------------------------------------------------------------------------------
// Training-loop fast path for dense classifiers: one native call per batch (forward, backward, Adam), batches
// read straight from the full x/y tensors on the wasm heap (no Slice/Gather tensors).

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
    if (!last && FAST_ACTIVATIONS[activation] === undefined) return `layer ${i} (${layer.name}) uses ${activation} (supported: relu, linear, sigmoid, tanh)`;
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernel = weights[0];
    if (!kernel || kernel.rank !== 2) return `layer ${i} (${layer.name}) has no 2-D kernel (is it trainable?)`;
    if (weights.length > (config.useBias === false ? 1 : 2)) return `layer ${i} (${layer.name}) has extra trainable weights`;
    if (out.length && out[out.length - 1].units !== kernel.shape[0]) return `layer ${i} input size ${kernel.shape[0]} does not follow the previous layer`;
    out.push({ kernel, bias: weights[1], units: kernel.shape[1] as number, inputDim: kernel.shape[0] as number, act: last ? 8 : FAST_ACTIVATIONS[activation] ?? 0 });
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
  if (lossName !== "categoricalCrossentropy") return { ok: false, reason: "the model is not compiled with loss 'categoricalCrossentropy'" };
  const why = fusedStepRejection(model, model.optimizer);
  return why ? { ok: false, reason: why } : { ok: true };
}

/** Why {@link fusedMLPStep} cannot train `model` with `optimizer`, or undefined when it can. */
function fusedStepRejection(model: tf.LayersModel, optimizer: tf.Optimizer): string | undefined {
  if (!installed || tf.getBackend() !== "wasm") return "the native kernel pack is not active on the wasm backend";
  // (Not `instanceof`: tf.Optimizer's Symbol.hasInstance accepts any optimizer, and subclasses inherit it.)
  if (!NativeAdamOptimizer.prototype.isPrototypeOf(optimizer)) return "the optimizer is not nativeAdam()";
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
export function fusedMLPStep(model: tf.LayersModel, x: tf.Tensor, yOneHot: tf.Tensor, optimizer: tf.Optimizer, l2 = 0): FusedMLPStep | string {
  const rejection = fusedStepRejection(model, optimizer);
  if (rejection) return rejection;
  const layers = fastLayers(model) as FastLayer[];
  const n = x.shape[0];
  const classes = layers[layers.length - 1].units;
  if (x.rank !== 2 || x.dtype !== "float32" || x.shape[1] !== layers[0].inputDim) return `x must be float32 [n, ${layers[0].inputDim}], got ${x.dtype} [${x.shape}]`;
  if (yOneHot.rank !== 2 || yOneHot.dtype !== "float32" || yOneHot.shape[0] !== n || yOneHot.shape[1] !== classes) {
    return `y must be float32 one-hot [${n}, ${classes}], got ${yOneHot.dtype} [${yOneHot.shape}]`;
  }
  const backend = tf.backend() as unknown as WasmBackendLike;
  if (!backend.dataIdMap.get(x.dataId) || !backend.dataIdMap.get(yOneHot.dataId)) return "x or y is not stored on the wasm backend";
  const addon = addonOrThrow();
  const opt = optimizer as NativeAdamOptimizer;
  const L = layers.length;
  const spec = new Float64Array(L * 5), slots = new Float64Array(L * 4), out = new Float64Array(2);
  return {
    step(order, start, size) {
      // Offsets are looked up every step: a variable shared with a clone (early stopping's best weights) is copied
      // first, and an assign() elsewhere gives a variable new storage.
      layers.forEach((l, i) => {
        exclusive(backend, l.kernel);
        if (l.bias) exclusive(backend, l.bias);
        const mk = opt.momentsOf(l.kernel), mb = l.bias ? opt.momentsOf(l.bias) : undefined;
        spec.set([offsetOf(backend, l.kernel), l.bias ? offsetOf(backend, l.bias) : -1, l.inputDim, l.units, l.act], i * 5);
        slots.set([offsetOf(backend, mk.m), offsetOf(backend, mk.v), mb ? offsetOf(backend, mb.m) : -1, mb ? offsetOf(backend, mb.v) : -1], i * 4);
      });
      const { accBeta1, accBeta2 } = opt.advance();
      addon.mlpStep(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsetOf(backend, x), offsetOf(backend, yOneHot), order, start, size, spec, slots,
        opt.learningRate, opt.beta1, opt.beta2, opt.epsilon, accBeta1, accBeta2, l2, out);
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
export async function fitNativeMLP(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options: NativeFitOptions = {}): Promise<NativeFitResult> {
  const support = nativeMLPSupport(model);
  if (!support.ok) throw new Error(`fitNativeMLP: ${support.reason}. Use model.fit instead.`);
  const stepper = fusedMLPStep(model, x, y, model.optimizer);
  if (typeof stepper === "string") throw new Error(`fitNativeMLP: ${stepper}`);
  const n = x.shape[0];
  const epochs = options.epochs ?? 1, batch = Math.max(1, Math.min(options.batchSize ?? 32, n));
  const rng = options.seed === undefined ? undefined : new SeededRandom(options.seed);
  const shuffle = options.shuffle ?? true;
  const losses: number[] = [];
  const t0 = performance.now();
  let seen = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffle ? shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), rng ? () => rng.next() : Math.random) : null;
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
