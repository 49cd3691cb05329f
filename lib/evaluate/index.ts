/**
 * Step 5: evaluate and tune. Metrics that match scikit-learn, cross-validation, grid/random search, learning curves
 * and baselines.
 */
export * from "./classification";
export * from "./ranking";
export * from "./regression";
export * from "./clustering";
export * from "./report";
export * from "./table";
export * from "./calibration";
