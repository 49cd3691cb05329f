/**
 * What a scorecard reads: measurements, their confidence intervals, and the inputs `Goals.check` accepts, gathered
 * into one map keyed by normalised metric name.
 */
import { normalizeMetricName } from "./metric-direction";

/** Measured values keyed by metric or measurement name (e.g. `{accuracy: 0.97, latencyMs: 1.3}`). */
export type Measurements = Record<string, number | null | undefined>;

/** Confidence intervals keyed by metric name (e.g. `{accuracy: {lower: 0.85, upper: 0.99}}`). */
export type MeasurementIntervals = Record<
  string,
  { lower: number; upper: number; degenerate?: boolean } | null | undefined
>;

/**
 * A result that knows its own measurements (holdout, efficiency, calibration... from lib/validate), and optionally
 * their confidence intervals.
 */
export interface Measurable {
  measurements(): Measurements;
  intervalsOf?(): MeasurementIntervals;
  /** Metric → the class its binary metric scored as positive (precision, recall, f1, roc_auc on a binary target). */
  positiveClasses?: Readonly<Record<string, number | string>>;
}

/**
 * What {@link Goals.check} accepts: plain measurements, measurable results (lib/validate), objects whose `toJSON()`
 * gives measurements (lib/evaluate's evaluateModel), or objects with a `metrics` record or `{metric, model}` rows.
 */
export type CheckInput =
  | Measurements
  | Measurable
  | { toJSON(): unknown }
  | { metrics: Measurements | readonly { metric: string; model?: number | null; value?: number | null }[] }
  | readonly CheckInput[];
/** A class label (a number or a string). */
export type ClassLabel = number | string;

/**
 * Names of metrics that score one class of a binary target as the positive one (normalised: see
 * normalizeMetricName). roc_auc is symmetric in the two classes but is still reported for one of them.
 */
const ONE_CLASS_METRICS = new Set(["precision", "recall", "f1", "f1score", "fbeta", "averageprecision", "ap", "prauc"]);
const BINARY_METRICS = new Set([...ONE_CLASS_METRICS, "rocauc", "auc"]);

/** True for precision, recall, f1, fbeta and average_precision: one class is positive (not "_macro" and the like). */
export function isOneClassMetric(metric: string): boolean {
  return ONE_CLASS_METRICS.has(normalizeMetricName(metric));
}

/** True for the binary metrics a scorecard names the positive class of: the one-class metrics and roc_auc. */
export function isBinaryMetric(metric: string): boolean {
  return BINARY_METRICS.has(normalizeMetricName(metric));
}

/** One collected measurement. */
export interface CollectedValue {
  name: string;
  value: number;
  interval?: { lower: number; upper: number; degenerate?: boolean };
  /** The class the result scored as positive, for a binary metric whose result said so. */
  positiveClass?: ClassLabel;
}

/** Measurements by normalised name, and whether an input was a binary target with no class named positive. */
export interface Collected {
  values: Map<string, CollectedValue>;
  /**
   * Set when an input declared `positiveClass: null` (e.g. evaluateModel on binary string labels without posLabel):
   * its precision/recall/f1 are macro averages, and a goal on a one-class metric cannot be judged on them.
   */
  unnamedPositive: boolean;
}

/** An empty collection. */
export function emptyCollection(): Collected {
  return { values: new Map(), unnamedPositive: false };
}

type Values = Map<string, CollectedValue>;

function collectIntervals(intervals: MeasurementIntervals, into: Values): void {
  for (const [name, ci] of Object.entries(intervals)) {
    const hit = into.get(normalizeMetricName(name));
    if (hit && ci && Number.isFinite(ci.lower) && Number.isFinite(ci.upper)) {
      hit.interval = { lower: ci.lower, upper: ci.upper, ...(ci.degenerate ? { degenerate: true } : {}) };
    }
  }
}

const isLabel = (v: unknown): v is ClassLabel => typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

/**
 * Gathers every measurement (and interval) of `input` into `into`, later inputs overriding earlier ones. An input
 * may say which class its binary metrics scored as positive: `positiveClass` (one label for all of them, or null for
 * a binary target where none was named, as lib/evaluate's ModelEvaluation) or `positiveClasses` (metric → label, as
 * holdout).
 * @throws Error when an input is not an object.
 */
export function collect(input: CheckInput, into: Collected): void {
  if (Array.isArray(input)) {
    for (const item of input as readonly CheckInput[]) collect(item, into);
    return;
  }
  const own: Values = new Map();
  collectValues(input, own);
  const declared = input as { positiveClass?: unknown; positiveClasses?: unknown };
  const byMetric = new Map<string, ClassLabel>();
  if (declared.positiveClasses !== null && typeof declared.positiveClasses === "object") {
    for (const [metric, label] of Object.entries(declared.positiveClasses as Record<string, unknown>)) {
      if (isLabel(label)) byMetric.set(normalizeMetricName(metric), label);
    }
  }
  if (declared.positiveClass === null) into.unnamedPositive = true;
  for (const [key, entry] of own) {
    if (!BINARY_METRICS.has(key)) continue;
    const label = byMetric.get(key) ?? declared.positiveClass;
    if (isLabel(label)) entry.positiveClass = label;
  }
  for (const [key, entry] of own) into.values.set(key, entry);
}

function collectValues(input: CheckInput, into: Values): void {
  if (Array.isArray(input)) {
    for (const item of input as readonly CheckInput[]) collectValues(item, into);
    return;
  }
  if (input === null || typeof input !== "object")
    throw new Error(`goals.check: expected measurements (an object of numbers), got ${String(input)}.`);
  const asMeasurable = input as Measurable;
  const withIntervals = typeof asMeasurable.intervalsOf === "function" ? asMeasurable.intervalsOf() : undefined;
  if (typeof asMeasurable.measurements === "function") {
    collectValues(asMeasurable.measurements(), into);
    if (withIntervals) collectIntervals(withIntervals, into);
    return;
  }
  const withJson = input as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") {
    // e.g. lib/evaluate's ModelEvaluation: toJSON() gives {accuracy: 0.95, ...}.
    const json = withJson.toJSON();
    if (json !== null && typeof json === "object" && typeof (json as { toJSON?: unknown }).toJSON !== "function")
      collectValues(json as CheckInput, into);
    if (withIntervals) collectIntervals(withIntervals, into);
    return;
  }
  const withMetrics = input as { metrics?: unknown };
  if (Array.isArray(withMetrics.metrics)) {
    // Rows such as {metric: "accuracy", model: 0.95}.
    for (const row of withMetrics.metrics as { metric?: unknown; model?: unknown; value?: unknown }[]) {
      const value = typeof row?.model === "number" ? row.model : row?.value;
      if (typeof row?.metric === "string" && typeof value === "number" && Number.isFinite(value))
        into.set(normalizeMetricName(row.metric), { name: row.metric, value });
    }
  } else if (withMetrics.metrics !== null && typeof withMetrics.metrics === "object") {
    collectValues(withMetrics.metrics as Measurements, into);
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (typeof value === "number" && Number.isFinite(value)) into.set(normalizeMetricName(name), { name, value });
  }
}
