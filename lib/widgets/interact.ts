/**
 * `interact(fn, spec)`: controls built from a short spec, and `fn` rerun with their values whenever
 * one changes, its output redrawn in an Output widget below them (as ipywidgets' `interact`).
 *
 * Spec entries: `[min, max]` or `[min, max, step]` of numbers → IntSlider when all are integers, else
 * FloatSlider (step (max - min) / 100 unless given); `[min, max, "log"]` → FloatLogSlider from min to max
 * (base 10, step 0.1 in the exponent); an array of strings → Dropdown; a boolean → Checkbox; or a
 * control made beforehand (its own value). Sliders start at the middle (geometric middle on a log scale).
 */
import { DISPLAY, MimeBundle, display, kernelBridge } from "../display";
import { Checkbox, Dropdown, FloatLogSlider, FloatSlider, IntSlider, VBox } from "./controls";
import { widgetsSupported } from "./manager";
import { Output } from "./output";
import { Widget } from "./widget";

/** `[min, max]` or `[min, max, step]`: a slider. */
export type NumberRange = readonly [number, number] | readonly [number, number, number];
/** `[min, max, "log"]`: a log-scale slider from min to max (both above 0). */
export type LogRange = readonly [number, number, "log"];
/** A control whose value interact reads. */
export type ValueControl = IntSlider | FloatSlider | FloatLogSlider | Checkbox | Dropdown<string>;
/** One entry of an interact spec. */
export type InteractAbbreviation = NumberRange | LogRange | readonly string[] | boolean | ValueControl;
/** An interact spec: parameter name to abbreviation. */
export type InteractSpec = Record<string, InteractAbbreviation>;

/** The value type an abbreviation gives. */
export type InteractValue<A> = A extends boolean
  ? boolean
  : A extends LogRange | NumberRange
    ? number
    : A extends readonly (infer E)[]
      ? E extends string
        ? E
        : never
      : A extends Dropdown<infer T>
        ? T
        : A extends Checkbox
          ? boolean
          : A extends { value: infer V }
            ? V
            : never;

/** The values `fn` receives: one per spec entry. */
export type InteractValues<S extends InteractSpec> = { [K in keyof S]: InteractValue<S[K]> };

function isLog(a: InteractAbbreviation): a is LogRange {
  return Array.isArray(a) && a.length === 3 && a[2] === "log";
}

/**
 * The control for one spec entry.
 * @throws Error naming the parameter when the entry is not a valid abbreviation.
 */
export function controlFor(name: string, a: InteractAbbreviation): ValueControl {
  if (a instanceof Widget) return a;
  if (typeof a === "boolean") return new Checkbox({ value: a, description: name });
  if (!Array.isArray(a))
    throw new Error(
      `interact: parameter "${name}": expected [min, max], [min, max, step], [min, max, "log"], a list of strings, a boolean or a control, got ${JSON.stringify(a)}`,
    );
  const arr = a as readonly unknown[];
  if (isLog(a)) {
    const [min, max] = a;
    if (!(min > 0 && max > 0 && min < max))
      throw new Error(`interact: parameter "${name}": a log range needs 0 < min < max, got [${min}, ${max}]`);
    const lo = Math.log10(min);
    const hi = Math.log10(max);
    const mid = Math.round((lo + hi) / 2 / 0.1) * 0.1;
    return new FloatLogSlider({
      description: name,
      min: lo,
      max: hi,
      step: 0.1,
      base: 10,
      value: Math.pow(10, mid),
      readoutFormat: ".2e",
    });
  }
  if (arr.length > 0 && arr.every((x) => typeof x === "string"))
    return new Dropdown<string>({ options: arr as string[], description: name });
  if ((arr.length === 2 || arr.length === 3) && arr.every((x) => typeof x === "number" && Number.isFinite(x))) {
    const [min, max, step] = arr as number[];
    if (min >= max) throw new Error(`interact: parameter "${name}": min (${min}) must be below max (${max})`);
    if (step !== undefined && step <= 0)
      throw new Error(`interact: parameter "${name}": step must be above 0, got ${step}`);
    if (arr.every((x) => Number.isInteger(x))) {
      const s = step ?? 1;
      return new IntSlider({ description: name, min, max, step: s, value: min + Math.round((max - min) / 2 / s) * s });
    }
    const s = step ?? (max - min) / 100;
    return new FloatSlider({
      description: name,
      min,
      max,
      step: s,
      value: min + Math.round((max - min) / 2 / s) * s,
      readoutFormat: ".3g",
    });
  }
  throw new Error(
    `interact: parameter "${name}": expected [min, max], [min, max, step], [min, max, "log"], a list of strings, a boolean or a control, got ${JSON.stringify(a)}`,
  );
}

/** The widget `interact` returns: the controls above an Output widget where `fn`'s output is drawn. */
export class Interactive<S extends InteractSpec> extends VBox {
  /** The controls, by parameter name. */
  readonly controls: { [K in keyof S]: ValueControl };
  /** Where `fn`'s output goes (in a frontend with widgets). */
  readonly output: Output;
  /** What the last finished run of `fn` returned. */
  result: unknown;
  private runs = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private firstRun: Promise<void>;

  /** Builds the controls from `spec` and starts the first run of `fn` with their defaults. @throws Error on a bad spec entry. */
  constructor(
    private readonly fn: (values: InteractValues<S>) => unknown,
    spec: S,
  ) {
    const controls = {} as { [K in keyof S]: ValueControl };
    for (const [name, a] of Object.entries(spec)) controls[name as keyof S] = controlFor(name, a);
    const output = new Output();
    super([...Object.values(controls), output]);
    this.controls = controls;
    this.output = output;
    // The rerun's promise goes back to the comm message that moved the control: the kernel stays busy for it until
    // the run (async fn included) has drawn its output.
    for (const c of Object.values(controls)) c.onValue(() => this.rerun());
    this.firstRun = this.rerun();
  }

  /** Resolves when the first run of `fn` finished (await it in a cell when `fn` is async). */
  get ready(): Promise<void> {
    return this.firstRun;
  }

  /** How many runs of `fn` finished. */
  get runCount(): number {
    return this.runs;
  }

  /** The controls' current values. */
  values(): InteractValues<S> {
    const v: Record<string, unknown> = {};
    for (const [name, c] of Object.entries(this.controls)) v[name] = c.value;
    return v as InteractValues<S>;
  }

  /**
   * Runs `fn` again with the current values. While a run is going, changes are coalesced into one more
   * run after it. In a frontend with widgets the output replaces the Output widget's content; elsewhere
   * it goes to the cell. Errors from `fn` are shown in the output, not thrown.
   */
  rerun(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const loop = async (): Promise<void> => {
      do {
        this.again = false;
        await this.runOnce();
      } while (this.again);
      this.running = undefined;
    };
    this.running = loop();
    return this.running;
  }

  private async runOnce(): Promise<void> {
    const values = this.values();
    const body = async (): Promise<void> => {
      try {
        if (capture) kernelBridge()?.clearOutput(true);
        const r = await this.fn(values);
        this.result = r;
        if (r !== undefined && r !== null) display(r);
      } catch (err) {
        console.error(
          `interact: the function failed for ${JSON.stringify(values)}: ${(err as Error)?.stack ?? String(err)}`,
        );
      } finally {
        this.runs++;
      }
    };
    const capture = widgetsSupported() && kernelBridge()?.parentMessageId?.() !== undefined;
    if (capture) await this.output.capture(body);
    else await body();
  }

  /**
   * The display protocol. Shown while its first run still captures this cell's output (an async `fn` not
   * awaited), capturing stops first: otherwise the frontend would draw the box inside its own Output. The
   * rest of that run's output then goes to the cell.
   */
  override [DISPLAY](): MimeBundle {
    const parent = kernelBridge()?.parentMessageId?.();
    if (parent !== undefined && this.output.msgId === parent) this.output.set({ msg_id: "" });
    return super[DISPLAY]();
  }

  override describe(): string {
    return `interact(${Object.entries(this.controls)
      .map(([k, c]) => `${k}=${JSON.stringify(c.value)}`)
      .join(", ")})`;
  }
}

/**
 * Builds controls from `spec`, runs `fn` with their values now and again whenever one changes, and
 * returns the box of controls and output: show it by returning it from the cell. When `fn` is async,
 * `await ui.ready` before showing it so the first output is complete. Without a widget frontend the
 * controls show as text and `fn`'s output goes to the cell.
 * @throws Error naming the parameter when a spec entry is invalid.
 * @example interact(({ lr, layers }) => `lr=${lr}, layers=${layers}`, { lr: [1e-4, 1e-1, "log"], layers: [1, 3] })
 */
export function interact<const S extends InteractSpec>(
  fn: (values: InteractValues<S>) => unknown,
  spec: S,
): Interactive<S> {
  return new Interactive(fn, spec);
}
