/**
 * A notebook with widgets executed unattended by nbclient (as the report runner and `npm start` do): the
 * executed notebook keeps every model's last state in its metadata
 * (`application/vnd.jupyter.widget-state+json`, version 2.0), the form `@jupyter-widgets/html-manager`
 * reads; the cells' outputs carry the widget view plus the text fallback, and interact's output is in the cell.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { Json, projectRoot, python, privateHistoryFile, kernelName } from "./client";

const SCRIPT = `
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(c) for c in json.loads(sys.argv[1])]
NotebookClient(nb, kernel_name=sys.argv[2], timeout=180, resources={"metadata": {"path": sys.argv[3]}}).execute()
print(json.dumps({"widgets": nb.metadata.get("widgets", {}), "outputs": [c.outputs for c in nb.cells]}))
`;

describe("kernel: widgets in a notebook executed by nbclient", function () {
  this.timeout(300_000);

  it("the executed notebook keeps each model's last state in its metadata, and interact's output is in the cell", () => {
    const cells = [
      'import { IntSlider, interact } from "trainlab";\nconst s = new IntSlider({ value: 3, max: 9, description: "k" });\ns',
      "s.value = 7;",
      "const ui = interact(({ n }) => `n=${n}`, { n: [1, 5] });\nui",
    ];
    const run = spawnSync(
      python,
      ["-c", SCRIPT, JSON.stringify(cells), kernelName, path.join(projectRoot, "tests", "fixtures")],
      {
        encoding: "utf8",
        env: { ...process.env, TRAINLAB_HISTORY_FILE: privateHistoryFile() },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    assert.equal(run.status, 0, run.stderr.slice(-3000));
    const { widgets, outputs } = JSON.parse(run.stdout.trim().split("\n").pop() as string) as {
      widgets: Record<
        string,
        {
          version_major: number;
          version_minor: number;
          state: Record<
            string,
            { model_name: string; model_module: string; model_module_version: string; state: Record<string, unknown> }
          >;
        }
      >;
      outputs: Array<Array<{ output_type: string; data?: Json }>>;
    };
    const saved = widgets["application/vnd.jupyter.widget-state+json"];
    assert.ok(saved, "widget state in the notebook's metadata");
    assert.deepEqual([saved.version_major, saved.version_minor], [2, 0]);
    const shown = outputs[0].find((o) => o.output_type === "execute_result");
    assert.ok(shown?.data);
    const id = shown.data["application/vnd.jupyter.widget-view+json"].model_id as string;
    const slider = saved.state[id];
    assert.deepEqual(
      [slider.model_name, slider.model_module, slider.model_module_version],
      ["IntSliderModel", "@jupyter-widgets/controls", "2.0.0"],
    );
    assert.equal(slider.state.value, 7, "the value after the kernel-side assignment");
    const layout = saved.state[String(slider.state.layout).replace("IPY_MODEL_", "")];
    assert.equal(layout.model_name, "LayoutModel", "the models it refers to are saved too");
    assert.match(String(shown.data["text/plain"]), /needs a frontend with Jupyter widgets/);
    const drawn = outputs[2].filter((o) => o.output_type === "display_data").map((o) => o.data?.["text/plain"]);
    assert.deepEqual(drawn, ["n=3"], "nbclient has no widget manager: interact's output goes to the cell");
  });
});
