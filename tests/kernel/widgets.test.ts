/**
 * The Jupyter widgets protocol (version 2.1, as @jupyter-widgets/base 6 and controls 5 speak it) in a real
 * kernel process with a real Jupyter client (jupyter_client) playing the frontend: models open their comms
 * with their state and protocol version, state syncs both ways (with echo_update), request_state,
 * custom messages, the jupyter.widget.control target, binary buffers and close. Output capture, interact,
 * progress bars and a kernel restart are in widgets-interact.test.ts.
 */
import { strict as assert } from "assert";
import { KernelClient } from "./client";
import { VIEW, msgs, ok, opens, shownModel, stdout, update } from "./widget-helpers";

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
});
