/**
 * Jupyter widgets in JupyterLab 3.6: the harness page (tests/browser/jupyterlab) with
 * @jupyter-widgets/jupyterlab-manager's WidgetManager, the trainlab kernel, headless Chromium. A small notebook
 * written to a temporary folder makes sliders whose kernel-side callbacks redraw a Plotly chart; the test moves
 * each slider with the keyboard, as a user would, and waits for the chart drawn on the page to hold the new data:
 * a round trip frontend -> kernel (comm update, observe callback) -> frontend (Output widget, Plotly renderer); a
 * precompute() slider switches between stored charts in the frontend.
 * Screenshots go to tests/browser/artifacts/.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, BrowserContext, Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../support/offline-browser";
import { LabServer, projectRoot, startLabServer } from "./lab-server";
import { KERNEL, pickKernel } from "./lab-page";

const artifacts = path.join(projectRoot, "tests", "browser", "artifacts");

function artifact(name: string): string {
  fs.mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}

/** The notebook: a line chart whose slope a slider sets, with observe + Output, with interact, and with observe + a display handle. */
const CELLS = [
  [
    'import { IntSlider, Output, VBox, interact, display, scatter } from "trainlab";',
    "const xs = [0, 1, 2, 3, 4];",
    'const line = (slope: number) => scatter(undefined, { x: xs, y: xs.map((x) => slope * x), mode: "lines", title: `slope ${slope}` });',
    'const slope = new IntSlider({ value: 2, min: 1, max: 9, description: "slope" });',
    "const chart = new Output();",
    "chart.capture(() => display(line(slope.value)));",
    'slope.observe("value", (change) => {',
    "  chart.clear();",
    "  chart.capture(() => display(line(change.new)));",
    "});",
    "new VBox([slope, chart])",
  ].join("\n"),
  "interact(({ a }) => line(a), { a: [1, 9] })",
  [
    "const handle = display(line(1));",
    'const steep = new IntSlider({ value: 1, min: 1, max: 9, description: "steep" });',
    'steep.observe("value", (change) => handle.update(line(change.new)));',
    "steep",
  ].join("\n"),
  [
    'import { precompute, steps } from "trainlab";',
    'await precompute((s: number) => line(s), { description: "stored", values: steps(1, 5, 1), value: 2 })',
  ].join("\n"),
];

function notebookJson(): string {
  return JSON.stringify(
    {
      cells: CELLS.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
      metadata: { kernelspec: { display_name: KERNEL, language: "typescript", name: "trainlab" } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
}

/** The y values of every Plotly figure drawn in the cell at `index` (plotly's own `gd.data`), in page order. */
function drawnCharts(page: Page, index: number): Promise<number[][]> {
  return page.evaluate((at: number) => {
    const lab = (
      window as unknown as { trainlabLab: { panel: { content: { widgets: readonly { node: HTMLElement }[] } } } }
    ).trainlabLab;
    const plots = Array.from(lab.panel.content.widgets[at].node.querySelectorAll(".js-plotly-plot")) as Array<
      HTMLElement & { data?: Array<{ y?: ArrayLike<number> }> }
    >;
    return plots.filter((p) => p.querySelector(".main-svg")).map((p) => Array.from(p.data?.[0]?.y ?? []));
  }, index);
}

/** Waits until the cell at `index` shows exactly one drawn chart whose y values are `expected`. */
async function waitForChart(page: Page, index: number, expected: number[], what: string): Promise<void> {
  try {
    await page.waitForFunction(
      (args: { at: number; want: string }) => {
        const lab = (
          window as unknown as { trainlabLab: { panel: { content: { widgets: readonly { node: HTMLElement }[] } } } }
        ).trainlabLab;
        const plots = Array.from(lab.panel.content.widgets[args.at].node.querySelectorAll(".js-plotly-plot")) as Array<
          HTMLElement & { data?: Array<{ y?: ArrayLike<number> }> }
        >;
        const drawn = plots
          .filter((p) => p.querySelector(".main-svg"))
          .map((p) => JSON.stringify(Array.from(p.data?.[0]?.y ?? [])));
        return drawn.length === 1 && drawn[0] === args.want;
      },
      { at: index, want: JSON.stringify(expected) },
      { timeout: 120_000, polling: 200 },
    );
  } catch (err) {
    await page.screenshot({ path: artifact(`widgets-failed-cell-${index}.png`) });
    const log = await page.evaluate(() => (window as unknown as { trainlabMsgs?: string[] }).trainlabMsgs ?? []);
    throw new Error(
      `${what}: expected one chart with y = ${JSON.stringify(expected)}, the page shows ${JSON.stringify(await drawnCharts(page, index))}, slider ${JSON.stringify(await sliderState(page, index))} (${String(err)})\n${log.join("\n")}`,
      { cause: err },
    );
  }
}

/** The slider control of the cell at `index`: its readout text and the noUiSlider handle's aria value. */
function sliderState(page: Page, index: number): Promise<{ sliders: number; readout: string; handle: string | null }> {
  return page.evaluate((at: number) => {
    const lab = (
      window as unknown as { trainlabLab: { panel: { content: { widgets: readonly { node: HTMLElement }[] } } } }
    ).trainlabLab;
    const node = lab.panel.content.widgets[at].node;
    const sliders = node.querySelectorAll(".jupyter-widgets.widget-slider");
    return {
      sliders: sliders.length,
      readout: node.querySelector(".widget-slider .widget-readout")?.textContent ?? "",
      handle: node.querySelector(".widget-slider .noUi-handle")?.getAttribute("aria-valuenow") ?? null,
    };
  }, index);
}

describe("JupyterLab 3.6 with @jupyter-widgets/jupyterlab-manager: a slider's kernel callback redraws a chart", function () {
  this.timeout(10 * 60_000);
  let server: LabServer;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const blocked: string[] = [];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-lab-widgets-"));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-chromium-widgets-"));

  before(async function () {
    this.timeout(300_000);
    fs.writeFileSync(path.join(root, "widgets.ipynb"), notebookJson());
    server = await startLabServer({
      rootDir: root,
      env: { TRAINLAB_FAST: "1", TRAINLAB_RUNS_DIR: path.join(root, "runs") },
    });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${server.origin}/`) || url.startsWith("data:") || url.startsWith("blob:"))
        return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(server.pageUrl("widgets.ipynb"));
    await page.waitForSelector("body[data-notebook-ready], body[data-start-error]", { timeout: 120_000 });
    const startError = await page.evaluate(() => document.body.dataset.startError);
    assert.equal(startError, undefined, `the harness page failed to start: ${startError}`);
    await pickKernel(page);
    await page.evaluate(() => {
      const w = window as unknown as {
        trainlabMsgs: string[];
        trainlabLab: {
          panel: {
            sessionContext: {
              session: {
                kernel: {
                  anyMessage: {
                    connect(
                      f: (
                        s: unknown,
                        a: {
                          direction: string;
                          msg: {
                            header: { msg_type: string; msg_id: string };
                            parent_header: { msg_id?: string };
                            content: unknown;
                          };
                        },
                      ) => void,
                    ): void;
                  };
                };
              };
            };
          };
        };
      };
      w.trainlabMsgs = [];
      w.trainlabLab.panel.sessionContext.session.kernel.anyMessage.connect((_s, a) => {
        w.trainlabMsgs.push(
          `${a.direction} ${a.msg.header.msg_type} ${a.msg.header.msg_id.slice(0, 8)} parent ${(a.msg.parent_header.msg_id ?? "").slice(0, 8)} ${JSON.stringify(a.msg.content).slice(0, 160)}`,
        );
      });
    });
    await page.locator(".jp-Toolbar button", { hasText: "Run all" }).click();
    await page.waitForFunction(
      () => document.body.dataset.runAll === "ok" || document.body.dataset.runAll === "stopped",
      undefined,
      { timeout: 300_000, polling: 250 },
    );
    assert.equal(
      await page.evaluate(() => document.body.dataset.runAll),
      "ok",
      `Run all stopped; page errors: ${errors.join("\n")}`,
    );
  });

  after(async function () {
    this.timeout(60_000);
    if (page) {
      await page
        .evaluate(() =>
          (
            window as unknown as { trainlabLab?: { panel: { sessionContext: { shutdown(): Promise<void> } } } }
          ).trainlabLab?.panel.sessionContext.shutdown(),
        )
        .catch(() => undefined);
    }
    await context?.close();
    await server?.stop();
    for (const dir of [profile, root]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("observe: the IntSlider renders as a real control, and moving it redraws the chart from the kernel", async () => {
    await waitForChart(page, 0, [0, 2, 4, 6, 8], "after the run, slope 2");
    const before = await sliderState(page, 0);
    assert.equal(before.sliders, 1, "one slider control (.jupyter-widgets.widget-slider) in the first cell");
    assert.equal(before.readout, "2");
    await page.locator(".jp-Cell").nth(0).locator(".widget-slider .noUi-handle").scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact("widgets-0-slider-at-2.png") });

    // The keyboard moves noUiSlider's handle by one step per key press, as for a user tabbing to it.
    const handle = page.locator(".jp-Cell").nth(0).locator(".widget-slider .noUi-handle");
    await handle.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await waitForChart(page, 0, [0, 5, 10, 15, 20], "after three ArrowRight presses, slope 5");
    const after = await sliderState(page, 0);
    assert.equal(after.readout, "5");
    assert.equal(Number(after.handle), 5);
    await page.screenshot({ path: artifact("widgets-1-slider-at-5.png") });
  });

  it("interact: its slider starts at the middle of [1, 9], and moving it reruns the function and redraws its chart", async () => {
    await waitForChart(page, 1, [0, 5, 10, 15, 20], "after the run, a = 5 (the middle)");
    assert.equal((await sliderState(page, 1)).sliders, 1);
    const handle = page.locator(".jp-Cell").nth(1).locator(".widget-slider .noUi-handle");
    await handle.scrollIntoViewIfNeeded();
    await handle.focus();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await waitForChart(page, 1, [0, 3, 6, 9, 12], "after two ArrowLeft presses, a = 3");
    assert.equal((await sliderState(page, 1)).readout, "3");
    await page.screenshot({ path: artifact("widgets-2-interact-at-3.png") });
  });

  it("observe + display handle: the callback's update_display_data redraws the chart the cell displayed", async () => {
    await waitForChart(page, 2, [0, 1, 2, 3, 4], "after the run, slope 1");
    const handle = page.locator(".jp-Cell").nth(2).locator(".widget-slider .noUi-handle");
    await handle.scrollIntoViewIfNeeded();
    await handle.focus();
    await page.keyboard.press("End");
    await waitForChart(page, 2, [0, 9, 18, 27, 36], "after End, slope 9 (the maximum)");
    assert.equal((await sliderState(page, 2)).readout, "9");
    await page.screenshot({ path: artifact("widgets-3-display-handle-at-9.png") });
  });

  it("precompute: the slider switches between the stored charts (a frontend link to a Stack of Output widgets)", async () => {
    await waitForChart(page, 3, [0, 2, 4, 6, 8], "after the run, the stored chart of slope 2");
    const handle = page.locator(".jp-Cell").nth(3).locator(".widget-slider .noUi-handle");
    await handle.scrollIntoViewIfNeeded();
    await handle.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await waitForChart(page, 3, [0, 4, 8, 12, 16], "after two ArrowRight presses, the stored chart of slope 4");
    assert.equal((await sliderState(page, 3)).readout, "4");
    await page.screenshot({ path: artifact("widgets-4-precomputed-at-4.png") });
  });

  it("the page logged no errors and asked for nothing outside the server", () => {
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  });
});
