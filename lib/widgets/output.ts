/**
 * The Output widget (`OutputModel` of `@jupyter-widgets/output` 1.0.0): an output area inside a widget.
 * Output made while `capture()` runs goes into it the way ipywidgets does it: the model's `msg_id` is set
 * to the id of the request the code belongs to, and the frontend redirects that request's outputs into
 * the widget (and syncs them back as `outputs`). `appendDisplay`/`appendStdout` write `outputs` directly.
 */
import { MimeBundle, kernelBridge, toMimeBundle } from "../display";
import { DomState } from "./controls";
import { JsonValue } from "./protocol";
import { Layout, LayoutOptions } from "./layout";
import { Widget } from "./widget";

/** One output in an Output widget's `outputs` (nbformat output JSON). */
export type OutputRecord =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: Record<string, JsonValue>; metadata: Record<string, JsonValue> }
  | {
      output_type: "execute_result";
      data: Record<string, JsonValue>;
      metadata: Record<string, JsonValue>;
      execution_count: number | null;
    }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** The state of Output. */
export type OutputState = DomState & { msg_id: string; outputs: OutputRecord[] };

function jsonBundle(bundle: MimeBundle): Record<string, JsonValue> {
  const data: Record<string, JsonValue> = {};
  for (const [mime, v] of Object.entries(bundle)) {
    if (v === undefined) continue;
    data[mime] = /json$/.test(mime)
      ? (JSON.parse(JSON.stringify(v)) as JsonValue)
      : typeof v === "string"
        ? v
        : String(v);
  }
  return data;
}

/** An output area inside a widget (`OutputModel`). */
export class Output extends Widget<OutputState> {
  /** The widget's layout model. */
  readonly layout: Layout;
  private depth = 0;

  /** Creates an empty output area. */
  constructor(options: { layout?: LayoutOptions } = {}) {
    const layout = new Layout(options.layout);
    super({
      _model_name: "OutputModel",
      _model_module: "@jupyter-widgets/output",
      _model_module_version: "1.0.0",
      _view_name: "OutputView",
      _view_module: "@jupyter-widgets/output",
      _view_module_version: "1.0.0",
      _dom_classes: [],
      layout: layout.reference,
      tabbable: null,
      tooltip: null,
      msg_id: "",
      outputs: [],
    });
    this.layout = layout;
  }

  /** The outputs the widget holds (written here, or synced back by the frontend). */
  get outputs(): readonly OutputRecord[] {
    return this.get("outputs");
  }

  /** The id of the request whose outputs the frontend redirects here now ("" when not capturing). */
  get msgId(): string {
    return this.get("msg_id");
  }

  /**
   * Runs `fn` with its output (console, `display`, errors) going into this widget, as ipywidgets'
   * `with out:` does; a promise `fn` returns is awaited before capturing ends. Outside a kernel it
   * just runs `fn`. Returns what `fn` returns.
   */
  capture<T>(fn: () => T): T {
    const parentId = kernelBridge()?.parentMessageId?.();
    if (!parentId) return fn();
    if (this.depth++ === 0 || this.msgId !== parentId) this.set({ msg_id: parentId });
    const end = (): void => {
      if (--this.depth === 0) this.set({ msg_id: "" });
    };
    let result: T;
    try {
      result = fn();
    } catch (err) {
      end();
      throw err;
    }
    if (result && typeof (result as { then?: unknown }).then === "function") {
      return (result as unknown as Promise<unknown>).then(
        (v) => {
          end();
          return v;
        },
        (err: unknown) => {
          end();
          throw err;
        },
      ) as unknown as T;
    }
    end();
    return result;
  }

  /** Clears the widget's outputs (`wait`: when the next output arrives, as `clear_output(wait=True)`). */
  clear(wait = false): void {
    const bridge = kernelBridge();
    if (bridge && bridge.parentMessageId?.()) this.capture(() => bridge.clearOutput(wait));
    if (this.outputs.length > 0) this.set({ outputs: [] });
  }

  /** Appends a value's MIME bundle to `outputs` (its display method, or text). */
  appendDisplay(value: unknown): void {
    this.set({
      outputs: [...this.outputs, { output_type: "display_data", data: jsonBundle(toMimeBundle(value)), metadata: {} }],
    });
  }

  /** Appends text to `outputs` as stdout. */
  appendStdout(text: string): void {
    this.set({ outputs: [...this.outputs, { output_type: "stream", name: "stdout", text }] });
  }

  /** Appends text to `outputs` as stderr. */
  appendStderr(text: string): void {
    this.set({ outputs: [...this.outputs, { output_type: "stream", name: "stderr", text }] });
  }

  protected override validate(next: OutputState): OutputState {
    if (!Array.isArray(next.outputs))
      throw new Error(`Output: outputs must be a list of nbformat outputs, got ${JSON.stringify(next.outputs)}`);
    if (typeof next.msg_id !== "string")
      throw new Error(`Output: msg_id must be a string, got ${JSON.stringify(next.msg_id)}`);
    return next;
  }

  override describe(): string {
    return `Output(${this.outputs.length} outputs)`;
  }

  /** Closes the widget and its layout. */
  override close(): void {
    super.close();
    this.layout.close();
  }
}
