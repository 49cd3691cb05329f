/**
 * Every chart trainlab displays carries `application/vnd.plotly.v1+json` beside its HTML fallback, composites too
 * (a table and its charts become one Plotly figure with subplots), so JupyterLab's plotly renderer and VS Code show
 * them. The combined figures are checked on their spec (every trace on axes that exist, each part in its own cell)
 * and drawn in Chromium.
 */
import { strict as assert } from "assert";
import { loadDataset } from "../../lib/datasets";
import { profile } from "../../lib/data/profile";
import { toMatrix } from "../../lib/data/matrix";
import { DISPLAY, MimeBundle } from "../../lib/display";
import { crossValidate } from "../../lib/evaluate/cross-validate";
import { evaluateModel } from "../../lib/evaluate/evaluate-model";
import { DecisionTreeClassifier } from "../../lib/models/trees";
import { History } from "../../lib/train/history";
import {
  Figure,
  FigureSpec,
  PLOTLY_MIME,
  PlotlyTrace,
  combineFigures,
  histogram,
  plotlyJsPacked,
  plotlyScriptTag,
  resetPlotlyInlining,
  scatter,
} from "../../lib/viz";
import { FigureImageRenderer } from "../../lib/report/static-images";

const penguins = loadDataset("penguins");
const iris = loadDataset("iris");

/** Checks that every cartesian trace refers to axes the layout defines, and returns the axis names used. */
function checkAxes(spec: FigureSpec): Set<string> {
  const used = new Set<string>();
  for (const t of spec.data) {
    if (["table", "parcoords", "pie"].includes(String(t.type))) continue;
    for (const [key, letter] of [
      ["xaxis", "x"],
      ["yaxis", "y"],
    ] as const) {
      const ref = String(t[key] ?? letter);
      const layoutKey = `${letter}axis${ref.slice(1)}`;
      assert.ok(layoutKey in spec.layout, `trace "${t.name}" uses ${ref}, which the layout defines (${layoutKey})`);
      used.add(ref);
    }
  }
  return used;
}

/** Draws a figure in Chromium and counts the drawn traces by layer. */
async function drawn(
  renderer: FigureImageRenderer,
  spec: FigureSpec,
): Promise<{ traces: number; tables: number; subplots: number }> {
  return renderer.plotlyPage.evaluate(
    async (s) => {
      const P = (
        window as unknown as {
          Plotly: { newPlot(el: HTMLElement, d: unknown, l: unknown): Promise<unknown>; purge(el: HTMLElement): void };
        }
      ).Plotly;
      const el = document.createElement("div");
      document.body.appendChild(el);
      await P.newPlot(el, s.data, { ...s.layout, width: 900 });
      const out = {
        traces: el.querySelectorAll(".scatterlayer .trace, .barlayer .trace, .boxlayer .trace, .heatmaplayer .hm")
          .length,
        tables: el.querySelectorAll(".table .table-control-view").length,
        subplots: el.querySelectorAll(".cartesianlayer .subplot").length,
      };
      P.purge(el);
      el.remove();
      return out;
    },
    JSON.parse(JSON.stringify(spec)) as FigureSpec,
  );
}

describe("every figure carries the plotly mimetype, composites as one figure with subplots", function () {
  this.timeout(120000);
  let renderer: FigureImageRenderer;
  before(async () => {
    renderer = await FigureImageRenderer.launch();
  });
  after(async () => renderer?.close());

  it("a figure's bundle: Plotly JSON and HTML; plotly.js (packed, about 2 MB) travels with the first figure of the process only", () => {
    resetPlotlyInlining();
    const first = histogram(penguins, { x: "body_mass_g" })[DISPLAY]();
    const second = scatter(penguins, { x: "beak_length_mm", y: "flipper_length_mm" })[DISPLAY]();
    for (const b of [first, second]) {
      assert.ok(b[PLOTLY_MIME], "Plotly JSON");
      assert.match(String(b["text/html"]), /class="trainlab-plot"/);
    }
    assert.ok(String(first["text/html"]).includes("data-trainlab-plotly"));
    assert.ok(!String(second["text/html"]).includes("data-trainlab-plotly"));
    assert.ok(plotlyScriptTag().length < 2_100_000, `the packed plotly.js is ${plotlyScriptTag().length} bytes`);
    assert.ok(String(first["text/html"]).length < plotlyJsPacked().length + 200_000);
  });

  it("profile(): the summary table and every histogram and bar chart in one figure", async () => {
    const p = profile(penguins, { target: "species" });
    const bundle: MimeBundle = p[DISPLAY]();
    assert.match(String(bundle["text/html"]), /<table>/);
    const spec = bundle[PLOTLY_MIME] as FigureSpec;
    assert.ok(spec, "the profile carries Plotly JSON");
    const charts = p.charts();
    const tables = spec.data.filter((t) => t.type === "table");
    assert.equal(tables.length, 1, "the summary table");
    assert.equal((tables[0].cells as { values: string[][] }).values[0].length, p.columns.length, "one row per column");
    assert.equal(
      spec.data.length - tables.length,
      charts.reduce((a, f) => a + f.data.length, 0),
      "every chart's traces",
    );
    const used = checkAxes(spec);
    assert.equal(used.size, 2 * charts.length, "each chart on its own pair of axes");
    const texts = ((spec.layout.annotations ?? []) as { text: string }[]).map((a) => a.text);
    for (const f of charts) assert.ok(texts.includes(`<b>${f.title}</b>`), `subplot title ${f.title}`);
    const d = await drawn(renderer, spec);
    assert.equal(d.subplots, charts.length);
    assert.equal(d.traces, charts.length);
    assert.equal(d.tables, 1);
  });

  it("crossValidate and evaluateModel results: their tables as Plotly tables, their charts as subplots, drawn", async () => {
    const features = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
    const X = toMatrix(iris, features);
    const y = iris.array("species") as string[];
    const cv = await crossValidate({ tree: new DecisionTreeClassifier({ maxDepth: 3 }) }, X, y, {
      folds: 3,
      seed: 1,
      progress: false,
    } as never);
    const cvSpec = cv[DISPLAY]()[PLOTLY_MIME] as FigureSpec;
    assert.ok(cvSpec);
    assert.equal(cvSpec.data.filter((t) => t.type === "table").length, 1);
    checkAxes(cvSpec);
    const cvDrawn = await drawn(renderer, cvSpec);
    assert.equal(cvDrawn.tables, 1);
    assert.ok(cvDrawn.traces >= 2, "a box per model and the baseline");

    const model = await new DecisionTreeClassifier({ maxDepth: 3 }).fit(X, y);
    const evaluation = await evaluateModel(model, X, y);
    const bundle = evaluation[DISPLAY]();
    const spec = bundle[PLOTLY_MIME] as FigureSpec;
    assert.ok(spec, "the evaluation carries Plotly JSON");
    const figureTraces = evaluation.figures.reduce((a, f) => a + f.data.length, 0);
    assert.equal(spec.data.filter((t) => t.type !== "table").length, figureTraces);
    checkAxes(spec);
    const d = await drawn(renderer, spec);
    assert.ok(d.tables >= 1);
    assert.equal(d.subplots >= evaluation.figures.length, true);
  });

  it("combineFigures keeps overlaying axes (the training chart's right axis) and heatmap colour bars beside their cell", () => {
    const h = new History();
    h.epochs = [1, 2, 3];
    h.metrics = { loss: [1, 0.6, 0.5], acc: [0.5, 0.7, 0.8] };
    const a = h.plot();
    const b = new Figure({
      data: [
        {
          type: "heatmap",
          z: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
      layout: { title: { text: "heat" } },
    });
    const combined = combineFigures([a, b, { title: "numbers", columns: ["k", "v"], rows: [["a", "1"]] }], {
      title: "all",
    });
    const spec = combined.toJSON();
    const used = checkAxes(spec);
    assert.deepEqual([...used].sort(), ["x", "x2", "y", "y2", "y3"]);
    const acc = spec.data.find((t) => t.name === "acc") as PlotlyTrace;
    const overlay = spec.layout[`yaxis${String(acc.yaxis).slice(1)}`] as { overlaying: string; side: string };
    assert.equal(overlay.overlaying, "y");
    assert.equal(overlay.side, "right");
    const heat = spec.data.find((t) => t.type === "heatmap") as { colorbar: { y: number; len: number }; yaxis: string };
    const cell = (spec.layout[`yaxis${heat.yaxis.slice(1)}`] as { domain: [number, number] }).domain;
    assert.ok(
      Math.abs(heat.colorbar.y - (cell[0] + cell[1]) / 2) < 1e-9 &&
        Math.abs(heat.colorbar.len - (cell[1] - cell[0])) < 1e-9,
    );
    const table = spec.data.find((t) => t.type === "table") as { domain: { y: [number, number] } };
    assert.ok(table.domain.y[1] <= cell[0], "parts stack top to bottom without overlapping");
    assert.throws(() => combineFigures([]), /no charts or tables/);
  });
});
