/**
 * Step 6: validate for the real world. Every function takes a fitted model (classical or tfjs, through the
 * Estimator contract) and returns a result that holds the numbers and renders a pass/warn/fail verdict.
 *
 *   holdout(model, Xtest, ytest)                      // once per test split, with 95% CIs; refuses another model
 *   slices(model, Xtest, ytest, {by: "island"})       // metric per subgroup with bootstrap CIs
 *   robustness(model, Xtest, ytest, {trainX})         // noise, missing values, out-of-range values
 *   adversarial(model, Xtest, ytest)                  // FGSM (tfjs) or bounded random search
 *   drift(trainTable, newTable)                       // KS / permutation test per feature (Holm), PSI as effect size
 *   permutationImportance(model, Xtest, ytest); partialDependence(model, Xtest, "flipper_length_mm")
 *   await efficiency(model, Xtest)                    // latency p50/p95, throughput, size, parameters
 *   calibration(model, Xtest, ytest)                  // reliability curve, Brier, ECE
 */
export { ValidationResult, worstVerdict, resolveMetric } from "./common";
export type { Verdict, MetricInput } from "./common";
export { holdout, HoldoutResult, resetHoldoutRegistry, splitFingerprint, modelFingerprint } from "./holdout";
export type { HoldoutOptions, HoldoutRecord } from "./holdout";
export { slices, SlicesResult } from "./slices";
export type { SlicesOptions, SliceRow } from "./slices";
export { robustness, RobustnessResult } from "./robustness";
export type { RobustnessOptions, RobustnessRow, Imputer } from "./robustness";
export { adversarial, AdversarialResult, differentiableForward } from "./adversarial";
export type { AdversarialOptions, DifferentiableClassifier } from "./adversarial";
export { drift, DriftResult } from "./drift";
export type { DriftOptions, DriftRow } from "./drift";
export { permutationImportance, PermutationImportanceResult } from "./importance";
export type { PermutationImportanceOptions, ImportanceRow } from "./importance";
export { partialDependence, PartialDependenceResult } from "./partial-dependence";
export type { PartialDependenceOptions, PartialDependenceCurve } from "./partial-dependence";
export { efficiency, EfficiencyResult } from "./efficiency";
export type { EfficiencyOptions } from "./efficiency";
export { calibration, CalibrationResult } from "./calibration";
export type { CalibrationOptions } from "./calibration";
export { ks2samp, psi as populationStabilityIndex, kolmogorovSf, holmAdjust, quantileInterval } from "./stats";
export type { KsResult, PsiResult, QuantileInterval } from "./stats";
