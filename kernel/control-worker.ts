/**
 * The kernel's second thread: owns the control, stdin and heartbeat sockets so that they answer
 * while the main thread runs user code (even a synchronous loop).
 * - heartbeat: echoes;
 * - interrupt_request: sends SIGINT to this process (which breaks a synchronous loop and aborts the
 *   running cell's signal in the main thread), answers at once, and tells the main thread;
 * - kernel_info_request: answered here at once (the content is fixed at start-up);
 * - shutdown_request: sends SIGINT (to break a synchronous loop), then hands the request to the main
 *   thread, which interrupts the running cell, replies and exits. If the main thread has not done so
 *   within SHUTDOWN_GRACE_MS (it is stuck in code SIGINT cannot break), this thread replies and ends
 *   the process itself;
 * - other control messages: forwarded to the main thread, which answers them at once (never behind
 *   the shell queue) through this thread;
 * - stdin: sends the main thread's input_request and hands the input_reply back through shared memory
 *   (the main thread waits with Atomics.wait, so `prompt()` is synchronous as in a browser).
 */
import { parentPort, workerData } from "worker_threads";
import * as zmq from "zeromq";
import { ConnectionInfo, Message, Signer, makeHeader } from "./wire";

/** Messages the main thread sends to this worker. */
export type ToWorker =
  | { kind: "send-control"; frames: Array<string | Buffer> }
  | { kind: "input"; frames: Array<string | Buffer>; buffer: SharedArrayBuffer }
  | { kind: "close" };

/** Messages this worker sends to the main thread. */
export type FromWorker =
  | { kind: "ready" }
  | { kind: "control"; frames: Buffer[] }
  /** A request this worker answered itself; the main thread publishes its busy/idle status. */
  | { kind: "answered"; frames: Buffer[] }
  | { kind: "error"; message: string };

/** What the main thread hands this worker at start. */
export interface WorkerData {
  connection: ConnectionInfo;
  session: string;
  /** The content of kernel_info_reply. */
  kernelInfo: Record<string, unknown>;
}

/** How long the main thread may take to answer a shutdown_request before this thread does it and ends the process. */
export const SHUTDOWN_GRACE_MS = 3000;


async function main(): Promise<void> {
  const { connection, session, kernelInfo } = workerData as WorkerData;
  const signer = new Signer(connection.key, connection.signature_scheme);
  const address = (port: number): string => `${connection.transport}://${connection.ip}${connection.transport === "ipc" ? "-" : ":"}${port}`;
  const control = new zmq.Router();
  const stdin = new zmq.Router();
  const hb = new zmq.Reply();
  await Promise.all([control.bind(address(connection.control_port)), stdin.bind(address(connection.stdin_port)), hb.bind(address(connection.hb_port))]);
  const port = parentPort;
  if (!port) throw new Error("control-worker must run in a worker thread");

  let pendingInput: Int32Array | undefined;
  let shutdownFallback: NodeJS.Timeout | undefined;

  const post = (msg: FromWorker): void => port.postMessage(msg);
  // ZeroMQ allows one send at a time per socket: queue them. The returned promise never rejects.
  let controlSending: Promise<void> = Promise.resolve();
  const sendControl = (frames: Array<string | Buffer>): Promise<void> =>
    (controlSending = controlSending.then(() => control.send(frames)).catch((err) => post({ kind: "error", message: `control send: ${(err as Error).message}` })));
  const reply = (request: Message, msgType: string, content: Record<string, unknown>): Promise<void> =>
    sendControl(signer.encode({ identities: request.identities, header: makeHeader(msgType, request.header, session), parent_header: request.header, metadata: {}, content }));
  const cancelInput = (): void => {
    if (pendingInput) {
      Atomics.store(pendingInput, 0, 2);
      Atomics.notify(pendingInput, 0);
    }
  };

  (async () => {
    for await (const frames of hb) await hb.send(frames);
  })().catch(() => undefined);

  (async () => {
    for await (const frames of control) {
      let msg: Message;
      try {
        msg = signer.decode(frames);
      } catch (err) {
        post({ kind: "error", message: `control: ${(err as Error).message}` });
        continue;
      }
      const type = msg.header.msg_type;
      if (type === "interrupt_request") {
        cancelInput();
        process.kill(process.pid, "SIGINT");
        await reply(msg, "interrupt_reply", { status: "ok" });
        post({ kind: "answered", frames });
        continue;
      }
      if (type === "kernel_info_request") {
        await reply(msg, "kernel_info_reply", kernelInfo);
        post({ kind: "answered", frames });
        continue;
      }
      if (type === "shutdown_request") {
        cancelInput();
        process.kill(process.pid, "SIGINT");
        if (!shutdownFallback) {
          const restart = (msg.content as { restart?: unknown }).restart === true;
          shutdownFallback = setTimeout(() => {
            post({ kind: "error", message: `the main thread did not answer shutdown_request within ${SHUTDOWN_GRACE_MS} ms; ending the process` });
            void reply(msg, "shutdown_reply", { status: "ok", restart }).then(() => setTimeout(() => process.kill(process.pid, "SIGKILL"), 100));
          }, SHUTDOWN_GRACE_MS);
        }
      }
      post({ kind: "control", frames });
    }
  })().catch((err) => post({ kind: "error", message: `control loop: ${(err as Error).message}` }));

  let inputQueue: Promise<void> = Promise.resolve();
  port.on("message", (msg: ToWorker) => {
    if (msg.kind === "send-control") {
      void sendControl(msg.frames);
    } else if (msg.kind === "input") {
      inputQueue = inputQueue.then(async () => {
        const state = new Int32Array(msg.buffer, 0, 2);
        const bytes = new Uint8Array(msg.buffer, 8);
        pendingInput = state;
        try {
          await stdin.send(msg.frames);
          while (Atomics.load(state, 0) === 0) {
            const frames = await stdin.receive();
            const reply = signer.decode(frames);
            if (reply.header.msg_type !== "input_reply") continue;
            const value = Buffer.from(String((reply.content as { value?: string }).value ?? ""), "utf8");
            const n = Math.min(value.length, bytes.length);
            bytes.set(value.subarray(0, n));
            Atomics.store(state, 1, n);
            Atomics.store(state, 0, 1);
            Atomics.notify(state, 0);
          }
        } catch (err) {
          Atomics.store(state, 0, 2);
          Atomics.notify(state, 0);
          post({ kind: "error", message: `stdin: ${(err as Error).message}` });
        } finally {
          pendingInput = undefined;
        }
      });
    } else if (msg.kind === "close") {
      if (shutdownFallback) clearTimeout(shutdownFallback);
      control.close();
      stdin.close();
      hb.close();
      port.close();
    }
  });
  post({ kind: "ready" });
}

main().catch((err) => parentPort?.postMessage({ kind: "error", message: `control worker failed: ${(err as Error).stack}` } satisfies FromWorker));
