/**
 * Specification of the kernel as a real process driven by a real Jupyter client: execution, errors, display,
 * completion, history.
 */
import { strict as assert } from "assert";
import { Execution, withKernel, Output } from "./client";

const text = (o: Output | undefined): string => String(o?.content.data?.["text/plain"] ?? "");
const result = (r: Execution): Output | undefined => r.outputs.find((o) => o.msg_type === "execute_result");
const errors = (r: Execution): Output[] => r.outputs.filter((o) => o.msg_type === "error");

describe("kernel: a real kernel process with a real Jupyter client", function () {
  this.timeout(180_000);
  const kernel = withKernel();

  describe("execution", () => {
    it("broadcasts execute_input, then the last expression as execute_result, with busy/idle status", async () => {
      const r = await kernel.execute("const base = 40;\nbase + 2");
      assert.equal(r.reply.status, "ok");
      assert.ok(r.execute_input);
      assert.deepEqual(r.statuses, ["busy", "idle"]);
      assert.equal(text(result(r)), "42");
      assert.equal(result(r)?.content.execution_count, r.reply.execution_count);
    });

    it("keeps declarations across cells and shows no result for a statement", async () => {
      const r = await kernel.execute("let counter = base;");
      assert.equal(result(r), undefined);
      assert.equal(await kernel.value("counter += 1; counter"), "41");
    });

    it("supports top-level for await and shorthand properties that name earlier cells' variables", async () => {
      const loop = await kernel.execute(
        "for await (const step of [Promise.resolve(1), Promise.resolve(2)]) console.log(`step ${step}`);",
      );
      assert.equal(loop.reply.status, "ok", JSON.stringify(loop.reply));
      assert.match(loop.outputs.map((o) => o.content.text ?? "").join(""), /step 1\nstep 2/);
      assert.equal(await kernel.value("const extra = 1;\n({ base, extra })"), "{ base: 40, extra: 1 }");
    });

    it("honours silent, store_history and user_expressions", async () => {
      const before = (await kernel.execute("1")).reply.execution_count as number;
      const silent = await kernel.execute("counter * 100", { silent: true });
      assert.equal(silent.execute_input, false);
      assert.equal(result(silent), undefined);
      const unstored = await kernel.execute("2", { store_history: false });
      assert.equal(unstored.reply.execution_count, before);
      const withExpr = await kernel.execute("3", { user_expressions: { twice: "counter * 2", broken: "nope()" } });
      assert.equal(withExpr.reply.user_expressions.twice.status, "ok");
      assert.equal(withExpr.reply.user_expressions.twice.data["text/plain"], "82");
      assert.equal(withExpr.reply.user_expressions.broken.status, "error");
      assert.equal(withExpr.reply.execution_count, before + 1);
    });

    it("answers kernel_info with status ok, protocol 5.3 and TypeScript language info", async () => {
      const r = await kernel.request("kernel_info_request");
      assert.equal(r.reply_type, "kernel_info_reply");
      assert.equal(r.reply.status, "ok");
      assert.equal(r.reply.protocol_version, "5.3");
      assert.equal(r.reply.language_info.name, "typescript");
      assert.deepEqual(r.statuses, ["busy", "idle"]);
    });
  });

  describe("errors", () => {
    it("reports a TypeScript type error as an error message (ename TSError) naming the line", async () => {
      const r = await kernel.execute('const ok = 1;\nconst n: number = "text";');
      assert.equal(r.reply.status, "error");
      assert.equal(r.reply.ename, "TSError");
      assert.match(r.reply.evalue, /line 2/);
      assert.match(r.reply.evalue, /not assignable to type 'number'/);
      assert.equal(errors(r).length, 1);
      assert.match(errors(r)[0].content.traceback.join("\n"), /const n: number = "text"/);
    });

    it("type-checks against earlier cells' declarations (the type cache never hides an error)", async () => {
      await kernel.execute("let label = 'a';");
      const r = await kernel.execute("label = 5;");
      assert.equal(r.reply.ename, "TSError");
      assert.equal(await kernel.value("label.toUpperCase()"), "'A'");
    });

    it("maps a runtime error's traceback to the cell's own line numbers", async () => {
      const r = await kernel.execute(
        'const pad = 0;\nfunction fail(): number {\n  throw new RangeError("deep");\n}\nfail();',
      );
      assert.equal(r.reply.status, "error");
      assert.equal(r.reply.ename, "RangeError");
      assert.equal(r.reply.evalue, "deep");
      const tb = r.reply.traceback.join("\n");
      assert.match(tb, /at fail \(Cell In\[\d+\], line 3:\d+\)/);
      assert.match(tb, /line 5/);
      assert.doesNotMatch(tb, /dist(-\w+)?\/kernel\//);
    });

    it("survives exceptions thrown later by timers and unhandled rejections, showing them as errors", async () => {
      // The timer must fire while the next cell runs (its error goes to the running cell): leave the client time to send it.
      await kernel.execute('setTimeout(() => { throw new Error("late failure"); }, 500); "scheduled"');
      const later = await kernel.execute("await new Promise((r) => setTimeout(r, 2000)); 7");
      assert.equal(later.reply.status, "ok");
      assert.ok(
        later.outputs.some((o) => o.msg_type === "error" && /late failure/.test(o.content.evalue)),
        JSON.stringify(later.outputs),
      );
      const rej = await kernel.execute(
        'Promise.reject(new Error("nobody caught me")); await new Promise((r) => setTimeout(r, 50)); 8',
      );
      assert.ok(rej.outputs.some((o) => o.msg_type === "error" && /nobody caught me/.test(o.content.evalue)));
      assert.equal(await kernel.value("1 + 1"), "2");
      assert.ok((await kernel.command({ op: "alive" })).alive);
    });

    it("renders a thrown non-Error and an Error value", async () => {
      const thrown = await kernel.execute('throw "plain string";');
      assert.equal(thrown.reply.status, "error");
      assert.match(thrown.reply.evalue, /plain string/);
      const shown = await kernel.execute('new Error("shown, not thrown")');
      assert.equal(shown.reply.status, "ok");
      assert.match(text(result(shown)), /Error: shown, not thrown/);
      assert.match(String(result(shown)?.content.data["text/html"]), /trainlab-error/);
    });
  });

  describe("interrupt", () => {
    it("stops a plain tfjs model.fit (no callback of the user's) at the next batch and keeps the kernel's state", async () => {
      const setup = await kernel.execute(
        [
          'import { tf } from "trainlab";',
          // A functional LayersModel: tfjs sets its `history` (a Sequential keeps it on an inner model).
          "const input = tf.input({ shape: [8] });",
          'const hidden = tf.layers.dense({ units: 16, activation: "relu" }).apply(input) as tf.SymbolicTensor;',
          "const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(hidden) as tf.SymbolicTensor });",
          'model.compile({ optimizer: "sgd", loss: "meanSquaredError" });',
          "const xs = tf.randomNormal([512, 8]);",
          "const ys = tf.randomNormal([512, 1]);",
        ].join("\n"),
      );
      assert.equal(setup.reply.status, "ok", JSON.stringify(setup.reply));
      const training = await kernel.execute(
        "await model.fit(xs, ys, { epochs: 1000000, batchSize: 32, verbose: 0 });",
        { interrupt_after: 3 },
      );
      assert.equal(training.reply.status, "error");
      assert.equal(training.reply.ename, "Interrupted");
      // tfjs's own History (model.history) counts the finished epochs; the user's code has no hook in the loop.
      const first = Number(await kernel.value("model.history.epoch.length"));
      assert.ok(first > 0, "training ran before the interrupt");
      const second = Number(
        await kernel.value("await new Promise((r) => setTimeout(r, 1500)); model.history.epoch.length"),
      );
      assert.equal(second, first, "the epoch count stopped growing");
      assert.equal(await kernel.value("model.layers.length"), "3", "input and two dense layers, still there");
    });

    it("interrupts a synchronous busy loop", async () => {
      const r = await kernel.execute("let spins = 0;\nwhile (true) { spins++; }", { interrupt_after: 1.5 });
      assert.equal(r.reply.status, "error");
      assert.equal(r.reply.ename, "Interrupted");
      assert.equal(await kernel.value("spins > 0"), "true");
    });

    it("answers interrupt_request on the control channel when idle", async () => {
      const r = await kernel.request("interrupt_request", {}, "control");
      assert.equal(r.reply_type, "interrupt_reply");
      assert.equal(r.reply.status, "ok");
    });
  });

  describe("stdin", () => {
    it("sends input_request for prompt() and returns the user's answer", async () => {
      const r = await kernel.execute('const who = prompt("Your name?");\n`hello ${who}`', { stdin: ["Ada"] });
      assert.equal(r.input_requests.length, 1);
      assert.equal(r.input_requests[0].prompt, "Your name?");
      assert.equal(text(result(r)), "'hello Ada'");
    });

    it("explains the error when the frontend does not allow stdin", async () => {
      const r = await kernel.execute('prompt("x")');
      assert.equal(r.reply.status, "error");
      assert.match(r.reply.evalue, /allow_stdin/);
    });
  });

  describe("comms", () => {
    it("answers comm_info with a comm_info_reply and tracks comms opened to a registered target", async () => {
      const empty = await kernel.request("comm_info_request", {});
      assert.equal(empty.reply_type, "comm_info_reply");
      assert.equal(empty.reply.status, "ok");
      assert.deepEqual(empty.reply.comms, {});

      const unknown = await kernel.command({
        op: "send",
        msg_type: "comm_open",
        content: { comm_id: "c-unknown", target_name: "nobody", data: {} },
      });
      assert.ok(
        unknown.outputs.some((o: Output) => o.msg_type === "comm_close" && o.content.comm_id === "c-unknown"),
        JSON.stringify(unknown),
      );

      await kernel.execute(
        'const bridge = (globalThis as any)[Symbol.for("Jupyter.bridge")];\n' +
          'bridge.registerCommTarget("echo", (comm: any) => { comm.onMessage((data: unknown) => comm.send({ echo: data })); });',
      );
      await kernel.command({
        op: "send",
        msg_type: "comm_open",
        content: { comm_id: "c-echo", target_name: "echo", data: {} },
      });
      const listed = await kernel.request("comm_info_request", { target_name: "echo" });
      assert.deepEqual(listed.reply.comms, { "c-echo": { target_name: "echo" } });
      const echoed = await kernel.command({
        op: "send",
        msg_type: "comm_msg",
        content: { comm_id: "c-echo", data: { ping: 1 } },
      });
      assert.ok(
        echoed.outputs.some((o: Output) => o.msg_type === "comm_msg" && o.content.data.echo.ping === 1),
        JSON.stringify(echoed.outputs),
      );
      await kernel.command({ op: "send", msg_type: "comm_close", content: { comm_id: "c-echo", data: {} } });
      assert.deepEqual((await kernel.request("comm_info_request", {})).reply.comms, {});
    });
  });

  describe("display", () => {
    it("renders arquero tables as escaped, truncated HTML tables with their shape", async () => {
      const r = await kernel.execute(
        'import { aq } from "trainlab";\naq.table({ id: Array.from({ length: 100 }, (_, i) => i), tag: Array.from({ length: 100 }, (_, i) => `<b>${i}</b>`) })',
      );
      const html = String(result(r)?.content.data["text/html"]);
      assert.match(html, /<table class="dataframe"/);
      assert.match(html, /&lt;b&gt;0&lt;\/b&gt;/);
      assert.doesNotMatch(html, /<b>0<\/b>/);
      assert.match(html, /100 rows × 2 columns/);
      assert.match(html, /…/);
      assert.ok(!html.includes("&lt;b&gt;50&lt;/b&gt;"), "middle rows are elided");
      assert.match(html, /&lt;b&gt;99&lt;\/b&gt;/);
      assert.match(text(result(r)), /100 rows × 2 columns/);
    });

    it("renders danfojs DataFrame and Series", async () => {
      const r = await kernel.execute(
        'import * as dfd from "danfojs-node";\nconst df = new dfd.DataFrame({ a: [1, 2, 3], b: ["x", "y", "z"] });\ndf',
      );
      assert.match(String(result(r)?.content.data["text/html"]), /danfojs DataFrame: 3 rows × 2 columns/);
      const s = await kernel.execute('df["a"]');
      assert.match(String(result(s)?.content.data["text/html"]), /danfojs Series: 3 rows × 1 column/);
    });

    it("renders tensors with shape, dtype and a preview, and models with a summary table", async () => {
      const t = await kernel.execute('import { tf } from "trainlab";\ntf.tensor([[1, 2], [3, 4]])');
      assert.match(text(result(t)), /shape \[2, 2\] dtype float32/);
      assert.match(String(result(t)?.content.data["text/html"]), /<table/);
      const m = await kernel.execute(
        "const summarized = tf.sequential({ layers: [tf.layers.dense({ units: 16, inputShape: [8] }), tf.layers.dense({ units: 1 })] });\nsummarized",
      );
      const html = String(result(m)?.content.data["text/html"]);
      assert.match(html, /Total params: 161/);
      assert.match(html, /Dense/);
      assert.match(text(result(m)), /Total params: 161/);
    });

    it("publishes display() as display_data and updates it in place by display id", async () => {
      const r = await kernel.execute('const h = display("first");\nh.update("second");\nh.displayId');
      const shown = r.outputs.find((o) => o.msg_type === "display_data");
      const updated = r.outputs.find((o) => o.msg_type === "update_display_data");
      assert.equal(text(shown), "'first'");
      assert.equal(text(updated), "'second'");
      assert.equal(updated?.content.transient.display_id, shown?.content.transient.display_id);
    });
  });

  describe("completion and inspection", () => {
    it("completes members of earlier cells' variables and inspects their types", async () => {
      const c = await kernel.request("complete_request", { code: "Math.flo", cursor_pos: 8 });
      assert.ok(c.reply.matches.includes("floor"));
      assert.equal(c.reply.cursor_start, 5);
      const i = await kernel.request("inspect_request", { code: "counter", cursor_pos: 7 });
      assert.equal(i.reply.found, true);
      assert.match(i.reply.data["text/plain"], /let counter: number/);
    });

    it("says whether code is complete, incomplete or invalid", async () => {
      assert.equal((await kernel.request("is_complete_request", { code: "const a = 1;" })).reply.status, "complete");
      const open = await kernel.request("is_complete_request", { code: "function f() {" });
      assert.equal(open.reply.status, "incomplete");
      assert.equal(open.reply.indent, "  ");
      assert.equal((await kernel.request("is_complete_request", { code: "1 +* 2" })).reply.status, "invalid");
    });
  });

  describe("history, restart and shutdown", () => {
    it("keeps history across a restart, loses variables, then shuts down with a proper reply", async () => {
      await kernel.execute("(globalThis as any).marker = 42;");
      const restarted = await kernel.command({ op: "restart" });
      assert.ok(restarted.alive);
      assert.equal(await kernel.value("String((globalThis as any).marker)"), "'undefined'");
      const h = await kernel.request("history_request", {
        hist_access_type: "search",
        pattern: "*marker = 42*",
        output: false,
        raw: true,
      });
      assert.ok(h.reply.history.length >= 1, "history from before the restart is kept");
      const tail = await kernel.request("history_request", { hist_access_type: "tail", n: 2, output: true, raw: true });
      const sessions = new Set(h.reply.history.map((e: unknown[]) => e[0]));
      assert.ok(
        !sessions.has(tail.reply.history[tail.reply.history.length - 1][0]),
        "the restarted kernel is a new history session",
      );
      const bye = await kernel.command({ op: "shutdown" });
      assert.equal(bye.reply_type, "shutdown_reply");
      assert.equal(bye.reply.status, "ok");
      assert.equal(bye.reply.restart, false);
      assert.equal(bye.alive_after, false);
    });
  });
});
