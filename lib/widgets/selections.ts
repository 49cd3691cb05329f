/**
 * Selection controls of `@jupyter-widgets/controls` 5: Dropdown and ToggleButtons. The frontend syncs the
 * chosen `index`; the option values live in the kernel.
 */
import { ControlOptions, DescriptionState, DescriptionWidget, described } from "./control";
import { Layout, Style } from "./layout";

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
    if (i < 0)
      throw new Error(
        `${this.describe()}: ${JSON.stringify(v)} is not one of the options ${JSON.stringify(this.options)}`,
      );
    this.set({ index: i } as Partial<S>);
  }
  /** Runs `callback` with the new option when the choice changes; returns a function that removes it. */
  onValue(callback: (value: T | undefined) => void | Promise<void>): () => void {
    return this.observe("index", (c) => callback(c.new === null ? undefined : this.options[c.new as number]));
  }
  protected override validate(next: S): S {
    const i = next.index;
    if (i !== null && (!Number.isInteger(i) || i < 0 || i >= next._options_labels.length)) {
      throw new Error(
        `${next._model_name.replace(/Model$/, "")}: index ${JSON.stringify(i)} is outside the ${next._options_labels.length} options`,
      );
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
  if (i < 0)
    throw new Error(`${what}: value ${JSON.stringify(o.value)} is not one of the options ${JSON.stringify(o.options)}`);
  return i;
}

/** A drop-down list (`DropdownModel`). @throws Error when `value` is not one of `options`. */
export class Dropdown<T extends OptionValue = string> extends Selection<T, SelectionState> {
  /** Creates the drop-down. */
  constructor(options: SelectionOptions<T>) {
    const index = selectionIndex(options, "Dropdown");
    const layout = new Layout(options.layout);
    const style = new Style("DescriptionStyleModel", options.style);
    super(
      {
        ...described("DropdownModel", "DropdownView", layout, style, options),
        _options_labels: options.options.map(String),
        index,
        disabled: options.disabled ?? false,
      },
      layout,
      style,
      [...options.options],
    );
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
    super(
      {
        ...described("ToggleButtonsModel", "ToggleButtonsView", layout, style, options),
        _options_labels: options.options.map(String),
        index,
        disabled: options.disabled ?? false,
        tooltips: options.tooltips ?? [],
        icons: options.icons ?? [],
        button_style: options.buttonStyle ?? "",
      },
      layout,
      style,
      [...options.options],
    );
  }
}

/** Options of SelectionSlider. */
export interface SelectionSliderOptions<T extends OptionValue> extends SelectionOptions<T> {
  /** Send the choice while dragging (true) or only on release (false). */
  continuousUpdate?: boolean;
  orientation?: "horizontal" | "vertical";
  /** Show the chosen option's label beside the slider. */
  readout?: boolean;
}

/** The state of SelectionSlider. */
export type SelectionSliderState = SelectionState & {
  behavior: string;
  continuous_update: boolean;
  orientation: string;
  readout: boolean;
};

/**
 * A slider over a list of options (`SelectionSliderModel`): the frontend syncs the chosen `index`.
 * @throws Error when `options` is empty or `value` is not one of them.
 */
export class SelectionSlider<T extends OptionValue = string> extends Selection<T, SelectionSliderState> {
  /** Creates the slider (default: the first option). */
  constructor(options: SelectionSliderOptions<T>) {
    if (options.options.length === 0) throw new Error("SelectionSlider: options must not be empty");
    const index = selectionIndex(options, "SelectionSlider") ?? 0;
    const layout = new Layout(options.layout);
    const style = new Style("SliderStyleModel", options.style);
    super(
      {
        ...described("SelectionSliderModel", "SelectionSliderView", layout, style, options),
        _options_labels: options.options.map(String),
        index,
        disabled: options.disabled ?? false,
        behavior: "drag-tap",
        continuous_update: options.continuousUpdate ?? true,
        orientation: options.orientation ?? "horizontal",
        readout: options.readout ?? true,
      },
      layout,
      style,
      [...options.options],
    );
  }
  protected override validate(next: SelectionSliderState): SelectionSliderState {
    if (next.index === null)
      throw new Error(`SelectionSlider: index must be one of the ${next._options_labels.length} options, got null`);
    return super.validate(next);
  }
}
