/**
 * The display protocol shared by trainlab's library and any Jupyter kernel, as in Deno:
 * an object that has a `[Symbol.for("Jupyter.display")]()` method returns a MIME bundle,
 * and the kernel renders that bundle. The library never imports the kernel; the kernel
 * never imports the library. They meet at two global symbols:
 *
 * - `Symbol.for("Jupyter.display")`: method on a displayable object, returns a {@link MimeBundle}.
 * - `Symbol.for("Jupyter.bridge")`: an object the kernel installs on `globalThis`
 *   ({@link KernelBridge}) so library code can publish and update displays and see interrupts.
 */

/** The key of the method that turns an object into a MIME bundle. */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** The key under which a kernel installs its {@link KernelBridge} on `globalThis`. */
export const BRIDGE: unique symbol = Symbol.for("Jupyter.bridge") as never;

/** A Jupyter MIME bundle: MIME type to data (strings, or JSON for `application/*+json`). */
export interface MimeBundle {
  "text/plain"?: string;
  "text/html"?: string;
  "text/markdown"?: string;
  "image/svg+xml"?: string;
  "image/png"?: string;
  "application/json"?: unknown;
  "application/vnd.plotly.v1+json"?: unknown;
  [mime: string]: unknown;
}

/** An object that renders itself in a notebook. */
export interface Displayable {
  [DISPLAY](): MimeBundle;
}

/** Options for publishing a display. */
export interface PublishOptions {
  /** Jupyter `transient.display_id`: later updates with the same id replace this output. */
  displayId?: string;
  /** Send `update_display_data` for `displayId` instead of a new `display_data`. */
  update?: boolean;
  metadata?: Record<string, unknown>;
}

/** One message the frontend sent on a comm, as the kernel hands it to a comm's handlers. */
export interface CommMessage {
  /** The message's header; `msg_id` identifies the request output belongs to. */
  header: { msg_id: string; msg_type: string };
  /** The message's metadata (the widgets protocol puts its `version` here on `comm_open`). */
  metadata: Record<string, unknown>;
  /** Binary buffers sent after the JSON frames. */
  buffers: ArrayBufferView[];
}

/** A comm (Jupyter's kernel-frontend channel) as a kernel exposes it to library code. */
export interface BridgeComm {
  readonly commId: string;
  readonly targetName: string;
  /** Sends `comm_msg` with optional metadata and binary buffers. */
  send(data: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBufferView[]): void;
  /** Sends `comm_close` (once; later calls do nothing). */
  close(data?: unknown): void;
  /** Adds a handler for the frontend's `comm_msg` on this comm; the kernel stays busy for the message until a returned promise settles. */
  onMessage(handler: (data: unknown, msg: CommMessage) => void | Promise<void>): void;
  /** Adds a handler for the frontend's `comm_close` on this comm. */
  onClose(handler: (data: unknown) => void): void;
}

/** What a kernel provides to library code. Installed by the kernel at `globalThis[BRIDGE]`. */
export interface KernelBridge {
  /** Publishes a bundle as `display_data` (or `update_display_data` with `update`). */
  publish(bundle: MimeBundle, options?: PublishOptions): void;
  /** Sends `clear_output`. */
  clearOutput(wait?: boolean): void;
  /** An AbortSignal that aborts when the user interrupts the cell that is running now. */
  signal(): AbortSignal;
  /**
   * Asks the kernel to let `promise` (set-up a module started as it loaded) settle before it runs the
   * code of the cell that imported the module. Optional: kernels without it run the cell at once.
   */
  awaitBeforeCell?(promise: PromiseLike<unknown>): void;
  /**
   * Registers a listener the kernel calls with each module a cell imports (its specifier and exports), after the
   * cell's imports loaded and before its code runs. Optional: kernels without it never call.
   */
  onImport?(listener: (specifier: string, exports: unknown) => void): void;
  /** Registers the handler of comms the frontend opens with `targetName` (optional: kernels without comms lack it). */
  registerCommTarget?(targetName: string, handler: (comm: BridgeComm, data: unknown, msg: CommMessage) => void): void;
  /** Opens a comm from the kernel side with optional `comm_open` metadata and buffers. */
  openComm?(
    targetName: string,
    data?: unknown,
    metadata?: Record<string, unknown>,
    buffers?: ArrayBufferView[],
  ): BridgeComm;
  /** The msg_id of the request the running code belongs to (a cell, or a comm message), if any. */
  parentMessageId?(): string | undefined;
  /** Whether a frontend opened a comm to, or sent comm_info_request for, `targetName` since the kernel started. */
  commTargetRequested?(targetName: string): boolean;
}

/** The kernel's bridge, or undefined when the code runs outside a kernel (tests, scripts). */
export function kernelBridge(): KernelBridge | undefined {
  return (globalThis as Record<symbol, unknown>)[BRIDGE] as KernelBridge | undefined;
}

/** True when `value` implements the display protocol. */
export function isDisplayable(value: unknown): value is Displayable {
  return (
    typeof value === "object" && value !== null && typeof (value as Record<symbol, unknown>)[DISPLAY] === "function"
  );
}

/** Escapes text for safe inclusion in HTML. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

let displayCounter = 0;

/** The MIME type of Plotly JSON, drawn by JupyterLab's and VS Code's plotly renderers. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** A handle to one output area, returned by {@link display}. */
export interface DisplayHandle {
  readonly displayId: string;
  /** Replaces the output in place (`update_display_data`). */
  update(value: unknown): void;
}

/** Turns any value into a MIME bundle: its own display method, or a `text/plain` fallback. */
export function toMimeBundle(value: unknown): MimeBundle {
  if (isDisplayable(value)) return value[DISPLAY]();
  return { "text/plain": typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? String(value)) };
}

/**
 * Shows a value in the notebook and returns a handle that updates it in place.
 * Outside a kernel it prints the `text/plain` form to stdout.
 */
export function display(value: unknown, options: { displayId?: string } = {}): DisplayHandle {
  const displayId = options.displayId ?? `trainlab-${process.pid}-${++displayCounter}`;
  const publish = (v: unknown, update: boolean): void => {
    const bundle = toMimeBundle(v);
    const bridge = kernelBridge();
    if (bridge) {
      // JupyterLab keeps an output's renderer while its preferred mimetype stays the same, and jupyterlab-plotly's
      // renderer ignores new data once it has drawn (plotly/plotly.py#3053): a live chart would stay on its first
      // frame. Updating a figure first to its text alone makes JupyterLab build a fresh renderer for the new figure.
      // Other frontends simply replace the output twice, ending on the full bundle.
      if (update && PLOTLY_MIME in bundle)
        bridge.publish({ "text/plain": bundle["text/plain"] ?? "" }, { displayId, update });
      bridge.publish(bundle, { displayId, update });
    } else if (!update) console.log(bundle["text/plain"] ?? "");
  };
  publish(value, false);
  return { displayId, update: (v: unknown) => publish(v, true) };
}

/**
 * A one-line status (training progress, search progress): monospace text after a mark, ✓ when done and ● while
 * running. Plain symbols every text font has (an emoji such as the hourglass is a box without an emoji font).
 */
export class ProgressLine {
  constructor(
    readonly text: string,
    readonly done: boolean,
  ) {}
  [DISPLAY](): MimeBundle {
    const mark = this.done ? `<span style="color:#1a7f37">✓</span> ` : `<span style="color:#0969da">●</span> `;
    return {
      "text/plain": this.text,
      "text/html": `<div class="trainlab-progress" style="font-family:monospace">${mark}${escapeHtml(this.text)}</div>`,
    };
  }
}

/** The interrupt signal of the running cell, or undefined outside a kernel. */
export function interruptSignal(): AbortSignal | undefined {
  return kernelBridge()?.signal();
}

/** A source of milliseconds (injectable for tests; default `Date.now`). */
export type Clock = () => number;

/** Options of {@link throttledDisplay}. */
export interface ThrottleOptions {
  /** Least time between two updates sent to the frontend, in milliseconds. */
  intervalMs: number;
  /** The clock (default `Date.now`). */
  clock?: Clock;
}

/** A display handle that sends at most one update per interval; {@link ThrottledDisplay.flush} sends the last state. */
export interface ThrottledDisplay {
  readonly displayId: string;
  /**
   * Offers a new state. It is sent at once when the interval since the last sent update has passed, else kept as
   * pending (replacing any older pending state). `render` runs only for states that are sent, so skipped states
   * cost nothing. Returns true when it sent.
   */
  offer(render: () => unknown): boolean;
  /** Sends the pending state, if any (call it at the end: the output always ends on the final state). */
  flush(): boolean;
  /** Sends a state now, whatever the interval (and drops the pending one). */
  force(render: () => unknown): void;
  /** Updates sent so far (the initial display not counted). */
  readonly sent: number;
}

/**
 * Wraps a {@link DisplayHandle} so that `update_display_data` messages are spaced at least `intervalMs` apart in time:
 * a browser replays every update it receives, and redrawing a chart per epoch can cost more than the epoch.
 * Time-based, no timers: a pending state goes out with the next offer after the interval, or with `flush()`.
 * @throws Error when `intervalMs` is negative or not finite.
 */
export function throttledDisplay(handle: DisplayHandle, options: ThrottleOptions): ThrottledDisplay {
  if (!(options.intervalMs >= 0) || !Number.isFinite(options.intervalMs))
    throw new Error(`throttledDisplay: intervalMs must be a finite number ≥ 0, got ${options.intervalMs}.`);
  const clock = options.clock ?? Date.now;
  let last = -Infinity;
  let pending: (() => unknown) | undefined;
  let sent = 0;
  const send = (render: () => unknown): void => {
    handle.update(render());
    last = clock();
    pending = undefined;
    sent++;
  };
  return {
    displayId: handle.displayId,
    offer(render) {
      if (clock() - last >= options.intervalMs) {
        send(render);
        return true;
      }
      pending = render;
      return false;
    },
    flush() {
      if (!pending) return false;
      send(pending);
      return true;
    },
    force(render) {
      send(render);
    },
    get sent() {
      return sent;
    },
  };
}
