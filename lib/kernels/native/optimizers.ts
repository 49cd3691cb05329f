/**
 * Fused optimizers: nativeAdam and nativeSGD update every variable in place on the wasm heap in one native call,
 * and fall back to tfjs's optimizers when the pack is off.
 */
import * as tf from "@tensorflow/tfjs";
import { offsetOf, WasmBackendLike } from "./kernels";
import { addonOrThrow, nativeKernelsActive } from "./install";
import { exclusive, ownedSlot } from "./buffers";

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

function nativeUsable(vars: Array<{ grad: tf.Tensor }>): boolean {
  return nativeKernelsActive() && tf.getBackend() === "wasm" && vars.every((g) => g.grad.dtype === "float32");
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

  constructor(
    readonly learningRate = 0.001,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
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
    const P = new Float64Array(n),
      G = new Float64Array(n),
      M = new Float64Array(n),
      V = new Float64Array(n),
      S = new Float64Array(n);
    vars.forEach((v, i) => {
      const s = this.momentsOf(v);
      P[i] = offsetOf(backend, v);
      G[i] = offsetOf(backend, live[i].grad);
      M[i] = offsetOf(backend, s.m);
      V[i] = offsetOf(backend, s.v);
      S[i] = v.size;
    });
    addon.adam(
      backend.wasm.HEAPU8.buffer as ArrayBuffer,
      P,
      G,
      M,
      V,
      S,
      this.learningRate,
      this.beta1,
      this.beta2,
      this.epsilon,
      Math.pow(this.beta1, this.step),
      Math.pow(this.beta2, this.step),
    );
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
    for (const [name, s] of this.slots)
      out.push({ name: `${name}/m`, tensor: s.m }, { name: `${name}/v`, tensor: s.v });
    return out;
  }

  override async setWeights(weightValues: NativeNamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.step = this.iterations;
    for (const { name, tensor } of rest) {
      const [varName, kind] = [name.slice(0, name.lastIndexOf("/")), name.slice(name.lastIndexOf("/") + 1)];
      const slot = this.slots.get(varName) ?? { m: tf.keep(tf.zerosLike(tensor)), v: tf.keep(tf.zerosLike(tensor)) };
      const copy = tf.keep(tf.add(tensor, 0));
      if (kind === "m") {
        slot.m.dispose();
        slot.m = copy;
      } else {
        slot.v.dispose();
        slot.v = copy;
      }
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

  constructor(
    readonly learningRate = 0.01,
    readonly momentum = 0,
    readonly useNesterov = false,
  ) {
    super();
  }

  override applyGradients(variableGradients: NativeVariableGrads): void {
    const grads = listGrads(variableGradients);
    if (!nativeUsable(grads)) {
      this.fallback ??=
        this.momentum > 0
          ? tf.train.momentum(this.learningRate, this.momentum, this.useNesterov)
          : tf.train.sgd(this.learningRate);
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
    if (useAcc)
      for (const v of vars)
        this.accums.set(v.name, ownedSlot(backend, this.accums.get(v.name) ?? tf.keep(tf.zerosLike(v))));
    const n = vars.length;
    const P = new Float64Array(n),
      G = new Float64Array(n),
      A = new Float64Array(n),
      S = new Float64Array(n);
    vars.forEach((v, i) => {
      P[i] = offsetOf(backend, v);
      G[i] = offsetOf(backend, live[i].grad);
      S[i] = v.size;
      if (useAcc) A[i] = offsetOf(backend, this.accums.get(v.name)!);
    });
    addon.sgd(
      backend.wasm.HEAPU8.buffer as ArrayBuffer,
      P,
      G,
      useAcc ? A : null,
      S,
      this.learningRate,
      this.momentum,
      this.useNesterov,
    );
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
