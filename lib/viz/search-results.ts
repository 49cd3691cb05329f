/** Hyperparameter search results: score against one parameter, or parallel coordinates over several. */
import { Figure, PlotlyTrace, plotlyText } from "./figure";

/** One evaluated parameter combination. */
export interface SearchResultRow {
  params: Readonly<Record<string, unknown>>;
  meanScore: number;
  stdScore?: number;
}

function isNumeric(values: unknown[]): values is number[] {
  return values.every((v) => typeof v === "number" && Number.isFinite(v));
}

/**
 * One varied parameter: mean CV score (± std) against it, best marked. Several: parallel coordinates, one axis per
 * varied parameter plus the score, lines colored by score (categorical parameters get ticks per value). Parameters
 * that never change are left out.
 * @throws Error when there are no results.
 */
export function searchResultsFigure(
  results: readonly SearchResultRow[],
  options: { metric?: string; title?: string } = {},
): Figure {
  if (results.length === 0)
    throw new Error("No search results to plot: the search evaluated no parameter combinations.");
  const metric = options.metric ?? "score";
  const names = Array.from(new Set(results.flatMap((r) => Object.keys(r.params))));
  const varied = names.filter((n) => new Set(results.map((r) => JSON.stringify(r.params[n] ?? null))).size > 1);
  const best = results.reduce((b, r, i) => (r.meanScore > results[b].meanScore ? i : b), 0);
  const title = options.title ?? `Search results (${metric})`;
  if (varied.length <= 1) {
    const name = varied[0] ?? names[0] ?? "combination";
    const raw = results.map((r, i) => (varied.length ? r.params[name] : i + 1));
    const x = isNumeric(raw) ? raw : raw.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    const order = x.map((_, i) => i);
    if (isNumeric(x)) order.sort((a, b) => (x[a] as number) - (x[b] as number));
    const traces: PlotlyTrace[] = [
      {
        type: "scatter",
        mode: "lines+markers",
        name: `mean ${metric}`,
        x: order.map((i) => x[i]),
        y: order.map((i) => results[i].meanScore),
        error_y: { type: "data", array: order.map((i) => results[i].stdScore ?? 0), visible: true },
      },
      {
        type: "scatter",
        mode: "markers",
        name: "best",
        x: [x[best]],
        y: [results[best].meanScore],
        marker: { size: 14, symbol: "star", color: "#EF553B" },
      },
    ];
    const positive = isNumeric(x) && x.every((v) => v > 0);
    const spread = positive ? Math.max(...(x as number[])) / Math.min(...(x as number[])) : 1;
    return new Figure({
      data: traces,
      layout: {
        title: { text: plotlyText(title) },
        xaxis: {
          title: { text: plotlyText(name) },
          type: isNumeric(x) ? (spread >= 100 ? "log" : "linear") : "category",
        },
        yaxis: { title: { text: plotlyText(`mean ${metric}`) } },
      },
    });
  }
  const dimensions = varied.map((name) => {
    const raw = results.map((r) => r.params[name] ?? null);
    if (isNumeric(raw)) return { label: name, values: raw };
    const cats = Array.from(new Set(raw.map((v) => JSON.stringify(v))));
    return {
      label: name,
      values: raw.map((v) => cats.indexOf(JSON.stringify(v))),
      tickvals: cats.map((_, i) => i),
      ticktext: cats.map((c) => c.replace(/^"|"$/g, "")),
    };
  });
  const scores = results.map((r) => r.meanScore);
  dimensions.push({ label: `mean ${metric}`, values: scores });
  return new Figure({
    data: [
      {
        type: "parcoords",
        name: "search results",
        line: {
          color: scores,
          colorscale: "Viridis",
          showscale: true,
          colorbar: { title: { text: plotlyText(metric) } },
        },
        dimensions,
      },
    ],
    layout: { title: { text: plotlyText(title) } },
  });
}
