/** Residuals-versus-predicted builder for regression models. */
import type { TargetInput } from "../core/target";
import { readNumbers } from "../metrics/labels";
import { Figure, plotlyText } from "./figure";

/**
 * Residuals (true − predicted) against predicted values, with the zero line. A good model scatters evenly around it;
 * curves or funnels show missed structure or heteroscedasticity. The title carries RMSE and MAE.
 * @throws Error on empty, mismatched or non-finite inputs.
 */
export function residualsFigure(
  yTrue: TargetInput,
  yPred: TargetInput | ArrayLike<number>,
  options: { title?: string } = {},
): Figure {
  const t = readNumbers(yTrue, "y_true");
  const p = readNumbers(yPred, "y_pred");
  if (t.length !== p.length) throw new Error(`y_true has ${t.length} samples but y_pred has ${p.length}.`);
  const residuals = t.map((v, i) => v - p[i]);
  const rmse = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / t.length);
  const mae = residuals.reduce((s, r) => s + Math.abs(r), 0) / t.length;
  const lo = Math.min(...p);
  const hi = Math.max(...p);
  return new Figure({
    data: [
      { type: "scatter", mode: "markers", name: "residual", x: p, y: residuals, marker: { size: 6, opacity: 0.7 } },
      { type: "scatter", mode: "lines", name: "zero", x: [lo, hi], y: [0, 0], line: { dash: "dash", color: "#888" } },
    ],
    layout: {
      title: {
        text: plotlyText(
          options.title ?? `Residuals vs predicted (RMSE ${rmse.toPrecision(4)}, MAE ${mae.toPrecision(4)})`,
        ),
      },
      xaxis: { title: { text: "predicted" } },
      yaxis: { title: { text: "residual (true − predicted)" }, zeroline: true },
      showlegend: false,
    },
  });
}
