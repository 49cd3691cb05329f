/**
 * Interpretability: permutation importance (how much the metric drops when one feature is shuffled) and partial
 * dependence (the average prediction as one feature sweeps a grid).
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { ValidationError } from "../core/validation";
import { featureImportanceFigure } from "../viz/feature-importance";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import {
  Frame, MetricInput, ValidationResult, Value, Verdict, checkModel, degradation, fmt, hasProba, htmlTable, readTarget,
  resolveMetric, scorePredictions,
} from "./common";
import { SeededRandom, quantile } from "./stats";

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  metric?: MetricInput;
  /** Shuffles per feature (default 5). */
  repeats?: number;
  seed?: number;
  /** A single feature carrying more than this share of the total importance warns of a possible leak (default 0.8). */
  dominance?: number;
  /** Features to score (default: all); useful for wide data. */
  features?: (string | number)[];
  /**
   * Columns shuffled together and reported as one feature, e.g. `{ island: ["island_Biscoe", "island_Dream"] }` for
   * the 0/1 columns of one one-hot encoded variable (shuffling one of them alone makes rows with two islands or none).
   * The other scored columns stay features of their own.
   */
  groups?: Record<string, (string | number)[]>;
}

/** One feature's permutation importance. */
export interface ImportanceRow {
  feature: string;
  /** Mean metric drop over the shuffles (positive = the model relies on the feature). */
  mean: number;
  /** Standard deviation of the drop over the shuffles (ddof 0, as scikit-learn). */
  std: number;
  /** The drop of every shuffle. */
  drops: number[];
}

/** Permutation importances, largest first. */
export class PermutationImportanceResult extends ValidationResult {
  readonly title: string;
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(readonly metric: string, readonly baseline: number, readonly features: ImportanceRow[], dominance: number) {
    super();
    this.title = `Permutation importance (drop in ${metric} when a feature is shuffled)`;
    const positive = features.filter((f) => f.mean > 0);
    const total = positive.reduce((s, f) => s + f.mean, 0);
    const top = features[0];
    const reasons: string[] = [];
    let verdict: Verdict = "pass";
    if (!top || top.mean <= 0) {
      verdict = "fail";
      reasons.push("No feature matters: shuffling any of them leaves the metric unchanged, so the model ignores its inputs.");
    } else if (total > 0 && top.mean / total > dominance && features.length > 1) {
      verdict = "warn";
      reasons.push(`${top.feature} carries ${Math.round((100 * top.mean) / total)}% of the total importance: check it is not a leak of the target.`);
    } else {
      reasons.push(`Most important: ${features.slice(0, 3).map((f) => `${f.feature} (${fmt(f.mean)})`).join(", ")}.`);
    }
    const useless = features.filter((f) => f.mean <= 0);
    if (useless.length) reasons.push(`Not used (importance ≤ 0): ${useless.map((f) => f.feature).join(", ")}; candidates to drop.`);
    this.verdict = verdict;
    this.reasons = reasons;
    this.figures = [
      featureImportanceFigure(features.map((f) => f.feature), features.map((f) => f.mean), { std: features.map((f) => f.std), title: this.title, xTitle: `drop in ${metric}` }),
    ];
  }

  measurements(): Measurements {
    return Object.fromEntries(this.features.map((f) => [`importance_${f.feature}`, f.mean]));
  }

  protected tableHtml(): string {
    return htmlTable(["feature", "importance", "± std"], this.features.map((f) => [f.feature, fmt(f.mean), fmt(f.std)])) + `<p>baseline ${this.metric}: ${fmt(this.baseline)}</p>`;
  }
}

/**
 * Permutation importance (scikit-learn's `permutation_importance`): for each feature, shuffle its column
 * `repeats` times and record how much the metric gets worse. Works on any model and on tables with categorical
 * columns (their values are shuffled too).
 * @throws Error on an unfitted model, mismatched X and y or an unknown metric.
 */
export function permutationImportance(model: Estimator, X: FeatureInput, y: TargetInput, options: PermutationImportanceOptions = {}): PermutationImportanceResult {
  checkModel(model, "permutationImportance");
  const frame = Frame.from(X);
  const truth = readTarget(y, frame.rows, "permutationImportance", model.kind);
  const scorer = resolveMetric(options.metric, model);
  const score = (input: FeatureInput): number => {
    const pred = model.predict(input);
    const proba = scorer.needsProba && hasProba(model) ? model.predictProba(input) : undefined;
    return scorePredictions(scorer, model, truth, pred, proba);
  };
  const baseline = score(frame.input);
  const rng = new SeededRandom(options.seed ?? 0);
  const repeats = options.repeats ?? 5;
  const selected = options.features ? options.features.map((f) => frame.columnIndex(f)) : frame.columns.map((_, j) => j);
  const units = featureUnits(frame, selected, options.groups ?? {});
  const rows = units.map(({ feature, columns }): ImportanceRow => {
    const drops = Array.from({ length: repeats }, () => {
      const order = rng.permutation(frame.rows);
      const shuffled = new Map(columns.map((j) => {
        const values = frame.values(j);
        const column = frame.numeric[j] ? Float64Array.from(order, (i) => values[i] as number) : Array.from(order, (i) => values[i]);
        return [j, column];
      }));
      return degradation(scorer, baseline, score(frame.with(shuffled)));
    });
    const mean = drops.reduce((s, d) => s + d, 0) / repeats;
    const std = Math.sqrt(drops.reduce((s, d) => s + (d - mean) ** 2, 0) / repeats);
    return { feature, mean, std, drops };
  });
  rows.sort((a, b) => b.mean - a.mean);
  return new PermutationImportanceResult(scorer.name, baseline, rows, options.dominance ?? 0.8);
}

/**
 * The units permutation importance shuffles: each group of `groups` (its columns together, in the group's order), then
 * each selected column in no group. @throws ValidationError on an empty or overlapping group, Error on an unknown column.
 */
function featureUnits(
  frame: Frame,
  selected: number[],
  groups: Record<string, (string | number)[]>,
): { feature: string; columns: number[] }[] {
  const grouped = new Set<number>();
  const units = Object.entries(groups).map(([feature, members]) => {
    if (members.length === 0) throw new ValidationError(`permutationImportance: group "${feature}" lists no columns; name its one-hot columns.`);
    const columns = members.map((m) => frame.columnIndex(m));
    for (const j of columns) {
      if (grouped.has(j)) {
        throw new ValidationError(`permutationImportance: column "${frame.columns[j]}" is in two groups; put each column in one.`);
      }
      grouped.add(j);
    }
    return { feature, columns };
  });
  const alone = selected.filter((j) => !grouped.has(j)).map((j) => ({ feature: frame.columns[j], columns: [j] }));
  return [...units, ...alone];
}

/** Options of {@link partialDependence}. */
export interface PartialDependenceOptions {
  /** Grid points per feature (default 20); features with fewer distinct values use those values. */
  gridResolution?: number;
  /** The grid spans these quantiles of the feature (default [0.05, 0.95]). */
  percentiles?: [number, number];
}

/** The partial dependence of one feature. */
export interface PartialDependenceCurve {
  feature: string;
  /** The grid of the feature's values. */
  grid: number[];
  /** Classifiers: one curve per class (average probability); regressors: one curve named "prediction". */
  average: { name: string; values: number[] }[];
  /** max − min of the curves: how much the feature moves the prediction. */
  effect: number;
}

/** Partial dependence curves. */
export class PartialDependenceResult extends ValidationResult {
  readonly title = "Partial dependence";
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(readonly curves: PartialDependenceCurve[]) {
    super();
    const flat = curves.filter((c) => c.effect < 1e-9);
    this.verdict = flat.length ? "warn" : "pass";
    this.reasons = [
      ...curves.map((c) => `${c.feature}: moves the average prediction by ${fmt(c.effect)} over [${fmt(c.grid[0])}, ${fmt(c.grid[c.grid.length - 1])}].`),
      ...(flat.length ? [`The model ignores ${flat.map((c) => c.feature).join(", ")} (flat curve).`] : []),
    ];
    this.figures = curves.map(
      (c) =>
        new Figure({
          data: c.average.map((a) => ({ type: "scatter", mode: "lines+markers", name: a.name, x: c.grid, y: a.values })),
          layout: { title: { text: `Partial dependence on ${c.feature}` }, xaxis: { title: { text: c.feature } }, yaxis: { title: { text: c.average.length > 1 || c.average[0].name !== "prediction" ? "average probability" : "average prediction" } } },
        }),
    );
  }

  measurements(): Measurements {
    return Object.fromEntries(this.curves.map((c) => [`pd_effect_${c.feature}`, c.effect]));
  }

  protected tableHtml(): string {
    return htmlTable(["feature", "grid", "effect (max − min)"], this.curves.map((c) => [c.feature, `${c.grid.length} points, ${fmt(c.grid[0])} … ${fmt(c.grid[c.grid.length - 1])}`, fmt(c.effect)]));
  }
}

/**
 * Partial dependence ("brute" method, as scikit-learn's): for each grid value of a feature, set that feature to the
 * value in every row and average the model's predictions (class probabilities for classifiers).
 * @throws Error on an unknown or non-numeric feature, or an unfitted model.
 */
export function partialDependence(model: Estimator, X: FeatureInput, features: string | number | (string | number)[], options: PartialDependenceOptions = {}): PartialDependenceResult {
  checkModel(model, "partialDependence");
  const frame = Frame.from(X);
  const list = Array.isArray(features) ? features : [features];
  if (list.length === 0) throw new Error("partialDependence: name at least one feature.");
  const resolution = options.gridResolution ?? 20;
  const [lo, hi] = options.percentiles ?? [0.05, 0.95];
  const curves = list.map((f): PartialDependenceCurve => {
    const j = frame.columnIndex(f);
    if (!frame.numeric[j]) throw new Error(`partialDependence: feature "${frame.columns[j]}" is not numeric.`);
    const values = Array.from(frame.numbers(j)).filter(Number.isFinite);
    const distinct = Array.from(new Set(values)).sort((a, b) => a - b);
    let grid: number[];
    if (distinct.length <= resolution) grid = distinct;
    else {
      const a = quantile(values, lo);
      const b = quantile(values, hi);
      if (a === b) throw new Error(`partialDependence: the ${lo} and ${hi} quantiles of "${frame.columns[j]}" are equal; widen percentiles.`);
      grid = Array.from({ length: resolution }, (_, k) => a + ((b - a) * k) / (resolution - 1));
    }
    const classes: readonly Value[] | undefined = hasProba(model) ? model.classes : undefined;
    const sums = classes ? classes.map(() => [] as number[]) : [[] as number[]];
    for (const v of grid) {
      const input = frame.with(new Map([[j, new Float64Array(frame.rows).fill(v)]]));
      if (hasProba(model)) {
        const proba = model.predictProba(input);
        (classes as readonly Value[]).forEach((_, k) => sums[k].push(proba.reduce((s, r) => s + r[k], 0) / proba.length));
      } else if (model.kind === "classifier") {
        throw new Error(`partialDependence: classifier "${model.name}" has no predictProba.`);
      } else {
        const pred = model.predict(input) as number[];
        sums[0].push(pred.reduce((s, p) => s + p, 0) / pred.length);
      }
    }
    const average = classes ? classes.map((c, k) => ({ name: String(c), values: sums[k] })) : [{ name: "prediction", values: sums[0] }];
    const effect = Math.max(...average.map((a) => Math.max(...a.values) - Math.min(...a.values)));
    return { feature: frame.columns[j], grid, average, effect };
  });
  return new PartialDependenceResult(curves);
}
