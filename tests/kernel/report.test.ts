/**
 * An executed notebook as an HTML report, opened in Chromium offline.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { launchOfflineBrowser } from "../support/offline-browser";
import { kernelName, privateHistoryFile, projectRoot, python } from "./client";

describe("kernel: executed notebook as an HTML report, seen in Chromium offline", function () {
  this.timeout(150_000);

  it("shows the table, the tensor and a drawn Plotly chart with no network", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-report-test-"));
    const notebook = path.join(projectRoot, "tests", "kernel", "report.ipynb");
    const run = spawnSync(
      python,
      [
        "-m",
        "nbconvert",
        "--to",
        "html",
        "--execute",
        `--ExecutePreprocessor.kernel_name=${kernelName}`,
        "--ExecutePreprocessor.timeout=120",
        "--output-dir",
        out,
        "--output",
        "report",
        notebook,
      ],
      {
        cwd: path.dirname(notebook),
        encoding: "utf8",
        env: { ...process.env, TRAINLAB_HISTORY_FILE: privateHistoryFile() },
        timeout: 140_000,
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const html = path.join(out, "report.html");
    assert.ok(fs.existsSync(html));

    const browser = await launchOfflineBrowser();
    try {
      const { page, blocked } = await browser.open(html);
      const table = page.locator("table.dataframe", { hasText: "Gentoo" }).first();
      await table.waitFor({ state: "visible", timeout: 30_000 });
      assert.match(
        await page.locator(".trainlab-table", { hasText: "Gentoo" }).first().innerText(),
        /3 rows × 2 columns/,
      );
      assert.match(await page.locator(".trainlab-tensor").first().innerText(), /shape\s*\[2, 3\]/);
      await page.locator(".plot-container svg.main-svg").first().waitFor({ state: "attached", timeout: 30_000 });
      const traces = await page.locator(".plot-container .scatterlayer .trace").count();
      assert.ok(traces >= 1, "the chart drew its scatter trace");
      const points = await page.locator(".plot-container .scatterlayer .trace path").count();
      assert.ok(points >= 1);
      assert.ok(
        blocked.every((u) => !/plot\.ly|plotly/.test(u)),
        `plotly was requested from the network: ${blocked.join(", ")}`,
      );
    } finally {
      await browser.close();
    }
  });
});
