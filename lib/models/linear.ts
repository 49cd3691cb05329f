/**
 * Linear models: logistic regression (binary and multinomial, L2, intercept), ordinary least squares
 * and ridge regression. Written here because ml-logistic-regression has no intercept.
 */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions } from "./estimator";
import { BaseClassifier, BaseRegressor, ModelState, numericTarget, registerEstimator, sigmoid, softmaxInPlace, trainingMatrix } from "./base";

/** Per-column mean and standard deviation (std 1 for constant columns). */
export function columnStats(m: Matrix): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(m.cols);
  const std = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) std[j] += (m.data[i * m.cols + j] - mean[j]) ** 2;
  for (let j = 0; j < m.cols; j++) {
    std[j] = Math.sqrt(std[j] / m.rows);
    if (!(std[j] > 1e-12)) std[j] = 1;
  }
  return { mean, std };
}

/**
 * Minimizes a smooth function with L-BFGS (two-loop recursion, Armijo backtracking).
 * `evaluate(x, grad)` returns f(x) and writes the gradient into `grad`.
 */
export function lbfgs(
  evaluate: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  options: { maxIter: number; tol: number; memory?: number; signal?: AbortSignal },
): { x: Float64Array; iterations: number; converged: boolean } {
  const n = x0.length;
  const memory = options.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = evaluate(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let iter = 0;
  for (; iter < options.maxIter; iter++) {
    if (options.signal?.aborted) break;
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]));
    if (gmax < options.tol) return { x, iterations: iter, converged: true };
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k][i] * dir[i];
      a *= rho[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) dir[i] -= a * Y[k][i];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[last][i] * Y[last][i];
        yy += Y[last][i] * Y[last][i];
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    } else {
      const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      for (let i = 0; i < n; i++) dir[i] /= Math.max(1, norm);
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k][i] * dir[i];
      b *= rho[k];
      for (let i = 0; i < n; i++) dir[i] += S[k][i] * (alpha[k] - b);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * dir[i];
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i];
      slope = -g.reduce((s, v) => s + v * v, 0);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      fNew = evaluate(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f) && !(fNew <= f)) break;
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      yv[i] = gNew[i] - g[i];
      sy += s[i] * yv[i];
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (sy > 1e-12) {
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
      if (S.length > memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    if (Math.abs(fOld - f) <= 1e-12 * Math.max(1, Math.abs(f))) return { x, iterations: iter + 1, converged: true };
  }
  return { x, iterations: iter, converged: false };
}

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
  w: Float64Array, Z: Float64Array, n: number, d: number, outputs: number, fitIntercept: boolean, lambda: number, penaltyScale: Float64Array,
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
      for (let x = 0; x < outputs; x++) for (let y = 0; y < outputs; y++) W[x * outputs + y] = prob[x] * ((x === y ? 1 : 0) - prob[y]);
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

/**
 * Damped Newton steps on a smooth convex function from `x` (updated in place) until the step is at round-off
 * level. Returns the number of steps taken.
 */
function newtonPolish(
  x: Float64Array, evaluate: (x: Float64Array, grad: Float64Array) => number, hessian: (x: Float64Array) => Float64Array, maxSteps: number,
): number {
  const P = x.length;
  const g = new Float64Array(P);
  const gNew = new Float64Array(P);
  const xNew = new Float64Array(P);
  let f = evaluate(x, g);
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    let dir: Float64Array;
    try {
      dir = solveSpd(hessian(x), g, P);
    } catch {
      break;
    }
    let slope = 0;
    let stepMax = 0;
    let xMax = 0;
    for (let q = 0; q < P; q++) {
      slope -= g[q] * dir[q];
      stepMax = Math.max(stepMax, Math.abs(dir[q]));
      xMax = Math.max(xMax, Math.abs(x[q]));
    }
    if (!(slope < 0)) break;
    let t = 1;
    let accepted = false;
    for (let tries = 0; tries < 30; tries++) {
      for (let q = 0; q < P; q++) xNew[q] = x[q] - t * dir[q];
      const fNew = evaluate(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * t * slope + 1e-15 * Math.abs(f)) {
        x.set(xNew);
        g.set(gNew);
        f = fNew;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    if (t * stepMax <= 1e-11 * Math.max(1, xMax)) {
      steps++;
      break;
    }
  }
  return steps;
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
    const result = lbfgs(evaluate, new Float64Array(params), { maxIter: lbfgsIter, tol: this.params.tol, signal: options?.signal });
    this.nIter = result.iterations;
    if (newton && !options?.signal?.aborted) {
      this.nIter += newtonPolish(result.x, evaluate, (w) => logisticHessian(w, Z, n, d, outputs, this.params.fitIntercept, lambda, penaltyScale), NEWTON_MAX_STEPS);
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

/** Solves the symmetric positive definite system A x = b (n × n, row-major) by Cholesky; adds jitter when singular. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += A[i * n + i];
  for (let attempt = 0; attempt < 8; attempt++) {
    const jitter = attempt === 0 ? 0 : (trace / n || 1) * 10 ** (attempt - 13);
    const L = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = A[i * n + j] + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
        if (i === j) {
          if (!(s > 1e-12 * Math.max(1, Math.abs(A[i * n + i])))) {
            ok = false;
            break;
          }
          L[i * n + i] = Math.sqrt(s);
        } else L[i * n + j] = s / L[j * n + j];
      }
    }
    if (!ok) continue;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
      z[i] = s / L[i * n + i];
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
      x[i] = s / L[i * n + i];
    }
    return x;
  }
  throw new Error("The normal equations are singular even with jitter: remove constant or duplicate feature columns.");
}

/** Least squares with an L2 penalty `alpha` (0 = ordinary least squares); the intercept is not penalized. */
function fitLeastSquares(m: Matrix, y: Float64Array, alpha: number, fitIntercept: boolean): { coef: Float64Array; intercept: number } {
  const d = m.cols;
  const xMean = new Float64Array(d);
  let yMean = 0;
  if (fitIntercept) {
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < d; j++) xMean[j] += m.data[i * d + j];
      yMean += y[i];
    }
    for (let j = 0; j < d; j++) xMean[j] /= m.rows;
    yMean /= m.rows;
  }
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  const row = new Float64Array(d);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < d; j++) row[j] = m.data[i * d + j] - xMean[j];
    const t = y[i] - yMean;
    for (let j = 0; j < d; j++) {
      b[j] += row[j] * t;
      for (let k = 0; k <= j; k++) A[j * d + k] += row[j] * row[k];
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < j; k++) A[k * d + j] = A[j * d + k];
    A[j * d + j] += alpha;
  }
  const coef = solveSpd(A, b, d);
  let intercept = yMean;
  for (let j = 0; j < d; j++) intercept -= coef[j] * xMean[j];
  return { coef, intercept };
}

/** Hyperparameters of {@link LinearRegression}. */
export interface LinearRegressionParams {
  [key: string]: boolean;
  fitIntercept: boolean;
}

abstract class LeastSquaresRegressor<P extends { [key: string]: number | boolean }> extends BaseRegressor<P> {
  /** One coefficient per feature. */
  coef: number[] = [];
  intercept = 0;
  protected abstract alpha(): number;

  async fit(X: FeatureInput, y?: TargetInput, _options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const target = numericTarget(y, m.rows, this.name);
    this.rememberShape(m);
    const { coef, intercept } = fitLeastSquares(m, target, this.alpha(), this.params.fitIntercept !== false);
    this.coef = Array.from(coef);
    this.intercept = intercept;
    this.isFitted = true;
    return this;
  }

  protected predictFlat(m: Matrix): Float64Array {
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      let s = this.intercept;
      for (let j = 0; j < m.cols; j++) s += this.coef[j] * m.data[i * m.cols + j];
      out[i] = s;
    }
    return out;
  }

  protected exportState(): ModelState {
    return { coef: this.coef, intercept: this.intercept };
  }

  restoreState(state: ModelState): void {
    this.coef = state.coef as number[];
    this.intercept = state.intercept as number;
  }
}

/** Ordinary least squares linear regression (normal equations, Cholesky). */
export class LinearRegression extends LeastSquaresRegressor<LinearRegressionParams> {
  readonly name = "LinearRegression";
  constructor(params: Partial<LinearRegressionParams> = {}) {
    super({ fitIntercept: true }, params);
  }
  protected alpha(): number {
    return 0;
  }
}

/** Hyperparameters of {@link Ridge}. */
export interface RidgeParams {
  [key: string]: number | boolean;
  /** L2 strength on the coefficients (in original units, as scikit-learn's Ridge). */
  alpha: number;
  fitIntercept: boolean;
}

/** Ridge regression: least squares plus alpha·‖w‖². */
export class Ridge extends LeastSquaresRegressor<RidgeParams> {
  readonly name = "Ridge";
  constructor(params: Partial<RidgeParams> = {}) {
    super({ alpha: 1, fitIntercept: true }, params);
  }
  protected override validateParams(p: RidgeParams): void {
    if (!(p.alpha >= 0)) throw new Error(`Ridge: alpha must be >= 0 (got ${p.alpha}).`);
  }
  protected alpha(): number {
    return this.params.alpha;
  }
}

registerEstimator("LogisticRegression", (p) => new LogisticRegression(p as Partial<LogisticRegressionParams>));
registerEstimator("LinearRegression", (p) => new LinearRegression(p as Partial<LinearRegressionParams>));
registerEstimator("Ridge", (p) => new Ridge(p as Partial<RidgeParams>));
