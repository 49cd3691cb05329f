/**
 * Input controls of `@jupyter-widgets/controls` 5: Checkbox, Button (clicks arrive as `custom` messages),
 * Text (Enter arrives as a `custom` message) and Play.
 */
import {
  ControlOptions,
  DescriptionState,
  DomState,
  ValueWidget,
  clippedToRange,
  described,
  dom,
  finite,
  integer,
} from "./control";
import { Layout, Style } from "./layout";
import { JsonValue } from "./protocol";
import { Widget } from "./widget";

/** The state of Checkbox. */
export type CheckboxState = DescriptionState & { value: boolean; disabled: boolean; indent: boolean };

/** A check box (`CheckboxModel`); its `value` is whether it is checked. */
export class Checkbox extends ValueWidget<boolean, CheckboxState> {
  /** Creates the check box (default: unchecked). */
  constructor(options: ControlOptions & { value?: boolean; indent?: boolean } = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("CheckboxStyleModel", options.style);
    super(
      {
        ...described("CheckboxModel", "CheckboxView", layout, style, options),
        value: options.value ?? false,
        disabled: options.disabled ?? false,
        indent: options.indent ?? true,
      },
      layout,
      style,
    );
  }
  protected override validate(next: CheckboxState): CheckboxState {
    if (typeof next.value !== "boolean")
      throw new Error(`Checkbox: value must be true or false, got ${JSON.stringify(next.value)}`);
    return next;
  }
  override describe(): string {
    return `Checkbox(${this.description ? `${this.description} ` : ""}value=${this.value})`;
  }
}

/** The state of Button. */
export type ButtonState = DomState & {
  description: string;
  disabled: boolean;
  button_style: string;
  icon: string;
  style: string;
};

/** A button (`ButtonModel`): a click in the frontend arrives as a `custom` message `{event: "click"}`. */
export class Button extends Widget<ButtonState> {
  /** The button's layout model. */
  readonly layout: Layout;
  /** The button's style model. */
  readonly style: Style;
  private readonly clickHandlers = new Set<(button: Button) => void | Promise<void>>();
  /** Creates the button; `description` is its text. */
  constructor(
    options: ControlOptions & {
      icon?: string;
      buttonStyle?: "primary" | "success" | "info" | "warning" | "danger" | "";
    } = {},
  ) {
    const layout = new Layout(options.layout);
    const style = new Style("ButtonStyleModel", options.style);
    super({
      ...dom("ButtonModel", "ButtonView", layout, options.tooltip),
      description: options.description ?? "",
      disabled: options.disabled ?? false,
      button_style: options.buttonStyle ?? "",
      icon: options.icon ?? "",
      style: style.reference,
    });
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
export type TextState = DescriptionState & {
  value: string;
  placeholder: string;
  continuous_update: boolean;
  disabled: boolean;
};

/**
 * A one-line text field (`TextModel`); its `value` is the text. Enter in the frontend arrives as a `custom` message
 * `{event: "submit"}`.
 */
export class Text extends ValueWidget<string, TextState> {
  private readonly submitHandlers = new Set<(value: string) => void | Promise<void>>();
  /** Creates the field. */
  constructor(options: ControlOptions & { value?: string; placeholder?: string; continuousUpdate?: boolean } = {}) {
    const layout = new Layout(options.layout);
    const style = new Style("TextStyleModel", options.style);
    super(
      {
        ...described("TextModel", "TextView", layout, style, options),
        value: options.value ?? "",
        placeholder: options.placeholder ?? "\u200b",
        continuous_update: options.continuousUpdate ?? true,
        disabled: options.disabled ?? false,
      },
      layout,
      style,
    );
    this.onCustomMessage((content) => {
      if ((content as { event?: JsonValue } | null)?.event === "submit") {
        for (const h of [...this.submitHandlers])
          void Promise.resolve(h(this.value)).catch((err) =>
            console.error(`Text: submit handler failed: ${(err as Error)?.stack ?? err}`),
          );
      }
    });
  }
  /** Runs `handler` when the user presses Enter in the field; returns a function that removes it. */
  onSubmit(handler: (value: string) => void | Promise<void>): () => void {
    this.submitHandlers.add(handler);
    return () => this.submitHandlers.delete(handler);
  }
  protected override validate(next: TextState): TextState {
    if (typeof next.value !== "string")
      throw new Error(`Text: value must be a string, got ${JSON.stringify(next.value)}`);
    return next;
  }
  override describe(): string {
    return `Text(${this.description ? `${this.description} ` : ""}value=${JSON.stringify(this.value)})`;
  }
}

/** The state of Play. */
export type PlayState = DescriptionState & {
  value: number;
  min: number;
  max: number;
  step: number;
  interval: number;
  playing: boolean;
  repeat: boolean;
  show_repeat: boolean;
  disabled: boolean;
};

/**
 * A play/pause control that steps an integer in the frontend every `interval` ms (`PlayModel`); its `value` is the
 * current step (clipped to [min, max]), and `onValue` runs on every step.
 */
export class Play extends ValueWidget<number, PlayState> {
  /** Creates the control; defaults: 0..100 step 1 every 100 ms. @throws Error on non-integer bounds, min above max. */
  constructor(
    options: ControlOptions & {
      value?: number;
      min?: number;
      max?: number;
      step?: number;
      interval?: number;
      repeat?: boolean;
      showRepeat?: boolean;
    } = {},
  ) {
    const layout = new Layout(options.layout);
    const style = new Style("DescriptionStyleModel", options.style);
    super(
      {
        ...described("PlayModel", "PlayView", layout, style, options),
        value: options.value ?? options.min ?? 0,
        min: options.min ?? 0,
        max: options.max ?? 100,
        step: options.step ?? 1,
        interval: options.interval ?? 100,
        playing: false,
        repeat: options.repeat ?? false,
        show_repeat: options.showRepeat ?? true,
        disabled: options.disabled ?? false,
      },
      layout,
      style,
    );
  }
  protected override validate(next: PlayState): PlayState {
    const clipped = clippedToRange(next, integer);
    integer("step", next.step, "Play");
    if (finite("interval", next.interval, "Play") <= 0)
      throw new Error(`Play: interval must be above 0 ms, got ${next.interval}`);
    return clipped;
  }
  override describe(): string {
    const s = this.fullState();
    return `Play(value=${s.value}, min=${s.min}, max=${s.max})`;
  }
}

/** The state of IntProgress and FloatProgress. */
