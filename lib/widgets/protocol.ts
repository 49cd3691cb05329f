/**
 * The Jupyter widgets message protocol, version 2.1 (as `@jupyter-widgets/base` 6 and
 * `@jupyter-widgets/controls` 5 speak it), and the control protocol 1.0: names, versions, the
 * message shapes, and the binary-buffer split of a state (`buffer_paths`). Pure data and functions:
 * no kernel, no comms.
 */

/** The widget messaging protocol this library speaks: sent as `comm_open` metadata `{version}`. */
export const WIDGET_PROTOCOL_VERSION = "2.1.0";
/** The control protocol (`jupyter.widget.control`, `request_states`) this library speaks. */
export const CONTROL_PROTOCOL_VERSION = "1.0.0";
/** The comm target of widget models. */
export const WIDGET_TARGET = "jupyter.widget";
/** The comm target through which a frontend asks for every model's state at once. */
export const CONTROL_TARGET = "jupyter.widget.control";
/** The MIME type that shows a widget's view in an output area. */
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";
/** The prefix of a serialized reference to another widget model: `IPY_MODEL_<model id>`. */
export const MODEL_REFERENCE_PREFIX = "IPY_MODEL_";

/** A JSON value. */
export type JsonValue = import("../core/json").JsonValue;

/** A value in a widget's state: JSON, or binary buffers anywhere inside it. */
export type StateValue = JsonValue | ArrayBufferView | StateValue[] | { [key: string]: StateValue };

/** A widget model's state: attribute name to value. */
export type WidgetState = Record<string, StateValue>;

/** The path of one binary buffer inside a state: keys and list indices. */
export type BufferPath = Array<string | number>;

/** A state split for the wire: JSON state, the paths of the buffers taken out, and the buffers. */
export interface SplitState {
  state: Record<string, JsonValue>;
  bufferPaths: BufferPath[];
  buffers: ArrayBufferView[];
}

/** The `data` of the messages a kernel sends on a widget comm. */
export type KernelWidgetMessage =
  | { method: "update" | "echo_update"; state: Record<string, JsonValue>; buffer_paths: BufferPath[] }
  | { method: "custom"; content: JsonValue };

/** The `data` of the messages a frontend sends on a widget comm. */
export type FrontendWidgetMessage =
  | { method: "update"; state: Record<string, JsonValue>; buffer_paths?: BufferPath[] }
  | { method: "request_state" }
  | { method: "custom"; content: JsonValue };

function isBuffer(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value);
}

/**
 * Splits the binary buffers out of a state, as the protocol sends it: a buffer in an object is
 * removed from it, a buffer in a list becomes `null`; each one's path is listed in `bufferPaths`.
 * The input is not changed.
 */
export function removeBuffers(state: WidgetState): SplitState {
  const bufferPaths: BufferPath[] = [];
  const buffers: ArrayBufferView[] = [];
  const walk = (value: StateValue, path: BufferPath): JsonValue | undefined => {
    if (isBuffer(value)) {
      bufferPaths.push(path);
      buffers.push(value);
      return undefined;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]) ?? null);
    if (value !== null && typeof value === "object") {
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value)) {
        const w = walk(v, [...path, k]);
        if (w !== undefined) out[k] = w;
      }
      return out;
    }
    return value;
  };
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(state)) {
    const w = walk(v, [k]);
    if (w !== undefined) out[k] = w;
  }
  return { state: out, bufferPaths, buffers };
}

/**
 * Puts binary buffers back into a state received from the wire, at their `bufferPaths`.
 * @throws Error when the paths and buffers differ in number or a path does not lead into the state.
 */
export function putBuffers(
  state: Record<string, StateValue>,
  bufferPaths: BufferPath[],
  buffers: ArrayBufferView[],
): Record<string, StateValue> {
  if (bufferPaths.length !== buffers.length) {
    throw new Error(
      `widget message: ${bufferPaths.length} buffer_paths but ${buffers.length} binary buffers; they must match one to one`,
    );
  }
  bufferPaths.forEach((path, i) => {
    if (path.length === 0) throw new Error("widget message: an empty buffer path cannot name a state attribute");
    let target: StateValue = state;
    for (const key of path.slice(0, -1)) {
      const next: StateValue | undefined = (target as Record<string | number, StateValue>)[key];
      if (next === undefined || next === null || typeof next !== "object") {
        throw new Error(`widget message: buffer path ${JSON.stringify(path)} does not lead into the state`);
      }
      target = next;
    }
    (target as Record<string | number, StateValue>)[path[path.length - 1]] = buffers[i];
  });
  return state;
}

/** The serialized reference to a model: `IPY_MODEL_<modelId>`. */
export function modelReference(modelId: string): string {
  return `${MODEL_REFERENCE_PREFIX}${modelId}`;
}

/** Compares two state values the way they travel (JSON text, buffers by bytes). */
export function sameStateValue(a: StateValue | undefined, b: StateValue | undefined): boolean {
  const ka = removeBuffers({ v: a ?? null });
  const kb = removeBuffers({ v: b ?? null });
  if (
    JSON.stringify(ka.state) !== JSON.stringify(kb.state) ||
    JSON.stringify(ka.bufferPaths) !== JSON.stringify(kb.bufferPaths)
  )
    return false;
  return ka.buffers.every((buf, i) => {
    const x = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const y = Buffer.from(kb.buffers[i].buffer, kb.buffers[i].byteOffset, kb.buffers[i].byteLength);
    return x.equals(y);
  });
}
