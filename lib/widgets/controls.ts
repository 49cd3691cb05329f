/**
 * Typed controls of `@jupyter-widgets/controls` 5 (model module version 2.0.0): sliders, selections,
 * checkbox, buttons, text, play, progress, label and boxes. Each creates its Layout (and Style) model
 * first and refers to it as `IPY_MODEL_<id>`, as the frontend expects.
 */
import { JsonValue } from "./protocol";
import { Layout, LayoutOptions, Style, StyleModelName } from "./layout";
import { ModelSpecState, Observer, Widget } from "./widget";

/** Options every control takes. */
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

function spec(model: string, view: string | null, module = "@jupyter-widgets/controls", version = "2.0.0"): ModelSpecState {
  return { _model_name: model, _model_module: module, _model_module_version: version, _view_name: view, _view_module: module, _view_module_version: version };
}

function dom(model: string, view: string, layout: Layout, tooltip: string | null | undefined): DomState {
  return { ...spec(model, view), _dom_classes: [], layout: layout.reference, tabbable: null, tooltip: tooltip ?? null };
}

function described(model: string, view: string, layout: Layout, style: Style, o: ControlOptions): DescriptionState {
  return { ...dom(model, view, layout, o.tooltip), description: o.description ?? "", description_allow_html: false, style: style.reference };
}

function finite(name: string, v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${what}: ${name} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function integer(name: string, v: unknown, what: string): number {
  const n = finite(name, v, what);
  if (!Number.isInteger(n)) throw new Error(`${what}: ${name} must be an integer, got ${n}`);
  return n;
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

// ------------------------------------------------------------------------------------------ sliders

/** Options of the numeric sliders. */
export interface SliderOptions extends ControlOptions {
  value?: number;
  min?: number;
  max?: number;
  step?: number;
  /** Send the value while dragging (true) or only on release (false). */
  continuousUpdate?: boolean;
  orientation?: "horizontal" | "vertical";
  /** Show the value beside the slider. */
  readout?: boolean;
  /** d3-format of the readout, e.g. ".2f". */
  readoutFormat?: string;
}

/** The state of IntSlider and FloatSlider. */
export type SliderState = DescriptionState & {
  value: number; min: number; max: number; step: number;
  behavior: string; continuous_update: boolean; disabled: boolean; orientation: string; readout: boolean; readout_format: string;
};

abstract class NumberSlider<S extends SliderState> extends DescriptionWidget<S> {
  /** Whether values must be integers (a method: it is called while the base class constructs). */
  protected abstract integral(): boolean;
  /** The value. Out-of-range values are clipped to [min, max]. */
  get value(): number {
    return this.get("value");
  }
  set value(v: number) {
    this.set({ value: v } as Partial<S>);
  }
  /** Runs `callback` when the value changes; returns a function that removes it. */
  onValue(callback: Observer<number>): () => void {
    return this.observe("value", callback as Observer<S["value"]>);
  }
  /** Clips the value to [min, max]; refuses a min above max, a step of 0 or less, non-numbers. */
  protected override validate(next: S): S {
    const what = next._model_name.replace(/Model$/, "");
    const check = this.integral() ? integer : finite;
    check("min", next.min, what);
    check("max", next.max, what);
    check("value", next.value, what);
    if (finite("step", next.step, what) <= 0) throw new Error(`${what}: step must be above 0, got ${next.step}`);
    if (next.min > next.max) throw new Error(`${what}: min (${next.min}) is above max (${next.max})`);
    return { ...next, value: Math.min(next.max, Math.max(next.min, next.value)) };
  }
  override describe(): string {
    const s = this.fullState();
    return `${s._model_name.replace(/Model$/, "")}(${s.description ? `${s.description} ` : ""}value=${s.value}, min=${s.min}, max=${s.max}, step=${s.step})`;
  }
}

function sliderState(model: string, view: string, layout: Layout, style: Style, o: SliderOptions, d: { max: number; step: number; format: string }): SliderState {
  return {
    ...described(model, view, layout, style, o),
    value: o.value ?? o.min ?? 0, min: o.min ?? 0, max: o.max ?? d.max, step: o.step ?? d.step,
    behavior: "drag-tap", continuous_update: o.continuousUpdate ?? true, disabled: o.disabled ?? false,
    orientation: o.orientation ?? "horizontal", readout: o.readout ?? true, readout_format: o.readoutFormat ?? d.format,
  };
}

/** A slider over integers (`IntSliderModel`). @throws Error on non-integer bounds or value, min above max. */
export class IntSlider extends NumberSlider<SliderState> {
  protected integral(): boolean {
    return true;
  }
  /** Creates the slider; defaults: value min, min 0, max 100, step 1. */
  constructor(options: SliderOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("SliderStyleModel", options.style);
    super(sliderState("IntSliderModel", "IntSliderView", layout, style, options, { max: 100, step: 1, format: "d" }), layout, style);
  }
}

/** A slider over real numbers (`FloatSliderModel`). @throws Error on non-finite bounds or value, min above max. */
export class FloatSlider extends NumberSlider<SliderState> {
  protected integral(): boolean {
    return false;
  }
  /** Creates the slider; defaults: value min, min 0, max 100, step 0.1. */
  constructor(options: SliderOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("SliderStyleModel", options.style);
    super(sliderState("FloatSliderModel", "FloatSliderView", layout, style, options, { max: 100, step: 0.1, format: ".2f" }), layout, style);
  }
}

/** Options of FloatLogSlider: `min` and `max` are exponents of `base`; `value` is the real value. */
export interface LogSliderOptions extends SliderOptions {
  /** The base of the exponents (default 10). */
  base?: number;
}

/** The state of FloatLogSlider. */
export type LogSliderState = SliderState & { base: number };

/**
 * A slider over a logarithmic scale (`FloatLogSliderModel`): the value runs from base^min to base^max.
 * @throws Error on a non-positive value, a base of 1 or less, min above max.
 */
export class FloatLogSlider extends DescriptionWidget<LogSliderState> {
  /** Creates the slider; defaults: base 10, min 0, max 4, step 0.1, value base^min. */
  constructor(options: LogSliderOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("SliderStyleModel", options.style);
    const base = options.base ?? 10;
    const state = sliderState("FloatLogSliderModel", "FloatLogSliderView", layout, style, { ...options, value: options.value ?? Math.pow(base, options.min ?? 0) }, { max: 4, step: 0.1, format: ".3g" });
    super({ ...state, base }, layout, style);
  }
  /** The value (between base^min and base^max; clipped). */
  get value(): number {
    return this.get("value");
  }
  set value(v: number) {
    this.set({ value: v });
  }
  /** Runs `callback` when the value changes; returns a function that removes it. */
  onValue(callback: Observer<number>): () => void {
    return this.observe("value", callback);
  }
  protected override validate(next: LogSliderState): LogSliderState {
    const what = next._model_name.replace(/Model$/, "");
    finite("min", next.min, what);
    finite("max", next.max, what);
    if (finite("base", next.base, what) <= 1) throw new Error(`${what}: base must be above 1, got ${next.base}`);
    if (finite("value", next.value, what) <= 0) throw new Error(`${what}: value must be above 0 on a log scale, got ${next.value}`);
    if (finite("step", next.step, what) <= 0) throw new Error(`${what}: step must be above 0, got ${next.step}`);
    if (next.min > next.max) throw new Error(`${what}: min exponent (${next.min}) is above max (${next.max})`);
    const lo = Math.pow(next.base, next.min);
    const hi = Math.pow(next.base, next.max);
    return { ...next, value: Math.min(hi, Math.max(lo, next.value)) };
  }
  override describe(): string {
    const s = this.fullState();
    return `FloatLogSlider(${s.description ? `${s.description} ` : ""}value=${s.value}, ${s.base}^${s.min}..${s.base}^${s.max})`;
  }
}

// ------------------------------------------------------------------------------------------ selections

/** A value a selection control offers (shown by its text). */
export type OptionValue = string | number | boolean;

/** Options of Dropdown and ToggleButtons. */
export interface SelectionOptions<T extends OptionValue> extends ControlOptions {
  /** The choices; their labels are `String(option)`. */
  options: readonly T[];
  /** The chosen option (default: the first). */
  value?: T;
}

/** The state of Dropdown. */
export type SelectionState = DescriptionState & { _options_labels: string[]; index: number | null; disabled: boolean };

abstract class Selection<T extends OptionValue, S extends SelectionState> extends DescriptionWidget<S> {
  /** The choices. */
  readonly options: readonly T[];
  protected constructor(state: S, layout: Layout, style: Style, options: readonly T[]) {
    super(state, layout, style);
    this.options = options;
  }
  /** The chosen option (the frontend syncs `index`; the value lives in the kernel), or undefined if none. */
  get value(): T | undefined {
    const i = this.get("index");
    return i === null ? undefined : this.options[i];
  }
  set value(v: T | undefined) {
    if (v === undefined) {
      this.set({ index: null } as Partial<S>);
      return;
    }
    const i = this.options.indexOf(v);
    if (i < 0) throw new Error(`${this.describe()}: ${JSON.stringify(v)} is not one of the options ${JSON.stringify(this.options)}`);
    this.set({ index: i } as Partial<S>);
  }
  /** Runs `callback` with the new option when the choice changes; returns a function that removes it. */
  onValue(callback: (value: T | undefined) => void | Promise<void>): () => void {
    return this.observe("index", (c) => callback(c.new === null ? undefined : this.options[c.new as number]));
  }
  protected override validate(next: S): S {
    const i = next.index;
    if (i !== null && (!Number.isInteger(i) || i < 0 || i >= next._options_labels.length)) {
      throw new Error(`${next._model_name.replace(/Model$/, "")}: index ${JSON.stringify(i)} is outside the ${next._options_labels.length} options`);
    }
    return next;
  }
  override describe(): string {
    const s = this.fullState();
    return `${s._model_name.replace(/Model$/, "")}(${s.description ? `${s.description} ` : ""}value=${JSON.stringify(s.index === null ? null : s._options_labels[s.index])}, options=${JSON.stringify(s._options_labels)})`;
  }
}

function selectionIndex<T extends OptionValue>(o: SelectionOptions<T>, what: string): number | null {
  if (o.options.length === 0) return null;
  if (o.value === undefined) return 0;
  const i = o.options.indexOf(o.value);
  if (i < 0) throw new Error(`${what}: value ${JSON.stringify(o.value)} is not one of the options ${JSON.stringify(o.options)}`);
  return i;
}

/** A drop-down list (`DropdownModel`). @throws Error when `value` is not one of `options`. */
export class Dropdown<T extends OptionValue = string> extends Selection<T, SelectionState> {
  /** Creates the drop-down. */
  constructor(options: SelectionOptions<T>) {
    const index = selectionIndex(options, "Dropdown");
    const layout = new Layout(options.layout);
    const style = new Style("DescriptionStyleModel", options.style);
    super({ ...described("DropdownModel", "DropdownView", layout, style, options), _options_labels: options.options.map(String), index, disabled: options.disabled ?? false }, layout, style, [...options.options]);
  }
}

/** Options of ToggleButtons. */
export interface ToggleButtonsOptions<T extends OptionValue> extends SelectionOptions<T> {
  /** Tooltips, one per option. */
  tooltips?: string[];
  /** FontAwesome icon names, one per option. */
  icons?: string[];
  buttonStyle?: "primary" | "success" | "info" | "warning" | "danger" | "";
}

/** The state of ToggleButtons. */
export type ToggleButtonsState = SelectionState & { tooltips: string[]; icons: string[]; button_style: string };

/** A row of buttons of which one is chosen (`ToggleButtonsModel`). @throws Error when `value` is not one of `options`. */
export class ToggleButtons<T extends OptionValue = string> extends Selection<T, ToggleButtonsState> {
  /** Creates the buttons. */
  constructor(options: ToggleButtonsOptions<T>) {
    const index = selectionIndex(options, "ToggleButtons");
    const layout = new Layout(options.layout);
    const style = new Style("ToggleButtonsStyleModel", options.style);
    super({
      ...described("ToggleButtonsModel", "ToggleButtonsView", layout, style, options), _options_labels: options.options.map(String), index,
      disabled: options.disabled ?? false, tooltips: options.tooltips ?? [], icons: options.icons ?? [], button_style: options.buttonStyle ?? "",
    }, layout, style, [...options.options]);
  }
}

// ------------------------------------------------------------------------------------------ others

/** The state of Checkbox. */
export type CheckboxState = DescriptionState & { value: boolean; disabled: boolean; indent: boolean };

/** A check box (`CheckboxModel`). */
export class Checkbox extends DescriptionWidget<CheckboxState> {
  /** Creates the check box (default: unchecked). */
  constructor(options: ControlOptions & { value?: boolean; indent?: boolean } = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("CheckboxStyleModel", options.style);
    super({ ...described("CheckboxModel", "CheckboxView", layout, style, options), value: options.value ?? false, disabled: options.disabled ?? false, indent: options.indent ?? true }, layout, style);
  }
  /** Whether it is checked. */
  get value(): boolean {
    return this.get("value");
  }
  set value(v: boolean) {
    this.set({ value: v });
  }
  /** Runs `callback` when it is checked or unchecked; returns a function that removes it. */
  onValue(callback: Observer<boolean>): () => void {
    return this.observe("value", callback);
  }
  protected override validate(next: CheckboxState): CheckboxState {
    if (typeof next.value !== "boolean") throw new Error(`Checkbox: value must be true or false, got ${JSON.stringify(next.value)}`);
    return next;
  }
  override describe(): string {
    return `Checkbox(${this.description ? `${this.description} ` : ""}value=${this.value})`;
  }
}

/** The state of Button. */
export type ButtonState = DomState & { description: string; disabled: boolean; button_style: string; icon: string; style: string };

/** A button (`ButtonModel`): a click in the frontend arrives as a `custom` message `{event: "click"}`. */
export class Button extends Widget<ButtonState> {
  /** The button's layout model. */
  readonly layout: Layout;
  /** The button's style model. */
  readonly style: Style;
  private readonly clickHandlers = new Set<(button: Button) => void | Promise<void>>();
  /** Creates the button; `description` is its text. */
  constructor(options: ControlOptions & { icon?: string; buttonStyle?: "primary" | "success" | "info" | "warning" | "danger" | "" } = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("ButtonStyleModel", options.style);
    super({ ...dom("ButtonModel", "ButtonView", layout, options.tooltip), description: options.description ?? "", disabled: options.disabled ?? false, button_style: options.buttonStyle ?? "", icon: options.icon ?? "", style: style.reference });
    this.layout = layout;
    this.style = style;
    this.onCustomMessage((content) => {
      if ((content as { event?: JsonValue } | null)?.event === "click") return this.click();
    });
  }
  /** Runs `handler` in the kernel on every click; returns a function that removes it. */
  onClick(handler: (button: Button) => void | Promise<void>): () => void {
    this.clickHandlers.add(handler);
    return () => this.clickHandlers.delete(handler);
  }
  /** Runs the click handlers, as a click in the frontend does; resolves when they all settled (rejects with the first failure). */
  async click(): Promise<void> {
    const results = await Promise.allSettled([...this.clickHandlers].map(async (h) => h(this)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
  override describe(): string {
    return `Button(${JSON.stringify(this.get("description"))})`;
  }
  /** Closes the button and its layout and style models. */
  override close(): void {
    super.close();
    this.layout.close();
    this.style.close();
  }
}

/** The state of Text. */
export type TextState = DescriptionState & { value: string; placeholder: string; continuous_update: boolean; disabled: boolean };

/** A one-line text field (`TextModel`); Enter in the frontend arrives as a `custom` message `{event: "submit"}`. */
export class Text extends DescriptionWidget<TextState> {
  private readonly submitHandlers = new Set<(value: string) => void | Promise<void>>();
  /** Creates the field. */
  constructor(options: ControlOptions & { value?: string; placeholder?: string; continuousUpdate?: boolean } = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("TextStyleModel", options.style);
    super({ ...described("TextModel", "TextView", layout, style, options), value: options.value ?? "", placeholder: options.placeholder ?? "\u200b", continuous_update: options.continuousUpdate ?? true, disabled: options.disabled ?? false }, layout, style);
    this.onCustomMessage((content) => {
      if ((content as { event?: JsonValue } | null)?.event === "submit") {
        for (const h of [...this.submitHandlers]) void Promise.resolve(h(this.value)).catch((err) => console.error(`Text: submit handler failed: ${(err as Error)?.stack ?? err}`));
      }
    });
  }
  /** The text. */
  get value(): string {
    return this.get("value");
  }
  set value(v: string) {
    this.set({ value: v });
  }
  /** Runs `callback` when the text changes; returns a function that removes it. */
  onValue(callback: Observer<string>): () => void {
    return this.observe("value", callback);
  }
  /** Runs `handler` when the user presses Enter in the field; returns a function that removes it. */
  onSubmit(handler: (value: string) => void | Promise<void>): () => void {
    this.submitHandlers.add(handler);
    return () => this.submitHandlers.delete(handler);
  }
  protected override validate(next: TextState): TextState {
    if (typeof next.value !== "string") throw new Error(`Text: value must be a string, got ${JSON.stringify(next.value)}`);
    return next;
  }
  override describe(): string {
    return `Text(${this.description ? `${this.description} ` : ""}value=${JSON.stringify(this.value)})`;
  }
}

/** The state of Play. */
export type PlayState = DescriptionState & {
  value: number; min: number; max: number; step: number; interval: number; playing: boolean; repeat: boolean; show_repeat: boolean; disabled: boolean;
};

/** A play/pause control that steps an integer in the frontend every `interval` ms (`PlayModel`). */
export class Play extends DescriptionWidget<PlayState> {
  /** Creates the control; defaults: 0..100 step 1 every 100 ms. @throws Error on non-integer bounds, min above max. */
  constructor(options: ControlOptions & { value?: number; min?: number; max?: number; step?: number; interval?: number; repeat?: boolean; showRepeat?: boolean } = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("DescriptionStyleModel", options.style);
    super({
      ...described("PlayModel", "PlayView", layout, style, options), value: options.value ?? options.min ?? 0, min: options.min ?? 0, max: options.max ?? 100, step: options.step ?? 1,
      interval: options.interval ?? 100, playing: false, repeat: options.repeat ?? false, show_repeat: options.showRepeat ?? true, disabled: options.disabled ?? false,
    }, layout, style);
  }
  /** The current step. */
  get value(): number {
    return this.get("value");
  }
  set value(v: number) {
    this.set({ value: v });
  }
  /** Runs `callback` on every step; returns a function that removes it. */
  onValue(callback: Observer<number>): () => void {
    return this.observe("value", callback);
  }
  protected override validate(next: PlayState): PlayState {
    for (const k of ["value", "min", "max", "step"] as const) integer(k, next[k], "Play");
    if (next.min > next.max) throw new Error(`Play: min (${next.min}) is above max (${next.max})`);
    if (finite("interval", next.interval, "Play") <= 0) throw new Error(`Play: interval must be above 0 ms, got ${next.interval}`);
    return { ...next, value: Math.min(next.max, Math.max(next.min, next.value)) };
  }
  override describe(): string {
    const s = this.fullState();
    return `Play(value=${s.value}, min=${s.min}, max=${s.max})`;
  }
}

/** The state of IntProgress and FloatProgress. */
export type ProgressState = DescriptionState & { value: number; min: number; max: number; bar_style: string; orientation: string };

/** Options of the progress bars. */
export interface ProgressOptions extends ControlOptions {
  value?: number;
  min?: number;
  max?: number;
  barStyle?: "success" | "info" | "warning" | "danger" | "";
  orientation?: "horizontal" | "vertical";
}

abstract class ProgressBase extends DescriptionWidget<ProgressState> {
  /** Whether values must be integers (a method: it is called while the base class constructs). */
  protected abstract integral(): boolean;
  /** How far along (clipped to [min, max]). */
  get value(): number {
    return this.get("value");
  }
  set value(v: number) {
    this.set({ value: v });
  }
  protected override validate(next: ProgressState): ProgressState {
    const what = next._model_name.replace(/Model$/, "");
    const check = this.integral() ? integer : finite;
    check("min", next.min, what);
    check("max", next.max, what);
    check("value", next.value, what);
    if (next.min > next.max) throw new Error(`${what}: min (${next.min}) is above max (${next.max})`);
    return { ...next, value: Math.min(next.max, Math.max(next.min, next.value)) };
  }
  override describe(): string {
    const s = this.fullState();
    return `${s._model_name.replace(/Model$/, "")}(${s.description ? `${s.description} ` : ""}value=${s.value}, min=${s.min}, max=${s.max})`;
  }
}

function progressState(model: string, layout: Layout, style: Style, o: ProgressOptions): ProgressState {
  return { ...described(model, "ProgressView", layout, style, o), value: o.value ?? o.min ?? 0, min: o.min ?? 0, max: o.max ?? 100, bar_style: o.barStyle ?? "", orientation: o.orientation ?? "horizontal" };
}

/** A progress bar over integers (`IntProgressModel`). @throws Error on non-integer bounds or value. */
export class IntProgress extends ProgressBase {
  protected integral(): boolean {
    return true;
  }
  /** Creates the bar; defaults 0..100. */
  constructor(options: ProgressOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("ProgressStyleModel", options.style);
    super(progressState("IntProgressModel", layout, style, options), layout, style);
  }
}

/** A progress bar over real numbers (`FloatProgressModel`). @throws Error on non-finite bounds or value. */
export class FloatProgress extends ProgressBase {
  protected integral(): boolean {
    return false;
  }
  /** Creates the bar; defaults 0..100. */
  constructor(options: ProgressOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("ProgressStyleModel", options.style);
    super(progressState("FloatProgressModel", layout, style, options), layout, style);
  }
}

/** The state of Label. */
export type LabelState = DescriptionState & { value: string; placeholder: string };

/** A line of text (`LabelModel`). */
export class Label extends DescriptionWidget<LabelState> {
  /** Creates the label. */
  constructor(value = "", options: ControlOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("LabelStyleModel", options.style);
    super({ ...described("LabelModel", "LabelView", layout, style, options), value, placeholder: "\u200b" }, layout, style);
  }
  /** The text. */
  get value(): string {
    return this.get("value");
  }
  set value(v: string) {
    this.set({ value: v });
  }
  override describe(): string {
    return `Label(${JSON.stringify(this.value)})`;
  }
}

// ------------------------------------------------------------------------------------------ boxes

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
