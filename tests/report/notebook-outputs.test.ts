/**
 * What the report runner keeps of an executed notebook: no copy of plotly.js, a PNG drawn by plotly.js in Chromium for
 * every figure, plain figures without their (now useless) HTML, composites split into their tables and their charts,
 * and HTML-only charts (older composites) given Plotly JSON. Outputs are real bundles of trainlab's displays.
 */
import { strict as assert } from "assert";
import { loadDataset } from "../../lib/datasets";
import { profile } from "../../lib/data/profile";
import { DISPLAY, MimeBundle } from "../../lib/display";
import { History } from "../../lib/train/history";
import { Figure, PLOTLY_MIME, histogram, resetPlotlyInlining } from "../../lib/viz";
import { FigureImageRenderer } from "../../lib/report/static-images";
import { chartBlocks, prepareExecutedNotebook } from "../../lib/report/notebook-outputs";
import { NotebookJson, NotebookOutput } from "../../lib/report/parameters";

const penguins = loadDataset("penguins");

function output(bundle: MimeBundle): NotebookOutput {
  return {
    output_type: "display_data",
    data: JSON.parse(JSON.stringify(bundle)) as Record<string, unknown>,
    metadata: {},
  };
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(base64: string): { width: number; height: number } {
  const bytes = Buffer.from(base64, "base64");
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG signature");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("lib/report: the executed notebook the runner keeps", function () {
  this.timeout(120000);
  let renderer: FigureImageRenderer;
  before(async () => {
    renderer = await FigureImageRenderer.launch();
  });
  after(async () => renderer?.close());

  it("has no plotly.js, a PNG per figure, and every chart reachable without scripts", async () => {
    resetPlotlyInlining();
    const hist = histogram(penguins, { x: "body_mass_g" });
    const history = new History();
    history.epochs = [1, 2, 3];
    history.metrics = { loss: [1, 0.7, 0.5], val_loss: [1.1, 0.8, 0.7] };
    const legacyComposite = `<p>checks</p>${new Figure({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: "legacy" } } }).toHTML()}`;
    const nb: NotebookJson = {
      cells: [
        {
          cell_type: "code",
          metadata: {},
          source: "histogram(...)",
          execution_count: 1,
          outputs: [output(hist[DISPLAY]())],
        },
        {
          cell_type: "code",
          metadata: {},
          source: "profile(...)",
          execution_count: 2,
          outputs: [output(profile(penguins)[DISPLAY]())],
        },
        {
          cell_type: "code",
          metadata: {},
          source: "history",
          execution_count: 3,
          outputs: [output(history[DISPLAY]())],
        },
        {
          cell_type: "code",
          metadata: {},
          source: "validate(...)",
          execution_count: 4,
          outputs: [output({ "text/plain": "checks", "text/html": legacyComposite })],
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    const before = JSON.stringify(nb).length;
    assert.ok(JSON.stringify(nb).includes("data-trainlab-plotly"), "the first figure carried plotly.js");
    const result = await prepareExecutedNotebook(nb, (spec) => renderer.png(spec));
    const text = JSON.stringify(nb);
    assert.equal(result.plotlyCopiesRemoved, 1);
    assert.ok(!text.includes("data-trainlab-plotly") && !text.includes("plotly.js v"), "no plotly.js left");
    assert.ok(text.length < before / 2, `${before} -> ${text.length} bytes`);

    // 1. A plain figure: Plotly JSON, PNG and text; no HTML that would wait for plotly.js.
    const [plain] = nb.cells[0].outputs as NotebookOutput[];
    assert.deepEqual(Object.keys(plain.data!).sort(), ["application/vnd.plotly.v1+json", "image/png", "text/plain"]);
    assert.deepEqual(pngSize(plain.data!["image/png"] as string), { width: 760, height: 420 });
    assert.deepEqual(plain.metadata!["image/png"], { width: 760, height: 420 });

    // 2. A composite: its tables as HTML (no chart left in it), then its charts as one figure with an image.
    const [tables, charts] = nb.cells[1].outputs as NotebookOutput[];
    assert.equal(nb.cells[1].outputs!.length, 2);
    assert.match(String(tables.data!["text/html"]), /<table>/);
    assert.equal(chartBlocks(String(tables.data!["text/html"])).length, 0);
    assert.equal(tables.data![PLOTLY_MIME], undefined, "the figure moved to the charts output");
    const chartSpec = charts.data![PLOTLY_MIME] as { data: { type: string }[] };
    assert.equal(chartSpec.data.length, profile(penguins).charts().length, "every chart, no table duplicated");
    assert.ok(pngSize(charts.data!["image/png"] as string).height > 1000, "a tall image of the subplots");

    // 3. The training history: hint and epoch table stay as HTML, the chart becomes a figure output.
    const [historyHtml, historyChart] = nb.cells[2].outputs as NotebookOutput[];
    assert.match(String(historyHtml.data!["text/html"]), /trainlab-fit-hint/);
    assert.ok(historyChart.data!["image/png"]);

    // 4. An older composite with an HTML-only chart gets Plotly JSON and a PNG.
    assert.equal(result.plotlyJsonAdded, 1, "only the legacy output lacked Plotly JSON");
    const legacy = nb.cells[3].outputs![1];
    assert.equal((legacy.data![PLOTLY_MIME] as { layout: { title: { text: string } } }).layout.title.text, "legacy");
    assert.ok(legacy.data!["image/png"]);
    assert.equal(result.figures, 4);
  });

  it("a renderer error is not swallowed: a figure without its image is never kept silently", async () => {
    const nb: NotebookJson = {
      cells: [
        {
          cell_type: "code",
          metadata: {},
          source: "x",
          execution_count: 1,
          outputs: [output({ "text/plain": "f", [PLOTLY_MIME]: { data: [], layout: {} } })],
        },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    };
    await assert.rejects(
      prepareExecutedNotebook(nb, () => Promise.reject(new Error("Chromium crashed"))),
      /Chromium crashed/,
    );
  });
});
