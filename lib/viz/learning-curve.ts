/** Learning curve builder: training and validation scores against training-set size. */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { PALETTE } from "./data";
import { mean, std } from "../core/stats";

/** Scores per training size: `trainScores[i]` holds one score per fold at `trainSizes[i]`. */
export interface LearningCurveData {
  trainSizes: readonly number[];
  trainScores: readonly (readonly number[])[];
  validationScores: readonly (readonly number[])[];
  /** The metric's name, for the axis. */
  metric?: string;
}

/**
 * Mean training and validation score against the number of training samples, each with a ±1 std band over folds.
 * A gap that stays wide means overfitting (more data helps); two low curves that meet mean underfitting.
 * @throws Error when the arrays differ in length.
 */
export function learningCurveFigure(data: LearningCurveData, options: { title?: string } = {}): Figure {
  const n = data.trainSizes.length;
  if (data.trainScores.length !== n || data.validationScores.length !== n) {
    throw new Error(
      `trainSizes has ${n} entries but trainScores ${data.trainScores.length} and validationScores ${data.validationScores.length}.`,
    );
  }
  const x = data.trainSizes.slice();
  const traces: PlotlyTrace[] = [];
  (
    [
      ["training", data.trainScores],
      ["validation", data.validationScores],
    ] as const
  ).forEach(([name, scores], k) => {
    const means = scores.map((s) => mean(s));
    const stds = scores.map((s) => std(s, 0));
    const color = PALETTE[k];
    traces.push({
      type: "scatter",
      mode: "lines",
      x: [...x, ...x.slice().reverse()],
      y: [...means.map((m, i) => m + stds[i]), ...means.map((m, i) => m - stds[i]).reverse()],
      fill: "toself",
      fillcolor: k === 0 ? "rgba(99,110,250,0.15)" : "rgba(239,85,59,0.15)",
      line: { width: 0 },
      hoverinfo: "skip",
      showlegend: false,
      name: `${name} ±1 std`,
    });
    traces.push({
      type: "scatter",
      mode: "lines+markers",
      name: `${name} score`,
      x,
      y: means,
      line: { color },
      error_y: { type: "data", array: stds, visible: false },
    });
  });
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? "Learning curve") },
      xaxis: { title: { text: "training samples" } },
      yaxis: { title: { text: plotlyText(data.metric ?? "score") } },
    },
  });
}
