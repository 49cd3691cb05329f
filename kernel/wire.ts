/**
 * The Jupyter wire protocol (messaging spec 5.3): framing, HMAC signing and verification of
 * multipart ZeroMQ messages. No sockets here, so both the kernel's main thread and its
 * control/stdin worker use it.
 */
import * as fs from "fs";
import { createHmac, randomUUID, timingSafeEqual } from "crypto";

/** The protocol version this kernel speaks. */
export const PROTOCOL_VERSION = "5.3";

const DELIMITER = "<IDS|MSG>";

/** A message header as the spec defines it. */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** One decoded Jupyter message. */
export interface Message<C = Record<string, unknown>> {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** The connection file Jupyter hands the kernel. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

/** How many signatures a Signer remembers to refuse replayed messages (jupyter_client's default). */
export const DIGEST_HISTORY_SIZE = 1 << 16;

/**
 * Signs and verifies messages with the connection's key (HMAC-SHA256; an empty key disables signing).
 * Like jupyter_client's Session it compares signatures in constant time and refuses a signature it
 * has seen before (a replayed message).
 */
export class Signer {
  private readonly algorithm: string;
  private readonly seen = new Set<string>();
  constructor(
    private readonly key: string,
    scheme = "hmac-sha256",
  ) {
    this.algorithm = scheme.replace(/^hmac-/, "");
  }

  /** The hex signature of the four JSON frames. */
  sign(frames: Array<string | Buffer>): string {
    if (!this.key) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const f of frames) hmac.update(f);
    return hmac.digest("hex");
  }

  /**
   * Decodes a multipart message after checking its signature.
   * @throws Error when the delimiter is missing, the signature does not match, or the message is a replay.
   */
  decode(frames: Buffer[]): Message {
    return this.parse(frames, true);
  }

  /**
   * Decodes a multipart message; `verify` (default false) checks its signature as {@link decode} does.
   * Without it, use only on frames another Signer with the same key already verified.
   * @throws Error when the delimiter is missing (or, verifying, the signature is wrong or replayed).
   */
  parse(frames: Buffer[], verify = false): Message {
    let i = 0;
    while (i < frames.length && frames[i].toString() !== DELIMITER) i++;
    if (i >= frames.length || frames.length < i + 6)
      throw new Error("Jupyter message without <IDS|MSG> delimiter and four parts");
    const identities = frames.slice(0, i);
    const signature = frames[i + 1].toString();
    const parts = frames.slice(i + 2, i + 6);
    if (verify && this.key) {
      const expected = Buffer.from(this.sign(parts), "utf8");
      const given = Buffer.from(signature, "utf8");
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new Error("Jupyter message with an invalid signature");
      if (this.seen.has(signature)) throw new Error("Jupyter message replayed (its signature was seen before)");
      this.remember(signature);
    }
    return {
      identities,
      header: JSON.parse(parts[0].toString()),
      parent_header: JSON.parse(parts[1].toString()),
      metadata: JSON.parse(parts[2].toString()),
      content: JSON.parse(parts[3].toString()),
      buffers: frames.slice(i + 6),
    };
  }

  private remember(signature: string): void {
    this.seen.add(signature);
    if (this.seen.size <= DIGEST_HISTORY_SIZE) return;
    // Forget the oldest tenth (a Set iterates in insertion order), as jupyter_client culls its history.
    let drop = Math.ceil(DIGEST_HISTORY_SIZE / 10);
    for (const s of this.seen) {
      if (drop-- <= 0) break;
      this.seen.delete(s);
    }
  }

  /** Encodes a message into frames ready for `socket.send`. */
  encode(
    msg: Pick<Message<unknown>, "identities" | "header" | "parent_header" | "metadata" | "content"> & {
      buffers?: Buffer[];
    },
  ): Array<string | Buffer> {
    const parts = [
      JSON.stringify(msg.header),
      JSON.stringify(msg.parent_header),
      JSON.stringify(msg.metadata),
      JSON.stringify(msg.content ?? {}),
    ];
    return [...msg.identities, DELIMITER, this.sign(parts), ...parts, ...(msg.buffers ?? [])];
  }
}

/** A new header for a message of `msgType` in reply to (or caused by) `parent`. */
export function makeHeader(msgType: string, parent: Partial<Header> | undefined, session: string): Header {
  return {
    msg_id: randomUUID(),
    session: session,
    username: parent?.username ?? "trainlab",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Size of the buffer through which the stdin thread hands an input_reply to a waiting `prompt()`:
 * int32 state (0 waiting, 1 answered, 2 interrupted), int32 byte length, then UTF-8 bytes. */
export const INPUT_BUFFER_BYTES = 1 << 20;

/** Reads a connection file. @throws Error naming the file when it is missing or malformed. */
export function readConnectionFile(file: string): ConnectionInfo {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ConnectionInfo;
  } catch (err) {
    throw new Error(`Cannot read the Jupyter connection file ${file}: ${(err as Error).message}`, { cause: err });
  }
}
