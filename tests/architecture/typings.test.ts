/**
 * The library and the kernel run in Node, so they type-check against Node's typings alone: tsconfig.lib.json checks
 * `lib/` and `kernel/` without TypeScript's DOM library and without mocha's globals (tests and benches keep both, in
 * tsconfig.json). Code that runs in a browser page is passed as a function over `globalThis` or as a string.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./import-graph";

/** The compiler options of a tsconfig file (JSON without comments), as written in it. */
function compilerOptions(file: string): { lib?: string[]; types?: string[] } {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")).compilerOptions ?? {};
}

describe("typings: lib/ and kernel/ build against Node's typings only", function () {
  it("tsconfig.lib.json leaves out the DOM library and mocha's globals, and covers lib/ and kernel/", function () {
    const options = compilerOptions("tsconfig.lib.json");
    assert.deepEqual(options.lib, ["ES2022"]);
    assert.deepEqual(options.types, ["node"]);
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.lib.json"), "utf8"));
    assert.deepEqual(config.include, ["lib/**/*.ts", "kernel/**/*.ts"]);
  });

  it("type-checks lib/ and kernel/ with tsconfig.lib.json without an error", function () {
    this.timeout(600_000); // a full type check of the source; slow on a busy machine
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.lib.json"], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    assert.equal(result.status, 0, `lib/ or kernel/ needs the DOM or mocha typings:\n${output.slice(0, 8000)}`);
  });
});
