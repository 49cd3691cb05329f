/**
 * Comms, Jupyter's kernel-frontend channels (comm_open, comm_msg, comm_close, comm_info_request), as library code sees
 * them through the display bridge: targets a library registers, comms either side opens, and the parent message that
 * output of a comm handler (and of the asynchronous work it starts) belongs to.
 */
import { AsyncLocalStorage } from "async_hooks";
import { randomUUID } from "crypto";
import type { Header, Message } from "./wire";

/** The request a piece of output belongs to. */
export interface ParentRef {
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

/** A comm and the handlers registered on it. */
interface CommState {
  comm: Comm;
  messageHandlers: Array<(data: unknown, msg: Message) => void | Promise<void>>;
  closeHandlers: Array<(data: unknown) => void>;
}

/** What the comms need of the kernel: publishing on IOPub, replying on a socket, its log, the running request. */
export interface CommHost {
  publish(
    msgType: string,
    content: unknown,
    parent: Header | undefined,
    flushFirst?: boolean,
    extra?: { metadata?: Record<string, unknown>; buffers?: ArrayBufferView[] },
  ): void;
  send(socket: "shell" | "control", request: Message, msgType: string, content: unknown): void;
  log(message: string): void;
  currentParent(): ParentRef | undefined;
}

/** The kernel's comms, and the targets library code registered for comms a frontend opens. */
export class Comms {
  private readonly comms = new Map<string, CommState>();
  private readonly commTargets = new Map<string, (comm: Comm, data: unknown, msg: Message) => void>();
  /** Comm targets a frontend named (comm_open or comm_info_request) since the kernel started: what it can talk. */
  private readonly targetsAsked = new Set<string>();
  /** The comm message being handled: output of comm handlers belongs to it. */
  private handling: ParentRef | undefined;
  /** Carries a comm message's parent into the asynchronous work its handlers start. */
  private readonly commScope = new AsyncLocalStorage<ParentRef>();

  constructor(private readonly host: CommHost) {}

  /** The comm message whose handlers (or whose handlers' asynchronous work) are running, if any. */
  parent(): ParentRef | undefined {
    return this.handling ?? this.commScope.getStore();
  }

  /** Registers a handler for comms the frontend opens with `targetName`. */
  registerTarget(targetName: string, handler: (comm: Comm, data: unknown, msg: Message) => void): void {
    this.commTargets.set(targetName, handler);
  }

  /** Whether a frontend opened a comm to, or sent comm_info_request for, `targetName` since the kernel started. */
  requested(targetName: string): boolean {
    return this.targetsAsked.has(targetName);
  }

  private makeComm(commId: string, targetName: string): CommState {
    const state: CommState = {
      messageHandlers: [],
      closeHandlers: [],
      comm: {
        commId,
        targetName,
        send: (data: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBufferView[]) =>
          this.host.publish("comm_msg", { comm_id: commId, data }, this.host.currentParent()?.header, true, {
            metadata,
            buffers,
          }),
        close: (data: unknown = {}) => {
          if (!this.comms.delete(commId)) return;
          this.host.publish("comm_close", { comm_id: commId, data }, this.host.currentParent()?.header);
        },
        onMessage: (h) => state.messageHandlers.push(h),
        onClose: (h) => state.closeHandlers.push(h),
      },
    };
    return state;
  }

  /** Opens a comm from the kernel side; `metadata` and binary `buffers` are optional. */
  open(targetName: string, data: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBufferView[]): Comm {
    const commId = randomUUID();
    const state = this.makeComm(commId, targetName);
    this.comms.set(commId, state);
    this.host.publish(
      "comm_open",
      { comm_id: commId, target_name: targetName, data },
      this.host.currentParent()?.header,
      true,
      { metadata, buffers },
    );
    return state.comm;
  }

  /** Answers comm_info_request. */
  info(socket: "shell" | "control", msg: Message): void {
    const target = msg.content.target_name as string | undefined;
    if (target) this.targetsAsked.add(target);
    const comms: Record<string, { target_name: string }> = {};
    for (const [id, s] of this.comms)
      if (!target || s.comm.targetName === target) comms[id] = { target_name: s.comm.targetName };
    this.host.send(socket, msg, "comm_info_reply", { status: "ok", comms });
  }

  /** Handles comm_open from the frontend (a comm_close back when no target has that name). */
  onOpen(msg: Message): void {
    const {
      comm_id: commId,
      target_name: targetName,
      data,
    } = msg.content as { comm_id: string; target_name: string; data: unknown };
    this.targetsAsked.add(targetName);
    const handler = this.commTargets.get(targetName);
    if (!handler) {
      // No such target: tell the frontend the comm is closed, as ipykernel does.
      this.host.log(`no comm target named "${targetName}"`);
      this.host.publish("comm_close", { comm_id: commId, data: {} }, msg.header);
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
  async onMessage(msg: Message): Promise<void> {
    const { comm_id: commId, data } = msg.content as { comm_id: string; data: unknown };
    const state = this.comms.get(commId);
    if (!state) {
      this.host.log(`comm_msg for unknown comm ${commId}`);
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
    await Promise.all(
      pending.map((p) =>
        Promise.resolve(p).catch((err) =>
          this.host.log(`comm_msg handler failed: ${(err as Error)?.stack ?? String(err)}`),
        ),
      ),
    );
  }

  /** Handles comm_close from the frontend. */
  onClose(msg: Message): void {
    const { comm_id: commId, data } = msg.content as { comm_id: string; data: unknown };
    const state = this.comms.get(commId);
    if (!state) return;
    this.comms.delete(commId);
    for (const h of state.closeHandlers) h(data);
  }
}
