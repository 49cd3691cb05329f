/**
 * Linear models: logistic regression (binary and multinomial, L2, intercept), ordinary least squares
 * and ridge regression. Written here because ml-logistic-regression has no intercept. One model family per file
 * (logistic.ts, least-squares.ts, their numerics in optimize.ts); this module keeps the old import path.
 */
export { LogisticRegression } from "./logistic";
export type { LogisticRegressionParams } from "./logistic";
export { LinearRegression, Ridge } from "./least-squares";
export type { LinearRegressionParams, RidgeParams } from "./least-squares";
export { columnStats, lbfgs, solveSpd } from "./optimize";
