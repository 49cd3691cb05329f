export * from "./estimator";
