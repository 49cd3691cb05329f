/** Gaussian naive Bayes, written here because ml-naivebayes's GaussianNB reads only the first two features. */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions } from "./estimator";
import { BaseClassifier, ModelState, registerEstimator, softmaxInPlace, trainingMatrix } from "./base";

/** Hyperparameters of {@link GaussianNB}. */
export interface GaussianNBParams {
  [key: string]: number;
  /** Fraction of the largest feature variance added to every variance, for stability (scikit-learn's default 1e-9). */
  varSmoothing: number;
}

/** Gaussian naive Bayes: per-class feature means and variances, class priors from frequencies. */
export class GaussianNB extends BaseClassifier<GaussianNBParams> {
  readonly name = "GaussianNB";
  /** Class priors. */
  classPrior: number[] = [];
  /** Per-class feature means (classes × features). */
  theta: number[][] = [];
  /** Per-class feature variances (classes × features). */
  variance: number[][] = [];

  constructor(params: Partial<GaussianNBParams> = {}) {
    super({ varSmoothing: 1e-9 }, params);
  }
  protected override validateParams(p: GaussianNBParams): void {
    if (!(p.varSmoothing >= 0)) throw new Error(`GaussianNB: varSmoothing must be >= 0 (got ${p.varSmoothing}).`);
  }

  async fit(X: FeatureInput, y?: TargetInput, _options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const codes = this.encode(y, m.rows);
    this.rememberShape(m);
    const K = this.classList.length;
    const d = m.cols;
    const counts = new Float64Array(K);
    const sum = new Float64Array(K * d);
    for (let i = 0; i < m.rows; i++) {
      counts[codes[i]]++;
      for (let j = 0; j < d; j++) sum[codes[i] * d + j] += m.data[i * d + j];
    }
    const mean = sum.map((s, q) => s / counts[Math.floor(q / d)]);
    const sq = new Float64Array(K * d);
    for (let i = 0; i < m.rows; i++)
      for (let j = 0; j < d; j++) sq[codes[i] * d + j] += (m.data[i * d + j] - mean[codes[i] * d + j]) ** 2;
    // Smoothing: a fraction of the largest overall feature variance.
    let maxVar = 0;
    for (let j = 0; j < d; j++) {
      let mu = 0;
      for (let i = 0; i < m.rows; i++) mu += m.data[i * d + j];
      mu /= m.rows;
      let v = 0;
      for (let i = 0; i < m.rows; i++) v += (m.data[i * d + j] - mu) ** 2;
      maxVar = Math.max(maxVar, v / m.rows);
    }
    const eps = this.params.varSmoothing * maxVar || 1e-12;
    this.classPrior = Array.from(counts, (c) => c / m.rows);
    this.theta = [];
    this.variance = [];
    for (let k = 0; k < K; k++) {
      this.theta.push(Array.from(mean.subarray(k * d, (k + 1) * d)));
      this.variance.push(Array.from(sq.subarray(k * d, (k + 1) * d), (s) => s / counts[k] + eps));
    }
    this.isFitted = true;
    return this;
  }

  protected probaFlat(m: Matrix): Float64Array {
    const K = this.classList.length;
    const out = new Float64Array(m.rows * K);
    for (let i = 0; i < m.rows; i++) {
      for (let k = 0; k < K; k++) {
        let ll = Math.log(this.classPrior[k]);
        for (let j = 0; j < m.cols; j++) {
          const v = this.variance[k][j];
          ll -= 0.5 * (Math.log(2 * Math.PI * v) + (m.data[i * m.cols + j] - this.theta[k][j]) ** 2 / v);
        }
        out[i * K + k] = ll;
      }
      softmaxInPlace(out, i * K, K);
    }
    return out;
  }

  protected exportState(): ModelState {
    return { ...this.classifierState(), classPrior: this.classPrior, theta: this.theta, variance: this.variance };
  }
  restoreState(state: ModelState): void {
    this.classPrior = state.classPrior as number[];
    this.theta = state.theta as number[][];
    this.variance = state.variance as number[][];
  }
}

registerEstimator("GaussianNB", (p) => new GaussianNB(p as Partial<GaussianNBParams>));
