/**
 * No module of `lib/` is imported for its side effects: a bare `import "./x"` runs whatever `x` does at load time
 * (registering kernels, classes or hooks) where no reader sees it, and breaks when someone removes an "unused"
 * import. Registration is a call where the thing is needed (as `runLoop` calls `registerWasmGradientKernels()`).
 * The bare imports still in the source are listed below, each with its reason; the list may only shrink.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { ROOT, sourceFiles } from "./import-graph";

/** Every bare import (`import "m"`) in a source text, as `file: specifier`. */
function bareImportsIn(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  return source.statements
    .filter((s): s is ts.ImportDeclaration => ts.isImportDeclaration(s) && s.importClause === undefined)
    .map((s) => `${file}: ${(s.moduleSpecifier as ts.StringLiteral).text}`);
}

/** Every bare import of a root-relative source file. */
const bareImports = (file: string): string[] => bareImportsIn(file, fs.readFileSync(path.join(ROOT, file), "utf8"));

/**
 * The bare imports in `lib/` that remain, as `file: specifier`, with the reason each is still one. A new bare
 * import fails the test; a removed one must be removed from here. Empty is the goal.
 */
const KNOWN_BARE_IMPORTS: Readonly<Record<string, string>> = {
  "lib/kernels/native/index.ts: ./gradients":
    "registers the native pack's Relu gradient override in tfjs's global gradient registry (owned by the kernels work)",
  "lib/kernels/native/index.ts: ./recurrent":
    "redirects tf.layers.lstm/gru to the fused native kernels while the pack is active (owned by the kernels work)",
  "lib/models/nn/architectures.ts: ./layers":
    "registers the custom layers with tfjs's serialization before a network is built or loaded (owned by the models work)",
  "lib/models/load.ts: ./linear": "registers the linear estimators with loadModel (owned by the models work)",
  "lib/models/load.ts: ./trees": "registers the tree estimators with loadModel (owned by the models work)",
  "lib/models/load.ts: ./boosting": "registers the boosting estimators with loadModel (owned by the models work)",
  "lib/models/load.ts: ./svm": "registers the SVM with loadModel (owned by the models work)",
  "lib/models/load.ts: ./naive-bayes": "registers the naive Bayes estimators with loadModel (owned by the models work)",
  "lib/models/load.ts: ./clustering": "registers the clustering estimators with loadModel (owned by the models work)",
};

describe("side effects: no lib/ module is imported only to run its load-time code", function () {
  const found = sourceFiles("lib").flatMap(bareImports);

  it("tells a bare import from a default, type-only or empty named import", function () {
    const text =
      'import "./a";\nimport b from "./b";\nimport type { C } from "./c";\nimport {} from "./d";\nimport "e";\n';
    assert.deepEqual(bareImportsIn("x.ts", text), ["x.ts: ./a", "x.ts: e"]);
  });

  it("has no bare import in lib/ beyond the listed, shrinking set", function () {
    const unlisted = found.filter((key) => KNOWN_BARE_IMPORTS[key] === undefined);
    assert.deepEqual(unlisted, [], "bare imports in lib/ (make the registration an explicit call where it is needed)");
    const stale = Object.keys(KNOWN_BARE_IMPORTS).filter((key) => !found.includes(key));
    assert.deepEqual(stale, [], "listed bare imports that no longer exist (remove them from KNOWN_BARE_IMPORTS)");
  });

  it("lib/train registers the wasm gradient kernels by a call, not by importing their module", function () {
    assert.ok(!found.some((key) => key.startsWith("lib/train/")), "lib/train has a bare import");
    const loop = fs.readFileSync(path.join(ROOT, "lib", "train", "loop.ts"), "utf8");
    assert.match(loop, /^\s+registerWasmGradientKernels\(\);$/m, "runLoop calls registerWasmGradientKernels()");
  });
});
