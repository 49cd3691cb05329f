/** LogisticRegression: binary and multinomial, L2, intercept; L-BFGS then Newton polishing in a standardized space. */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions } from "./estimator";
import { BaseClassifier, ModelState, registerEstimator, sigmoid, softmaxInPlace, trainingMatrix } from "./base";
import { columnStats, lbfgs, newtonPolish } from "./optimize";

/** Newton polishing runs when rows × parameters² is at most this (about a second of work per step). */
const NEWTON_BUDGET = 2e9;
const NEWTON_MAX_STEPS = 50;
/** L-BFGS iterations before Newton takes over (it converges from there in a few steps). */
const LBFGS_BEFORE_NEWTON = 100;

/**
 * The Hessian of the (mean) logistic objective in the standardized parametrization of {@link LogisticRegression}:
 * per output o a block of weights (d) then the intercept; the penalty is λ·scale_j on weight j.
 */
function logisticHessian(
  w: Float64Array,
  Z: Float64Array,
  n: number,
  d: number,
  outputs: number,
  fitIntercept: boolean,
  lambda: number,
  penaltyScale: Float64Array,
): Float64Array {
  const width = d + 1;
  const P = outputs * width;
  const H = new Float64Array(P * P);
  const prob = new Float64Array(outputs);
  const W = new Float64Array(outputs * outputs); // per-row weights W[a][b] = p_a (δ_ab − p_b)
  const a = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) a[j] = Z[row + j];
    a[d] = fitIntercept ? 1 : 0;
    for (let o = 0; o < outputs; o++) {
      let s = fitIntercept ? w[o * width + d] : 0;
      for (let j = 0; j < d; j++) s += w[o * width + j] * a[j];
      prob[o] = s;
    }
    if (outputs === 1) {
      const q = sigmoid(prob[0]);
      W[0] = q * (1 - q);
    } else {
      softmaxInPlace(prob, 0, outputs);
      for (let x = 0; x < outputs; x++)
        for (let y = 0; y < outputs; y++) W[x * outputs + y] = prob[x] * ((x === y ? 1 : 0) - prob[y]);
    }
    for (let x = 0; x < outputs; x++) {
      for (let y = 0; y <= x; y++) {
        const wxy = W[x * outputs + y];
        for (let j = 0; j < width; j++) {
          const c = wxy * a[j];
          if (c === 0) continue;
          const base = (x * width + j) * P + y * width;
          for (let k = 0; k <= j; k++) H[base + k] += c * a[k];
        }
      }
    }
  }
  // Only blocks y <= x and entries k <= j were summed; each block is symmetric and block (y, x) equals block (x, y).
  for (let x = 0; x < outputs; x++) {
    for (let y = 0; y <= x; y++) {
      for (let j = 0; j < width; j++) {
        for (let k = 0; k <= j; k++) {
          const v = H[(x * width + j) * P + y * width + k];
          H[(x * width + k) * P + y * width + j] = v;
          H[(y * width + j) * P + x * width + k] = v;
          H[(y * width + k) * P + x * width + j] = v;
        }
      }
    }
  }
  for (let q = 0; q < H.length; q++) H[q] /= n;
  for (let o = 0; o < outputs; o++) {
    for (let j = 0; j < d; j++) H[(o * width + j) * P + o * width + j] += (lambda * penaltyScale[j]) / n;
    // Without an intercept its coordinate is unused: keep the system regular.
    if (!fitIntercept) H[(o * width + d) * P + o * width + d] = 1;
  }
  if (outputs > 1 && fitIntercept) {
    // Softmax is unchanged when every intercept moves by the same amount: the objective is flat along that direction.
    // Adding u·uᵀ (u = that direction) makes the system regular without changing the step in the other directions.
    for (let x = 0; x < outputs; x++) for (let y = 0; y < outputs; y++) H[(x * width + d) * P + y * width + d] += 1;
  }
  return H;
}

/** Hyperparameters of {@link LogisticRegression}. */
export interface LogisticRegressionParams {
  [key: string]: number | boolean | string;
  /**
   * Inverse L2 strength, exactly as in scikit-learn: the fit minimizes C · Σ log loss + ½‖W‖² with W the coefficients
   * in the units of the features you pass (the intercept is not penalized). So unscaled columns are penalized as they
   * are; standardize first if you want every feature penalized alike. Use a large C for (almost) no penalty.
   */
  C: number;
  fitIntercept: boolean;
  /** L-BFGS iterations at most (before the Newton polish). */
  maxIter: number;
  /** L-BFGS gradient tolerance; Newton steps then polish to round-off where rows × parameters² ≤ 2e9. */
  tol: number;
}

/**
 * Logistic regression with an intercept and L2 penalty: a sigmoid for two classes, softmax
 * (multinomial) for more. Minimizes scikit-learn's objective (C · Σ log loss + ½‖coef‖², raw-unit coefficients,
 * intercept unpenalized). Solved on internally standardized features (for conditioning) with the penalty
 * transformed back to raw units, by L-BFGS then exact Newton steps; `coef` and `intercept` are in the original units.
 */
export class LogisticRegression extends BaseClassifier<LogisticRegressionParams> {
  readonly name = "LogisticRegression";
  /** Coefficients, classes (1 row when binary) × features, original units. */
  coef: number[][] = [];
  /** Intercepts, one per row of `coef`. */
  intercept: number[] = [];
  /** L-BFGS iterations of the last fit. */
  nIter = 0;

  constructor(params: Partial<LogisticRegressionParams> = {}) {
    super({ C: 1, fitIntercept: true, maxIter: 500, tol: 1e-6 }, params);
  }

  protected override validateParams(p: LogisticRegressionParams): void {
    if (!(p.C > 0)) throw new Error(`LogisticRegression: C must be > 0 (got ${p.C}).`);
    if (!(p.maxIter >= 1)) throw new Error(`LogisticRegression: maxIter must be >= 1 (got ${p.maxIter}).`);
  }

  async fit(X: FeatureInput, y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const codes = this.encode(y, m.rows);
    this.rememberShape(m);
    const k = this.classList.length;
    const outputs = k === 2 ? 1 : k;
    const d = m.cols;
    const { mean, std } = columnStats(m);
    const Z = new Float64Array(m.data.length);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < d; j++) Z[i * d + j] = (m.data[i * d + j] - mean[j]) / std[j];
    const n = m.rows;
    const lambda = 1 / this.params.C;
    // Constant columns (std set to 1) get the plain penalty; their data gradient is 0 so their weight is 0.
    const penaltyScale = Float64Array.from(std, (s) => 1 / (s * s));
    const width = d + 1; // weights then intercept, per output
    const scores = new Float64Array(outputs);
    const evaluate = (w: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const row = i * d;
        for (let o = 0; o < outputs; o++) {
          let s = this.params.fitIntercept ? w[o * width + d] : 0;
          for (let j = 0; j < d; j++) s += w[o * width + j] * Z[row + j];
          scores[o] = s;
        }
        if (outputs === 1) {
          const t = codes[i];
          const z = scores[0];
          // log(1 + exp(-y z)) with y in {-1, 1}, stably.
          const yz = t === 1 ? z : -z;
          loss += yz > 0 ? Math.log1p(Math.exp(-yz)) : -yz + Math.log1p(Math.exp(yz));
          scores[0] = sigmoid(z) - t;
        } else {
          let max = -Infinity;
          for (let o = 0; o < outputs; o++) max = Math.max(max, scores[o]);
          let sum = 0;
          for (let o = 0; o < outputs; o++) sum += Math.exp(scores[o] - max);
          loss += Math.log(sum) + max - scores[codes[i]];
          for (let o = 0; o < outputs; o++) scores[o] = Math.exp(scores[o] - max) / sum - (o === codes[i] ? 1 : 0);
        }
        for (let o = 0; o < outputs; o++) {
          const r = scores[o];
          for (let j = 0; j < d; j++) grad[o * width + j] += r * Z[row + j];
          if (this.params.fitIntercept) grad[o * width + d] += r;
        }
      }
      // scikit-learn's penalty ½‖W‖²/C on the raw-unit coefficients w_j = v_j / std_j (v: standardized-space weights).
      for (let o = 0; o < outputs; o++) {
        for (let j = 0; j < d; j++) {
          const v = w[o * width + j];
          loss += 0.5 * lambda * penaltyScale[j] * v * v;
          grad[o * width + j] += lambda * penaltyScale[j] * v;
        }
      }
      for (let q = 0; q < grad.length; q++) grad[q] /= n;
      return loss / n;
    };
    // L-BFGS stops short of the optimum when penalty and data scales differ widely (raw, unscaled columns); exact
    // Newton steps finish the job where the Hessian is affordable, so the fit is the minimizer of scikit-learn's objective.
    const params = outputs * width;
    const newton = n * params * params <= NEWTON_BUDGET;
    const lbfgsIter = newton ? Math.min(this.params.maxIter, LBFGS_BEFORE_NEWTON) : this.params.maxIter;
    const result = lbfgs(evaluate, new Float64Array(params), {
      maxIter: lbfgsIter,
      tol: this.params.tol,
      signal: options?.signal,
    });
    this.nIter = result.iterations;
    if (newton && !options?.signal?.aborted) {
      this.nIter += newtonPolish(
        result.x,
        evaluate,
        (w) => logisticHessian(w, Z, n, d, outputs, this.params.fitIntercept, lambda, penaltyScale),
        NEWTON_MAX_STEPS,
      );
    }
    this.coef = [];
    this.intercept = [];
    for (let o = 0; o < outputs; o++) {
      const row: number[] = [];
      let b = this.params.fitIntercept ? result.x[o * width + d] : 0;
      for (let j = 0; j < d; j++) {
        const c = result.x[o * width + j] / std[j];
        row.push(c);
        b -= c * mean[j];
      }
      this.coef.push(row);
      this.intercept.push(b);
    }
    this.isFitted = true;
    return this;
  }

  /** Raw scores (log-odds), rows × outputs. */
  decisionFunction(X: FeatureInput): number[][] {
    const m = this.inputMatrix(X, "decisionFunction");
    const out: number[][] = [];
    for (let i = 0; i < m.rows; i++) out.push(this.coef.map((c, o) => this.linear(m, i, o)));
    return out;
  }

  private linear(m: Matrix, i: number, o: number): number {
    let s = this.intercept[o];
    const c = this.coef[o];
    for (let j = 0; j < m.cols; j++) s += c[j] * m.data[i * m.cols + j];
    return s;
  }

  protected probaFlat(m: Matrix): Float64Array {
    const k = this.classList.length;
    const p = new Float64Array(m.rows * k);
    for (let i = 0; i < m.rows; i++) {
      if (k === 2) {
        const q = sigmoid(this.linear(m, i, 0));
        p[i * 2] = 1 - q;
        p[i * 2 + 1] = q;
      } else {
        for (let o = 0; o < k; o++) p[i * k + o] = this.linear(m, i, o);
        softmaxInPlace(p, i * k, k);
      }
    }
    return p;
  }

  protected exportState(): ModelState {
    return { ...this.classifierState(), coef: this.coef, intercept: this.intercept, nIter: this.nIter };
  }

  restoreState(state: ModelState): void {
    this.coef = state.coef as number[][];
    this.intercept = state.intercept as number[];
    this.nIter = state.nIter as number;
  }
}

registerEstimator("LogisticRegression", (p) => new LogisticRegression(p as Partial<LogisticRegressionParams>));
