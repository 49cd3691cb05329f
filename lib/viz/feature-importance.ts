/** Feature importance bars (tree importances or permutation importance). */
import { Figure, plotlyText } from "./figure";

/**
 * Horizontal bars of feature importances, largest on top, with optional error bars (e.g. the standard deviation of
 * permutation importance). `top` keeps the largest N.
 * @throws Error when names and importances differ in length or an importance is not finite.
 */
export function featureImportanceFigure(
  names: readonly string[],
  importances: ArrayLike<number>,
  options: { std?: ArrayLike<number>; top?: number; title?: string; xTitle?: string } = {},
): Figure {
  if (names.length !== importances.length)
    throw new Error(`${names.length} feature names but ${importances.length} importances.`);
  const rows = names.map((name, i) => {
    const v = importances[i];
    if (!Number.isFinite(v)) throw new Error(`Importance of "${name}" is ${v}: expected a finite number.`);
    return { name, value: v, std: options.std ? options.std[i] : undefined };
  });
  rows.sort((a, b) => b.value - a.value);
  const kept = rows.slice(0, options.top ?? rows.length).reverse(); // Plotly draws the first bar at the bottom.
  return new Figure({
    data: [
      {
        type: "bar",
        orientation: "h",
        name: "importance",
        x: kept.map((r) => r.value),
        y: kept.map((r) => r.name),
        ...(options.std ? { error_x: { type: "data", array: kept.map((r) => r.std ?? 0), visible: true } } : {}),
      },
    ],
    layout: {
      title: { text: plotlyText(options.title ?? "Feature importance") },
      xaxis: { title: { text: plotlyText(options.xTitle ?? "importance") } },
      // One tick label per bar: Plotly's automatic ticks skip category labels when bars are close together.
      yaxis: {
        type: "category",
        automargin: true,
        tickmode: "array",
        tickvals: kept.map((r) => r.name),
        ticktext: kept.map((r) => r.name),
      },
      height: Math.max(300, 90 + 28 * kept.length),
      showlegend: false,
    },
  });
}
