/**
 * Numeric sliders of `@jupyter-widgets/controls` 5: IntSlider, FloatSlider and FloatLogSlider. Values are
 * checked and clipped to [min, max].
 */
import { ControlOptions, DescriptionState, DescriptionWidget, described, finite, integer } from "./control";
import { Layout, Style } from "./layout";
import { Observer } from "./widget";

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
