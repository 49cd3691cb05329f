/**
 * The kernel's second thread: owns the control, stdin and heartbeat sockets so that they answer
 * while the main thread runs user code (even a synchronous loop).
 * - heartbeat: echoes;
 * - interrupt_request: moves the shared interrupt epoch (cell code checks it at every `await`, so even
 *   `while (true) { await null }` stops), sends SIGINT to this process (which breaks a synchronous loop
 *   in a cell or a cell's timer callback; loops in cell code check the epoch too), answers at once, and
 *   tells the main thread. If the main thread's event loop does not come back within ESCALATE_MS
 *   (a busy loop inside a library), this thread logs it: ending that JavaScript from outside
 *   (`Runtime.terminateExecution`) was tried and aborts Node (its async-hook stack is left corrupted);
 * - kernel_info_request: answered here at once (the content is fixed at start-up);
 * - shutdown_request: interrupts as above (to stop a running cell), then hands the request to the main
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
  /** Close the sockets; `done[0]` becomes 1 once they are closed. */
  | { kind: "close"; done?: SharedArrayBuffer }
  /** The main thread's event loop ran (it answers every message of this worker with this). */
  | { kind: "alive" };

/** Messages this worker sends to the main thread. */
export type FromWorker =
  | { kind: "ready" }
  | { kind: "control"; frames: Buffer[] }
  /** A request this worker answered itself; the main thread publishes its busy/idle status. */
  | { kind: "answered"; frames: Buffer[] }
  | { kind: "error"; message: string }
  /** Asks the main thread to show that its event loop runs (it answers with "alive"). */
  | { kind: "ping" };

/** What the main thread hands this worker at start. */
export interface WorkerData {
  connection: ConnectionInfo;
  session: string;
  /** The content of kernel_info_reply. */
  kernelInfo: Record<string, unknown>;
  /** Shared with the main thread: [0] interrupt epoch, [1] SIGINTs this worker sent, [2] depth of SIGINT-protected code running there. */
  interruptState: Int32Array;
}

/** How long the main thread may take to answer an interrupt by itself before it gets a SIGINT. */
export const SIGINT_AFTER_MS = 300;

/** How long the main thread may stay away from its event loop after an interrupt before its running JavaScript is ended. */
export const ESCALATE_MS = 3000;

/** How long the main thread may take to answer a shutdown_request before this thread does it and ends the process. */
export const SHUTDOWN_GRACE_MS = 3000;

async function main(): Promise<void> {
  const { connection, session, kernelInfo, interruptState } = workerData as WorkerData;
  const signer = new Signer(connection.key, connection.signature_scheme);
  const address = (port: number): string =>
    `${connection.transport}://${connection.ip}${connection.transport === "ipc" ? "-" : ":"}${port}`;
  const control = new zmq.Router();
  const stdin = new zmq.Router();
  const hb = new zmq.Reply();
  await Promise.all([
    control.bind(address(connection.control_port)),
    stdin.bind(address(connection.stdin_port)),
    hb.bind(address(connection.hb_port)),
  ]);
  const port = parentPort;
  if (!port) throw new Error("control-worker must run in a worker thread");

  let pendingInput: Int32Array | undefined;
  let shutdownFallback: NodeJS.Timeout | undefined;

  const post = (msg: FromWorker): void => port.postMessage(msg);
  // ZeroMQ allows one send at a time per socket: queue them. The returned promise never rejects.
  let controlSending: Promise<void> = Promise.resolve();
  const sendControl = (frames: Array<string | Buffer>): Promise<void> =>
    (controlSending = controlSending
      .then(() => control.send(frames))
      .catch((err) => post({ kind: "error", message: `control send: ${(err as Error).message}` })));
  const reply = (request: Message, msgType: string, content: Record<string, unknown>): Promise<void> =>
    sendControl(
      signer.encode({
        identities: request.identities,
        header: makeHeader(msgType, request.header, session),
        parent_header: request.header,
        metadata: {},
        content,
      }),
    );
  // Interrupts: the epoch first (awaits check it), then SIGINT (breaks synchronous cell code), then,
  // if the main thread stays stuck, the inspector ends what runs there.
  let aliveSeen = 0;
  let escalation: NodeJS.Timeout | undefined;
  const interruptMain = (): void => {
    Atomics.add(interruptState, 0, 1);
    const before = aliveSeen;
    post({ kind: "ping" });
    // Cell code stops at its next `await` or loop iteration by itself (the epoch); SIGINT is for the rest
    // (a long synchronous call). It only breaks SIGINT-protected code, and sent when none runs it could
    // break the next such script instead: so only when the main thread did not answer, and one runs.
    setTimeout(() => {
      if (aliveSeen !== before || Atomics.load(interruptState, 2) === 0) return;
      Atomics.add(interruptState, 1, 1);
      process.kill(process.pid, "SIGINT");
    }, SIGINT_AFTER_MS);
    if (escalation) return;
    const check = (): void => {
      if (aliveSeen !== before) {
        escalation = undefined;
        return;
      }
      escalation = undefined;
      // Reported once the main thread runs again (its log is the Jupyter server's).
      post({
        kind: "error",
        message: `the main thread did not return to its event loop within ${ESCALATE_MS} ms of an interrupt (a loop that no interrupt reaches, e.g. inside a library)`,
      });
    };
    escalation = setTimeout(check, ESCALATE_MS);
  };
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
        interruptMain();
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
        interruptMain();
        if (!shutdownFallback) {
          const restart = (msg.content as { restart?: unknown }).restart === true;
          shutdownFallback = setTimeout(() => {
            post({
              kind: "error",
              message: `the main thread did not answer shutdown_request within ${SHUTDOWN_GRACE_MS} ms; ending the process`,
            });
            void reply(msg, "shutdown_reply", { status: "ok", restart }).then(() =>
              setTimeout(() => process.kill(process.pid, "SIGKILL"), 100),
            );
          }, SHUTDOWN_GRACE_MS);
        }
      }
      post({ kind: "control", frames });
    }
  })().catch((err) => post({ kind: "error", message: `control loop: ${(err as Error).message}` }));

  let inputQueue: Promise<void> = Promise.resolve();
  port.on("message", (msg: ToWorker) => {
    if (msg.kind === "alive") {
      aliveSeen++;
    } else if (msg.kind === "send-control") {
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
            let reply;
            try {
              reply = signer.decode(frames);
            } catch (err) {
              // A wrongly signed or replayed message must not answer (or cancel) the pending prompt.
              post({ kind: "error", message: `stdin: dropped a message: ${(err as Error).message}` });
              continue;
            }
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
      if (escalation) clearTimeout(escalation);
      // Replies queued before the close (a shutdown_reply) go out first.
      void controlSending.then(() => {
        control.close();
        stdin.close();
        hb.close();
        if (msg.done) {
          const done = new Int32Array(msg.done);
          Atomics.store(done, 0, 1);
          Atomics.notify(done, 0);
        }
        port.close();
      });
    }
  });
  post({ kind: "ready" });
}

main().catch((err) =>
  parentPort?.postMessage({
    kind: "error",
    message: `control worker failed: ${(err as Error).stack}`,
  } satisfies FromWorker),
);
