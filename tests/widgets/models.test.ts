/**
 * Widget models outside a kernel: every control's state has exactly the attributes and defaults of the
 * ipywidgets 8 model specification (committed in tests/fixtures/widgets/models.json by its export.py),
 * values are checked and clipped, frontend updates run observe callbacks, selections map index to value,
 * interact builds the controls its spec names, and buffers split and join at their paths.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  Button,
  Checkbox,
  Dropdown,
  FloatLogSlider,
  FloatProgress,
  FloatSlider,
  HBox,
  IntProgress,
  IntSlider,
  Label,
  Layout,
  Output,
  Play,
  Style,
  Text,
  ToggleButtons,
  VBox,
  Widget,
  controlFor,
  interact,
  progressBar,
  putBuffers,
  removeBuffers,
  widgetsSupported,
  SelectionSlider,
  Stack,
  dlink,
  jslink,
} from "../../lib/widgets";

const spec = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "tests", "fixtures", "widgets", "models.json"), "utf8"),
) as {
  models: Record<string, Record<string, unknown>>;
};

/** Checks a model's state against the specification: same attributes; defaults equal unless set in `chosen`. */
function matchesSpec(w: Widget, chosen: Record<string, unknown> = {}): void {
  const state = w.fullState() as Record<string, unknown>;
  const model = String(state._model_name);
  const attrs = spec.models[model];
  assert.ok(attrs, `${model} is in the specification`);
  assert.deepEqual(
    Object.keys(state).sort(),
    Object.keys(attrs).sort(),
    `${model}: the attributes of the specification, no more, no less`,
  );
  for (const [k, def] of Object.entries(attrs)) {
    if (def !== null && typeof def === "object" && !Array.isArray(def)) {
      assert.match(String(state[k]), /^IPY_MODEL_/, `${model}.${k} refers to a model`);
    } else if (k in chosen) assert.deepEqual(state[k], chosen[k], `${model}.${k}`);
    else assert.deepEqual(state[k], def, `${model}.${k} has the specification's default`);
  }
}

/** The model a reference names. */
function referenced(w: Widget, key: string): Widget {
  const id = String((w.fullState() as Record<string, unknown>)[key]).replace(/^IPY_MODEL_/, "");
  const found = [...allMade].find((m) => m.modelId === id);
  assert.ok(found, `${key} refers to a model made here`);
  return found;
}
const allMade = new Set<Widget>();
function made<W extends Widget>(w: W): W {
  allMade.add(w);
  for (const k of ["layout", "style"] as const) {
    const child = (w as unknown as Record<string, unknown>)[k];
    if (child instanceof Widget) allMade.add(child);
  }
  return w;
}

describe("widgets: model state per the ipywidgets 8 specification (outside a kernel)", () => {
  it("every control made with defaults has the specification's attributes and defaults, and its layout and style models", () => {
    const cases: Array<[Widget, Record<string, unknown>]> = [
      [made(new IntSlider()), {}],
      [made(new FloatSlider()), {}],
      [made(new FloatLogSlider()), {}],
      [made(new Dropdown({ options: ["a", "b"] })), { _options_labels: ["a", "b"], index: 0 }],
      [made(new ToggleButtons({ options: ["x"] })), { _options_labels: ["x"], index: 0 }],
      [made(new Checkbox()), {}],
      [made(new Button()), {}],
      [made(new Text()), {}],
      [made(new Play()), {}],
      [made(new IntProgress()), {}],
      [made(new FloatProgress()), {}],
      [made(new Label()), {}],
      [made(new Output()), {}],
      [made(new SelectionSlider({ options: [0.1, 0.2] })), { _options_labels: ["0.1", "0.2"], index: 0 }],
    ];
    for (const [w, chosen] of cases) {
      matchesSpec(w, chosen);
      matchesSpec(referenced(w, "layout"));
      if ("style" in (w.fullState() as object)) matchesSpec(referenced(w, "style"));
    }
    const a = made(new IntSlider());
    const b = made(new Checkbox());
    for (const box of [made(new HBox([a, b])), made(new VBox([a, b]))]) {
      matchesSpec(box, { children: [a.reference, b.reference] });
      matchesSpec(referenced(box, "layout"));
    }
    const stack = made(new Stack([a, b]));
    matchesSpec(stack, { children: [a.reference, b.reference], selected_index: 0 });
    matchesSpec(referenced(stack, "layout"));
    matchesSpec(made(new Stack()), {});
    matchesSpec(dlink([a, "value"], [stack, "selected_index"]), {
      source: [a.reference, "value"],
      target: [stack.reference, "selected_index"],
    });
    matchesSpec(jslink([a, "value"], [b, "value"]), { source: [a.reference, "value"], target: [b.reference, "value"] });
    assert.throws(
      () => dlink([a, "valu"], [stack, "selected_index"]),
      /dlink: the source IntSlider\(.*\) has no attribute "valu"/,
    );
    assert.throws(
      () => new Stack([a], { selectedIndex: 1 }),
      /Stack: selected_index 1 is not the position of one of its 1 children/,
    );
    assert.throws(() => new SelectionSlider({ options: [] }), /SelectionSlider: options must not be empty/);
    assert.deepEqual(new Layout({ width: "300px" }).get("width"), "300px");
    assert.throws(
      () => new Style("SliderStyleModel", { bar_color: "red" }),
      /SliderStyleModel has no attribute "bar_color"/,
    );
  });

  it("sliders clip values to [min, max] and refuse what cannot be a slider", () => {
    const s = new IntSlider({ min: 1, max: 10, value: 30 });
    assert.equal(s.value, 10);
    s.value = -4;
    assert.equal(s.value, 1);
    assert.throws(() => (s.value = 2.5), /IntSlider: value must be an integer, got 2.5/);
    assert.equal(s.value, 1, "a refused value changes nothing");
    assert.throws(() => new IntSlider({ min: 5, max: 1 }), /min \(5\) is above max \(1\)/);
    assert.throws(() => new FloatSlider({ step: 0 }), /step must be above 0/);
    assert.throws(() => new FloatSlider({ value: Number.NaN }), /value must be a finite number/);
    const log = new FloatLogSlider({ min: -4, max: -1, value: 1 });
    assert.equal(log.value, 0.1, "clipped to 10^-1");
    assert.throws(() => new FloatLogSlider({ value: 0 }), /value must be above 0 on a log scale/);
    const p = new IntProgress({ max: 5 });
    p.value = 9;
    assert.equal(p.value, 5);
  });

  it("a frontend update sets the value and runs the observe callbacks (fromFrontend); an unknown attribute is ignored", () => {
    const s = new FloatSlider({ min: 0, max: 1, value: 0.5 });
    const changes: Array<[number, number, boolean]> = [];
    const stop = s.observe("value", (c) => {
      changes.push([c.old, c.new, c.fromFrontend]);
    });
    s.receive({ method: "update", state: { value: 0.25, not_an_attribute: 3 }, buffer_paths: [] }, []);
    s.value = 0.75;
    s.value = 0.75;
    stop();
    s.value = 0.1;
    assert.deepEqual(changes, [
      [0.5, 0.25, true],
      [0.25, 0.75, false],
    ]);
    assert.equal((s.fullState() as Record<string, unknown>).not_an_attribute, undefined);
  });

  it("Dropdown and ToggleButtons sync the index; the value lives in the kernel", () => {
    const d = new Dropdown({ options: ["adam", "sgd", "rmsprop"], value: "sgd" });
    assert.equal(d.get("index"), 1);
    const seen: Array<string | undefined> = [];
    d.onValue((v) => {
      seen.push(v);
    });
    d.receive({ method: "update", state: { index: 2 } }, []);
    assert.equal(d.value, "rmsprop");
    d.value = "adam";
    assert.deepEqual(seen, ["rmsprop", "adam"]);
    assert.throws(() => (d.value = "lbfgs" as never), /"lbfgs" is not one of the options/);
    assert.throws(
      () => new ToggleButtons({ options: ["a"], value: "b" as never }),
      /value "b" is not one of the options/,
    );
    assert.throws(() => d.set({ index: 3 }), /index 3 is outside the 3 options/);
  });

  it("Button runs its click handlers on a custom click message and on click(); Text reports Enter", async () => {
    const b = new Button({ description: "go" });
    let clicks = 0;
    b.onClick(() => {
      clicks++;
    });
    b.receive({ method: "custom", content: { event: "click" } }, []);
    await b.click();
    assert.equal(clicks, 2);
    const t = new Text({ value: "hello" });
    const submitted: string[] = [];
    t.onSubmit((v) => {
      submitted.push(v);
    });
    t.receive({ method: "custom", content: { event: "submit" } }, []);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(submitted, ["hello"]);
  });

  it("Output keeps outputs written to it as nbformat outputs", () => {
    const out = new Output();
    out.appendStdout("epoch 1\n");
    out.appendDisplay({ a: 1 });
    assert.deepEqual(out.outputs, [
      { output_type: "stream", name: "stdout", text: "epoch 1\n" },
      { output_type: "display_data", data: { "text/plain": '{\n  "a": 1\n}' }, metadata: {} },
    ]);
    out.clear();
    assert.deepEqual(out.outputs, []);
    assert.equal(
      out.capture(() => 42),
      42,
      "outside a kernel capture just runs the function",
    );
  });
});

describe("widgets: interact specs and progress bars (outside a kernel)", () => {
  it("builds the control each abbreviation names, starting in the middle", () => {
    const int = controlFor("layers", [1, 3]);
    assert.ok(int instanceof IntSlider);
    assert.deepEqual([int.get("min"), int.get("max"), int.get("step"), int.value], [1, 3, 1, 2]);
    const float = controlFor("dropout", [0, 0.5]);
    assert.ok(float instanceof FloatSlider);
    assert.deepEqual([float.get("min"), float.get("max"), float.get("step"), float.value], [0, 0.5, 0.005, 0.25]);
    const stepped = controlFor("k", [0, 10, 5]);
    assert.ok(stepped instanceof IntSlider);
    assert.equal(stepped.value, 5);
    const log = controlFor("lr", [1e-4, 1e-1, "log"]);
    assert.ok(log instanceof FloatLogSlider);
    assert.deepEqual([log.get("min"), log.get("max"), log.get("base")], [-4, -1, 10]);
    assert.ok(Math.abs(log.value - Math.pow(10, -2.5)) < 1e-12, "the geometric middle");
    const drop = controlFor("optimizer", ["adam", "sgd"]);
    assert.ok(drop instanceof Dropdown);
    assert.equal(drop.value, "adam");
    const check = controlFor("shuffle", true);
    assert.ok(check instanceof Checkbox);
    assert.equal(check.value, true);
    const mine = new IntSlider({ value: 7, max: 9 });
    assert.equal(controlFor("own", mine), mine);
    assert.throws(() => controlFor("lr", [1e-1, 1e-4, "log"]), /parameter "lr": a log range needs 0 < min < max/);
    assert.throws(() => controlFor("n", [3, 3]), /parameter "n": min \(3\) must be below max \(3\)/);
    assert.throws(() => controlFor("x", [1, "a"] as never), /parameter "x": expected \[min, max\]/);
  });

  it("runs fn with the values now and again when a control changes; coalesces changes made while it runs", async () => {
    const calls: Array<{ lr: number; layers: number; optimizer: string }> = [];
    const ui = interact(
      async (v) => {
        calls.push(v);
        await new Promise((r) => setTimeout(r, 5));
        return `${v.optimizer} ${v.layers}`;
      },
      { lr: [1e-4, 1e-1, "log"], layers: [1, 3], optimizer: ["adam", "sgd"] },
    );
    await ui.ready;
    assert.equal(calls.length, 1);
    assert.deepEqual([calls[0].layers, calls[0].optimizer], [2, "adam"]);
    (ui.controls.layers as IntSlider).value = 3;
    (ui.controls.optimizer as Dropdown<string>).value = "sgd";
    (ui.controls.layers as IntSlider).value = 1;
    await ui.rerun();
    assert.ok(calls.length <= 4 && calls.length >= 2, `changes during a run are coalesced: ${calls.length} calls`);
    assert.deepEqual(
      [calls[calls.length - 1].layers, calls[calls.length - 1].optimizer],
      [1, "sgd"],
      "the last run saw the last values",
    );
    assert.equal(ui.result, "sgd 1");
    assert.deepEqual(
      ui.children.map((c) => c.get("_model_name")),
      ["FloatLogSliderModel", "IntSliderModel", "DropdownModel", "OutputModel"],
    );
  });

  it("progressBar outside a kernel prints its start and end lines, and refuses a total that is not above 0", () => {
    assert.equal(widgetsSupported(), false);
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    try {
      const bar = progressBar({ total: 3, description: "folds" });
      bar.update(1, "fold 1");
      bar.update(5);
      assert.equal(bar.done, 3, "clipped to total");
      bar.close("done");
    } finally {
      console.log = log;
    }
    assert.deepEqual(lines, ["folds: 0/3", "folds: 3/3 · done"]);
    assert.throws(() => progressBar({ total: 0 }), /total must be a number above 0, got 0/);
  });
});

describe("widgets: binary buffers in a state", () => {
  it("splits buffers out at their paths (removed from objects, null in lists) and puts them back", () => {
    const a = new Uint8Array([1, 2]);
    const b = new Float32Array([0.5]);
    const split = removeBuffers({ x: a, y: { shape: [1], data: b }, list: [1, a], plain: "s" });
    assert.deepEqual(split.state, { y: { shape: [1] }, list: [1, null], plain: "s" });
    assert.deepEqual(split.bufferPaths, [["x"], ["y", "data"], ["list", 1]]);
    assert.deepEqual(split.buffers, [a, b, a]);
    const joined = putBuffers(JSON.parse(JSON.stringify(split.state)), split.bufferPaths, split.buffers);
    assert.deepEqual(joined, { x: a, y: { shape: [1], data: b }, list: [1, a], plain: "s" });
    assert.throws(() => putBuffers({}, [["x"]], []), /1 buffer_paths but 0 binary buffers/);
    assert.throws(() => putBuffers({}, [["a", "b"]], [a]), /buffer path \["a","b"\] does not lead into the state/);
  });
});
