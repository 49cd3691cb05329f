/**
 * Readers of atomically written folders (lib/core/files `readableDir`): a model loaded while its writer is between
 * renaming the old folder aside and the new one in still loads a complete version. Real data: scikit-learn's
 * diabetes from tests/fixtures/datasets; the writer is a real child process stopped or killed in that window.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LinearRegression, loadModel } from "../../lib";

const FILES_MODULE = path.join(__dirname, "../../lib/core/files.js");

function fixture(name: string): { X: number[][]; y: number[] } {
  const file = path.join(__dirname, "..", "..", "..", "tests", "fixtures", "datasets", `${name}.csv`);
  const rows = fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",").map(Number));
  return { X: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
}

/**
 * Starts a child that re-saves `dir` with the files of `source` through the one atomic writer, and after renaming the
 * old folder aside (before renaming the new one in) prints "between" and then does `then` ("SIGKILL" or "SIGSTOP").
 */
function writerStoppedBetweenRenames(dir: string, source: string, then: "SIGKILL" | "SIGSTOP") {
  const script = `const files = require(${JSON.stringify(FILES_MODULE)}); const fs = require("fs");
    const rename = fs.renameSync;
    fs.renameSync = (from, to) => {
      rename(from, to);
      if (String(to).includes(".old-")) { fs.writeSync(1, "between\\n"); process.kill(process.pid, ${JSON.stringify(then)}); }
    };
    files.writeDirAtomically(${JSON.stringify(dir)}, (tmp) => fs.cpSync(${JSON.stringify(source)}, tmp, { recursive: true }));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<string | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  const between = new Promise<void>((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("between\n")) resolve();
    });
  });
  return { child, between, exited };
}

describe("readers of atomically written folders: a load between the writer's two renames finds a complete version", () => {
  const diabetes = fixture("diabetes");
  const probe = diabetes.X.slice(0, 5);
  let root: string;
  let dir: string;
  let newer: string;
  let oldPredictions: number[];
  let newPredictions: number[];

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-atomic-read-"));
    dir = path.join(root, "model");
    newer = path.join(root, "newer");
    const old = await new LinearRegression().fit(diabetes.X.slice(0, 200), diabetes.y.slice(0, 200));
    const recent = await new LinearRegression().fit(diabetes.X.slice(200), diabetes.y.slice(200));
    await old.save(dir);
    await recent.save(newer);
    oldPredictions = old.predict(probe);
    newPredictions = recent.predict(probe);
    assert.notDeepEqual(oldPredictions, newPredictions, "the two versions must be told apart");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("loads the old model, and puts it back, when the writer died between its renames", async function () {
    this.timeout(60000);
    const writer = writerStoppedBetweenRenames(dir, newer, "SIGKILL");
    assert.equal(await writer.exited, "SIGKILL");
    assert.ok(!fs.existsSync(dir), "the crash left the model folder renamed aside");
    const loaded = await loadModel(dir);
    assert.deepEqual(loaded.predict(probe), oldPredictions);
    assert.ok(fs.existsSync(path.join(dir, "model.json")), "the dead writer's swap is undone: the old folder is back");
    assert.deepEqual(fs.readdirSync(root).sort(), ["model", "newer"], "no temporaries are left");
  });

  it("loads the old model the live writer renamed aside while it is stopped between its renames", async function () {
    this.timeout(60000);
    const writer = writerStoppedBetweenRenames(dir, newer, "SIGSTOP");
    try {
      await writer.between;
      assert.ok(!fs.existsSync(dir), "the writer is in the window: the model folder is missing");
      const loaded = await loadModel(dir);
      assert.deepEqual(loaded.predict(probe), oldPredictions);
      assert.ok(!fs.existsSync(dir), "a reader leaves a live writer's swap alone");
    } finally {
      writer.child.kill("SIGKILL");
    }
    assert.equal(await writer.exited, "SIGKILL");
    const after = await loadModel(dir);
    assert.deepEqual(after.predict(probe), oldPredictions, "once the writer is dead, its swap is undone");
  });

  it("loads the new model once the writer finishes", async function () {
    this.timeout(60000);
    const script = `const files = require(${JSON.stringify(FILES_MODULE)}); const fs = require("fs");
      files.writeDirAtomically(${JSON.stringify(dir)}, (tmp) => fs.cpSync(${JSON.stringify(newer)}, tmp, { recursive: true }));`;
    const child = spawn(process.execPath, ["-e", script], { stdio: "inherit" });
    assert.equal(await new Promise((resolve) => child.on("exit", resolve)), 0);
    assert.deepEqual((await loadModel(dir)).predict(probe), newPredictions);
    assert.deepEqual(fs.readdirSync(root).sort(), ["model", "newer"]);
  });
});
