export * from "./estimator";
export * from "./nn";
