/**
 * What the kernel's main thread loads, read from Node's module cache: the protocol layer that answers kernel_info
 * loads neither the executor nor TypeScript (a fresh process), and running cells in a real kernel never loads
 * TypeScript on the main thread either: checking, compiling and instrumenting cells happen in the checker's thread.
 * No timing is asserted: what loads is.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot, withKernel } from "./client";

/** The project-relative files (and packages) in the module cache after requiring `entry` in a fresh Node. */
function loadedBy(entry: string): string[] {
  const code = `require(${JSON.stringify(path.join(projectRoot, entry))});
    console.log(JSON.stringify(Object.keys(require.cache)));`;
  const run = spawnSync(process.execPath, ["-e", code], { cwd: projectRoot, encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const files = JSON.parse(run.stdout.trim().split("\n").pop() ?? "[]") as string[];
  return files.map((f) => path.relative(projectRoot, f));
}

const isTypeScript = (f: string): boolean => /node_modules[/\\]typescript[/\\]/.test(f);

describe("kernel: what the main thread loads", function () {
  this.timeout(120_000);

  it("the protocol layer (kernel/server.ts) loads no executor, converter or TypeScript", () => {
    const loaded = loadedBy("dist/kernel/server.js");
    assert.ok(loaded.includes(path.join("dist", "kernel", "server.js")), "the probe sees the kernel's own files");
    const heavy = loaded.filter(
      (f) =>
        /dist[/\\]kernel[/\\](executor|converter|checker|cell-emit|cell-info|await-gate)\.js$/.test(f) ||
        isTypeScript(f),
    );
    assert.deepEqual(heavy, [], "loaded before the first cell");
  });

  describe("in a real kernel", () => {
    const kernel = withKernel();

    it("runs instrumented cells (a loop, an await, a function) without loading TypeScript on the main thread", async () => {
      assert.equal(
        await kernel.value(
          "let spun = 0;\nfor (let i = 0; i < 3; i++) { await null; spun += [1].map((x) => x * 2)[0]; }\nspun",
        ),
        "6",
      );
      const loaded = await kernel.value(
        'Object.keys((require("module") as unknown as { _cache: object })._cache).filter((f) => /node_modules[/\\\\]typescript[/\\\\]/.test(f)).length',
      );
      assert.equal(loaded, "0", "TypeScript modules in the main thread's module cache");
    });
  });
});
