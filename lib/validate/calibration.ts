/**
 * calibration: do the predicted probabilities mean what they say? Reliability curve, Brier score and expected
 * calibration error (ECE).
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { brierScore, calibrationCurve, CalibrationCurve } from "../metrics/calibration";
import { calibrationFigure } from "../viz/calibration-curve";
import type { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import { Frame, ValidationResult, Value, Verdict, checkModel, fmt, hasProba, htmlTable, readTarget } from "./common";
import { SeededRandom, quantileSorted } from "./stats";

/** Options of {@link calibration}. */
export interface CalibrationOptions {
  /** Bins of the reliability curve and ECE (default 10). */
  bins?: number;
  /** "uniform" (default) or "quantile" bins. */
  strategy?: "uniform" | "quantile";
  /** A significant miscalibration with ECE at or below this passes (default 0.05); above `failEce` fails (default 0.15), in between warns. */
  passEce?: number;
  failEce?: number;
  /**
   * Significance level (default 0.05): a perfectly calibrated model is called miscalibrated (WARN/FAIL) at most this
   * often. The ECE is compared with its distribution when outcomes are drawn from the model's own probabilities
   * (consistency resampling), so small test sets, whose ECE is large by chance, do not raise false alarms.
   */
  alpha?: number;
  /** Outcome draws of that test (default 1000). */
  resamples?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
}

/** Reliability of a classifier's probabilities. */
export class CalibrationResult extends ValidationResult {
  readonly title: string;
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly model: string,
    /** Brier score: binary, of the positive class (scikit-learn's brier_score_loss); multiclass, Σ over classes of the one-vs-rest scores. */
    readonly brier: number,
    /** Expected calibration error: Σ_bins (n_b / n)·|observed − predicted|. Binary: positive class; multiclass: top-label confidence. */
    readonly ece: number,
    /** The reliability curve the ECE is computed on. */
    readonly curve: CalibrationCurve,
    /** What the curve is about: the positive class, or "top-label confidence". */
    readonly curveOf: string,
    passEce: number,
    failEce: number,
    figures: Figure[],
    /** How likely an ECE this large is from a perfectly calibrated model on this many rows (consistency resampling). */
    readonly pValue: number = 0,
    /** The significance level of the verdict. */
    readonly alpha: number = 0.05,
  ) {
    super();
    this.title = `Calibration of ${model}`;
    const significant = pValue < alpha;
    this.verdict = !significant || ece <= passEce ? "pass" : ece <= failEce ? "warn" : "fail";
    const over = curve.probPred.reduce((s, p, b) => s + (p - curve.probTrue[b]) * curve.counts[b], 0);
    const rows = curve.counts.reduce((a, b) => a + b, 0);
    this.reasons = [
      `ECE ${fmt(ece)} (${curveOf}; pass ≤ ${passEce}, fail > ${failEce}), Brier score ${fmt(brier)}; ` +
        `a calibrated model shows an ECE this large on ${rows} rows with p ≈ ${fmt(pValue)} (α = ${alpha}).`,
      this.verdict === "pass"
        ? significant || ece <= passEce
          ? "Predicted probabilities match observed frequencies."
          : `The ECE is within what sampling noise gives a calibrated model on ${rows} rows: no evidence of miscalibration (more rows would tell more).`
        : `The model is ${over > 0 ? "over" : "under"}-confident: consider calibrating it (Platt scaling or isotonic regression) on a validation split.`,
    ];
    this.figures = figures;
  }

  measurements(): Measurements {
    return { brier: this.brier, ece: this.ece, ece_p_value: this.pValue };
  }

  protected tableHtml(): string {
    return htmlTable(
      ["bin", "mean predicted", "observed", "samples"],
      this.curve.probPred.map((p, b) => [
        String(b + 1),
        fmt(p),
        fmt(this.curve.probTrue[b]),
        String(this.curve.counts[b]),
      ]),
    );
  }
}

/**
 * p-value of an ECE under perfect calibration: outcomes are drawn as Bernoulli(p_i) from the model's own
 * probabilities `resamples` times, each draw's ECE computed over the same bins (uniform on [0, 1], or the quantile
 * bins of p); (1 + #{ECE* ≥ ECE}) / (1 + resamples).
 */
function consistencyPValue(
  p: readonly number[],
  outcome: readonly number[],
  nBins: number,
  strategy: "uniform" | "quantile",
  resamples: number,
  seed: number,
): number {
  const n = p.length;
  let edges: number[];
  if (strategy === "quantile") {
    const sorted = Float64Array.from(p).sort();
    edges = Array.from({ length: nBins - 1 }, (_, b) => quantileSorted(sorted, (b + 1) / nBins));
  } else edges = Array.from({ length: nBins - 1 }, (_, b) => (b + 1) / nBins);
  const bin = Int32Array.from(p, (v) => {
    let k = 0;
    while (k < edges.length && v > edges[k]) k++;
    return k;
  });
  const count = new Float64Array(nBins);
  const sumP = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    count[bin[i]]++;
    sumP[bin[i]] += p[i];
  }
  const ece = (y: ArrayLike<number>): number => {
    const pos = new Float64Array(nBins);
    for (let i = 0; i < n; i++) pos[bin[i]] += y[i];
    let total = 0;
    for (let b = 0; b < nBins; b++) if (count[b] > 0) total += Math.abs(pos[b] - sumP[b]) / n;
    return total;
  };
  const observed = ece(outcome);
  const rng = new SeededRandom(seed);
  const draw = new Float64Array(n);
  let asLarge = 0;
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draw[i] = rng.next() < p[i] ? 1 : 0;
    if (ece(draw) >= observed - 1e-12) asLarge++;
  }
  return (1 + asLarge) / (1 + resamples);
}

function eceOf(curve: CalibrationCurve): number {
  const n = curve.counts.reduce((s, c) => s + c, 0);
  return curve.counts.reduce((s, c, b) => s + (c / n) * Math.abs(curve.probTrue[b] - curve.probPred[b]), 0);
}

/**
 * Checks a classifier's probabilities against outcomes. Binary: the positive class's reliability curve (the greater
 * label), Brier score and ECE, as scikit-learn's calibration_curve / brier_score_loss. Multiclass: top-label
 * confidence against correctness for the curve and ECE, and the multiclass Brier score; the figure shows every class.
 * The verdict flags miscalibration only when it is significant at `alpha` (the ECE is larger than a perfectly
 * calibrated model gives on this many rows, by consistency resampling) and the ECE exceeds `passEce`.
 * @throws Error for models without predictProba, or labels the model does not know.
 */
export function calibration(
  model: Estimator,
  X: FeatureInput,
  y: TargetInput,
  options: CalibrationOptions = {},
): CalibrationResult {
  checkModel(model, "calibration");
  if (!hasProba(model))
    throw new Error(
      `calibration: "${model.name}" gives no probabilities (predictProba); calibration applies to probabilistic classifiers.`,
    );
  const frame = Frame.from(X);
  const truth = readTarget(y, frame.rows, "calibration", model.kind);
  const classes = model.classes;
  const known = new Set<Value>(classes);
  truth.forEach((t, i) => {
    if (!known.has(t))
      throw new Error(
        `calibration: y[${i}] = ${JSON.stringify(t)} is not one of the model's classes (${classes.join(", ")}).`,
      );
  });
  const proba = model.predictProba(frame.input).map((row) => row.map((p) => Math.min(1, Math.max(0, p))));
  const nBins = options.bins ?? 10;
  const strategy = options.strategy ?? "uniform";
  const binary = classes.length === 2;
  let brier: number;
  let curve: CalibrationCurve;
  let curveOf: string;
  let tested: { p: number[]; outcome: number[] };
  if (binary) {
    const positive = classes[1];
    const p = proba.map((r) => r[1]);
    const isPos = truth.map((t) => (t === positive ? 1 : 0));
    brier = brierScore(isPos, p, { posLabel: 1 });
    curve = calibrationCurve(isPos, p, { nBins, strategy, posLabel: 1 });
    curveOf = `positive class ${String(positive)}`;
    tested = { p, outcome: isPos };
  } else {
    brier = classes.reduce(
      (s: number, c, k) =>
        s +
        brierScore(
          truth.map((t) => (t === c ? 1 : 0)),
          proba.map((r) => r[k]),
          { posLabel: 1 },
        ),
      0,
    );
    const top = proba.map((r) => r.reduce((best, v, k) => (v > r[best] ? k : best), 0));
    const correct = truth.map((t, i) => (classes[top[i]] === t ? 1 : 0));
    const confidence = proba.map((r, i) => r[top[i]]);
    curve = calibrationCurve(correct, confidence, { nBins, strategy, posLabel: 1 });
    curveOf = "top-label confidence";
    tested = { p: confidence, outcome: correct };
  }
  const figure = calibrationFigure(truth as number[], proba, {
    classes: classes.slice(),
    nBins,
    strategy,
    title: `Reliability curve (${model.name})`,
  });
  const alpha = options.alpha ?? 0.05;
  const pValue = consistencyPValue(
    tested.p,
    tested.outcome,
    nBins,
    strategy,
    options.resamples ?? 1000,
    options.seed ?? 0,
  );
  return new CalibrationResult(
    model.name,
    brier,
    eceOf(curve),
    curve,
    curveOf,
    options.passEce ?? 0.05,
    options.failEce ?? 0.15,
    [figure],
    pValue,
    alpha,
  );
}
