/** Which way a metric is better: inferred from its name for the metrics trainlab knows. */

/** Whether larger or smaller values of a metric are better. */
export type GoalDirection = "higher" | "lower";
const HIGHER_IS_BETTER = [
  "accuracy",
  "balancedaccuracy",
  "precision",
  "recall",
  "f1",
  "fbeta",
  "rocauc",
  "auc",
  "prauc",
  "averageprecision",
  "r2",
  "silhouette",
  "silhouettescore",
  "adjustedrand",
  "adjustedrandindex",
  "ari",
  "throughput",
  "score",
  "specificity",
  "sensitivity",
  "mcc",
  "kappa",
  "explainedvariance",
];
const LOWER_IS_BETTER = [
  "mse",
  "rmse",
  "mae",
  "mape",
  "meansquarederror",
  "rootmeansquarederror",
  "meanabsoluteerror",
  "meanabsolutepercentageerror",
  "logloss",
  "crossentropy",
  "loss",
  "brier",
  "brierscore",
  "ece",
  "expectedcalibrationerror",
  "error",
  "errorrate",
  "latencyms",
  "latency",
  "modelbytes",
  "parameters",
  "trainingseconds",
  "psi",
];

/** Lower-cased name without separators: "F1 macro", "f1_macro" and "f1Macro" all become "f1macro". */
export function normalizeMetricName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Whether larger or smaller values of a metric are better, from its name (prefix match, so "f1_macro" is
 * "higher" like "f1"); undefined when the name is not one trainlab knows.
 */
export function metricDirection(metric: string): GoalDirection | undefined {
  const key = normalizeMetricName(metric);
  const match = (names: string[]): boolean => names.some((n) => key === n || key.startsWith(n));
  // Check "lower" first so "logloss" is not caught by a "higher" prefix.
  if (match(LOWER_IS_BETTER)) return "lower";
  if (match(HIGHER_IS_BETTER)) return "higher";
  return undefined;
}
