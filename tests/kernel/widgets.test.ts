/**
 * The Jupyter widgets protocol (version 2.1, as @jupyter-widgets/base 6 and controls 5 speak it) in a real
 * kernel process with a real Jupyter client (jupyter_client) playing the frontend: models open their comms
 * with their state and protocol version, state syncs both ways (with echo_update), request_state,
 * custom messages, the jupyter.widget.control target, binary buffers, close, Output capture and interact,
 * progress bars, and a kernel restart with widgets on screen.
 */
import { strict as assert } from "assert";
import { Execution, Json, KernelClient, Output } from "./client";

const VIEW = "application/vnd.jupyter.widget-view+json";

function ok(r: Execution): Execution {
  assert.equal(r.reply.status, "ok", `cell failed: ${JSON.stringify(r.reply)} ${JSON.stringify(r.outputs)}`);
  return r;
}

/** The comm_open messages, in order. */
function opens(outputs: Output[]): Output[] {
  return outputs.filter((o) => o.msg_type === "comm_open");
}

/** The comm_msg messages with this method (optionally on one comm), in order. */
function msgs(outputs: Output[], method: string, commId?: string): Array<Json> {
  return outputs
    .filter(
      (o) => o.msg_type === "comm_msg" && o.content.data.method === method && (!commId || o.content.comm_id === commId),
    )
    .map((o) => o.content.data);
}

function stdout(outputs: Output[]): string {
  return outputs
    .filter((o) => o.msg_type === "stream" && o.content.name === "stdout")
    .map((o) => o.content.text)
    .join("");
}

/** The model id a cell displayed (its execute_result's widget view). */
function shownModel(r: Execution): string {
  const shown = r.outputs.find(
    (o) => (o.msg_type === "execute_result" || o.msg_type === "display_data") && o.content.data[VIEW],
  );
  assert.ok(shown, `nothing shown: ${JSON.stringify(r.outputs)}`);
  return shown.content.data[VIEW].model_id;
}

function update(commId: string, state: Record<string, unknown>, bufferPaths: unknown[] = []): Record<string, unknown> {
  return { comm_id: commId, data: { method: "update", state, buffer_paths: bufferPaths } };
}

describe("kernel: Jupyter widgets protocol 2.1 with a real client", function () {
  this.timeout(300_000);
  let kernel: KernelClient;

  before(async () => {
    kernel = await KernelClient.start();
    ok(
      await kernel.execute(
        'import { IntSlider, Button, Widget, interact, progressBar, widgetsSupported } from "trainlab";',
      ),
    );
  });
  after(async () => {
    await kernel?.close();
  });

  it("without a widget frontend, progressBar keeps the text line and interact draws into the cell", async () => {
    assert.equal(await kernel.value("widgetsSupported()"), "false", "jupyter_client never asked for widgets");
    const p = ok(
      await kernel.execute(
        'const bar = progressBar({ total: 4, description: "folds" });\nbar.update(2, "loss 0.5");\nbar.close();',
      ),
    );
    assert.ok(!p.outputs.some((o) => o.msg_type === "comm_open"));
    assert.equal(p.outputs[0].msg_type, "display_data");
    assert.equal(p.outputs[0].content.data["text/plain"], "folds: 0/4");
    const updates = p.outputs
      .filter((o) => o.msg_type === "update_display_data")
      .map((o) => o.content.data["text/plain"]);
    assert.deepEqual(updates, ["folds: 2/4 · loss 0.5", "folds: 2/4"]);
    const i = ok(await kernel.execute("const plain = interact(({ k }) => `k is ${k}`, { k: [1, 5] });\nplain.result"));
    const drawn = i.outputs.filter((o) => o.msg_type === "display_data").map((o) => o.content.data["text/plain"]);
    assert.deepEqual(drawn, ["k is 3"], "the function ran once with the middle value, its output in the cell");
  });

  let slider = "";

  it("opens a comm per model on jupyter.widget with {state, buffer_paths} and version 2.1.0, layout and style first, and displays the view with a text fallback", async () => {
    const r = ok(
      await kernel.execute(
        'const seen: number[] = [];\nconst s = new IntSlider({ value: 3, min: 1, max: 10, description: "k" });\ns.observe("value", (c) => { seen.push(c.new); console.log(`observed ${c.new}`); });\ns',
      ),
    );
    const opened = opens(r.outputs);
    assert.equal(opened.length, 3, "layout, style and slider");
    for (const o of opened) {
      assert.equal(o.content.target_name, "jupyter.widget");
      assert.deepEqual(o.metadata, { version: "2.1.0" });
      assert.deepEqual(o.content.data.buffer_paths, []);
    }
    const [layout, style, model] = opened.map((o) => o.content);
    assert.equal(layout.data.state._model_name, "LayoutModel");
    assert.equal(layout.data.state._model_module, "@jupyter-widgets/base");
    assert.equal(layout.data.state._model_module_version, "2.0.0");
    assert.equal(layout.data.state.width, null);
    assert.equal(style.data.state._model_name, "SliderStyleModel");
    assert.equal(style.data.state._view_name, "StyleView");
    const state = model.data.state;
    assert.equal(state._model_name, "IntSliderModel");
    assert.equal(state._model_module, "@jupyter-widgets/controls");
    assert.equal(state._model_module_version, "2.0.0");
    assert.equal(state._view_name, "IntSliderView");
    assert.equal(state._view_module_version, "2.0.0");
    assert.equal(state.layout, `IPY_MODEL_${layout.comm_id}`);
    assert.equal(state.style, `IPY_MODEL_${style.comm_id}`);
    assert.deepEqual([state.value, state.min, state.max, state.step, state.description], [3, 1, 10, 1, "k"]);
    slider = model.comm_id;
    const shown = r.outputs.find((o) => o.msg_type === "execute_result");
    assert.ok(shown);
    assert.deepEqual(shown.content.data[VIEW], { model_id: slider, version_major: 2, version_minor: 0 });
    assert.match(shown.content.data["text/plain"], /IntSlider\(k value=3, min=1, max=10, step=1\)/);
    assert.match(shown.content.data["text/plain"], /needs a frontend with Jupyter widgets/);
  });

  it("a frontend update changes the kernel value, is echoed (echo_update) and runs the observe callback in the kernel, with no update back", async () => {
    const r = await kernel.comm("comm_msg", update(slider, { value: 7 }));
    assert.deepEqual(msgs(r.outputs, "echo_update", slider), [
      { method: "echo_update", state: { value: 7 }, buffer_paths: [] },
    ]);
    assert.equal(r.outputs[0].msg_type, "comm_msg", "the echo goes out before the callbacks run");
    assert.deepEqual(msgs(r.outputs, "update", slider), [], "the frontend already has the value it sent");
    assert.equal(stdout(r.outputs), "observed 7\n", "the callback ran, its output parented to the comm message");
    assert.equal(await kernel.value("s.value"), "7");
    assert.equal(await kernel.value("seen"), "[ 7 ]");
  });

  it("a frontend value the model corrects is echoed, then the corrected value is sent as update", async () => {
    const r = await kernel.comm("comm_msg", update(slider, { value: 50 }));
    assert.deepEqual(
      msgs(r.outputs, "echo_update", slider).map((d) => d.state),
      [{ value: 50 }],
    );
    assert.deepEqual(
      msgs(r.outputs, "update", slider).map((d) => d.state),
      [{ value: 10 }],
      "clipped to max",
    );
    assert.equal(await kernel.value("s.value"), "10");
  });

  it("a kernel-side assignment sends update with the changed attribute only, and runs the callback", async () => {
    const r = ok(await kernel.execute('s.value = 4;\ns.set({ description: "neighbours" });'));
    assert.deepEqual(
      msgs(r.outputs, "update", slider).map((d) => d.state),
      [{ value: 4 }, { description: "neighbours" }],
    );
    assert.equal(stdout(r.outputs), "observed 4\n");
    const same = ok(await kernel.execute("s.value = 4;"));
    assert.deepEqual(msgs(same.outputs, "update"), [], "an unchanged value sends nothing");
  });

  it("answers request_state with the full state", async () => {
    const r = await kernel.comm("comm_msg", { comm_id: slider, data: { method: "request_state" } });
    const [full] = msgs(r.outputs, "update", slider);
    assert.ok(full, JSON.stringify(r.outputs));
    assert.equal(full.state._model_name, "IntSliderModel");
    assert.equal(full.state.value, 4);
    assert.equal(full.state.description, "neighbours");
    assert.ok(String(full.state.layout).startsWith("IPY_MODEL_"));
  });

  let button = "";

  it("a Button click arrives as a custom message and runs onClick in the kernel; kernel custom messages go out", async () => {
    const r = ok(
      await kernel.execute(
        'let clicks = 0;\nconst b = new Button({ description: "retrain" });\nb.onClick(() => { clicks++; console.log(`clicked ${clicks}`); });\nb',
      ),
    );
    button = shownModel(r);
    assert.equal(
      opens(r.outputs).find((o) => o.content.comm_id === button)?.content.data.state._model_name,
      "ButtonModel",
    );
    const click = await kernel.comm(
      "comm_msg",
      { comm_id: button, data: { method: "custom", content: { event: "click" } } },
      { until: "clicked 1" },
    );
    assert.equal(stdout(click.outputs), "clicked 1\n");
    assert.equal(await kernel.value("clicks"), "1");
    const sent = ok(await kernel.execute("b.send({ hello: [1, 2] });"));
    assert.deepEqual(msgs(sent.outputs, "custom", button), [{ method: "custom", content: { hello: [1, 2] } }]);
  });

  it("jupyter.widget.control: request_states is answered with update_states holding every model", async () => {
    const control = "control-" + Date.now();
    const opened = await kernel.comm(
      "comm_open",
      { comm_id: control, target_name: "jupyter.widget.control", data: {} },
      { metadata: { version: "1.0.0" } },
    );
    assert.ok(!opened.outputs.some((o) => o.msg_type === "comm_close"), "the kernel has the control target");
    const r = await kernel.comm("comm_msg", { comm_id: control, data: { method: "request_states" } });
    const [reply] = msgs(r.outputs, "update_states", control);
    assert.ok(reply, JSON.stringify(r.outputs));
    assert.deepEqual(reply.buffer_paths, []);
    const mine = reply.states[slider];
    assert.deepEqual(
      [mine.model_name, mine.model_module, mine.model_module_version],
      ["IntSliderModel", "@jupyter-widgets/controls", "2.0.0"],
    );
    assert.equal(mine.state.value, 4);
    assert.equal(reply.states[button].model_name, "ButtonModel");
    const layoutId = String(mine.state.layout).replace("IPY_MODEL_", "");
    assert.equal(reply.states[layoutId].model_name, "LayoutModel", "the children models are there too");
  });

  it("a model the frontend opens is kept and synced; a comm_open for a model the kernel has re-attaches it; other protocol versions are refused", async () => {
    const made = "frontend-made-" + Date.now();
    const opened = await kernel.comm(
      "comm_open",
      {
        comm_id: made,
        target_name: "jupyter.widget",
        data: {
          state: {
            _model_name: "LayoutModel",
            _model_module: "@jupyter-widgets/base",
            _model_module_version: "2.0.0",
            width: "10px",
          },
          buffer_paths: [],
        },
      },
      { metadata: { version: "2.1.0" } },
    );
    assert.ok(!opened.outputs.some((o) => o.msg_type === "comm_close"));
    const echoed = await kernel.comm("comm_msg", update(made, { width: "20px" }));
    assert.deepEqual(
      msgs(echoed.outputs, "echo_update", made).map((d) => d.state),
      [{ width: "20px" }],
    );

    const reopened = await kernel.comm(
      "comm_open",
      { comm_id: slider, target_name: "jupyter.widget", data: {} },
      { metadata: { version: "2.0.0" } },
    );
    assert.ok(!reopened.outputs.some((o) => o.msg_type === "comm_close"), "same major version: accepted");
    const state = await kernel.comm("comm_msg", { comm_id: slider, data: { method: "request_state" } });
    assert.equal(
      msgs(state.outputs, "update", slider)[0]?.state.value,
      4,
      "the re-opened comm reaches the kernel's slider",
    );

    const old = await kernel.comm(
      "comm_open",
      { comm_id: "old-" + Date.now(), target_name: "jupyter.widget", data: { state: {} } },
      { metadata: { version: "1.0.0" } },
    );
    assert.ok(
      old.outputs.some((o) => o.msg_type === "comm_close"),
      "protocol 1 is refused with comm_close",
    );
  });

  it("binary buffers travel both ways at their buffer_paths", async () => {
    const r = ok(
      await kernel.execute(
        'const raw = new Widget({ _model_name: "DOMWidgetModel", _model_module: "@jupyter-widgets/controls", _model_module_version: "2.0.0", _view_name: null, _view_module: "@jupyter-widgets/controls", _view_module_version: "2.0.0", value: { shape: [3], data: new Uint8Array([1, 2, 3]) } });',
      ),
    );
    const [o] = opens(r.outputs);
    assert.deepEqual(o.content.data.buffer_paths, [["value", "data"]]);
    assert.deepEqual(o.content.data.state.value, { shape: [3] });
    assert.deepEqual(o.buffers, [Buffer.from([1, 2, 3]).toString("base64")]);
    const u = await kernel.comm("comm_msg", update(o.content.comm_id, { value: { shape: [2] } }, [["value", "data"]]), {
      buffers: [Buffer.from([9, 8]).toString("base64")],
    });
    const [echo] = msgs(u.outputs, "echo_update");
    assert.deepEqual(echo.buffer_paths, [["value", "data"]]);
    assert.deepEqual(u.outputs.find((m) => m.content.data?.method === "echo_update")?.buffers, [
      Buffer.from([9, 8]).toString("base64"),
    ]);
    assert.equal(await kernel.value('Array.from((raw.get("value") as { data: Uint8Array }).data).join(",")'), "'9,8'");
  });

  it("close() sends comm_close for the model and its layout and style; a frontend's comm_close closes the model", async () => {
    const r = ok(await kernel.execute("s.close();"));
    const closed = r.outputs.filter((o) => o.msg_type === "comm_close").map((o) => o.content.comm_id);
    assert.equal(closed.length, 3);
    assert.equal(closed[0], slider);
    const info = await kernel.request("comm_info_request", { target_name: "jupyter.widget" });
    assert.ok(!(slider in info.reply.comms), "the slider's comm is gone");
    assert.ok(button in info.reply.comms);
    await kernel.comm("comm_close", { comm_id: button, data: {} });
    assert.equal(await kernel.value("b.open"), "false");
    const after = await kernel.request("comm_info_request", { target_name: "jupyter.widget" });
    assert.ok(!(button in after.reply.comms));
  });

  it("once a frontend asked for widgets: interact builds sliders from the spec, captures fn's output in an Output widget, and reruns it when a control changes", async () => {
    await kernel.request("comm_info_request", { target_name: "jupyter.widget" });
    assert.equal(await kernel.value("widgetsSupported()"), "true");
    const r = ok(
      await kernel.execute(
        'const ui = interact(async ({ lr, layers }) => { await new Promise((r) => setTimeout(r, 20)); console.log(`run lr=${lr.toExponential(2)} layers=${layers}`); return `trained ${layers}`; }, { lr: [1e-4, 1e-1, "log"], layers: [1, 3] });\nawait ui.ready;\nui',
      ),
    );
    const states = opens(r.outputs).map((o) => ({ id: o.content.comm_id as string, state: o.content.data.state }));
    const log = states.find((s) => s.state._model_name === "FloatLogSliderModel");
    const int = states.find((s) => s.state._model_name === "IntSliderModel");
    const out = states.find((s) => s.state._model_name === "OutputModel");
    const box = states.find((s) => s.state._model_name === "VBoxModel");
    assert.ok(log && int && out && box, JSON.stringify(states.map((s) => s.state._model_name)));
    assert.deepEqual([log.state.min, log.state.max, log.state.base, log.state.description], [-4, -1, 10, "lr"]);
    assert.ok(Math.abs(log.state.value - Math.pow(10, -2.5)) < 1e-12);
    assert.deepEqual([int.state.min, int.state.max, int.state.value, int.state.description], [1, 3, 2, "layers"]);
    assert.equal(out.state._model_module, "@jupyter-widgets/output");
    assert.deepEqual(
      box.state.children,
      [log.id, int.id, out.id].map((id) => `IPY_MODEL_${id}`),
    );
    assert.equal(shownModel(r), box.id);
    // The first run: msg_id set to the cell's request, its output, msg_id cleared (ipywidgets' capture).
    const captured = msgs(r.outputs, "update", out.id).map((d) => d.state.msg_id);
    assert.equal(captured.length, 2);
    assert.ok(captured[0].length > 0);
    assert.equal(captured[1], "");
    assert.match(stdout(r.outputs), /run lr=3\.16e-3 layers=2/);

    // The function awaits a timer before printing: its output comes after the comm handler returned, and still
    // belongs to the comm message (the kernel carries the message's parent into the async work it started).
    const moved = await kernel.comm("comm_msg", update(int.id, { value: 3 }), { until: '"msg_id": ""' });
    const ids = msgs(moved.outputs, "update", out.id).map((d) => d.state.msg_id);
    assert.deepEqual(ids, [moved.msg_id, ""], "outputs of the rerun are captured under the comm message");
    assert.ok(
      moved.outputs.some((o) => o.msg_type === "clear_output" && o.content.wait === true),
      "the old output is replaced",
    );
    assert.match(stdout(moved.outputs), /run lr=3\.16e-3 layers=3/);
    const shown = moved.outputs.filter((o) => o.msg_type === "display_data").map((o) => o.content.data["text/plain"]);
    assert.deepEqual(shown, ["trained 3"]);
    assert.equal(await kernel.value("ui.runCount"), "2");
  });

  it("an interact shown before its async first run ends stops capturing first, so the box is not drawn inside its own Output", async () => {
    const r = ok(
      await kernel.execute(
        "const ui2 = interact(async ({ n }) => { await new Promise((r) => setTimeout(r, 200)); return n; }, { n: [1, 3] });\nui2",
      ),
    );
    const out = opens(r.outputs).find((o) => o.content.data.state._model_name === "OutputModel");
    assert.ok(out);
    const order = r.outputs
      .map((o) =>
        o.msg_type === "comm_msg" && o.content.comm_id === out.content.comm_id
          ? `msg_id=${o.content.data.state.msg_id === "" ? "" : "cell"}`
          : o.msg_type,
      )
      .filter((t) => t.startsWith("msg_id") || t === "execute_result");
    assert.deepEqual(order.slice(0, 3), ["msg_id=cell", "msg_id=", "execute_result"]);
  });

  it("once a frontend asked for widgets, progressBar shows a FloatProgress widget and moves it with update", async () => {
    const r = ok(
      await kernel.execute(
        'const bar2 = progressBar({ total: 5, description: "epochs" });\nbar2.update(3, "loss 0.2");\nbar2.close();',
      ),
    );
    const bar = opens(r.outputs).find((o) => o.content.data.state._model_name === "FloatProgressModel");
    assert.ok(bar);
    assert.deepEqual(
      [bar.content.data.state.max, bar.content.data.state.value, bar.content.data.state.description],
      [5, 0, "epochs"],
    );
    assert.ok(r.outputs.some((o) => o.msg_type === "display_data" && o.content.data[VIEW]));
    assert.deepEqual(
      msgs(r.outputs, "update", bar.content.comm_id).map((d) => d.state),
      [{ value: 3 }, { bar_style: "success" }],
    );
  });

  it("a progress bar updated in a tight loop redraws a few times, not once per update, and ends at the last value", async () => {
    const r = ok(
      await kernel.execute(
        'const bar3 = progressBar({ total: 1000, description: "batches" });\nfor (let i = 1; i <= 1000; i++) bar3.update(i);\nbar3.close();',
      ),
    );
    const bar = opens(r.outputs).find((o) => o.content.data.state._model_name === "FloatProgressModel");
    assert.ok(bar);
    const values = msgs(r.outputs, "update", bar.content.comm_id)
      .map((d) => d.state)
      .filter((st) => "value" in st)
      .map((st) => st.value);
    assert.ok(values.length < 100, `${values.length} redraws for 1000 updates`);
    assert.equal(values[values.length - 1], 1000);
  });

  it("once a frontend asked for widgets, cross-validation shows its progress as a widget that ends green after every fit", async () => {
    const r = ok(
      await kernel.execute(
        'import { loadDataset, crossValidate, DecisionTreeClassifier } from "trainlab";\nconst iris = loadDataset("iris").objects() as Array<Record<string, number | string>>;\nconst X = iris.map((r) => Object.entries(r).filter(([k]) => /^(sepal|petal)/.test(k)).map(([, v]) => Number(v)));\nconst y = iris.map((r) => String(r.species));\nconst cv = await crossValidate([new DecisionTreeClassifier({ maxDepth: 2 })], X, y, { folds: 3, seed: 0 });',
      ),
    );
    const bar = opens(r.outputs).find((o) => o.content.data.state._model_name === "FloatProgressModel");
    assert.ok(bar, JSON.stringify(r.outputs.map((o) => o.msg_type)));
    assert.equal(bar.content.data.state.description, "cross-validation");
    assert.equal(bar.content.data.state.max, 6, "(the tree + the majority baseline) x 3 folds");
    const states = msgs(r.outputs, "update", bar.content.comm_id).map((d) => d.state);
    const values = states.filter((st) => "value" in st).map((st) => st.value as number);
    assert.ok(
      values.every((v, i) => i === 0 || v > values[i - 1]),
      `the bar only moves forward: ${values}`,
    );
    assert.equal(
      values[values.length - 1],
      6,
      "the bar ends full (redraws are at most every 100 ms, the last one always)",
    );
    assert.deepEqual(states[states.length - 1], { bar_style: "success" });
    assert.ok(
      !r.outputs.some(
        (o) => o.msg_type === "display_data" && String(o.content.data["text/plain"]).startsWith("cross-validation:"),
      ),
      "no text line beside the widget",
    );
  });

  // Found in JupyterLab 3.6 (tests/browser/widgets.test.ts): the kernel went idle for the comm message while an
  // async callback (interact's rerun) was still running, so the chart it drew came after idle and JupyterLab,
  // which stops listening to a message at its idle, dropped it; the slider's next value, which ipywidgets holds
  // back until that idle, was lost too.
  it("a comm message stays busy until its async observe callbacks and interact reruns have finished: their output comes before idle", async () => {
    const r = ok(
      await kernel.execute(
        [
          "const slow = new IntSlider({ value: 1, min: 0, max: 9 });",
          'slow.observe("value", async (c) => { await new Promise((res) => setTimeout(res, 300)); console.log(`slow saw ${c.new}`); });',
          "slow",
        ].join("\n"),
      ),
    );
    const slow = shownModel(r);
    const u = await kernel.comm("comm_msg", update(slow, { value: 6 }));
    assert.deepEqual(u.statuses.slice(-1), ["idle"]);
    assert.equal(
      stdout(u.outputs),
      "slow saw 6\n",
      `the callback's output belongs before the message's idle: ${JSON.stringify(u.outputs)}`,
    );

    const ui = ok(
      await kernel.execute(
        "const twice = interact(async ({ n }) => { await new Promise((res) => setTimeout(res, 300)); return `twice ${2 * n}`; }, { n: [0, 10] });\nawait twice.ready;\ntwice",
      ),
    );
    const slider = opens(ui.outputs).find((o) => o.content.data.state._model_name === "IntSliderModel")?.content
      .comm_id;
    assert.ok(slider, JSON.stringify(opens(ui.outputs)));
    const moved = await kernel.comm("comm_msg", update(slider, { value: 7 }));
    assert.ok(
      JSON.stringify(moved.outputs).includes("twice 14"),
      `interact's rerun drew its result before idle: ${JSON.stringify(moved.outputs)}`,
    );
  });

  it("with JUPYTER_WIDGETS_ECHO=0 (as ipywidgets) a frontend update is applied without echo_update", async () => {
    const quiet = await KernelClient.start(undefined, { JUPYTER_WIDGETS_ECHO: "0" });
    try {
      const r = ok(await quiet.execute('import { Checkbox } from "trainlab";\nconst c = new Checkbox();\nc'));
      const id = shownModel(r);
      const u = await quiet.comm("comm_msg", update(id, { value: true }));
      assert.deepEqual(msgs(u.outputs, "echo_update"), []);
      assert.equal(await quiet.value("c.value"), "true");
    } finally {
      await quiet.close();
    }
  });

  it("after a kernel restart with widgets on screen, the old comms are gone and new widgets work", async () => {
    const before = ok(await kernel.execute("const old = new IntSlider({ value: 1 });\nold"));
    const oldId = shownModel(before);
    const restarted = await kernel.command({ op: "restart" });
    assert.equal(restarted.alive, true);
    const info = await kernel.request("comm_info_request", {});
    assert.deepEqual(info.reply.comms, {}, "a new process has no comms");
    const stale = await kernel.comm("comm_msg", update(oldId, { value: 5 }));
    assert.deepEqual(stale.outputs, [], "a message to an old comm is ignored");
    ok(await kernel.execute('import { IntSlider } from "trainlab";'));
    const fresh = ok(
      await kernel.execute(
        'const got: number[] = [];\nconst t = new IntSlider({ value: 2 });\nt.observe("value", (c) => { got.push(c.new); });\nt',
      ),
    );
    const id = shownModel(fresh);
    assert.notEqual(id, oldId);
    const moved = await kernel.comm("comm_msg", update(id, { value: 9 }));
    assert.deepEqual(
      msgs(moved.outputs, "echo_update", id).map((d) => d.state),
      [{ value: 9 }],
    );
    assert.equal(await kernel.value("got"), "[ 9 ]");
  });
});
