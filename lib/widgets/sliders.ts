/**
 * Numeric sliders of `@jupyter-widgets/controls` 5: IntSlider, FloatSlider and FloatLogSlider. Values are
 * checked and clipped to [min, max].
 */
import { ControlOptions, DescriptionState, ValueWidget, clippedToRange, described, finite, integer } from "./control";
import { Layout, Style } from "./layout";

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
  value: number;
  min: number;
  max: number;
  step: number;
  behavior: string;
  continuous_update: boolean;
  disabled: boolean;
  orientation: string;
  readout: boolean;
  readout_format: string;
};

/** A slider whose `value` is clipped to [min, max]. */
abstract class NumberSlider extends ValueWidget<number, SliderState> {
  /** Whether values must be integers (a method: it is called while the base class constructs). */
  protected abstract integral(): boolean;
  protected constructor(model: string, view: string, options: SliderOptions, defaults: SliderDefaults) {
    const layout = new Layout(options.layout);
    const style = new Style("SliderStyleModel", options.style);
    super(sliderState(model, view, layout, style, options, defaults), layout, style);
  }
  /** Clips the value to [min, max]; refuses a min above max, a step of 0 or less, non-numbers. */
  protected override validate(next: SliderState): SliderState {
    const what = next._model_name.replace(/Model$/, "");
    if (finite("step", next.step, what) <= 0) throw new Error(`${what}: step must be above 0, got ${next.step}`);
    return clippedToRange(next, this.integral() ? integer : finite);
  }
  override describe(): string {
    const s = this.fullState();
    return `${s._model_name.replace(/Model$/, "")}(${s.description ? `${s.description} ` : ""}value=${s.value}, min=${s.min}, max=${s.max}, step=${s.step})`;
  }
}

/** A slider's defaults for max, step and readout format. */
type SliderDefaults = { max: number; step: number; format: string };

function sliderState(
  model: string,
  view: string,
  layout: Layout,
  style: Style,
  o: SliderOptions,
  d: SliderDefaults,
): SliderState {
  return {
    ...described(model, view, layout, style, o),
    value: o.value ?? o.min ?? 0,
    min: o.min ?? 0,
    max: o.max ?? d.max,
    step: o.step ?? d.step,
    behavior: "drag-tap",
    continuous_update: o.continuousUpdate ?? true,
    disabled: o.disabled ?? false,
    orientation: o.orientation ?? "horizontal",
    readout: o.readout ?? true,
    readout_format: o.readoutFormat ?? d.format,
  };
}

/** A slider over integers (`IntSliderModel`). @throws Error on non-integer bounds or value, min above max. */
export class IntSlider extends NumberSlider {
  protected integral(): boolean {
    return true;
  }
  /** Creates the slider; defaults: value min, min 0, max 100, step 1. */
  constructor(options: SliderOptions = {}) {
    super("IntSliderModel", "IntSliderView", options, { max: 100, step: 1, format: "d" });
  }
}

/** A slider over real numbers (`FloatSliderModel`). @throws Error on non-finite bounds or value, min above max. */
export class FloatSlider extends NumberSlider {
  protected integral(): boolean {
    return false;
  }
  /** Creates the slider; defaults: value min, min 0, max 100, step 0.1. */
  constructor(options: SliderOptions = {}) {
    super("FloatSliderModel", "FloatSliderView", options, { max: 100, step: 0.1, format: ".2f" });
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
 * A slider over a logarithmic scale (`FloatLogSliderModel`): the `value` runs from base^min to base^max (clipped).
 * @throws Error on a non-positive value, a base of 1 or less, min above max.
 */
export class FloatLogSlider extends ValueWidget<number, LogSliderState> {
  /** Creates the slider; defaults: base 10, min 0, max 4, step 0.1, value base^min. */
  constructor(options: LogSliderOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("SliderStyleModel", options.style);
    const base = options.base ?? 10;
    const state = sliderState(
      "FloatLogSliderModel",
      "FloatLogSliderView",
      layout,
      style,
      { ...options, value: options.value ?? Math.pow(base, options.min ?? 0) },
      { max: 4, step: 0.1, format: ".3g" },
    );
    super({ ...state, base }, layout, style);
  }
  protected override validate(next: LogSliderState): LogSliderState {
    const what = next._model_name.replace(/Model$/, "");
    finite("min", next.min, what);
    finite("max", next.max, what);
    if (finite("base", next.base, what) <= 1) throw new Error(`${what}: base must be above 1, got ${next.base}`);
    if (finite("value", next.value, what) <= 0)
      throw new Error(`${what}: value must be above 0 on a log scale, got ${next.value}`);
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
