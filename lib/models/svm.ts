/**
 * Support vector classification on libsvm (libsvm-js 0.2.1): trained in a fresh instance of its WebAssembly build,
 * predicting with its synchronous asm.js build.
 * Features are standardized internally (mean 0, variance 1), so gamma "scale" is 1 / features.
 */
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions } from "./estimator";
import { BaseClassifier, Label, ModelState, registerEstimator, trainingMatrix } from "./base";
import { columnStats } from "./optimize";

interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  predictProbability(
    samples: number[][],
  ): { prediction: number; estimates: { label: number; probability: number }[] }[];
  serializeModel(): string;
  free(): void;
}
interface LibsvmStatic {
  new (options: Record<string, unknown>): LibsvmModel;
  load(serialized: string): LibsvmModel;
  SVM_TYPES: Record<string, number>;
  KERNEL_TYPES: Record<string, number>;
}

let libsvm: LibsvmStatic | undefined;
function loadLibsvm(): LibsvmStatic {
  libsvm ??= require("libsvm-js/asm") as LibsvmStatic;
  return libsvm;
}

/**
 * A fresh libsvm instance for one fit: libsvm's WebAssembly build, instantiated anew (its own memory, so its C `rand()`
 * starts from the same state; a few ms). libsvm's Platt-scaling folds draw from `rand()`, whose state in a shared
 * instance would carry over from earlier fits: a fresh instance per fit makes every fit deterministic.
 */
let glue: { script: vm.Script; file: string } | undefined;

async function freshLibsvm(): Promise<LibsvmStatic> {
  if (!glue) {
    const file = require.resolve("libsvm-js/out/wasm/libsvm");
    // Compiled once; each run below builds a new Emscripten module (and WebAssembly instance) from it.
    const source = `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, "utf8")}\n})`;
    glue = { script: new vm.Script(source, { filename: file }), file };
  }
  const listeners = new Set(process.listeners("unhandledRejection"));
  const wasm = WebAssembly as { instantiateStreaming?: unknown };
  const streaming = wasm.instantiateStreaming;
  const mod = { exports: {} as { load(): Promise<void> } };
  try {
    // Emscripten would try to fetch() the .wasm path, fail and print a warning, then read the file: go to the file.
    wasm.instantiateStreaming = undefined;
    const run = glue.script.runInThisContext() as (
      e: unknown,
      r: NodeRequire,
      m: unknown,
      f: string,
      d: string,
    ) => void;
    run(mod.exports, require, mod, glue.file, path.dirname(glue.file));
  } finally {
    wasm.instantiateStreaming = streaming;
    // Emscripten registers a process-wide handler on every load; keep the process as it was.
    for (const l of process.listeners("unhandledRejection"))
      if (!listeners.has(l)) process.removeListener("unhandledRejection", l);
  }
  await mod.exports.load();

  return (require("libsvm-js/src/loadSVM") as (m: unknown) => LibsvmStatic)(mod.exports);
}

/** Hyperparameters of {@link SVC}. */
export interface SVCParams {
  [key: string]: number | string | boolean;
  /** Penalty of margin violations. */
  C: number;
  kernel: "rbf" | "linear" | "poly" | "sigmoid";
  /** "scale" (1 / features on standardized data) or a positive number. */
  gamma: number | "scale";
  degree: number;
  coef0: number;
  /** Stopping tolerance of the solver. */
  tol: number;
}

/**
 * C-support vector classifier (libsvm): one-vs-one for several classes, Platt-scaled probabilities.
 * `predict` uses the SVM decision (as scikit-learn does); `predictProba` the calibrated estimates.
 */
export class SVC extends BaseClassifier<SVCParams> {
  readonly name = "SVC";
  private model: LibsvmModel | null = null;
  private mean: Float64Array = new Float64Array(0);
  private std: Float64Array = new Float64Array(0);

  constructor(params: Partial<SVCParams> = {}) {
    super({ C: 1, kernel: "rbf", gamma: "scale", degree: 3, coef0: 0, tol: 1e-3 }, params);
  }
  protected override validateParams(p: SVCParams): void {
    if (!(p.C > 0)) throw new Error(`SVC: C must be > 0 (got ${p.C}).`);
    if (!["rbf", "linear", "poly", "sigmoid"].includes(p.kernel))
      throw new Error(`SVC: kernel must be rbf, linear, poly or sigmoid (got ${JSON.stringify(p.kernel)}).`);
    if (p.gamma !== "scale" && !(typeof p.gamma === "number" && p.gamma > 0))
      throw new Error(`SVC: gamma must be "scale" or a positive number (got ${JSON.stringify(p.gamma)}).`);
  }

  private rowsOf(m: Matrix): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < m.rows; i++) {
      const row = new Array<number>(m.cols);
      for (let j = 0; j < m.cols; j++) row[j] = (m.data[i * m.cols + j] - this.mean[j]) / this.std[j];
      out.push(row);
    }
    return out;
  }

  /**
   * Fits libsvm's C-SVC in a fresh libsvm instance, so its own randomness (the probability folds) is the same on every
   * fit; `seed` does not change it. The fitted model is libsvm's saved text, reloaded into the shared instance that
   * `loadModel` uses, so a saved and loaded SVC predicts exactly as the fitted one. @throws ValidationError on bad X or y.
   */
  async fit(X: FeatureInput, y?: TargetInput, _options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const codes = this.encode(y, m.rows);
    this.rememberShape(m);
    ({ mean: this.mean, std: this.std } = columnStats(m));
    const SVM = await freshLibsvm();
    const p = this.params;
    const model = new SVM({
      type: SVM.SVM_TYPES.C_SVC,
      kernel: SVM.KERNEL_TYPES[p.kernel.toUpperCase()],
      cost: p.C,
      gamma: p.gamma === "scale" ? 1 / m.cols : p.gamma,
      degree: p.degree,
      coef0: p.coef0,
      tolerance: p.tol,
      probabilityEstimates: true,
      quiet: true,
    });
    model.train(this.rowsOf(m), Array.from(codes));
    const text = model.serializeModel();
    model.free();
    this.model?.free();
    // Predict with the saved text in the shared instance, exactly as a loaded SVC does.
    this.model = loadLibsvm().load(text);
    this.isFitted = true;
    return this;
  }

  override predict(X: FeatureInput): Label[] {
    const m = this.inputMatrix(X, "predict");
    return (this.model as LibsvmModel).predict(this.rowsOf(m)).map((code) => this.classList[code]);
  }

  protected probaFlat(m: Matrix): Float64Array {
    const K = this.classList.length;
    const out = new Float64Array(m.rows * K);
    const estimates = (this.model as LibsvmModel).predictProbability(this.rowsOf(m));
    estimates.forEach((e, i) => {
      for (const { label, probability } of e.estimates) out[i * K + label] = probability;
    });
    return out;
  }

  /** The libsvm model file, as text. @throws Error when unfitted. */
  serializedModel(): string {
    this.assertFitted("serializedModel");
    return (this.model as LibsvmModel).serializeModel();
  }

  protected exportState(): ModelState {
    return { ...this.classifierState(), libsvm: this.serializedModel(), mean: this.mean, std: this.std };
  }
  restoreState(state: ModelState): void {
    this.model = loadLibsvm().load(state.libsvm as string);
    this.mean = state.mean as Float64Array;
    this.std = state.std as Float64Array;
  }
}

registerEstimator("SVC", (p) => new SVC(p as Partial<SVCParams>));
