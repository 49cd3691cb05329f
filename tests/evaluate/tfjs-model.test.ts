/**
 * Cross-validation of a tfjs model (lib/models' MLP): it scores above the baseline, is reproducible with a seed, and
 * frees every fold's network (tf.memory().numTensors stays flat).
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../lib/backend";
import { toMatrix } from "../../lib/data/matrix";
import { loadDataset } from "../../lib/datasets";
import { crossValidate, gridSearch } from "../../lib/evaluate";
import { mlp } from "../../lib/models/nn";
import { StandardScaler } from "../../lib/data";

describe("lib/evaluate with a tfjs model (MLP)", function () {
  this.timeout(120000);
  const iris = loadDataset("iris");
  const X = toMatrix(iris, ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
  const y = iris.array("species") as string[];
  const spec = () => ({
    pipeline: () => new StandardScaler(),
    model: mlp({ hiddenUnits: [16], epochs: 40, batchSize: 16, learningRate: 0.02, seed: 3 }),
    name: "mlp",
  });

  before(async () => {
    await ensureBackend();
  });

  it("cross-validates reproducibly, above the baseline, without leaking tensors", async () => {
    const first = await crossValidate(spec(), X, y, { folds: 3, seed: 1, metrics: ["accuracy", "log_loss"] });
    const before = tf.memory().numTensors;
    const second = await crossValidate(spec(), X, y, { folds: 3, seed: 1, metrics: ["accuracy", "log_loss"] });
    assert.equal(tf.memory().numTensors, before, "every fold's network was disposed");
    assert.deepEqual(second.scores.mlp.accuracy, first.scores.mlp.accuracy, "same seed, same scores");
    assert.ok(first.mean("mlp") > 0.85, `MLP accuracy ${first.mean("mlp")}`);
    assert.ok(first.mean("mlp") > first.mean("baseline (majority class)") + 0.4);
  });

  it("grid-searches a tfjs model's params and refits the best", async () => {
    const s = spec();
    const search = await gridSearch(s, { hiddenUnits: [[4], [16]] }, X, y, { folds: 3, seed: 1 });
    assert.equal(search.results.length, 2);
    assert.deepEqual(
      search.results.map((r) => r.params.hiddenUnits),
      [[4], [16]],
    );
    assert.equal(search.bestModel.fitted, true);
    const predicted = await search.predict(X);
    assert.ok(predicted.filter((p, i) => p === y[i]).length / 150 > 0.85);
    (search.bestModel as unknown as { dispose(): void }).dispose();
  });
});
