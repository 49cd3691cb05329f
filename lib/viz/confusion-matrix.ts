/** Confusion matrix heatmap builder. */
import type { TargetInput } from "../core/target";
import { confusionMatrix } from "../metrics/classification";
import { readLabels, uniqueLabels } from "../metrics/labels";
import { Figure, plotlyText } from "./figure";

/** The confusion matrix's colour scale: white at 0, dark blue at the largest value. */
export const CONFUSION_COLORSCALE: [number, string][] = [
  [0, "#f7fbff"],
  [0.25, "#c6dbef"],
  [0.5, "#6baed6"],
  [0.75, "#2171b5"],
  [1, "#08306b"],
];

/** Options of {@link confusionMatrixFigure}. */
export interface ConfusionMatrixOptions {
  /** Classes in display order (default: sorted union of y_true and y_pred). */
  labels?: readonly (number | string)[];
  /** Normalize over true rows ("true": recall per class), predicted columns ("pred") or all ("all"). */
  normalize?: "true" | "pred" | "all";
  title?: string;
}

/**
 * A heatmap of the confusion matrix: rows are true classes (top to bottom), columns predicted classes, counts (or
 * normalized rates) written in the cells. The trace's `z` holds the matrix.
 * @throws as {@link confusionMatrix}.
 */
export function confusionMatrixFigure(
  yTrue: TargetInput,
  yPred: TargetInput,
  options: ConfusionMatrixOptions = {},
): Figure {
  const labels = options.labels?.slice() ?? uniqueLabels(readLabels(yTrue, "y_true"), readLabels(yPred, "y_pred"));
  const counts = confusionMatrix(yTrue, yPred, { labels });
  let z: number[][] = counts;
  if (options.normalize === "true")
    z = counts.map((row) => {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (s === 0 ? 0 : v / s));
    });
  else if (options.normalize === "pred") {
    const colSums = labels.map((_, j) => counts.reduce((a, row) => a + row[j], 0));
    z = counts.map((row) => row.map((v, j) => (colSums[j] === 0 ? 0 : v / colSums[j])));
  } else if (options.normalize === "all") {
    const total = counts.flat().reduce((a, b) => a + b, 0);
    z = counts.map((row) => row.map((v) => v / total));
  }
  const names = labels.map(String);
  return new Figure({
    data: [
      {
        type: "heatmap",
        name: "confusion matrix",
        x: names,
        y: names,
        z,
        // Light for empty cells, dark blue for the largest counts (plotly.js's named "Blues" runs the other way).
        colorscale: CONFUSION_COLORSCALE,
        zmin: 0,
        text: z.map((row, i) =>
          row.map((v, j) => (options.normalize ? `${v.toFixed(2)}<br>(${counts[i][j]})` : String(v))),
        ),
        texttemplate: "%{text}",
        hovertemplate: "true %{y}, predicted %{x}: %{text}<extra></extra>",
        customdata: counts,
      },
    ],
    layout: {
      title: {
        text: plotlyText(
          options.title ?? `Confusion matrix${options.normalize ? ` (normalized over ${options.normalize})` : ""}`,
        ),
      },
      xaxis: { title: { text: "predicted" }, type: "category", side: "bottom" },
      yaxis: { title: { text: "true" }, type: "category", autorange: "reversed" },
    },
  });
}
