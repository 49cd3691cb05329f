/**
 * Regression metrics, matching scikit-learn 1.2: MSE, RMSE, MAE, R² and MAPE.
 */
import type { TargetInput } from "../core/target";
import { checkSameLength, readNumbers } from "./labels";
import { r2Of, stableSum } from "../core/stats";

function readPair(yTrue: TargetInput, yPred: TargetInput | ArrayLike<number>): [number[], number[]] {
  const t = readNumbers(yTrue, "y_true");
  const p = readNumbers(yPred, "y_pred");
  checkSameLength(t, p, "y_true", "y_pred");
  return [t, p];
}

/** Mean squared error. @throws Error on empty, mismatched or non-finite inputs. */
export function meanSquaredError(yTrue: TargetInput, yPred: TargetInput | ArrayLike<number>): number {
  const [t, p] = readPair(yTrue, yPred);
  return stableSum(t.map((v, i) => (v - p[i]) ** 2)) / t.length;
}

/** Root mean squared error, in the target's units. @throws as {@link meanSquaredError}. */
export function rootMeanSquaredError(yTrue: TargetInput, yPred: TargetInput | ArrayLike<number>): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/** Mean absolute error. @throws as {@link meanSquaredError}. */
export function meanAbsoluteError(yTrue: TargetInput, yPred: TargetInput | ArrayLike<number>): number {
  const [t, p] = readPair(yTrue, yPred);
  return stableSum(t.map((v, i) => Math.abs(v - p[i]))) / t.length;
}

/**
 * Coefficient of determination R² (1 is perfect, 0 is the mean predictor). A constant y_true gives 1 when predicted
 * exactly and 0 otherwise, as in scikit-learn.
 * @throws Error on fewer than two samples (R² is undefined; scikit-learn returns NaN), or bad inputs.
 */
export function r2(yTrue: TargetInput, yPred: TargetInput | ArrayLike<number>): number {
  const [t, p] = readPair(yTrue, yPred);
  if (t.length < 2) throw new Error(`R² is not well-defined with fewer than two samples (got ${t.length}).`);
  return r2Of(t, p);
}

/**
 * Mean absolute percentage error, as a fraction (0.1 = 10%). Divides by max(|y_true|, 2.22e-16), so a true value of 0
 * gives a huge error, as in scikit-learn.
 * @throws as {@link meanSquaredError}.
 */
export function meanAbsolutePercentageError(yTrue: TargetInput, yPred: TargetInput | ArrayLike<number>): number {
  const [t, p] = readPair(yTrue, yPred);
  const eps = 2.220446049250313e-16;
  return stableSum(t.map((v, i) => Math.abs(p[i] - v) / Math.max(Math.abs(v), eps))) / t.length;
}

/** Short aliases, as users of scikit-learn know them. */
export {
  meanSquaredError as mse,
  rootMeanSquaredError as rmse,
  meanAbsoluteError as mae,
  meanAbsolutePercentageError as mape,
};
