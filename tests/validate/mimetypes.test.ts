/**
 * Every validation result that has charts carries them as Plotly JSON too (one figure, subplots for several), beside
 * its HTML: JupyterLab (untrusted), VS Code and GitHub show no HTML scripts, and would otherwise show nothing.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DISPLAY, PLOTLY_MIME } from "../../lib/display";
import { LogisticRegression } from "../../lib/models";
import { calibration, drift, partialDependence, permutationImportance, robustness, slices } from "../../lib/validate";

const root = path.resolve(__dirname, "..", "..", "..");

function wine(): { X: number[][]; y: number[] } {
  const [header, ...lines] = fs
    .readFileSync(path.join(root, "tests", "fixtures", "datasets", "wine.csv"), "utf8")
    .trim()
    .split("\n");
  const target = header.split(",").indexOf("target");
  const rows = lines.map((l) => l.split(",").map(Number));
  return { X: rows.map((r) => r.filter((_, j) => j !== target)), y: rows.map((r) => r[target]) };
}

describe("validation results in every frontend", () => {
  it("carry their charts as one Plotly figure beside the HTML", async () => {
    const { X, y } = wine();
    const model = await new LogisticRegression({ C: 1 }).fit(X, y);
    const results = {
      calibration: calibration(model, X, y),
      slices: slices(model, X, y, { by: X.map((r) => (r[0] > 13 ? "high alcohol" : "low alcohol")) }),
      robustness: robustness(model, X, y, { trainX: X, trainY: y }),
      drift: drift(X.slice(0, 89), X.slice(89)),
      permutationImportance: permutationImportance(model, X, y, { repeats: 2 }),
      partialDependence: partialDependence(model, X, 0),
    };
    for (const [name, result] of Object.entries(results)) {
      const bundle = (result as unknown as { [DISPLAY](): Record<string, unknown> })[DISPLAY]();
      const figures = (result as unknown as { figures?: unknown[] }).figures ?? [];
      assert.ok(typeof bundle["text/html"] === "string", `${name}: HTML`);
      if (figures.length > 0) {
        const spec = bundle[PLOTLY_MIME] as { data: unknown[] } | undefined;
        assert.ok(spec && spec.data.length > 0, `${name}: ${figures.length} chart(s) but no ${PLOTLY_MIME}`);
      }
    }
  });
});
