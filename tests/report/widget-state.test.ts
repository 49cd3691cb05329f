/**
 * The report's handling of saved widget state (lib/report/widget-state.ts), outside a kernel with real widget models:
 * which views need a kernel (every input control except those inside a precompute() widget), the state the page
 * carries (plotly.js copies and doubled Plotly JSON removed from stored outputs, controls that need a kernel
 * disabled), and html-manager embedded only in reports that show a widget.
 */
import { strict as assert } from "assert";
import { buildReportHtml } from "../../lib/report/html";
import { NotebookJson } from "../../lib/report/parameters";
import {
  HTML_MANAGER_ATTRIBUTE,
  NEEDS_KERNEL_NOTE,
  SavedWidgetState,
  WIDGET_STATE_MIME,
  controlsNeedingKernel,
  readWidgetState,
  reportWidgetState,
} from "../../lib/report/widget-state";
import { escapeHtml } from "../../lib/display";
import { Figure, PLOTLY_MIME } from "../../lib/viz/figure";
import {
  HBox,
  IntProgress,
  IntSlider,
  Output,
  WIDGET_VIEW_MIME,
  interact,
  precompute,
  widgetRegistry,
} from "../../lib/widgets";

function saved(): SavedWidgetState {
  return { version_major: 2, version_minor: 0, state: widgetRegistry().allStates() as SavedWidgetState["state"] };
}

function notebookShowing(modelIds: string[], state: SavedWidgetState | undefined): NotebookJson {
  return {
    cells: modelIds.map((id) => ({
      cell_type: "code",
      metadata: {},
      source: "ui",
      execution_count: 1,
      outputs: [
        {
          output_type: "display_data",
          metadata: {},
          data: {
            "text/plain": `widget ${id}`,
            [WIDGET_VIEW_MIME]: { model_id: id, version_major: 2, version_minor: 0 },
          },
        },
      ],
    })),
    metadata: state ? { widgets: { [WIDGET_STATE_MIME]: state } } : {},
    nbformat: 4,
    nbformat_minor: 5,
  } as unknown as NotebookJson;
}

const META = {
  notebook: "nb.ipynb",
  name: "nb",
  title: "nb",
  startedAt: "now",
  seconds: 1,
  injected: {},
  fast: true,
  packages: {},
  kernel: "trainlab",
};
const RENDERED = { markdown: {}, code: {}, outputMarkdown: {}, css: "" };

describe("report: saved widget state", () => {
  it("a precompute() widget needs no kernel; interact and a plain slider do; a progress bar is no control", async () => {
    const pre = await precompute((t: number) => `t=${t}`, { description: "t", values: [0.1, 0.2] });
    const live = interact(({ a }) => `a=${a}`, { a: [1, 9] });
    const slider = new IntSlider({ value: 3 });
    const row = new HBox([new IntProgress({ value: 2 }), slider]);
    const bar = new IntProgress({ value: 1 });
    const state = saved();
    assert.deepEqual(controlsNeedingKernel(state, pre.modelId), []);
    assert.deepEqual(controlsNeedingKernel(state, live.modelId), [live.controls.a.modelId]);
    assert.deepEqual(controlsNeedingKernel(state, row.modelId), [slider.modelId]);
    assert.deepEqual(controlsNeedingKernel(state, bar.modelId), []);
    assert.deepEqual(controlsNeedingKernel(state, "not-saved"), []);
  });

  it("the page's copy drops plotly.js copies and the Plotly JSON beside trainlab's HTML, and disables what needs a kernel", () => {
    const out = new Output();
    out.appendDisplay(new Figure({ data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: {} }));
    const slider = new IntSlider({ value: 3 });
    const state = saved();
    assert.ok(
      PLOTLY_MIME in (state.state[out.modelId].state.outputs as Array<{ data: Record<string, unknown> }>)[0].data,
      "the notebook keeps both",
    );
    const page = reportWidgetState(state, (html) => html.replace(/trainlab-plot-\d+-\d+/g, "plot"), [slider.modelId]);
    const data = (page.state[out.modelId].state.outputs as Array<{ data: Record<string, unknown> }>)[0].data;
    assert.equal(data[PLOTLY_MIME], undefined);
    assert.match(String(data["text/html"]), /id="plot"/, "the HTML passed through the cleaner");
    assert.equal(page.state[slider.modelId].state.disabled, true);
    assert.equal(state.state[slider.modelId].state.disabled, false, "the saved state itself is not changed");
  });

  it("reads version 2 from the metadata, nothing when there is none, and refuses another major version", () => {
    new IntSlider();
    const state = saved();
    assert.equal(readWidgetState(notebookShowing([], state))?.version_major, 2);
    assert.equal(readWidgetState(notebookShowing([], undefined)), undefined);
    assert.throws(
      () => readWidgetState(notebookShowing([], { ...state, version_major: 3 })),
      /widget state is version 3.0; the report reads version 2/,
    );
  });

  it("embeds html-manager and the state only in a report that shows a widget, with the note beside a control that needs a kernel", async () => {
    const pre = await precompute((t: number) => `t=${t}`, { description: "t", values: [1, 2] });
    const live = interact(({ a }) => `a=${a}`, { a: [1, 9] });
    const state = saved();
    const html = buildReportHtml(notebookShowing([pre.modelId, live.modelId], state), RENDERED, META);
    assert.equal(html.split(`${HTML_MANAGER_ATTRIBUTE}=`).length - 1, 1);
    assert.equal(html.split(`<script type="${WIDGET_STATE_MIME}">`).length - 1, 1);
    assert.equal(
      html.split(escapeHtml(NEEDS_KERNEL_NOTE)).length - 1,
      1,
      "one note: beside interact's slider, not the precomputed one",
    );
    assert.match(html, new RegExp(`class="output widget offline" data-model-id="${pre.modelId}"`));
    assert.match(html, new RegExp(`class="output widget needs-kernel" data-model-id="${live.modelId}"`));
    const plain = buildReportHtml(notebookShowing([], state), RENDERED, META);
    assert.ok(!plain.includes(HTML_MANAGER_ATTRIBUTE), "a report that shows no widget carries no html-manager");
    const unsaved = buildReportHtml(notebookShowing(["gone"], state), RENDERED, META);
    assert.ok(
      !unsaved.includes(HTML_MANAGER_ATTRIBUTE) && unsaved.includes("widget gone"),
      "a view whose model was not saved shows its text",
    );
  });
});
