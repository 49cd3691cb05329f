/**
 * Interrupts in a real kernel process with a real Jupyter client (jupyter_client): after a cell's
 * `Interrupted` reply, no code of that cell runs again (its timers, immediates and pending awaits are
 * dropped); loops that never return to the event loop (`while (true) { await null }`, a busy loop after
 * an `await`, a busy timer callback after the cell finished) are interruptible too; interrupting
 * training stops the cell like IPython's KeyboardInterrupt, and the model keeps what it reached. The
 * kernel's state is kept throughout. No wall-clock bound is asserted: waits only leave time for
 * something that must NOT happen.
 */
import { strict as assert } from "assert";
import { Execution, KernelClient } from "./client";

const streamText = (r: Execution): string =>
  r.outputs
    .filter((o) => o.msg_type === "stream")
    .map((o) => String(o.content.text))
    .join("");

describe("kernel: an interrupt stops the cell and everything it left running", function () {
  this.timeout(240_000);
  let kernel: KernelClient;

  before(async () => {
    kernel = await KernelClient.start();
    assert.equal(await kernel.value('const kept = "state kept";\nlet counter = 0;\nkept'), "'state kept'");
  });
  after(async () => {
    await kernel?.close();
  });

  const interrupted = (r: Execution): void => {
    assert.equal(r.reply.status, "error", JSON.stringify(r.reply));
    assert.equal(r.reply.ename, "Interrupted");
    assert.ok(
      r.outputs.some((o) => o.msg_type === "error" && o.content.ename === "Interrupted"),
      "an IOPub error shows it",
    );
  };
  const stateKept = async (): Promise<void> => {
    assert.equal(await kernel.value("1 + 1"), "2");
    assert.equal(await kernel.value("kept"), "'state kept'");
  };

  it("drops the continuation of an awaited timer: the rest of the cell never runs", async () => {
    interrupted(
      await kernel.execute("await new Promise((r) => setTimeout(r, 3000));\ncounter = 1000;", { interrupt_after: 1 }),
    );
    // Long after the timer was due, the cell's last line has not run.
    assert.equal(await kernel.value("await new Promise((r) => setTimeout(r, 3500));\ncounter"), "0");
    await stateKept();
  });

  it("drops a continuation that no timer of the cell drives (node:timers/promises)", async () => {
    await kernel.execute('import { setTimeout as later } from "timers/promises";');
    interrupted(await kernel.execute("await later(2500);\ncounter = 2000;", { interrupt_after: 1 }));
    assert.equal(await kernel.value("await new Promise((r) => setTimeout(r, 3000));\ncounter"), "0");
    await stateKept();
  });

  it("stops a loop driven by setImmediate", async () => {
    interrupted(
      await kernel.execute("let t = 0;\nwhile (true) { t++; await new Promise((r) => setImmediate(r)); }", {
        interrupt_after: 1,
      }),
    );
    assert.equal(
      await kernel.value("const t0 = t;\nawait new Promise((r) => setTimeout(r, 500));\n[t0 > 0, t === t0]"),
      "[ true, true ]",
    );
    await stateKept();
  });

  it("interrupts `while (true) { await null }`, which never returns to the event loop", async () => {
    interrupted(
      await kernel.execute("let spins = 0;\nwhile (true) { spins++; await null; }", {
        interrupt_after: 1,
        timeout: 60,
      }),
    );
    assert.equal(await kernel.value("spins > 0"), "true");
    await stateKept();
  });

  it("interrupts a synchronous busy loop after an await (the cell's script has returned)", async () => {
    interrupted(
      await kernel.execute("let laps = 0;\nawait null;\nwhile (true) { laps++; }", { interrupt_after: 1, timeout: 60 }),
    );
    await stateKept();
  });

  it("interrupts a busy timer callback left by a finished cell, and stops that cell's other timers", async () => {
    assert.equal(
      (
        await kernel.execute(
          "let beats = 0;\nsetInterval(() => beats++, 20);\nsetTimeout(() => { while (true) {} }, 300);",
        )
      ).reply.status,
      "ok",
    );
    // Wait for the callback to start looping: the kernel's main thread is stuck from then on.
    await new Promise((r) => setTimeout(r, 1500));
    const reply = await kernel.request("interrupt_request", {}, "control", { timeout: 30 });
    assert.equal(reply.reply.status, "ok");
    await stateKept();
    assert.equal(
      await kernel.value("const b0 = beats;\nawait new Promise((r) => setTimeout(r, 300));\n[b0 > 0, beats === b0]"),
      "[ true, true ]",
    );
  });

  it("an interrupt while idle stops the intervals earlier cells left running", async () => {
    await kernel.execute("let ticks = 0;\nsetInterval(() => ticks++, 10);");
    await kernel.request("interrupt_request", {}, "control");
    assert.equal(
      await kernel.value("const k0 = ticks;\nawait new Promise((r) => setTimeout(r, 300));\nticks === k0"),
      "true",
    );
  });

  it("stops training like IPython's KeyboardInterrupt: the rest of the cell does not run; the model keeps its weights and history", async () => {
    const setup = await kernel.execute(
      [
        'import { mlp, tf } from "trainlab";',
        'const big = tf.randomNormal([2000, 20], 0, 1, "float32", 1);',
        "const labels = Array.from({ length: 2000 }, (_, i) => i % 3);",
        "const slow = mlp({ hiddenUnits: [64], epochs: 100000, batchSize: 16, seed: 2 });",
        "let afterTraining = false;",
      ].join("\n"),
    );
    assert.equal(setup.reply.status, "ok", JSON.stringify(setup.reply));
    const r = await kernel.execute(
      'await slow.fit(big, labels);\nafterTraining = true;\nconsole.log("after training");',
      { interrupt_after: 6, timeout: 120 },
    );
    interrupted(r);
    assert.doesNotMatch(streamText(r), /after training/);
    assert.equal(
      await kernel.value(
        "[slow.fitted, slow.history!.stopReason, slow.history!.epochs.length > 0, slow.predict(big.slice(0, 3) as tf.Tensor2D).length]",
      ),
      "[ true, 'interrupted', true, 3 ]",
    );
    // The training loop stopped for good: its epoch count does not grow.
    assert.equal(
      await kernel.value(
        "const e0 = slow.history!.epochs.length;\nawait new Promise((r) => setTimeout(r, 1500));\nslow.history!.epochs.length === e0",
      ),
      "true",
    );
    // The rest of the interrupted cell never ran, not even once the training loop had stopped.
    assert.equal(await kernel.value("afterTraining"), "false");
    await stateKept();
  });
});
