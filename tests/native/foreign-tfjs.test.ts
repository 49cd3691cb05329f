/**
 * A package that brings its own tfjs bundle must not silently undo the native pack's gradient overrides. danfojs-node
 * loads `@tensorflow/tfjs-node` (here an alias of the whole tfjs bundle), which re-registers tfjs's stock gradients
 * into the one global registry when it loads: after a `toDanfo()`, Softmax's backward ran tfjs's six kernels again
 * instead of the pack's one (found by the loss-gradient tests failing after the data tests in the full suite).
 * Run in a fresh Node process, so danfojs really loads after the pack.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..", "..");

describe("native kernel pack: gradient overrides survive a second tfjs bundle (danfojs)", function () {
  this.timeout(120000);

  it("loading danfojs through toDanfo() leaves every override of the pack in place", () => {
    const script = `
      const tf = require("@tensorflow/tfjs");
      require("./dist/lib/kernels/native");
      const names = ["Relu", "Softmax", "ClipByValue", "Log", "RealDiv"];
      const ours = names.map((n) => tf.getGradient(n).gradFunc);
      const aq = require("arquero");
      require("./dist/lib/data/load").toDanfo(aq.table({ a: [1, 2] }));
      const danfoLoaded = Object.keys(require.cache).some((f) => /[\\\\/]danfojs-node[\\\\/]/.test(f));
      console.log(JSON.stringify({ danfoLoaded, kept: names.filter((n, i) => tf.getGradient(n).gradFunc === ours[i]) }));`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { danfoLoaded: boolean; kept: string[] };
    assert.ok(out.danfoLoaded, "danfojs-node was loaded");
    assert.deepEqual(out.kept, ["Relu", "Softmax", "ClipByValue", "Log", "RealDiv"]);
  });
});
