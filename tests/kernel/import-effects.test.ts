/**
 * What importing trainlab does besides defining its exports, and nothing more: lib/index.ts starts the backend
 * selection and installs the display bundles of third-party types (arquero, tfjs, danfojs); lib/viz/renderers.ts
 * alone installs nothing, and nothing patches Node's module loader (danfojs frames get their bundles through the
 * kernel's explicit `onImport`, tested in a real kernel in kernel.test.ts).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "./client";

/** Runs `code` in a fresh Node process (from the project folder) and returns the JSON object it prints last. */
function fresh(code: string): Record<string, unknown> {
  const run = spawnSync(process.execPath, ["-e", code], {
    cwd: projectRoot,
    encoding: "utf8",
    env: { ...process.env, DIST: path.join(projectRoot, "dist") },
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
  // The backend selection reports itself on stdout too, possibly after the probe's line.
  const line = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  return JSON.parse(line ?? "{}") as Record<string, unknown>;
}

const PROBE = String.raw`
const Module = require("module");
const loader = Module._load;
const DISPLAY = Symbol.for("Jupyter.display");
const target = process.argv[1];
`;

describe("importing trainlab: its effects are explicit and listed", function () {
  this.timeout(150_000);

  it("lib/viz/renderers.ts alone installs nothing and leaves Node's module loader alone", () => {
    const r = fresh(`${PROBE}
      require(process.env.DIST + "/lib/viz/renderers.js");
      const tf = require("@tensorflow/tfjs");
      console.log(JSON.stringify({ loaderKept: Module._load === loader, tensorDisplay: typeof tf.Tensor.prototype[DISPLAY] }));`);
    assert.deepEqual(r, { loaderKept: true, tensorDisplay: "undefined" });
  });

  it("lib/index.ts installs the display bundles, still without touching the module loader; danfojs gets them when trainlab loads it", () => {
    const r = fresh(`${PROBE}
      const trainlab = require(process.env.DIST + "/lib/index.js");
      const aq = require("arquero");
      const before = typeof require("danfojs-node").DataFrame.prototype[DISPLAY];
      const frame = trainlab.toDanfo(aq.table({ a: [1, 2] }));
      console.log(JSON.stringify({
        loaderKept: Module._load === loader,
        tensor: typeof trainlab.tf.tensor([1])[DISPLAY],
        table: typeof aq.table({ a: [1] })[DISPLAY],
        danfoBefore: before,
        danfoAfter: typeof frame[DISPLAY],
      }));`);
    assert.deepEqual(r, {
      loaderKept: true,
      tensor: "function",
      table: "function",
      danfoBefore: "undefined",
      danfoAfter: "function",
    });
  });
});
