/**
 * robustness: how the metric holds up under Gaussian noise, missing values (imputed) and out-of-range values.
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import {
  Frame,
  MetricInput,
  ValidationResult,
  Value,
  Verdict,
  columnMeans,
  columnStds,
  degradation,
  fmt,
  hasProba,
  htmlTable,
  readInputs,
  resolveMetric,
  scorePredictions,
  verdictCell,
  worstVerdict,
} from "./common";
import { SeededRandom } from "./stats";
import { mean } from "../core/stats";
import { toTargetArray } from "../data/matrix";
import { compareLabels } from "../metrics/labels";
import type { Scorer } from "../evaluate/scoring";
import { MetricInterval, bootstrapInterval, formatInterval, wilsonInterval } from "../evaluate/intervals";

/** Something that fills missing values: a fitted imputer (or Pipeline step) with `transform`. */
export interface Imputer {
  transform(X: FeatureInput): FeatureInput;
}

/** Options of {@link robustness}. */
export interface RobustnessOptions {
  metric?: MetricInput;
  /** Noise levels, in standard deviations of each feature (default [0.05, 0.1, 0.25, 0.5, 1]). */
  noiseLevels?: number[];
  /** Shares of cells made missing (default [0.05, 0.1, 0.25]). */
  missingRates?: number[];
  /** Training features: their means impute missing values and their spreads scale the noise (default: X's own). */
  trainX?: FeatureInput;
  /** Training targets, to fit the majority-class / mean baseline every condition is compared with (default: y). */
  trainY?: TargetInput;
  /** Fills the injected missing values instead of the training means (e.g. your fitted SimpleImputer). */
  imputer?: Imputer;
  /** Run the out-of-range (edge case) checks (default true). */
  outOfRange?: boolean;
  /** Noisy copies per level, averaged (default 3). */
  repeats?: number;
  seed?: number;
  /**
   * A metric drop above this at noise ≤ 0.1σ or 10% missing warns, above twice this fails (default 0.05). Heavier
   * perturbations and out-of-range values warn when the model falls to the trivial baseline's level.
   */
  tolerance?: number;
  /** Features to perturb (default: every numeric feature). */
  features?: (string | number)[];
}

/** One perturbed condition. */
export interface RobustnessRow {
  kind: "clean" | "noise" | "missing" | "out-of-range";
  /** e.g. "noise 0.1σ", "10% missing", "bill_length_mm = max + 3·range". */
  condition: string;
  level: number;
  value: number;
  /** How much worse than clean (positive = worse). */
  drop: number;
  /** Rows whose prediction was invalid (NaN, unknown class) or an error message when predict threw. */
  invalid: number;
  error?: string;
  /**
   * What the value means: "unaffected" (inside the clean score's 95% interval), "degraded" (below it, still above
   * the baseline), "at baseline" (no better than the majority-class / mean baseline, within the clean score's
   * uncertainty), or "crashed".
   */
  effect: "clean" | "unaffected" | "degraded" | "at baseline" | "crashed";
  verdict: Verdict;
}

/** The metric under perturbations. */
export class RobustnessResult extends ValidationResult {
  readonly title: string;
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly metric: string,
    readonly clean: number,
    readonly rows: RobustnessRow[],
    tolerance: number,
    /** The clean score's 95% interval (Wilson for accuracy, bootstrap otherwise), or null. */
    readonly cleanInterval: MetricInterval | null = null,
    /** The majority-class (or mean) baseline's score on the same rows. */
    readonly baseline: number = NaN,
  ) {
    super();
    this.title = `Robustness of ${metric} to noise, missing and out-of-range values`;
    this.verdict = worstVerdict(rows.map((r) => r.verdict));
    const reasons: string[] = [];
    const atBaseline = rows.filter((r) => r.effect === "at baseline");
    if (atBaseline.length) {
      reasons.push(
        `No better than the trivial baseline (${metric} ${fmt(baseline)}) under: ${atBaseline.map((r) => `${r.condition} (${fmt(r.value)})`).join("; ")}.`,
      );
    }
    const crashed = rows.filter((r) => r.error || r.invalid > 0);
    if (crashed.length)
      reasons.push(
        `The model failed on ${crashed.length} condition(s): ${crashed.map((r) => `${r.condition}${r.error ? ` (${r.error})` : ` (${r.invalid} invalid predictions)`}`).join("; ")}.`,
      );
    const judged = rows.filter(
      (r) => (r.kind === "noise" && r.level <= 0.1) || (r.kind === "missing" && r.level <= 0.1),
    );
    const worst = judged.reduce<RobustnessRow | undefined>((w, r) => (!w || r.drop > w.drop ? r : w), undefined);
    if (worst) {
      reasons.push(
        worst.drop > tolerance + 1e-9
          ? `Under ${worst.condition} ${metric} drops by ${fmt(worst.drop)} (tolerance ${tolerance}): small perturbations change the predictions.`
          : `At mild perturbations (≤ 0.1σ noise, ≤ 10% missing) ${metric} drops by at most ${fmt(Math.max(0, worst.drop))} (tolerance ${tolerance}).`,
      );
    }
    const heavy = rows.filter((r) => r.kind === "noise").slice(-1)[0];
    if (heavy) reasons.push(`At ${heavy.condition}: ${metric} ${fmt(heavy.value)} (clean ${fmt(clean)}).`);
    this.reasons = reasons;
    const line = (kind: RobustnessRow["kind"], name: string, scale: number): Record<string, unknown> => {
      const pts = rows.filter((r) => r.kind === kind);
      return {
        type: "scatter",
        mode: "lines+markers",
        name,
        x: [0, ...pts.map((r) => r.level * scale)],
        y: [clean, ...pts.map((r) => r.value)],
      };
    };
    this.figures = [
      new Figure({
        data: [
          line("noise", "Gaussian noise (σ of each feature)", 1),
          line("missing", "missing values (share of cells)", 1),
        ],
        layout: {
          title: { text: `${metric} under perturbation` },
          xaxis: { title: { text: "noise level (σ) / missing share" } },
          yaxis: { title: { text: metric } },
        },
      }),
    ];
  }

  measurements(): Measurements {
    const drop = (kind: string, level: number): number | undefined =>
      this.rows.find((r) => r.kind === kind && Math.abs(r.level - level) < 1e-12)?.drop;
    return { noise_drop_0_1: drop("noise", 0.1), missing_drop_0_1: drop("missing", 0.1), clean: this.clean };
  }

  protected tableHtml(): string {
    return (
      htmlTable(
        ["condition", this.metric, "drop", "invalid", "effect", "verdict"],
        this.rows.map((r) => [
          r.condition,
          fmt(r.value),
          fmt(r.drop),
          r.error ? `error: ${r.error}` : String(r.invalid),
          r.effect,
          verdictCell(r.verdict),
        ]),
      ) +
      `<p>clean ${this.metric} ${fmt(this.clean)}${this.cleanInterval ? ` (95% CI ${formatInterval(this.cleanInterval)})` : ""} · trivial baseline ${fmt(this.baseline)}</p>`
    );
  }
}

/**
 * Measures a fitted model's metric on perturbed copies of X: Gaussian noise of several sizes (in units of each
 * feature's standard deviation), injected missing values (imputed with the training means or `imputer`), and
 * out-of-range values per feature (min − 3·range, max + 3·range) plus all-zero rows. Prediction errors and
 * invalid outputs are caught and reported as failures. Every condition is compared with the clean score's 95%
 * interval and with the majority-class (or mean) baseline: mild perturbations (≤ 0.1σ noise, ≤ 10% missing) warn or
 * fail on drops beyond `tolerance` or at the baseline's level; heavier ones and out-of-range values warn when the
 * model falls to the baseline's level (within the clean score's uncertainty), and otherwise pass as "degraded".
 * @throws Error on an unfitted model, mismatched X and y, or no numeric feature to perturb.
 */
export function robustness(
  model: Estimator,
  X: FeatureInput,
  y: TargetInput,
  options: RobustnessOptions = {},
): RobustnessResult {
  const { frame, truth } = readInputs(model, X, y, "robustness");
  const scorer = resolveMetric(options.metric, model);
  const reference = options.trainX ? Frame.from(options.trainX) : frame;
  // Training statistics are matched to X's columns by name (tables) or by position (matrices).
  const refIndex = frame.columns.map((name, j) => {
    const k = reference.columns.indexOf(name);
    if (k >= 0) return k;
    if (reference.columns.length === frame.columns.length) return j;
    throw new Error(`robustness: feature "${name}" of X is not in trainX (columns: ${reference.columns.join(", ")}).`);
  });
  const features = options.features ? options.features.map((f) => frame.columnIndex(f)) : frame.numericColumns();
  if (features.length === 0) throw new Error("robustness: X has no numeric feature to perturb.");
  const refMeans = columnMeans(reference);
  const refStds = columnStds(reference);
  const means = new Map(frame.columns.map((_, j) => [j, refMeans.get(refIndex[j]) ?? 0]));
  const stds = new Map(frame.columns.map((_, j) => [j, refStds.get(refIndex[j]) ?? 0]));
  const rng = new SeededRandom(options.seed ?? 0);
  const repeats = options.repeats ?? 3;
  const tolerance = options.tolerance ?? 0.05;
  const classes = hasProba(model) ? new Set<Value>(model.classes) : undefined;

  const evaluate = (input: FeatureInput): { value: number; invalid: number; error?: string } => {
    try {
      const pred = model.predict(input);
      const proba = scorer.needsProba && hasProba(model) ? model.predictProba(input) : undefined;
      const invalid = pred.filter(
        (p) => (typeof p === "number" && !Number.isFinite(p)) || (classes !== undefined && !classes.has(p)),
      ).length;
      if (invalid > 0) return { value: NaN, invalid };
      return { value: scorePredictions(scorer, model, truth, pred, proba), invalid: 0 };
    } catch (err) {
      return { value: NaN, invalid: frame.rows, error: (err as Error).message.split("\n")[0].slice(0, 200) };
    }
  };
  const clean = evaluate(frame.input);
  if (clean.error) throw new Error(`robustness: the model fails on the clean data: ${clean.error}`);
  // The clean score's uncertainty and the trivial baseline give each condition's value a meaning.
  const cleanPred = model.predict(frame.input);
  const cleanProba = scorer.needsProba && hasProba(model) ? model.predictProba(frame.input) : undefined;
  const cleanInterval =
    scorer.name === "accuracy" && typeof options.metric !== "function"
      ? wilsonInterval(
          truth.reduce((c: number, t, i) => c + (cleanPred[i] === t ? 1 : 0), 0),
          frame.rows,
        )
      : frame.rows >= 2
        ? bootstrapInterval(
            frame.rows,
            (idx) =>
              scorePredictions(
                scorer,
                model,
                Array.from(idx, (i) => truth[i]),
                Array.from(idx, (i) => cleanPred[i]),
                cleanProba ? Array.from(idx, (i) => cleanProba[i]) : undefined,
              ),
            { resamples: 500, seed: options.seed ?? 0 },
          )
        : null;
  const baseline = baselineScore(model, scorer, truth, options.trainY);
  // Half the clean interval's width: how far apart two scores on these rows can be from sampling alone.
  const slack = cleanInterval ? (cleanInterval.upper - cleanInterval.lower) / 2 : 0;
  const effectOf = (value: number, r: { invalid: number; error?: string }): RobustnessRow["effect"] => {
    if (r.error || r.invalid > 0) return "crashed";
    if (Number.isFinite(baseline) && degradation(scorer, baseline, value) >= -slack) return "at baseline";
    if (cleanInterval && (scorer.greaterIsBetter ? value >= cleanInterval.lower : value <= cleanInterval.upper))
      return "unaffected";
    return degradation(scorer, clean.value, value) <= 0 ? "unaffected" : "degraded";
  };
  const rows: RobustnessRow[] = [
    {
      kind: "clean",
      condition: "clean data",
      level: 0,
      value: clean.value,
      drop: 0,
      invalid: clean.invalid,
      effect: "clean",
      verdict: "pass",
    },
  ];
  const judge = (
    kind: RobustnessRow["kind"],
    level: number,
    r: { value: number; invalid: number; error?: string },
    effect: RobustnessRow["effect"],
  ): Verdict => {
    if (effect === "crashed") return "fail";
    if ((kind === "noise" || kind === "missing") && level <= 0.1) {
      const drop = degradation(scorer, clean.value, r.value);
      // A hair of slack so a drop of exactly the tolerance (0.9 − 0.85 in floating point) passes.
      return drop > 2 * tolerance + 1e-9
        ? "fail"
        : drop > tolerance + 1e-9 || effect === "at baseline"
          ? "warn"
          : "pass";
    }
    return effect === "at baseline" ? "warn" : "pass";
  };
  const push = (
    kind: RobustnessRow["kind"],
    condition: string,
    level: number,
    results: { value: number; invalid: number; error?: string }[],
  ): void => {
    const failed = results.find((r) => r.error || r.invalid > 0);
    const merged = failed ?? { value: mean(results.map((r) => r.value)), invalid: 0 };
    const effect = effectOf(merged.value, merged);
    rows.push({
      kind,
      condition,
      level,
      value: merged.value,
      drop: degradation(scorer, clean.value, merged.value),
      invalid: merged.invalid,
      error: merged.error,
      effect,
      verdict: judge(kind, level, merged, effect),
    });
  };

  for (const level of options.noiseLevels ?? [0.05, 0.1, 0.25, 0.5, 1]) {
    const results = Array.from({ length: repeats }, () => {
      const rep = new Map<number, Float64Array>();
      for (const j of features) {
        const col = frame.numbers(j);
        const sd = (stds.get(j) ?? 0) * level;
        rep.set(
          j,
          col.map((v) => (Number.isFinite(v) ? v + sd * rng.normal() : v)),
        );
      }
      return evaluate(frame.with(rep));
    });
    push("noise", `noise ${level}σ`, level, results);
  }

  for (const rate of options.missingRates ?? [0.05, 0.1, 0.25]) {
    const results = Array.from({ length: repeats }, () => {
      const rep = new Map<number, Float64Array>();
      for (const j of features)
        rep.set(
          j,
          frame.numbers(j).map((v) => (rng.next() < rate ? NaN : v)),
        );
      if (options.imputer) {
        try {
          return evaluate(options.imputer.transform(frame.with(rep)));
        } catch (err) {
          return { value: NaN, invalid: frame.rows, error: `imputer: ${(err as Error).message.split("\n")[0]}` };
        }
      }
      for (const [j, col] of rep)
        rep.set(
          j,
          col.map((v) => (Number.isNaN(v) ? (means.get(j) as number) : v)),
        );
      return evaluate(frame.with(rep));
    });
    push(
      "missing",
      `${Math.round(rate * 100)}% missing (${options.imputer ? "imputer" : options.trainX ? "training means" : "column means"})`,
      rate,
      results,
    );
  }

  if (options.outOfRange ?? true) {
    for (const j of features) {
      const col = reference.numbers(refIndex[j]).filter(Number.isFinite);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of col) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const range = hi - lo || Math.abs(hi) || 1;
      for (const [label, value] of [
        [`min − 3·range`, lo - 3 * range],
        [`max + 3·range`, hi + 3 * range],
      ] as const) {
        const rep = new Map<number, Float64Array>([[j, new Float64Array(frame.rows).fill(value)]]);
        push("out-of-range", `${frame.columns[j]} = ${label} (${fmt(value)})`, 0, [evaluate(frame.with(rep))]);
      }
    }
    const zeros = new Map<number, Float64Array>(features.map((j) => [j, new Float64Array(frame.rows)]));
    push("out-of-range", "every numeric feature = 0", 0, [evaluate(frame.with(zeros))]);
  }
  return new RobustnessResult(scorer.name, clean.value, rows, tolerance, cleanInterval, baseline);
}

/**
 * The majority-class (classifier) or mean (regressor) baseline's score on the rows, fitted on trainY or the truth,
 * as lib/evaluate's MajorityClassifier / MeanRegressor predict (ties go to the smallest class); NaN when the metric
 * cannot score it.
 */
function baselineScore(model: Estimator, scorer: Scorer, truth: Value[], trainY: TargetInput | undefined): number {
  const targets = trainY !== undefined ? toTargetArray(trainY) : truth;
  try {
    if (model.kind === "classifier") {
      const counts = new Map<Value, number>();
      for (const t of targets) counts.set(t, (counts.get(t) ?? 0) + 1);
      const classes = Array.from(counts.keys()).sort(compareLabels);
      let best = classes[0];
      for (const c of classes) if ((counts.get(c) as number) > (counts.get(best) as number)) best = c;
      const prior = hasProba(model) ? model.classes.map((c) => (counts.get(c) ?? 0) / targets.length) : undefined;
      return scorePredictions(
        scorer,
        model,
        truth,
        truth.map(() => best),
        prior ? truth.map(() => prior.slice()) : undefined,
      );
    }
    const average = mean(targets as number[]);
    return scorePredictions(
      scorer,
      model,
      truth,
      truth.map(() => average),
    );
  } catch {
    return NaN;
  }
}
