/**
 * Specification of lib/core/files, the one atomic writer: a reader always finds a complete old or new version, and
 * no temporary survives a crash.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import nodeFs = require("fs");
import { recoverAtomicWrites, saveJsonAtomically, writeDirAtomically, writeFileAtomically } from "../../lib/core/files";

const FILES_MODULE = path.join(__dirname, "../../lib/core/files.js");

/** Runs `script` in a fresh node process that has `files` (lib/core/files) and `fs` loaded; resolves when it ends. */
function runChild(
  script: string,
  args: string[],
  onLine?: (line: string, kill: () => void) => void,
): Promise<{ code: number | null; signal: string | null }> {
  const child = spawn(
    process.execPath,
    ["-e", `const files = require(${JSON.stringify(FILES_MODULE)}); const fs = require("fs");\n${script}`, ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      onLine?.(line, () => child.kill("SIGKILL"));
    }
  });
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
}

/** The version a model folder holds: both of its files must agree, or it is not a complete version. */
function versionOf(dir: string): string | null {
  try {
    const a = fs.readFileSync(path.join(dir, "a.txt"), "utf8");
    const b = fs.readFileSync(path.join(dir, "b.txt"), "utf8");
    return a === b ? a : `mixed ${a}/${b}`;
  } catch {
    return null;
  }
}

/** The complete versions found anywhere in `parent` (the target and any temporaries beside it). */
function versionsIn(parent: string): string[] {
  return fs
    .readdirSync(parent)
    .map((n) => versionOf(path.join(parent, n)))
    .filter((v): v is string => v !== null);
}

async function writeVersion(dir: string, version: string): Promise<void> {
  await writeDirAtomically(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, "a.txt"), version);
    fs.writeFileSync(path.join(tmp, "b.txt"), version);
  });
}

describe("lib/core/files: the one atomic writer", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-atomic-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("writes a file, replaces it, and leaves nothing beside it", () => {
    const file = path.join(root, "sub", "x.json");
    saveJsonAtomically(file, { a: 1 });
    assert.equal(fs.readFileSync(file, "utf8"), '{\n  "a": 1\n}\n');
    writeFileAtomically(file, new Uint8Array([104, 105]));
    assert.equal(fs.readFileSync(file, "utf8"), "hi");
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["x.json"]);
  });

  it("keeps the old file and removes its temporary when writing fails", () => {
    const file = path.join(root, "x.txt");
    writeFileAtomically(file, "old");
    fs.mkdirSync(path.join(root, "blocker"));
    assert.throws(() => writeFileAtomically(path.join(root, "blocker"), "new"), /Could not write .*blocker/);
    assert.equal(fs.readFileSync(file, "utf8"), "old");
    assert.deepEqual(fs.readdirSync(root).sort(), ["blocker", "x.txt"]);
  });

  it("replaces a folder, keeps the old one when the writer throws, and leaves no temporary folder", async () => {
    const dir = path.join(root, "model");
    await writeVersion(dir, "v1");
    await writeVersion(dir, "v2");
    assert.equal(versionOf(dir), "v2");
    await assert.rejects(
      writeDirAtomically(dir, (tmp) => {
        fs.writeFileSync(path.join(tmp, "a.txt"), "v3");
        throw new Error("disk full");
      }),
      /disk full/,
    );
    assert.equal(versionOf(dir), "v2");
    assert.deepEqual(fs.readdirSync(root), ["model"]);
  });

  it("never has a moment in which neither the old nor the new folder is complete on disk", async () => {
    const dir = path.join(root, "model");
    await writeVersion(dir, "v1");
    const realRename = nodeFs.renameSync;
    const seen: string[][] = [];
    // The real module object (not the import's read-only view), so lib/core/files sees the patch.
    nodeFs.renameSync = (from: fs.PathLike, to: fs.PathLike) => {
      seen.push(versionsIn(root));
      realRename(from, to);
      seen.push(versionsIn(root));
    };
    try {
      await writeVersion(dir, "v2");
    } finally {
      nodeFs.renameSync = realRename;
    }
    assert.ok(seen.length >= 4, `the folder write renames twice (saw ${seen.length / 2})`);
    for (const versions of seen)
      assert.ok(
        versions.includes("v1") || versions.includes("v2"),
        `a complete version on disk: ${JSON.stringify(seen)}`,
      );
    assert.equal(versionOf(dir), "v2");
    assert.deepEqual(fs.readdirSync(root), ["model"]);
  });

  it("recovers from a process killed while it filled the new folder: the old folder stays, the next write removes the temporary", async function () {
    this.timeout(60000);
    const dir = path.join(root, "model");
    await writeVersion(dir, "v1");
    const script = `files.writeDirAtomically(process.argv[1], async (tmp) => {
      fs.writeFileSync(tmp + "/a.txt", "v2");
      console.log("half written");
      await new Promise((r) => setTimeout(r, 60000));
    });`;
    const exit = await runChild(script, [dir], (line, kill) => {
      if (line === "half written") kill();
    });
    assert.equal(exit.signal, "SIGKILL");
    assert.equal(versionOf(dir), "v1");
    assert.equal(
      fs.readdirSync(root).filter((n) => n.includes(".tmp-")).length,
      1,
      "the dead process left its temporary folder",
    );
    await writeVersion(dir, "v3");
    assert.equal(versionOf(dir), "v3");
    assert.deepEqual(fs.readdirSync(root), ["model"]);
  });

  it("recovers from a process killed between the two renames: the old folder comes back, then the new write lands", async function () {
    this.timeout(60000);
    const dir = path.join(root, "model");
    await writeVersion(dir, "v1");
    // The child dies right after renaming the old folder aside, before renaming the new one in.
    const script = `const rename = fs.renameSync;
      fs.renameSync = (from, to) => { rename(from, to); if (String(to).includes(".old-")) process.kill(process.pid, "SIGKILL"); };
      files.writeDirAtomically(process.argv[1], (tmp) => { fs.writeFileSync(tmp + "/a.txt", "v2"); fs.writeFileSync(tmp + "/b.txt", "v2"); });`;
    const exit = await runChild(script, [dir]);
    assert.equal(exit.signal, "SIGKILL");
    assert.ok(!fs.existsSync(dir), "the crash left the target renamed aside");
    assert.deepEqual(versionsIn(root).sort(), ["v1", "v2"], "both versions are still complete on disk");
    const repaired = recoverAtomicWrites(root);
    assert.equal(repaired.length, 2);
    assert.equal(versionOf(dir), "v1", "the old folder is back in place");
    assert.deepEqual(fs.readdirSync(root), ["model"]);
    await writeVersion(dir, "v3");
    assert.equal(versionOf(dir), "v3");
  });

  it("a write after such a crash repairs first, then replaces, and removes the dead process's temporary files", async function () {
    this.timeout(60000);
    const file = path.join(root, "runs.json");
    writeFileAtomically(file, "old");
    const script = `const rename = fs.renameSync; fs.renameSync = () => process.kill(process.pid, "SIGKILL");
      files.writeFileAtomically(process.argv[1], "new");`;
    const exit = await runChild(script, [file]);
    assert.equal(exit.signal, "SIGKILL");
    assert.equal(fs.readFileSync(file, "utf8"), "old");
    assert.equal(fs.readdirSync(root).length, 2, "the dead process left its synced temporary file");
    writeFileAtomically(file, "newer");
    assert.equal(fs.readFileSync(file, "utf8"), "newer");
    assert.deepEqual(fs.readdirSync(root), ["runs.json"]);
  });

  it("leaves the temporaries of a live process alone", () => {
    const live = path.join(root, `.x.tmp-${process.pid}-abc`);
    fs.mkdirSync(live);
    writeFileAtomically(path.join(root, "x"), "1");
    assert.ok(fs.existsSync(live));
  });
});
