/**
 * Specification: a recorded run holds the settings that ran. Its params must not contradict the history recorded
 * with them (issue 15, item 7: 00-full-experiment recorded the MLP's default `epochs 20` for a run that trained 51
 * epochs), and the record says how many epochs ran and why training stopped, from the History itself.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadDataset } from "../../lib/datasets";
import { mlp } from "../../lib/models";
import { train } from "../../lib/train";
import { loadRun, recordRun, startRun } from "../../lib/report";

describe("lib/report: a run records the settings that ran", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-run-params-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const iris = () => {
    const table = loadDataset("iris");
    return {
      x: table.select("sepal_length", "sepal_width", "petal_length", "petal_width"),
      y: table.array("species") as string[],
    };
  };

  it("refuses a model's default epochs when train() ran more, and leaves no run folder", async () => {
    const data = iris();
    const net = mlp({ hiddenUnits: [4], seed: 1 });
    assert.equal(net.getParams().epochs, 20, "the model's default");
    const history = await train(net, data, { epochs: 25, batchSize: 16, seed: 1, live: "none" });
    assert.equal(history.epochs.length, 25);
    await assert.rejects(
      recordRun({ name: "mlp", dir, params: { ...net.getParams() }, history }),
      /params\.epochs is 20 but the history has 25 epochs/,
    );
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => !f.startsWith(".")),
      [],
    );
  });

  it("records a model built with the settings it trained with, plus the epochs run, stop reason and best epoch", async () => {
    const data = iris();
    const net = mlp({ hiddenUnits: [4], epochs: 40, batchSize: 16, earlyStoppingPatience: 3, seed: 1 });
    const history = await train(net, data, { validationData: data, seed: 1, live: "none" });
    const run = loadRun((await recordRun({ name: "mlp", dir, params: { ...net.getParams() }, history })).id, dir);
    assert.equal(run.params.epochs, 40);
    assert.equal(run.params.batchSize, 16);
    assert.equal(run.params.epochsRun, history.epochs.length);
    assert.equal(run.history.length, history.epochs.length);
    assert.equal(run.params.stopReason, history.stopReason);
    if (history.bestEpoch !== null) assert.equal(run.params.bestEpoch, history.bestEpoch);
  });

  it("a recorder passed to train() records epochs 1..n, the numbers the History has (not shifted by one)", async () => {
    const data = iris();
    const recorder = startRun("numbered", { epochs: 3 }, { dir });
    const history = await train(mlp({ hiddenUnits: [4], seed: 1 }), data, {
      epochs: 3,
      batchSize: 16,
      seed: 1,
      live: "none",
      callbacks: [recorder],
    });
    assert.deepEqual(
      recorder.history.map((e) => e.epoch),
      [1, 2, 3],
    );
    assert.deepEqual(
      recorder.history.map((e) => e.epoch),
      history.epochs,
    );
    assert.deepEqual(
      recorder.history.map((e) => e.loss),
      history.metrics.loss,
    );
    const run = loadRun((await recorder.finish()).id, dir);
    assert.deepEqual(
      run.history.map((e) => e.epoch),
      [1, 2, 3],
    );
  });

  it("a recorder's params are checked against the epochs it saw", async () => {
    const recorder = startRun("claims-two", { epochs: 2 }, { dir });
    for (let e = 1; e <= 3; e++) recorder.onEpochEnd(e, { loss: 1 / e });
    await assert.rejects(recorder.finish(), /params\.epochs is 2 but the history has 3 epochs/);
    const honest = startRun("claims-three", { epochs: 3 }, { dir });
    for (let e = 1; e <= 3; e++) honest.onEpochEnd(e, { loss: 1 / e });
    const run = await honest.finish();
    assert.equal(run.params.epochsRun, 3);
  });
});
