/**
 * What cells and libraries reach of the kernel: the display bridge `globalThis[Symbol.for("Jupyter.bridge")]`
 * (publish MIME bundles, clear output, the running cell's AbortSignal, comms, awaitBeforeCell, onImport; its types are in
 * lib/display.ts) and the cell globals `display`, `clearOutput` and `prompt`.
 */
import type { Comm, Comms } from "./comms";
import { RenderedBundle, normalizeBundle, plainText } from "./render";
import type { Message } from "./wire";

/** What the bridge needs of the kernel. */
export interface BridgeHost {
  publishBundle(bundle: RenderedBundle, displayId: string | undefined, update: boolean): void;
  render(value: unknown): RenderedBundle;
  clearOutput(wait: boolean): void;
  prompt(message: string, defaultValue?: string): string | null;
  signal(): AbortSignal;
  comms: Comms;
  parentMessageId(): string | undefined;
  awaitBeforeCell(promise: PromiseLike<unknown>): void;
  onImport(listener: (specifier: string, exports: unknown) => void): void;
}

/** Defines the display bridge and the cell globals on `globalThis` (replacing earlier ones). */
export function installBridge(host: BridgeHost): void {
  const bridge = {
    publish: (
      bundle: Record<string, unknown>,
      options: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> } = {},
    ) =>
      host.publishBundle(
        { data: normalizeBundle(bundle, () => plainText(bundle)), metadata: options.metadata ?? {} },
        options.displayId,
        options.update === true,
      ),
    clearOutput: (wait = false) => host.clearOutput(wait),
    signal: () => host.signal(),
    /** Registers a handler for comms the frontend opens with `targetName`. */
    registerCommTarget: (targetName: string, handler: (comm: Comm, data: unknown, msg: Message) => void) =>
      host.comms.registerTarget(targetName, handler),
    /** Opens a comm from the kernel side; `metadata` and binary `buffers` are optional. */
    openComm: (
      targetName: string,
      data: unknown = {},
      metadata?: Record<string, unknown>,
      buffers?: ArrayBufferView[],
    ) => host.comms.open(targetName, data, metadata, buffers),
    /** The msg_id of the request the running code belongs to (a cell's execute_request or a comm message). */
    parentMessageId: () => host.parentMessageId(),
    /** Whether a frontend opened a comm to, or sent comm_info_request for, `targetName` since the kernel started. */
    commTargetRequested: (targetName: string) => host.comms.requested(targetName),
    /** Asynchronous set-up (started as a module loads) to finish before the importing cell's code runs. */
    awaitBeforeCell: (promise: PromiseLike<unknown>) => host.awaitBeforeCell(promise),
    /** Calls `listener` with each module a cell imports (specifier, exports), before the cell's code runs. */
    onImport: (listener: (specifier: string, exports: unknown) => void) => host.onImport(listener),
  };
  Object.defineProperty(globalThis, Symbol.for("Jupyter.bridge"), {
    value: bridge,
    configurable: true,
    writable: true,
  });
  let displayCounter = 0;
  const globals: Record<string, unknown> = {
    display: (value: unknown, options: { displayId?: string } = {}) => {
      const displayId = options.displayId ?? `trainlab-${process.pid}-d${++displayCounter}`;
      host.publishBundle(host.render(value), displayId, false);
      return { displayId, update: (v: unknown) => host.publishBundle(host.render(v), displayId, true) };
    },
    clearOutput: (wait = false) => host.clearOutput(wait),
    prompt: (message = "", defaultValue?: string) => host.prompt(String(message), defaultValue),
  };
  for (const [name, value] of Object.entries(globals))
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}
