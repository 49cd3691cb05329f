/**
 * Widgets in the HTML report, offline: a notebook with a precompute() slider and an interact slider is executed
 * unattended by the report runner (real trainlab kernel, nbclient saves the widget state in the notebook), and its
 * report is opened over file:// in headless Chromium with every non-local request refused. The saved controls are
 * drawn by the embedded @jupyter-widgets/html-manager at the state they were saved in; moving the precomputed slider
 * with the keyboard, as a reader would, shows the stored output of the next value (text and Plotly chart); the
 * interact slider, whose output needs the kernel, carries the "needs a live kernel" note and is disabled.
 * A screenshot goes to tests/browser/artifacts/report-widgets.png.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Page } from "playwright-core";
import { OfflineBrowser, OfflinePage, launchOfflineBrowser } from "../support/offline-browser";
import { projectRoot } from "../../lib/report/environment";
import { NotebookRun, runNotebook } from "../../lib/report/run-notebooks";
import { HTML_MANAGER_ATTRIBUTE, SavedWidgetState, WIDGET_STATE_MIME } from "../../lib/report/widget-state";

const root = projectRoot();
const FIXTURE = path.join(root, "tests", "report", "fixtures", "widgets.ipynb");

/** What the reader sees of the widget output at `index` (in page order). */
function widgetAt(
  page: Page,
  index: number,
): Promise<{ readout: string; texts: string[]; charts: number[][]; note: string; disabled: boolean }> {
  return page.evaluate((at: number) => {
    const node = document.querySelectorAll(".output.widget")[at] as HTMLElement;
    const plots = Array.from(node.querySelectorAll(".js-plotly-plot")) as Array<
      HTMLElement & { data?: Array<{ y?: number[] }> }
    >;
    return {
      readout: (node.querySelector(".widget-readout") as HTMLElement | null)?.innerText.trim() ?? "",
      texts: Array.from(node.querySelectorAll(".jp-OutputArea-output pre")).map((e) =>
        (e as HTMLElement).innerText.trim(),
      ),
      charts: plots.map((p) => Array.from(p.data?.[0]?.y ?? [])),
      note: (node.querySelector(".widget-needs-kernel") as HTMLElement | null)?.innerText ?? "",
      disabled: node.querySelector(".widget-slider .noUi-target")?.hasAttribute("disabled") ?? false,
    };
  }, index);
}

describe("browser: widgets in an HTML report opened offline", function () {
  this.timeout(300_000);
  let dir: string;
  let run: NotebookRun;
  let browser: OfflineBrowser;
  let opened: OfflinePage;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-report-widgets-"));
    run = await runNotebook(FIXTURE, { reportsDir: dir, fast: true });
    assert.equal(run.status, "ok", run.error ?? "");
    browser = await launchOfflineBrowser();
    opened = await browser.open(path.join(dir, run.report ?? ""));
    await opened.page.waitForFunction(
      () => document.querySelectorAll(".output.widget .widget-subarea .widget-slider").length === 2,
      undefined,
      { timeout: 60_000 },
    );
  });
  after(async () => {
    await browser?.close();
    if (process.env.TRAINLAB_KEEP_REPORTS) console.log(`      report kept in ${dir}`);
    else if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the executed notebook saved every model's state, and the report embeds it with html-manager", () => {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, run.executed ?? ""), "utf8")) as {
      metadata: { widgets?: Record<string, SavedWidgetState> };
    };
    const names = Object.values(nb.metadata.widgets?.[WIDGET_STATE_MIME]?.state ?? {}).map((m) => m.model_name);
    for (const name of ["SelectionSliderModel", "StackModel", "DirectionalLinkModel", "OutputModel", "IntSliderModel"])
      assert.ok(names.includes(name), `${name} is saved`);
    const html = fs.readFileSync(path.join(dir, run.report ?? ""), "utf8");
    assert.equal(html.split(`${HTML_MANAGER_ATTRIBUTE}=`).length - 1, 1, "html-manager is inlined once");
    assert.equal(
      html.split("plotly.js v").length - 1,
      1,
      "plotly.js is inlined once (the copy inside the saved Output widget is removed)",
    );
  });

  it("draws the saved controls at their saved values, with the precomputed output of the default", async () => {
    const precomputed = await widgetAt(opened.page, 0);
    assert.equal(precomputed.readout, "2");
    assert.deepEqual(precomputed.texts, ["the line y = 2·x"]);
    assert.deepEqual(precomputed.charts, [[0, 2, 4, 6, 8]]);
    assert.equal(precomputed.note, "", "a precomputed control works without a kernel: no note");
    assert.equal(precomputed.disabled, false);
    const live = await widgetAt(opened.page, 1);
    assert.equal(live.readout, "5", "interact's slider at the value it was saved with");
    assert.deepEqual([opened.blocked, opened.errors], [[], []], "nothing fetched from the network, no script errors");
  });

  it("moving the precomputed slider with the keyboard shows the stored output of each value", async () => {
    const page = opened.page;
    const handle = page.locator(".output.widget").nth(0).locator(".widget-slider .noUi-handle");
    await handle.focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(
      () => (document.querySelector(".output.widget .widget-readout") as HTMLElement | null)?.innerText.trim() === "3",
    );
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll(".output.widget")[0].querySelectorAll(".jp-OutputArea-output pre")).some(
        (e) => (e as HTMLElement).innerText.includes("y = 3·x"),
      ),
    );
    let shown = await widgetAt(page, 0);
    assert.deepEqual(shown.texts, ["the line y = 3·x"]);
    await page.waitForFunction(
      () =>
        (document.querySelector(".output.widget .js-plotly-plot") as (HTMLElement & { data?: unknown[] }) | null)
          ?.data !== undefined,
    );
    shown = await widgetAt(page, 0);
    assert.deepEqual(shown.charts, [[0, 3, 6, 9, 12]], "the chart of slope 3, drawn by plotly.js");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
    await page.waitForFunction(
      () => (document.querySelector(".output.widget .widget-readout") as HTMLElement | null)?.innerText.trim() === "1",
    );
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll(".output.widget")[0].querySelectorAll(".jp-OutputArea-output pre")).some(
        (e) => (e as HTMLElement).innerText.includes("y = 1·x"),
      ),
    );
    // An Output widget's chart is drawn before its view is laid out; the page redraws it at the width it gets.
    const drawnWidth = () =>
      page.evaluate(() => {
        const plot = document.querySelector(".output.widget .js-plotly-plot") as
          (HTMLElement & { _fullLayout?: { width: number } }) | null;
        return { drawn: plot?._fullLayout?.width ?? 0, box: plot?.offsetWidth ?? 0 };
      });
    await page
      .waitForFunction(
        () => {
          const plot = document.querySelector(".output.widget .js-plotly-plot") as
            (HTMLElement & { _fullLayout?: { width: number } }) | null;
          return (
            plot !== null && plot.offsetWidth > 400 && Math.abs((plot._fullLayout?.width ?? 0) - plot.offsetWidth) <= 2
          );
        },
        undefined,
        { timeout: 10_000 },
      )
      .catch(async () =>
        assert.fail(`the chart inside the widget is drawn squeezed: ${JSON.stringify(await drawnWidth())}`),
      );
    fs.mkdirSync(path.join(root, "tests", "browser", "artifacts"), { recursive: true });
    await page.screenshot({
      path: path.join(root, "tests", "browser", "artifacts", "report-widgets.png"),
      fullPage: true,
    });
    assert.deepEqual(opened.errors, []);
  });

  it("a control whose output needs the kernel says so beside it, and is shown disabled", async () => {
    const live = await widgetAt(opened.page, 1);
    assert.match(live.note, /This control needs a live kernel/);
    assert.equal(live.disabled, true);
  });
});
