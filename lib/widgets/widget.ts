/**
 * The base of every widget model: a typed state kept in the kernel and mirrored in the frontend over
 * one comm (Jupyter widgets protocol 2.1). Assignments in the kernel send `update`; a frontend's
 * `update` is echoed back (`echo_update`), applied, and runs the `observe` callbacks in the kernel;
 * `request_state` is answered with the full state; `custom` messages go both ways.
 * Outside a kernel a widget keeps its state in memory and displays as text.
 */
import { BridgeComm, DISPLAY, Displayable, MimeBundle } from "../display";
import { ManagedModel, widgetRegistry } from "./manager";
import {
  BufferPath,
  JsonValue,
  StateValue,
  WIDGET_VIEW_MIME,
  WidgetState,
  modelReference,
  putBuffers,
  removeBuffers,
  sameStateValue,
} from "./protocol";

/** One change of one attribute, as `observe` callbacks receive it. */
export interface Change<V> {
  /** The attribute's name. */
  name: string;
  /** The value before the change. */
  old: V;
  /** The value after the change. */
  new: V;
  /** Whether the frontend made the change (a user moved the control) rather than kernel code. */
  fromFrontend: boolean;
}

/** A callback run in the kernel when an attribute changes; a returned promise's rejection is reported. */
export type Observer<V> = (change: Change<V>) => void | Promise<void>;

/** A callback for `custom` messages from the frontend. */
export type CustomHandler = (content: JsonValue, buffers: ArrayBufferView[]) => void | Promise<void>;

/** The attributes every model has: which frontend classes render it. */
export type ModelSpecState = {
  _model_name: string;
  _model_module: string;
  _model_module_version: string;
  _view_name: string | null;
  _view_module: string;
  _view_module_version: string;
};

let localCounter = 0;

function echoEnabled(): boolean {
  const v = process.env.JUPYTER_WIDGETS_ECHO;
  return v === undefined || v === "" || !/^(0|false|no|off)$/i.test(v);
}

function report(what: string, err: unknown): void {
  const e = err as Error;
  console.error(`${what} failed: ${e?.stack ?? String(err)}`);
}

/**
 * A widget model with state `S`. Subclasses fix `S` and add typed accessors.
 * Create it, then display it (return it from a cell, or `display(widget)`).
 */
export class Widget<S extends WidgetState = WidgetState> implements Displayable, ManagedModel {
  /** The model id (the comm id in a kernel); other models refer to it as `IPY_MODEL_<id>`. */
  readonly modelId: string;
  private readonly attrs: S;
  private comm: BridgeComm | undefined;
  private readonly observers = new Map<string, Set<Observer<StateValue>>>();
  private readonly customHandlers = new Set<CustomHandler>();
  private lock: Partial<Record<string, StateValue>> | undefined;
  private isClosed = false;

  /**
   * Creates the model and, in a kernel with comms, opens its comm with the full state.
   * @param existingComm a comm the frontend opened for this model (frontend-created widgets only).
   */
  constructor(state: S, existingComm?: BridgeComm) {
    this.attrs = this.validate({ ...state }, Object.keys(state));
    const registry = widgetRegistry();
    this.comm = existingComm ?? registry.open(this.attrs);
    this.modelId = this.comm?.commId ?? `local-${process.pid}-${++localCounter}`;
    registry.add(this, existingComm ? undefined : this.comm);
  }

  /** `IPY_MODEL_<modelId>`: how other models' state refers to this one. */
  get reference(): string {
    return modelReference(this.modelId);
  }

  /** Whether the model is still open (not closed by `close()` or by the frontend). */
  get open(): boolean {
    return !this.isClosed;
  }

  /** The model's `_model_name`, `_model_module` and `_model_module_version`. */
  modelSpec(): { model_name: string; model_module: string; model_module_version: string } {
    return {
      model_name: String(this.attrs._model_name ?? ""),
      model_module: String(this.attrs._model_module ?? ""),
      model_module_version: String(this.attrs._model_module_version ?? ""),
    };
  }

  /** A copy of the full state, as the frontend receives it. */
  fullState(): S {
    return { ...this.attrs };
  }

  /** The value of one attribute. */
  get<K extends keyof S & string>(name: K): S[K] {
    return this.attrs[name];
  }

  /**
   * Sets attributes: validates them (see each control), stores them, sends one `update` with the
   * changed ones, then runs their `observe` callbacks.
   * @throws Error naming the attribute when a value is invalid (nothing is changed then).
   */
  set(patch: Partial<S>): this {
    this.apply(patch, false);
    return this;
  }

  /**
   * Runs `callback` in the kernel whenever attribute `name` changes (from kernel code or from the frontend).
   * Returns a function that removes the callback.
   */
  observe<K extends keyof S & string>(name: K, callback: Observer<S[K]>): () => void {
    let set = this.observers.get(name);
    if (!set) this.observers.set(name, (set = new Set()));
    const cb = callback as unknown as Observer<StateValue>;
    set.add(cb);
    return () => set?.delete(cb);
  }

  /** Runs `handler` for every `custom` message the frontend sends. Returns a function that removes it. */
  onCustomMessage(handler: CustomHandler): () => void {
    this.customHandlers.add(handler);
    return () => this.customHandlers.delete(handler);
  }

  /** Sends a `custom` message to the frontend model (nothing outside a kernel or after close). */
  send(content: JsonValue, buffers: ArrayBufferView[] = []): void {
    if (this.isClosed) return;
    this.comm?.send({ method: "custom", content }, {}, buffers);
  }

  /** Closes the comm: the frontend removes the views. The state stays readable here. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    widgetRegistry().remove(this.modelId);
    this.comm?.close();
    this.comm = undefined;
  }

  /** The display protocol: the widget view MIME type, and a text fallback for frontends without widgets. */
  [DISPLAY](): MimeBundle {
    return {
      "text/plain": `${this.describe()}\n(an interactive control: it needs a frontend with Jupyter widgets, such as JupyterLab or Notebook 7)`,
      [WIDGET_VIEW_MIME]: { model_id: this.modelId, version_major: 2, version_minor: 0 },
    };
  }

  /** A one-line text description (model name and its main values). */
  describe(): string {
    return String(this.attrs._model_name ?? "Widget").replace(/Model$/, "");
  }

  /**
   * Handles one message the frontend sent on this model's comm (the registry calls it). Resolves when the observers
   * and custom handlers it ran have finished (async ones included), so the kernel reports the message idle only
   * after their output; their errors are reported, never thrown.
   */
  receive(data: unknown, buffers: ArrayBufferView[]): Promise<void> {
    const running: Array<Promise<void>> = [];
    const d = (data ?? {}) as {
      method?: unknown;
      state?: Record<string, StateValue>;
      buffer_paths?: BufferPath[];
      content?: JsonValue;
    };
    if (d.method === "update" && d.state && typeof d.state === "object") {
      const state = putBuffers({ ...d.state }, d.buffer_paths ?? [], buffers);
      this.fromFrontend(state, running);
    } else if (d.method === "request_state") {
      this.sendState(Object.keys(this.attrs));
    } else if (d.method === "custom") {
      for (const h of [...this.customHandlers])
        this.runCallback(`${this.describe()}: custom message handler`, () => h(d.content ?? null, buffers), running);
    } else {
      console.error(`${this.describe()}: unknown widget message method ${JSON.stringify(d.method)}`);
    }
    return Promise.all(running).then(() => undefined);
  }

  /** Binds the model to a comm the frontend (re)opened for it. */
  attach(comm: BridgeComm): void {
    this.comm = comm;
    this.isClosed = false;
  }

  /** Forgets the comm after the frontend closed it. */
  detached(): void {
    this.comm = undefined;
    this.isClosed = true;
  }

  /**
   * Checks and completes a new state before it is stored: `next` is the whole state with the patch
   * applied, `changed` the names set. Returns the state to store. Subclasses override it.
   * @throws Error naming the attribute when a value is invalid.
   */
  protected validate(next: S, _changed: string[]): S {
    return next;
  }

  private fromFrontend(state: Record<string, StateValue>, running: Array<Promise<void>>): void {
    const known = Object.keys(state).filter((k) => k in this.attrs);
    if (echoEnabled() && known.length > 0 && this.comm && !this.isClosed) {
      const echo: WidgetState = {};
      for (const k of known) echo[k] = state[k];
      const split = removeBuffers(echo);
      this.comm.send({ method: "echo_update", state: split.state, buffer_paths: split.bufferPaths }, {}, split.buffers);
    }
    const patch: Partial<Record<string, StateValue>> = {};
    for (const k of known) patch[k] = state[k];
    this.lock = patch;
    try {
      this.apply(patch as Partial<S>, true, running);
    } catch (err) {
      // The frontend sent a value the model refuses: say so, and put the frontend back in sync.
      console.error(`${this.describe()}: ${(err as Error).message}`);
      this.sendState(known);
    } finally {
      this.lock = undefined;
    }
  }

  private apply(patch: Partial<S>, fromFrontend: boolean, running?: Array<Promise<void>>): void {
    const names = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
    if (names.length === 0) return;
    const next = this.validate({ ...this.attrs, ...patch }, names);
    const changes: Array<Change<StateValue>> = [];
    for (const name of Object.keys(next)) {
      const before = this.attrs[name];
      const after = next[name];
      if (!sameStateValue(before, after)) changes.push({ name, old: before, new: after, fromFrontend });
    }
    Object.assign(this.attrs, next);
    // Send what the frontend does not already have: not the values it just sent us.
    const toSend = changes
      .map((c) => c.name)
      .filter((name) => !(this.lock && name in this.lock && sameStateValue(this.lock[name], this.attrs[name])));
    this.sendState(toSend);
    for (const c of changes) {
      for (const cb of [...(this.observers.get(c.name) ?? [])])
        this.runCallback(`${this.describe()}: observer of "${c.name}"`, () => cb(c), running);
    }
  }

  private sendState(names: string[]): void {
    if (names.length === 0 || !this.comm || this.isClosed) return;
    const state: WidgetState = {};
    for (const n of names) state[n] = this.attrs[n];
    const split = removeBuffers(state);
    this.comm.send({ method: "update", state: split.state, buffer_paths: split.bufferPaths }, {}, split.buffers);
  }

  /** Runs a callback, reporting its error; an async one's settled promise goes to `running` when given. */
  private runCallback(what: string, fn: () => void | Promise<void>, running?: Array<Promise<void>>): void {
    try {
      const r = fn();
      if (r && typeof (r as Promise<void>).then === "function") {
        const settled = (r as Promise<void>).then(undefined, (err) => report(what, err));
        running?.push(settled);
      }
    } catch (err) {
      report(what, err);
    }
  }
}

widgetRegistry().setFactory((comm, state) => new Widget(state, comm));
