/**
 * What the controls of `@jupyter-widgets/controls` 5 (model module version 2.0.0) share: options, the DOM and
 * description attributes, value and range checks, the base class of controls with a description, a Layout and a
 * Style model (created first and referred to as `IPY_MODEL_<id>`, as the frontend expects), and the base class of
 * those whose state holds a typed `value`.
 */
import { Layout, LayoutOptions, Style } from "./layout";
import { ModelSpecState, Observer, Widget } from "./widget";

export interface ControlOptions {
  /** The label shown beside the control. */
  description?: string;
  /** Whether the user can change it. */
  disabled?: boolean;
  /** A tooltip. */
  tooltip?: string | null;
  /** CSS layout, e.g. `{ width: "400px" }`. */
  layout?: LayoutOptions;
  /** Style attributes of the control's style model, e.g. `{ description_width: "120px" }`. */
  style?: Record<string, string | null>;
}

/** The attributes shared by the DOM controls. */
export type DomState = ModelSpecState & {
  _dom_classes: string[];
  layout: string;
  tabbable: boolean | null;
  tooltip: string | null;
};

/** The attributes shared by controls with a description and a style. */
export type DescriptionState = DomState & {
  description: string;
  description_allow_html: boolean;
  style: string;
};

/** The six attributes that name a model's and its view's classes. */
export function spec(
  model: string,
  view: string | null,
  module = "@jupyter-widgets/controls",
  version = "2.0.0",
): ModelSpecState {
  return {
    _model_name: model,
    _model_module: module,
    _model_module_version: version,
    _view_name: view,
    _view_module: module,
    _view_module_version: version,
  };
}

/** The attributes of a DOM control with its layout. */
export function dom(model: string, view: string, layout: Layout, tooltip: string | null | undefined): DomState {
  return { ...spec(model, view), _dom_classes: [], layout: layout.reference, tabbable: null, tooltip: tooltip ?? null };
}

/** The attributes of a control with a description, layout and style. */
export function described(
  model: string,
  view: string,
  layout: Layout,
  style: Style,
  o: ControlOptions,
): DescriptionState {
  return {
    ...dom(model, view, layout, o.tooltip),
    description: o.description ?? "",
    description_allow_html: false,
    style: style.reference,
  };
}

/**
 * `v` as a finite number.
 * @throws Error naming the control (`what`) and attribute when it is not.
 */
export function finite(name: string, v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new Error(`${what}: ${name} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * `v` as an integer.
 * @throws Error naming the control (`what`) and attribute when it is not.
 */
export function integer(name: string, v: unknown, what: string): number {
  const n = finite(name, v, what);
  if (!Number.isInteger(n)) throw new Error(`${what}: ${name} must be an integer, got ${n}`);
  return n;
}

/** The attributes of a control with a numeric value in [min, max]. */
export type RangeState = ModelSpecState & { value: number; min: number; max: number };

/**
 * `next` with its value clipped to [min, max], after checking min, max and value with `check` (`finite` or `integer`).
 * @throws Error naming the control (from `_model_name`) when a number is not one or min is above max.
 */
export function clippedToRange<S extends RangeState>(next: S, check: typeof finite): S {
  const what = next._model_name.replace(/Model$/, "");
  check("min", next.min, what);
  check("max", next.max, what);
  check("value", next.value, what);
  if (next.min > next.max) throw new Error(`${what}: min (${next.min}) is above max (${next.max})`);
  return { ...next, value: Math.min(next.max, Math.max(next.min, next.value)) };
}

/** A control with a description, a layout and a style. */
export abstract class DescriptionWidget<S extends DescriptionState> extends Widget<S> {
  /** The control's layout model. */
  readonly layout: Layout;
  /** The control's style model. */
  readonly style: Style;
  protected constructor(state: S, layout: Layout, style: Style) {
    super(state);
    this.layout = layout;
    this.style = style;
  }

  /** Whether the user can change it. */
  get disabled(): boolean {
    return this.get("disabled" as keyof S & string) === true;
  }
  set disabled(v: boolean) {
    this.set({ disabled: v } as unknown as Partial<S>);
  }

  /** The label beside the control. */
  get description(): string {
    return this.get("description");
  }
  set description(v: string) {
    this.set({ description: v } as Partial<S>);
  }

  /** Closes this control and its layout and style models. */
  override close(): void {
    super.close();
    this.layout.close();
    this.style.close();
  }
}

/** The state of a control with a typed `value`. */
export type ValueState<T> = DescriptionState & { value: T };

/**
 * A control whose state holds its value as `value` of type `T` (synced as is with the frontend): the typed `value`
 * accessor and `onValue`. Subclasses check the value in `validate` (the setter throws what `validate` throws).
 */
export abstract class ValueWidget<T, S extends ValueState<T>> extends DescriptionWidget<S> {
  /** The control's value (what it holds is said on each control's class). */
  get value(): T {
    return this.get("value");
  }
  set value(v: T) {
    this.set({ value: v } as Partial<S>);
  }
  /** Runs `callback` when the value changes (in the kernel or the frontend); returns a function that removes it. */
  onValue(callback: Observer<T>): () => void {
    return this.observe("value", callback as Observer<S["value"]>);
  }
}
