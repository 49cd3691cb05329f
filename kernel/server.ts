/**
 * The trainlab kernel's protocol layer (Jupyter messaging 5.3): shell and IOPub sockets in the main
 * thread, control/stdin/heartbeat in a worker (see control-worker.ts). It answers every request a
 * client sends, with busy/idle status around each. Shell requests are handled one at a time, in
 * order; control requests never wait behind them (a shutdown interrupts the running cell). It installs
 * the display bridge
 * (`globalThis[Symbol.for("Jupyter.bridge")]`) and the cell globals `display`, `clearOutput`, `prompt`.
 */
import * as fs from "fs";
import * as path from "path";
import { randomUUID } from "crypto";
import { performance } from "perf_hooks";
import { AsyncLocalStorage } from "async_hooks";
// The kernel's own timers bypass the per-cell tracking cells' global timers get (cell-tasks.ts).
import { setImmediate, setTimeout } from "timers";
import { Worker } from "worker_threads";
import * as zmq from "zeromq";
import type { Executor, Outcome } from "./executor";
import { History, HistoryRequest } from "./history";
import { RenderedBundle, escapeHtml, normalizeBundle, plainText, renderValue, safeString } from "./render";
import { ConnectionInfo, Header, INPUT_BUFFER_BYTES, Message, PROTOCOL_VERSION, Signer, makeHeader } from "./wire";
import type { FromWorker, ToWorker, WorkerData } from "./control-worker";

const projectRoot = path.resolve(__dirname, "..", "..");
/** How often the kernel checks that the process that started it is alive. */
const PARENT_POLL_MS = 1000;

/** The request a piece of output belongs to. */
interface ParentRef {
  header: Header;
  identities: Buffer[];
  allowStdin: boolean;
}

/** One comm (Jupyter's kernel-frontend channel). */
export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  /** Sends `comm_msg`; `metadata` and binary `buffers` are optional (the widgets protocol uses both). */
  send(data: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBufferView[]): void;
  close(data?: unknown): void;
  /** A handler may return a promise: the kernel stays busy for that message (no `idle`) until it settles. */
  onMessage(handler: (data: unknown, msg: Message) => void | Promise<void>): void;
  onClose(handler: (data: unknown) => void): void;
}

interface CommState {
  comm: Comm;
  messageHandlers: Array<(data: unknown, msg: Message) => void | Promise<void>>;
  closeHandlers: Array<(data: unknown) => void>;
}

function kernelVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).version as string;
  } catch {
    return "0.0.0";
  }
}

function typescriptVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** The kernel: binds the sockets of a connection file and serves until shutdown. */
export class KernelServer {
  private readonly signer: Signer;
  private readonly session = randomUUID();
  private readonly shell = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private worker: Worker | undefined;
  private shellSend: Promise<void> = Promise.resolve();
  private iopubSend: Promise<void> = Promise.resolve();
  private readonly queue: Array<{ socket: "shell" | "control"; msg: Message }> = [];
  private draining = false;
  private executor: Executor | undefined;
  private executionCount = 0;
  private readonly history = new History();
  private readonly comms = new Map<string, CommState>();
  private readonly commTargets = new Map<string, (comm: Comm, data: unknown, msg: Message) => void>();
  /** Comm targets a frontend named (comm_open or comm_info_request) since the kernel started: what it can talk. */
  private readonly targetsAsked = new Set<string>();
  private lastParent: ParentRef | undefined;
  /** The comm message being handled: output of comm handlers belongs to it. */
  private handling: ParentRef | undefined;
  /** Carries a comm message's parent into the asynchronous work its handlers start. */
  private readonly commScope = new AsyncLocalStorage<ParentRef>();
  private readonly streams = new Map<string, { parent: ParentRef; stdout: string; stderr: string }>();
  private streamFlushScheduled = false;
  private warmed = false;
  private shuttingDown = false;
  private readonly originalStderrWrite = process.stderr.write.bind(process.stderr);
  /** [0] interrupt epoch, [1] SIGINTs the control thread sent, [2] depth of SIGINT-protected code running (shared with it). */
  private readonly interruptState = new Int32Array(new SharedArrayBuffer(12));
  private sigintsSeen = 0;
  private readonly originalExit: (code?: number) => never = process.exit.bind(process);

  constructor(private readonly connection: ConnectionInfo) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
  }

  private address(port: number): string {
    return `${this.connection.transport}://${this.connection.ip}${this.connection.transport === "ipc" ? "-" : ":"}${port}`;
  }

  /** Logs a kernel-internal problem to the kernel's own stderr (the Jupyter server's log). */
  log(message: string): void {
    this.originalStderrWrite(`[trainlab kernel] ${message}\n`);
  }

  /** Binds all sockets, starts the control worker, and serves requests. */
  async start(): Promise<void> {
    this.installProcessHooks();
    const workerData: WorkerData = { connection: this.connection, session: this.session, kernelInfo: this.kernelInfo(), interruptState: this.interruptState };
    this.worker = new Worker(path.join(__dirname, "control-worker.js"), { workerData });
    this.worker.on("message", (m: FromWorker) => this.onWorkerMessage(m));
    this.worker.on("error", (err) => this.log(`control worker: ${err.stack ?? err.message}`));
    this.worker.unref();
    await Promise.all([this.shell.bind(this.address(this.connection.shell_port)), this.iopub.bind(this.address(this.connection.iopub_port))]);
    if (process.env.TRAINLAB_KERNEL_TRACE === "1") this.log(`trace: listening ${Math.round(performance.now())} ms after start (${Math.round(performance.now() - performance.nodeTiming.bootstrapComplete)} after Node's bootstrap)`);
    (async () => {
      for await (const frames of this.shell) this.receive("shell", frames);
    })().catch((err) => this.log(`shell loop: ${(err as Error).message}`));
    this.watchParent();
    // Start the type checker's thread (it loads TypeScript and builds its first program there, so this
    // thread answers kernel_info at once meanwhile).
    setImmediate(() => this.warmUp());
  }

  /**
   * Ends the kernel when the process that started it dies, as ipykernel's parent poller does: when
   * `JPY_PARENT_PID` (set by jupyter_client) names a process that is gone, or when this process was
   * re-parented (its parent pid changed, e.g. to 1).
   */
  private watchParent(): void {
    const startParent = process.ppid;
    const named = Number(process.env.JPY_PARENT_PID);
    const parentGone = (): string | undefined => {
      if (process.ppid !== startParent) return `re-parented (parent pid ${startParent} -> ${process.ppid})`;
      if (Number.isInteger(named) && named > 1) {
        try {
          process.kill(named, 0);
        } catch (err) {
          if ((err as { code?: string }).code === "ESRCH") return `JPY_PARENT_PID ${named} is gone`;
        }
      }
      return undefined;
    };
    const timer = setInterval(() => {
      const why = parentGone();
      if (!why) return;
      clearInterval(timer);
      this.log(`the process that started the kernel died (${why}); exiting`);
      this.exitCleanly(0);
    }, PARENT_POLL_MS);
    timer.unref();
  }

  /**
   * Ends the process without a core dump: the control thread closes its sockets first (this thread
   * waits for it), then this thread's sockets close, then the process exits. Used by `process.exit()`
   * in a cell and when the parent dies.
   */
  exitCleanly(code: number): never {
    this.shuttingDown = true;
    try {
      this.flushStreams();
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

  private getExecutor(): Executor {
    if (!this.executor) {
      // Loaded lazily: the TypeScript compiler takes a moment to load, and kernel_info must not wait.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
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

  // ---------------------------------------------------------------------------------------- sending

  private send(socket: "shell" | "control", request: Message, msgType: string, content: unknown, metadata: Record<string, unknown> = {}): void {
    const frames = this.signer.encode({ identities: request.identities, header: makeHeader(msgType, request.header, this.session), parent_header: request.header, metadata, content });
    if (socket === "control") this.toWorker({ kind: "send-control", frames });
    else this.shellSend = this.shellSend.then(() => this.shell.send(frames)).catch((err) => this.log(`shell send: ${(err as Error).message}`));
  }

  /** Publishes on IOPub (flushing buffered streams of the same parent first, to keep order). */
  private publish(msgType: string, content: unknown, parent: Header | undefined, flushFirst = true, extra: { metadata?: Record<string, unknown>; buffers?: ArrayBufferView[] } = {}): void {
    if (flushFirst) this.flushStreams();
    const frames = this.signer.encode({
      identities: [Buffer.from(`kernel.${msgType}`)],
      header: makeHeader(msgType, parent, this.session),
      parent_header: parent ?? {},
      metadata: extra.metadata ?? {},
      content,
      buffers: extra.buffers?.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    });
    this.iopubSend = this.iopubSend.then(() => this.iopub.send(frames)).catch((err) => this.log(`iopub send: ${(err as Error).message}`));
  }

  private status(state: "busy" | "idle" | "starting", parent: Header | undefined): void {
    this.publish("status", { execution_state: state }, parent);
  }

  private toWorker(msg: ToWorker): void {
    this.worker?.postMessage(msg);
  }

  // ---------------------------------------------------------------------------------------- streams

  private currentParent(): ParentRef | undefined {
    if (this.handling) return this.handling;
    const comm = this.commScope.getStore();
    if (comm) return comm;
    const ctx = this.executor?.currentContext();
    return (ctx?.parent as ParentRef | undefined) ?? this.lastParent;
  }

  private writeStream(name: "stdout" | "stderr", text: string): void {
    const parent = this.currentParent();
    if (!parent) {
      this.originalStderrWrite(text);
      return;
    }
    const key = parent.header.msg_id;
    let buf = this.streams.get(key);
    if (!buf) this.streams.set(key, (buf = { parent, stdout: "", stderr: "" }));
    // Keep stdout/stderr interleaving: flush the other stream before appending.
    const other = name === "stdout" ? "stderr" : "stdout";
    if (buf[other]) this.flushStreams();
    const again = this.streams.get(key) ?? { parent, stdout: "", stderr: "" };
    this.streams.set(key, again);
    again[name] += text;
    if (again[name].length > 65536) this.flushStreams();
    else if (!this.streamFlushScheduled) {
      this.streamFlushScheduled = true;
      setImmediate(() => this.flushStreams());
    }
  }

  private flushStreams(): void {
    this.streamFlushScheduled = false;
    if (this.streams.size === 0) return;
    const pending = [...this.streams.values()];
    this.streams.clear();
    for (const s of pending) {
      if (s.stdout) this.publish("stream", { name: "stdout", text: s.stdout }, s.parent.header, false);
      if (s.stderr) this.publish("stream", { name: "stderr", text: s.stderr }, s.parent.header, false);
    }
  }

  private installProcessHooks(): void {
    const makeWrite = (name: "stdout" | "stderr") =>
      ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error) => void), cb?: (err?: Error) => void): boolean => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString(typeof encoding === "string" ? encoding : "utf8");
        try {
          this.writeStream(name, text);
        } catch (err) {
          this.log(`stream: ${(err as Error).message}`);
        }
        const done = typeof encoding === "function" ? encoding : cb;
        if (done) process.nextTick(done);
        return true;
      }) as typeof process.stdout.write;
    // A cell's process.exit() ends the kernel cleanly (sockets closed first: no abort in a socket's destructor).
    process.exit = ((code?: number | string | null) => this.exitCleanly(Number(code ?? process.exitCode ?? 0) || 0)) as typeof process.exit;
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
        const e = this.executor ? this.executor.describeError(err) : { ename: "Error", evalue: String(err), traceback: [String((err as Error)?.stack ?? err)] };
        if (parent) this.publish("error", { ename: e.ename, evalue: `${kind}: ${e.evalue}`, traceback: [`${kind} (from code that kept running in the background)`, ...e.traceback] }, parent.header);
        else this.log(`${kind}: ${e.traceback.join("\n")}`);
      } catch (inner) {
        this.log(`${kind} while reporting: ${(inner as Error).message}`);
      }
    };
    process.on("uncaughtException", (err) => report("Uncaught exception", err));
    process.on("unhandledRejection", (reason) => report("Unhandled promise rejection", reason));

    const bridge = {
      publish: (bundle: Record<string, unknown>, options: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> } = {}) =>
        this.publishBundle({ data: normalizeBundle(bundle, () => plainText(bundle)), metadata: options.metadata ?? {} }, options.displayId, options.update === true),
      clearOutput: (wait = false) => this.clearOutput(wait),
      signal: () => (this.executor ? this.executor.signal() : new AbortController().signal),
      /** Registers a handler for comms the frontend opens with `targetName`. */
      registerCommTarget: (targetName: string, handler: (comm: Comm, data: unknown, msg: Message) => void) => this.commTargets.set(targetName, handler),
      /** Opens a comm from the kernel side; `metadata` and binary `buffers` are optional. */
      openComm: (targetName: string, data: unknown = {}, metadata?: Record<string, unknown>, buffers?: ArrayBufferView[]) => this.openComm(targetName, data, metadata, buffers),
      /** The msg_id of the request the running code belongs to (a cell's execute_request or a comm message). */
      parentMessageId: () => this.currentParent()?.header.msg_id,
      /** Whether a frontend opened a comm to, or sent comm_info_request for, `targetName` since the kernel started. */
      commTargetRequested: (targetName: string) => this.targetsAsked.has(targetName),
      /** Asynchronous set-up (started as a module loads) to finish before the importing cell's code runs. */
      awaitBeforeCell: (promise: PromiseLike<unknown>) => this.getExecutor().awaitBeforeCell(promise),
    };
    Object.defineProperty(globalThis, Symbol.for("Jupyter.bridge"), { value: bridge, configurable: true, writable: true });
    let displayCounter = 0;
    const globals: Record<string, unknown> = {
      display: (value: unknown, options: { displayId?: string } = {}) => {
        const displayId = options.displayId ?? `trainlab-${process.pid}-d${++displayCounter}`;
        this.publishBundle(this.render(value), displayId, false);
        return { displayId, update: (v: unknown) => this.publishBundle(this.render(v), displayId, true) };
      },
      clearOutput: (wait = false) => this.clearOutput(wait),
      prompt: (message = "", defaultValue?: string) => this.prompt(String(message), defaultValue),
    };
    for (const [name, value] of Object.entries(globals)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }

  private render(value: unknown): RenderedBundle {
    return renderValue(value, (err) => (this.executor ? this.executor.describeError(err) : { ename: "Error", evalue: String(err), traceback: [] }));
  }

  private publishBundle(bundle: RenderedBundle, displayId: string | undefined, update: boolean): void {
    const parent = this.currentParent();
    if (update && !displayId) throw new Error("update_display_data needs a displayId");
    this.publish(update ? "update_display_data" : "display_data", { data: bundle.data, metadata: bundle.metadata, transient: displayId ? { display_id: displayId } : {} }, parent?.header);
  }

  private clearOutput(wait: boolean): void {
    this.publish("clear_output", { wait }, this.currentParent()?.header);
  }

  private prompt(message: string, defaultValue?: string): string | null {
    const parent = this.currentParent();
    if (!parent || !parent.allowStdin) {
      throw new Error("prompt(): this frontend does not accept input (the execute_request has allow_stdin: false). Pass the value in code instead.");
    }
    this.flushStreams();
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
    if (m.kind === "control") this.receive("control", m.frames.map((f) => Buffer.from(f)), true);
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
          this.send(socket, msg, "kernel_info_reply", this.kernelInfo());
          if (process.env.TRAINLAB_KERNEL_TRACE === "1") this.log(`trace: kernel_info_reply ${Math.round(performance.now())} ms after start (${Math.round(performance.now() - performance.nodeTiming.bootstrapComplete)} after Node's bootstrap), type checker ${this.executor?.checkerState ?? "cold"}`);
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
          this.send(socket, msg, "is_complete_reply", this.getExecutorLight().isComplete(String(msg.content.code ?? "")));
          break;
        case "history_request":
          this.send(socket, msg, "history_reply", { status: "ok", history: this.history.query(msg.content as HistoryRequest) });
          break;
        case "comm_info_request":
          this.commInfo(socket, msg);
          break;
        case "comm_open":
          this.commOpen(msg);
          break;
        case "comm_msg":
          await this.commMsg(msg);
          break;
        case "comm_close":
          this.commClose(msg);
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
          if (type.endsWith("_request")) this.send(socket, msg, type.replace(/_request$/, "_reply"), { status: "error", ename: "NotImplemented", evalue: `${type} is not supported by trainlab`, traceback: [] });
      }
    } catch (err) {
      const evalue = safeString(err instanceof Error ? err.message : err);
      const traceback = [`InternalError: ${evalue}`, safeString(err instanceof Error ? err.stack : "")];
      this.log(`${type} failed: ${traceback[1]}`);
      if (type.endsWith("_request")) {
        // Every error reply of an execution shows in the notebook too.
        if (type === "execute_request") this.publish("error", { ename: "InternalError", evalue, traceback }, msg.header);
        this.send(socket, msg, type.replace(/_request$/, "_reply"), { status: "error", ename: "InternalError", evalue, traceback });
      }
    } finally {
      this.status("idle", msg.header);
    }
  }

  private getExecutorLight(): { isComplete(code: string): unknown } {
    // The executor is light to create: TypeScript runs in the checker's thread.
    return this.getExecutor();
  }

  private kernelInfo(): Record<string, unknown> {
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "trainlab",
      implementation_version: kernelVersion(),
      language_info: {
        name: "typescript",
        version: typescriptVersion(),
        mimetype: "text/typescript",
        file_extension: ".ts",
        pygments_lexer: "typescript",
        // A plain string, as Deno sends: strict clients (runtimelib) accept only a string or {name, version};
        // classic Notebook finds CodeMirror's "TypeScript" mode by this name, JupyterLab its TypeScript language.
        codemirror_mode: "typescript",
      },
      banner: `trainlab: TypeScript ${typescriptVersion()} on Node.js ${process.version}, type-checked cells with top-level await and rich display`,
      help_links: [{ text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" }],
      debugger: false,
    };
  }

  private async execute(socket: "shell" | "control", msg: Message): Promise<void> {
    const c = msg.content as { code?: string; silent?: boolean; store_history?: boolean; user_expressions?: Record<string, string>; allow_stdin?: boolean; stop_on_error?: boolean };
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
      this.send(socket, msg, "execute_reply", { status: "ok", execution_count: count, payload: [{ source: "page", data: { "text/plain": text }, start: 0 }], user_expressions: {} }, { status: "ok" });
      return;
    }
    const outcome: Outcome = code.trim() === "" ? { status: "ok", hasValue: false } : await executor.execute(code, storeHistory ? count : 0, parent);
    this.flushStreams();
    const userExpressions: Record<string, unknown> = {};
    if (outcome.status === "ok") {
      if (outcome.hasValue && !silent) {
        const bundle = this.render(outcome.value);
        this.publish("execute_result", { execution_count: count, data: bundle.data, metadata: bundle.metadata }, msg.header);
        if (storeHistory) this.history.setOutput(count, String(bundle.data["text/plain"] ?? ""));
      }
      for (const [name, expr] of Object.entries(c.user_expressions ?? {})) {
        const r = await executor.execute(String(expr), 0, parent);
        if (r.status === "ok") {
          const b = this.render(r.value);
          userExpressions[name] = { status: "ok", data: b.data, metadata: b.metadata };
        } else userExpressions[name] = { status: "error", ename: r.ename, evalue: r.evalue, traceback: r.traceback };
      }
      this.flushStreams();
      this.send(socket, msg, "execute_reply", { status: "ok", execution_count: count, payload: [], user_expressions: userExpressions }, { started: msg.header.date, status: "ok" });
      return;
    }
    if (!silent) this.publish("error", { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback }, msg.header);
    this.send(socket, msg, "execute_reply", { status: "error", execution_count: count, ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback }, { status: "error" });
    if (c.stop_on_error !== false) this.abortQueuedExecutes();
  }

  /** After a failed cell, answers the execute requests already waiting with status "aborted", as ipykernel does. */
  private abortQueuedExecutes(): void {
    const keep: typeof this.queue = [];
    for (const item of this.queue) {
      if (item.msg.header.msg_type !== "execute_request") {
        keep.push(item);
        continue;
      }
      this.status("busy", item.msg.header);
      this.send(item.socket, item.msg, "execute_reply", { status: "aborted", execution_count: this.executionCount }, { status: "aborted" });
      this.status("idle", item.msg.header);
    }
    this.queue.splice(0, this.queue.length, ...keep);
  }

  private complete(socket: "shell" | "control", msg: Message): void {
    const code = String(msg.content.code ?? "");
    const cursor = Number(msg.content.cursor_pos ?? code.length);
    const r = this.getExecutor().complete(code, cursor);
    this.send(socket, msg, "complete_reply", { status: "ok", matches: r.candidates, cursor_start: r.start, cursor_end: r.end, metadata: {} });
  }

  private inspect(socket: "shell" | "control", msg: Message): void {
    const code = String(msg.content.code ?? "");
    const cursor = Number(msg.content.cursor_pos ?? code.length);
    const info = this.getExecutor().inspect(code, cursor);
    if (!info) {
      this.send(socket, msg, "inspect_reply", { status: "ok", found: false, data: {}, metadata: {} });
      return;
    }
    const html = `<pre>${escapeHtml(info.text)}</pre>`;
    this.send(socket, msg, "inspect_reply", { status: "ok", found: true, data: { "text/plain": info.text, "text/html": html }, metadata: {} });
  }

  // ---------------------------------------------------------------------------------------- comms

  private makeComm(commId: string, targetName: string): CommState {
    const state: CommState = {
      messageHandlers: [],
      closeHandlers: [],
      comm: {
        commId,
        targetName,
        send: (data: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBufferView[]) =>
          this.publish("comm_msg", { comm_id: commId, data }, this.currentParent()?.header, true, { metadata, buffers }),
        close: (data: unknown = {}) => {
          if (!this.comms.delete(commId)) return;
          this.publish("comm_close", { comm_id: commId, data }, this.currentParent()?.header);
        },
        onMessage: (h) => state.messageHandlers.push(h),
        onClose: (h) => state.closeHandlers.push(h),
      },
    };
    return state;
  }

  private openComm(targetName: string, data: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBufferView[]): Comm {
    const commId = randomUUID();
    const state = this.makeComm(commId, targetName);
    this.comms.set(commId, state);
    this.publish("comm_open", { comm_id: commId, target_name: targetName, data }, this.currentParent()?.header, true, { metadata, buffers });
    return state.comm;
  }

  private commInfo(socket: "shell" | "control", msg: Message): void {
    const target = msg.content.target_name as string | undefined;
    if (target) this.targetsAsked.add(target);
    const comms: Record<string, { target_name: string }> = {};
    for (const [id, s] of this.comms) if (!target || s.comm.targetName === target) comms[id] = { target_name: s.comm.targetName };
    this.send(socket, msg, "comm_info_reply", { status: "ok", comms });
  }

  private commOpen(msg: Message): void {
    const { comm_id: commId, target_name: targetName, data } = msg.content as { comm_id: string; target_name: string; data: unknown };
    this.targetsAsked.add(targetName);
    const handler = this.commTargets.get(targetName);
    if (!handler) {
      // No such target: tell the frontend the comm is closed, as ipykernel does.
      this.log(`no comm target named "${targetName}"`);
      this.publish("comm_close", { comm_id: commId, data: {} }, msg.header);
      return;
    }
    const state = this.makeComm(commId, targetName);
    this.comms.set(commId, state);
    this.handling = { header: msg.header, identities: msg.identities, allowStdin: false };
    try {
      this.commScope.run(this.handling, () => handler(state.comm, data, msg));
    } finally {
      this.handling = undefined;
    }
  }

  /**
   * Runs the comm's handlers under the message's parent, and settles after the promises they return: the message's
   * `idle` must follow everything its handlers publish (a frontend stops listening to a message's output at its
   * `idle`; ipywidgets' Output widget and update throttling rely on it).
   */
  private async commMsg(msg: Message): Promise<void> {
    const { comm_id: commId, data } = msg.content as { comm_id: string; data: unknown };
    const state = this.comms.get(commId);
    if (!state) {
      this.log(`comm_msg for unknown comm ${commId}`);
      return;
    }
    this.handling = { header: msg.header, identities: msg.identities, allowStdin: false };
    const pending: Array<void | Promise<void>> = [];
    try {
      const parent = this.handling;
      this.commScope.run(parent, () => {
        for (const h of state.messageHandlers) pending.push(h(data, msg));
      });
    } finally {
      this.handling = undefined;
    }
    await Promise.all(pending.map((p) => Promise.resolve(p).catch((err) => this.log(`comm_msg handler failed: ${(err as Error)?.stack ?? String(err)}`))));
  }

  private commClose(msg: Message): void {
    const { comm_id: commId, data } = msg.content as { comm_id: string; data: unknown };
    const state = this.comms.get(commId);
    if (!state) return;
    this.comms.delete(commId);
    for (const h of state.closeHandlers) h(data);
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

/** Reads a connection file. @throws Error naming the file when it is missing or malformed. */
export function readConnectionFile(file: string): ConnectionInfo {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ConnectionInfo;
  } catch (err) {
    throw new Error(`Cannot read the Jupyter connection file ${file}: ${(err as Error).message}`);
  }
}
