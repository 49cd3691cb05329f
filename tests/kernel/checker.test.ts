/**
 * The type checker's place in a real kernel process, with a real Jupyter client (jupyter_client): it
 * loads TypeScript and builds its first program beside the kernel's main thread, so kernel_info is
 * answered while it warms up, and the cells that follow are still checked. The kernel's trace
 * (TRAINLAB_KERNEL_TRACE=1) says in which state of the checker each kernel_info reply left; ordering
 * only, no clock (bench/kernel measures the times).
 */
import { strict as assert } from "assert";
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

  before(async () => {
    kernel = await KernelClient.start(undefined, { TRAINLAB_KERNEL_TRACE: "1" });
  });
  after(async () => {
    await kernel?.close();
  });

  it("answers kernel_info while the checker is still warming up, then checks cells once it is ready", async () => {
    // Ask until a reply says the checker is ready (the first replies, to jupyter_client's own
    // kernel_info at start, come while TypeScript is still loading).
    for (let i = 0; i < 5000 && !states(kernel.kernelStderr).includes("ready"); i++) {
      const r = await kernel.request("kernel_info_request", {}, "shell", { collect: false });
      assert.equal(r.reply.status, "ok");
    }
    const seen = states(kernel.kernelStderr);
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
});
