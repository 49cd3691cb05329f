/**
 * What a scorecard reads: measurements, their confidence intervals, and the inputs `Goals.check` accepts, gathered
 * into one map keyed by normalised metric name.
 */
import { normalizeMetricName } from "./metric-direction";

/** Measured values keyed by metric or measurement name (e.g. `{accuracy: 0.97, latencyMs: 1.3}`). */
export type Measurements = Record<string, number | null | undefined>;

/** Confidence intervals keyed by metric name (e.g. `{accuracy: {lower: 0.85, upper: 0.99}}`). */
export type MeasurementIntervals = Record<string, { lower: number; upper: number } | null | undefined>;

/**
 * A result that knows its own measurements (holdout, efficiency, calibration... from lib/validate), and optionally
 * their confidence intervals.
 */
export interface Measurable {
  measurements(): Measurements;
  intervalsOf?(): MeasurementIntervals;
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
/** Measurements by normalised name, each with its display name and optional interval. */
export type Collected = Map<string, { name: string; value: number; interval?: { lower: number; upper: number } }>;

function collectIntervals(intervals: MeasurementIntervals, into: Collected): void {
  for (const [name, ci] of Object.entries(intervals)) {
    const hit = into.get(normalizeMetricName(name));
    if (hit && ci && Number.isFinite(ci.lower) && Number.isFinite(ci.upper)) hit.interval = { lower: ci.lower, upper: ci.upper };
  }
}

/** Gathers every measurement (and interval) of `input` into `into`, later inputs overriding earlier ones. */
export function collect(input: CheckInput, into: Collected): void {
  if (Array.isArray(input)) {
    for (const item of input as readonly CheckInput[]) collect(item, into);
    return;
  }
  if (input === null || typeof input !== "object") throw new Error(`goals.check: expected measurements (an object of numbers), got ${String(input)}.`);
  const asMeasurable = input as Measurable;
  const withIntervals = typeof asMeasurable.intervalsOf === "function" ? asMeasurable.intervalsOf() : undefined;
  if (typeof asMeasurable.measurements === "function") {
    collect(asMeasurable.measurements(), into);
    if (withIntervals) collectIntervals(withIntervals, into);
    return;
  }
  const withJson = input as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") {
    // e.g. lib/evaluate's ModelEvaluation: toJSON() gives {accuracy: 0.95, ...}.
    const json = withJson.toJSON();
    if (json !== null && typeof json === "object" && typeof (json as { toJSON?: unknown }).toJSON !== "function") collect(json as CheckInput, into);
    if (withIntervals) collectIntervals(withIntervals, into);
    return;
  }
  const withMetrics = input as { metrics?: unknown };
  if (Array.isArray(withMetrics.metrics)) {
    // Rows such as {metric: "accuracy", model: 0.95}.
    for (const row of withMetrics.metrics as { metric?: unknown; model?: unknown; value?: unknown }[]) {
      const value = typeof row?.model === "number" ? row.model : row?.value;
      if (typeof row?.metric === "string" && typeof value === "number" && Number.isFinite(value)) into.set(normalizeMetricName(row.metric), { name: row.metric, value });
    }
  } else if (withMetrics.metrics !== null && typeof withMetrics.metrics === "object") {
    collect(withMetrics.metrics as Measurements, into);
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (typeof value === "number" && Number.isFinite(value)) into.set(normalizeMetricName(name), { name, value });
  }
}
