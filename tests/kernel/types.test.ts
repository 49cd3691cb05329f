/**
 * Types in a real kernel process with a real Jupyter client (jupyter_client):
 * - a value keeps its full type in every later cell when the notebook lives outside the project folder
 *   (as a user's own notebooks do): inspection shows it, completion offers its members, a typo is a type error;
 * - cells are checked with the project's current TypeScript (not tslab's 2023 fork), which the kernel reports.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Execution, withKernel, Output, projectRoot } from "./client";

const ok = (r: Execution): Execution => {
  assert.equal(r.reply.status, "ok", JSON.stringify(r.reply) + JSON.stringify(r.outputs));
  return r;
};
/** Everything a failed cell showed: stderr streams and error tracebacks. */
const errorText = (r: Execution): string =>
  r.outputs
    .map((o: Output) =>
      o.msg_type === "stream"
        ? String(o.content.text)
        : o.msg_type === "error"
          ? [o.content.evalue, ...(o.content.traceback ?? [])].join("\n")
          : "",
    )
    .join("\n");
const result = (r: Execution): string | undefined =>
  r.outputs.find((o) => o.msg_type === "execute_result")?.content.data["text/plain"];

/** The TypeScript the project builds with (package.json's `typescript`). */
const projectTs = (
  JSON.parse(fs.readFileSync(path.join(projectRoot, "node_modules", "typescript", "package.json"), "utf8")) as {
    version: string;
  }
).version;

describe("kernel: types between cells, in a notebook folder outside the project", function () {
  this.timeout(240_000);
  let folder: string;
  const kernel = withKernel({
    cwd: () => {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-notebook-"));
      return folder;
    },
  });

  const inspect = async (code: string): Promise<string> => {
    const r = await kernel.request("inspect_request", { code, cursor_pos: code.length, detail_level: 0 });
    assert.equal(r.reply.status, "ok");
    assert.equal(r.reply.found, true, `nothing found for ${code}`);
    return String(r.reply.data["text/plain"]);
  };
  const complete = async (code: string): Promise<string[]> => {
    const r = await kernel.request("complete_request", { code, cursor_pos: code.length });
    assert.equal(r.reply.status, "ok");
    return r.reply.matches as string[];
  };

  before(async () => {
    assert.ok(path.relative(projectRoot, folder).startsWith(".."), "the folder must be outside the checkout");
    const rows = ["a,b,y"];
    for (let i = 0; i < 16; i++) rows.push(`${i},${(i * 7) % 5},${i % 2}`);
    fs.writeFileSync(path.join(folder, "t.csv"), rows.join("\n") + "\n");
    ok(await kernel.execute('import { loadCSV, toMatrix, mlp, train } from "trainlab";'));
    ok(await kernel.execute('const t = await loadCSV("t.csv");\nconst X = toMatrix(t.select("a", "b"));'));
    ok(await kernel.execute("const net = mlp({ hiddenUnits: [4], epochs: 2, seed: 1 });"));
    ok(
      await kernel.execute(
        "const history = await train(net, { x: X, y: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1] }, { epochs: 2, live: 'none' });",
      ),
    );
  });
  after(() => {
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("shows a matrix from toMatrix as Matrix in a later cell, never any", async () => {
    const text = await inspect("X");
    assert.match(text, /X: Matrix\b/, text);
    assert.doesNotMatch(text, /X: any\b/);
  });

  it("shows the estimator from mlp() and the History from train() with their own types", async () => {
    const net = await inspect("net");
    assert.match(net, /net: NeuralClassifier<MlpParams>/, net);
    const history = await inspect("history");
    assert.match(history, /history: History\b/, history);
  });

  it("completes members of values from earlier cells", async () => {
    assert.ok((await complete("history.bestE")).includes("bestEpoch"));
    assert.ok((await complete("X.")).includes("rows"));
  });

  it("reports a misspelt member as a type error instead of computing NaN", async () => {
    const r = await kernel.execute("history.bestEpok + 1");
    assert.equal(r.reply.status, "error");
    assert.match(errorText(r), /Property 'bestEpok' does not exist on type 'History'/);
    assert.equal(result(ok(await kernel.execute("history.epochs.length"))), "2");
  });

  // Library declaration files are parsed without their JSDoc (kernel/library-docs.ts); quick info reads it back.
  it("shows the documentation of library names: trainlab's, tfjs's, Node's and TypeScript's own", async () => {
    ok(await kernel.execute('import { tf } from "trainlab";\nimport * as fs from "fs";'));
    const loadCsv = await inspect("loadCSV");
    assert.match(loadCsv, /function loadCSV\(file: string/, loadCsv);
    assert.match(loadCsv, /Loads a CSV file\./, loadCsv);
    assert.match(loadCsv, /@throws Error/, loadCsv);
    assert.match(await inspect("tf.tensor"), /Creates a `tf\.Tensor` with the provided values, shape and dtype\./);
    assert.match(await inspect("tf.layers.dense"), /Creates a dense \(fully connected\) layer\./);
    assert.match(await inspect("fs.readFileSync"), /Returns the contents of the `path`\./);
    const max = await inspect("Math.max");
    assert.match(max, /Returns the larger of a set of supplied numeric expressions\./, max);
    assert.match(max, /@param values Numeric expressions to be evaluated\./, max);
    // A member documented only in its base class or interface gets that documentation, as in an editor.
    ok(await kernel.execute('import { LinearRegression } from "trainlab";\nconst lr = new LinearRegression();'));
    assert.match(await inspect("lr.fit"), /Learns from training data\./);
    assert.match(await inspect("lr.predict"), /Predictions: class labels \(classifiers\), values \(regressors\)/);
    // A cell's own documentation comments are parsed as before.
    ok(await kernel.execute("/** Doubles a number. */\nfunction twice(n: number): number { return 2 * n; }"));
    assert.match(await inspect("twice"), /Doubles a number\./);
  });
});

describe("kernel: the TypeScript that checks cells", function () {
  this.timeout(180_000);
  const kernel = withKernel();

  it("is the project's own TypeScript (5.9 or later), and kernel_info says which", async () => {
    const [major, minor] = projectTs.split(".").map(Number);
    assert.ok(major > 5 || (major === 5 && minor >= 9), `the project builds with TypeScript ${projectTs}`);
    const info = await kernel.request("kernel_info_request");
    assert.equal(info.reply.language_info.version, projectTs);
    assert.match(String(info.reply.banner), new RegExp(`TypeScript ${projectTs.replace(/\./g, "\\.")}\\b`));
  });

  it("checks and runs `using` declarations, disposing at the end of the block", async () => {
    const r = ok(
      await kernel.execute(
        [
          "const log: string[] = [];",
          "{",
          '  using res = { [Symbol.dispose]() { log.push("disposed"); } };',
          '  log.push("used");',
          "}",
          'log.join(",")',
        ].join("\n"),
      ),
    );
    assert.equal(result(r), "'used,disposed'");
  });

  it("knows NoInfer: a call that only NoInfer rejects is a type error, a good call runs", async () => {
    ok(await kernel.execute("function pick<T extends string>(all: T[], chosen: NoInfer<T>): T { return chosen; }"));
    assert.equal(result(ok(await kernel.execute('pick(["red", "blue"], "blue")'))), "'blue'");
    const bad = await kernel.execute('pick(["red", "blue"], "green")');
    assert.equal(bad.reply.status, "error");
    assert.match(errorText(bad), /Argument of type '"green"' is not assignable to parameter of type '"red" \| "blue"'/);
  });

  it("has current library typings (ES2023 arrays: toSorted, findLast)", async () => {
    const r = ok(
      await kernel.execute(
        'const sorted: number[] = [3, 1, 2].toSorted((a, b) => a - b);\n[sorted.join(","), [1, 2, 3].findLast((v) => v < 3)]',
      ),
    );
    assert.equal(result(r), "[ '1,2,3', 2 ]");
  });
});
