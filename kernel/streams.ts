/**
 * stdout and stderr of cells as Jupyter `stream` messages: text written while a request runs is buffered per
 * request and published soon after (at the next turn of the event loop, or at once past 64 KiB), keeping the order
 * of stdout and stderr. Text written outside any request goes to the kernel's own stderr.
 */
// The kernel's own timers bypass the per-cell tracking cells' global timers get (cell-tasks.ts).
import { setImmediate } from "timers";
import type { ParentRef } from "./comms";

type StreamName = "stdout" | "stderr";

/** Buffers and publishes the output streams of the requests being handled. */
export class OutputStreams {
  private readonly buffers = new Map<string, { parent: ParentRef; stdout: string; stderr: string }>();
  private flushScheduled = false;

  /**
   * @param currentParent the request that text written now belongs to (undefined outside any request).
   * @param publish sends one `stream` message.
   * @param fallback where text written outside any request goes.
   */
  constructor(
    private readonly currentParent: () => ParentRef | undefined,
    private readonly publish: (name: StreamName, text: string, parent: ParentRef) => void,
    private readonly fallback: (text: string) => void,
  ) {}

  /** Buffers text written to `name`. */
  write(name: StreamName, text: string): void {
    const parent = this.currentParent();
    if (!parent) {
      this.fallback(text);
      return;
    }
    const key = parent.header.msg_id;
    let buf = this.buffers.get(key);
    if (!buf) this.buffers.set(key, (buf = { parent, stdout: "", stderr: "" }));
    // Keep stdout/stderr interleaving: flush the other stream before appending.
    const other = name === "stdout" ? "stderr" : "stdout";
    if (buf[other]) this.flush();
    const again = this.buffers.get(key) ?? { parent, stdout: "", stderr: "" };
    this.buffers.set(key, again);
    again[name] += text;
    if (again[name].length > 65536) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Publishes everything buffered. */
  flush(): void {
    this.flushScheduled = false;
    if (this.buffers.size === 0) return;
    const pending = [...this.buffers.values()];
    this.buffers.clear();
    for (const s of pending) {
      if (s.stdout) this.publish("stdout", s.stdout, s.parent);
      if (s.stderr) this.publish("stderr", s.stderr, s.parent);
    }
  }
}
