/**
 * The kernel side of the widget models: one registry per process that owns the `jupyter.widget`
 * and `jupyter.widget.control` comm targets (registered through the kernel's bridge, so `lib/`
 * never sees ZeroMQ), opens a comm per model, answers `request_states` with every model's state,
 * and tells whether a widget-capable frontend is connected.
 *
 * How the library knows the frontend shows widgets: a frontend with `@jupyter-widgets/jupyterlab-manager`
 * (JupyterLab 3/4, Notebook 7) asks the kernel for its widgets as soon as it connects, by opening a
 * `jupyter.widget.control` comm (ipywidgets 8) or, when that fails, by a `comm_info_request` for
 * `jupyter.widget` (older managers). The kernel records the comm targets a frontend named
 * (`bridge.commTargetRequested`), so this works even when the frontend asked before `trainlab` was
 * imported. Any widget message from a frontend also counts. Headless clients (nbclient, `npm start`,
 * jupyter_client) do neither, so they keep text output. `TRAINLAB_WIDGETS=1` or `0` overrides the guess.
 */
import { BridgeComm, CommMessage, KernelBridge, kernelBridge } from "../display";
import {
  CONTROL_PROTOCOL_VERSION,
  CONTROL_TARGET,
  JsonValue,
  StateValue,
  WIDGET_PROTOCOL_VERSION,
  WIDGET_TARGET,
  WidgetState,
  putBuffers,
  removeBuffers,
} from "./protocol";

/** What the registry needs of a widget model. */
export interface ManagedModel {
  readonly modelId: string;
  /** The model's `_model_name`, `_model_module` and `_model_module_version`. */
  modelSpec(): { model_name: string; model_module: string; model_module_version: string };
  /** The model's full state, buffers included. */
  fullState(): WidgetState;
  /** Handles one message a frontend sent on the model's comm; resolves when the callbacks it started have finished. */
  receive(data: unknown, buffers: ArrayBufferView[], msg?: CommMessage): void | Promise<void>;
  /** Binds the model to a comm the frontend (re)opened for it. */
  attach(comm: BridgeComm): void;
  /** Forgets the comm after the frontend closed it. */
  detached(): void;
}

function majorOf(version: unknown): string {
  return String(version ?? "").split(".")[0];
}

function log(message: string): void {
  process.stderr.write(`[trainlab widgets] ${message}\n`);
}

/** The process-wide registry of widget models. */
export class WidgetRegistry {
  private readonly models = new Map<string, ManagedModel>();
  private connectedTo: KernelBridge | undefined;
  private frontendSpoke = false;
  private factory: ((comm: BridgeComm, state: WidgetState) => ManagedModel) | undefined;

  /** Registers the comm targets on the kernel's bridge (once per bridge); does nothing outside a kernel. */
  connect(bridge: KernelBridge | undefined = kernelBridge()): KernelBridge | undefined {
    if (!bridge || !bridge.registerCommTarget || !bridge.openComm) return undefined;
    if (this.connectedTo === bridge) return bridge;
    this.connectedTo = bridge;
    bridge.registerCommTarget(WIDGET_TARGET, (comm, data, msg) => this.onWidgetCommOpen(comm, data, msg));
    bridge.registerCommTarget(CONTROL_TARGET, (comm, _data, msg) => this.onControlCommOpen(comm, msg));
    return bridge;
  }

  /** Sets how a model the frontend creates (comm_open on `jupyter.widget` with a new id) is built. */
  setFactory(factory: (comm: BridgeComm, state: WidgetState) => ManagedModel): void {
    this.factory = factory;
  }

  /**
   * Opens the comm of a new model with its state (`comm_open` data `{state, buffer_paths}`, metadata
   * `{version: "2.1.0"}`). Returns undefined outside a kernel, or in a kernel without comms.
   */
  open(state: WidgetState): BridgeComm | undefined {
    const bridge = this.connect();
    if (!bridge?.openComm) return undefined;
    const split = removeBuffers(state);
    return bridge.openComm(
      WIDGET_TARGET,
      { state: split.state, buffer_paths: split.bufferPaths },
      { version: WIDGET_PROTOCOL_VERSION },
      split.buffers,
    );
  }

  /** Adds a model whose comm is open, and routes its comm's messages to it. */
  add(model: ManagedModel, comm: BridgeComm | undefined): void {
    this.models.set(model.modelId, model);
    if (comm) this.route(model, comm);
  }

  /** Forgets a model (after it closed). */
  remove(modelId: string): void {
    this.models.delete(modelId);
  }

  /** The model with this id, if it is open. */
  get(modelId: string): ManagedModel | undefined {
    return this.models.get(modelId);
  }

  /** The number of open models. */
  get size(): number {
    return this.models.size;
  }

  /** Notes that a frontend sent a widget message: it runs a widget manager. */
  frontendSpeaks(): void {
    this.frontendSpoke = true;
  }

  /**
   * Whether the connected frontend shows widgets (see the module comment for how this is decided).
   * `TRAINLAB_WIDGETS=1`/`0` forces the answer. Outside a kernel: false.
   */
  frontendSupportsWidgets(): boolean {
    const forced = process.env.TRAINLAB_WIDGETS;
    if (forced !== undefined && forced !== "") return !/^(0|false|no|off)$/i.test(forced);
    const bridge = kernelBridge();
    if (!bridge?.openComm) return false;
    return (
      this.frontendSpoke ||
      bridge.commTargetRequested?.(CONTROL_TARGET) === true ||
      bridge.commTargetRequested?.(WIDGET_TARGET) === true
    );
  }

  /** Every open model's state, keyed by model id, as `update_states` carries it (before the buffer split). */
  allStates(): Record<
    string,
    { model_name: string; model_module: string; model_module_version: string; state: WidgetState }
  > {
    const states: Record<
      string,
      { model_name: string; model_module: string; model_module_version: string; state: WidgetState }
    > = {};
    for (const [id, model] of this.models) states[id] = { ...model.modelSpec(), state: model.fullState() };
    return states;
  }

  private route(model: ManagedModel, comm: BridgeComm): void {
    comm.onMessage((data, msg) => {
      this.frontendSpeaks();
      return model.receive(data, msg.buffers ?? [], msg);
    });
    comm.onClose(() => {
      if (this.models.get(model.modelId) === model) this.models.delete(model.modelId);
      model.detached();
    });
  }

  private onWidgetCommOpen(comm: BridgeComm, data: unknown, msg: CommMessage): void {
    this.frontendSpeaks();
    if (majorOf(msg.metadata?.version) !== majorOf(WIDGET_PROTOCOL_VERSION)) {
      log(
        `a frontend opened a widget with protocol version ${JSON.stringify(msg.metadata?.version)}; this kernel speaks ${WIDGET_PROTOCOL_VERSION}. Closing it.`,
      );
      comm.close();
      return;
    }
    const known = this.models.get(comm.commId);
    if (known) {
      // A comm_open for a model the kernel already has: the kernel now routes that id to this new comm, so bind the model to it.
      known.attach(comm);
      this.route(known, comm);
      return;
    }
    const payload = (data ?? {}) as {
      state?: Record<string, StateValue>;
      buffer_paths?: Array<Array<string | number>>;
    };
    if (!this.factory || typeof payload.state !== "object" || payload.state === null) {
      log(`a frontend opened widget ${comm.commId} without a state; closing it.`);
      comm.close();
      return;
    }
    const state = putBuffers({ ...payload.state }, payload.buffer_paths ?? [], msg.buffers ?? []);
    const model = this.factory(comm, state);
    this.add(model, comm);
  }

  private onControlCommOpen(comm: BridgeComm, msg: CommMessage): void {
    this.frontendSpeaks();
    if (majorOf(msg.metadata?.version) !== majorOf(CONTROL_PROTOCOL_VERSION)) {
      log(
        `a frontend opened the widget control comm with version ${JSON.stringify(msg.metadata?.version)}; this kernel speaks ${CONTROL_PROTOCOL_VERSION}. Closing it.`,
      );
      comm.close();
      return;
    }
    comm.onMessage((data) => {
      const method = (data as { method?: unknown } | null)?.method;
      if (method !== "request_states") {
        log(`unknown widget control method ${JSON.stringify(method)}`);
        return;
      }
      const split = removeBuffers(this.allStates() as unknown as WidgetState);
      comm.send(
        { method: "update_states", states: split.state as Record<string, JsonValue>, buffer_paths: split.bufferPaths },
        {},
        split.buffers,
      );
    });
  }
}

const REGISTRY_KEY = Symbol.for("trainlab.widgets.registry");

/** The process-wide registry (shared by every copy of the library loaded in the process). */
export function widgetRegistry(): WidgetRegistry {
  const g = globalThis as Record<symbol, unknown>;
  let registry = g[REGISTRY_KEY] as WidgetRegistry | undefined;
  if (!registry) {
    registry = new WidgetRegistry();
    Object.defineProperty(globalThis, REGISTRY_KEY, { value: registry, configurable: true, writable: true });
  }
  return registry;
}

/**
 * Whether the frontend connected to this kernel shows Jupyter widgets: it opened `jupyter.widget.control`,
 * asked `comm_info` for `jupyter.widget`, or sent a widget message. `TRAINLAB_WIDGETS=1`/`0` overrides.
 */
export function widgetsSupported(): boolean {
  return widgetRegistry().frontendSupportsWidgets();
}
