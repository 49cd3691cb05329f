/**
 * Step 1: goals and success criteria, written down before any training.
 *
 *   const goals = defineGoals({
 *     task: "classification", dataset: "penguins", label: "species",
 *     metric: "accuracy", target: 0.95,                       // the headline goal
 *     goals: [{ metric: "f1_macro", target: 0.93 }, { metric: "log_loss", target: 0.3 }],
 *     constraints: { maxLatencyMs: 5, maxModelBytes: 1_000_000, maxTrainingSeconds: 60, minTrainingRows: 200 },
 *   });
 *   await goals.save("runs/goals.json");
 *   ...
 *   goals.check(holdoutResult, efficiencyResult, { trainingSeconds: 4.2 })   // a scorecard table
 *
 * Every goal is a metric, a threshold and a direction ("higher" is better for accuracy, "lower" for log loss);
 * the direction is inferred for the metrics trainlab knows and must be given for others.
 *
 * When a result carries a confidence interval for a metric (holdout, evaluateModel), a goal is judged on the
 * interval's pessimistic end by default (`judgeOn: "lower"`): it passes only when the whole 95% interval meets the
 * target, is "inconclusive" when the point estimate meets it but the interval does not (too few test rows to tell),
 * and fails when the point estimate misses. `judgeOn: "point"` judges the point estimate alone.
 */
export type { GoalDirection } from "./metric-direction";
export { metricDirection, normalizeMetricName } from "./metric-direction";
export type { CheckInput, ClassLabel, Measurable, MeasurementIntervals, Measurements } from "./measurements";
export { isBinaryMetric, isOneClassMetric } from "./measurements";
export type { ScorecardRow } from "./scorecard";
export { Scorecard } from "./scorecard";
export type { GoalConstraints, GoalSpec, GoalsDefinition } from "./goals";
export { Goals, defineGoals } from "./goals";
export { loadGoals } from "./load-goals";

/** Writes JSON to `file` through a temp file and a rename (defined in lib/core/files, re-exported here as before). */
export { saveJsonAtomically } from "../core/files";
