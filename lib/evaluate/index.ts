/**
 * Step 5: evaluate and tune. Metrics that match scikit-learn, cross-validation, grid/random search, learning curves
 * and baselines.
 */
export * from "../metrics/classification";
export * from "../metrics/ranking";
export * from "../metrics/regression";
export * from "./clustering";
export * from "./report";
export * from "./table";
export * from "../metrics/calibration";
export * from "../models/baseline";
export * from "./scoring";
export { crossValidationFolds } from "./folds";
export type { CvFold } from "./folds";
export type { Preprocessor, PipelineModel, ModelSpec, CvOptions, FittedSpec } from "./engine";
export * from "./cross-validate";
export * from "./search";
export * from "./learning-curve";
export * from "./evaluate-model";
export * from "./intervals";
