/**
 * A corpus of hostile cells run one after another in ONE real kernel process with a real Jupyter client
 * (jupyter_client). After every case the kernel answers `1 + 1` and a variable defined before the corpus
 * is still there. Every error reply has its IOPub `error` message with readable text. Only a cell that
 * exits may end the kernel, and then cleanly (exit code 0, no signal, no core dump); the client restarts
 * it and the corpus goes on.
 */
import { strict as assert } from "assert";
import { Execution, KernelClient } from "./client";

interface Case {
  name: string;
  code: string;
  /** Interrupt after this many seconds. */
  interrupt?: number;
  /** The cell ends the kernel. */
  exits?: boolean;
  /** Expected reply status (both allowed when omitted). */
  status?: "ok" | "error";
  /** Expected ename of an error reply. */
  ename?: string | RegExp;
  /** A text some output (result, stream or error) must contain. */
  shows?: RegExp;
}

const CASES: Case[] = [
  { name: "a syntax error", code: "let = ;", status: "error", ename: "TSError" },
  { name: "a type error", code: 'const n: number = "x";', status: "error", ename: "TSError" },
  { name: "a thrown Error", code: 'throw new Error("boom")', status: "error", ename: "Error", shows: /boom/ },
  { name: "a thrown string", code: 'throw "plain string"', status: "error", shows: /plain string/ },
  { name: "a thrown undefined", code: "throw undefined", status: "error" },
  { name: "a thrown null", code: "throw null", status: "error" },
  {
    name: "a thrown object whose getters throw",
    code: 'throw { get message(): string { throw new Error("getter") }, get stack(): string { throw new Error("stack getter") }, get name(): string { throw new Error("name getter") } };',
    status: "error",
  },
  {
    name: "a thrown Proxy",
    code: 'throw new Proxy({}, { get() { throw new Error("trap") }, has() { throw new Error("has trap") } });',
    status: "error",
  },
  {
    name: "an Error whose message getter throws",
    code: 'const e1 = new Error("x"); Object.defineProperty(e1, "message", { get() { throw new Error("nope") } }); throw e1;',
    status: "error",
  },
  {
    name: "a rejected promise awaited",
    code: 'await Promise.reject(new TypeError("rejected"))',
    status: "error",
    ename: "TypeError",
  },
  {
    name: "an unhandled rejection in the background",
    code: 'Promise.reject(new Error("background")); 1',
    status: "ok",
  },
  {
    name: "an error thrown in a timer after the cell",
    code: 'setTimeout(() => { throw new Error("late") }, 10); 2',
    status: "ok",
  },
  {
    name: "a display method behind a throwing getter",
    code: '({ get [Symbol.for("Jupyter.display")]() { throw new Error("display getter") } })',
    status: "ok",
  },
  {
    name: "a display method that throws",
    code: '({ [Symbol.for("Jupyter.display")]() { throw new Error("display fails") } })',
    status: "ok",
    shows: /display fails/,
  },
  {
    name: "a display method returning a non-object",
    code: '({ [Symbol.for("Jupyter.display")]() { return 42 } })',
    status: "ok",
  },
  {
    name: "a display bundle with a circular JSON value",
    code: 'const circ: any = {}; circ.self = circ;\n({ [Symbol.for("Jupyter.display")]() { return { "application/json": circ } } })',
    status: "ok",
  },
  {
    name: "a Proxy as the last value",
    code: 'new Proxy({}, { get() { throw new Error("get trap") }, ownKeys() { throw new Error("keys trap") }, getPrototypeOf() { throw new Error("proto trap") } })',
    status: "ok",
  },
  {
    name: "a revoked Proxy as the last value",
    code: "const rv = Proxy.revocable({}, {}); rv.revoke(); rv.proxy",
    status: "ok",
  },
  {
    name: "an object whose toString and inspect throw",
    code: '({ toString() { throw new Error("ts") }, [Symbol.for("nodejs.util.inspect.custom")]() { throw new Error("inspect") } })',
    status: "ok",
  },
  { name: "a huge string", code: '"x".repeat(5_000_000).length', status: "ok", shows: /5000000/ },
  {
    name: "deep recursion",
    code: "function deep(n: number): number { return deep(n + 1) + 1; }\ndeep(0)",
    status: "error",
    ename: "RangeError",
  },
  { name: "a synchronous busy loop", code: "while (true) {}", interrupt: 1, status: "error", ename: "Interrupted" },
  {
    name: "an asynchronous busy loop",
    code: "while (true) { await null; }",
    interrupt: 1,
    status: "error",
    ename: "Interrupted",
  },
  {
    name: "a busy loop after an await",
    code: "await null;\nwhile (true) {}",
    interrupt: 1,
    status: "error",
    ename: "Interrupted",
  },
  {
    name: "a never-settling promise",
    code: "await new Promise(() => {});",
    interrupt: 1,
    status: "error",
    ename: "Interrupted",
  },
  {
    name: "a long sleep",
    code: "await new Promise((r) => setTimeout(r, 600000));",
    interrupt: 1,
    status: "error",
    ename: "Interrupted",
  },
  {
    name: "a setImmediate loop",
    code: "while (true) { await new Promise((r) => setImmediate(r)); }",
    interrupt: 1,
    status: "error",
    ename: "Interrupted",
  },
  {
    name: "a promise-chain loop",
    code: "const spin = (): Promise<void> => Promise.resolve().then(spin); await spin();",
    interrupt: 1,
    status: "error",
  },
  {
    name: "an interval left running",
    code: "let hostileTicks = 0;\nsetInterval(() => hostileTicks++, 5);",
    status: "ok",
  },
  { name: "prompt without stdin", code: 'prompt("name?")', status: "error", shows: /does not accept input/ },
  {
    name: "reassigning console.log",
    code: 'const savedLog = console.log;\nconsole.log = () => { throw new Error("log") };\nconsole.log = savedLog;\n3',
    status: "ok",
  },
  {
    name: "writing to process.stdout directly",
    code: 'process.stdout.write("direct\\n"); 4',
    status: "ok",
    shows: /direct/,
  },
  { name: "process.emit of SIGINT", code: 'process.emit("SIGINT" as any); 5' },
  {
    name: "a lot of output",
    code: 'for (let i = 0; i < 20000; i++) console.log("line " + i);',
    status: "ok",
    shows: /line 19999/,
  },
  { name: "deleting a global the kernel uses", code: "(globalThis as any).display = undefined; 6", status: "ok" },
  {
    name: "an import of a missing module",
    code: 'import { nothing } from "no-such-module-anywhere";',
    status: "error",
  },
  { name: "a dynamic import that rejects", code: 'await import("no-such-module-either")', status: "error" },
  { name: "a JSON.parse error", code: 'JSON.parse("{oops")', status: "error", ename: "SyntaxError" },
  { name: "a Symbol as the last value", code: 'Symbol("s")', status: "ok", shows: /Symbol\(s\)/ },
  { name: "a BigInt as the last value", code: "2n ** 100n", status: "ok", shows: /1267650600228229401496703205376n/ },
  { name: "a function as the last value", code: "(function named() {})", status: "ok", shows: /named/ },
  {
    name: "an object with a throwing getter as the last value",
    code: '({ get bad() { throw new Error("getter") }, fine: 1 })',
    status: "ok",
    shows: /fine/,
  },
  {
    name: "an await on a thenable that throws",
    code: 'await { then() { throw new Error("thenable") } }',
    status: "error",
    shows: /thenable/,
  },
  { name: "process.exit() in a cell", code: "process.exit()", exits: true },
  { name: "process.exit(3) in a cell", code: "process.exit(3)", exits: true },
  { name: "process.kill of itself with SIGTERM", code: 'process.kill(process.pid, "SIGTERM")', exits: true },
];

const errorsOf = (r: Execution) => r.outputs.filter((o) => o.msg_type === "error");
const allText = (r: Execution): string =>
  r.outputs
    .map((o) =>
      String(o.content.text ?? o.content.data?.["text/plain"] ?? (o.content.traceback ?? []).join("\n") ?? ""),
    )
    .join("\n");

describe("kernel: a corpus of hostile cells, one kernel, state kept after each", function () {
  this.timeout(600_000);
  let kernel: KernelClient;

  const define = async (): Promise<void> => {
    assert.equal(await kernel.value('const sentinel = "kept";\nsentinel'), "'kept'");
  };

  before(async () => {
    kernel = await KernelClient.start();
    await define();
  });
  after(async () => {
    await kernel?.close();
  });

  it(`has at least 40 cases (${CASES.length})`, () => {
    assert.ok(CASES.length >= 40);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      if (c.exits) {
        const r = await kernel.command({ op: "execute_until_exit", code: c.code, timeout: 30 });
        assert.equal(r.exited, true, "the kernel ended");
        // Exited on its own (a code, not a signal: no abort, no core dump).
        assert.ok(typeof r.exit_code === "number" && r.exit_code >= 0, `exit code ${r.exit_code}`);
        assert.equal(await kernel.value("1 + 1"), "2", "the restarted kernel answers");
        await define();
        return;
      }
      const r = await kernel.execute(c.code, { ...(c.interrupt ? { interrupt_after: c.interrupt } : {}), timeout: 90 });
      if (c.status) assert.equal(r.reply.status, c.status, JSON.stringify(r.reply).slice(0, 800));
      if (r.reply.status === "error") {
        const errs = errorsOf(r);
        assert.equal(errs.length, 1, `one IOPub error for the error reply: ${JSON.stringify(r.outputs).slice(0, 800)}`);
        assert.equal(errs[0].content.ename, r.reply.ename);
        assert.ok(typeof r.reply.ename === "string" && r.reply.ename.length > 0);
        const tb = errs[0].content.traceback as unknown[];
        assert.ok(Array.isArray(tb) && tb.length > 0 && tb.every((l) => typeof l === "string"), "a readable traceback");
        assert.ok(String(tb[0]).length > 0);
        if (c.ename) assert.match(r.reply.ename, c.ename instanceof RegExp ? c.ename : new RegExp(`^${c.ename}$`));
      } else {
        assert.equal(r.reply.status, "ok");
      }
      if (c.shows) assert.match(allText(r), c.shows);
      assert.equal(await kernel.value("1 + 1"), "2", "the kernel still answers");
      assert.equal(await kernel.value("sentinel"), "'kept'", "the state is kept");
    });
  }
});
