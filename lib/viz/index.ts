/**
 * lib/viz's public entry: Plotly figures and the charts the workflow draws.
 */
export * from "./figure";
export * from "./renderers";
export type { ChartData, ColumnRef, PlotValue } from "./data";
export * from "./histogram";
export * from "./bar";
export * from "./box";
export * from "./scatter";
export * from "./scatter-matrix";
export * from "./correlation";
export * from "./training-curves";
export * from "./confusion-matrix";
export * from "./curves";
export * from "./calibration-curve";
export * from "./residuals";
export * from "./feature-importance";
export * from "./learning-curve";
export * from "./search-results";
export * from "./cv-scores";
export * from "./combine";
export * from "./image-grid";
