/**
 * The tutorials in JupyterLab: a notebook page assembled from JupyterLab 3.6's own packages (services, rendermime,
 * output area, notebook panel, completer) and jupyterlab-plotly's mime renderer, served by Debian's jupyter_server
 * (tests/browser/jupyterlab, built by `.ci/setup.sh test`), driven in headless Chromium with nothing reachable but
 * the server. For every notebook, as a user would: open it, pick the trainlab kernel from the toolbar, press
 * "Run all" (TRAINLAB_FAST=1 in the server's, hence the kernel's, environment), then check what is on screen.
 * Screenshots go to tests/browser/artifacts/.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createHash } from "crypto";
import { chromium, BrowserContext, Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../support/offline-browser";
import { LabServer, projectRoot, startLabServer } from "./lab-server";

const PLOTLY = "application/vnd.plotly.v1+json";
const KERNEL = "TypeScript (trainlab)";
const artifacts = path.join(projectRoot, "tests", "browser", "artifacts");
const notebooksDir = path.join(projectRoot, "notebooks");
const notebooks = fs
  .readdirSync(notebooksDir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

/** Every entry of notebooks/ with the sha256 of its content, to check the run wrote nothing there. */
function notebooksFolder(): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(notebooksDir)
      .sort()
      .map((f) => {
        const file = path.join(notebooksDir, f);
        return [
          f,
          fs.statSync(file).isFile() ? createHash("sha256").update(fs.readFileSync(file)).digest("hex") : "folder",
        ];
      }),
  );
}

/** One output of a code cell, as the notebook model holds it and as the page shows it. */
interface OutputView {
  cell: number;
  output: number;
  type: string;
  mimes: string[];
  /** A trainlab chart: the plotly mimetype, or trainlab's HTML chart (`class="trainlab-plot"`). */
  chart: boolean;
  /** The chart's title, from the plotly JSON or the HTML's embedded figure. */
  title: string;
  /** A trainlab table (`class="trainlab-table"` in its HTML). */
  table: boolean;
  /** An SVG `.main-svg` drawn inside jupyterlab-plotly's renderer (`.jp-RenderedPlotly`). */
  plotlySvg: boolean;
  /** Rows of rendered table bodies in the output (`table.dataframe` of data frames, `table.trainlab-table` of results). */
  tableRows: number;
  ename?: string;
  evalue?: string;
}

interface NotebookState {
  kernelName: string;
  codeCells: number;
  /** Code cells without an execution count after the run. */
  unexecuted: number[];
  outputs: OutputView[];
}

/** A chart's states seen while cells ran: the points the model held and the points plotly had drawn. */
interface LiveSamples {
  [key: string]: { model: number[]; drawn: number[]; title: string };
}

interface Opened {
  page: Page;
  errors: string[];
  blocked: string[];
  /** HTTP responses with status >= 400, as "STATUS PATH". */
  failed: string[];
}

function artifact(name: string): string {
  fs.mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}

/** Reads the notebook model and the rendered outputs; tags each output node with data-trainlab-output="cC-oO". */
function readState(page: Page): Promise<NotebookState> {
  return page.evaluate((plotlyMime: string) => {
    interface OutputModel {
      type: string;
      data: Record<string, unknown>;
      toJSON(): Record<string, unknown>;
    }
    interface CellWidget {
      model: { type: string; executionCount?: number | null };
      outputArea: { model: { length: number; get(i: number): OutputModel }; widgets: readonly { node: HTMLElement }[] };
    }
    const lab = (
      window as unknown as {
        trainlabLab: {
          panel: { content: { widgets: readonly CellWidget[] }; sessionContext: { kernelDisplayName: string } };
        };
      }
    ).trainlabLab;
    const text = (v: unknown): string => (Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "");
    const outputs: OutputView[] = [];
    const unexecuted: number[] = [];
    let codeCells = 0;
    lab.panel.content.widgets.forEach((cell, ci) => {
      if (cell.model.type !== "code") return;
      codeCells++;
      if (cell.model.executionCount === null || cell.model.executionCount === undefined) unexecuted.push(ci + 1);
      const area = cell.outputArea;
      for (let oi = 0; oi < area.model.length; oi++) {
        const out = area.model.get(oi);
        const json = out.toJSON();
        const data = out.data ?? {};
        const html = text(data["text/html"]);
        const plotly = data[plotlyMime] as { layout?: { title?: { text?: string } | string } } | undefined;
        const plotlyTitle = plotly?.layout?.title;
        const htmlTitle = /"title":\s*\{\s*"text":\s*"((?:[^"\\]|\\.)*)"/.exec(html)?.[1] ?? "";
        const node = area.widgets[oi]?.node;
        node?.setAttribute("data-trainlab-output", `c${ci + 1}-o${oi}`);
        outputs.push({
          cell: ci + 1,
          output: oi,
          type: out.type,
          mimes: Object.keys(data).sort(),
          chart: plotlyMime in data || html.includes("trainlab-plot"),
          title: (typeof plotlyTitle === "string" ? plotlyTitle : plotlyTitle?.text) ?? htmlTitle,
          table: html.includes("trainlab-table"),
          plotlySvg: !!node?.querySelector(".jp-RenderedPlotly .main-svg"),
          // Rows of its HTML table; when JupyterLab draws the output's Plotly figure instead (a composite: table and
          // charts as one figure), the cells of the figure's table trace.
          tableRows: node
            ? node.querySelectorAll("table tbody tr").length ||
              node.querySelectorAll(".jp-RenderedPlotly .column-cell").length
            : 0,
          ename: typeof json.ename === "string" ? json.ename : undefined,
          evalue: typeof json.evalue === "string" ? json.evalue : undefined,
        });
      }
    });
    return { kernelName: lab.panel.sessionContext.kernelDisplayName, codeCells, unexecuted, outputs };
  }, PLOTLY);
}

/** Starts sampling every plotly output ~20 times a second: the model's points and the points plotly drew. */
async function startLiveSampler(page: Page): Promise<void> {
  await page.evaluate((plotlyMime: string) => {
    interface Trace {
      x?: ArrayLike<unknown>;
    }
    interface OutputModel {
      data: Record<string, unknown>;
    }
    interface CellWidget {
      model: { type: string };
      outputArea: { model: { length: number; get(i: number): OutputModel }; widgets: readonly { node: HTMLElement }[] };
    }
    const w = window as unknown as {
      trainlabLab: { panel: { content: { widgets: readonly CellWidget[] } } };
      trainlabLive: Record<string, { model: number[]; drawn: number[]; title: string }>;
      trainlabLiveTimer: number;
    };
    const points = (traces: readonly Trace[] | undefined) =>
      (traces ?? []).reduce((s, t) => s + (t.x ? t.x.length : 0), 0);
    const push = (list: number[], v: number) => {
      if (list[list.length - 1] !== v) list.push(v);
    };
    w.trainlabLive = {};
    w.trainlabLiveTimer = window.setInterval(() => {
      w.trainlabLab.panel.content.widgets.forEach((cell, ci) => {
        if (cell.model.type !== "code") return;
        const area = cell.outputArea;
        for (let oi = 0; oi < area.model.length; oi++) {
          const fig = area.model.get(oi).data[plotlyMime] as
            { data?: Trace[]; layout?: { title?: { text?: string } } } | undefined;
          if (!fig) continue;
          const key = `c${ci + 1}-o${oi}`;
          const entry = (w.trainlabLive[key] ??= { model: [], drawn: [], title: fig.layout?.title?.text ?? "" });
          push(entry.model, points(fig.data));
          const gd = area.widgets[oi]?.node.querySelector(".jp-RenderedPlotly") as
            (HTMLElement & { data?: Trace[] }) | null;
          if (gd?.data) push(entry.drawn, points(gd.data));
        }
      });
    }, 50);
  }, PLOTLY);
}

async function stopLiveSampler(page: Page): Promise<LiveSamples> {
  return page.evaluate(() => {
    const w = window as unknown as { trainlabLive: LiveSamples; trainlabLiveTimer: number };
    window.clearInterval(w.trainlabLiveTimer);
    return w.trainlabLive;
  });
}

function describeOutput(o: OutputView): string {
  return `cell ${o.cell}${o.title ? ` "${o.title}"` : ""} (mimetypes: ${o.mimes.join(", ")})`;
}

/** Clicks the last cell, inserts a cell below it with the toolbar's "+" and types `code` into it. */
async function appendCell(page: Page, code: string): Promise<void> {
  await page.evaluate(() => {
    const lab = (
      window as unknown as {
        trainlabLab: { panel: { content: { widgets: readonly unknown[]; activeCellIndex: number; mode: string } } };
      }
    ).trainlabLab;
    lab.panel.content.activeCellIndex = lab.panel.content.widgets.length - 1;
    lab.panel.content.mode = "command";
  });
  await page.click('.jp-Toolbar button[title="Insert a cell below"]');
  const editor = page.locator(".jp-Notebook .jp-Cell.jp-mod-active .CodeMirror");
  await editor.scrollIntoViewIfNeeded();
  await editor.click();
  await page.keyboard.type(code);
}

/** The text, execution count and outputs of the cell at `index` (0-based; the active cell when omitted). */
function cellAt(
  page: Page,
  index?: number,
): Promise<{ text: string; executionCount: number | null; outputs: { type: string; text: string; ename?: string }[] }> {
  return page.evaluate((at: number | null) => {
    interface OutputModel {
      type: string;
      data: Record<string, unknown>;
      toJSON(): Record<string, unknown>;
    }
    interface CellWidget {
      model: { value: { text: string }; executionCount: number | null };
      outputArea: { model: { length: number; get(i: number): OutputModel } };
    }
    const lab = (
      window as unknown as {
        trainlabLab: { panel: { content: { activeCell: CellWidget; widgets: readonly CellWidget[] } } };
      }
    ).trainlabLab;
    const cell = at === null ? lab.panel.content.activeCell : lab.panel.content.widgets[at];
    const outputs = [];
    for (let i = 0; i < cell.outputArea.model.length; i++) {
      const out = cell.outputArea.model.get(i);
      const json = out.toJSON();
      const plain = out.data["text/plain"];
      outputs.push({
        type: out.type,
        text: typeof json.text === "string" ? json.text : Array.isArray(plain) ? plain.join("") : String(plain ?? ""),
        ename: typeof json.ename === "string" ? json.ename : undefined,
      });
    }
    return { text: cell.model.value.text, executionCount: cell.model.executionCount, outputs };
  }, index ?? null);
}

/** The index of the active cell. */
function activeIndex(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { trainlabLab: { panel: { content: { activeCellIndex: number } } } }).trainlabLab.panel
        .content.activeCellIndex,
  );
}

/** The text of the progress line of the cell at `index` ("" when it has none); scrolls it into view. */
function progressLine(page: Page, index: number): Promise<string> {
  return page.evaluate((at: number) => {
    const lab = (
      window as unknown as { trainlabLab: { panel: { content: { widgets: readonly { node: HTMLElement }[] } } } }
    ).trainlabLab;
    const line = lab.panel.content.widgets[at].node.querySelector(".trainlab-progress");
    line?.scrollIntoView({ block: "center" });
    return line?.textContent ?? "";
  }, index);
}

/** Waits until no cell shows the busy prompt `[*]` and the kernel is idle. */
async function waitIdle(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const lab = (
        window as unknown as {
          trainlabLab: { panel: { sessionContext: { session: { kernel: { status: string } | null } | null } } };
        }
      ).trainlabLab;
      const prompts = Array.from(document.querySelectorAll(".jp-InputPrompt")).map((p) => p.textContent ?? "");
      return lab.panel.sessionContext.session?.kernel?.status === "idle" && !prompts.some((p) => p.includes("*"));
    },
    undefined,
    { timeout, polling: 250 },
  );
}

describe("JupyterLab 3.6 on Debian's jupyter_server: every tutorial runs with the trainlab kernel and shows its charts and tables", function () {
  this.timeout(20 * 60_000);
  let server: LabServer;
  let context: BrowserContext;
  let profile: string;
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-lab-runs-"));
  const folderBefore = notebooksFolder();

  before(async function () {
    this.timeout(180_000);
    server = await startLabServer({ rootDir: notebooksDir, env: { TRAINLAB_FAST: "1", TRAINLAB_RUNS_DIR: runsDir } });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-chromium-lab-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  });
  after(async function () {
    this.timeout(60_000);
    await context?.close();
    await server?.stop();
    for (const dir of [profile, runsDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(notebook: string): Promise<Opened> {
    const page = await context.newPage();
    const errors: string[] = [];
    const blocked: string[] = [];
    const failed: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${server.origin}/`) || url.startsWith("data:") || url.startsWith("blob:"))
        return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(server.pageUrl(notebook));
    await page.waitForSelector("body[data-notebook-ready], body[data-start-error]", { timeout: 120_000 });
    const startError = await page.evaluate(() => document.body.dataset.startError);
    assert.equal(startError, undefined, `the harness page failed to start: ${startError}`);
    return { page, errors, blocked, failed };
  }

  /** Picks the trainlab kernel from the toolbar's kernel name, as in JupyterLab, and waits until it is idle. */
  async function pickKernel(page: Page): Promise<void> {
    await page.click(".jp-Toolbar-kernelName");
    const dialog = page.locator(".jp-Dialog");
    await dialog.locator("select").selectOption({ label: KERNEL });
    await dialog.locator("button.jp-mod-accept").click();
    await page.waitForFunction(
      (name: string) => {
        const lab = (
          window as unknown as {
            trainlabLab: {
              panel: {
                sessionContext: { kernelDisplayName: string; session: { kernel: { status: string } | null } | null };
              };
            };
          }
        ).trainlabLab;
        const ctx = lab.panel.sessionContext;
        return ctx.kernelDisplayName === name && ctx.session?.kernel?.status === "idle";
      },
      KERNEL,
      { timeout: 120_000 },
    );
  }

  /** Presses "Run all" and waits until every cell ran or one stopped the run. */
  async function runAll(page: Page): Promise<string> {
    await page.locator(".jp-Toolbar button", { hasText: "Run all" }).click();
    await page.waitForFunction(
      () => document.body.dataset.runAll === "ok" || document.body.dataset.runAll === "stopped",
      undefined,
      { timeout: 900_000, polling: 250 },
    );
    return page.evaluate(() => document.body.dataset.runAll ?? "");
  }

  /** Waits (up to a minute) until every plotly output has drawn its SVG, then reads the notebook. */
  async function settledState(page: Page): Promise<NotebookState> {
    let state = await readState(page);
    for (let i = 0; i < 120 && state.outputs.some((o) => o.mimes.includes(PLOTLY) && !o.plotlySvg); i++) {
      await page.waitForTimeout(500);
      state = await readState(page);
    }
    return state;
  }

  async function shutDown(opened: Opened | undefined): Promise<void> {
    if (!opened) return;
    await opened.page
      .evaluate(() =>
        (
          window as unknown as { trainlabLab?: { panel: { sessionContext: { shutdown(): Promise<void> } } } }
        ).trainlabLab?.panel.sessionContext.shutdown(),
      )
      .catch(() => undefined);
    await opened.page.close();
  }

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
