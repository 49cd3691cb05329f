/**
 * `precompute(fn, { description, values })`: a slider over a short list of values whose output was computed for
 * every position up front. Each value's output is stored in its own Output widget inside a Stack, and a frontend
 * link (slider `index` → stack `selected_index`) picks the one to show. Moving the slider needs no kernel, so it
 * also works in a saved notebook or an HTML report: use it where a control's effect is a pure function of data
 * already at hand (a decision threshold over stored probabilities, a shift size over a fixed sample). Controls
 * whose effect needs new computation (retraining) belong in `interact`, and need a live kernel.
 */
import { Stack, VBox } from "./boxes";
import { DirectionalLink } from "./link";
import { Output } from "./output";
import { OptionValue, SelectionSlider } from "./selections";

/** The CSS class of a precomputed widget's box; the HTML report knows such a widget works without a kernel. */
export const PRECOMPUTED_CLASS = "trainlab-precomputed";

/** The most values one precomputed control may offer (each value's output is stored). */
export const MAX_PRECOMPUTED_VALUES = 200;

/** What to precompute: the control's label and every value it offers. */
export interface PrecomputeSpec<T extends OptionValue> {
  /** The label beside the slider, e.g. "threshold". */
  description: string;
  /** Every value, in slider order (2 to MAX_PRECOMPUTED_VALUES, no duplicates); labels are `String(value)`. */
  values: readonly T[];
  /** The value shown first (default: the first value). */
  value?: T;
  /** CSS width of the slider (default "420px"). */
  width?: string;
}

/**
 * `count` evenly spaced values from `min` to `max` in steps of `step`, rounded to the step's decimals, so
 * `steps(0.05, 0.95, 0.05)` gives 0.05, 0.1, ..., 0.95 and not 0.15000000000000002.
 * @throws Error when min > max, the step is not above 0, or there would be more than MAX_PRECOMPUTED_VALUES values.
 */
export function steps(min: number, max: number, step: number): number[] {
  if (![min, max, step].every(Number.isFinite))
    throw new Error(`steps: min, max and step must be finite numbers, got ${min}, ${max}, ${step}`);
  if (step <= 0) throw new Error(`steps: step must be above 0, got ${step}`);
  if (min > max) throw new Error(`steps: min (${min}) is above max (${max})`);
  const n = Math.floor((max - min) / step + 1e-9) + 1;
  if (n > MAX_PRECOMPUTED_VALUES)
    throw new Error(
      `steps: ${n} values from ${min} to ${max} by ${step}; at most ${MAX_PRECOMPUTED_VALUES}: use a larger step`,
    );
  const decimals = Math.min(12, Math.max(0, ...[min, step].map((x) => (String(x).split(".")[1] ?? "").length)));
  return Array.from({ length: n }, (_, i) => Number((min + i * step).toFixed(decimals)));
}

/** The widget `precompute` returns: the slider above the stack of outputs, one per value. */
export class Precomputed<T extends OptionValue> extends VBox {
  /** The slider over the values. */
  readonly control: SelectionSlider<T>;
  /** The stack showing the output of the chosen value. */
  readonly stack: Stack;
  /** One Output widget per value, in the values' order. */
  readonly outputs: readonly Output[];
  /** What `fn` returned for each value, in the values' order. */
  readonly results: readonly unknown[];
  /** The frontend link from the slider's index to the stack's selected index. */
  readonly link: DirectionalLink;

  /** Use `precompute()`: it runs `fn` for every value first. */
  constructor(spec: PrecomputeSpec<T>, outputs: Output[], results: unknown[]) {
    const control = new SelectionSlider<T>({
      options: spec.values,
      value: spec.value,
      description: spec.description,
      layout: { width: spec.width ?? "420px" },
    });
    const stack = new Stack(outputs, { selectedIndex: control.get("index") });
    super([control, stack]);
    this.set({ _dom_classes: [PRECOMPUTED_CLASS] });
    this.control = control;
    this.stack = stack;
    this.outputs = outputs;
    this.results = results;
    this.link = new DirectionalLink([control, "index"], [stack, "selected_index"]);
    // Kernel code that moves the slider moves the stack too (the frontend link only acts in a browser).
    control.observe("index", (c) => {
      stack.selectedIndex = c.new;
    });
  }

  /** The chosen value. */
  get value(): T {
    return this.control.value as T;
  }
  set value(v: T) {
    this.control.value = v;
  }

  /** What `fn` returned for the chosen value. */
  get result(): unknown {
    return this.results[this.control.get("index") ?? 0];
  }

  override describe(): string {
    return `precompute(${this.control.description}=${JSON.stringify(this.value)}, ${this.outputs.length} values precomputed)`;
  }
}

function checkSpec<T extends OptionValue>(spec: PrecomputeSpec<T>): void {
  const what = `precompute "${spec.description}"`;
  if (!Array.isArray(spec.values) || spec.values.length < 2)
    throw new Error(`${what}: values must list at least 2 values, got ${JSON.stringify(spec.values)}`);
  if (spec.values.length > MAX_PRECOMPUTED_VALUES)
    throw new Error(
      `${what}: ${spec.values.length} values; at most ${MAX_PRECOMPUTED_VALUES}, since each value's output is stored`,
    );
  const labels = spec.values.map(String);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup !== undefined) throw new Error(`${what}: the value ${dup} is listed twice`);
  for (const v of spec.values) {
    if (typeof v === "number" && !Number.isFinite(v))
      throw new Error(`${what}: values must be finite numbers, got ${v}`);
  }
  if (spec.value !== undefined && !spec.values.includes(spec.value))
    throw new Error(`${what}: value ${JSON.stringify(spec.value)} is not one of the values`);
}

/**
 * Runs `fn` once for every value in `spec.values` (in order, awaiting each), stores what it returns in one
 * Output widget per value (an array puts each element in turn) and returns the slider and the stack of outputs,
 * linked in the frontend: moving the slider shows the stored output at once, with or without a kernel, also in the
 * HTML report. `fn` should be a pure function of the value; what it prints is not stored, only what it returns.
 * @throws Error when the spec is invalid (fewer than 2 or more than MAX_PRECOMPUTED_VALUES values, duplicates, a
 *   default that is not a value), or naming the value for which `fn` threw.
 * @example const ui = await precompute((t) => confusionAt(t), { description: "threshold", values: steps(0.1, 0.9, 0.05), value: 0.5 });
 */
export async function precompute<T extends OptionValue>(
  fn: (value: T) => unknown,
  spec: PrecomputeSpec<T>,
): Promise<Precomputed<T>> {
  checkSpec(spec);
  const outputs: Output[] = [];
  const results: unknown[] = [];
  for (const v of spec.values) {
    let r: unknown;
    try {
      r = await fn(v);
    } catch (err) {
      for (const o of outputs) o.close();
      throw new Error(
        `precompute "${spec.description}": the function failed for ${JSON.stringify(v)}: ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      );
    }
    // The full width: a Stack shrinks its child to its content, which would draw charts a few pixels wide.
    const out = new Output({ layout: { width: "100%" } });
    for (const item of Array.isArray(r) ? r : [r]) if (item !== undefined && item !== null) out.appendDisplay(item);
    outputs.push(out);
    results.push(r);
  }
  return new Precomputed(spec, outputs, results);
}
