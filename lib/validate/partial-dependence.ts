/**
 * Partial dependence: the average prediction as one feature sweeps a grid, with a bootstrap over the rows it
 * averages, so that "the model ignores this feature" (a flat curve) is a tested claim, not a point estimate.
 */
import type { FeatureInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import { Frame, ValidationResult, Value, Verdict, checkModel, fmt, hasProba, htmlTable } from "./common";
import { SeededRandom, quantile, quantileSorted, sampleStdOrZero } from "./stats";

/**
 * Fewest rows for a flat claim: on fewer, the bootstrap-t bound of a skewed average is too often too low (on real
 * tables, a feature exactly at `flatEffect` was called flat on up to 10% of 40-row samples at α = 0.05, 2.5–4.5%
 * from 100 rows).
 */
export const MIN_ROWS_FOR_FLAT = 100;

/** Options of {@link partialDependence}. */
export interface PartialDependenceOptions {
  /** Grid points per feature (default 20); features with fewer distinct values use those values. */
  gridResolution?: number;
  /** The grid spans these quantiles of the feature (default [0.05, 0.95]). */
  percentiles?: [number, number];
  /** An explicit grid per feature name (overrides gridResolution and percentiles for that feature). */
  grids?: Record<string, number[]>;
  /**
   * The largest effect (max − min of the curve) still called flat. Default: 0.01 for classifiers (one point of
   * probability), and 1% of the standard deviation of the model's predictions on X for regressors.
   */
  flatEffect?: number;
  /**
   * Family-wise false-alarm rate of the "flat" claims (default 0.05, Bonferroni over the features): a feature whose
   * true effect is at least `flatEffect` is called flat at most this often.
   */
  alpha?: number;
  /** Bootstrap resamples of the rows averaged (default 500; 0 makes no flat claim). */
  bootstrap?: number;
  seed?: number;
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
  /** Bootstrap-t (over the rows) 95% interval of the effect. */
  lower: number;
  upper: number;
  /** The effect's one-sided upper confidence bound at 1 − α/(number of features): the flat claim's test. */
  upperBound: number;
  /** True when the effect is shown to be below `flatEffect`: the model ignores this feature. */
  flat: boolean;
}

/** Partial dependence curves, with the flatness test. */
export class PartialDependenceResult extends ValidationResult {
  readonly title = "Partial dependence";
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly curves: PartialDependenceCurve[],
    /** The largest effect called flat. */
    readonly flatEffect = 1e-9,
    /** Family-wise false-alarm rate of the flat claims. */
    readonly alpha = 0.05,
    /** Bootstrap resamples of the rows. */
    readonly resamples = 0,
    /** Rows averaged. */
    readonly rows = MIN_ROWS_FOR_FLAT,
  ) {
    super();
    const flat = curves.filter((c) => c.flat);
    const tested = resamples > 0 && rows >= MIN_ROWS_FOR_FLAT;
    this.verdict = flat.length ? "warn" : tested ? "pass" : "untested";
    this.reasons = [
      ...curves.map(
        (c) =>
          `${c.feature}: moves the average prediction by ${fmt(c.effect)} (95% CI ${fmt(c.lower)}–${fmt(c.upper)}) over [${fmt(c.grid[0])}, ${fmt(c.grid[c.grid.length - 1])}].`,
      ),
      ...(flat.length
        ? [
            `The model ignores ${flat.map((c) => c.feature).join(", ")}: the effect is below ${fmt(flatEffect)} with confidence (upper bound ${flat.map((c) => fmt(c.upperBound)).join(", ")}; α = ${alpha}, Bonferroni over ${curves.length} features).`,
          ]
        : []),
      ...(tested
        ? []
        : [
            `Flatness not tested: ${resamples > 0 ? `${rows} rows, fewer than the ${MIN_ROWS_FOR_FLAT} a reliable bound needs` : "no bootstrap resamples"}.`,
          ]),
    ];
    this.figures = curves.map(
      (c) =>
        new Figure({
          data: c.average.map((a) => ({
            type: "scatter",
            mode: "lines+markers",
            name: a.name,
            x: c.grid,
            y: a.values,
          })),
          layout: {
            title: { text: `Partial dependence on ${c.feature}` },
            xaxis: { title: { text: c.feature } },
            yaxis: {
              title: {
                text:
                  c.average.length > 1 || c.average[0].name !== "prediction"
                    ? "average probability"
                    : "average prediction",
              },
            },
          },
        }),
    );
  }

  measurements(): Measurements {
    return Object.fromEntries(this.curves.map((c) => [`pd_effect_${c.feature}`, c.effect]));
  }

  protected tableHtml(): string {
    return (
      htmlTable(
        ["feature", "grid", "effect (max − min)", "95% CI", "flat"],
        this.curves.map((c) => [
          c.feature,
          `${c.grid.length} points, ${fmt(c.grid[0])} … ${fmt(c.grid[c.grid.length - 1])}`,
          fmt(c.effect),
          `${fmt(c.lower)} – ${fmt(c.upper)}`,
          c.flat ? "yes" : "no",
        ]),
      ) +
      `<p>flat: effect below ${fmt(this.flatEffect)} with confidence (${this.resamples} bootstrap resamples of the rows, α = ${this.alpha})</p>`
    );
  }
}

/** The largest max − min over the curves, and where: curve `c`, grid points `hi` (max) and `lo` (min). */
function effectOf(curves: Float64Array[]): { effect: number; c: number; hi: number; lo: number } {
  let best = { effect: 0, c: 0, hi: 0, lo: 0 };
  curves.forEach((curve, c) => {
    let lo = 0;
    let hi = 0;
    for (let g = 1; g < curve.length; g++) {
      if (curve[g] < curve[lo]) lo = g;
      if (curve[g] > curve[hi]) hi = g;
    }
    if (curve[hi] - curve[lo] > best.effect) best = { effect: curve[hi] - curve[lo], c, hi, lo };
  });
  return best;
}

/**
 * Partial dependence ("brute" method, as scikit-learn's): for each grid value of a feature, set that feature to the
 * value in every row and average the model's predictions (class probabilities for classifiers).
 *
 * The rows averaged are a sample, so each curve's effect (max − min) gets a bootstrap interval over the rows. A
 * feature is called flat (the model ignores it; verdict WARN) only when the effect's upper confidence bound is below
 * `flatEffect`: a feature with a real effect of at least `flatEffect` is called flat at most at `alpha` (family-wise).
 * On fewer than {@link MIN_ROWS_FOR_FLAT} rows nothing is called flat and the verdict is "untested". When no row
 * moves at all, the bound is the share of rows that could move unseen, times the most a row can move (1 for
 * probabilities; for regressors the spread of the predictions, an assumption: a regressor that moves only rows unlike
 * any in X can still be called flat).
 * @throws Error on an unknown or non-numeric feature, an unfitted model or bad options.
 */
export function partialDependence(
  model: Estimator,
  X: FeatureInput,
  features: string | number | (string | number)[],
  options: PartialDependenceOptions = {},
): PartialDependenceResult {
  checkModel(model, "partialDependence");
  const frame = Frame.from(X);
  const list = Array.isArray(features) ? features : [features];
  if (list.length === 0) throw new Error("partialDependence: name at least one feature.");
  const resolution = options.gridResolution ?? 20;
  const [lo, hi] = options.percentiles ?? [0.05, 0.95];
  const alpha = options.alpha ?? 0.05;
  const resamples = options.bootstrap ?? 500;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`partialDependence: alpha must be in (0, 1), got ${alpha}.`);
  if (!Number.isInteger(resamples) || resamples < 0)
    throw new Error(`partialDependence: bootstrap must be a whole number ≥ 0, got ${resamples}.`);
  if (model.kind === "classifier" && !hasProba(model))
    throw new Error(`partialDependence: classifier "${model.name}" has no predictProba.`);
  const classes: readonly Value[] | undefined = hasProba(model) ? model.classes : undefined;
  let flatEffect = options.flatEffect;
  if (flatEffect === undefined)
    flatEffect = classes ? 0.01 : 0.01 * sampleStdOrZero(model.predict(frame.input) as number[]);
  if (!(flatEffect >= 0)) throw new Error(`partialDependence: flatEffect must be ≥ 0, got ${flatEffect}.`);
  const boot = new SeededRandom(options.seed ?? 0, 0x9d);
  const n = frame.rows;
  const samples = Array.from({ length: resamples }, () => Int32Array.from({ length: n }, () => boot.int(n)));
  const curves = list.map((f): PartialDependenceCurve => {
    const j = frame.columnIndex(f);
    if (!frame.numeric[j]) throw new Error(`partialDependence: feature "${frame.columns[j]}" is not numeric.`);
    const values = Array.from(frame.numbers(j)).filter(Number.isFinite);
    const distinct = Array.from(new Set(values)).sort((a, b) => a - b);
    let grid: number[];
    const given = options.grids?.[frame.columns[j]];
    if (given) {
      if (given.length < 2 || !given.every(Number.isFinite))
        throw new Error(`partialDependence: grids["${frame.columns[j]}"] needs at least two finite values.`);
      grid = given.slice();
    } else if (distinct.length <= resolution) grid = distinct;
    else {
      const a = quantile(values, lo);
      const b = quantile(values, hi);
      if (a === b)
        throw new Error(
          `partialDependence: the ${lo} and ${hi} quantiles of "${frame.columns[j]}" are equal; widen percentiles.`,
        );
      grid = Array.from({ length: resolution }, (_, k) => a + ((b - a) * k) / (resolution - 1));
    }
    const outputs = classes ? classes.length : 1;
    // perRow[c][g] holds every row's prediction (class c's probability) with the feature set to grid[g].
    const perRow = Array.from({ length: outputs }, () => grid.map(() => new Float64Array(n)));
    grid.forEach((v, g) => {
      const input = frame.with(new Map([[j, new Float64Array(n).fill(v)]]));
      if (hasProba(model)) {
        const proba = model.predictProba(input);
        for (let c = 0; c < outputs; c++) for (let i = 0; i < n; i++) perRow[c][g][i] = proba[i][c];
      } else {
        const pred = model.predict(input) as number[];
        for (let i = 0; i < n; i++) perRow[0][g][i] = pred[i];
      }
    });
    const averages = (idx: ArrayLike<number> | null): Float64Array[] =>
      perRow.map((byGrid) =>
        Float64Array.from(byGrid, (rowsAt) => {
          let s = 0;
          if (idx === null) for (let i = 0; i < n; i++) s += rowsAt[i];
          else for (let i = 0; i < idx.length; i++) s += rowsAt[idx[i]];
          return s / (idx === null ? n : idx.length);
        }),
      );
    const full = averages(null);
    const at = effectOf(full);
    const effect = at.effect;
    // The effect is an average over rows of a row-level difference (the prediction at the curve's highest grid point
    // minus at its lowest), often skewed: most rows saturated, a few moving a lot. A sample that misses the few
    // underestimates both the effect and its spread, so the percentile bootstrap's upper bound is too low. The
    // bootstrap-t fixes that: each resample's deviation is studentized by its own standard error.
    const seOf = (pick: { c: number; hi: number; lo: number }, idx: ArrayLike<number> | null): number => {
      const m = idx === null ? n : idx.length;
      if (m < 2) return 0;
      const up = perRow[pick.c][pick.hi];
      const down = perRow[pick.c][pick.lo];
      let s1 = 0;
      let s2 = 0;
      for (let t = 0; t < m; t++) {
        const i = idx === null ? t : idx[t];
        const d = up[i] - down[i];
        s1 += d;
        s2 += d * d;
      }
      return Math.sqrt(Math.max(0, (s2 - (s1 * s1) / m) / (m - 1)) / m);
    };
    const se = seOf(at, null);
    const studentized: number[] = [];
    const bootEffects: number[] = [];
    for (const idx of samples) {
      const b = effectOf(averages(idx));
      bootEffects.push(b.effect);
      const seB = seOf(b, idx);
      // A resample without spread (it missed the few rows that move) deviates by ±∞ standard errors: dropping it
      // would cut the lower tail of t* and make the upper bound too low exactly where the effect is concentrated.
      if (seB > 0) studentized.push((b.effect - effect) / seB);
      else studentized.push(b.effect === effect ? 0 : b.effect > effect ? Infinity : -Infinity);
    }
    studentized.sort((a, b) => a - b);
    // The q-quantile of t*; next to an infinite resample, the more extreme neighbour (interpolating ∞ gives NaN).
    const tQuantile = (q: number): number => {
      const pos = (studentized.length - 1) * q;
      const [a, b] = [studentized[Math.floor(pos)], studentized[Math.ceil(pos)]];
      return Number.isFinite(a) && Number.isFinite(b) ? quantileSorted(studentized, q) : q < 0.5 ? a : b;
    };
    // Upper bound at level 1 − q: θ̂ − t*_q · se (t*_q the q-quantile of the studentized resamples).
    // No row of the sample moved at all: the bootstrap has nothing to resample, yet a feature that moves a share p of
    // the rows goes unseen with probability (1 − p)^n. The exact one-sided bound of that share, 1 − q^(1/n), times the
    // most a row can move (1 for probabilities; for regressors the spread of the predictions on the grid) bounds the
    // effect. Without it a feature moving 1% of the rows by 10 was called flat on 67 of 200 100-row samples.
    let spread = 1;
    if (!classes) {
      let [min, max] = [Infinity, -Infinity];
      for (const rowsAt of perRow[0]) for (const v of rowsAt) [min, max] = [Math.min(min, v), Math.max(max, v)];
      spread = max - min;
    }
    const unseen = (q: number): number => (q < 0.5 ? (1 - q ** (1 / n)) * spread : 0);
    const bound = (q: number): number =>
      se > 0 && studentized.length > 0 ? Math.max(0, effect - tQuantile(q) * se) : effect === 0 ? unseen(q) : effect;
    const upperBound = resamples > 0 ? bound(alpha / list.length) : NaN;
    const average = classes
      ? classes.map((c, k) => ({ name: String(c), values: Array.from(full[k]) }))
      : [{ name: "prediction", values: Array.from(full[0]) }];
    return {
      feature: frame.columns[j],
      grid,
      average,
      effect,
      lower: resamples > 0 ? bound(0.975) : NaN,
      upper: resamples > 0 ? bound(0.025) : NaN,
      upperBound,
      flat: resamples > 0 && n >= MIN_ROWS_FOR_FLAT && (upperBound < (flatEffect as number) || upperBound === 0),
    };
  });
  return new PartialDependenceResult(curves, flatEffect, alpha, resamples, n);
}
