/** ROC and precision-recall curve builders: one curve per class (one-vs-rest), the area in the legend. */
import type { TargetInput } from "../core/target";
import { readLabels, uniqueLabels } from "../metrics/labels";
import { ScoreInput, averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from "../metrics/ranking";
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { PALETTE } from "./data";

/** Options of {@link rocCurveFigure} and {@link precisionRecallFigure}. */
export interface CurveOptions {
  /** The classes of the probability columns, in column order (a classifier's `classes`). Default: sorted y_true classes. */
  classes?: readonly (number | string)[];
  /** Binary scores (one number per sample): the positive class. Default: the greater class. */
  posLabel?: number | string;
  title?: string;
}

interface OneCurve {
  label: number | string;
  truth: boolean[];
  score: number[];
}

/** Splits scores into one binary problem per class (binary: the positive class only). */
function perClass(yTrue: TargetInput, yScore: ScoreInput, options: CurveOptions): OneCurve[] {
  const t = readLabels(yTrue, "y_true");
  if (yScore.length !== t.length)
    throw new Error(`y_true has ${t.length} samples but the scores have ${yScore.length}.`);
  const first = (yScore as ArrayLike<unknown>)[0];
  const classes = options.classes?.slice() ?? uniqueLabels(t);
  if (classes.length < 2)
    throw new Error(
      `y_true holds a single class (${JSON.stringify(classes[0])}): a curve needs positives and negatives.`,
    );
  if (typeof first === "number") {
    const pos = options.posLabel ?? classes[classes.length - 1];
    return [{ label: pos, truth: t.map((v) => v === pos), score: Array.from(yScore as ArrayLike<number>) }];
  }
  const rows = yScore as readonly (readonly number[])[];
  if (rows[0].length !== classes.length) {
    throw new Error(
      `The scores have ${rows[0].length} columns but there are ${classes.length} classes ${JSON.stringify(classes)}: pass classes (the model's classes).`,
    );
  }
  const which = classes.length === 2 ? [1] : classes.map((_, j) => j);
  return which.map((j) => ({ label: classes[j], truth: t.map((v) => v === classes[j]), score: rows.map((r) => r[j]) }));
}

/**
 * ROC curves, one per class (one-vs-rest; binary: the positive class), each named "class (AUC = 0.93)", with the
 * chance diagonal. The title carries the macro one-vs-rest AUC for multiclass scores.
 * @throws Error on mismatched inputs or a class without both positives and negatives.
 */
export function rocCurveFigure(yTrue: TargetInput, yScore: ScoreInput, options: CurveOptions = {}): Figure {
  const curves = perClass(yTrue, yScore, options);
  const traces: PlotlyTrace[] = curves.map((c, i) => {
    const truth = c.truth.map((b) => (b ? 1 : 0));
    if (!c.truth.some((b) => b) || c.truth.every((b) => b)) {
      throw new Error(
        `Class ${JSON.stringify(c.label)} has ${c.truth.some((b) => b) ? "no negatives" : "no samples"} in y_true: a ROC curve needs both (use stratified splits).`,
      );
    }
    const r = rocCurve(truth, c.score);
    const area = rocAuc(truth, c.score);
    return {
      type: "scatter",
      mode: "lines",
      name: `${c.label} (AUC = ${area.toFixed(3)})`,
      x: r.fpr,
      y: r.tpr,
      line: { color: PALETTE[i % PALETTE.length], shape: "linear" },
      customdata: r.thresholds,
      hovertemplate: "FPR %{x:.3f}, TPR %{y:.3f}, threshold %{customdata:.3f}<extra></extra>",
      meta: { auc: area, class: c.label },
    };
  });
  traces.push({
    type: "scatter",
    mode: "lines",
    name: "chance (AUC = 0.5)",
    x: [0, 1],
    y: [0, 1],
    line: { dash: "dot", color: "#888" },
  });
  const macro =
    curves.length > 1
      ? ` (macro AUC = ${(traces.slice(0, -1).reduce((s, t) => s + (t.meta as { auc: number }).auc, 0) / curves.length).toFixed(3)})`
      : "";
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? `ROC curve${curves.length > 1 ? "s, one-vs-rest" : ""}${macro}`) },
      xaxis: { title: { text: "false positive rate" }, range: [0, 1] },
      yaxis: { title: { text: "true positive rate" }, range: [0, 1.02] },
      legend: { x: 0.98, xanchor: "right", y: 0.02, yanchor: "bottom" },
    },
  });
}

/**
 * Precision-recall curves, one per class (one-vs-rest; binary: the positive class), each named "class (AP = 0.91)",
 * drawn as steps, with each class's prevalence (the no-skill line) for binary problems.
 * @throws Error on mismatched inputs.
 */
export function precisionRecallFigure(yTrue: TargetInput, yScore: ScoreInput, options: CurveOptions = {}): Figure {
  const curves = perClass(yTrue, yScore, options);
  const traces: PlotlyTrace[] = curves.map((c, i) => {
    const truth = c.truth.map((b) => (b ? 1 : 0));
    const r = precisionRecallCurve(truth, c.score);
    const ap = averagePrecision(truth, c.score);
    return {
      type: "scatter",
      mode: "lines",
      name: `${c.label} (AP = ${ap.toFixed(3)})`,
      x: r.recall,
      y: r.precision,
      line: { color: PALETTE[i % PALETTE.length], shape: "vh" },
      meta: { averagePrecision: ap, class: c.label },
    };
  });
  if (curves.length === 1) {
    const prevalence = curves[0].truth.filter((b) => b).length / curves[0].truth.length;
    traces.push({
      type: "scatter",
      mode: "lines",
      name: `no skill (${prevalence.toFixed(2)})`,
      x: [0, 1],
      y: [prevalence, prevalence],
      line: { dash: "dot", color: "#888" },
    });
  }
  return new Figure({
    data: traces,
    layout: {
      title: {
        text: plotlyText(options.title ?? `Precision-recall curve${curves.length > 1 ? "s, one-vs-rest" : ""}`),
      },
      xaxis: { title: { text: "recall" }, range: [0, 1] },
      yaxis: { title: { text: "precision" }, range: [0, 1.02] },
      legend: { x: 0.02, xanchor: "left", y: 0.02, yanchor: "bottom" },
    },
  });
}
