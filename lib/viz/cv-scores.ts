/** Box plots of cross-validation scores per model. */
import { Figure, PlotlyTrace, plotlyText } from "./figure";
import { PALETTE } from "./data";

/**
 * One box per model of its per-fold scores (all points shown), for one metric. Baselines (names listed in
 * `baselines`) are drawn in grey, so a model that does not beat them stands out.
 * @throws Error when there are no models or a model has no scores.
 */
export function cvScoresFigure(
  scores: Readonly<Record<string, readonly number[]>>,
  options: { metric?: string; baselines?: readonly string[]; title?: string } = {},
): Figure {
  const names = Object.keys(scores);
  if (names.length === 0) throw new Error("No cross-validation scores to plot.");
  const traces: PlotlyTrace[] = names.map((name, i) => {
    const s = scores[name];
    if (s.length === 0) throw new Error(`Model "${name}" has no fold scores.`);
    const baseline = options.baselines?.includes(name) ?? false;
    return {
      type: "box",
      name,
      y: s.slice(),
      boxpoints: "all",
      jitter: 0.3,
      pointpos: 0,
      boxmean: true,
      marker: { color: baseline ? "#999999" : PALETTE[i % PALETTE.length] },
    };
  });
  const metric = options.metric ?? "score";
  return new Figure({
    data: traces,
    layout: {
      title: { text: plotlyText(options.title ?? `Cross-validation ${metric} per model`) },
      yaxis: { title: { text: plotlyText(metric) } },
      showlegend: false,
    },
  });
}
