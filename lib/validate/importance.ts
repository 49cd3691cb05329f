/**
 * Permutation importance with its uncertainty: how much the metric drops when one feature is shuffled, with a
 * bootstrap over the evaluation rows, a one-sided test that the drop is above 0 ("the model uses this feature") and a
 * one-sided test that one feature's share of the total importance is above `dominance` (a possible leak). Each row
 * carries its influence on the drop (importance-influence.ts).
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { featureImportanceFigure } from "../viz/feature-importance";
import type { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import {
  Frame,
  MetricInput,
  ValidationResult,
  Value,
  Verdict,
  degradation,
  fmt,
  hasProba,
  htmlTable,
  readInputs,
  resolveMetric,
  scorePredictions,
} from "./common";
import { SeededRandom, holmAdjust, quantile } from "./stats";
import { ValidationError } from "../core/validation";
import { isBuiltIn, leaveOneOutInfluence, rowLossesFor, shuffleInfluence } from "./importance-influence";

/** Fewest rows for the tests: on fewer, a bootstrap over rows says too little about the population. */
export const MIN_ROWS_FOR_IMPORTANCE_TESTS = 30;

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  metric?: MetricInput;
  /** Shuffles per feature (default 5); their mean drop is the importance. */
  repeats?: number;
  seed?: number;
  /**
   * A feature whose share of the total importance is significantly above this (default 0.8), and whose drop is
   * significantly above 0, warns of a possible leak: the lower confidence bound of its share must exceed it.
   */
  dominance?: number;
  /** Features to score (default: all); useful for wide data. */
  features?: (string | number)[];
  /**
   * Columns shuffled together and reported as one feature, e.g. `{ island: ["island_Biscoe", "island_Dream"] }` for
   * the 0/1 columns of one one-hot encoded variable (shuffling one of them alone makes rows with two islands or none).
   * The other scored columns stay features of their own.
   */
  groups?: Record<string, (string | number)[]>;
  /**
   * Family-wise false-alarm rate of the tests (default 0.05): over the features, Holm-adjusted. A feature the model
   * does not use is called "used" at most this often; a feature whose true share is at most `dominance` is called a
   * possible leak at most this often.
   */
  alpha?: number;
  /**
   * Bootstrap resamples of the evaluation rows (default: 500, or 2·features/α when more, so that Holm's smallest
   * threshold α/features is within reach of the smallest bootstrap p-value 1/(resamples + 1)).
   * @throws Error when 1 ≤ bootstrap < features/α − 1: no feature could ever be shown to matter.
   */
  bootstrap?: number;
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
  /** Bootstrap (over the rows) 95% percentile interval of the mean drop. */
  lower: number;
  upper: number;
  /** Holm-adjusted one-sided p-value of "the drop is above 0". */
  pValue: number;
  /** True when the drop is significantly above 0 at α (family-wise): the model uses this feature. */
  used: boolean;
  /** The feature's share of the total positive importance (point estimate). */
  share: number;
  /**
   * p-value of "the share is above `dominance` and the drop above 0" (Holm-adjusted, the larger of the two tests'):
   * a share of an importance not shown to be above 0 says nothing (a noise column's share is 100% whenever its drop
   * is positive and the other features' drops are 0).
   */
  leakPValue: number;
}

/** Permutation importances, largest first, each with its interval and tests. */
export class PermutationImportanceResult extends ValidationResult {
  readonly title: string;
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly metric: string,
    readonly baseline: number,
    readonly features: ImportanceRow[],
    readonly dominance: number,
    /** Family-wise false-alarm rate of the tests. */
    readonly alpha = 0.05,
    /** Bootstrap resamples that could be scored. */
    readonly resamples = 0,
    /** Why nothing could be tested, when it is not too few rows or resamples. */
    readonly untestedBecause?: string,
  ) {
    super();
    this.title = `Permutation importance (drop in ${metric} when a feature is shuffled)`;
    const reasons: string[] = [];
    let verdict: Verdict = "pass";
    const used = features.filter((f) => f.used);
    const leaks = features.filter((f) => f.leakPValue <= alpha);
    const pct = (v: number): string => `${Math.round(100 * v)}%`;
    if (features.length > 0 && features.every((f) => f.drops.every((d) => d === 0))) {
      verdict = "fail";
      reasons.push(
        "No feature matters: shuffling any of them never changed the metric, so the model ignores its inputs.",
      );
    } else if (resamples === 0) {
      verdict = "untested";
      reasons.push(
        untestedBecause
          ? `Not tested: ${untestedBecause}, so the uncertainty of the importances cannot be judged; they are point estimates.`
          : `Not tested: fewer than ${MIN_ROWS_FOR_IMPORTANCE_TESTS} rows, or no bootstrap resamples; the importances are point estimates.`,
      );
    } else if (used.length === 0) {
      verdict = "untested";
      reasons.push(
        `No feature is shown to matter: no drop is significantly above 0 (α = ${alpha}, Holm over ${features.length} features). ` +
          "These rows are too few to tell which inputs the model relies on (or, with correlated features, shuffling one " +
          "alone costs little); nothing is concluded.",
      );
    }
    if (leaks.length > 0) {
      verdict = "warn";
      for (const f of leaks) {
        reasons.push(
          `${f.feature} carries ${pct(f.share)} of the total importance, significantly more than ${pct(dominance)} ` +
            `(p = ${fmt(f.leakPValue, 3)}, α = ${alpha}): check it is not a leak of the target.`,
        );
      }
    }
    if (used.length > 0)
      reasons.push(
        `Used (drop significantly above 0 at α = ${alpha}): ${used
          .slice(0, 5)
          .map((f) => `${f.feature} (${fmt(f.mean)}, 95% CI ${fmt(f.lower)}–${fmt(f.upper)})`)
          .join(", ")}${used.length > 5 ? `, and ${used.length - 5} more` : ""}.`,
      );
    const unused = features.filter((f) => !f.used);
    if (unused.length && used.length)
      reasons.push(`Not shown to matter: ${unused.map((f) => f.feature).join(", ")}; candidates to drop.`);
    this.verdict = verdict;
    this.reasons = reasons;
    this.figures = [
      featureImportanceFigure(
        features.map((f) => f.feature),
        features.map((f) => f.mean),
        { std: features.map((f) => f.std), title: this.title, xTitle: `drop in ${metric}` },
      ),
    ];
  }

  measurements(): Measurements {
    return Object.fromEntries(this.features.map((f) => [`importance_${f.feature}`, f.mean]));
  }

  protected tableHtml(): string {
    return (
      htmlTable(
        ["feature", "importance", "± std", "95% CI", "used", "share"],
        this.features.map((f) => [
          f.feature,
          fmt(f.mean),
          fmt(f.std),
          `${fmt(f.lower)} – ${fmt(f.upper)}`,
          f.used ? "yes" : "not shown",
          `${Math.round(100 * f.share)}%`,
        ]),
      ) +
      `<p>baseline ${this.metric}: ${fmt(this.baseline)} · intervals from ${this.resamples} bootstrap resamples of the rows; ` +
      `tests one-sided at α = ${this.alpha}, Holm over the features</p>`
    );
  }
}

/** A bootstrap p-value: (1 + resamples as extreme as the null) / (1 + resamples). */
function bootstrapP(values: readonly number[], asExtreme: (v: number) => boolean): number {
  let count = 0;
  for (const v of values) if (asExtreme(v)) count++;
  return (1 + count) / (1 + values.length);
}

/**
 * Permutation importance (scikit-learn's `permutation_importance`): for each feature, shuffle its column
 * `repeats` times and record how much the metric gets worse. Works on any model and on tables with categorical
 * columns (their values are shuffled too).
 *
 * Each importance comes with its uncertainty: the evaluation rows are resampled (`bootstrap` times, the shuffled
 * predictions kept), and each feature's mean drop and share of the total are recomputed on every resample from each
 * row's influence as receiver and donor of shuffled values (its row loss for accuracy, mse, mae, rmse and r2, its
 * jackknife influence for any other metric). A feature is "used" when its drop is significantly above 0 (one-sided,
 * Holm over the features, family-wise `alpha`).
 * The verdict FAILs when no shuffle changed the metric at all (the model ignores its inputs, a certainty), WARNs
 * when one feature's share is significantly above `dominance` (a possible leak: a false alarm at most at `alpha`),
 * and is "untested" when no feature is significantly used (too few rows to tell) or when the metric is undefined
 * without one of the rows (ROC AUC with a single row of a class). Resamples on which R² is undefined (one target
 * value) are left out; the result's `resamples` counts the scored ones.
 * @throws Error on an unfitted model, mismatched X and y, an unknown metric, a metric that is not a finite number on
 * X or on shuffled predictions, or bad options; ValidationError on an empty or overlapping group.
 */
export function permutationImportance(
  model: Estimator,
  X: FeatureInput,
  y: TargetInput,
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const { frame, truth } = readInputs(model, X, y, "permutationImportance");
  const scorer = resolveMetric(options.metric, model);
  const alpha = options.alpha ?? 0.05;
  const repeats = options.repeats ?? 5;
  const dominance = options.dominance ?? 0.8;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`permutationImportance: alpha must be in (0, 1), got ${alpha}.`);
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`permutationImportance: repeats must be a whole number ≥ 1, got ${repeats}.`);
  if (!(dominance > 0 && dominance <= 1))
    throw new Error(`permutationImportance: dominance must be in (0, 1], got ${dominance}.`);
  const needsProba = scorer.needsProba && hasProba(model);
  const predict = (input: FeatureInput): { pred: Value[]; proba?: number[][] } => ({
    pred: model.predict(input),
    proba: needsProba && hasProba(model) ? model.predictProba(input) : undefined,
  });
  const score = (t: Value[], p: Value[], pb: number[][] | undefined): number =>
    scorePredictions(scorer, model, t, p, pb);
  const scoreAll = (p: { pred: Value[]; proba?: number[][] }): number => score(truth, p.pred, p.proba);
  const base = predict(frame.input);
  const baseline = scoreAll(base);
  if (!Number.isFinite(baseline))
    throw new Error(`permutationImportance: ${scorer.name} is ${baseline} on these rows, so no drop can be measured.`);
  const rng = new SeededRandom(options.seed ?? 0);
  const selected = options.features
    ? options.features.map((f) => frame.columnIndex(f))
    : frame.columns.map((_, j) => j);
  const units = featureUnits(frame, selected, options.groups ?? {});
  // The smallest p-value a bootstrap gives is 1/(resamples + 1) and Holm first compares it with α/features: with
  // fewer resamples than features/α no feature can be shown to matter, whatever the data (breast cancer's 30 features
  // with 500 resamples: 30/501 > 0.05).
  const resamples = options.bootstrap ?? Math.max(500, Math.ceil((2 * units.length) / alpha));
  if (!Number.isInteger(resamples) || resamples < 0)
    throw new Error(`permutationImportance: bootstrap must be a whole number ≥ 0, got ${resamples}.`);
  if (resamples > 0 && (resamples + 1) * alpha < units.length) {
    throw new Error(
      `permutationImportance: ${resamples} bootstrap resamples cannot show any of ${units.length} features to ` +
        `matter at α = ${alpha} (Holm needs p ≤ α/${units.length}, the bootstrap's smallest p is ` +
        `1/${resamples + 1}); pass bootstrap ≥ ${Math.ceil((2 * units.length) / alpha)}, fewer features, or omit bootstrap.`,
    );
  }
  // Every shuffle's predictions are kept, so the bootstrap rescored them on resampled rows without predicting again.
  // A group's columns are shuffled with one permutation, so each row keeps a coherent set of one-hot values.
  const orders: Int32Array[][] = units.map(() => []);
  const shuffled = units.map(({ columns }, k) =>
    Array.from({ length: repeats }, () => {
      const order = Int32Array.from(rng.permutation(frame.rows));
      orders[k].push(order);
      const replaced = new Map(
        columns.map((j) => {
          const values = frame.values(j);
          const column = frame.numeric[j]
            ? Float64Array.from(order, (i) => values[i] as number)
            : Array.from(order, (i) => values[i]);
          return [j, column] as const;
        }),
      );
      return predict(frame.with(replaced));
    }),
  );
  const shuffledScores = shuffled.map((reps, k) =>
    reps.map((p) => {
      const value = scoreAll(p);
      if (!Number.isFinite(value))
        throw new Error(
          `permutationImportance: ${scorer.name} is ${value} on the predictions with "${units[k].feature}" shuffled, ` +
            `so its drop cannot be measured; use a metric that is a finite number for any predictions of the model.`,
        );
      return value;
    }),
  );
  const drops = shuffledScores.map((values) => values.map((value) => degradation(scorer, baseline, value)));
  const means = drops.map((d) => d.reduce((s, v) => s + v, 0) / repeats);
  // Bootstrap over rows: each feature's drop on the resample, and its share of the total positive importance.
  const n = frame.rows;
  const boot = new SeededRandom(options.seed ?? 0, 0xb007);
  const fast = rowLossesFor(scorer, truth);
  let dropAt: (idx: Int32Array) => number[];
  let centers: number[];
  let undefinedAt: string | undefined;
  if (fast) {
    // A shuffled row's loss depends on two rows: its own and the donor of the shuffled value. Resampling rows with
    // their shuffled losses attached would miss the donor's part of the variance, so each row carries its influence
    // (the Hájek projection of the pairwise statistic): its mean shuffled loss as a receiver (a) plus as a donor (b),
    // minus its own loss (c). The bootstrap resamples these; sum_idx(a + b) − m·mean(b) stands in for the shuffled
    // loss sum, whose mean it has.
    const rowLoss = (p: { pred: Value[] }): Float64Array =>
      Float64Array.from(p.pred, (v, i) => fast.loss(truth[i] as number | string, v as number | string));
    const c = rowLoss(base);
    const influence = shuffled.map((reps, k) => {
      const ab = new Float64Array(n);
      let meanB = 0;
      reps.forEach((p, r) => {
        const losses = rowLoss(p);
        const order = orders[k][r];
        for (let i = 0; i < n; i++) {
          ab[i] += losses[i] / repeats; // as the receiver
          ab[order[i]] += losses[i] / repeats; // as the donor of row i's shuffled value
          meanB += losses[i] / repeats / n;
        }
      });
      return { ab, meanB };
    });
    dropAt = (idx) => {
      let base = 0;
      for (let t = 0; t < idx.length; t++) base += c[idx[t]];
      return influence.map(({ ab, meanB }) => {
        let sum = 0;
        for (let t = 0; t < idx.length; t++) sum += ab[idx[t]];
        return fast.drop(base, sum - idx.length * meanB, idx.length, idx);
      });
    };
    centers = dropAt(Int32Array.from({ length: n }, (_, i) => i));
  } else {
    // Other metrics (f1, ROC AUC, log loss...): each row carries its jackknife influence on the drop, as receiver and
    // as donor (importance-influence.ts); a resample's drop is the estimate plus the resampled rows' mean influence.
    // No resample can make the metric undefined; when leaving one row out does (ROC AUC with a single row of a
    // class), the uncertainty cannot be judged and nothing is tested.
    const sign = scorer.greaterIsBetter ? -1 : 1;
    const builtIn = isBuiltIn(scorer)
      ? { metric: scorer.name, classes: hasProba(model) ? model.classes : undefined }
      : undefined;
    const reference =
      resamples > 0 && n >= MIN_ROWS_FOR_IMPORTANCE_TESTS
        ? leaveOneOutInfluence(truth, base, score, baseline, builtIn)
        : undefined;
    const influence = reference
      ? shuffled.map((reps, k) =>
          shuffleInfluence(
            truth,
            reference,
            reps.map((p, r) => ({ predictions: p, order: orders[k][r], full: shuffledScores[k][r] })),
            score,
            sign,
            builtIn,
          ),
        )
      : [];
    if (resamples > 0 && n >= MIN_ROWS_FOR_IMPORTANCE_TESTS && (!reference || influence.some((d) => !d))) {
      undefinedAt = `${scorer.name} is undefined on these rows or on the rows without one of them (e.g. ROC AUC with a single row of a class)`;
    }
    dropAt = (idx) =>
      influence.map((d, k) => {
        if (!d || undefinedAt) return NaN;
        let sum = 0;
        for (let t = 0; t < idx.length; t++) sum += d[idx[t]];
        return means[k] + sum / idx.length;
      });
    centers = means;
  }
  const sharesOf = (m: readonly number[]): number[] => {
    const total = m.reduce((s, v) => s + Math.max(v, 0), 0);
    return m.map((v) => (total > 0 ? Math.max(v, 0) / total : 0));
  };
  const bootMeans = units.map(() => [] as number[]);
  const bootShares = units.map(() => [] as number[]);
  for (let b = 0; b < resamples; b++) {
    const idx = Int32Array.from({ length: n }, () => boot.int(n));
    const m = dropAt(idx);
    if (m.some((v) => !Number.isFinite(v))) continue; // R² on a resample with one target value: left out
    const sh = sharesOf(m);
    m.forEach((v, k) => {
      bootMeans[k].push(v);
      bootShares[k].push(sh[k]);
    });
  }
  // Too few rows: no claims (p = 1), the verdict is "untested" unless no shuffle changed anything.
  const scored = n >= MIN_ROWS_FOR_IMPORTANCE_TESTS ? (bootMeans[0]?.length ?? 0) : 0;
  const shares = sharesOf(means);
  const centerShares = sharesOf(centers);
  // Basic (pivotal) bootstrap p-values: the resampled statistic's deviation from the estimate stands in for the
  // estimate's deviation from the truth, so the null is rejected when θ* − θ̂ ≥ θ̂ − θ0 is rare. Unlike the percentile
  // method it gets skewed statistics (row losses with a long tail) the right way round. No resamples: p = 1.
  const usedP = holmAdjust(bootMeans.map((m, k) => (scored > 0 ? bootstrapP(m, (v) => v >= 2 * centers[k]) : 1)));
  const leakP = holmAdjust(
    bootShares.map((sh, k) => (scored > 0 ? bootstrapP(sh, (v) => v >= 2 * centerShares[k] - dominance) : 1)),
  );
  const rows = units.map(({ feature }, k): ImportanceRow => {
    const mean = means[k];
    const std = Math.sqrt(drops[k].reduce((s, d) => s + (d - mean) ** 2, 0) / repeats);
    return {
      feature,
      mean,
      std,
      drops: drops[k],
      // The basic bootstrap interval, shifted from the bootstrap statistic's center to the importance shown.
      lower: scored > 0 ? mean + centers[k] - quantile(bootMeans[k], 0.975) : NaN,
      upper: scored > 0 ? mean + centers[k] - quantile(bootMeans[k], 0.025) : NaN,
      pValue: usedP[k],
      used: usedP[k] <= alpha,
      share: shares[k],
      // Intersection–union test: a leak needs both a dominant share and a drop above 0.
      leakPValue: Math.max(leakP[k], usedP[k]),
    };
  });
  rows.sort((a, b) => b.mean - a.mean);
  return new PermutationImportanceResult(scorer.name, baseline, rows, dominance, alpha, scored, undefinedAt);
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
    if (members.length === 0)
      throw new ValidationError(
        `permutationImportance: group "${feature}" lists no columns; name its one-hot columns.`,
      );
    const columns = members.map((m) => frame.columnIndex(m));
    for (const j of columns) {
      if (grouped.has(j)) {
        throw new ValidationError(
          `permutationImportance: column "${frame.columns[j]}" is in two groups; put each column in one.`,
        );
      }
      grouped.add(j);
    }
    return { feature, columns };
  });
  const alone = selected.filter((j) => !grouped.has(j)).map((j) => ({ feature: frame.columns[j], columns: [j] }));
  return [...units, ...alone];
}
