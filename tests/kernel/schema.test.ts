/**
 * Every reply and IOPub message the kernel sends in a real session (real kernel, real jupyter_client)
 * matches the content schema of the Jupyter messaging spec (5.3), written here as small JSON-schema-like
 * checks, strict where strict clients are (Rust runtimelib / jupyter-protocol: `codemirror_mode` is a
 * string or `{name, version}`).
 */
import { strict as assert } from "assert";
import { KernelClient, Output } from "./client";

type Schema =
  | { type: "string" | "boolean" | "integer" | "number" | "null"; enum?: unknown[] }
  | { type: "object"; required?: string[]; properties?: Record<string, Schema>; additional?: Schema; closed?: boolean }
  | { type: "array"; items?: Schema }
  | { anyOf: Schema[] };

const str: Schema = { type: "string" };
const int: Schema = { type: "integer" };
const bool: Schema = { type: "boolean" };
const dict: Schema = { type: "object" };
const strings: Schema = { type: "array", items: str };
const mimeBundle: Schema = { type: "object", additional: { anyOf: [str, dict, { type: "array" }] } };

/** Returns the first violation of `schema` by `value` (a path and what is wrong), or undefined. */
function violation(value: unknown, schema: Schema, at = "content"): string | undefined {
  if ("anyOf" in schema)
    return schema.anyOf.some((s) => violation(value, s, at) === undefined)
      ? undefined
      : `${at}: matches none of the allowed forms: ${JSON.stringify(value)}`;
  switch (schema.type) {
    case "string":
    case "boolean":
    case "number":
      if (typeof value !== schema.type) return `${at}: expected ${schema.type}, got ${JSON.stringify(value)}`;
      break;
    case "integer":
      if (!Number.isInteger(value)) return `${at}: expected an integer, got ${JSON.stringify(value)}`;
      break;
    case "null":
      if (value !== null) return `${at}: expected null`;
      break;
    case "array": {
      if (!Array.isArray(value)) return `${at}: expected an array, got ${JSON.stringify(value)}`;
      if (schema.items)
        for (let i = 0; i < value.length; i++) {
          const v = violation(value[i], schema.items, `${at}[${i}]`);
          if (v) return v;
        }
      break;
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return `${at}: expected an object, got ${JSON.stringify(value)}`;
      const obj = value as Record<string, unknown>;
      for (const k of schema.required ?? []) if (!(k in obj)) return `${at}: missing ${k}`;
      for (const [k, v] of Object.entries(obj)) {
        const s = schema.properties?.[k] ?? schema.additional;
        if (!s) {
          if (schema.closed) return `${at}: unexpected key ${k}`;
          continue;
        }
        const bad = violation(v, s, `${at}.${k}`);
        if (bad) return bad;
      }
      break;
    }
  }
  if ("enum" in schema && schema.enum && !schema.enum.includes(value))
    return `${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`;
  return undefined;
}

const ok = (extra: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  required: ["status", ...required],
  properties: { status: { type: "string", enum: ["ok"] }, ...extra },
});
const errorContent: Schema = {
  type: "object",
  required: ["ename", "evalue", "traceback"],
  properties: { ename: str, evalue: str, traceback: strings },
};

/** Reply content schemas (messaging spec 5.3). */
const REPLIES: Record<string, Schema> = {
  kernel_info_reply: ok(
    {
      protocol_version: str,
      implementation: str,
      implementation_version: str,
      banner: str,
      debugger: bool,
      help_links: {
        type: "array",
        items: { type: "object", required: ["text", "url"], properties: { text: str, url: str } },
      },
      language_info: {
        type: "object",
        required: ["name", "version", "mimetype", "file_extension"],
        properties: {
          name: str,
          version: str,
          mimetype: str,
          file_extension: str,
          pygments_lexer: str,
          nbconvert_exporter: str,
          // runtimelib: CodeMirrorMode = a string, or { name, version } and nothing else.
          codemirror_mode: {
            anyOf: [
              str,
              { type: "object", required: ["name", "version"], properties: { name: str, version: int }, closed: true },
            ],
          },
        },
      },
    },
    ["protocol_version", "implementation", "implementation_version", "language_info", "banner"],
  ),
  complete_reply: ok({ matches: strings, cursor_start: int, cursor_end: int, metadata: dict }, [
    "matches",
    "cursor_start",
    "cursor_end",
    "metadata",
  ]),
  inspect_reply: ok({ found: bool, data: mimeBundle, metadata: dict }, ["found", "data", "metadata"]),
  is_complete_reply: {
    type: "object",
    required: ["status"],
    properties: { status: { type: "string", enum: ["complete", "incomplete", "invalid", "unknown"] }, indent: str },
  },
  history_reply: ok({ history: { type: "array", items: { type: "array" } } }, ["history"]),
  comm_info_reply: ok(
    {
      comms: {
        type: "object",
        additional: { type: "object", required: ["target_name"], properties: { target_name: str } },
      },
    },
    ["comms"],
  ),
  interrupt_reply: ok({}),
  shutdown_reply: ok({ restart: bool }, ["restart"]),
};

const EXECUTE_REPLY: Record<string, Schema> = {
  ok: ok({ execution_count: int, payload: { type: "array", items: dict }, user_expressions: dict }, [
    "execution_count",
    "user_expressions",
  ]),
  error: {
    type: "object",
    required: ["status", "execution_count", "ename", "evalue", "traceback"],
    properties: { status: str, execution_count: int, ename: str, evalue: str, traceback: strings },
  },
  aborted: { type: "object", required: ["status"], properties: { status: str } },
};

/** IOPub content schemas. */
const IOPUB: Record<string, Schema> = {
  execute_result: {
    type: "object",
    required: ["execution_count", "data", "metadata"],
    properties: { execution_count: int, data: mimeBundle, metadata: dict },
  },
  display_data: {
    type: "object",
    required: ["data", "metadata"],
    properties: { data: mimeBundle, metadata: dict, transient: dict },
  },
  update_display_data: {
    type: "object",
    required: ["data", "metadata", "transient"],
    properties: {
      data: mimeBundle,
      metadata: dict,
      transient: { type: "object", required: ["display_id"], properties: { display_id: str } },
    },
  },
  stream: {
    type: "object",
    required: ["name", "text"],
    properties: { name: { type: "string", enum: ["stdout", "stderr"] }, text: str },
  },
  error: errorContent,
  clear_output: { type: "object", required: ["wait"], properties: { wait: bool } },
  comm_open: {
    type: "object",
    required: ["comm_id", "target_name", "data"],
    properties: { comm_id: str, target_name: str, data: dict },
  },
  comm_msg: { type: "object", required: ["comm_id", "data"], properties: { comm_id: str, data: dict } },
  comm_close: { type: "object", required: ["comm_id", "data"], properties: { comm_id: str, data: dict } },
};
const STATES = ["busy", "idle", "starting"];

describe("kernel: every message matches the Jupyter messaging spec's schemas", function () {
  this.timeout(240_000);
  let kernel: KernelClient;
  const checked: Record<string, number> = {};

  before(async () => {
    kernel = await KernelClient.start();
  });
  after(async () => {
    await kernel?.close();
  });

  const checkOutputs = (outputs: Output[], statuses: string[]): void => {
    for (const o of outputs) {
      const schema = IOPUB[o.msg_type];
      assert.ok(schema, `an IOPub message type the spec defines: ${o.msg_type}`);
      const bad = violation(o.content, schema, o.msg_type);
      assert.equal(bad, undefined, bad);
      checked[o.msg_type] = (checked[o.msg_type] ?? 0) + 1;
    }
    for (const s of statuses) assert.ok(STATES.includes(s), `status ${s}`);
  };

  const request = async (
    msgType: string,
    content: Record<string, unknown>,
    channel: "shell" | "control" = "shell",
  ): Promise<void> => {
    const r = await kernel.request(msgType, content, channel);
    const schema = REPLIES[r.reply_type];
    assert.ok(schema, `a reply type the spec defines: ${r.reply_type}`);
    const bad = violation(r.reply, schema, r.reply_type);
    assert.equal(bad, undefined, bad);
    checked[r.reply_type] = (checked[r.reply_type] ?? 0) + 1;
    checkOutputs(r.outputs, r.statuses);
  };

  it("kernel_info_reply on shell and control (codemirror_mode in a form strict clients accept)", async () => {
    await request("kernel_info_request", {});
    await request("kernel_info_request", {}, "control");
  });

  it("execute replies (ok, error, aborted-free) and every IOPub message of a varied session", async () => {
    const cells = [
      "const x = 40;\nx + 2",
      'console.log("out"); console.error("err");',
      'display({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>hi</b>", "application/json": { a: 1 } } } })',
      'const h = display("first");\nh.update("second");',
      "clearOutput(true);",
      'throw new Error("boom")',
      'const n: number = "text";',
      "new Proxy({}, { get() { throw new Error('trap') } })",
    ];
    for (const code of cells) {
      const r = await kernel.execute(code, { user_expressions: { twice: "x * 2" } });
      const schema = EXECUTE_REPLY[r.reply.status];
      assert.ok(schema, `reply status ${r.reply.status}`);
      const bad = violation(r.reply, schema, "execute_reply");
      assert.equal(bad, undefined, bad);
      checked.execute_reply = (checked.execute_reply ?? 0) + 1;
      checkOutputs(r.outputs, r.statuses);
    }
  });

  it("complete, inspect, is_complete, history, comm_info and interrupt replies", async () => {
    await request("complete_request", { code: "Math.ma", cursor_pos: 7 });
    await request("inspect_request", { code: "Math.max", cursor_pos: 6, detail_level: 0 });
    await request("inspect_request", { code: "nothingHere", cursor_pos: 3, detail_level: 0 });
    await request("is_complete_request", { code: "for (;;) {" });
    await request("is_complete_request", { code: "1 +" });
    await request("history_request", { output: true, raw: true, hist_access_type: "tail", n: 5 });
    await request("comm_info_request", {});
    await request("interrupt_request", {}, "control");
  });

  it("covered the message types a session produces", () => {
    for (const t of [
      "kernel_info_reply",
      "execute_reply",
      "complete_reply",
      "inspect_reply",
      "is_complete_reply",
      "history_reply",
      "comm_info_reply",
      "interrupt_reply",
      "execute_result",
      "display_data",
      "update_display_data",
      "stream",
      "error",
      "clear_output",
    ]) {
      assert.ok(checked[t] > 0, `checked ${t}: ${JSON.stringify(checked)}`);
    }
  });
});
