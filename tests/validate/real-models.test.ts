/**
 * The validate functions on trainlab's own models: LogisticRegression (lib/models) and the tfjs mlp / cnn
 * (lib/models/nn), through the Estimator contract only.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../lib/backend";
import { loadImages } from "../../lib/datasets";
import { accuracy } from "../../lib/evaluate";
import { LogisticRegression, cnn, mlp } from "../../lib/models";
import {
  adversarial,
  calibration,
  efficiency,
  holdout,
  permutationImportance,
  resetHoldoutRegistry,
  robustness,
} from "../../lib/validate";
import { FEATURES, penguins } from "./helpers";

/** Standardizes with the training means and deviations, as a notebook's StandardScaler step would. */
function standardized(): { Xtrain: number[][]; Xtest: number[][]; ytrain: string[]; ytest: string[] } {
  const data = penguins();
  const cols = FEATURES.map((f) => data.Xtrain.array(f) as number[]);
  const mean = cols.map((c) => c.reduce((a, b) => a + b, 0) / c.length);
  const std = cols.map((c, j) => Math.sqrt(c.reduce((a, b) => a + (b - mean[j]) ** 2, 0) / c.length));
  const rows = (t: typeof data.Xtrain): number[][] =>
    Array.from({ length: t.numRows() }, (_, i) =>
      FEATURES.map((f, j) => ((t.array(f) as number[])[i] - mean[j]) / std[j]),
    );
  return { Xtrain: rows(data.Xtrain), Xtest: rows(data.Xtest), ytrain: data.ytrain, ytest: data.ytest };
}

describe("validate with trainlab's own models (lib/models, lib/models/nn)", function () {
  this.timeout(120000);
  const d = standardized();

  before(async () => {
    await ensureBackend();
    resetHoldoutRegistry();
  });

  it("LogisticRegression and an mlp: holdout, calibration, robustness, importance, efficiency", async () => {
    const logreg = await new LogisticRegression().fit(d.Xtrain, d.ytrain);
    const net = await mlp({ hiddenUnits: [16], epochs: 40, learningRate: 0.01, seed: 3 }).fit(d.Xtrain, d.ytrain, {
      seed: 3,
    });
    for (const model of [logreg, net]) {
      resetHoldoutRegistry();
      const test = await holdout(model, d.Xtest, d.ytest, { trainY: d.ytrain });
      assert.ok(test.metrics.accuracy > 0.9, `${model.name} accuracy ${test.metrics.accuracy}`);
      assert.equal(test.verdict, "pass");
      const cal = calibration(model, d.Xtest, d.ytest);
      assert.ok(cal.ece >= 0 && cal.ece < 0.3, `${model.name} ECE ${cal.ece}`);
      const rob = robustness(model, d.Xtest, d.ytest, { repeats: 1, noiseLevels: [0.1, 1], missingRates: [0.1] });
      assert.ok(
        rob.rows.every((r) => !r.error),
        rob.toString(),
      );
      const imp = permutationImportance(model, d.Xtest, d.ytest, { repeats: 2 });
      assert.ok(imp.features[0].mean > 0.05, `${model.name} importance ${JSON.stringify(imp.features[0])}`);
      const eff = await efficiency(model, d.Xtest, { repeats: 10 });
      assert.ok(eff.modelBytes > 0 && eff.latencyP95Ms >= eff.latencyP50Ms);
      if (model === net) assert.equal(eff.parameters, 4 * 16 + 16 + 16 * 3 + 3);
      else assert.equal(eff.parameters, 3 * 4 + 3, "LogisticRegression: coefficients and intercepts");
    }
    const fgsm = adversarial(net, d.Xtest, d.ytest, { epsilons: [0, 0.25, 1] });
    assert.equal(fgsm.method, "fgsm", "the mlp's network gives FGSM its gradients");
    assert.equal(fgsm.accuracy[0], accuracy(d.ytest, net.predict(d.Xtest)));
    assert.ok(fgsm.accuracy[2] < fgsm.accuracy[0] - 0.2, `mlp FGSM ${fgsm.accuracy}`);
    const search = adversarial(logreg, d.Xtest, d.ytest, { epsilons: [0, 0.25, 1], trials: 10 });
    assert.equal(search.method, "random");
    assert.ok(search.accuracy[2] < search.accuracy[0], `logreg random ${search.accuracy}`);
    net.dispose();
  });

  it("FGSM on a cnn over flat MNIST pixel rows (reshaped to the network's image input)", async () => {
    const images = loadImages("mnist");
    const pick = Array.from({ length: 600 }, (_, i) => (i * 7919) % images.count);
    const X = pick.map((i) => Array.from(images.images.subarray(i * 784, (i + 1) * 784)));
    const y = pick.map((i) => images.labels[i]);
    const model = await cnn({ imageShape: [28, 28, 1], filters: [8], epochs: 2, seed: 1 }).fit(
      X.slice(0, 500),
      y.slice(0, 500),
      { seed: 1 },
    );
    const before = tf.memory().numTensors;
    const result = adversarial(model, X.slice(500), y.slice(500), {
      scale: "raw",
      clip: [0, 1],
      epsilons: [0, 0.1, 0.3],
    });
    assert.equal(tf.memory().numTensors, before, "no tensor leaked");
    assert.equal(result.method, "fgsm");
    assert.ok(result.accuracy[0] > 0.5, `clean ${result.accuracy}`);
    assert.ok(result.accuracy[2] < result.accuracy[0] - 0.2, `cnn FGSM ${result.accuracy}`);
    model.dispose();
  });
});
