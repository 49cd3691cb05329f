/**
 * Widgets in a real kernel process with a real Jupyter client (jupyter_client) playing a frontend that asked for
 * widgets: interact (Output capture, reruns when a control changes), progress bars as widgets (also in
 * cross-validation), comm messages busy until their async callbacks end, JUPYTER_WIDGETS_ECHO=0, and a kernel
 * restart with widgets on screen. The protocol itself is in widgets.test.ts.
 */
import { strict as assert } from "assert";
import { KernelClient } from "./client";
import { VIEW, msgs, ok, opens, shownModel, stdout, update } from "./widget-helpers";

describe("kernel: widgets (interact, progress bars, restart) with a real client", function () {
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
