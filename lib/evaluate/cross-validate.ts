/**
 * `crossValidate`: k-fold comparison of models (with their preprocessing) on the same seeded folds, next to a
 * majority-class or mean baseline, as a mean ± std table and a box plot of fold scores.
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { Figure } from "../viz/figure";
import { compositeBundle } from "../viz/combine";
import { cvScoresFigure } from "../viz/cv-scores";
import {
  CvOptions,
  ModelSpec,
  ProgressDisplay,
  baselineFor,
  estimatorOf,
  fitOnRows,
  interruptCheck,
  prepare,
  release,
  resolveScorers,
  scoreOnRows,
  specName,
  taskOf,
} from "./engine";
import { mean, std } from "../core/stats";
import type { CvFold } from "./folds";
import type { Label } from "../metrics/labels";
import { MetricSpec, positiveClassNote, positiveClasses, withPosLabel } from "./scoring";
import { ResultTable } from "./table";

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions extends CvOptions {
  /** Metric names (scikit-learn scoring names such as "accuracy", "f1_macro", "roc_auc", "r2", "rmse") or scorers. */
  metrics?: MetricSpec | readonly MetricSpec[];
  /** Add the majority-class / mean baseline (default true). */
  baseline?: boolean;
  /** Also score each fold's training part, to see overfitting (default false). */
  returnTrainScore?: boolean;
  /**
   * The positive class for the one-class metrics ("precision", "recall", "f1", "average_precision") on a binary
   * target. Required for them unless the labels are {0, 1} or {-1, 1} (then 1); the table names it.
   */
  posLabel?: Label;
}

/** One model's mean and spread for one metric. */
export interface CvSummaryRow {
  model: string;
  metric: string;
  mean: number;
  std: number;
  baseline: boolean;
}

/** The outcome of {@link crossValidate}: per-fold scores, a comparison table and a box plot. */
export class CrossValidationResult {
  constructor(
    /** Model names in order; the baseline (if any) last. */
    readonly models: readonly string[],
    /** Metric names in order. */
    readonly metrics: readonly string[],
    /** For each metric, whether larger is better. */
    readonly greaterIsBetter: Readonly<Record<string, boolean>>,
    /** scores[model][metric][fold]. */
    readonly scores: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>,
    /** The folds (row indices), identical for every model. */
    readonly folds: readonly CvFold[],
    /** The baseline's name, when one was added. */
    readonly baseline: string | undefined,
    /** trainScores[model][metric][fold], when asked for. */
    readonly trainScores?: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>,
    /** The positive class of each one-class metric (precision, recall, f1, average_precision on a binary target). */
    readonly positiveClasses: Readonly<Record<string, Label>> = {},
  ) {}

  /** Mean of a model's fold scores for a metric. */
  mean(model: string, metric = this.metrics[0]): number {
    return mean(this.get(model, metric));
  }

  /** Population standard deviation of a model's fold scores. */
  std(model: string, metric = this.metrics[0]): number {
    return std(this.get(model, metric), 0);
  }

  private get(model: string, metric: string): readonly number[] {
    const m = this.scores[model];
    if (!m) throw new Error(`No model "${model}". Models: ${this.models.join(", ")}.`);
    const s = m[metric];
    if (!s) throw new Error(`No metric "${metric}". Metrics: ${this.metrics.join(", ")}.`);
    return s;
  }

  /** One row per model and metric. */
  summary(): CvSummaryRow[] {
    return this.models.flatMap((model) =>
      this.metrics.map((metric) => ({
        model,
        metric,
        mean: this.mean(model, metric),
        std: this.std(model, metric),
        baseline: model === this.baseline,
      })),
    );
  }

  /** The best non-baseline model by mean score on `metric` (default: the first metric). */
  best(metric = this.metrics[0]): string {
    const candidates = this.models.filter((m) => m !== this.baseline);
    const sign = this.greaterIsBetter[metric] ? 1 : -1;
    return candidates.reduce(
      (b, m) => (sign * this.mean(m, metric) > sign * this.mean(b, metric) ? m : b),
      candidates[0],
    );
  }

  /** Models whose mean does not beat the baseline on the first metric. */
  notBeatingBaseline(metric = this.metrics[0]): string[] {
    if (!this.baseline) return [];
    const sign = this.greaterIsBetter[metric] ? 1 : -1;
    const base = this.mean(this.baseline, metric);
    return this.models.filter((m) => m !== this.baseline && sign * this.mean(m, metric) <= sign * base);
  }

  /** The comparison table: one row per model, "mean ± std" per metric; best bold, baseline grey. */
  table(digits = 4): ResultTable {
    const best = this.best();
    const rows = this.models.map((model) => {
      const row: Record<string, string> = { model };
      for (const metric of this.metrics) {
        row[metric] = `${this.mean(model, metric).toFixed(digits)} ± ${this.std(model, metric).toFixed(digits)}`;
        if (this.trainScores) row[`train ${metric}`] = `${mean(this.trainScores[model][metric]).toFixed(digits)}`;
      }
      return row;
    });
    const columns = ["model", ...this.metrics.flatMap((m) => (this.trainScores ? [m, `train ${m}`] : [m]))];
    return new ResultTable(columns, rows, {
      title: `${this.folds.length}-fold cross-validation (mean ± std over folds)${Object.keys(this.positiveClasses).length ? `; ${positiveClassNote(this.positiveClasses)}` : ""}`,
      rowClasses: this.models.map((m) => (m === best ? "best" : m === this.baseline ? "baseline" : undefined)),
    });
  }

  /** Box plot of every model's fold scores for one metric (default: the first). */
  figure(metric = this.metrics[0]): Figure {
    const data: Record<string, number[]> = {};
    for (const m of this.models) data[m] = this.get(m, metric).slice();
    return cvScoresFigure(data, { metric, baselines: this.baseline ? [this.baseline] : [] });
  }

  toString(): string {
    const warn = this.notBeatingBaseline();
    return (
      this.table().toString() +
      `\nbest: ${this.best()}` +
      (warn.length ? `\nnot better than the baseline: ${warn.join(", ")}` : "")
    );
  }

  [DISPLAY](): MimeBundle {
    const warn = this.notBeatingBaseline();
    const note = warn.length
      ? `<p style="color:#b00">Not better than ${escapeHtml(this.baseline ?? "the baseline")} on ${escapeHtml(this.metrics[0])}: ${escapeHtml(warn.join(", "))}.</p>`
      : "";
    const table = this.table();
    const figure = this.figure();
    return compositeBundle(this.toString(), table.toHTML() + note + String(figure[DISPLAY]()["text/html"]), [
      table.toPart(),
      figure,
    ]);
  }
}

function namesOf(
  models: ModelSpec | readonly ModelSpec[] | Readonly<Record<string, ModelSpec>>,
): [string, ModelSpec][] {
  let entries: [string, ModelSpec][];
  if (Array.isArray(models)) entries = (models as ModelSpec[]).map((m) => [specName(m), m]);
  else if (typeof (models as ModelSpec as { fit?: unknown }).fit === "function" || "pipeline" in (models as object))
    entries = [[specName(models as ModelSpec), models as ModelSpec]];
  else entries = Object.entries(models as Record<string, ModelSpec>);
  if (entries.length === 0) throw new Error("Pass at least one model to cross-validate.");
  const seen = new Map<string, number>();
  return entries.map(([name, m]) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return [n === 1 ? name : `${name} #${n}`, m];
  });
}

/**
 * Cross-validates one or more models on the same seeded folds. Each fold fits the model's preprocessing (if given as
 * `{pipeline, model}`) and a fresh copy of the model on that fold's training rows only, then scores the held-out rows.
 * A majority-class (classification) or mean (regression) baseline is scored alongside.
 * @throws Error on mismatched X/y, too few rows for the folds, unknown metrics, or models of different tasks.
 */
export async function crossValidate(
  models: ModelSpec | readonly ModelSpec[] | Readonly<Record<string, ModelSpec>>,
  X: FeatureInput,
  y: TargetInput,
  options: CrossValidateOptions = {},
): Promise<CrossValidationResult> {
  const entries = namesOf(models);
  const task = taskOf(entries.map(([, m]) => m));
  const scorers = resolveScorers(withPosLabel(options.metrics, options.posLabel), task);
  const prepared = prepare(X, y, task, options);
  // Before any fit: a one-class metric that cannot tell which class is positive is an error listing the labels.
  const positives = positiveClasses(scorers, prepared.y);
  const seed = options.seed ?? 0;
  let baselineName: string | undefined;
  if (options.baseline ?? true) {
    const b = baselineFor(task);
    baselineName = b.name;
    entries.push([b.name, b.model]);
  }
  const progress = new ProgressDisplay("cross-validation", entries.length * prepared.folds.length, options.progress);
  const scores: Record<string, Record<string, number[]>> = {};
  const trainScores: Record<string, Record<string, number[]>> = {};
  for (const [name, spec] of entries) {
    scores[name] = Object.fromEntries(scorers.map((s) => [s.name, [] as number[]]));
    trainScores[name] = Object.fromEntries(scorers.map((s) => [s.name, [] as number[]]));
    for (const fold of prepared.folds) {
      interruptCheck();
      const fitted = await fitOnRows(spec, prepared.source, prepared.y, fold.train, seed);
      const values = await scoreOnRows(fitted, prepared.source, prepared.y, fold.test, scorers);
      scorers.forEach((s, j) => scores[name][s.name].push(values[j]));
      if (options.returnTrainScore) {
        const tv = await scoreOnRows(fitted, prepared.source, prepared.y, fold.train, scorers);
        scorers.forEach((s, j) => trainScores[name][s.name].push(tv[j]));
      }
      release(fitted);
      progress.tick(`${name}`);
    }
    void estimatorOf(spec);
  }
  progress.finish("done");
  return new CrossValidationResult(
    entries.map(([n]) => n),
    scorers.map((s) => s.name),
    Object.fromEntries(scorers.map((s) => [s.name, s.greaterIsBetter])),
    scores,
    prepared.folds,
    baselineName,
    options.returnTrainScore ? trainScores : undefined,
    positives,
  );
}
