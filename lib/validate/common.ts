/**
 * Shared plumbing of lib/validate: a column view of any feature input (so perturbations keep tables as tables),
 * metric resolution by name on top of lib/evaluate, and the rendered verdict every validate function returns.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { FeatureInput, Matrix, TargetInput, isMatrix, takeRows, toMatrix, toTargetArray } from "../data/matrix";
import { takeTableRows } from "../data/columns";
import { isTable } from "../core/table";
import {
  ValidationError,
  asValidationError,
  checkConsistentLength,
  checkFitted,
  checkLabelValues,
  checkPresent,
  checkRegressionTarget,
} from "../core/validation";
import type { Classifier, Estimator } from "../models/estimator";
import { MetricSpec, Scorer, getScorer } from "../evaluate/scoring";
import type { Figure } from "../viz/figure";
import { compositeBundle } from "../viz/combine";
import type { Measurable, Measurements } from "../goals";

/** A class label or a regression target value. */
export type Value = number | string;

/**
 * pass: fine for the real world; warn: look closer; fail: do not ship as is; untested: too little data to test
 * (e.g. a subgroup smaller than the minimum size), which is never a pass.
 */
export type Verdict = "pass" | "warn" | "fail" | "untested";

/**
 * The worse of several verdicts. Untested items do not make a tested pass worse (the result's reasons list them),
 * but when nothing could be tested the verdict is "untested", never "pass".
 */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("fail")) return "fail";
  if (verdicts.includes("warn")) return "warn";
  if (verdicts.length > 0 && verdicts.every((v) => v === "untested")) return "untested";
  return "pass";
}

// ---------------------------------------------------------------------------------------------------------------
// Frames: a column view of features.

/**
 * Features as columns. Numeric columns can be read as Float64Array (missing = NaN) and replaced; the frame then
 * rebuilds an input of the same kind (a table stays a table, so a Pipeline with encoders still works).
 */
export class Frame {
  private constructor(
    readonly rows: number,
    readonly columns: readonly string[],
    /** True for columns holding only numbers (and missing values). */
    readonly numeric: readonly boolean[],
    private readonly table: ColumnTable | undefined,
    private readonly matrix: Matrix | undefined,
  ) {}

  /** Reads any feature input. Tensors and nested arrays become matrices. */
  static from(X: FeatureInput): Frame {
    if (isTable(X)) {
      const columns = X.columnNames();
      const numeric = columns.map((name) => {
        const values = X.array(name) as ArrayLike<unknown>;
        let seen = false;
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) continue;
          if (typeof v !== "number") return false;
          seen = true;
        }
        return seen;
      });
      return new Frame(X.numRows(), columns, numeric, X, undefined);
    }
    if (!isMatrix(X) && !(X instanceof tf.Tensor) && !Array.isArray(X)) {
      checkPresent(X, "X", "validate");
      throw new ValidationError(
        `validate: X is ${typeof X}, not features. Pass an arquero table, a Matrix, a 2-D tensor or an array of rows.`,
      );
    }
    let m: Matrix;
    try {
      m = isMatrix(X) ? X : toMatrix(X);
    } catch (err) {
      throw asValidationError(err, "validate");
    }
    const columns = m.columns?.slice() ?? Array.from({ length: m.cols }, (_, j) => `x${j}`);
    return new Frame(
      m.rows,
      columns,
      columns.map(() => true),
      undefined,
      m,
    );
  }

  /** The original input (a table or a matrix). */
  get input(): FeatureInput {
    return (this.table ?? this.matrix) as FeatureInput;
  }

  /** Index of a column by name or position. @throws Error naming the known columns. */
  columnIndex(column: string | number): number {
    if (typeof column === "number") {
      if (!Number.isInteger(column) || column < 0 || column >= this.columns.length) {
        throw new Error(`Feature index ${column} is out of range: the data has ${this.columns.length} features.`);
      }
      return column;
    }
    const j = this.columns.indexOf(column);
    if (j < 0) throw new Error(`Feature "${column}" is not in the data. Features: ${this.columns.join(", ")}.`);
    return j;
  }

  /** Indices of the numeric columns. */
  numericColumns(): number[] {
    return this.numeric.flatMap((isNum, j) => (isNum ? [j] : []));
  }

  /** A numeric column as float64 (missing values as NaN). @throws Error when the column is not numeric. */
  numbers(j: number): Float64Array {
    if (!this.numeric[j]) throw new Error(`Feature "${this.columns[j]}" is not numeric.`);
    if (this.matrix) {
      const out = new Float64Array(this.rows);
      for (let i = 0; i < this.rows; i++) out[i] = this.matrix.data[i * this.matrix.cols + j];
      return out;
    }
    const values = (this.table as ColumnTable).array(this.columns[j]) as ArrayLike<number | null>;
    return Float64Array.from({ length: this.rows }, (_, i) =>
      values[i] === null || values[i] === undefined ? NaN : (values[i] as number),
    );
  }

  /** Any column as plain values (for permutation of categorical columns too). */
  values(j: number): unknown[] {
    if (this.matrix) return Array.from(this.numbers(j));
    return Array.from((this.table as ColumnTable).array(this.columns[j]) as ArrayLike<unknown>);
  }

  /**
   * A new input of the same kind with some columns replaced. Numeric replacements may hold NaN for a missing
   * value (a table gets null there).
   */
  with(replacements: ReadonlyMap<number, ArrayLike<unknown>>): FeatureInput {
    if (this.matrix) {
      const m = this.matrix;
      const data = Float64Array.from(m.data);
      for (const [j, col] of replacements) for (let i = 0; i < m.rows; i++) data[i * m.cols + j] = col[i] as number;
      return { data, rows: m.rows, cols: m.cols, columns: m.columns };
    }
    const table = this.table as ColumnTable;
    const cols: Record<string, ArrayLike<unknown>> = {};
    this.columns.forEach((name, j) => {
      const rep = replacements.get(j);
      if (rep === undefined) cols[name] = table.array(name) as ArrayLike<unknown>;
      else cols[name] = Array.from(rep, (v) => (typeof v === "number" && Number.isNaN(v) ? null : v));
    });
    return aq.table(cols);
  }

  /** The given rows, as an input of the same kind (lib/data's row-subset helpers: a table keeps its typed storage). */
  take(indices: ArrayLike<number>): FeatureInput {
    return this.matrix ? takeRows(this.matrix, indices) : takeTableRows(this.table as ColumnTable, indices);
  }

  /** Stacks `copies` versions of the data built by `make(copy)` (each a full set of replaced numeric columns). */
  stack(copies: number, make: (copy: number) => Map<number, Float64Array>): FeatureInput {
    const parts = Array.from({ length: copies }, (_, c) => make(c));
    if (this.matrix) {
      const m = this.matrix;
      const data = new Float64Array(copies * m.rows * m.cols);
      parts.forEach((rep, c) => {
        data.set(m.data, c * m.rows * m.cols);
        for (const [j, col] of rep) for (let i = 0; i < m.rows; i++) data[(c * m.rows + i) * m.cols + j] = col[i];
      });
      return { data, rows: copies * m.rows, cols: m.cols, columns: m.columns };
    }
    const table = this.table as ColumnTable;
    const cols: Record<string, unknown[]> = {};
    this.columns.forEach((name, j) => {
      const base = table.array(name) as ArrayLike<unknown>;
      const out: unknown[] = [];
      parts.forEach((rep) => {
        const col = rep.get(j);
        for (let i = 0; i < this.rows; i++) out.push(col ? (Number.isNaN(col[i]) ? null : col[i]) : base[i]);
      });
      cols[name] = out;
    });
    return aq.table(cols);
  }
}

/**
 * Reads the target through lib/core/validation: present, one value per row, and, given the model's kind, valid class
 * labels (classifier) or finite numbers (regressor).
 * @throws ValidationError naming the check (`where`) and the first bad value.
 */
export function readTarget(y: TargetInput, rows: number, where: string, kind?: Estimator["kind"]): Value[] {
  checkPresent(y, "y", where);
  let values: Value[];
  try {
    values = toTargetArray(y);
  } catch (err) {
    throw asValidationError(err, where);
  }
  checkConsistentLength(rows, values.length, where);
  if (rows === 0) throw new ValidationError(`${where}: the data is empty; pass at least one row.`);
  if (kind === "classifier") return checkLabelValues(values, "y", where);
  if (kind === "regressor") return Array.from(checkRegressionTarget(values, rows, where));
  values.forEach((v, i) => {
    if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) {
      throw new ValidationError(`${where}: y[${i}] is ${v}; drop or impute missing targets first.`);
    }
  });
  return values;
}

/** Per-column means of the numeric columns, ignoring missing values. */
export function columnMeans(frame: Frame): Map<number, number> {
  const out = new Map<number, number>();
  for (const j of frame.numericColumns()) {
    const col = frame.numbers(j);
    let s = 0;
    let n = 0;
    for (const v of col) {
      if (!Number.isFinite(v)) continue;
      s += v;
      n++;
    }
    out.set(j, n > 0 ? s / n : 0);
  }
  return out;
}

/** Per-column standard deviations (ddof 0, like StandardScaler) of the numeric columns, ignoring missing values. */
export function columnStds(frame: Frame): Map<number, number> {
  const means = columnMeans(frame);
  const out = new Map<number, number>();
  for (const j of frame.numericColumns()) {
    const col = frame.numbers(j);
    const m = means.get(j) as number;
    let s = 0;
    let n = 0;
    for (const v of col) {
      if (!Number.isFinite(v)) continue;
      s += (v - m) ** 2;
      n++;
    }
    out.set(j, n > 0 ? Math.sqrt(s / n) : 0);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Models.

/** True when the estimator gives class probabilities. */
export function hasProba(model: Estimator): model is Classifier {
  return model.kind === "classifier" && typeof (model as Classifier).predictProba === "function";
}

/** @throws Error unless the model is fitted and supervised. */
export function checkModel(model: Estimator, where: string): void {
  if (model === null || typeof model !== "object" || typeof model.predict !== "function") {
    throw new Error(`${where}: expected a fitted trainlab model (an Estimator with predict), got ${String(model)}.`);
  }
  checkFitted(model.fitted, model.name, where);
  if (model.kind === "clusterer")
    throw new Error(`${where}: "${model.name}" is a clusterer; this check needs a classifier or a regressor.`);
}

/**
 * A supervised check's inputs, checked in order: the model ({@link checkModel}), then X as a Frame, then y for that
 * many rows ({@link readTarget}).
 * @throws Error on a model that is not a fitted classifier or regressor; ValidationError on bad X or y.
 */
export function readInputs(
  model: Estimator,
  X: FeatureInput,
  y: TargetInput,
  where: string,
): { frame: Frame; truth: Value[] } {
  checkModel(model, where);
  const frame = Frame.from(X);
  return { frame, truth: readTarget(y, frame.rows, where, model.kind) };
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics by name (the numbers come from lib/evaluate).

/** A metric: a scorer name of lib/evaluate ("accuracy", "f1_macro", "roc_auc", "log_loss", "rmse", "r2"...), a Scorer, or a function of (yTrue, yPred). */
export type MetricInput = MetricSpec | ((yTrue: Value[], yPred: Value[]) => number);

/**
 * Turns a metric name or function into lib/evaluate's Scorer; the default is accuracy for classifiers and R² for
 * regressors. A plain function is treated as "larger is better".
 * @throws Error on an unknown name, a probability metric on a model without predictProba, or a metric of the other task.
 */
export function resolveMetric(metric: MetricInput | undefined, model: Estimator): Scorer {
  if (metric === undefined) return getScorer(model.kind === "classifier" ? "accuracy" : "r2");
  if (typeof metric === "function") {
    return {
      name: metric.name || "metric",
      greaterIsBetter: true,
      needsProba: false,
      task: model.kind === "classifier" ? "classification" : "regression",
      score: (i) => metric(i.yTrue, i.yPred),
    };
  }
  const scorer = getScorer(metric);
  if (scorer.needsProba && !hasProba(model))
    throw new Error(`Metric "${scorer.name}" needs class probabilities, but "${model.name}" has no predictProba.`);
  const task = model.kind === "classifier" ? "classification" : "regression";
  if (scorer.task !== task)
    throw new Error(`Metric "${scorer.name}" is a ${scorer.task} metric but "${model.name}" is a ${model.kind}.`);
  return scorer;
}

/** Scores predictions with a scorer. */
export function scorePredictions(
  scorer: Scorer,
  model: Estimator,
  yTrue: readonly Value[],
  yPred: readonly Value[],
  proba?: number[][],
): number {
  return scorer.score({
    yTrue: yTrue.slice(),
    yPred: yPred.slice(),
    proba,
    classes: hasProba(model) ? model.classes : undefined,
  });
}

/** Predictions (and probabilities when the scorer needs them) of a model on X. */
export function predictFor(
  model: Estimator,
  X: FeatureInput,
  needsProba: boolean,
): { pred: Value[]; proba?: number[][] } {
  const pred = model.predict(X);
  const proba = needsProba && hasProba(model) ? model.predictProba(X) : undefined;
  return { pred, proba };
}

/** Scores a model on X, y with a scorer. */
export function scoreModel(model: Estimator, scorer: Scorer, X: FeatureInput, y: readonly Value[]): number {
  const { pred, proba } = predictFor(model, X, scorer.needsProba);
  return scorePredictions(scorer, model, y, pred, proba);
}

/** How much worse `value` is than `reference` (positive = worse), whatever the metric's direction. */
export function degradation(scorer: Scorer, reference: number, value: number): number {
  return scorer.greaterIsBetter ? reference - value : value - reference;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering.

/** Formats a number for tables. */
export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  // Below 1e-12 a value is floating-point rounding (a drop of 1 − 0.9999999999999999 = 1.11e-16): show it as 0.
  if (a < 1e-12) return (0).toFixed(digits);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2);
  return v.toFixed(digits);
}

const COLORS: Record<Verdict, string> = { pass: "#1a7f37", warn: "#9a6700", fail: "#cf222e", untested: "#57606a" };
const LABELS: Record<Verdict, string> = {
  pass: "✔ PASS",
  warn: "⚠ WARN",
  fail: "✘ FAIL",
  untested: "○ TOO SMALL TO TEST",
};

/** An HTML table from a header and rows of cells (already strings; they are escaped here). */
export function htmlTable(
  header: readonly string[],
  rows: readonly (readonly (string | { html: string })[])[],
): string {
  const cell = (c: string | { html: string }): string => (typeof c === "string" ? escapeHtml(c) : c.html);
  return (
    `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`
  );
}

/** A coloured verdict cell. */
export function verdictCell(v: Verdict): { html: string } {
  return { html: `<span style="color:${COLORS[v]};font-weight:bold">${LABELS[v]}</span>` };
}

/**
 * The base of every validate result: numbers as plain fields, a verdict with its reasons, optional figures, and
 * a rendering (verdict banner, reasons, a table, the figures) for the notebook.
 */
export abstract class ValidationResult implements Measurable {
  /** e.g. "Holdout evaluation". */
  abstract readonly title: string;
  abstract readonly verdict: Verdict;
  /** Why the verdict is what it is, one sentence each. */
  abstract readonly reasons: readonly string[];
  /** Charts of the result (Plotly figures from lib/viz). */
  abstract readonly figures: readonly Figure[];
  /** The main table, as HTML. */
  protected abstract tableHtml(): string;
  /** The numbers goals can be checked against (see lib/goals). */
  abstract measurements(): Measurements;

  /** One line per reason, after the verdict. */
  toString(): string {
    return `${this.title}: ${this.verdict.toUpperCase()}\n${this.reasons.map((r) => `- ${r}`).join("\n")}`;
  }

  [DISPLAY](): MimeBundle {
    const v = this.verdict;
    const banner =
      `<div class="trainlab-verdict trainlab-verdict-${v}" style="border-left:6px solid ${COLORS[v]};padding:4px 10px;margin:4px 0">` +
      `<b>${escapeHtml(this.title)}</b>: <span style="color:${COLORS[v]};font-weight:bold">${LABELS[v]}</span>` +
      `<ul>${this.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul></div>`;
    const figures = this.figures.map((f) => (f[DISPLAY]()["text/html"] as string) ?? "").join("");
    // The figures also travel as one Plotly figure, for frontends that show no untrusted HTML (JupyterLab, VS Code).
    return compositeBundle(
      this.toString(),
      `<div class="trainlab-validation">${banner}${this.tableHtml()}${figures}</div>`,
      this.figures,
    );
  }
}
