/**
 * The chart defects of issue 14, each checked on the figure's spec (axis types, bar widths, label counts, colour
 * scale direction) and, where only the drawing shows it, on what plotly.js drew in Chromium (tick labels).
 */
import { strict as assert } from "assert";
import { loadDataset } from "../../lib/datasets";
import { profile } from "../../lib/data/profile";
import { History } from "../../lib/train/history";
import { fmt } from "../../lib/validate/common";
import { DISPLAY } from "../../lib/display";
import {
  CONFUSION_COLORSCALE,
  Figure,
  binnedHistogram,
  confusionMatrixFigure,
  featureImportanceFigure,
} from "../../lib/viz";
import { FigureImageRenderer } from "../../lib/report/static-images";

const penguins = loadDataset("penguins");

/** Relative luminance of a #rrggbb colour (0 black, 1 white). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Draws a figure in Chromium and returns the text of the tick labels of each axis (`x`, `y`, `y2`...). */
async function drawnTicks(renderer: FigureImageRenderer, fig: Figure): Promise<Record<string, string[]>> {
  return renderer.plotlyPage.evaluate(
    async (spec) => {
      const P = (
        window as unknown as {
          Plotly: { newPlot(el: HTMLElement, d: unknown, l: unknown): Promise<unknown>; purge(el: HTMLElement): void };
        }
      ).Plotly;
      const el = document.createElement("div");
      document.body.appendChild(el);
      await P.newPlot(el, spec.data, { ...spec.layout, width: 760 });
      const out: Record<string, string[]> = {};
      for (const t of Array.from(el.querySelectorAll("g[class*='tick']"))) {
        const cls = Array.from(t.classList).find((c) => /^[xy]\d*tick$/.test(c));
        if (!cls || !t.querySelector("text")) continue;
        (out[cls.replace("tick", "")] ??= []).push(t.textContent ?? "");
      }
      P.purge(el);
      el.remove();
      return out;
    },
    JSON.parse(JSON.stringify(fig.toJSON())),
  );
}

describe("chart specs (issue 14: the defects a reader saw)", function () {
  this.timeout(120000);
  let renderer: FigureImageRenderer;
  before(async () => {
    renderer = await FigureImageRenderer.launch();
  });
  after(async () => {
    await renderer?.close();
  });

  it("profile() histograms: a linear x axis, one bar per bin exactly as wide as the bin, round tick labels", async () => {
    const p = profile(penguins);
    for (const name of ["body_mass_g", "beak_depth_mm"]) {
      const fig = p.charts().find((f) => f.title.startsWith(`Histogram of ${name}`));
      assert.ok(fig, `a histogram of ${name}`);
      const { edges, counts } = p.column(name).histogram!;
      const layout = fig.layout as { xaxis: { type: string; range: number[] }; bargap: number };
      assert.equal(layout.xaxis.type, "linear", `${name}: numbers on a linear axis, not categories`);
      assert.equal(layout.bargap, 0);
      assert.deepEqual(layout.xaxis.range, [edges[0], edges[edges.length - 1]]);
      const trace = fig.data[0] as { x: number[]; y: number[]; width: number[] };
      assert.equal(trace.x.length, counts.length);
      assert.deepEqual(trace.y, counts);
      trace.x.forEach((center, k) => {
        assert.ok(
          Math.abs(trace.width[k] - (edges[k + 1] - edges[k])) < 1e-9,
          `${name}: bar ${k} is as wide as its bin`,
        );
        assert.ok(
          Math.abs(center - trace.width[k] / 2 - edges[k]) < 1e-9,
          `${name}: bar ${k} starts at its bin's left edge`,
        );
      });
      const ticks = await drawnTicks(renderer, fig);
      assert.ok(ticks.x.length >= 3 && ticks.x.length <= 12, `${name}: ${ticks.x.length} x tick labels`);
      for (const label of ticks.x)
        assert.match(
          label.replace(/[,\u2212]/g, ""),
          /^-?\d+(\.\d{1,2})?k?$/,
          `${name}: round tick label, got ${label}`,
        );
    }
  });

  it("binnedHistogram refuses edges that do not match the counts", () => {
    assert.throws(() => binnedHistogram([0, 1], [1, 2]), /2 edges for 2 bins/);
    assert.throws(() => binnedHistogram([0, 1, 1], [1, 2]), /finite and increasing/);
  });

  it("confusion matrix: empty cells light, the largest counts dark blue, scale from 0", () => {
    const fig = confusionMatrixFigure(["a", "a", "a", "b", "b", "c"], ["a", "a", "b", "b", "b", "c"]);
    const trace = fig.data[0] as { colorscale: [number, string][]; zmin: number; reversescale?: boolean };
    assert.deepEqual(trace.colorscale, CONFUSION_COLORSCALE);
    assert.equal(trace.zmin, 0);
    assert.notEqual(trace.reversescale, true);
    const lum = trace.colorscale.map(([, c]) => luminance(c));
    assert.ok(lum[0] > 0.9, "0 is near white");
    for (let i = 1; i < lum.length; i++) assert.ok(lum[i] < lum[i - 1], "darker as counts grow");
    assert.ok(lum[lum.length - 1] < 0.25, "the largest count is dark");
  });

  it("permutation importance: every one of 9 bars has its label, in the spec and as drawn", async () => {
    const names = [
      "beak_length_mm",
      "beak_depth_mm",
      "flipper_length_mm",
      "body_mass_g",
      "island_Biscoe",
      "island_Dream",
      "island_Torgersen",
      "sex_female",
      "sex_male",
    ];
    const fig = featureImportanceFigure(names, [0.2, 0.05, 0.3, 0.01, 0.04, 0.02, 0.003, 0.002, 0.001], {
      std: names.map(() => 0.01),
      title: "Permutation importance",
    });
    const yaxis = fig.layout.yaxis as { type: string; tickvals: string[] };
    assert.equal(yaxis.type, "category");
    assert.equal(yaxis.tickvals.length, 9);
    const ticks = await drawnTicks(renderer, fig);
    assert.deepEqual(ticks.y.slice().sort(), names.slice().sort(), "all 9 feature names are drawn");
  });

  it("training chart: whole epochs on x, round ticks on the right (metric) axis; no empty axes before the first epoch", async () => {
    const h = new History();
    h.epochs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    h.metrics = {
      loss: [1, 0.8, 0.6, 0.5, 0.45, 0.4, 0.38, 0.36, 0.35, 0.34],
      val_loss: [1.1, 0.9, 0.7, 0.6, 0.55, 0.5, 0.5, 0.49, 0.5, 0.5],
      acc: [0.84, 0.86, 0.88, 0.9, 0.91, 0.92, 0.925, 0.93, 0.932, 0.935],
      val_acc: [0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.9, 0.91, 0.91, 0.915],
    };
    const fig = h.plot();
    const layout = fig.layout as {
      xaxis: { type: string; dtick: number };
      yaxis2: { tickmode: string; overlaying: string };
    };
    assert.equal(layout.xaxis.type, "linear");
    assert.equal(layout.xaxis.dtick, 1);
    assert.equal(
      layout.yaxis2.tickmode,
      "auto",
      "the right axis picks its own round ticks (not synced to the loss axis)",
    );
    const ticks = await drawnTicks(renderer, fig);
    assert.deepEqual(ticks.x, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    assert.ok(ticks.y2.length >= 3, `right axis ticks: ${ticks.y2}`);
    for (const t of ticks.y2) assert.match(t, /^0\.\d{1,2}$/, `round right-axis tick, got ${t}`);

    const empty = new History().plot();
    assert.equal(empty.data.length, 0);
    assert.equal((empty.layout.xaxis as { visible: boolean }).visible, false);
    assert.equal((empty.layout.yaxis as { visible: boolean }).visible, false);
    assert.match(JSON.stringify(empty.layout.annotations), /No epoch has finished yet/);
  });

  it("hint() displays as a sentence, not a raw { kind, message } object, and stays plain data", () => {
    const h = new History();
    h.epochs = [1, 2, 3];
    h.metrics = { loss: [1, 0.5, 0.3] };
    const hint = h.hint();
    assert.deepEqual(Object.keys(hint), ["kind", "message"]);
    const bundle = (hint as unknown as { [DISPLAY](): Record<string, string> })[DISPLAY]();
    assert.ok(!bundle["text/plain"].includes("{"), bundle["text/plain"]);
    assert.match(bundle["text/html"], /^<p class="trainlab-fit-hint"><b>[A-Z][a-z ]+<\/b>: /);
    assert.equal(String(hint), bundle["text/plain"]);
    const over = new History();
    over.epochs = [1, 2, 3, 4, 5, 6];
    over.metrics = { loss: [1, 0.5, 0.3, 0.2, 0.1, 0.05], val_loss: [1, 0.6, 0.5, 0.7, 0.9, 1.2] };
    const overHint = over.hint();
    assert.equal(overHint.kind, "overfitting");
    assert.match(overHint.message, /^Overfitting: /);
    assert.match(String(overHint), /^Overfitting: [a-z]/, 'the label once, not "Overfitting: Overfitting:"');
  });

  it("validation tables write floating-point rounding as 0, keep real small numbers", () => {
    assert.equal(fmt(1 - 0.9999999999999999), "0.0000");
    assert.equal(fmt(-1.11e-16), "0.0000");
    assert.equal(fmt(0.00012), "1.20e-4");
    assert.equal(fmt(0.25), "0.2500");
  });
});
