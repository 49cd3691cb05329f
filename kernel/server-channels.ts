/**
 * The sending side of the trainlab kernel (server.ts): the signed shell and IOPub sockets, replies and
 * IOPub messages (busy/idle status, displays, clear_output), the buffered output streams they flush first,
 * messages to the control thread (control-worker.ts), and the kernel's own log. KernelServer builds on it.
 */
import { randomUUID } from "crypto";
import { Worker } from "worker_threads";
import * as zmq from "zeromq";
import { RenderedBundle } from "./render";
import { ConnectionInfo, Header, Message, Signer, makeHeader } from "./wire";
import { ParentRef } from "./comms";
import { OutputStreams } from "./streams";
import type { ToWorker } from "./control-worker";

/** Sockets and sending of the kernel; the base of KernelServer (not used on its own). */
export abstract class KernelChannels {
  protected readonly signer: Signer;
  protected readonly session = randomUUID();
  protected readonly shell = new zmq.Router();
  protected readonly iopub = new zmq.Publisher();
  protected worker: Worker | undefined;
  protected shellSend: Promise<void> = Promise.resolve();
  protected iopubSend: Promise<void> = Promise.resolve();
  protected readonly streams = new OutputStreams(
    () => this.currentParent(),
    (name, text, parent) => this.publish("stream", { name, text }, parent.header, false),
    (text) => this.originalStderrWrite(text),
  );
  protected readonly originalStderrWrite = process.stderr.write.bind(process.stderr);

  constructor(protected readonly connection: ConnectionInfo) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
  }

  protected address(port: number): string {
    return `${this.connection.transport}://${this.connection.ip}${this.connection.transport === "ipc" ? "-" : ":"}${port}`;
  }

  /** Logs a kernel-internal problem to the kernel's own stderr (the Jupyter server's log). */
  log(message: string): void {
    this.originalStderrWrite(`[trainlab kernel] ${message}\n`);
  }

  /** The request (or comm) whose outputs go out now: the frame the streams and displays belong to. */
  protected abstract currentParent(): ParentRef | undefined;

  // ---------------------------------------------------------------------------------------- sending

  protected send(
    socket: "shell" | "control",
    request: Message,
    msgType: string,
    content: unknown,
    metadata: Record<string, unknown> = {},
  ): void {
    const frames = this.signer.encode({
      identities: request.identities,
      header: makeHeader(msgType, request.header, this.session),
      parent_header: request.header,
      metadata,
      content,
    });
    if (socket === "control") this.toWorker({ kind: "send-control", frames });
    else
      this.shellSend = this.shellSend
        .then(() => this.shell.send(frames))
        .catch((err) => this.log(`shell send: ${(err as Error).message}`));
  }

  /** Publishes on IOPub (flushing buffered streams of the same parent first, to keep order). */
  protected publish(
    msgType: string,
    content: unknown,
    parent: Header | undefined,
    flushFirst = true,
    extra: { metadata?: Record<string, unknown>; buffers?: ArrayBufferView[] } = {},
  ): void {
    if (flushFirst) this.streams.flush();
    const frames = this.signer.encode({
      identities: [Buffer.from(`kernel.${msgType}`)],
      header: makeHeader(msgType, parent, this.session),
      parent_header: parent ?? {},
      metadata: extra.metadata ?? {},
      content,
      buffers: extra.buffers?.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    });
    this.iopubSend = this.iopubSend
      .then(() => this.iopub.send(frames))
      .catch((err) => this.log(`iopub send: ${(err as Error).message}`));
  }

  protected status(state: "busy" | "idle" | "starting", parent: Header | undefined): void {
    this.publish("status", { execution_state: state }, parent);
  }

  protected toWorker(msg: ToWorker): void {
    this.worker?.postMessage(msg);
  }

  // ---------------------------------------------------------------------------------------- displays

  protected publishBundle(bundle: RenderedBundle, displayId: string | undefined, update: boolean): void {
    const parent = this.currentParent();
    if (update && !displayId) throw new Error("update_display_data needs a displayId");
    this.publish(
      update ? "update_display_data" : "display_data",
      { data: bundle.data, metadata: bundle.metadata, transient: displayId ? { display_id: displayId } : {} },
      parent?.header,
    );
  }

  protected clearOutput(wait: boolean): void {
    this.publish("clear_output", { wait }, this.currentParent()?.header);
  }
}
