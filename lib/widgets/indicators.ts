/**
 * Display-only controls of `@jupyter-widgets/controls` 5: IntProgress, FloatProgress and Label.
 */
import { ControlOptions, DescriptionState, ValueWidget, clippedToRange, described, finite, integer } from "./control";
import { Layout, Style } from "./layout";

export type ProgressState = DescriptionState & {
  value: number;
  min: number;
  max: number;
  bar_style: string;
  orientation: string;
};

/** Options of the progress bars. */
export interface ProgressOptions extends ControlOptions {
  value?: number;
  min?: number;
  max?: number;
  barStyle?: "success" | "info" | "warning" | "danger" | "";
  orientation?: "horizontal" | "vertical";
}

/** A progress bar whose `value` says how far along it is (clipped to [min, max]). */
abstract class ProgressBase extends ValueWidget<number, ProgressState> {
  /** Whether values must be integers (a method: it is called while the base class constructs). */
  protected abstract integral(): boolean;
  protected constructor(model: string, options: ProgressOptions) {
    const layout = new Layout(options.layout);
    const style = new Style("ProgressStyleModel", options.style);
    super(progressState(model, layout, style, options), layout, style);
  }
  protected override validate(next: ProgressState): ProgressState {
    return clippedToRange(next, this.integral() ? integer : finite);
  }
  override describe(): string {
    const s = this.fullState();
    return `${s._model_name.replace(/Model$/, "")}(${s.description ? `${s.description} ` : ""}value=${s.value}, min=${s.min}, max=${s.max})`;
  }
}

function progressState(model: string, layout: Layout, style: Style, o: ProgressOptions): ProgressState {
  return {
    ...described(model, "ProgressView", layout, style, o),
    value: o.value ?? o.min ?? 0,
    min: o.min ?? 0,
    max: o.max ?? 100,
    bar_style: o.barStyle ?? "",
    orientation: o.orientation ?? "horizontal",
  };
}

/** A progress bar over integers (`IntProgressModel`). @throws Error on non-integer bounds or value. */
export class IntProgress extends ProgressBase {
  protected integral(): boolean {
    return true;
  }
  /** Creates the bar; defaults 0..100. */
  constructor(options: ProgressOptions = {}) {
    super("IntProgressModel", options);
  }
}

/** A progress bar over real numbers (`FloatProgressModel`). @throws Error on non-finite bounds or value. */
export class FloatProgress extends ProgressBase {
  protected integral(): boolean {
    return false;
  }
  /** Creates the bar; defaults 0..100. */
  constructor(options: ProgressOptions = {}) {
    super("FloatProgressModel", options);
  }
}

/** The state of Label. */
export type LabelState = DescriptionState & { value: string; placeholder: string };

/** A line of text (`LabelModel`); its `value` is the text. */
export class Label extends ValueWidget<string, LabelState> {
  /** Creates the label. */
  constructor(value = "", options: ControlOptions = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("LabelStyleModel", options.style);
    super(
      { ...described("LabelModel", "LabelView", layout, style, options), value, placeholder: "\u200b" },
      layout,
      style,
    );
  }
  override describe(): string {
    return `Label(${JSON.stringify(this.value)})`;
  }
}
