/**
 * lib/validate's stress checks on real penguins data: slices (per-group scores with bootstrap intervals, flagged weak
 * subgroups), robustness (noise, missing and out-of-range values), adversarial perturbation (FGSM and random search)
 * and drift (PSI and KS against scipy), for a classical and a tfjs model.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as aq from "arquero";
import { accuracy } from "../../lib/evaluate";
import { toMatrix } from "../../lib/data/matrix";
import { Impute } from "../../lib/data/transforms";
import { adversarial, drift, ks2samp, resetHoldoutRegistry, robustness, slices } from "../../lib/validate";
import { FEATURES, TfjsMlp, TinyLogistic } from "./helpers";
import { readReference } from "./stats.test";
import { Wrapped, data, html, selecting, trainedModels } from "./validate-fixtures";

describe("real-world validation (lib/validate)", function () {
  this.timeout(120000);
  let logistic: TinyLogistic;
  let mlp: TfjsMlp;

  before(async () => {
    ({ logistic, mlp } = await trainedModels());
  });
  beforeEach(() => resetHoldoutRegistry());

  describe("slices", () => {
    it("scores each island with bootstrap intervals, on both models", () => {
      for (const model of [logistic, mlp]) {
        const result = slices(selecting(model), data.test, data.ytest, { by: "island", bootstrap: 300, seed: 1 });
        assert.deepEqual(
          result.groups.map((g) => g.group),
          ["Biscoe", "Dream", "Torgersen"],
        );
        const islands = data.test.array("island") as string[];
        const pred = model.predict(data.Xtest);
        for (const g of result.groups) {
          const idx = islands.flatMap((v, i) => (v === g.group ? [i] : []));
          assert.equal(g.size, idx.length);
          assert.equal(
            g.value,
            accuracy(
              idx.map((i) => data.ytest[i]),
              idx.map((i) => pred[i]),
            ),
          );
          assert.ok(
            g.ci[0] <= g.value + 1e-12 && g.value <= g.ci[1] + 1e-12,
            `${g.group} CI ${g.ci} around ${g.value}`,
          );
        }
      }
    });

    it("cuts a numeric grouping into quantile bins", () => {
      const result = slices(logistic, data.Xtest, data.ytest, {
        by: data.test.array("body_mass_g") as number[],
        bootstrap: 100,
      });
      assert.equal(result.groups.length, 4);
      assert.match(result.groups[0].group, /^1\. \[\d/);
      assert.equal(
        result.groups.reduce((n, g) => n + g.size, 0),
        data.ytest.length,
      );
      assert.ok(
        result.groups.every((g) => g.size >= 20 && g.size <= 30),
        result.groups.map((g) => g.size).join(),
      );
    });

    it("flags a subgroup where the model is significantly worse, and not a random split", () => {
      const pred = logistic.predict(data.Xtest);
      // Group "hard" gets every mistake plus a third of the correct rows; "easy" the rest.
      let k = 0;
      const by = pred.map((p, i) => (p !== data.ytest[i] || k++ % 3 === 0 ? "hard" : "easy"));
      const sabotaged = new Wrapped(logistic, "Sabotaged", (_X, pr) =>
        pr.map((p, i) => (by[i] === "hard" && i % 2 === 0 ? ("Gentoo" === p ? "Adelie" : "Gentoo") : p)),
      );
      const flagged = slices(sabotaged, data.Xtest, data.ytest, { by, bootstrap: 500, seed: 2 });
      const hard = flagged.groups.find((g) => g.group === "hard");
      assert.ok(hard && hard.significant && hard.gap < -0.1, JSON.stringify(hard));
      assert.equal(flagged.verdict, "fail");
      const random = slices(logistic, data.Xtest, data.ytest, {
        by: data.ytest.map((_, i) => (i % 2 ? "odd" : "even")),
        bootstrap: 500,
        seed: 2,
      });
      assert.equal(random.verdict, "pass");
      assert.match(html(flagged), /FAIL/);
    });
  });

  describe("robustness", () => {
    it("measures noise, imputed missing values and out-of-range values on both models", () => {
      for (const model of [logistic, mlp]) {
        const result = robustness(model, data.Xtest, data.ytest, { trainX: data.Xtrain, repeats: 2, seed: 3 });
        const clean = result.rows[0];
        assert.equal(clean.value, accuracy(data.ytest, model.predict(data.Xtest)));
        const noise = result.rows.filter((r) => r.kind === "noise");
        assert.deepEqual(
          noise.map((r) => r.level),
          [0.05, 0.1, 0.25, 0.5, 1],
        );
        assert.ok(
          noise[4].value < noise[0].value,
          `${model.name}: 1σ noise ${noise[4].value} vs 0.05σ ${noise[0].value}`,
        );
        assert.equal(result.rows.filter((r) => r.kind === "missing").length, 3);
        assert.equal(result.rows.filter((r) => r.kind === "out-of-range").length, 2 * FEATURES.length + 1);
        assert.ok(result.rows.every((r) => !r.error && r.invalid === 0));
        assert.ok(["pass", "warn"].includes(result.verdict), result.toString());
      }
    });

    it("imputes with the training means: a missing-only perturbation of a constant feature changes nothing", () => {
      // With 100% missing, every value becomes the training mean; the prediction equals predicting on the means.
      // trainX's columns in another order: statistics are matched by name.
      const reordered = data.Xtrain.select(FEATURES.slice().reverse());
      const result = robustness(logistic, data.Xtest, data.ytest, {
        trainX: reordered,
        noiseLevels: [],
        missingRates: [1],
        outOfRange: false,
        repeats: 1,
      });
      const means = FEATURES.map(
        (f) => (data.Xtrain.array(f) as number[]).reduce((a, b) => a + b, 0) / data.Xtrain.numRows(),
      );
      const onMeans = logistic.predict(data.ytest.map(() => means));
      assert.equal(result.rows[1].value, accuracy(data.ytest, onMeans));
    });

    it("uses a given imputer (lib/data's Impute, fitted on the training split) for the missing values", () => {
      const imputer = new Impute({ strategy: "median" }).fit(data.Xtrain);
      const result = robustness(logistic, data.Xtest, data.ytest, {
        imputer,
        noiseLevels: [],
        missingRates: [1],
        outOfRange: false,
        repeats: 1,
      });
      const medians = FEATURES.map((f) => imputer.fillValues[f] as number);
      assert.equal(result.rows[1].value, accuracy(data.ytest, logistic.predict(data.ytest.map(() => medians))));
      assert.match(result.rows[1].condition, /imputer/);
    });

    it("fails a model that crashes on out-of-range input, and says where", () => {
      const fragile = new Wrapped(logistic, "Fragile", (X, pred) => {
        if (toMatrix(X).data.some((v) => v > 10000)) throw new Error("body mass beyond the sensor range");
        return pred;
      });
      const result = robustness(fragile, data.Xtest, data.ytest, { noiseLevels: [0.1], missingRates: [], repeats: 1 });
      const crashed = result.rows.find((r) => r.error);
      assert.ok(crashed && /body_mass_g = max/.test(crashed.condition) && /sensor range/.test(crashed.error as string));
      assert.equal(result.verdict, "fail");
    });
  });

  describe("adversarial", () => {
    it("FGSM on a tfjs model: accuracy falls as epsilon grows, through tf.grad", () => {
      const result = adversarial(mlp, data.Xtest, data.ytest, { epsilons: [0, 0.1, 0.25, 0.5, 1, 2] });
      assert.equal(result.method, "fgsm");
      assert.equal(result.accuracy[0], accuracy(data.ytest, mlp.predict(data.Xtest)));
      for (let k = 1; k < result.accuracy.length; k++)
        assert.ok(result.accuracy[k] <= result.accuracy[k - 1] + 0.02, `accuracy ${result.accuracy}`);
      assert.ok(result.accuracy[5] < result.accuracy[0] - 0.3, `accuracy ${result.accuracy}`);
      assert.ok(result.figures[0].data[0].y);
    });

    it("FGSM is stronger than random noise of the same size on the same tfjs model", () => {
      const fgsm = adversarial(mlp, data.Xtest, data.ytest, { epsilons: [0.5] });
      const random = adversarial(mlp, data.Xtest, data.ytest, {
        epsilons: [0.5],
        method: "random",
        trials: 1,
        seed: 4,
      });
      assert.equal(random.method, "random");
      assert.ok(fgsm.accuracy[0] < random.accuracy[0], `fgsm ${fgsm.accuracy} random ${random.accuracy}`);
    });

    it("a classical model gets the bounded random search; accuracy falls with epsilon", () => {
      const result = adversarial(logistic, data.Xtest, data.ytest, { epsilons: [0, 0.1, 0.5, 1], trials: 10, seed: 5 });
      assert.equal(result.method, "random");
      assert.equal(result.accuracy[0], accuracy(data.ytest, logistic.predict(data.Xtest)));
      assert.ok(result.accuracy[3] < result.accuracy[0], `accuracy ${result.accuracy}`);
      assert.throws(() => adversarial(logistic, data.Xtest, data.ytest, { method: "fgsm" }), /FGSM needs gradients/);
    });

    it("does not leak tensors", () => {
      adversarial(mlp, data.Xtest, data.ytest, { epsilons: [0.1] });
      const before = tf.memory().numTensors;
      for (let k = 0; k < 3; k++) adversarial(mlp, data.Xtest, data.ytest, { epsilons: [0.1] });
      assert.equal(tf.memory().numTensors, before);
    });
  });

  describe("drift", () => {
    it("PSI and KS per feature: stable between train and test, drift on a shifted feature", () => {
      const stable = drift(data.train.select([...FEATURES, "island"]), data.test.select([...FEATURES, "island"]));
      for (const f of FEATURES) {
        const row = stable.feature(f);
        const ks = ks2samp(data.train.array(f) as number[], data.test.array(f) as number[]);
        assert.equal(row.ks, ks.statistic);
        assert.equal(row.pValue, ks.pValue);
        assert.ok(row.psi < 0.25, `${f} psi ${row.psi}`);
      }
      assert.equal(stable.feature("island").kind, "categorical");
      assert.equal(stable.verdict, "pass", "two random splits of one dataset do not drift");
      assert.equal(stable.feature("beak_length_mm").note, "PSI within sampling noise", "PSI 0.15 on 100 rows is noise");
      const shifted = data.test.derive({ body_mass_g: (d: { body_mass_g: number }) => d.body_mass_g + 600 });
      const result = drift(data.train.select(FEATURES), shifted.select(FEATURES));
      assert.equal(result.feature("body_mass_g").verdict, "fail");
      assert.ok(result.feature("body_mass_g").psi > 0.25);
      assert.ok((result.feature("body_mass_g").pValue as number) < 1e-6);
      assert.equal(result.feature("flipper_length_mm").verdict, stable.feature("flipper_length_mm").verdict);
      assert.equal(result.verdict, "fail");
      assert.match(html(result), /body_mass_g/);
    });

    it("matches scipy's KS p-values on the fixture through the table interface", () => {
      const c = readReference().ks_2samp[2];
      const result = drift(aq.table({ x: c.a }), aq.table({ x: c.b }));
      assert.ok(Math.abs((result.feature("x").pValue as number) - c.pvalue) < 1e-9);
      assert.ok(Math.abs((result.feature("x").ks as number) - c.statistic) < 1e-12);
    });
  });
});
