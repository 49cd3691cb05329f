/** Least-squares regressors: ordinary least squares (LinearRegression) and ridge regression (Ridge), solved exactly. */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions } from "./estimator";
import { BaseRegressor, ModelState, numericTarget, registerEstimator, trainingMatrix } from "./base";
import { solveSpd } from "./optimize";

/** Least squares with an L2 penalty `alpha` (0 = ordinary least squares); the intercept is not penalized. */
function fitLeastSquares(
  m: Matrix,
  y: Float64Array,
  alpha: number,
  fitIntercept: boolean,
): { coef: Float64Array; intercept: number } {
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

registerEstimator("LinearRegression", (p) => new LinearRegression(p as Partial<LinearRegressionParams>));
registerEstimator("Ridge", (p) => new Ridge(p as Partial<RidgeParams>));
