/**
 * precompute(): a slider over a short list of values whose outputs were all computed up front, one Output widget per
 * value in a Stack that a frontend link (slider index → stack selected_index) switches, so it works without a kernel
 * (in a saved notebook and the HTML report). Outside a kernel here: the models and their states are real.
 */
import { strict as assert } from "assert";
import {
  DirectionalLink,
  MAX_PRECOMPUTED_VALUES,
  Output,
  PRECOMPUTED_CLASS,
  SelectionSlider,
  Stack,
  precompute,
  steps,
  widgetRegistry,
} from "../../lib/widgets";

/** The text/plain of every output stored in an Output widget. */
function texts(out: Output): string[] {
  return out.outputs.map((o) => (o.output_type === "display_data" ? String(o.data["text/plain"]) : o.output_type));
}

describe("widgets: steps()", () => {
  it("gives evenly spaced values rounded to the step's decimals, both ends included", () => {
    assert.deepEqual(steps(0.1, 0.9, 0.1), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    assert.deepEqual(steps(0, 600, 50), [0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 550, 600]);
    assert.deepEqual(steps(0.05, 0.95, 0.05).length, 19);
    assert.deepEqual(steps(1, 1, 1), [1]);
  });
  it("refuses a step of 0 or less, min above max, non-finite numbers and more values than can be stored", () => {
    assert.throws(() => steps(0, 1, 0), /steps: step must be above 0, got 0/);
    assert.throws(() => steps(2, 1, 0.5), /steps: min \(2\) is above max \(1\)/);
    assert.throws(() => steps(0, Infinity, 1), /finite numbers/);
    assert.throws(
      () => steps(0, 1, 0.001),
      new RegExp(`1001 values from 0 to 1 by 0.001; at most ${MAX_PRECOMPUTED_VALUES}`),
    );
  });
});

describe("widgets: precompute()", () => {
  it("runs fn once per value, in order, and stores what it returns in one Output widget per value", async () => {
    const seen: number[] = [];
    const ui = await precompute(
      (t: number) => {
        seen.push(t);
        return [`threshold ${t}`, { flagged: Math.round(10 * (1 - t)) }];
      },
      { description: "threshold", values: steps(0.2, 0.8, 0.2), value: 0.4 },
    );
    assert.deepEqual(seen, [0.2, 0.4, 0.6, 0.8]);
    assert.equal(ui.outputs.length, 4);
    assert.deepEqual(texts(ui.outputs[0])[0], "threshold 0.2");
    assert.deepEqual(texts(ui.outputs[3])[0], "threshold 0.8");
    assert.equal(ui.outputs[1].outputs.length, 2, "an array puts each element in turn");
    assert.deepEqual(ui.results[2], ["threshold 0.6", { flagged: 4 }]);
  });

  it("is a slider above a stack, linked in the frontend, marked as precomputed, starting at the default", async () => {
    const ui = await precompute((v: string) => `kernel ${v}`, {
      description: "kernel",
      values: ["linear", "rbf", "poly"],
      value: "rbf",
    });
    assert.ok(ui.control instanceof SelectionSlider && ui.stack instanceof Stack && ui.link instanceof DirectionalLink);
    assert.deepEqual(ui.get("children"), [ui.control.reference, ui.stack.reference]);
    assert.deepEqual(ui.get("_dom_classes"), [PRECOMPUTED_CLASS]);
    assert.deepEqual(ui.control.get("_options_labels"), ["linear", "rbf", "poly"]);
    assert.equal(ui.control.get("index"), 1);
    assert.equal(ui.stack.selectedIndex, 1, "the stack shows the default's output");
    assert.deepEqual(
      ui.stack.get("children"),
      ui.outputs.map((o) => o.reference),
    );
    assert.deepEqual(ui.link.get("source"), [ui.control.reference, "index"]);
    assert.deepEqual(ui.link.get("target"), [ui.stack.reference, "selected_index"]);
    assert.equal(ui.value, "rbf");
    assert.equal(ui.result, "kernel rbf");
    assert.ok(widgetRegistry().get(ui.link.modelId), "the link is a model of its own, saved with the others");
  });

  it("follows the slider in the kernel too: a frontend update or kernel code moves the stack", async () => {
    const ui = await precompute((n: number) => n * n, { description: "n", values: [1, 2, 3] });
    assert.equal(ui.stack.selectedIndex, 0, "the first value by default");
    await ui.control.receive({ method: "update", state: { index: 2 } }, []);
    assert.equal(ui.stack.selectedIndex, 2);
    assert.equal(ui.result, 9);
    ui.value = 2;
    assert.equal(ui.stack.selectedIndex, 1);
    assert.equal(ui.result, 4);
  });

  it("awaits an async fn for each value", async () => {
    const ui = await precompute(
      async (n: number) => {
        await new Promise((r) => setImmediate(r));
        return `n=${n}`;
      },
      { description: "n", values: [5, 6] },
    );
    assert.deepEqual(
      ui.outputs.map((o) => texts(o)[0]),
      ["n=5", "n=6"],
    );
  });

  it("refuses a spec it cannot store, and names the value for which fn threw", async () => {
    const fn = (v: number) => v;
    await assert.rejects(
      precompute(fn, { description: "t", values: [1] }),
      /precompute "t": values must list at least 2 values, got \[1\]/,
    );
    await assert.rejects(
      precompute(fn, { description: "t", values: [1, 2, 1] }),
      /precompute "t": the value 1 is listed twice/,
    );
    await assert.rejects(
      precompute(fn, { description: "t", values: [1, 2], value: 3 }),
      /precompute "t": value 3 is not one of the values/,
    );
    await assert.rejects(
      precompute(fn, { description: "t", values: [1, NaN] }),
      /values must be finite numbers, got NaN/,
    );
    const many = Array.from({ length: MAX_PRECOMPUTED_VALUES + 1 }, (_, i) => i);
    await assert.rejects(
      precompute(fn, { description: "t", values: many }),
      /201 values; at most 200, since each value's output is stored/,
    );
    await assert.rejects(
      precompute(
        (v: number) => {
          if (v === 0.3) throw new Error("no rows above the threshold");
          return v;
        },
        { description: "threshold", values: [0.1, 0.3] },
      ),
      /precompute "threshold": the function failed for 0.3: no rows above the threshold/,
    );
  });
});
