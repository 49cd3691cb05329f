/**
 * Static images of Plotly figures, drawn by plotly.js itself (`Plotly.toImage`) in Debian's headless Chromium through
 * playwright-core: the same renderer as the interactive chart, so the image shows exactly what the chart shows.
 * The report runner uses it to give every figure of an executed notebook an `image/png` that any viewer shows
 * (an untrusted classic Notebook, GitHub, VS Code without extensions).
 */
import * as fs from "fs";
import type { Browser, Page } from "playwright-core";
import { FigureSpec, plotlyJs } from "../viz/figure";

/** The Chromium the renderer launches: $TRAINLAB_CHROMIUM, else Debian's /usr/bin/chromium. */
function chromiumPath(): string {
  return process.env.TRAINLAB_CHROMIUM ?? "/usr/bin/chromium";
}

/** Flags for a headless Chromium on a machine without a sandbox, GPU or network. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Options of an image. */
export interface ImageOptions {
  /** Width in CSS pixels when the figure sets none (default 760). */
  width?: number;
  /** Height when the figure sets none (default 420). */
  height?: number;
  /** Device pixel ratio (default 1: small files; 2 for crisp images). */
  scale?: number;
}

/** Draws figures to images in one Chromium page holding plotly.js. Close it when done. */
export class FigureImageRenderer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  /**
   * Launches headless Chromium with plotly.js loaded in a blank page, offline (no request leaves the page).
   * `handleSignals: false` leaves SIGINT/SIGTERM/SIGHUP to the caller, which then closes the renderer itself (two
   * closes at once would kill Chromium before it removes its temporary files).
   * @throws Error naming the Chromium path and what to install when Chromium or playwright-core is missing.
   */
  static async launch(options: { handleSignals?: boolean } = {}): Promise<FigureImageRenderer> {
    const executable = chromiumPath();
    if (!fs.existsSync(executable))
      throw new Error(
        `Chromium is not at ${executable}: install Debian's chromium (apt-get install chromium) or set TRAINLAB_CHROMIUM to a Chromium binary.`,
      );
    let chromium: typeof import("playwright-core").chromium;
    try {
      chromium = (await import("playwright-core")).chromium;
    } catch (err) {
      throw new Error(`playwright-core is not installed (${(err as Error).message}): run npm ci.`, { cause: err });
    }
    const handle = options.handleSignals ?? true;
    const browser = await chromium.launch({
      executablePath: executable,
      headless: true,
      args: CHROMIUM_ARGS,
      handleSIGINT: handle,
      handleSIGTERM: handle,
      handleSIGHUP: handle,
    });
    try {
      const page = await browser.newPage();
      await page.route("**/*", (route) =>
        route.request().url().startsWith("data:") || route.request().url() === "about:blank"
          ? route.continue()
          : route.abort(),
      );
      await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>`);
      await page.addScriptTag({ content: plotlyJs() });
      const ok = await page.evaluate(() => typeof (globalThis as unknown as { Plotly?: unknown }).Plotly === "object");
      if (!ok) throw new Error("plotly.js did not define window.Plotly in Chromium.");
      return new FigureImageRenderer(browser, page);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /**
   * The figure as a PNG (base64, no data: prefix) of its own width and height (or the defaults).
   * @throws Error with plotly.js's message when the figure cannot be drawn.
   */
  async png(spec: FigureSpec, options: ImageOptions = {}): Promise<{ base64: string; width: number; height: number }> {
    const width = typeof spec.layout?.width === "number" ? spec.layout.width : (options.width ?? 760);
    const height = typeof spec.layout?.height === "number" ? spec.layout.height : (options.height ?? 420);
    const scale = options.scale ?? 1;
    const url = await this.page.evaluate(
      async ({ spec, width, height, scale }) => {
        const P = (globalThis as unknown as { Plotly: { toImage(fig: unknown, o: unknown): Promise<string> } }).Plotly;
        return P.toImage(
          { data: spec.data, layout: { ...spec.layout, width, height } },
          { format: "png", width, height, scale },
        );
      },
      { spec: { data: spec.data, layout: spec.layout ?? {} }, width, height, scale },
    );
    const prefix = "data:image/png;base64,";
    if (!url.startsWith(prefix)) throw new Error(`plotly.js returned no PNG (got ${url.slice(0, 40)}…).`);
    return { base64: url.slice(prefix.length), width, height };
  }

  /** Evaluates a function in the renderer's page (for tests that inspect how plotly.js laid a figure out). */
  get plotlyPage(): Page {
    return this.page;
  }

  /** Closes Chromium. */
  async close(): Promise<void> {
    await this.browser.close();
  }
}
