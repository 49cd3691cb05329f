/** Calibration (reliability) curve builder. */
import type { TargetInput } from "../core/target";
import { calibrationCurve } from "../metrics/calibration";
import { readLabels, uniqueLabels } from "../metrics/labels";
import type { ScoreInput } from "../metrics/ranking";
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { PALETTE } from "./data";

/**
 * Reliability diagram: per class (one-vs-rest; binary: the positive class), the observed fraction of positives
 * against the mean predicted probability in each bin, with the perfectly calibrated diagonal. Marker size grows with
 * the number of samples in the bin (in `customdata`).
 * @throws Error on mismatched inputs or probabilities outside [0, 1].
 */
export function calibrationFigure(
  yTrue: TargetInput,
  yProba: ScoreInput,
  options: {
    classes?: readonly (number | string)[];
    posLabel?: number | string;
    nBins?: number;
    strategy?: "uniform" | "quantile";
    title?: string;
  } = {},
): Figure {
  const t = readLabels(yTrue, "y_true");
  const classes = options.classes?.slice() ?? uniqueLabels(t);
  const first = (yProba as ArrayLike<unknown>)[0];
  let curves: { label: number | string; prob: number[] }[];
  if (typeof first === "number")
    curves = [
      { label: options.posLabel ?? classes[classes.length - 1], prob: Array.from(yProba as ArrayLike<number>) },
    ];
  else {
    const rows = yProba as readonly (readonly number[])[];
    if (rows[0].length !== classes.length)
      throw new Error(
        `The probabilities have ${rows[0].length} columns but there are ${classes.length} classes: pass classes.`,
      );
    const which = classes.length === 2 ? [1] : classes.map((_, j) => j);
    curves = which.map((j) => ({ label: classes[j], prob: rows.map((r) => r[j]) }));
  }
  const traces: PlotlyTrace[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "perfectly calibrated",
      x: [0, 1],
      y: [0, 1],
      line: { dash: "dot", color: "#888" },
    },
  ];
  curves.forEach((c, i) => {
    const curve = calibrationCurve(
      t.map((v) => (v === c.label ? 1 : 0)),
      c.prob,
      { nBins: options.nBins ?? 10, strategy: options.strategy },
    );
    const max = Math.max(...curve.counts);
    traces.push({
      type: "scatter",
      mode: "lines+markers",
      name: String(c.label),
      x: curve.probPred,
      y: curve.probTrue,
      customdata: curve.counts,
      marker: { size: curve.counts.map((n) => 6 + 10 * Math.sqrt(n / max)), color: PALETTE[i % PALETTE.length] },
      line: { color: PALETTE[i % PALETTE.length] },
      hovertemplate: "predicted %{x:.2f}, observed %{y:.2f} (%{customdata} samples)<extra></extra>",
    });
  });
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? "Calibration curve") },
      xaxis: { title: { text: "mean predicted probability" }, range: [0, 1] },
      yaxis: { title: { text: "fraction of positives" }, range: [0, 1.02] },
    },
  });
}
