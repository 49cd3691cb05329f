/**
 * Imports in a real kernel process with a real Jupyter client (jupyter_client): ESM-only packages load
 * and are type-checked; a module can finish asynchronous set-up before the importing cell's code runs
 * (the kernel's library-neutral `awaitBeforeCell` hook); and trainlab uses that hook to choose the
 * training backend at import, so raw tfjs after `import { tf } from "trainlab"` runs on the chain's pick.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Execution, withKernel, Output, projectRoot } from "./client";

const result = (r: Execution): string | undefined =>
  r.outputs.find((o) => o.msg_type === "execute_result")?.content.data["text/plain"];
const streamText = (r: Execution): string =>
  r.outputs
    .filter((o: Output) => o.msg_type === "stream")
    .map((o) => String(o.content.text))
    .join("");
const ok = (r: Execution): Execution => {
  assert.equal(r.reply.status, "ok", JSON.stringify(r.reply));
  return r;
};

/** tfjs's warning when it falls back to its pure-JS cpu backend in Node. */
const CPU_BANNER = /looks like you are running TensorFlow\.js in Node\.js/;

describe("kernel: imports", function () {
  this.timeout(180_000);
  const kernel = withKernel();

  it("chooses the training backend as trainlab is imported: raw tf runs on wasm, reported once in the importing cell, with no cpu banner", async () => {
    const cells: Execution[] = [];
    const imported = ok(await kernel.execute('import { tf } from "trainlab";'));
    cells.push(imported);
    const report = streamText(imported);
    assert.match(
      report,
      /^trainlab backend: wasm \(SIMD on, \d+ threads?[^)]*\) · tfjs 4\.22\.0, tfjs-backend-wasm 4\.22\.0\n$/,
    );

    const backend = ok(await kernel.execute("tf.getBackend()"));
    cells.push(backend);
    assert.equal(result(backend), "'wasm'");

    const trained = ok(
      await kernel.execute(
        [
          "const net = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });",
          'net.compile({ optimizer: "sgd", loss: "meanSquaredError" });',
          "const fitted = await net.fit(tf.ones([8, 2]), tf.ones([8, 1]), { epochs: 2, verbose: 0 });",
          "[tf.getBackend(), fitted.epoch.length]",
        ].join("\n"),
      ),
    );
    cells.push(trained);
    assert.equal(result(trained), "[ 'wasm', 2 ]");

    const explicit = ok(
      await kernel.execute('import { ensureBackend } from "trainlab";\n(await ensureBackend()).name'),
    );
    cells.push(explicit);
    assert.equal(result(explicit), "'wasm'");
    cells.push(ok(await kernel.execute("1 + 1")));

    for (const cell of cells.slice(1)) assert.equal(streamText(cell), "", "nothing prints into a later cell");
    const everything = cells.map((c) => JSON.stringify(c.outputs)).join("\n");
    assert.doesNotMatch(everything, CPU_BANNER);
    assert.equal(everything.match(/trainlab backend:/g)?.length, 1, "the backend report is shown exactly once");
  });

  it("runs an ESM-only package (ml-kmeans) on real data and type-checks calls to it", async () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(projectRoot, "node_modules", "ml-kmeans", "package.json"), "utf8"),
    );
    assert.equal(manifest.type, "module", "ml-kmeans is an ES module package");
    assert.equal(manifest.main, undefined, "with no CommonJS entry");
    assert.equal(manifest.types, undefined, "and its types only reachable through its exports map");

    const clustered = ok(
      await kernel.execute(
        [
          'import { kmeans } from "ml-kmeans";',
          'import { loadDataset } from "trainlab";',
          'const iris = loadDataset("iris").objects() as Array<Record<string, number | string>>;',
          "const petals = iris.map((r) => [Number(r.petal_length), Number(r.petal_width)]);",
          "const km = kmeans(petals, 3, { seed: 1 });",
          "const majority = [0, 1, 2].map((c) => {",
          "  const counts = new Map<string, number>();",
          "  km.clusters.forEach((k, i) => { if (k === c) counts.set(String(iris[i].species), (counts.get(String(iris[i].species)) ?? 0) + 1); });",
          "  return Math.max(0, ...counts.values());",
          "});",
          "({ clusters: km.centroids.length, points: km.clusters.length, purity: majority.reduce((a, b) => a + b, 0) / iris.length })",
        ].join("\n"),
      ),
    );
    const summary = /\{ clusters: (\d+), points: (\d+), purity: ([\d.]+) \}/.exec(result(clustered) ?? "");
    assert.ok(summary, result(clustered));
    assert.equal(Number(summary[1]), 3);
    assert.equal(Number(summary[2]), 150);
    assert.ok(Number(summary[3]) > 0.9, `k-means on petal size separates the species (purity ${summary[3]})`);

    const badArgument = await kernel.execute('const again = kmeans(petals, "three", {});');
    assert.equal(badArgument.reply.status, "error");
    assert.equal(badArgument.reply.ename, "TSError");
    assert.match(
      badArgument.reply.evalue,
      /line 1:.*Argument of type 'string' is not assignable to parameter of type 'number'/,
    );

    const badResult = await kernel.execute("const names: string[] = km.clusters;");
    assert.equal(badResult.reply.ename, "TSError");
    assert.match(badResult.reply.evalue, /Type 'number\[\]' is not assignable to type 'string\[\]'/);
  });

  it("lets a module finish asynchronous set-up (awaitBeforeCell) before the importing cell's code, and within the cell that starts it", async () => {
    const imported = ok(await kernel.execute('import { setup, later } from "./async-setup";\nsetup.done'));
    assert.equal(result(imported), "true", "the cell's code ran after the module's set-up");
    assert.equal(streamText(imported), "async-setup: done\n");

    const started = ok(await kernel.execute('later(200);\n"registered"'));
    assert.equal(result(started), "'registered'");
    assert.equal(streamText(started), "async-setup: later settled\n", "set-up a cell starts finishes before its reply");

    const failed = await kernel.execute('later(100, "set-up failed: no data file");');
    assert.equal(failed.reply.status, "error");
    assert.equal(failed.reply.evalue, "set-up failed: no data file");

    const next = ok(await kernel.execute("2 + 2"));
    assert.equal(result(next), "4");
    assert.equal(streamText(next), "");
  });
});
