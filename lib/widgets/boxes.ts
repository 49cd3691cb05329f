/**
 * Layout containers of `@jupyter-widgets/controls` 5: HBox and VBox (children as `IPY_MODEL_<id>` references).
 */
import { DomState, dom } from "./control";
import { Layout, LayoutOptions } from "./layout";
import { Widget } from "./widget";

/** The state of HBox and VBox. */
export type BoxState = DomState & { children: string[]; box_style: string };

abstract class Box extends Widget<BoxState> {
  /** The box's layout model. */
  readonly layout: Layout;
  private kids: Widget[];
  protected constructor(model: string, view: string, children: Widget[], options: { layout?: LayoutOptions; boxStyle?: string }) {
    const layout = new Layout(options.layout);
    super({ ...dom(model, view, layout, null), children: children.map((c) => c.reference), box_style: options.boxStyle ?? "" });
    this.layout = layout;
    this.kids = [...children];
  }
  /** The widgets in the box, in order. */
  get children(): readonly Widget[] {
    return this.kids;
  }
  set children(widgets: readonly Widget[]) {
    this.kids = [...widgets];
    this.set({ children: widgets.map((w) => w.reference) });
  }
  override describe(): string {
    return `${this.get("_model_name").replace(/Model$/, "")}(${this.kids.map((k) => k.describe()).join(", ")})`;
  }
  /** Closes the box and its layout (not its children). */
  override close(): void {
    super.close();
    this.layout.close();
  }
}

/** Widgets side by side (`HBoxModel`). */
export class HBox extends Box {
  /** Creates the box. */
  constructor(children: Widget[] = [], options: { layout?: LayoutOptions; boxStyle?: "success" | "info" | "warning" | "danger" | "" } = {}) {
    super("HBoxModel", "HBoxView", children, options);
  }
}

/** Widgets one above the other (`VBoxModel`). */
export class VBox extends Box {
  /** Creates the box. */
  constructor(children: Widget[] = [], options: { layout?: LayoutOptions; boxStyle?: "success" | "info" | "warning" | "danger" | "" } = {}) {
    super("VBoxModel", "VBoxView", children, options);
  }
}
