/**
 * In a real trainlab kernel with a real Jupyter client (jupyter_client): training shows one live chart that is
 * replaced in place (update_display_data) each epoch plus a progress line; an interrupt stops trainlab's loop and
 * plain tfjs `model.fit` (with no callback of the user's) after the current batch, keeping the model usable.
 * The client script reports a compact summary of the messages (the first chart carries plotly.js, megabytes).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { jupyterPython } from "../../kernel/install";

const root = path.resolve(__dirname, "..", "..", "..");
const kernelName = process.env.TRAINLAB_TEST_KERNEL ?? "trainlab";
const python = jupyterPython();

const CLIENT = String.raw`
import json, sys, time, queue
from jupyter_client.manager import start_new_kernel
cells = json.loads(sys.stdin.read())
km, kc = start_new_kernel(kernel_name=sys.argv[1], cwd=sys.argv[2])
results = []
try:
    for cell in cells:
        msg_id = kc.execute(cell['code'])
        t0 = time.time(); sent = False; outs = []
        while True:
            if cell.get('interrupt_after') and not sent and time.time() - t0 > cell['interrupt_after']:
                km.interrupt_kernel(); sent = True
            if time.time() - t0 > 150: raise RuntimeError('cell timed out: ' + cell['code'])
            try: m = kc.get_iopub_msg(timeout=0.5)
            except queue.Empty: continue
            if m['parent_header'].get('msg_id') != msg_id: continue
            t = m['msg_type']; c = m['content']
            if t == 'status' and c['execution_state'] == 'idle': break
            if t in ('display_data', 'update_display_data', 'execute_result', 'error', 'stream'):
                data = c.get('data', {})
                fig = data.get('application/vnd.plotly.v1+json')
                outs.append({'type': t, 'id': (c.get('transient') or {}).get('display_id'),
                             'text': (data.get('text/plain') or c.get('text') or c.get('evalue') or '')[:400],
                             'traces': [[tr.get('name'), tr.get('x')] for tr in fig['data']] if fig else None,
                             'plotlyjs': 'data-trainlab-plotly' in data.get('text/html', '')})
        # Match the reply to the cell: wait_for_ready re-sends kernel_info_request every second while the
        # kernel starts, so stale kernel_info_replies can be waiting on shell.
        reply = kc.get_shell_msg(timeout=30)
        while reply['parent_header'].get('msg_id') != msg_id: reply = kc.get_shell_msg(timeout=30)
        results.append({'status': reply['content']['status'], 'outputs': outs})
finally:
    kc.stop_channels(); km.shutdown_kernel(now=True)
print(json.dumps(results))
`;

interface Out {
  type: string;
  id: string | null;
  text: string;
  traces: [string, number[]][] | null;
  plotlyjs: boolean;
}
interface Cell {
  status: string;
  outputs: Out[];
}

function runCells(cells: { code: string; interrupt_after?: number }[]): Cell[] {
  const file = path.join(os.tmpdir(), `trainlab-live-client-${process.pid}.py`);
  fs.writeFileSync(file, CLIENT);
  try {
    const r = spawnSync(python, [file, kernelName, root], {
      input: JSON.stringify(cells),
      encoding: "utf8",
      maxBuffer: 1 << 26,
      timeout: 170_000,
    });
    if (r.status !== 0) throw new Error(`client failed (${r.status}): ${r.stderr.slice(-3000)}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as Cell[];
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const value = (cell: Cell) => cell.outputs.find((o) => o.type === "execute_result")?.text;

describe("train() in a real kernel", function () {
  this.timeout(180_000);
  let cells: Cell[];
  before(() => {
    cells = runCells([
      {
        code: [
          'import { mlp, tf, loadDataset } from "trainlab";',
          'const iris = loadDataset("iris");',
          'const cols = ["sepal_length", "sepal_width", "petal_length", "petal_width"];',
          "const X = (iris.objects() as Record<string, number>[]).map((r) => cols.map((c) => r[c] / 5));",
          'const y = iris.array("species") as string[];',
          'const big = tf.randomNormal([20000, 40], 0, 1, "float32", 1);',
          "const labels = Array.from({ length: 20000 }, (_, i) => i % 3);",
        ].join("\n"),
      },
      {
        code: "const model = mlp({ hiddenUnits: [16], epochs: 5, learningRate: 0.02, seed: 1, validationSplit: 0.2 });\nawait model.fit(X, y);\nmodel.history!.epochs.length",
      },
      {
        code: "const slow = mlp({ hiddenUnits: [256, 256], epochs: 100000, batchSize: 16, seed: 2 });\nawait slow.fit(big, labels);",
        interrupt_after: 4,
      },
      { code: "[slow.fitted, slow.history!.stopReason, slow.predict(big.slice(0, 3) as tf.Tensor2D).length]" },
      {
        code: [
          'const net = tf.sequential({ layers: [tf.layers.dense({ units: 64, inputShape: [40], activation: "relu" }), tf.layers.dense({ units: 1 })] });',
          'net.compile({ optimizer: "sgd", loss: "meanSquaredError" });',
          "const target = tf.randomNormal([20000, 1]);",
          "let netEpochs = 0;",
          "await net.fit(big, target, { epochs: 100000, batchSize: 32, verbose: 0, callbacks: { onEpochEnd: async () => { netEpochs++; } } });",
        ].join("\n"),
        interrupt_after: 4,
      },
      {
        code: "const seen = netEpochs;\nawait new Promise((res) => setTimeout(res, 1500));\n[seen > 0, seen === netEpochs, (net.predict(big.slice(0, 2)) as tf.Tensor).shape.join()]",
      },
    ]);
  });

  it("sets up the data in the kernel", () => {
    assert.equal(cells[0].status, "ok", JSON.stringify(cells[0].outputs));
  });

  it("shows one chart updated in place (throttled, issue 14) and a progress line", () => {
    const r = cells[1];
    assert.equal(r.status, "ok", JSON.stringify(r.outputs));
    const shown = r.outputs.filter((o) => o.type === "display_data");
    assert.equal(shown.length, 2, "one chart and one progress line");
    const [chart, progress] = shown;
    assert.match(
      chart.text,
      /the chart appears after the first epoch/,
      "a note, not empty axes, before the first epoch",
    );
    const all = r.outputs.filter((o) => o.type === "update_display_data" && o.id === chart.id);
    // Each redraw is two updates: the text alone, then the figure (JupyterLab's plotly renderer only draws a figure
    // it has not drawn before; see lib/display.ts). Redraws are at most every 4 s, and the last one is the final state
    // (tests/viz/live-updates.test.ts).
    const updates = all.filter((u) => u.traces);
    assert.ok(updates.length >= 1, `chart updates: ${updates.length}`);
    assert.equal(all.length, 2 * updates.length, "every figure update follows a text-only update");
    all.forEach((u, i) => assert.equal(Boolean(u.traces), i % 2 === 1, `update ${i}: text first, then the figure`));
    const final = updates[updates.length - 1];
    assert.deepEqual(final.traces!.map((t) => t[0]).sort(), ["acc", "loss", "val_acc", "val_loss"]);
    assert.deepEqual(final.traces![0][1], [1, 2, 3, 4, 5]);
    assert.equal(final.plotlyjs, updates[0].plotlyjs, "the final chart carries plotly.js when the first drawn one did");
    const lines = r.outputs.filter((o) => o.id === progress.id).map((o) => o.text);
    assert.match(lines[lines.length - 1], /^done: 5 epoch\(s\)/);
    assert.equal(value(r), "5");
  });

  it("an interrupt stops trainlab's loop after the current batch; the model stays usable", () => {
    assert.equal(cells[2].status, "error");
    assert.equal(cells[3].status, "ok", JSON.stringify(cells[3].outputs));
    assert.equal(value(cells[3]), "[ true, 'interrupted', 3 ]");
  });

  it("an interrupt also stops plain tfjs model.fit with no stopping callback of the user's", () => {
    assert.equal(cells[4].status, "error");
    assert.equal(cells[5].status, "ok", JSON.stringify(cells[5].outputs));
    // Epochs ran before the interrupt (the count grew), and none ran after it (the count stopped growing).
    assert.equal(value(cells[5]), "[ true, true, '2,1' ]");
  });
});
