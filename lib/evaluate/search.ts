/**
 * `gridSearch` and `randomSearch`: k-fold evaluation of hyperparameter combinations of any estimator
 * (via getParams/withParams), with a live progress display, the best params, a results table and a chart.
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import { DISPLAY, MimeBundle, escapeHtml, kernelBridge } from "../display";
import type { ParamValue } from "../models/estimator";
import { Figure } from "../viz/figure";
import { compositeBundle } from "../viz/combine";
import { searchResultsFigure } from "../viz/search-results";
import {
  CvOptions,
  FittedSpec,
  ModelSpec,
  ProgressDisplay,
  baselineFor,
  estimatorOf,
  fitOnRows,
  prepare,
  release,
  resolveScorers,
  scoreOnRows,
  specName,
  taskOf,
  withModelParams,
} from "./engine";
import { mean, std } from "../core/stats";
import { seededUniform } from "./folds";
import type { Label } from "../metrics/labels";
import { MetricSpec, getScorer, positiveClassNote, positiveClasses } from "./scoring";
import { ResultTable } from "./table";

/** Values to try per parameter (a grid), or a list of such grids (their union, as in scikit-learn). */
export type ParamGrid =
  Readonly<Record<string, readonly ParamValue[]>> | readonly Readonly<Record<string, readonly ParamValue[]>>[];

/** A numeric range to sample from: uniform, or log-uniform with `log`; integers with `integer`. */
export interface ParamRange {
  low: number;
  high: number;
  log?: boolean;
  integer?: boolean;
}

/** What random search samples: a list of values (uniform choice) or a numeric range per parameter. */
export type ParamDistributions = Readonly<Record<string, readonly ParamValue[] | ParamRange>>;

/** Options of the searches. */
export interface SearchOptions extends CvOptions {
  /** The metric to maximize (or minimize, for losses). Default: accuracy (classifiers), r2 (regressors). */
  metric?: MetricSpec;
  /** Refit the best parameters on all the data (default true): `bestModel`. */
  refit?: boolean;
  /**
   * The positive class for a one-class metric ("precision", "recall", "f1", "average_precision") on a binary
   * target. Required for them unless the labels are {0, 1} or {-1, 1} (then 1); the table names it.
   */
  posLabel?: Label;
}

/** One evaluated combination. */
export interface SearchRow {
  params: Record<string, ParamValue>;
  meanScore: number;
  stdScore: number;
  foldScores: number[];
  /** 1 = best. */
  rank: number;
}

/** The outcome of a search. */
export class SearchResult {
  constructor(
    readonly kind: "grid" | "random",
    readonly modelName: string,
    readonly metric: string,
    readonly greaterIsBetter: boolean,
    /** Every combination in the order tried. */
    readonly results: readonly SearchRow[],
    /** The baseline's mean and std on the same folds. */
    readonly baseline: { name: string; meanScore: number; stdScore: number },
    readonly folds: number,
    /** The best combination refit on all data (when `refit`), with its fitted pipeline. */
    readonly best: FittedSpec | undefined,
    /** True when a kernel interrupt stopped the search early (results hold what finished). */
    readonly interrupted: boolean,
    /** The positive class of the metric, when it scores one class of a binary target (precision, recall, f1, average_precision). */
    readonly positiveClass?: Label,
  ) {}

  private bestRow(): SearchRow {
    return this.results.find((r) => r.rank === 1) as SearchRow;
  }

  /** The best parameters. */
  get bestParams(): Record<string, ParamValue> {
    return this.bestRow().params;
  }

  /** The best mean CV score. */
  get bestScore(): number {
    return this.bestRow().meanScore;
  }

  /** The best model refit on all data. @throws Error when the search ran with `refit: false`. */
  get bestModel(): FittedSpec["model"] {
    if (!this.best) throw new Error("The search ran with refit: false, so there is no refit best model.");
    return this.best.model;
  }

  /** The refit pipeline of the best combination, when the search was given `{pipeline, model}`. */
  get bestPipeline(): FittedSpec["pipeline"] {
    return this.best?.pipeline;
  }

  /**
   * Predicts with the refit best model, applying its fitted pipeline first.
   * @throws Error when the search ran with `refit: false`.
   */
  async predict(X: FeatureInput): Promise<(number | string)[]> {
    if (!this.best) throw new Error("The search ran with refit: false, so there is no refit best model.");
    return this.best.model.predict(await this.best.prepare(X));
  }

  /** Results sorted by rank, with the baseline as the last row. */
  table(digits = 4): ResultTable {
    const names = Array.from(new Set(this.results.flatMap((r) => Object.keys(r.params))));
    const sorted = this.results.slice().sort((a, b) => a.rank - b.rank);
    const rows = sorted.map((r) => {
      const row: Record<string, string | number | null> = { rank: r.rank };
      for (const n of names)
        row[n] =
          typeof r.params[n] === "object" && r.params[n] !== null
            ? JSON.stringify(r.params[n])
            : ((r.params[n] as string | number | null) ?? null);
      row[`mean ${this.metric}`] = r.meanScore;
      row[`std ${this.metric}`] = r.stdScore;
      return row;
    });
    rows.push({
      rank: null,
      [names[0] ?? "params"]: this.baseline.name,
      [`mean ${this.metric}`]: this.baseline.meanScore,
      [`std ${this.metric}`]: this.baseline.stdScore,
    });
    return new ResultTable(
      ["rank", ...(names.length ? names : ["params"]), `mean ${this.metric}`, `std ${this.metric}`],
      rows,
      {
        title:
          `${this.kind === "grid" ? "Grid" : "Random"} search over ${this.modelName}: ${this.results.length} combinations × ${this.folds} folds${this.interrupted ? " (interrupted)" : ""}` +
          (this.positiveClass !== undefined ? `; ${positiveClassNote({ [this.metric]: this.positiveClass })}` : ""),
        digits,
        rowClasses: rows.map((r, i) => (i === 0 ? "best" : i === rows.length - 1 ? "baseline" : undefined)),
        formats: { rank: "int", [`mean ${this.metric}`]: "float", [`std ${this.metric}`]: "float" },
      },
    );
  }

  /** Score against the varied parameter (one) or parallel coordinates (several). */
  figure(): Figure {
    return searchResultsFigure(this.results, { metric: this.metric });
  }

  toString(): string {
    return `${this.table().toString()}\nbest params: ${JSON.stringify(this.bestParams)} (${this.metric} ${this.bestScore.toFixed(4)}; ${this.baseline.name} ${this.baseline.meanScore.toFixed(4)})`;
  }

  [DISPLAY](): MimeBundle {
    const summary = `<p><b>Best params</b>: <code>${escapeHtml(JSON.stringify(this.bestParams))}</code>, mean ${escapeHtml(this.metric)} ${this.bestScore.toFixed(4)} (${escapeHtml(this.baseline.name)}: ${this.baseline.meanScore.toFixed(4)})</p>`;
    const table = this.table();
    const fig = this.figure();
    return compositeBundle(this.toString(), summary + table.toHTML() + String(fig[DISPLAY]()["text/html"]), [
      table.toPart(),
      fig,
    ]);
  }
}

/** Every combination of a grid, keys in the given order, last key varying fastest. */
export function expandGrid(grid: ParamGrid): Record<string, ParamValue>[] {
  const grids = Array.isArray(grid)
    ? (grid as Readonly<Record<string, readonly ParamValue[]>>[])
    : [grid as Readonly<Record<string, readonly ParamValue[]>>];
  const out: Record<string, ParamValue>[] = [];
  for (const g of grids) {
    let combos: Record<string, ParamValue>[] = [{}];
    for (const [key, values] of Object.entries(g)) {
      if (!Array.isArray(values) || values.length === 0)
        throw new Error(`Parameter "${key}" needs a non-empty list of values to try.`);
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
    }
    out.push(...combos);
  }
  return out;
}

function isRange(v: readonly ParamValue[] | ParamRange): v is ParamRange {
  return !Array.isArray(v) && typeof (v as ParamRange).low === "number";
}

/** `n` seeded draws from the distributions (without repeats when every parameter is a finite list). */
export function sampleParams(distributions: ParamDistributions, n: number, seed: number): Record<string, ParamValue>[] {
  const random = seededUniform(seed);
  const entries = Object.entries(distributions);
  if (entries.every(([, d]) => Array.isArray(d))) {
    const grid = expandGrid(Object.fromEntries(entries) as Record<string, readonly ParamValue[]>);
    for (let i = grid.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [grid[i], grid[j]] = [grid[j], grid[i]];
    }
    return grid.slice(0, n);
  }
  return Array.from({ length: n }, () => {
    const params: Record<string, ParamValue> = {};
    for (const [key, d] of entries) {
      if (isRange(d)) {
        if (!(d.high >= d.low)) throw new Error(`Parameter "${key}": high (${d.high}) must be >= low (${d.low}).`);
        if (d.log && d.low <= 0) throw new Error(`Parameter "${key}": a log range needs low > 0, got ${d.low}.`);
        const u = random();
        let v: number;
        if (d.log) {
          v = Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low)));
          if (d.integer) v = Math.round(v);
        } else if (d.integer) v = Math.floor(d.low + u * (d.high - d.low + 1));
        else v = d.low + u * (d.high - d.low);
        params[key] = d.integer ? Math.min(d.high, Math.max(d.low, v)) : v;
      } else {
        if (d.length === 0) throw new Error(`Parameter "${key}" needs a non-empty list of values to try.`);
        params[key] = d[Math.floor(random() * d.length)];
      }
    }
    return params;
  });
}

async function runSearch(
  kind: "grid" | "random",
  spec: ModelSpec,
  candidates: Record<string, ParamValue>[],
  X: FeatureInput,
  y: TargetInput,
  options: SearchOptions,
): Promise<SearchResult> {
  if (candidates.length === 0) throw new Error("The search has no parameter combinations to try.");
  const task = taskOf([spec]);
  const [scorer] = resolveScorers(
    options.metric === undefined ? undefined : [getScorer(options.metric, { posLabel: options.posLabel })],
    task,
  );
  const prepared = prepare(X, y, task, options);
  // Before any fit: a one-class metric that cannot tell which class is positive is an error listing the labels.
  const positive = positiveClasses([scorer], prepared.y)[scorer.name];
  const seed = options.seed ?? 0;
  const known = Object.keys(estimatorOf(spec).getParams());
  for (const c of candidates) {
    for (const k of Object.keys(c)) {
      if (!known.includes(k))
        throw new Error(`${estimatorOf(spec).name} has no parameter "${k}". Its parameters: ${known.join(", ")}.`);
    }
  }
  const progress = new ProgressDisplay(
    `${kind} search`,
    (candidates.length + 1) * prepared.folds.length,
    options.progress,
  );
  const signal = kernelBridge()?.signal();
  const evaluate = async (s: ModelSpec): Promise<number[]> => {
    const scores: number[] = [];
    for (const fold of prepared.folds) {
      const fitted = await fitOnRows(s, prepared.source, prepared.y, fold.train, seed);
      scores.push((await scoreOnRows(fitted, prepared.source, prepared.y, fold.test, [scorer]))[0]);
      release(fitted);
      progress.tick();
    }
    return scores;
  };
  const base = baselineFor(task);
  const baseScores = await evaluate(base.model);
  const rows: Omit<SearchRow, "rank">[] = [];
  let interrupted = false;
  let bestSoFar: number | undefined;
  for (const params of candidates) {
    if (signal?.aborted) {
      interrupted = true;
      break;
    }
    const scores = await evaluate(withModelParams(spec, params));
    const m = mean(scores);
    rows.push({ params, meanScore: m, stdScore: std(scores, 0), foldScores: scores });
    if (bestSoFar === undefined || (scorer.greaterIsBetter ? m > bestSoFar : m < bestSoFar)) bestSoFar = m;
    progress.finish(`best ${scorer.name} so far ${bestSoFar.toFixed(4)}`);
  }
  if (rows.length === 0) throw new Error("Interrupted before any parameter combination finished.");
  const sign = scorer.greaterIsBetter ? -1 : 1;
  const order = rows.map((_, i) => i).sort((a, b) => sign * (rows[a].meanScore - rows[b].meanScore) || a - b);
  const ranks = new Array<number>(rows.length);
  order.forEach(
    (idx, r) =>
      (ranks[idx] = r > 0 && rows[order[r - 1]].meanScore === rows[idx].meanScore ? ranks[order[r - 1]] : r + 1),
  );
  const results: SearchRow[] = rows.map((r, i) => ({ ...r, rank: ranks[i] }));
  let best: FittedSpec | undefined;
  if (options.refit ?? true) {
    const bestParams = results.find((r) => r.rank === 1)!.params;
    const all = prepared.y.map((_, i) => i);
    best = await fitOnRows(withModelParams(spec, bestParams), prepared.source, prepared.y, all, seed);
  }
  progress.finish(interrupted ? "interrupted" : "done");
  return new SearchResult(
    kind,
    specName(spec),
    scorer.name,
    scorer.greaterIsBetter,
    results,
    { name: base.name, meanScore: mean(baseScores), stdScore: std(baseScores, 0) },
    prepared.folds.length,
    best,
    interrupted,
    positive,
  );
}

/**
 * Tries every combination of `grid` with k-fold cross-validation (same seeded folds for all), ranks them, and refits
 * the best on all data. Only the model's parameters are searched; a `{pipeline, model}` refits its pipeline per fold.
 * A kernel interrupt stops the search and returns what finished.
 * @throws Error on an unknown parameter name, an empty grid, or inputs crossValidate rejects.
 */
export async function gridSearch(
  model: ModelSpec,
  grid: ParamGrid,
  X: FeatureInput,
  y: TargetInput,
  options: SearchOptions = {},
): Promise<SearchResult> {
  return runSearch("grid", model, expandGrid(grid), X, y, options);
}

/**
 * Tries `nIter` (default 10) seeded random draws from `distributions` (lists, or numeric ranges, log-uniform with
 * `log: true`) with k-fold cross-validation, ranks them and refits the best.
 * @throws as {@link gridSearch}.
 */
export async function randomSearch(
  model: ModelSpec,
  distributions: ParamDistributions,
  X: FeatureInput,
  y: TargetInput,
  options: SearchOptions & { nIter?: number } = {},
): Promise<SearchResult> {
  return runSearch("random", model, sampleParams(distributions, options.nIter ?? 10, options.seed ?? 0), X, y, options);
}
