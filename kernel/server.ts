/**
 * The trainlab kernel's protocol layer (Jupyter messaging 5.3): shell and IOPub sockets in the main
 * thread, control/stdin/heartbeat in a worker (see control-worker.ts). It answers every request a
 * client sends, with busy/idle status around each. Shell requests are handled one at a time, in
 * order; control requests never wait behind them (a shutdown interrupts the running cell). It installs
 * the display bridge and the cell globals (bridge.ts), buffers output streams (streams.ts), routes comms
 * (comms.ts) and exits when its parent dies (parent-watch.ts). Its sending side is in server-channels.ts, its
 * execute/complete/inspect handling in server-requests.ts.
 */
import * as path from "path";
import { performance } from "perf_hooks";
// The kernel's own timers bypass the per-cell tracking cells' global timers get (cell-tasks.ts).
import { setImmediate, setTimeout } from "timers";
import { Worker } from "worker_threads";
import type { Executor } from "./executor";
import { HistoryRequest } from "./history";
import { RenderedBundle, renderValue, safeString } from "./render";
import { INPUT_BUFFER_BYTES, Message, makeHeader } from "./wire";
import { Comms, ParentRef } from "./comms";
import { installBridge } from "./bridge";
import { kernelInfo } from "./kernel-info";
import { watchParent } from "./parent-watch";
import { KernelRequests } from "./server-requests";
import type { FromWorker, WorkerData } from "./control-worker";

export { readConnectionFile } from "./wire";
export type { Comm } from "./comms";

const projectRoot = path.resolve(__dirname, "..", "..");
/** When the executor and type checker start if no kernel_info request came first (see start()). */
const WARM_UP_DELAY_MS = 200;

/** The kernel: binds the sockets of a connection file and serves until shutdown. */
export class KernelServer extends KernelRequests {
  /** The kernel_info_reply content, read once. */
  private readonly info = kernelInfo(projectRoot);
  private draining = false;
  private readonly comms = new Comms({
    publish: (...args) => this.publish(...args),
    send: (socket, request, msgType, content) => this.send(socket, request, msgType, content),
    log: (message) => this.log(message),
    currentParent: () => this.currentParent(),
  });
  private shuttingDown = false;
  /** [0] interrupt epoch, [1] SIGINTs the control thread sent, [2] depth of SIGINT-protected code running (shared with it). */
  private readonly interruptState = new Int32Array(new SharedArrayBuffer(12));
  private sigintsSeen = 0;
  private readonly originalExit: (code?: number) => never = process.exit.bind(process);

  /** Binds all sockets, starts the control worker, and serves requests. */
  async start(): Promise<void> {
    // Binding runs on ZeroMQ's own thread: start it first, and set up the rest meanwhile.
    const bound = Promise.all([
      this.shell.bind(this.address(this.connection.shell_port)),
      this.iopub.bind(this.address(this.connection.iopub_port)),
    ]);
    this.installProcessHooks();
    const workerData: WorkerData = {
      connection: this.connection,
      session: this.session,
      kernelInfo: this.info,
      interruptState: this.interruptState,
    };
    this.worker = new Worker(path.join(__dirname, "control-worker.js"), { workerData });
    this.worker.on("message", (m: FromWorker) => this.onWorkerMessage(m));
    this.worker.on("error", (err) => this.log(`control worker: ${err.stack ?? err.message}`));
    this.worker.unref();
    await bound;
    if (process.env.TRAINLAB_KERNEL_TRACE === "1")
      this.log(
        `trace: listening ${Math.round(performance.now())} ms after start (${Math.round(performance.now() - performance.nodeTiming.bootstrapComplete)} after Node's bootstrap)`,
      );
    (async () => {
      for await (const frames of this.shell) this.receive("shell", frames);
    })().catch((err) => this.log(`shell loop: ${(err as Error).message}`));
    watchParent((why) => {
      this.log(`the process that started the kernel died (${why}); exiting`);
      this.exitCleanly(0);
    });
    // Start the executor and the type checker's thread (which loads TypeScript and builds its first program there)
    // once the first kernel_info is answered, or soon after start if none comes: a client's first kernel_info
    // never waits behind that set-up.
    setTimeout(() => this.warmUp(), WARM_UP_DELAY_MS);
  }

  /**
   * Ends the process without a core dump: the control thread closes its sockets first (this thread
   * waits for it), then this thread's sockets close, then the process exits. Used by `process.exit()`
   * in a cell and when the parent dies.
   */
  exitCleanly(code: number): never {
    this.shuttingDown = true;
    try {
      this.streams.flush();
    } catch {
      // best effort
    }
    const done = new Int32Array(new SharedArrayBuffer(4));
    this.toWorker({ kind: "close", done: done.buffer as SharedArrayBuffer });
    Atomics.wait(done, 0, 0, 2000);
    try {
      this.shell.close();
      this.iopub.close();
    } catch {
      // already closed
    }
    return this.originalExit(code);
  }

  private warmUp(): void {
    if (this.warmed) return;
    this.warmed = true;
    try {
      this.getExecutor().warmUp();
    } catch (err) {
      this.log(`warm-up failed: ${(err as Error).stack}`);
    }
  }

  protected getExecutor(): Executor {
    if (!this.executor) {
      // Loaded lazily: the TypeScript compiler takes a moment to load, and kernel_info must not wait.

      const { Executor: ExecutorClass } = require("./executor") as typeof import("./executor");
      this.executor = new ExecutorClass(process.cwd(), projectRoot, this.interruptState);
    }
    return this.executor;
  }

  /** Takes a request in; `verified`: the control thread checked its signature already. */
  private receive(socket: "shell" | "control", frames: Buffer[], verified = false): void {
    let msg: Message;
    try {
      msg = verified ? this.signer.parse(frames) : this.signer.decode(frames);
    } catch (err) {
      this.log(`dropped a ${socket} message: ${(err as Error).message}`);
      return;
    }
    // Control requests are answered at once, even while a cell runs (messaging spec: the control
    // channel must not queue behind shell). An execute_request has no business there; it queues.
    if (socket === "control" && msg.header.msg_type !== "execute_request") {
      void this.dispatch(socket, msg);
      return;
    }
    this.queue.push({ socket, msg });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift() as { socket: "shell" | "control"; msg: Message };
        await this.dispatch(next.socket, next.msg);
      }
    } finally {
      this.draining = false;
    }
  }

  // ---------------------------------------------------------------------------------------- streams

  protected currentParent(): ParentRef | undefined {
    const comm = this.comms.parent();
    if (comm) return comm;
    const ctx = this.executor?.currentContext();
    return (ctx?.parent as ParentRef | undefined) ?? this.lastParent;
  }

  private installProcessHooks(): void {
    const makeWrite = (name: "stdout" | "stderr") =>
      ((
        chunk: string | Uint8Array,
        encoding?: BufferEncoding | ((err?: Error) => void),
        cb?: (err?: Error) => void,
      ): boolean => {
        const text =
          typeof chunk === "string"
            ? chunk
            : Buffer.from(chunk).toString(typeof encoding === "string" ? encoding : "utf8");
        try {
          this.streams.write(name, text);
        } catch (err) {
          this.log(`stream: ${(err as Error).message}`);
        }
        const done = typeof encoding === "function" ? encoding : cb;
        if (done) process.nextTick(done);
        return true;
      }) as typeof process.stdout.write;
    // A cell's process.exit() ends the kernel cleanly (sockets closed first: no abort in a socket's destructor).
    process.exit = ((code?: number | string | null) =>
      this.exitCleanly(Number(code ?? process.exitCode ?? 0) || 0)) as typeof process.exit;
    process.stdout.write = makeWrite("stdout");
    process.stderr.write = makeWrite("stderr");

    // A SIGTERM (a cell's process.kill, or a frontend ending the kernel) ends it cleanly too.
    process.on("SIGTERM", () => this.exitCleanly(143));
    process.on("SIGINT", () => {
      // The control thread counts the SIGINTs it sends (it has moved the interrupt epoch already); any other is a new request.
      const sent = Atomics.load(this.interruptState, 1);
      const fromWorker = sent > this.sigintsSeen;
      this.sigintsSeen = sent;
      this.executor?.interrupt(!fromWorker);
    });
    const report = (kind: string, err: unknown): void => {
      try {
        const parent = this.currentParent();
        const e = this.executor
          ? this.executor.describeError(err)
          : { ename: "Error", evalue: String(err), traceback: [String((err as Error)?.stack ?? err)] };
        if (parent)
          this.publish(
            "error",
            {
              ename: e.ename,
              evalue: `${kind}: ${e.evalue}`,
              traceback: [`${kind} (from code that kept running in the background)`, ...e.traceback],
            },
            parent.header,
          );
        else this.log(`${kind}: ${e.traceback.join("\n")}`);
      } catch (inner) {
        this.log(`${kind} while reporting: ${(inner as Error).message}`);
      }
    };
    process.on("uncaughtException", (err) => report("Uncaught exception", err));
    process.on("unhandledRejection", (reason) => report("Unhandled promise rejection", reason));

    installBridge({
      publishBundle: (bundle, displayId, update) => this.publishBundle(bundle, displayId, update),
      render: (value) => this.render(value),
      clearOutput: (wait) => this.clearOutput(wait),
      prompt: (message, defaultValue) => this.prompt(message, defaultValue),
      signal: () => (this.executor ? this.executor.signal() : new AbortController().signal),
      comms: this.comms,
      parentMessageId: () => this.currentParent()?.header.msg_id,
      awaitBeforeCell: (promise) => this.getExecutor().awaitBeforeCell(promise),
      onImport: (listener) => this.getExecutor().onImport(listener),
    });
  }

  protected render(value: unknown): RenderedBundle {
    return renderValue(value, (err) =>
      this.executor ? this.executor.describeError(err) : { ename: "Error", evalue: String(err), traceback: [] },
    );
  }

  private prompt(message: string, defaultValue?: string): string | null {
    const parent = this.currentParent();
    if (!parent || !parent.allowStdin) {
      throw new Error(
        "prompt(): this frontend does not accept input (the execute_request has allow_stdin: false). Pass the value in code instead.",
      );
    }
    this.streams.flush();
    const buffer = new SharedArrayBuffer(INPUT_BUFFER_BYTES);
    const state = new Int32Array(buffer, 0, 2);
    const frames = this.signer.encode({
      identities: parent.identities,
      header: makeHeader("input_request", parent.header, this.session),
      parent_header: parent.header,
      metadata: {},
      content: { prompt: message, password: false },
    });
    this.toWorker({ kind: "input", frames, buffer });
    while (Atomics.load(state, 0) === 0) Atomics.wait(state, 0, 0, 200);
    if (Atomics.load(state, 0) === 2) {
      const { InterruptedError } = require("./executor") as typeof import("./executor");
      throw new InterruptedError();
    }
    const n = Atomics.load(state, 1);
    const value = Buffer.from(new Uint8Array(buffer, 8, n)).toString("utf8");
    return value === "" && defaultValue !== undefined ? defaultValue : value;
  }

  // ---------------------------------------------------------------------------------------- dispatch

  private onWorkerMessage(m: FromWorker): void {
    if (m.kind === "control")
      this.receive(
        "control",
        m.frames.map((f) => Buffer.from(f)),
        true,
      );
    else if (m.kind === "answered") {
      // The worker answered it (interrupt, kernel_info): publish the request's busy/idle here, on IOPub.
      try {
        const msg = this.signer.parse(m.frames.map((f) => Buffer.from(f)));
        this.status("busy", msg.header);
        if (msg.header.msg_type === "interrupt_request") this.executor?.interrupt();
        this.status("idle", msg.header);
      } catch {
        // already answered by the worker
      }
    } else if (m.kind === "error") this.log(m.message);
    // The control thread learns that this thread's event loop runs (a stuck loop gets ended from there).
    this.toWorker({ kind: "alive" });
  }

  private async dispatch(socket: "shell" | "control", msg: Message): Promise<void> {
    const type = msg.header.msg_type;
    this.status("busy", msg.header);
    try {
      switch (type) {
        case "kernel_info_request":
          this.send(socket, msg, "kernel_info_reply", this.info);
          if (process.env.TRAINLAB_KERNEL_TRACE === "1")
            this.log(
              `trace: kernel_info_reply ${Math.round(performance.now())} ms after start (${Math.round(performance.now() - performance.nodeTiming.bootstrapComplete)} after Node's bootstrap), type checker ${this.executor?.checkerState ?? "cold"}`,
            );
          if (!this.warmed) setImmediate(() => this.warmUp());
          break;
        case "execute_request":
          await this.execute(socket, msg);
          break;
        case "complete_request":
          this.complete(socket, msg);
          break;
        case "inspect_request":
          this.inspect(socket, msg);
          break;
        case "is_complete_request":
          this.send(socket, msg, "is_complete_reply", this.getExecutor().isComplete(String(msg.content.code ?? "")));
          break;
        case "history_request":
          this.send(socket, msg, "history_reply", {
            status: "ok",
            history: this.history.query(msg.content as HistoryRequest),
          });
          break;
        case "comm_info_request":
          this.comms.info(socket, msg);
          break;
        case "comm_open":
          this.comms.onOpen(msg);
          break;
        case "comm_msg":
          await this.comms.onMessage(msg);
          break;
        case "comm_close":
          this.comms.onClose(msg);
          break;
        case "shutdown_request":
          // Stop the running cell (its execute_reply goes out as interrupted), then reply and exit.
          this.executor?.interrupt(socket !== "control");
          this.shutdown(socket, msg);
          return;
        case "interrupt_request":
          this.executor?.interrupt(socket !== "control");
          this.send(socket, msg, "interrupt_reply", { status: "ok" });
          break;
        default:
          this.log(`unsupported message type ${type}`);
          if (type.endsWith("_request"))
            this.send(socket, msg, type.replace(/_request$/, "_reply"), {
              status: "error",
              ename: "NotImplemented",
              evalue: `${type} is not supported by trainlab`,
              traceback: [],
            });
      }
    } catch (err) {
      const evalue = safeString(err instanceof Error ? err.message : err);
      const traceback = [`InternalError: ${evalue}`, safeString(err instanceof Error ? err.stack : "")];
      this.log(`${type} failed: ${traceback[1]}`);
      if (type.endsWith("_request")) {
        // Every error reply of an execution shows in the notebook too.
        if (type === "execute_request")
          this.publish("error", { ename: "InternalError", evalue, traceback }, msg.header);
        this.send(socket, msg, type.replace(/_request$/, "_reply"), {
          status: "error",
          ename: "InternalError",
          evalue,
          traceback,
        });
      }
    } finally {
      this.status("idle", msg.header);
    }
  }

  // ---------------------------------------------------------------------------------------- shutdown

  private shutdown(socket: "shell" | "control", msg: Message): void {
    const restart = msg.content.restart === true;
    this.shuttingDown = true;
    this.send(socket, msg, "shutdown_reply", { status: "ok", restart });
    this.status("idle", msg.header);
    // Let ZeroMQ deliver the reply, then exit; the client restarts a fresh process when asked to.
    setTimeout(() => {
      // The control thread sends the reply before it closes its sockets; exitCleanly waits for that.
      void Promise.all([this.shellSend, this.iopubSend]).finally(() => this.exitCleanly(0));
    }, 50);
  }

  /** Whether a shutdown was requested. */
  get closing(): boolean {
    return this.shuttingDown;
  }
}
