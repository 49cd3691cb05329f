/**
 * Driving a JupyterLab notebook page in the browser tests (jupyterlab*.test.ts): the Jupyter server and Chromium
 * of a test file and opening a notebook in them, picking the kernel, "Run all", adding and running cells, reading a
 * cell, its progress line, waiting until the kernel is idle, shutting down; and the notebooks/ folder's content.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createHash } from "crypto";
import { chromium, BrowserContext, Page } from "playwright-core";
import { CHROMIUM_ARGS } from "../support/offline-browser";
import { LabServer, projectRoot, startLabServer } from "./lab-server";

/** The kernel's display name, as the toolbar's kernel picker lists it. */
export const KERNEL = "TypeScript (trainlab)";
export const artifacts = path.join(projectRoot, "tests", "browser", "artifacts");
/** The tutorials' folder. */
export const notebooksDir = path.join(projectRoot, "notebooks");
/** The tutorials, by file name, in order. */
export const notebooks = fs
  .readdirSync(notebooksDir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

/** Every entry of notebooks/ with the sha256 of its content, to check the run wrote nothing there. */
export function notebooksFolder(): Record<string, string> {
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

/** A notebook page and what went wrong on it: console errors, blocked requests, failed requests. */
export interface Opened {
  page: Page;
  errors: string[];
  blocked: string[];
  /** HTTP responses with status >= 400, as "STATUS PATH". */
  failed: string[];
}

/** The path of a screenshot in tests/browser/artifacts/ (the folder made when missing). */
export function artifact(name: string): string {
  fs.mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}

/** Clicks the last cell, inserts a cell below it with the toolbar's "+" and types `code` into it. */
export async function appendCell(page: Page, code: string): Promise<void> {
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
export function cellAt(
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
export function activeIndex(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { trainlabLab: { panel: { content: { activeCellIndex: number } } } }).trainlabLab.panel
        .content.activeCellIndex,
  );
}

/** The text of the progress line of the cell at `index` ("" when it has none); scrolls it into view. */
export function progressLine(page: Page, index: number): Promise<string> {
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
export async function waitIdle(page: Page, timeout: number): Promise<void> {
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

/** Picks the trainlab kernel from the toolbar's kernel name, as in JupyterLab, and waits until it is idle. */
export async function pickKernel(page: Page): Promise<void> {
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
export async function runAll(page: Page): Promise<string> {
  await page.locator(".jp-Toolbar button", { hasText: "Run all" }).click();
  await page.waitForFunction(
    () => document.body.dataset.runAll === "ok" || document.body.dataset.runAll === "stopped",
    undefined,
    { timeout: 900_000, polling: 250 },
  );
  return page.evaluate(() => document.body.dataset.runAll ?? "");
}

/** Shuts the page's kernel down and closes the page (nothing when the page never opened). */
export async function shutDown(opened: Opened | undefined): Promise<void> {
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

/**
 * The Jupyter server and headless Chromium of one browser test file: registers their start (in a before hook) and
 * their stop (in an after hook) in the calling describe, and returns `open`, which opens a notebook page that
 * records console errors, failed requests and requests to other hosts (which it blocks).
 */
export function labSession(): { open(notebook: string): Promise<Opened> } {
  let server: LabServer;
  let context: BrowserContext;
  let profile: string;
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-lab-runs-"));

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

  return { open };
}
