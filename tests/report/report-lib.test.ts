/**
 * lib/report without a kernel: parameters (papermill-style injection), the HTML post-processing (one plotly.js per
 * page), goal status, data fingerprints, the scorecard from lib/goals, and runs written atomically and compared.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadDataset } from "../../lib/datasets";
import { defineGoals } from "../../lib/goals";
import { LogisticRegression } from "../../lib/models";
import { plotlyScriptTag, Figure } from "../../lib/viz/figure";
import {
  dataFingerprint,
  normalizeScorecard,
  recordRun,
  listRuns,
  compareRuns,
  loadRun,
  startRun,
  historyRecords,
  writeRunFile,
  readRunFile,
  readRunJson,
  runPath,
  REPORT_MIME,
  buildReportContext,
} from "../../lib/report";
import { buildReportHtml, goalStatus, readReportContext, stripPlotlyBundles } from "../../lib/report/html";
import { NotebookJson, injectParameters, parseParameterArgs, parseParameterValue } from "../../lib/report/parameters";
import { DISPLAY } from "../../lib/display";

function notebook(cells: NotebookJson["cells"]): NotebookJson {
  return { cells, metadata: { kernelspec: { name: "trainlab" } }, nbformat: 4, nbformat_minor: 5 };
}

describe("lib/report: parameters", () => {
  it("parses -p name=value and -p name value like papermill", () => {
    const { params, rest } = parseParameterArgs([
      "notebooks/04-train.ipynb",
      "-p",
      "epochs=3",
      "-p",
      "dataset",
      "iris",
      "--fast",
      "-p",
      "lr=1e-3",
      "-p",
      "tags=[1,2]",
      "-p",
      "on=true",
    ]);
    assert.deepEqual(params, { epochs: 3, dataset: "iris", lr: 0.001, tags: [1, 2], on: true });
    assert.deepEqual(rest, ["notebooks/04-train.ipynb", "--fast"]);
    assert.equal(parseParameterValue("007"), 7);
    assert.equal(parseParameterValue("penguins"), "penguins");
    assert.throws(() => parseParameterArgs(["-p"]), /needs a value/);
    assert.throws(() => parseParameterArgs(["-p", "2x=1"]), /not a valid TypeScript identifier/);
  });

  it("injects a cell after the parameters cell, and names what is wrong otherwise", () => {
    const nb = notebook([
      { cell_type: "markdown", metadata: {}, source: "# t" },
      {
        cell_type: "code",
        metadata: { tags: ["parameters"] },
        source: 'let epochs = 10; // max\nconst seed = 1;\nlet dataset = "penguins";',
        outputs: [],
        execution_count: null,
      },
      { cell_type: "code", metadata: {}, source: "train(epochs)", outputs: [], execution_count: null },
    ]);
    const injected = injectParameters(nb, { epochs: 3, dataset: "iris" }, "nb.ipynb");
    assert.equal(injected.cells.length, 4);
    assert.deepEqual(injected.cells[2].metadata.tags, ["injected-parameters"]);
    assert.match(String(injected.cells[2].source), /epochs = 3;\ndataset = "iris";/);
    assert.equal(nb.cells.length, 3, "the original notebook is not modified");
    assert.throws(
      () => injectParameters(nb, { lr: 1 }, "nb.ipynb"),
      /nb\.ipynb has no parameter "lr".*declares: epochs, seed, dataset/,
    );
    assert.throws(() => injectParameters(nb, { seed: 2 }, "nb.ipynb"), /with const; declare it with let/);
    assert.throws(
      () => injectParameters(notebook([]), { seed: 2 }, "empty.ipynb"),
      /empty\.ipynb has no code cell tagged "parameters"/,
    );
  });
});

describe("lib/report: HTML report", () => {
  const figureOutput = (includePlotly: boolean) => ({
    output_type: "display_data" as const,
    data: {
      "text/html": new Figure({ data: [{ type: "bar", x: [1], y: [2] }], layout: {} }).toHTML({ includePlotly }),
      "text/plain": "fig",
    },
    metadata: {},
  });

  it("removes every inlined plotly.js and puts exactly one copy at the top of the page", () => {
    const withBundle = figureOutput(true).data["text/html"];
    const stripped = stripPlotlyBundles(`<p>a</p>${withBundle}<script>var x = 1;</script>`);
    assert.equal(stripped.removed, 1);
    assert.ok(stripped.html.includes("<script>var x = 1;</script>"), "other scripts stay");
    assert.ok(!stripped.html.includes("plotly.js v"), "no bundle left");
    assert.ok(plotlyScriptTag().includes("plotly.js v"));
    const nb = notebook([
      { cell_type: "code", metadata: {}, source: "a", outputs: [figureOutput(true)], execution_count: 1 },
      {
        cell_type: "code",
        metadata: {},
        source: "b",
        outputs: [
          figureOutput(false),
          {
            output_type: "execute_result",
            data: {
              "application/vnd.plotly.v1+json": { data: [{ type: "scatter", x: [1], y: [1] }], layout: {} },
              "text/html": "ignored",
              "text/plain": "x",
            },
            metadata: {},
            execution_count: 2,
          },
        ],
        execution_count: 2,
      },
    ]);
    const html = buildReportHtml(
      nb,
      { markdown: {}, code: {}, outputMarkdown: {}, css: "" },
      {
        notebook: "x.ipynb",
        name: "x",
        title: "X",
        startedAt: "2026-01-01T00:00:00Z",
        seconds: 1,
        injected: {},
        fast: true,
        packages: {},
        kernel: "trainlab",
      },
    );
    assert.equal(html.split("plotly.js v").length - 1, 1, "one copy of plotly.js");
    assert.ok(html.indexOf("plotly.js v") < html.indexOf("<body>"), "in the head, before any chart");
    assert.equal(html.split('class="trainlab-plot"').length - 1, 3, "three charts");
    assert.ok(html.includes('id="scorecard"'));
    assert.ok(html.includes('<details class="input" open>'), "code cells collapse");
  });

  it("reads report contexts back from outputs and summarises the goal status", async () => {
    const goals = defineGoals({
      task: "classification",
      dataset: "penguins",
      goals: [
        { metric: "accuracy", target: 0.9 },
        { metric: "f1_macro", target: 0.9 },
      ],
    });
    const context = await buildReportContext({
      seed: 7,
      data: { penguins: loadDataset("penguins") },
      scorecard: goals.check({ accuracy: 0.95 }),
    });
    const bundle = context[DISPLAY]();
    const nb = notebook([
      {
        cell_type: "code",
        metadata: {},
        source: "",
        outputs: [{ output_type: "display_data", data: bundle as Record<string, unknown>, metadata: {} }],
        execution_count: 1,
      },
    ]);
    const read = readReportContext(JSON.parse(JSON.stringify(nb)) as NotebookJson);
    assert.equal(read?.seed, 7);
    assert.equal(read?.dataFingerprints.penguins, dataFingerprint(loadDataset("penguins")));
    assert.deepEqual(
      read?.scorecard?.map((e) => [e.goal, e.passed, e.measured]),
      [
        ["accuracy", true, 0.95],
        ["f1_macro", null, null],
      ],
    );
    assert.ok(REPORT_MIME in bundle);
    assert.deepEqual(goalStatus(read?.scorecard), {
      status: "partial",
      met: 1,
      total: 2,
      label: "1/2 goals met, 1 not measured here",
    });
    assert.equal(goalStatus(normalizeScorecard(goals.check({ accuracy: 0.95, f1_macro: 0.5 }))).status, "fail");
    assert.equal(goalStatus(undefined).status, "none");
  });
});

describe("lib/report: data fingerprints", () => {
  it("depends on content, names and order, not on identity", () => {
    const penguins = loadDataset("penguins");
    assert.equal(dataFingerprint(penguins), dataFingerprint(loadDataset("penguins")));
    assert.match(dataFingerprint(penguins), /^sha256:[0-9a-f]{16}$/);
    assert.notEqual(dataFingerprint(penguins), dataFingerprint(penguins.slice(1)));
    assert.notEqual(dataFingerprint(penguins), dataFingerprint(penguins.rename({ island: "isle" })));
    assert.notEqual(dataFingerprint(penguins), dataFingerprint(penguins.orderby("body_mass_g")));
    assert.equal(dataFingerprint({ a: 1, b: [1, 2] }), dataFingerprint({ b: [1, 2], a: 1 }));
    assert.notEqual(dataFingerprint(new Float64Array([1, 2])), dataFingerprint(new Float64Array([1, 3])));
  });
});

describe("lib/report: runs", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-runs-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("records params, per-epoch metrics, final metrics, environment, fingerprint and the model, then lists and compares", async () => {
    const iris = loadDataset("iris");
    const X = iris.select("sepal_length", "sepal_width", "petal_length", "petal_width");
    const y = iris.array("species") as string[];
    const model = await new LogisticRegression({ C: 1 }).fit(X, y);
    const run = await recordRun({
      name: "iris logreg",
      dir,
      params: model.getParams(),
      history: [{ loss: 1 }, { loss: 0.5 }],
      metrics: { accuracy: model.score(X, y) },
      data: { iris },
      model,
    });
    assert.match(run.id, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-iris-logreg$/);
    const stored = loadRun(run.id, dir);
    assert.deepEqual(stored.history, [
      { epoch: 1, loss: 1 },
      { epoch: 2, loss: 0.5 },
    ]);
    assert.equal(stored.params.C, 1);
    assert.equal(stored.dataFingerprints.iris, dataFingerprint(iris));
    assert.ok(stored.environment.node.startsWith("v"));
    assert.ok(stored.environment.packages["@tensorflow/tfjs"]);
    assert.ok(stored.artifacts.includes("history.csv"));
    assert.ok(
      stored.artifacts.some((f) => f.startsWith("model/")),
      `model saved: ${stored.artifacts}`,
    );
    const recorder = startRun("iris-other", { C: 10 }, { dir });
    recorder.onEpochEnd(1, { loss: 0.9 });
    recorder.onEpochEnd(2, { loss: 0.3 });
    await recorder.finish({ metrics: { accuracy: 0.99 } });
    assert.deepEqual(
      listRuns({ dir }).map((r) => r.name),
      ["iris logreg", "iris-other"],
    );
    assert.deepEqual(
      listRuns({ dir, name: "iris-" }).map((r) => r.name),
      ["iris-other"],
    );
    const comparison = compareRuns({ dir }, { metric: "loss" });
    const html = String(comparison[DISPLAY]()["text/html"]);
    assert.ok(html.includes("<table") && html.includes("trainlab-plot"), "a table and a chart");
    assert.equal(comparison.chart().data.length, 2, "one curve per run");
    assert.throws(() => compareRuns({ dir }, { metric: "nope" }), /No run has metric "nope"/);
  });

  it("leaves no run folder when saving the model fails", async () => {
    const broken = {
      save: async () => {
        throw new Error("disk full");
      },
    };
    await assert.rejects(recordRun({ name: "broken", dir, model: broken }), /saving the model failed: disk full/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("records two runs of the same name at once as two folders, never one over the other", async () => {
    const [a, b] = await Promise.all([
      recordRun({ name: "twin", dir, metrics: { x: 1 } }),
      recordRun({ name: "twin", dir, metrics: { x: 2 } }),
    ]);
    assert.notEqual(a.id, b.id);
    assert.deepEqual(
      listRuns({ dir })
        .map((r) => r.metrics.x)
        .sort(),
      [1, 2],
    );
    assert.deepEqual(fs.readdirSync(dir).sort(), [a.id, b.id].sort(), "no temporary folder left behind");
  });

  it("reads lib/train History objects and shares files between notebooks", () => {
    const rows = historyRecords({
      toRows: () => [
        { epoch: 1, loss: 2, val_loss: NaN },
        { epoch: 2, loss: 1, val_loss: 1.5 },
      ],
    });
    assert.deepEqual(rows, [
      { epoch: 1, loss: 2 },
      { epoch: 2, loss: 1, val_loss: 1.5 },
    ]);
    const previous = process.env.TRAINLAB_RUNS_DIR;
    process.env.TRAINLAB_RUNS_DIR = dir;
    try {
      writeRunFile("prep/split.json", { seed: 1 });
      assert.equal(runPath("prep/split.json"), path.join(dir, "prep", "split.json"));
      assert.deepEqual(readRunJson("prep/split.json"), { seed: 1 });
      assert.throws(() => readRunFile("goals.json", "notebooks/01-define-goals.ipynb"), /run that notebook first/);
      assert.throws(() => writeRunFile("../escape.txt", "x"), /inside the runs folder/);
    } finally {
      if (previous === undefined) delete process.env.TRAINLAB_RUNS_DIR;
      else process.env.TRAINLAB_RUNS_DIR = previous;
    }
  });
});
