/**
 * calibration: do the predicted probabilities mean what they say? Reliability curve, Brier score and expected
 * calibration error (ECE).
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { brierScore, calibrationCurve, CalibrationCurve } from "../evaluate/calibration";
import { calibrationFigure } from "../viz/calibration-curve";
import type { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import { Frame, ValidationResult, Value, Verdict, checkModel, fmt, hasProba, htmlTable, readTarget } from "./common";

/** Options of {@link calibration}. */
export interface CalibrationOptions {
  /** Bins of the reliability curve and ECE (default 10). */
  bins?: number;
  /** "uniform" (default) or "quantile" bins. */
  strategy?: "uniform" | "quantile";
  /** ECE at or below this passes (default 0.05); above `failEce` fails (default 0.15). */
  passEce?: number;
  failEce?: number;
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
  ) {
    super();
    this.title = `Calibration of ${model}`;
    this.verdict = ece <= passEce ? "pass" : ece <= failEce ? "warn" : "fail";
    const over = curve.probPred.reduce((s, p, b) => s + (p - curve.probTrue[b]) * curve.counts[b], 0);
    this.reasons = [
      `ECE ${fmt(ece)} (${curveOf}; pass ≤ ${passEce}, fail > ${failEce}), Brier score ${fmt(brier)}.`,
      this.verdict === "pass"
        ? "Predicted probabilities match observed frequencies."
        : `The model is ${over > 0 ? "over" : "under"}-confident: consider calibrating it (Platt scaling or isotonic regression) on a validation split.`,
    ];
    this.figures = figures;
  }

  measurements(): Measurements {
    return { brier: this.brier, ece: this.ece };
  }

  protected tableHtml(): string {
    return htmlTable(
      ["bin", "mean predicted", "observed", "samples"],
      this.curve.probPred.map((p, b) => [String(b + 1), fmt(p), fmt(this.curve.probTrue[b]), String(this.curve.counts[b])]),
    );
  }
}

function eceOf(curve: CalibrationCurve): number {
  const n = curve.counts.reduce((s, c) => s + c, 0);
  return curve.counts.reduce((s, c, b) => s + (c / n) * Math.abs(curve.probTrue[b] - curve.probPred[b]), 0);
}

/**
 * Checks a classifier's probabilities against outcomes. Binary: the positive class's reliability curve (the greater
 * label), Brier score and ECE, as scikit-learn's calibration_curve / brier_score_loss. Multiclass: top-label
 * confidence against correctness for the curve and ECE, and the multiclass Brier score; the figure shows every class.
 * @throws Error for models without predictProba, or labels the model does not know.
 */
export function calibration(model: Estimator, X: FeatureInput, y: TargetInput, options: CalibrationOptions = {}): CalibrationResult {
  checkModel(model, "calibration");
  if (!hasProba(model)) throw new Error(`calibration: "${model.name}" gives no probabilities (predictProba); calibration applies to probabilistic classifiers.`);
  const frame = Frame.from(X);
  const truth = readTarget(y, frame.rows, "calibration");
  const classes = model.classes;
  const known = new Set<Value>(classes);
  truth.forEach((t, i) => {
    if (!known.has(t)) throw new Error(`calibration: y[${i}] = ${JSON.stringify(t)} is not one of the model's classes (${classes.join(", ")}).`);
  });
  const proba = model.predictProba(frame.input).map((row) => row.map((p) => Math.min(1, Math.max(0, p))));
  const nBins = options.bins ?? 10;
  const strategy = options.strategy ?? "uniform";
  const binary = classes.length === 2;
  let brier: number;
  let curve: CalibrationCurve;
  let curveOf: string;
  if (binary) {
    const positive = classes[1];
    const p = proba.map((r) => r[1]);
    const isPos = truth.map((t) => (t === positive ? 1 : 0));
    brier = brierScore(isPos, p, { posLabel: 1 });
    curve = calibrationCurve(isPos, p, { nBins, strategy, posLabel: 1 });
    curveOf = `positive class ${String(positive)}`;
  } else {
    brier = classes.reduce((s: number, c, k) => s + brierScore(truth.map((t) => (t === c ? 1 : 0)), proba.map((r) => r[k]), { posLabel: 1 }), 0);
    const top = proba.map((r) => r.reduce((best, v, k) => (v > r[best] ? k : best), 0));
    const correct = truth.map((t, i) => (classes[top[i]] === t ? 1 : 0));
    curve = calibrationCurve(correct, proba.map((r, i) => r[top[i]]), { nBins, strategy, posLabel: 1 });
    curveOf = "top-label confidence";
  }
  const figure = calibrationFigure(truth as number[], proba, { classes: classes.slice(), nBins, strategy, title: `Reliability curve (${model.name})` });
  return new CalibrationResult(model.name, brier, eceOf(curve), curve, curveOf, options.passEce ?? 0.05, options.failEce ?? 0.15, [figure]);
}
