/**
 * The code cache the type checker loads TypeScript with (kernel/code-cache.ts), each case in fresh Node processes
 * (as kernels are): the first process compiles from source and writes the cache, the next ones use it; a corrupt or
 * truncated cache is rejected by V8 and the module still loads and works; a changed module never gets the old
 * cache; no temporary file is ever left, and a cache folder that cannot be written costs nothing but the time.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const codeCache = path.resolve(__dirname, "..", "..", "kernel", "code-cache.js");

/** Loads `file` through the code cache in a fresh Node process, calls its `answer()`, saves; returns what it saw. */
function load(file: string, folder: string): { cache: string; answer: number } {
  const script = `
    const { requireWithCodeCache } = require(${JSON.stringify(codeCache)});
    const m = requireWithCodeCache(${JSON.stringify(file)}, "/", ${JSON.stringify(folder)});
    const again = require(${JSON.stringify(file)});
    if (again !== m.exports) throw new Error("require() did not return the instance the code cache loaded");
    m.save();
    console.log(JSON.stringify({ cache: m.cache, answer: m.exports.answer() }));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { cache: string; answer: number };
}

/** A module with enough code for V8 to cache: `answer()` returns `value`. */
function writeModule(file: string, value: number): void {
  const helpers = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x + ${i} - ${i}; }`).join("\n");
  fs.writeFileSync(file, `${helpers}\nexports.answer = () => f199(${value});\n`);
}

describe("kernel: TypeScript loads with V8's code cache", function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let folder: string;
  const caches = (): string[] => fs.readdirSync(folder).sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-code-cache-"));
    file = path.join(dir, "compiler.js");
    folder = path.join(dir, "cache");
    writeModule(file, 42);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("compiles from source the first time and writes the cache, which the next processes use", () => {
    assert.deepEqual(load(file, folder), { cache: "missing", answer: 42 });
    const written = caches();
    assert.equal(written.length, 1);
    assert.match(written[0], /^compiler-[0-9a-f]{24}\.v8cache$/);
    const mtime = fs.statSync(path.join(folder, written[0])).mtimeMs;
    assert.deepEqual(load(file, folder), { cache: "used", answer: 42 });
    assert.deepEqual(load(file, folder), { cache: "used", answer: 42 });
    assert.deepEqual(caches(), written, "a process that used the cache wrote nothing");
    assert.equal(fs.statSync(path.join(folder, written[0])).mtimeMs, mtime);
  });

  it("rejects a corrupt or truncated cache, loads the module from source, and writes a good cache", () => {
    load(file, folder);
    const [name] = caches();
    const cacheFile = path.join(folder, name);
    const good = fs.readFileSync(cacheFile);
    const corrupt = Buffer.from(good);
    for (let i = 0; i < 64; i++) corrupt[i] ^= 0xff;
    for (const bad of [corrupt, good.subarray(0, good.length >> 1), Buffer.alloc(0)]) {
      fs.writeFileSync(cacheFile, bad);
      const seen = load(file, folder);
      assert.equal(seen.answer, 42);
      assert.ok(seen.cache === "rejected" || seen.cache === "missing", seen.cache);
      assert.deepEqual(caches(), [name]);
      assert.deepEqual(load(file, folder), { cache: "used", answer: 42 }, "the rewritten cache is valid");
    }
  });

  it("never gives a changed module the old cache, and removes the old module's cache", () => {
    load(file, folder);
    const [old] = caches();
    writeModule(file, 7);
    assert.deepEqual(load(file, folder), { cache: "missing", answer: 7 });
    const now = caches();
    assert.equal(now.length, 1);
    assert.notEqual(now[0], old);
  });

  it("loads normally and leaves no file behind when the cache folder cannot be written", () => {
    // A file where the folder should be: every write fails, whoever runs the test.
    const blocked = path.join(dir, "blocked");
    fs.writeFileSync(blocked, "");
    assert.deepEqual(load(file, path.join(blocked, "cache")), { cache: "missing", answer: 42 });
    assert.deepEqual(fs.readdirSync(dir).sort(), ["blocked", "compiler.js"]);
  });
});
