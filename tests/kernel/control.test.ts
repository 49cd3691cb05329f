/**
 * The control channel in a real kernel process with a real Jupyter client (jupyter_client): per the
 * messaging spec, control requests never wait behind a running cell. A shutdown_request interrupts the
 * running cell (which gets its execute_reply), is answered, and the process exits; kernel_info on
 * control is answered while the cell keeps running. When nothing can interrupt the main thread, the
 * control thread answers the shutdown itself and ends the process. Time limits are generous: before this worked, the
 * replies never came while the cell ran.
 */
import { strict as assert } from "assert";
import { Json, KernelClient } from "./client";

/** Generous bounds: a prompt answer takes milliseconds; a queued one takes as long as the cell (forever here). */
const PROMPT_SECONDS = 5;
const EXIT_SECONDS = 10;

interface ShellReply {
  parent: string;
  content: Json;
}

describe("kernel: control requests are answered while a cell runs", function () {
  this.timeout(120_000);

  for (const { kind, code, started } of [
    {
      kind: "an asynchronous loop",
      code: 'let ticks = 0;\nconsole.log("looping");\nwhile (true) { ticks++; await new Promise((r) => setTimeout(r, 10)); }',
      started: { waitFor: "looping", thenSleep: 0 },
    },
    // A synchronous loop blocks the main thread, so its output never flushes: wait for its busy status, then a second.
    {
      kind: "a synchronous busy loop",
      code: "let spins = 0;\nwhile (true) { spins++; }",
      started: { waitFor: "busy", thenSleep: 1 },
    },
  ]) {
    it(`answers kernel_info on control, and shutdown interrupts ${kind}, replies and exits`, async () => {
      const kernel = await KernelClient.start();
      try {
        const running = await kernel.submit(code, started.waitFor, started.thenSleep);
        assert.ok(running.seen, "the long cell started");

        // While a synchronous loop blocks the main thread, its busy/idle status cannot be published: only the reply is awaited.
        const info = await kernel.request("kernel_info_request", {}, "control", { collect: false, timeout: 20 });
        assert.equal(info.reply_type, "kernel_info_reply");
        assert.equal(info.reply.status, "ok");
        assert.equal(info.reply.implementation, "trainlab");
        assert.ok(info.reply_seconds < PROMPT_SECONDS, `kernel_info_reply took ${info.reply_seconds} s`);

        const bye = await kernel.command({ op: "shutdown", timeout: 20 });
        assert.equal(bye.reply_type, "shutdown_reply");
        assert.equal(bye.reply.status, "ok");
        assert.equal(bye.reply.restart, false);
        assert.ok(bye.reply_seconds < PROMPT_SECONDS, `shutdown_reply took ${bye.reply_seconds} s`);
        assert.equal(bye.alive_after, false, "the kernel process exited");
        assert.ok(bye.exit_seconds < EXIT_SECONDS, `the kernel took ${bye.exit_seconds} s to exit`);
        // The main thread interrupted the cell before exiting (it was not killed from outside).
        const cell = (bye.shell_replies as ShellReply[]).find((r) => r.parent === running.msg_id);
        assert.ok(cell, `the running cell got its execute_reply: ${JSON.stringify(bye.shell_replies)}`);
        assert.equal(cell.content.status, "error");
        assert.equal(cell.content.ename, "Interrupted");
      } finally {
        await kernel.close();
      }
    });
  }

  it("still answers shutdown and ends the process when the main thread is stuck where SIGINT cannot reach", async () => {
    const kernel = await KernelClient.start();
    try {
      // The loop runs in a timer callback, outside the cell's interruptible script: only ending the process stops it.
      const running = await kernel.submit(
        'setTimeout(() => { while (true) {} }, 200);\nconsole.log("armed");\nawait new Promise((r) => setTimeout(r, 600000));',
        "armed",
        1,
      );
      assert.ok(running.seen, "the cell started");
      const bye = await kernel.command({ op: "shutdown", timeout: 20 });
      assert.equal(bye.reply_type, "shutdown_reply");
      assert.equal(bye.reply.status, "ok");
      assert.ok(bye.reply_seconds < 2 * EXIT_SECONDS, `shutdown_reply took ${bye.reply_seconds} s`);
      assert.equal(bye.alive_after, false, "the kernel process ended");
    } finally {
      await kernel.close();
    }
  });
});
