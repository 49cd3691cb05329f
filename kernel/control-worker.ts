/**
 * The kernel's second thread: owns the control, stdin and heartbeat sockets so that they answer
 * while the main thread runs user code (even a synchronous loop).
 * - heartbeat: echoes;
 * - interrupt_request: sends SIGINT to this process (which breaks a synchronous loop and aborts the
 *   running cell's signal in the main thread), answers at once, and tells the main thread;
 * - other control messages: forwarded to the main thread, which answers through this thread;
 * - stdin: sends the main thread's input_request and hands the input_reply back through shared memory
 *   (the main thread waits with Atomics.wait, so `prompt()` is synchronous as in a browser).
 */
import { parentPort, workerData } from "worker_threads";
import * as zmq from "zeromq";
import { ConnectionInfo, Signer, makeHeader } from "./wire";

/** Messages the main thread sends to this worker. */
export type ToWorker =
  | { kind: "send-control"; frames: Array<string | Buffer> }
  | { kind: "input"; frames: Array<string | Buffer>; buffer: SharedArrayBuffer }
  | { kind: "close" };

/** Messages this worker sends to the main thread. */
export type FromWorker =
  | { kind: "ready" }
  | { kind: "control"; frames: Buffer[] }
  | { kind: "interrupted"; frames: Buffer[] }
  | { kind: "error"; message: string };


async function main(): Promise<void> {
  const { connection, session } = workerData as { connection: ConnectionInfo; session: string };
  const signer = new Signer(connection.key, connection.signature_scheme);
  const address = (port: number): string => `${connection.transport}://${connection.ip}${connection.transport === "ipc" ? "-" : ":"}${port}`;
  const control = new zmq.Router();
  const stdin = new zmq.Router();
  const hb = new zmq.Reply();
  await Promise.all([control.bind(address(connection.control_port)), stdin.bind(address(connection.stdin_port)), hb.bind(address(connection.hb_port))]);
  const port = parentPort;
  if (!port) throw new Error("control-worker must run in a worker thread");

  let pendingInput: Int32Array | undefined;

  const post = (msg: FromWorker): void => port.postMessage(msg);

  (async () => {
    for await (const frames of hb) await hb.send(frames);
  })().catch(() => undefined);

  (async () => {
    for await (const frames of control) {
      let msg;
      try {
        msg = signer.decode(frames);
      } catch (err) {
        post({ kind: "error", message: `control: ${(err as Error).message}` });
        continue;
      }
      if (msg.header.msg_type === "interrupt_request") {
        if (pendingInput) {
          Atomics.store(pendingInput, 0, 2);
          Atomics.notify(pendingInput, 0);
        }
        process.kill(process.pid, "SIGINT");
        await control.send(
          signer.encode({ identities: msg.identities, header: makeHeader("interrupt_reply", msg.header, session), parent_header: msg.header, metadata: {}, content: { status: "ok" } }),
        );
        post({ kind: "interrupted", frames });
        continue;
      }
      post({ kind: "control", frames });
    }
  })().catch((err) => post({ kind: "error", message: `control loop: ${(err as Error).message}` }));

  let inputQueue: Promise<void> = Promise.resolve();
  port.on("message", (msg: ToWorker) => {
    if (msg.kind === "send-control") {
      control.send(msg.frames).catch((err) => post({ kind: "error", message: `control send: ${(err as Error).message}` }));
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
      control.close();
      stdin.close();
      hb.close();
      port.close();
    }
  });
  post({ kind: "ready" });
}

main().catch((err) => parentPort?.postMessage({ kind: "error", message: `control worker failed: ${(err as Error).stack}` } satisfies FromWorker));
