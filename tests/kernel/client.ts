/**
 * Test helper: a real Jupyter client (jupyter_client, through tests/kernel/driver.py) talking to a
 * real kernel process. Kernel name: $TRAINLAB_TEST_KERNEL or "trainlab".
 */
import { ChildProcessWithoutNullStreams, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { jupyterPython } from "../../kernel/install";

/** The project folder. */
export const projectRoot = path.resolve(__dirname, "..", "..", "..");
/** The kernel the tests run. */
export const kernelName = process.env.TRAINLAB_TEST_KERNEL ?? "trainlab";
/** The Python with Jupyter: $TRAINLAB_PYTHON, else the one set-up recorded in dist/python-path (a conda env's, or Debian's). */
export const python = jupyterPython();

/**
 * A part of a Jupyter message as the driver hands it over: JSON that the tests read deeply and assert on, so its
 * fields are deliberately untyped (the shape is what the tests check).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped wire JSON, see above
export type Json = Record<string, any>;

/** One IOPub output message. */
export interface Output {
  msg_type: string;
  content: Json;
  /** The message's metadata, when not empty. */
  metadata?: Json;
  /** Binary buffers (base64), when the message has any. */
  buffers?: string[];
}

/** The answer to an execute command. */
export interface Execution {
  reply: Json;
  outputs: Output[];
  statuses: string[];
  execute_input: boolean;
  input_requests: Array<{ prompt: string; password: boolean }>;
}

/** A history file private to one test run, so tests never touch the user's history. */
export function privateHistoryFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-history-")), "history.jsonl");
}

/** A running kernel with a client. */
export class KernelClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiters: Array<(line: string) => void> = [];
  private stderr = "";

  private constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.proc = spawn(python, [path.join(projectRoot, "tests", "kernel", "driver.py"), kernelName, cwd], {
      env: { ...process.env, ...env },
    });
    readline.createInterface({ input: this.proc.stdout }).on("line", (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
    this.proc.stderr.on("data", (d) => (this.stderr += d.toString()));
  }

  /** Starts a kernel in `cwd` and waits until it answers. */
  static async start(
    cwd = path.join(projectRoot, "tests", "fixtures"),
    env: NodeJS.ProcessEnv = {},
  ): Promise<KernelClient> {
    const client = new KernelClient(cwd, { TRAINLAB_HISTORY_FILE: privateHistoryFile(), ...env });
    const ready = await client.next(90_000);
    if (!ready.ready) throw new Error(`kernel did not start: ${JSON.stringify(ready)}\n${client.stderr}`);
    return client;
  }

  private next(timeoutMs: number): Promise<Json> {
    return new Promise((resolve, reject) => {
      const onExit = (): void => {
        clearTimeout(timer);
        reject(new Error(`driver exited; stderr:\n${this.stderr.slice(-3000)}`));
      };
      const timer = setTimeout(() => {
        this.proc.off("exit", onExit);
        reject(new Error(`driver timed out; stderr:\n${this.stderr.slice(-3000)}`));
      }, timeoutMs);
      const take = (line: string): void => {
        clearTimeout(timer);
        this.proc.off("exit", onExit);
        resolve(JSON.parse(line));
      };
      this.proc.once("exit", onExit);
      const queued = this.lines.shift();
      if (queued !== undefined) take(queued);
      else this.waiters.push(take);
    });
  }

  /** What the kernel (and the driver) wrote to stderr so far: the kernel's log lines start with "[trainlab kernel]". */
  get kernelStderr(): string {
    return this.stderr;
  }

  /** Sends a raw driver command and returns its answer. */
  async command(cmd: Record<string, unknown>, timeoutMs = 120_000): Promise<Json> {
    this.proc.stdin.write(JSON.stringify(cmd) + "\n");
    const answer = await this.next(timeoutMs);
    if (answer.error) throw new Error(`driver: ${answer.error}\n${this.stderr.slice(-3000)}`);
    return answer;
  }

  /** Executes a cell; options: stdin replies, interrupt_after seconds, silent, store_history, user_expressions. */
  execute(code: string, options: Record<string, unknown> = {}): Promise<Execution> {
    return this.command({ op: "execute", code, ...options }) as Promise<Execution>;
  }

  /** Executes a cell that must succeed and returns its execute_result text/plain (or undefined). */
  async value(code: string): Promise<string | undefined> {
    const r = await this.execute(code);
    if (r.reply.status !== "ok") throw new Error(`cell failed: ${code}\n${JSON.stringify(r.reply)}`);
    return r.outputs.find((o) => o.msg_type === "execute_result")?.content.data["text/plain"];
  }

  /** Sends a request and returns its reply; options: `collect: false` skips waiting for its IOPub messages. */
  request(
    msgType: string,
    content: Record<string, unknown> = {},
    channel: "shell" | "control" = "shell",
    options: Record<string, unknown> = {},
  ): Promise<Json> {
    return this.command({ op: "request", msg_type: msgType, content, channel, ...options });
  }

  /**
   * Sends an execute_request without waiting for its reply. `waitFor`: "busy" (the cell's busy status)
   * or a text the cell prints; `thenSleep`: seconds to wait after that.
   */
  submit(code: string, waitFor?: string, thenSleep = 0): Promise<{ msg_id: string; seen: boolean }> {
    return this.command({ op: "submit", code, wait_for: waitFor, then_sleep: thenSleep }) as Promise<{
      msg_id: string;
      seen: boolean;
    }>;
  }

  /**
   * Sends a comm message (`comm_open`, `comm_msg`, `comm_close`) with optional metadata and binary
   * buffers (base64) and returns the IOPub messages it caused: until idle and, with `until`, until an
   * output's JSON contains that text (at most `wait` seconds).
   */
  comm(
    msgType: "comm_open" | "comm_msg" | "comm_close",
    content: Record<string, unknown>,
    options: { metadata?: Record<string, unknown>; buffers?: string[]; until?: string; wait?: number } = {},
  ): Promise<{ msg_id: string; outputs: Output[]; statuses: string[] }> {
    return this.command({ op: "comm", msg_type: msgType, content, ...options }) as Promise<{
      msg_id: string;
      outputs: Output[];
      statuses: string[];
    }>;
  }

  /** Stops the kernel and the driver. */
  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.stdin.end();
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.proc.kill("SIGKILL");
        resolve();
      }, 15_000);
      this.proc.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/**
 * The kernel of a mocha suite: started before its tests (a `before` hook, registered where this is called, so later
 * `before` hooks can already use it) and closed after them. Returns the client; using it outside the suite's tests
 * and hooks throws. `cwd`: the notebook folder, or a function giving it when the suite starts (default: the fixtures).
 */
export function withKernel(options: { cwd?: string | (() => string); env?: NodeJS.ProcessEnv } = {}): KernelClient {
  let client: KernelClient | undefined;
  before(async () => {
    client = await KernelClient.start(typeof options.cwd === "function" ? options.cwd() : options.cwd, options.env);
  });
  after(async () => {
    await client?.close();
    client = undefined;
  });
  return new Proxy({} as KernelClient, {
    get: (_target, prop) => {
      if (!client)
        throw new Error("withKernel(): the kernel runs only during the tests and hooks of the suite that asked for it");
      const value: unknown = Reflect.get(client, prop, client);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(client) : value;
    },
  });
}
