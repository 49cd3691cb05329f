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
  protected constructor(
    model: string,
    view: string,
    children: Widget[],
    options: { layout?: LayoutOptions; boxStyle?: string },
  ) {
    const layout = new Layout(options.layout);
    super({
      ...dom(model, view, layout, null),
      children: children.map((c) => c.reference),
      box_style: options.boxStyle ?? "",
    });
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
  constructor(
    children: Widget[] = [],
    options: { layout?: LayoutOptions; boxStyle?: "success" | "info" | "warning" | "danger" | "" } = {},
  ) {
    super("HBoxModel", "HBoxView", children, options);
  }
}

/** Widgets one above the other (`VBoxModel`). */
export class VBox extends Box {
  /** Creates the box. */
  constructor(
    children: Widget[] = [],
    options: { layout?: LayoutOptions; boxStyle?: "success" | "info" | "warning" | "danger" | "" } = {},
  ) {
    super("VBoxModel", "VBoxView", children, options);
  }
}

/** The state of Stack. */
export type StackState = DomState & {
  children: string[];
  box_style: string;
  selected_index: number | null;
  titles: string[];
};

/**
 * Widgets of which only one is shown (`StackModel`): the child at `selectedIndex`, none when null.
 * @throws Error when the index is not null and not the position of a child.
 */
export class Stack extends Widget<StackState> {
  /** The stack's layout model. */
  readonly layout: Layout;
  private readonly kids: Widget[];
  /** Creates the stack showing child `selectedIndex` (default 0, or null when there are no children). */
  constructor(children: Widget[] = [], options: { selectedIndex?: number | null; layout?: LayoutOptions } = {}) {
    const layout = new Layout(options.layout);
    super({
      ...dom("StackModel", "StackView", layout, null),
      children: children.map((c) => c.reference),
      box_style: "",
      selected_index: options.selectedIndex !== undefined ? options.selectedIndex : children.length > 0 ? 0 : null,
      titles: [],
    });
    this.layout = layout;
    this.kids = [...children];
  }
  /** The widgets in the stack, in order. */
  get children(): readonly Widget[] {
    return this.kids;
  }
  /** The position of the child shown, or null for none. */
  get selectedIndex(): number | null {
    return this.get("selected_index");
  }
  set selectedIndex(i: number | null) {
    this.set({ selected_index: i });
  }
  protected override validate(next: StackState): StackState {
    const i = next.selected_index;
    if (i !== null && (!Number.isInteger(i) || i < 0 || i >= next.children.length)) {
      throw new Error(
        `Stack: selected_index ${JSON.stringify(i)} is not the position of one of its ${next.children.length} children (or null)`,
      );
    }
    return next;
  }
  override describe(): string {
    return `Stack(${this.kids.length} children, showing ${JSON.stringify(this.selectedIndex)})`;
  }
  /** Closes the stack and its layout (not its children). */
  override close(): void {
    super.close();
    this.layout.close();
  }
}
