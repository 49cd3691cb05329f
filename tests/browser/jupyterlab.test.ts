/**
 * The tutorials in JupyterLab: a notebook page assembled from JupyterLab 3.6's own packages (services, rendermime,
 * output area, notebook panel, completer) and jupyterlab-plotly's mime renderer, served by Debian's jupyter_server
 * (tests/browser/jupyterlab, built by `.ci/setup.sh test`), driven in headless Chromium with nothing reachable but
 * the server. For every notebook, as a user would: open it, pick the trainlab kernel from the toolbar, press
 * "Run all" (TRAINLAB_FAST=1 in the server's, hence the kernel's, environment), then check what is on screen.
 * Screenshots go to tests/browser/artifacts/. Completion, the live training chart and interrupting a training cell
 * are in jupyterlab-interaction.test.ts.
 */
import * as assert from "assert";
import * as path from "path";
import { NotebookState, PLOTLY, describeOutput, settledState } from "./lab-notebook";
import {
  KERNEL,
  Opened,
  artifact,
  labSession,
  notebooks,
  notebooksFolder,
  pickKernel,
  runAll,
  shutDown,
} from "./lab-page";

describe("JupyterLab 3.6 on Debian's jupyter_server: every tutorial runs with the trainlab kernel and shows its charts and tables", function () {
  this.timeout(20 * 60_000);
  const { open } = labSession();
  const folderBefore = notebooksFolder();

  for (const notebook of notebooks) {
    const name = path.basename(notebook, ".ipynb");
    describe(name, function () {
      let opened: Opened | undefined;
      let outcome = "";
      let state: NotebookState;

      before(async function () {
        this.timeout(15 * 60_000);
        opened = await open(notebook);
        await pickKernel(opened.page);
        await opened.page.screenshot({ path: artifact(`${name}-0-kernel-picked.png`) });
        outcome = await runAll(opened.page);
        state = await settledState(opened.page);
        await opened.page.screenshot({ path: artifact(`${name}-1-after-run-all.png`) });
        const firstChart = state.outputs.find((o) => o.chart);
        if (firstChart) {
          const node = opened.page.locator(`[data-trainlab-output="c${firstChart.cell}-o${firstChart.output}"]`);
          await node.scrollIntoViewIfNeeded();
          await opened.page.screenshot({ path: artifact(`${name}-2-first-chart.png`) });
        }
        const firstTable = state.outputs.find((o) => o.table);
        if (firstTable) {
          await opened.page
            .locator(`[data-trainlab-output="c${firstTable.cell}-o${firstTable.output}"]`)
            .scrollIntoViewIfNeeded();
          await opened.page.screenshot({ path: artifact(`${name}-3-first-table.png`) });
        }
      });
      after(async function () {
        this.timeout(60_000);
        await shutDown(opened);
      });

      it("runs every cell in the trainlab kernel picked from the toolbar, without an error", () => {
        assert.equal(state.kernelName, KERNEL);
        const errors = state.outputs
          .filter((o) => o.type === "error")
          .map((o) => `cell ${o.cell}: ${o.ename}: ${o.evalue}`);
        assert.deepEqual(errors, [], `error outputs:\n${errors.join("\n")}`);
        assert.equal(outcome, "ok", "Run all stopped before the last cell");
        assert.deepEqual(state.unexecuted, [], "code cells left without an execution count");
      });

      it("draws every chart through jupyterlab-plotly's mime renderer (an SVG .main-svg in the plotly output)", () => {
        const charts = state.outputs.filter((o) => o.chart);
        assert.ok(charts.length > 0, `${name} shows no chart at all`);
        const withoutMime = charts.filter((o) => !o.mimes.includes(PLOTLY)).map(describeOutput);
        const notDrawn = charts.filter((o) => o.mimes.includes(PLOTLY) && !o.plotlySvg).map(describeOutput);
        assert.deepEqual(
          { withoutPlotlyMimetype: withoutMime, notDrawn },
          { withoutPlotlyMimetype: [], notDrawn: [] },
          `${charts.length} chart(s); these carry no ${PLOTLY}, so JupyterLab cannot draw them without trusting their HTML, or were not drawn`,
        );
      });

      it("renders every table as an HTML table with rows", () => {
        const tables = state.outputs.filter((o) => o.table);
        const empty = tables.filter((o) => o.tableRows === 0).map(describeOutput);
        assert.deepEqual(empty, [], "tables rendered without rows");
      });

      it("loads nothing from outside the server and logs no script error", () => {
        assert.ok(opened);
        assert.deepEqual(opened.blocked, [], "requests to other hosts");
        assert.deepEqual(opened.errors, [], "console errors");
        // JupyterLab 3.6 asks jupyter_server 2's identity endpoint and falls back to an anonymous user on 1.x.
        assert.deepEqual(
          opened.failed.filter((f) => !/^404 \/api\/me$/.test(f)),
          [],
          "failed HTTP requests",
        );
      });
    });
  }

  describe("afterwards", function () {
    it("left notebooks/ as it found it (no save, no autosave, no .ipynb_checkpoints)", () => {
      assert.deepEqual(notebooksFolder(), folderBefore);
    });
  });
});
