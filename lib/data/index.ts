/**
 * lib/data's public entry: loading, matrices, transforms, pipelines, splits and profiles (step 2 of the workflow).
 */
export * from "./matrix";
export {
  NumericColumn,
  DictColumn,
  columnKind,
  numericColumn,
  dictColumn,
  makeTable,
  takeTableRows,
  materialize,
  missingCount,
  asTable,
} from "./columns";
export type { Category, ColumnKind, TypedColumn } from "./columns";
export { parseCsv } from "./csv";
export type { DeclaredType, BadLine, CsvParseOptions, CsvParseResult } from "./csv";
export type { TextEncoding } from "./encoding";
export * from "./load";
export { provenance, loadInfo } from "./provenance";
export type { Provenance, LoadInfo, SplitInfo, DedupeInfo } from "./provenance";
export { quantile, median, summarize } from "./stats";
export type { NumericSummary } from "./stats";
export * from "./transforms";
export * from "./pipeline";
export * from "./profile";
export * from "./split";
export * from "./diversity";
export * from "./labels";
export * from "./tensors";
