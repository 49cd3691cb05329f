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
import * as fs from "fs";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { saveJsonAtomically } from "../core/files";

/** Whether larger or smaller values of a metric are better. */
export type GoalDirection = "higher" | "lower";

/** One success criterion: a metric that must reach a threshold. */
export interface GoalSpec {
  /** Metric name as the results name it, e.g. "accuracy", "f1_macro", "roc_auc", "rmse". */
  metric: string;
  /** The threshold to reach (inclusive). */
  target: number;
  /** Default: inferred from the metric name. */
  direction?: GoalDirection;
  /** Why this goal matters, shown in the scorecard. */
  why?: string;
}

/** Operational limits the model must respect. */
export interface GoalConstraints {
  /** Largest acceptable prediction latency for one row, in ms (checked against `latencyMs`: the p95 of `efficiency`). */
  maxLatencyMs?: number;
  /** Largest acceptable saved model size in bytes (checked against `modelBytes`). */
  maxModelBytes?: number;
  /** Largest acceptable parameter count (checked against `parameters`). */
  maxParameters?: number;
  /** Longest acceptable training time in seconds (checked against `trainingSeconds`). */
  maxTrainingSeconds?: number;
  /** Fewest training rows the model may be trained on (checked against `trainingRows`). */
  minTrainingRows?: number;
  /** Most training rows available or allowed (checked against `trainingRows`). */
  maxTrainingRows?: number;
}

/** What {@link defineGoals} takes. */
export interface GoalsDefinition {
  /** The kind of problem, e.g. "classification", "regression", "clustering". */
  task: string;
  /** The dataset the project works on, e.g. "penguins". */
  dataset?: string;
  /** The column to predict, e.g. "species". */
  label?: string;
  /** The headline metric (shorthand for a first entry in `goals`). */
  metric?: string;
  /** The headline metric's threshold. */
  target?: number;
  /** The headline metric's direction (default: inferred). */
  direction?: GoalDirection;
  /** More goals, each a metric with a threshold. */
  goals?: GoalSpec[];
  constraints?: GoalConstraints;
  /** A sentence on what success means for the users of the model. */
  description?: string;
  /**
   * How a goal is judged when the result gives a confidence interval for its metric: "lower" (default) requires the
   * interval's pessimistic end (the lower bound for higher-is-better metrics, the upper bound for lower-is-better
   * ones) to meet the target; "point" uses the point estimate only. Measurements without an interval are always
   * judged on their value.
   */
  judgeOn?: "lower" | "point";
}

/** The measurement key each constraint is checked against, its comparison and a label. */
const CONSTRAINTS: Record<keyof GoalConstraints, { key: string; direction: GoalDirection; label: string; unit: string }> = {
  maxLatencyMs: { key: "latencyMs", direction: "lower", label: "prediction latency (p95, one row)", unit: "ms" },
  maxModelBytes: { key: "modelBytes", direction: "lower", label: "model size", unit: "bytes" },
  maxParameters: { key: "parameters", direction: "lower", label: "parameter count", unit: "" },
  maxTrainingSeconds: { key: "trainingSeconds", direction: "lower", label: "training time", unit: "s" },
  minTrainingRows: { key: "trainingRows", direction: "higher", label: "training rows", unit: "rows" },
  maxTrainingRows: { key: "trainingRows", direction: "lower", label: "training rows", unit: "rows" },
};

const HIGHER_IS_BETTER = [
  "accuracy", "balancedaccuracy", "precision", "recall", "f1", "fbeta", "rocauc", "auc", "prauc", "averageprecision",
  "r2", "silhouette", "silhouettescore", "adjustedrand", "adjustedrandindex", "ari", "throughput", "score", "specificity",
  "sensitivity", "mcc", "kappa", "explainedvariance",
];
const LOWER_IS_BETTER = [
  "mse", "rmse", "mae", "mape", "meansquarederror", "rootmeansquarederror", "meanabsoluteerror", "meanabsolutepercentageerror",
  "logloss", "crossentropy", "loss", "brier", "brierscore", "ece", "expectedcalibrationerror", "error", "errorrate",
  "latencyms", "latency", "modelbytes", "parameters", "trainingseconds", "psi",
];

/** Lower-cased name without separators: "F1 macro", "f1_macro" and "f1Macro" all become "f1macro". */
export function normalizeMetricName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Whether larger or smaller values of a metric are better, from its name (prefix match, so "f1_macro" is
 * "higher" like "f1"); undefined when the name is not one trainlab knows.
 */
export function metricDirection(metric: string): GoalDirection | undefined {
  const key = normalizeMetricName(metric);
  const match = (names: string[]): boolean => names.some((n) => key === n || key.startsWith(n));
  // Check "lower" first so "logloss" is not caught by a "higher" prefix.
  if (match(LOWER_IS_BETTER)) return "lower";
  if (match(HIGHER_IS_BETTER)) return "higher";
  return undefined;
}

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

/** One line of a scorecard. */
export interface ScorecardRow {
  /** "goal" (a metric threshold) or "constraint". */
  kind: "goal" | "constraint";
  /** The metric or measurement name. */
  name: string;
  /** What the threshold means, e.g. "≥ 0.95". */
  requirement: string;
  threshold: number;
  direction: GoalDirection;
  /** The measured value, or null when the results did not include it. */
  measured: number | null;
  /** The measurement's confidence interval, when the result gave one. */
  interval: { lower: number; upper: number } | null;
  /** What the status was decided on: the point estimate, or the interval's pessimistic bound. */
  judgedOn: "point" | "lower";
  /**
   * "inconclusive": the point estimate meets the target but the confidence interval does not (judgeOn "lower"):
   * too little test data to tell. Never counted as a pass.
   */
  status: "pass" | "fail" | "inconclusive" | "not measured";
  why?: string;
}

type Collected = Map<string, { name: string; value: number; interval?: { lower: number; upper: number } }>;

function collectIntervals(intervals: MeasurementIntervals, into: Collected): void {
  for (const [name, ci] of Object.entries(intervals)) {
    const hit = into.get(normalizeMetricName(name));
    if (hit && ci && Number.isFinite(ci.lower) && Number.isFinite(ci.upper)) hit.interval = { lower: ci.lower, upper: ci.upper };
  }
}

function collect(input: CheckInput, into: Collected): void {
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

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4).replace(/0+$/, "").replace(/\.$/, "");
}

/** The result of checking results against goals: pass/fail per goal with the measured value. Renders as a table. */
export class Scorecard {
  constructor(
    readonly rows: readonly ScorecardRow[],
    readonly title: string,
  ) {}

  /** True when every goal and constraint was measured and met. */
  get passed(): boolean {
    return this.rows.every((r) => r.status === "pass");
  }

  /** The rows that failed or were not measured. */
  get failures(): ScorecardRow[] {
    return this.rows.filter((r) => r.status !== "pass");
  }

  /**
   * Overall verdict: "pass", "fail" (something measured missed its threshold) or "incomplete" (no miss, but some
   * items were not measured or are inconclusive within their confidence interval).
   */
  get verdict(): "pass" | "fail" | "incomplete" {
    if (this.rows.some((r) => r.status === "fail")) return "fail";
    return this.passed ? "pass" : "incomplete";
  }

  toJSON(): { title: string; verdict: string; rows: readonly ScorecardRow[] } {
    return { title: this.title, verdict: this.verdict, rows: this.rows };
  }

  toString(): string {
    const lines = this.rows.map(
      (r) =>
        `${r.status === "pass" ? "PASS" : r.status === "fail" ? "FAIL" : r.status === "inconclusive" ? "????" : "----"}  ${r.name} ${r.requirement}: ` +
        `${r.measured === null ? "not measured" : formatNumber(r.measured)}${r.interval ? ` (95% CI ${formatNumber(r.interval.lower)}–${formatNumber(r.interval.upper)}, judged on the ${r.judgedOn === "lower" ? "bound" : "point"})` : ""}`,
    );
    return `${this.title}: ${this.verdict.toUpperCase()}\n${lines.join("\n")}`;
  }

  [DISPLAY](): MimeBundle {
    const color = { pass: "#1a7f37", fail: "#cf222e", inconclusive: "#9a6700", "not measured": "#9a6700" } as const;
    const icon = { pass: "✔ pass", fail: "✘ fail", inconclusive: "? inconclusive (CI too wide)", "not measured": "… not measured" } as const;
    const verdictColor = this.verdict === "pass" ? color.pass : this.verdict === "fail" ? color.fail : color["not measured"];
    const rows = this.rows
      .map(
        (r) =>
          `<tr><td>${r.kind}</td><td><b>${escapeHtml(r.name)}</b>${r.why ? `<br><small>${escapeHtml(r.why)}</small>` : ""}</td>` +
          `<td>${escapeHtml(r.requirement)}</td><td style="text-align:right">${r.measured === null ? "—" : escapeHtml(formatNumber(r.measured))}</td>` +
          `<td style="text-align:right">${r.interval ? escapeHtml(`${formatNumber(r.interval.lower)} – ${formatNumber(r.interval.upper)}`) : "—"}</td>` +
          `<td style="color:${color[r.status]};font-weight:bold">${icon[r.status]}</td></tr>`,
      )
      .join("");
    return {
      "text/plain": this.toString(),
      "text/html":
        `<div class="trainlab-scorecard"><p><b>${escapeHtml(this.title)}</b>: <span style="color:${verdictColor};font-weight:bold">${this.verdict.toUpperCase()}</span>` +
        ` (${this.rows.filter((r) => r.status === "pass").length} of ${this.rows.length} met)</p>` +
        `<table><thead><tr><th>kind</th><th>goal</th><th>requirement</th><th>measured</th><th>95% CI</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>` +
        (this.rows.some((r) => r.interval && r.judgedOn === "lower") ? "<p><small>Goals with an interval are judged on its pessimistic end: met only when the whole 95% interval meets the target.</small></p>" : "") +
        `</div>`,
    };
  }
}

interface ResolvedGoal {
  metric: string;
  target: number;
  direction: GoalDirection;
  why?: string;
}

function requireNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${what} must be a finite number, got ${JSON.stringify(value)}.`);
  return value;
}

function resolveGoal(spec: GoalSpec, where: string): ResolvedGoal {
  if (typeof spec.metric !== "string" || spec.metric.trim() === "") throw new Error(`${where}: "metric" must name a metric, e.g. "accuracy".`);
  const target = requireNumber(spec.target, `${where} (${spec.metric}): "target"`);
  if (spec.direction !== undefined && spec.direction !== "higher" && spec.direction !== "lower") {
    throw new Error(`${where} (${spec.metric}): direction must be "higher" or "lower", got ${JSON.stringify(spec.direction)}.`);
  }
  const direction = spec.direction ?? metricDirection(spec.metric);
  if (!direction) {
    throw new Error(`${where}: trainlab does not know whether higher or lower "${spec.metric}" is better; pass direction: "higher" or "lower".`);
  }
  return { metric: spec.metric, target, direction, why: spec.why };
}

/** A project's goals: what later steps check their results against. Renders as a table; saves as JSON. */
export class Goals {
  readonly task: string;
  readonly dataset?: string;
  readonly label?: string;
  readonly description?: string;
  /** Every metric goal, the headline one first. */
  readonly goals: readonly ResolvedGoal[];
  readonly constraints: Readonly<GoalConstraints>;
  /** How goals with a confidence interval are judged (default "lower"; see {@link GoalsDefinition.judgeOn}). */
  readonly judgeOn: "lower" | "point";

  /** @throws Error on a missing task, a goal without a metric or threshold, an unknown direction or constraint. */
  constructor(definition: GoalsDefinition) {
    if (definition === null || typeof definition !== "object") throw new Error("defineGoals: pass an object such as {task, metric, target}.");
    if (typeof definition.task !== "string" || definition.task.trim() === "") {
      throw new Error('defineGoals: "task" is required, e.g. "classification" or "regression".');
    }
    this.task = definition.task;
    this.dataset = definition.dataset;
    this.label = definition.label;
    this.description = definition.description;
    if (definition.judgeOn !== undefined && definition.judgeOn !== "lower" && definition.judgeOn !== "point") {
      throw new Error(`defineGoals: judgeOn must be "lower" (the confidence interval's pessimistic end) or "point", got ${JSON.stringify(definition.judgeOn)}.`);
    }
    this.judgeOn = definition.judgeOn ?? "lower";
    const goals: ResolvedGoal[] = [];
    if (definition.metric !== undefined || definition.target !== undefined) {
      if (definition.metric === undefined) throw new Error('defineGoals: "target" was given without "metric": name the metric it applies to.');
      if (definition.target === undefined) throw new Error(`defineGoals: metric "${definition.metric}" needs a "target" threshold, e.g. target: 0.9.`);
      goals.push(resolveGoal({ metric: definition.metric, target: definition.target, direction: definition.direction }, "defineGoals"));
    }
    (definition.goals ?? []).forEach((g, i) => goals.push(resolveGoal(g, `defineGoals goals[${i}]`)));
    const constraints: GoalConstraints = {};
    for (const [key, value] of Object.entries(definition.constraints ?? {})) {
      if (!(key in CONSTRAINTS)) throw new Error(`defineGoals: unknown constraint "${key}". Known: ${Object.keys(CONSTRAINTS).join(", ")}.`);
      if (value === undefined) continue;
      constraints[key as keyof GoalConstraints] = requireNumber(value, `defineGoals constraint "${key}"`);
    }
    if (goals.length === 0 && Object.keys(constraints).length === 0) {
      throw new Error('defineGoals: define at least one goal (metric + target) or constraint, e.g. {task: "classification", metric: "accuracy", target: 0.9}.');
    }
    this.goals = goals;
    this.constraints = constraints;
  }

  /**
   * Checks results against every goal and constraint. Pass any mix of plain measurements (`{accuracy: 0.96}`),
   * validate results (they expose `measurements()`), objects with a `metrics` record, or arrays of them; later
   * inputs override earlier ones. Names match loosely ("f1_macro" = "f1Macro" = "F1 macro"). A measurement with a
   * confidence interval (holdout, evaluateModel) is judged on the interval's pessimistic end unless `judgeOn` is "point".
   */
  check(...results: CheckInput[]): Scorecard {
    const measured: Collected = new Map();
    for (const r of results) collect(r, measured);
    const rows: ScorecardRow[] = [];
    const meets = (v: number, threshold: number, direction: GoalDirection): boolean => (direction === "higher" ? v >= threshold : v <= threshold);
    const judge = (value: number | undefined, threshold: number, direction: GoalDirection): ScorecardRow["status"] =>
      value === undefined ? "not measured" : meets(value, threshold, direction) ? "pass" : "fail";
    for (const g of this.goals) {
      const hit = measured.get(normalizeMetricName(g.metric));
      const value = hit?.value;
      const interval = hit?.interval ?? null;
      const judgedOn = interval && this.judgeOn === "lower" ? "lower" : "point";
      let status = judge(value, g.target, g.direction);
      if (status === "pass" && interval && judgedOn === "lower" && !meets(g.direction === "higher" ? interval.lower : interval.upper, g.target, g.direction)) status = "inconclusive";
      rows.push({
        kind: "goal", name: g.metric, requirement: `${g.direction === "higher" ? "≥" : "≤"} ${formatNumber(g.target)}`,
        threshold: g.target, direction: g.direction, measured: value ?? null, interval, judgedOn, status, why: g.why,
      });
    }
    for (const [key, threshold] of Object.entries(this.constraints) as [keyof GoalConstraints, number][]) {
      const c = CONSTRAINTS[key];
      const value = measured.get(normalizeMetricName(c.key))?.value;
      rows.push({
        kind: "constraint", name: c.key, requirement: `${c.direction === "higher" ? "≥" : "≤"} ${formatNumber(threshold)}${c.unit ? ` ${c.unit}` : ""} (${c.label})`,
        threshold, direction: c.direction, measured: value ?? null, interval: null, judgedOn: "point", status: judge(value, threshold, c.direction),
      });
    }
    return new Scorecard(rows, `Goals for ${this.dataset ? `${this.dataset} ` : ""}${this.task}${this.label ? ` (${this.label})` : ""}`);
  }

  /** The definition as plain JSON (what `save` writes and `loadGoals` reads). */
  toJSON(): GoalsDefinition & { version: number } {
    const out: GoalsDefinition & { version: number } = { version: 1, task: this.task };
    if (this.dataset !== undefined) out.dataset = this.dataset;
    if (this.label !== undefined) out.label = this.label;
    if (this.description !== undefined) out.description = this.description;
    out.goals = this.goals.map((g) => ({ metric: g.metric, target: g.target, direction: g.direction, ...(g.why ? { why: g.why } : {}) }));
    out.constraints = { ...this.constraints };
    out.judgeOn = this.judgeOn;
    return out;
  }

  /**
   * Writes the goals as JSON to `file` atomically (temp file, then rename), creating its folder.
   * @throws Error when the folder cannot be created or written.
   */
  async save(file: string): Promise<void> {
    saveJsonAtomically(file, this.toJSON());
  }

  toString(): string {
    const goals = this.goals.map((g) => `  ${g.metric} ${g.direction === "higher" ? ">=" : "<="} ${g.target}`);
    const constraints = Object.entries(this.constraints).map(([k, v]) => `  ${k}: ${v}`);
    return [`Goals: ${this.task}${this.dataset ? ` on ${this.dataset}` : ""}${this.label ? ` (predict ${this.label})` : ""}`, ...goals, ...constraints].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const goalRows = this.goals
      .map((g) => `<tr><td>goal</td><td><b>${escapeHtml(g.metric)}</b>${g.why ? `<br><small>${escapeHtml(g.why)}</small>` : ""}</td><td>${g.direction === "higher" ? "≥" : "≤"} ${escapeHtml(formatNumber(g.target))}</td></tr>`)
      .join("");
    const constraintRows = (Object.entries(this.constraints) as [keyof GoalConstraints, number][])
      .map(([k, v]) => {
        const c = CONSTRAINTS[k];
        return `<tr><td>constraint</td><td><b>${escapeHtml(c.key)}</b><br><small>${escapeHtml(c.label)}</small></td><td>${c.direction === "higher" ? "≥" : "≤"} ${escapeHtml(formatNumber(v))} ${escapeHtml(c.unit)}</td></tr>`;
      })
      .join("");
    const head =
      `<p><b>Goals</b>: ${escapeHtml(this.task)}${this.dataset ? ` on <code>${escapeHtml(this.dataset)}</code>` : ""}${this.label ? `, predicting <code>${escapeHtml(this.label)}</code>` : ""}</p>` +
      (this.description ? `<p>${escapeHtml(this.description)}</p>` : "");
    return {
      "text/plain": this.toString(),
      "text/html": `<div class="trainlab-goals">${head}<table><thead><tr><th>kind</th><th>what</th><th>requirement</th></tr></thead><tbody>${goalRows}${constraintRows}</tbody></table></div>`,
    };
  }
}

/**
 * Defines a project's goals: a headline metric with its target, more goals, and constraints.
 * @throws Error naming the bad field (missing task, metric without target, unknown direction or constraint).
 */
export function defineGoals(definition: GoalsDefinition): Goals {
  return new Goals(definition);
}

/**
 * Reads goals saved with `goals.save(file)`.
 * @throws Error naming the file when it is missing or not a goals JSON.
 */
export function loadGoals(file: string): Goals {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`Cannot read goals from ${file}: ${(err as Error).message}. Save them first with goals.save("${file}").`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); it should hold goals written by goals.save().`);
  }
  try {
    return new Goals(parsed as GoalsDefinition);
  } catch (err) {
    throw new Error(`${file} does not hold valid goals: ${(err as Error).message}`);
  }
}

/** Writes JSON to `file` through a temp file and a rename (defined in lib/core/files, re-exported here as before). */
export { saveJsonAtomically };
