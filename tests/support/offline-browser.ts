/**
 * Headless Debian Chromium for specs that look at pages as a person would, offline:
 * a fresh profile, the flags this machine needs, every request that is not file:// or data: blocked
 * and recorded, and script errors collected.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, BrowserContext, Page } from "playwright-core";

/** The Chromium flags for this sandboxed, network-less machine. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A page opened offline, with what it tried to fetch and the errors it logged. */
export interface OfflinePage {
  page: Page;
  /** URLs the page requested that were not local (all were refused). */
  blocked: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
}

/** A Chromium with a fresh --user-data-dir; `open` loads a local file offline. */
export interface OfflineBrowser {
  context: BrowserContext;
  open(file: string): Promise<OfflinePage>;
  close(): Promise<void>;
}

/** Launches headless Chromium (/usr/bin/chromium) with a fresh profile. */
export async function launchOfflineBrowser(): Promise<OfflineBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async open(file: string): Promise<OfflinePage> {
      const page = await context.newPage();
      const blocked: string[] = [];
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      await page.goto(file.startsWith("file:") ? file : `file://${path.resolve(file)}`);
      return { page, blocked, errors };
    },
    async close(): Promise<void> {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
