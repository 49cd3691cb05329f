/**
 * The code requests of the trainlab kernel (server.ts): execute_request (execution count, history, `name?`
 * help, user_expressions, the reply and the aborting of queued executes after an error), complete_request and
 * inspect_request, answered through the executor. KernelServer builds on it.
 */
import type { Executor, Outcome } from "./executor";
import { History } from "./history";
import { RenderedBundle, escapeHtml } from "./render";
import { Message } from "./wire";
import { ParentRef } from "./comms";
import { KernelChannels } from "./server-channels";

/** Execution, completion and inspection requests; the base of KernelServer (not used on its own). */
export abstract class KernelRequests extends KernelChannels {
  protected readonly queue: Array<{ socket: "shell" | "control"; msg: Message }> = [];
  protected executor: Executor | undefined;
  protected executionCount = 0;
  protected readonly history = new History();
  protected lastParent: ParentRef | undefined;
  protected warmed = false;

  /** The executor, created on first use. */
  protected abstract getExecutor(): Executor;

  /** A value as a MIME bundle (errors of its display described through the executor). */
  protected abstract render(value: unknown): RenderedBundle;

  // ---------------------------------------------------------------------------------------- requests

  protected async execute(socket: "shell" | "control", msg: Message): Promise<void> {
    const c = msg.content as {
      code?: string;
      silent?: boolean;
      store_history?: boolean;
      user_expressions?: Record<string, string>;
      allow_stdin?: boolean;
      stop_on_error?: boolean;
    };
    const code = String(c.code ?? "");
    const silent = c.silent === true;
    const storeHistory = silent ? false : c.store_history !== false;
    const parent: ParentRef = { header: msg.header, identities: msg.identities, allowStdin: c.allow_stdin !== false };
    this.lastParent = parent;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    if (!silent) this.publish("execute_input", { code, execution_count: count }, msg.header);
    if (storeHistory) this.history.add(count, code);
    const executor = this.getExecutor();
    this.warmed = true;
    // IPython's `name?` shows the documentation of `name` in the pager.
    const help = /^\s*([A-Za-z_$][\w$.]*)\s*\?\s*$/.exec(code);
    if (help) {
      const info = executor.inspect(help[1], help[1].length);
      const text = info ? info.text : `No documentation found for ${help[1]}.`;
      this.send(
        socket,
        msg,
        "execute_reply",
        {
          status: "ok",
          execution_count: count,
          payload: [{ source: "page", data: { "text/plain": text }, start: 0 }],
          user_expressions: {},
        },
        { status: "ok" },
      );
      return;
    }
    const outcome: Outcome =
      code.trim() === ""
        ? { status: "ok", hasValue: false }
        : await executor.execute(code, storeHistory ? count : 0, parent);
    this.streams.flush();
    const userExpressions: Record<string, unknown> = {};
    if (outcome.status === "ok") {
      if (outcome.hasValue && !silent) {
        const bundle = this.render(outcome.value);
        this.publish(
          "execute_result",
          { execution_count: count, data: bundle.data, metadata: bundle.metadata },
          msg.header,
        );
        if (storeHistory) this.history.setOutput(count, String(bundle.data["text/plain"] ?? ""));
      }
      for (const [name, expr] of Object.entries(c.user_expressions ?? {})) {
        const r = await executor.execute(String(expr), 0, parent);
        if (r.status === "ok") {
          const b = this.render(r.value);
          userExpressions[name] = { status: "ok", data: b.data, metadata: b.metadata };
        } else userExpressions[name] = { status: "error", ename: r.ename, evalue: r.evalue, traceback: r.traceback };
      }
      this.streams.flush();
      this.send(
        socket,
        msg,
        "execute_reply",
        { status: "ok", execution_count: count, payload: [], user_expressions: userExpressions },
        { started: msg.header.date, status: "ok" },
      );
      return;
    }
    if (!silent)
      this.publish("error", { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback }, msg.header);
    this.send(
      socket,
      msg,
      "execute_reply",
      {
        status: "error",
        execution_count: count,
        ename: outcome.ename,
        evalue: outcome.evalue,
        traceback: outcome.traceback,
      },
      { status: "error" },
    );
    if (c.stop_on_error !== false) this.abortQueuedExecutes();
  }

  /** After a failed cell, answers the execute requests already waiting with status "aborted", as ipykernel does. */
  protected abortQueuedExecutes(): void {
    const keep: typeof this.queue = [];
    for (const item of this.queue) {
      if (item.msg.header.msg_type !== "execute_request") {
        keep.push(item);
        continue;
      }
      this.status("busy", item.msg.header);
      this.send(
        item.socket,
        item.msg,
        "execute_reply",
        { status: "aborted", execution_count: this.executionCount },
        { status: "aborted" },
      );
      this.status("idle", item.msg.header);
    }
    this.queue.splice(0, this.queue.length, ...keep);
  }

  protected complete(socket: "shell" | "control", msg: Message): void {
    const code = String(msg.content.code ?? "");
    const cursor = Number(msg.content.cursor_pos ?? code.length);
    const r = this.getExecutor().complete(code, cursor);
    this.send(socket, msg, "complete_reply", {
      status: "ok",
      matches: r.candidates,
      cursor_start: r.start,
      cursor_end: r.end,
      metadata: {},
    });
  }

  protected inspect(socket: "shell" | "control", msg: Message): void {
    const code = String(msg.content.code ?? "");
    const cursor = Number(msg.content.cursor_pos ?? code.length);
    const info = this.getExecutor().inspect(code, cursor);
    if (!info) {
      this.send(socket, msg, "inspect_reply", { status: "ok", found: false, data: {}, metadata: {} });
      return;
    }
    const html = `<pre>${escapeHtml(info.text)}</pre>`;
    this.send(socket, msg, "inspect_reply", {
      status: "ok",
      found: true,
      data: { "text/plain": info.text, "text/html": html },
      metadata: {},
    });
  }
}
