/**
 * The tutorials in JupyterLab: a notebook page assembled from JupyterLab 3.6's own packages (services, rendermime,
 * output area, notebook panel, completer) and jupyterlab-plotly's mime renderer, served by Debian's jupyter_server
 * (tests/browser/jupyterlab, built by `.ci/setup.sh test`), driven in headless Chromium with nothing reachable but
 * the server. For every notebook, as a user would: open it, pick the trainlab kernel from the toolbar, press
 * "Run all" (TRAINLAB_FAST=1 in the server's, hence the kernel's, environment), then check what is on screen.
 * Screenshots go to tests/browser/artifacts/. The page helpers are in lab-page.ts (server, browser, toolbar, cells)
 * and lab-notebook.ts (reading outputs and charts). In 04, 05 and 06 it also moves the tutorial's slider with the
 * keyboard and checks that the Jupyter widget redraws what it drives (lab-widgets.ts). One file on purpose: 04-train
 * reads the run files 02-prepare-data writes (and 05, 06 the model 04 saves), so their tests need the notebooks before
 * them run in the same session.
 */
import * as assert from "assert";
import * as path from "path";
import {
  LiveSamples,
  NotebookState,
  PLOTLY,
  describeOutput,
  settledState,
  startLiveSampler,
  stopLiveSampler,
} from "./lab-notebook";
import {
  KERNEL,
  Opened,
  activeIndex,
  appendCell,
  artifact,
  cellAt,
  labSession,
  notebooks,
  notebooksFolder,
  pickKernel,
  progressLine,
  runAll,
  shutDown,
  waitIdle,
} from "./lab-page";
import {
  WIDGET_VIEW,
  chartsData,
  chartsValues,
  installWidgetReader,
  pressOnSlider,
  waitForWidgetCell,
} from "./lab-widgets";

/**
 * The tutorials' sliders: the cell (by its cell id), the keys that move the slider, what the outputs it drives must
 * then say (from the new readout), and an expression of the kernel's value of the slider.
 */
const TUTORIAL_WIDGETS: Record<
  string,
  { cell: string; what: string; keys: string[]; shows: (readout: string) => string; kernelValue: string }
> = {
  "04-train": {
    cell: "c14w2",
    what: "interact: the learning-rate slider retrains the network in the kernel and redraws its loss chart",
    keys: ["ArrowLeft"],
    shows: (readout) => `SGD at learning rate ${Number(readout).toPrecision(2)}:`,
    kernelValue: "rateExplorer.values().lr",
  },
  "05-evaluate-tune": {
    cell: "c09w2",
    what: "precompute: the decision-threshold slider moves the point on the ROC and PR curves and changes the confusion matrix",
    keys: ["ArrowRight"],
    shows: (readout) => `threshold ${readout}:`,
    kernelValue: "thresholdSlider.value",
  },
  "06-validate": {
    cell: "c16w2",
    what: "precompute: the shift-size slider shows the drift check of the shifted sample",
    keys: ["ArrowRight"],
    shows: (readout) => `+${readout} g:`,
    kernelValue: "shiftSlider.value",
  },
};

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
      let live: LiveSamples = {};

      before(async function () {
        this.timeout(15 * 60_000);
        opened = await open(notebook);
        await pickKernel(opened.page);
        await opened.page.screenshot({ path: artifact(`${name}-0-kernel-picked.png`) });
        if (name === "04-train") await startLiveSampler(opened.page);
        outcome = await runAll(opened.page);
        if (name === "04-train") live = await stopLiveSampler(opened.page);
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
        const firstLive = Object.keys(live)[0];
        if (firstLive) {
          await opened.page.locator(`[data-trainlab-output="${firstLive}"]`).scrollIntoViewIfNeeded();
          await opened.page.screenshot({ path: artifact(`${name}-4-live-chart-after-training.png`) });
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

      const widget = TUTORIAL_WIDGETS[name];
      if (widget) {
        it(`renders its slider as a Jupyter widget and redraws what it drives when moved (${widget.what})`, async () => {
          assert.ok(opened);
          const { page, errors } = opened;
          const errorsBefore = errors.length;
          await installWidgetReader(page);
          const before = await waitForWidgetCell(page, widget.cell, {}, 120_000).catch(async (err: unknown) => {
            await page
              .locator(`[data-trainlab-cell="${widget.cell}"]`)
              .scrollIntoViewIfNeeded()
              .catch(() => undefined);
            await page.screenshot({ path: artifact(`${name}-7-widget-before.png`) });
            throw err;
          });
          assert.ok(before.index >= 0, `no cell with id ${widget.cell} in ${name}`);
          assert.deepEqual(before.errors, [], "errors in the widget cell after Run all");
          assert.deepEqual(
            before.renderedAs,
            [WIDGET_VIEW],
            "the cell's output is drawn by the widget manager (not its text/plain fallback)",
          );
          assert.equal(before.sliders, 1, "one noUiSlider control (.widget-slider) in the widget view");
          assert.ok(
            before.text.includes(widget.shows(before.readout)),
            `the output shows the slider's value ${before.readout}: ${before.text.slice(0, 300)}`,
          );
          await page.locator(`[data-trainlab-cell="${widget.cell}"]`).scrollIntoViewIfNeeded();
          await page.screenshot({ path: artifact(`${name}-7-widget-before.png`) });

          await pressOnSlider(page, widget.cell, widget.keys);
          const moved = await waitForWidgetCell(page, widget.cell, { readoutOtherThan: before.readout }, 60_000);
          const after = await waitForWidgetCell(
            page,
            widget.cell,
            {
              textIncludes: widget.shows(moved.readout),
              textOtherThan: before.text,
              chartsOtherThan: chartsData(before),
            },
            300_000,
          ).finally(() => page.screenshot({ path: artifact(`${name}-8-widget-after.png`) }));
          assert.deepEqual(after.errors, [], "errors in the widget cell after moving the slider");
          assert.deepEqual(errors.slice(errorsBefore), [], "console errors while the slider moved");
          assert.equal(after.sliders, 1);
          assert.ok(after.charts.length > 0, "the slider drives a chart");
          assert.notEqual(chartsValues(after), chartsValues(before), "the chart's numbers changed, not only a label");
          const narrow = after.charts.filter((c) => c.width < 300).map((c) => `${c.title}: ${c.width}px`);
          assert.deepEqual(narrow, [], "charts drawn at a readable width");

          // The kernel's slider followed the page's: its value matches the readout.
          await appendCell(page, widget.kernelValue);
          const at = await activeIndex(page);
          await page.keyboard.press("Shift+Enter");
          await waitIdle(page, 120_000);
          const printed = (await cellAt(page, at)).outputs
            .map((o) => o.text)
            .join("")
            .trim();
          assert.equal(
            Number(printed).toPrecision(3),
            Number(after.readout).toPrecision(3),
            `${widget.kernelValue} printed ${JSON.stringify(printed)}, the slider reads ${after.readout}`,
          );
        });
      }

      if (name === "01-define-goals") {
        it("completes a variable an earlier cell defined (Tab, the kernel's completions, pick one)", async () => {
          assert.ok(opened);
          const { page } = opened;
          await appendCell(page, "major");
          await page.keyboard.press("Tab");
          // A single match is inserted at once; several open the completer's list.
          await page.waitForFunction(
            () => {
              const lab = (
                window as unknown as {
                  trainlabLab: { panel: { content: { activeCell: { model: { value: { text: string } } } } } };
                }
              ).trainlabLab;
              return (
                lab.panel.content.activeCell.model.value.text !== "major" ||
                !!document.querySelector(".jp-Completer .jp-Completer-item")
              );
            },
            undefined,
            { timeout: 60_000 },
          );
          await page.screenshot({ path: artifact(`${name}-4-completion.png`) });
          const items = (
            await page.locator(".jp-Completer .jp-Completer-item .jp-Completer-match").allTextContents()
          ).map((t) => t.trim());
          assert.ok(
            items.includes("majority") && items.includes("majorityAccuracy"),
            `the completer lists both variables: ${JSON.stringify(items)}`,
          );
          await page.locator(".jp-Completer .jp-Completer-item", { hasText: "majorityAccuracy" }).first().click();
          const cell = await cellAt(page);
          assert.equal(cell.text, "majorityAccuracy", `completion list: ${JSON.stringify(items)}`);
          const at = await activeIndex(page);
          await page.keyboard.press("Shift+Enter");
          await waitIdle(page, 60_000);
          assert.match(
            (await cellAt(page, at)).outputs.map((o) => o.text).join(""),
            /^0\.\d+/,
            "the completed name runs and prints the majority-class accuracy",
          );
        });
      }

      if (name === "04-train") {
        it("redraws the live training chart during training and ends on the final state", () => {
          const charts = Object.entries(live).filter(([, s]) => s.model.length >= 2);
          assert.ok(charts.length > 0, `no chart was updated in place while 04-train ran: ${JSON.stringify(live)}`);
          const report = charts
            .map(([key, s]) => `${key} "${s.title}": model points ${s.model.join("→")}, drawn ${s.drawn.join("→")}`)
            .join("\n");
          for (const [key, s] of charts) {
            assert.equal(
              s.drawn[s.drawn.length - 1],
              s.model[s.model.length - 1],
              `${key} "${s.title}" did not draw its final state:\n${report}`,
            );
          }
          // Redraws are throttled in time (at most one per 4 s), so how many intermediate epochs get drawn depends on the
          // machine's speed; what must hold everywhere is that the chart drawn early in training (its first epoch) was
          // replaced in place by later states (tests/viz/live-updates.test.ts checks the throttle with a clock).
          const movedDuringTraining = charts.filter(
            ([, s]) => s.drawn.length >= 2 && s.drawn[0] < s.drawn[s.drawn.length - 1],
          );
          assert.ok(
            movedDuringTraining.length > 0,
            `no live chart was redrawn in place after its first state:\n${report}`,
          );
        });

        it("stops a training cell on interrupt (toolbar ■) and keeps the kernel's state", async () => {
          assert.ok(opened);
          const { page } = opened;
          // The notebook's CNN on its MNIST subset: seconds per epoch, so the page is not flooded while it waits.
          await appendCell(
            page,
            `const interruptMe = cnn({ filters: cnnFilters, denseUnits: 0, batchSize: 64, learningRate: 0.002, seed: seed }); await train(interruptMe, { x: digitsTrain }, { epochs: 100000, validationData: { x: digitsVal }, seed: seed, title: "Stopped by the JupyterLab test" });`,
          );
          const at = await activeIndex(page);
          await page.keyboard.press("Shift+Enter");
          // Under way: its progress line counts batches.
          await page.waitForFunction(
            (i: number) => {
              const lab = (
                window as unknown as {
                  trainlabLab: { panel: { content: { widgets: readonly { node: HTMLElement }[] } } };
                }
              ).trainlabLab;
              const m = /epoch (\d+)\/100000 · batch (\d+)\//.exec(
                lab.panel.content.widgets[i].node.querySelector(".trainlab-progress")?.textContent ?? "",
              );
              return !!m && (Number(m[1]) > 1 || Number(m[2]) >= 3);
            },
            at,
            { timeout: 300_000, polling: 250 },
          );
          await progressLine(page, at);
          await page.screenshot({ path: artifact(`${name}-5-training-before-interrupt.png`) });
          await page.click('.jp-Toolbar button[title="Interrupt the kernel"]');
          await waitIdle(page, 120_000);
          const stopped = await progressLine(page, at);
          const interrupted = await cellAt(page, at);
          await page.waitForTimeout(3000);
          await page.screenshot({ path: artifact(`${name}-6-after-interrupt.png`) });
          assert.ok(interrupted.executionCount !== null, "the interrupted cell finished");
          assert.ok(
            interrupted.outputs.some((o) => o.type === "error" && o.ename === "Interrupted"),
            `the cell ends with an Interrupted error: ${JSON.stringify(interrupted.outputs.map((o) => [o.type, o.ename, o.text.slice(0, 200)]))}`,
          );
          assert.match(stopped, /interrupted: \d+ epoch\(s\)/, "the progress line says the run was interrupted");
          assert.equal(await progressLine(page, at), stopped, "nothing trained after the interrupt");
          await appendCell(page, "Xtrain.rows");
          const check = await activeIndex(page);
          await page.keyboard.press("Shift+Enter");
          await waitIdle(page, 60_000);
          const rows = (await cellAt(page, check)).outputs
            .map((o) => o.text)
            .join("")
            .trim();
          assert.ok(
            /^\d+$/.test(rows) && Number(rows) > 0,
            `the kernel kept its state: Xtrain.rows printed ${JSON.stringify(rows)}`,
          );
        });
      }
    });
  }

  describe("afterwards", function () {
    it("left notebooks/ as it found it (no save, no autosave, no .ipynb_checkpoints)", () => {
      assert.deepEqual(notebooksFolder(), folderBefore);
    });
  });
});
