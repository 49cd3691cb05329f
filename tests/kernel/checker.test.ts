/**
 * The type checker's place in a real kernel process, with a real Jupyter client (jupyter_client): it
 * loads TypeScript and builds its first program beside the kernel's main thread, so kernel_info is
 * answered while it warms up, and the cells that follow are still checked. The kernel's trace
 * (TRAINLAB_KERNEL_TRACE=1) says in which state of the checker each kernel_info reply left; ordering
 * only, no clock (bench/kernel measures the times).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KernelClient } from "./client";

const states = (stderr: string): string[] =>
  [
    ...stderr.matchAll(
      /trace: kernel_info_reply \d+ ms after start \(\d+ after Node's bootstrap\), type checker (\w+)/g,
    ),
  ].map((m) => m[1]);

describe("kernel: the type checker warms up beside the main thread", function () {
  this.timeout(180_000);
  let kernel: KernelClient;
  // The kernels' cache folder (kernel/code-cache.ts), private to this test.
  const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-cache-home-"));
  const codeCaches = (): string[] => {
    const folder = path.join(cacheHome, "trainlab");
    return fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
  };
  /** Asks kernel_info until a reply says the checker is ready; returns the states the replies reported. */
  const untilReady = async (k: KernelClient): Promise<string[]> => {
    for (let i = 0; i < 5000 && !states(k.kernelStderr).includes("ready"); i++) {
      const r = await k.request("kernel_info_request", {}, "shell", { collect: false });
      assert.equal(r.reply.status, "ok");
    }
    return states(k.kernelStderr);
  };

  before(async () => {
    kernel = await KernelClient.start(undefined, { TRAINLAB_KERNEL_TRACE: "1", XDG_CACHE_HOME: cacheHome });
  });
  after(async () => {
    await kernel?.close();
    fs.rmSync(cacheHome, { recursive: true, force: true });
  });

  it("answers kernel_info while the checker is still warming up, then checks cells once it is ready", async () => {
    // Ask until a reply says the checker is ready (the first replies, to jupyter_client's own
    // kernel_info at start, come while TypeScript is still loading).
    const seen = await untilReady(kernel);
    assert.ok(seen.includes("warming"), `no kernel_info reply while the checker warmed up: ${seen.join(", ")}`);
    assert.ok(seen.includes("ready"), seen.join(", "));
    assert.ok(seen.indexOf("warming") < seen.indexOf("ready"));
    const typo = await kernel.execute("const n: number = 1;\nn.toFixd(2)");
    assert.equal(typo.reply.status, "error");
    assert.equal(typo.reply.ename, "TSError");
    // A cell that uses nothing from earlier cells is checked too.
    const wrong = await kernel.execute('"three" * 2');
    assert.equal(wrong.reply.status, "error");
    assert.equal(wrong.reply.ename, "TSError");
    const cell = await kernel.execute("[1, 2, 3].toSorted((a, b) => b - a)");
    assert.equal(cell.reply.status, "ok");
    assert.equal(cell.outputs.find((o) => o.msg_type === "execute_result")?.content.data["text/plain"], "[ 3, 2, 1 ]");
  });

  it("writes TypeScript's code cache once warm, and the next kernel uses it instead of writing it again", async () => {
    await untilReady(kernel);
    // Written just after the warm-up, off its path.
    for (let i = 0; i < 500 && codeCaches().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const written = codeCaches();
    assert.equal(written.length, 1, written.join(", "));
    assert.match(written[0], /^typescript-[0-9a-f]{24}\.v8cache$/);
    const cacheFile = path.join(cacheHome, "trainlab", written[0]);
    const before = fs.statSync(cacheFile).mtimeMs;
    const second = await KernelClient.start(undefined, { TRAINLAB_KERNEL_TRACE: "1", XDG_CACHE_HOME: cacheHome });
    try {
      await untilReady(second);
      const cell = await second.execute("const m: number = 2;\nm.toFixd(1)");
      assert.equal(cell.reply.ename, "TSError", "the checker loaded from the cache checks cells");
      assert.equal(fs.statSync(cacheFile).mtimeMs, before, "a kernel that found a valid cache does not rewrite it");
      assert.deepEqual(codeCaches(), written);
    } finally {
      await second.close();
    }
  });
});
