/** A project's goals: metric targets and operational constraints, and how results are checked against them. */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { saveJsonAtomically } from "../core/files";
import { CheckInput, ClassLabel, collect, emptyCollection, isBinaryMetric, isOneClassMetric } from "./measurements";
import { GoalDirection, metricDirection, normalizeMetricName } from "./metric-direction";
import { Scorecard, ScorecardRow } from "./scorecard";
import { formatNumber } from "./format";

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
  /**
   * The positive class of a binary metric (precision, recall, f1, average_precision, roc_auc), e.g. "M". A result
   * that scored another class as positive is refused by `check`; the scorecard names the class either way.
   */
  posLabel?: number | string;
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
const CONSTRAINTS: Record<
  keyof GoalConstraints,
  { key: string; direction: GoalDirection; label: string; unit: string }
> = {
  maxLatencyMs: { key: "latencyMs", direction: "lower", label: "prediction latency (p95, one row)", unit: "ms" },
  maxModelBytes: { key: "modelBytes", direction: "lower", label: "model size", unit: "bytes" },
  maxParameters: { key: "parameters", direction: "lower", label: "parameter count", unit: "" },
  maxTrainingSeconds: { key: "trainingSeconds", direction: "lower", label: "training time", unit: "s" },
  minTrainingRows: { key: "trainingRows", direction: "higher", label: "training rows", unit: "rows" },
  maxTrainingRows: { key: "trainingRows", direction: "lower", label: "training rows", unit: "rows" },
};
interface ResolvedGoal {
  metric: string;
  target: number;
  direction: GoalDirection;
  why?: string;
  posLabel?: ClassLabel;
}

function requireNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new Error(`${what} must be a finite number, got ${JSON.stringify(value)}.`);
  return value;
}

function resolveGoal(spec: GoalSpec, where: string): ResolvedGoal {
  if (typeof spec.metric !== "string" || spec.metric.trim() === "")
    throw new Error(`${where}: "metric" must name a metric, e.g. "accuracy".`);
  const target = requireNumber(spec.target, `${where} (${spec.metric}): "target"`);
  if (spec.direction !== undefined && spec.direction !== "higher" && spec.direction !== "lower") {
    throw new Error(
      `${where} (${spec.metric}): direction must be "higher" or "lower", got ${JSON.stringify(spec.direction)}.`,
    );
  }
  const direction = spec.direction ?? metricDirection(spec.metric);
  if (!direction) {
    throw new Error(
      `${where}: trainlab does not know whether higher or lower "${spec.metric}" is better; pass direction: "higher" or "lower".`,
    );
  }
  if (spec.posLabel !== undefined) {
    if (!isBinaryMetric(spec.metric))
      throw new Error(
        `${where} (${spec.metric}): posLabel applies to precision, recall, f1, average_precision or roc_auc only.`,
      );
    if (typeof spec.posLabel !== "string" && !(typeof spec.posLabel === "number" && Number.isFinite(spec.posLabel))) {
      throw new Error(
        `${where} (${spec.metric}): posLabel must be a class label (a string or a number), got ${JSON.stringify(spec.posLabel)}.`,
      );
    }
  }
  return {
    metric: spec.metric,
    target,
    direction,
    why: spec.why,
    ...(spec.posLabel !== undefined ? { posLabel: spec.posLabel } : {}),
  };
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
    if (definition === null || typeof definition !== "object")
      throw new Error("defineGoals: pass an object such as {task, metric, target}.");
    if (typeof definition.task !== "string" || definition.task.trim() === "") {
      throw new Error('defineGoals: "task" is required, e.g. "classification" or "regression".');
    }
    this.task = definition.task;
    this.dataset = definition.dataset;
    this.label = definition.label;
    this.description = definition.description;
    if (definition.judgeOn !== undefined && definition.judgeOn !== "lower" && definition.judgeOn !== "point") {
      throw new Error(
        `defineGoals: judgeOn must be "lower" (the confidence interval's pessimistic end) or "point", got ${JSON.stringify(definition.judgeOn)}.`,
      );
    }
    this.judgeOn = definition.judgeOn ?? "lower";
    const goals: ResolvedGoal[] = [];
    if (definition.metric !== undefined || definition.target !== undefined) {
      if (definition.metric === undefined)
        throw new Error('defineGoals: "target" was given without "metric": name the metric it applies to.');
      if (definition.target === undefined)
        throw new Error(`defineGoals: metric "${definition.metric}" needs a "target" threshold, e.g. target: 0.9.`);
      goals.push(
        resolveGoal(
          { metric: definition.metric, target: definition.target, direction: definition.direction },
          "defineGoals",
        ),
      );
    }
    (definition.goals ?? []).forEach((g, i) => goals.push(resolveGoal(g, `defineGoals goals[${i}]`)));
    const constraints: GoalConstraints = {};
    for (const [key, value] of Object.entries(definition.constraints ?? {})) {
      if (!(key in CONSTRAINTS))
        throw new Error(`defineGoals: unknown constraint "${key}". Known: ${Object.keys(CONSTRAINTS).join(", ")}.`);
      if (value === undefined) continue;
      constraints[key as keyof GoalConstraints] = requireNumber(value, `defineGoals constraint "${key}"`);
    }
    if (goals.length === 0 && Object.keys(constraints).length === 0) {
      throw new Error(
        'defineGoals: define at least one goal (metric + target) or constraint, e.g. {task: "classification", metric: "accuracy", target: 0.9}.',
      );
    }
    this.goals = goals;
    this.constraints = constraints;
  }

  /**
   * Checks results against every goal and constraint. Pass any mix of plain measurements (`{accuracy: 0.96}`),
   * validate results (they expose `measurements()`), objects with a `metrics` record, or arrays of them; later
   * inputs override earlier ones. Names match loosely ("f1_macro" = "f1Macro" = "F1 macro"). A measurement with a
   * confidence interval (holdout, evaluateModel) is judged on the interval's pessimistic end unless `judgeOn` is "point".
   * A goal on a binary metric (precision, recall, f1, average_precision, roc_auc) names the positive class the result
   * scored (or the goal's `posLabel`).
   * @throws Error when a goal on precision/recall/f1/average_precision cannot be judged on the named class: the result
   *   scored another class than the goal's `posLabel`, or it is a binary evaluation with no class named positive
   *   (evaluateModel on labels such as "B"/"M" without `posLabel` reports macro averages, not the f1 of one class).
   */
  check(...results: CheckInput[]): Scorecard {
    const collection = emptyCollection();
    for (const r of results) collect(r, collection);
    const measured = collection.values;
    const rows: ScorecardRow[] = [];
    const meets = (v: number, threshold: number, direction: GoalDirection): boolean =>
      direction === "higher" ? v >= threshold : v <= threshold;
    const judge = (value: number | undefined, threshold: number, direction: GoalDirection): ScorecardRow["status"] =>
      value === undefined ? "not measured" : meets(value, threshold, direction) ? "pass" : "fail";
    for (const g of this.goals) {
      const hit = measured.get(normalizeMetricName(g.metric));
      if (isOneClassMetric(g.metric)) {
        if (!hit && collection.unnamedPositive) {
          throw new Error(
            `goals.check: the goal on "${g.metric}" scores one class as positive, but a result was computed on a binary target ` +
              `whose labels do not say which class is positive, so it reported macro averages (e.g. "${normalizeMetricName(g.metric)}_macro"), not "${g.metric}". ` +
              `Pass posLabel to evaluateModel (e.g. evaluateModel(model, X, y, { posLabel: ${JSON.stringify(g.posLabel ?? "yes")} })), or set the goal on "${g.metric}_macro".`,
          );
        }
        if (hit?.positiveClass !== undefined && g.posLabel !== undefined && hit.positiveClass !== g.posLabel) {
          throw new Error(
            `goals.check: the goal on "${g.metric}" is for positive class ${JSON.stringify(g.posLabel)}, but the result scored class ` +
              `${JSON.stringify(hit.positiveClass)} as positive. Evaluate with posLabel: ${JSON.stringify(g.posLabel)}.`,
          );
        }
      }
      const positiveClass = isBinaryMetric(g.metric) ? (hit?.positiveClass ?? g.posLabel ?? null) : undefined;
      const value = hit?.value;
      const interval = hit?.interval ?? null;
      const judgedOn = interval && this.judgeOn === "lower" ? "lower" : "point";
      let status = judge(value, g.target, g.direction);
      if (status === "pass" && interval && judgedOn === "lower") {
        const bound = g.direction === "higher" ? interval.lower : interval.upper;
        // A degenerate interval (every resample scored the same) cannot show the goal is met on new rows.
        if (interval.degenerate || !meets(bound, g.target, g.direction)) status = "inconclusive";
      }
      rows.push({
        kind: "goal",
        name: g.metric,
        requirement: `${g.direction === "higher" ? "≥" : "≤"} ${formatNumber(g.target)}`,
        threshold: g.target,
        direction: g.direction,
        measured: value ?? null,
        interval,
        judgedOn,
        status,
        why: g.why,
        ...(positiveClass !== undefined ? { positiveClass } : {}),
      });
    }
    for (const [key, threshold] of Object.entries(this.constraints) as [keyof GoalConstraints, number][]) {
      const c = CONSTRAINTS[key];
      const value = measured.get(normalizeMetricName(c.key))?.value;
      rows.push({
        kind: "constraint",
        name: c.key,
        requirement: `${c.direction === "higher" ? "≥" : "≤"} ${formatNumber(threshold)}${c.unit ? ` ${c.unit}` : ""} (${c.label})`,
        threshold,
        direction: c.direction,
        measured: value ?? null,
        interval: null,
        judgedOn: "point",
        status: judge(value, threshold, c.direction),
      });
    }
    return new Scorecard(
      rows,
      `Goals for ${this.dataset ? `${this.dataset} ` : ""}${this.task}${this.label ? ` (${this.label})` : ""}`,
    );
  }

  /** The definition as plain JSON (what `save` writes and `loadGoals` reads). */
  toJSON(): GoalsDefinition & { version: number } {
    const out: GoalsDefinition & { version: number } = { version: 1, task: this.task };
    if (this.dataset !== undefined) out.dataset = this.dataset;
    if (this.label !== undefined) out.label = this.label;
    if (this.description !== undefined) out.description = this.description;
    out.goals = this.goals.map((g) => ({
      metric: g.metric,
      target: g.target,
      direction: g.direction,
      ...(g.why ? { why: g.why } : {}),
      ...(g.posLabel !== undefined ? { posLabel: g.posLabel } : {}),
    }));
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
    return [
      `Goals: ${this.task}${this.dataset ? ` on ${this.dataset}` : ""}${this.label ? ` (predict ${this.label})` : ""}`,
      ...goals,
      ...constraints,
    ].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const goalRows = this.goals
      .map(
        (g) =>
          `<tr><td>goal</td><td><b>${escapeHtml(g.metric)}</b>${g.why ? `<br><small>${escapeHtml(g.why)}</small>` : ""}</td><td>${g.direction === "higher" ? "≥" : "≤"} ${escapeHtml(formatNumber(g.target))}</td></tr>`,
      )
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
