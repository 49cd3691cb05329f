/**
 * The type checker's thread. TypeScript (loading it, building the first program, checking cells) runs
 * in a worker thread, so the kernel's main thread answers `kernel_info` and other requests at once while
 * the checker warms up. The main thread calls it synchronously, as it called the converter before:
 * each call posts a request and blocks on a shared flag until the answer is in (Atomics.wait +
 * receiveMessageOnPort), so cells are still converted in order, one at a time.
 */
import * as path from "path";
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from "worker_threads";
import type { Completion, Conversion, QuickInfo } from "./converter";

/** The identifier through which a cell hands its last expression's value to the executor. */
export const CELL_CONTEXT = "__trainlab_cell__";

/** Where the checker is: not started, loading TypeScript and building the first program, or ready. */
export type CheckerState = "cold" | "warming" | "ready";

/** Shared Int32 slots between the threads. */
export const SLOT_REPLY = 0; // 0: waiting, 1: a reply was posted, 2: the thread ended
export const SLOT_STATE = 1; // 0: cold, 1: warming, 2: ready
export const SLOT_ASKED = 2; // 1 once the main thread sent a request: the warm-up stops at its next step

/** What the main thread hands to the checker thread. */
export interface CheckerWorkerData {
  cwd: string;
  fallbackRoot?: string;
  port: MessagePort;
  flags: SharedArrayBuffer;
}

/** A request to the checker thread: a Converter method and its arguments. */
export interface CheckerRequest {
  method: "convert" | "complete" | "inspect" | "isComplete";
  args: unknown[];
}

/** The checker thread's answer. */
export type CheckerReply = { ok: true; value: unknown } | { ok: false; message: string; stack?: string };

/**
 * The converter's API (kernel/converter.ts), served by a worker thread.
 * Every method throws when the checker thread failed or ended (the next call starts a new one).
 */
export class CheckerThread {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private flags = new Int32Array(new SharedArrayBuffer(12));

  constructor(
    private readonly cwd: string,
    private readonly fallbackRoot?: string,
  ) {}

  /** Starts the thread, which loads TypeScript and builds its first program at once; returns immediately. */
  start(): void {
    if (this.worker) return;
    const { port1, port2 } = new MessageChannel();
    this.flags = new Int32Array(new SharedArrayBuffer(12));
    const workerData: CheckerWorkerData = {
      cwd: this.cwd,
      fallbackRoot: this.fallbackRoot,
      port: port2,
      flags: this.flags.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(path.join(__dirname, "checker-worker.js"), { workerData, transferList: [port2] });
    worker.unref();
    port1.unref();
    worker.on("error", () => undefined); // reported to the caller as "the thread ended" (see call)
    this.worker = worker;
    this.port = port1;
  }

  /** cold, warming or ready. */
  get state(): CheckerState {
    if (!this.worker) return "cold";
    const s = Atomics.load(this.flags, SLOT_STATE);
    return s === 2 ? "ready" : s === 1 ? "warming" : "cold";
  }

  private call(method: CheckerRequest["method"], args: unknown[]): unknown {
    this.start();
    const port = this.port as MessagePort;
    Atomics.store(this.flags, SLOT_REPLY, 0);
    Atomics.store(this.flags, SLOT_ASKED, 1);
    const request: CheckerRequest = { method, args };
    port.postMessage(request);
    for (;;) {
      Atomics.wait(this.flags, SLOT_REPLY, 0, 1000);
      const message = receiveMessageOnPort(port);
      if (message) {
        const reply = message.message as CheckerReply;
        if (reply.ok) return reply.value;
        const err = new Error(reply.message);
        if (reply.stack) err.stack = reply.stack;
        throw err;
      }
      if (Atomics.load(this.flags, SLOT_REPLY) === 2) {
        this.worker = undefined;
        this.port = undefined;
        throw new Error("the type checker's thread ended unexpectedly; the next cell starts a new one");
      }
    }
  }

  /** Type-checks and compiles a cell given the declarations of the previous cells (Converter.convert). */
  convert(prevDecl: string, src: string): Conversion {
    return this.call("convert", [prevDecl, src]) as Conversion;
  }

  /** Completion candidates at `position` of the cell (Converter.complete). */
  complete(prevDecl: string, src: string, position: number): Completion {
    return this.call("complete", [prevDecl, src, position]) as Completion;
  }

  /** The type and documentation of the symbol at `position`, or undefined (Converter.inspect). */
  inspect(prevDecl: string, src: string, position: number): QuickInfo | undefined {
    return this.call("inspect", [prevDecl, src, position]) as QuickInfo | undefined;
  }

  /** complete / incomplete / invalid (converter's isComplete). */
  isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
    return this.call("isComplete", [code]) as { status: "complete" | "incomplete" | "invalid"; indent?: string };
  }

  /** Ends the thread. */
  stop(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
  }
}
