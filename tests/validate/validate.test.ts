import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as aq from "arquero";
import { ensureBackend } from "../../lib/backend";
import { accuracy, evaluateModel } from "../../lib/evaluate";
import type { FeatureInput, TargetInput } from "../../lib/data/matrix";
import { toMatrix } from "../../lib/data/matrix";
import { Impute } from "../../lib/data/transforms";
import type { Classifier, Estimator, Params } from "../../lib/models/estimator";
import { defineGoals } from "../../lib/goals";
import {
  adversarial,
  calibration,
  drift,
  efficiency,
  holdout,
  ks2samp,
  partialDependence,
  permutationImportance,
  resetHoldoutRegistry,
  robustness,
  slices,
} from "../../lib/validate";
import { FEATURES, TfjsMlp, TinyLinearRegression, TinyLogistic, penguins, render } from "./helpers";
import { readReference } from "./stats.test";

const data = penguins();

/** Wraps a classifier; lets a test change what predict does. */
class Wrapped implements Classifier {
  readonly kind = "classifier" as const;
  constructor(
    readonly inner: Classifier,
    readonly name: string,
    private readonly hook: (X: FeatureInput, pred: (number | string)[]) => (number | string)[],
    private readonly lazy = false,
  ) {}
  get fitted(): boolean {
    return this.inner.fitted;
  }
  get classes(): readonly (number | string)[] {
    return this.inner.classes;
  }
  getParams(): Params {
    return {};
  }
  withParams(): Estimator {
    return this;
  }
  async fit(): Promise<this> {
    return this;
  }
  predict(X: FeatureInput): (number | string)[] {
    return this.hook(X, this.lazy ? [] : this.inner.predict(X));
  }
  predictProba(X: FeatureInput): number[][] {
    return this.inner.predictProba(X);
  }
  score(): number {
    return NaN;
  }
  async save(dir: string): Promise<void> {
    await this.inner.save(dir);
  }
}

/** Lets a features-only model take the whole table (as a Pipeline that selects its columns would). */
function selecting(inner: Classifier): Classifier {
  const pick = (X: FeatureInput): FeatureInput =>
    (X as { select?: unknown }).select ? (X as aq.ColumnTable).select(FEATURES) : X;
  const wrapped = new Wrapped(inner, `${inner.name}+select`, (X) => inner.predict(pick(X)), true);
  wrapped.predictProba = (X: FeatureInput) => inner.predictProba(pick(X));
  return wrapped;
}

function html(value: unknown): string {
  return render(value)["text/html"] as string;
}

describe("real-world validation (lib/validate)", function () {
  this.timeout(120000);
  let logistic: TinyLogistic;
  let mlp: TfjsMlp;

  before(async () => {
    await ensureBackend();
    logistic = await new TinyLogistic().fit(data.Xtrain, data.ytrain);
    mlp = await new TfjsMlp().fit(data.Xtrain, data.ytrain);
  });
  beforeEach(() => resetHoldoutRegistry());

  describe("holdout", () => {
    it("evaluates a classical and a tfjs model once, next to the majority baseline", async () => {
      for (const model of [logistic, mlp]) {
        resetHoldoutRegistry();
        const result = await holdout(model, data.Xtest, data.ytest, { trainY: data.ytrain });
        assert.equal(result.metrics.accuracy, accuracy(data.ytest, model.predict(data.Xtest)));
        assert.ok(result.metrics.accuracy > 0.9, `${model.name} accuracy ${result.metrics.accuracy}`);
        const majority = data.ytrain
          .slice()
          .sort((a, b) => data.ytrain.filter((v) => v === b).length - data.ytrain.filter((v) => v === a).length)[0];
        assert.equal(result.baseline.accuracy, data.ytest.filter((v) => v === majority).length / data.ytest.length);
        assert.deepEqual(Object.keys(result.metrics), [
          "accuracy",
          "balanced_accuracy",
          "f1_macro",
          "roc_auc",
          "log_loss",
        ]);
        assert.equal(result.verdict, "pass");
        assert.equal(result.figures[0].data[0].type, "heatmap");
        assert.match(html(result), /PASS/);
      }
    });

    it("refuses a look at the same split with another model unless forced; the identical model again is a repeat", async () => {
      const first = await holdout(logistic, data.Xtest, data.ytest);
      assert.equal(first.repeatOf, null);
      await assert.rejects(
        holdout(mlp, data.Xtest, data.ytest),
        /holdout refused: this test split .* was already evaluated .* with TinyLogistic.*different model.*\{force: true\}/,
      );
      // Re-running the notebook top to bottom: the same model, retrained with the same seed, on the same split.
      const retrained = await new TinyLogistic().fit(data.Xtrain, data.ytrain);
      const again = await holdout(retrained, data.Xtest, data.ytest);
      assert.notEqual(again.repeatOf, null);
      assert.equal(again.evaluations, 1);
      assert.deepEqual(again.metrics, first.metrics);
      assert.ok(
        again.reasons.some((r) => /Repeat of the evaluation at .*no new look/.test(r)),
        again.reasons.join(" | "),
      );
      // The same model trained differently is a different model.
      const other = await new TinyLogistic({ epochs: 3, lr: 0.5 }).fit(data.Xtrain, data.ytrain);
      await assert.rejects(holdout(other, data.Xtest, data.ytest), /holdout refused/);
      const forced = await holdout(mlp, data.Xtest, data.ytest, { force: true });
      assert.equal(forced.evaluations, 2);
      assert.equal(forced.verdict, "warn");
      assert.ok(forced.reasons.some((r) => /evaluated with 2 different models/.test(r)));
      // A different split is a different fingerprint.
      await holdout(other, data.Xtrain, data.ytrain);
    });

    it("a failure while building the result does not use up the one look", async () => {
      // Ragged trainX makes the leak count throw after the metrics were computed.
      await assert.rejects(holdout(logistic, data.Xtest, data.ytest, { trainX: [[1, 2], [3]] }), /Row 1 has 1 values/);
      const result = await holdout(mlp, data.Xtest, data.ytest);
      assert.equal(result.evaluations, 1);
      assert.equal(result.repeatOf, null);
    });

    it("gives accuracy a Wilson 95% interval and the other metrics a bootstrap one, and passes only beyond the baseline's reach", async () => {
      const result = await holdout(logistic, data.Xtest, data.ytest, { trainY: data.ytrain });
      const n = data.ytest.length;
      const k = Math.round(result.metrics.accuracy * n);
      const z = 1.959963984540054;
      const p = k / n;
      const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
      const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
      assert.equal(result.intervals.accuracy?.method, "wilson");
      assert.ok(Math.abs((result.intervals.accuracy?.lower as number) - (centre - half)) < 1e-8);
      assert.ok(Math.abs(Math.min(1, centre + half) - (result.intervals.accuracy?.upper as number)) < 1e-8);
      for (const m of ["balanced_accuracy", "f1_macro", "roc_auc", "log_loss"]) {
        const ci = result.intervals[m];
        assert.equal(ci?.method, "bootstrap", m);
        assert.ok(
          (ci as { lower: number }).lower <= result.metrics[m] && result.metrics[m] <= (ci as { upper: number }).upper,
          `${m} ${result.metrics[m]} in ${JSON.stringify(ci)}`,
        );
      }
      assert.match(html(result), /95% CI/);
      // 7 rows, 5 of them Adelie (the majority class): a model that gets 6 or 7 right beats the baseline's 5 of 7 on
      // its point estimate, but not beyond its interval.
      resetHoldoutRegistry();
      const few = await holdout(logistic, data.Xtest.slice(7, 14), data.ytest.slice(7, 14), { trainY: data.ytrain });
      assert.ok(few.metrics.accuracy > few.baseline.accuracy);
      assert.ok((few.intervals.accuracy?.lower as number) <= few.baseline.accuracy);
      assert.equal(few.verdict, "warn");
      assert.ok(few.reasons[0].includes("cannot tell this model from the trivial baseline"), few.reasons[0]);
    });

    it("warns when test rows also appear in the training features", async () => {
      const clean = await holdout(logistic, data.Xtest, data.ytest, { trainX: data.Xtrain });
      assert.equal(clean.leakedRows, 0);
      const leakyTest = data.Xtest.concat(data.Xtrain.slice(0, 12));
      const leakyY = [...data.ytest, ...data.ytrain.slice(0, 12)];
      const leaky = await holdout(logistic, leakyTest, leakyY, { trainX: data.Xtrain });
      assert.equal(leaky.leakedRows, 12);
      assert.equal(leaky.verdict, "warn");
      assert.ok(leaky.reasons.some((r) => /12 of 112 test rows also appear/.test(r)));
    });

    it("remembers evaluated splits in a runs folder across a kernel restart", async () => {
      const runs = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-runs-"));
      await holdout(logistic, data.Xtest, data.ytest, { runsDir: runs });
      resetHoldoutRegistry(); // as if the kernel restarted
      await assert.rejects(holdout(mlp, data.Xtest, data.ytest, { runsDir: runs }), /already evaluated/);
      assert.notEqual(
        (await holdout(logistic, data.Xtest, data.ytest, { runsDir: runs })).repeatOf,
        null,
        "the same model after a restart is a repeat",
      );
      const log = JSON.parse(fs.readFileSync(path.join(runs, "holdout-log.json"), "utf8"));
      assert.equal(log.length, 1);
      assert.equal(log[0].model, "TinyLogistic");
      fs.rmSync(runs, { recursive: true, force: true });
    });

    it("reports regression metrics and checks goals into the verdict", async () => {
      const Xtr = data.train.select(["beak_length_mm", "beak_depth_mm", "flipper_length_mm"]);
      const Xte = data.test.select(["beak_length_mm", "beak_depth_mm", "flipper_length_mm"]);
      const reg = await new TinyLinearRegression().fit(Xtr, data.train.array("body_mass_g") as number[]);
      const goals = defineGoals({ task: "regression", metric: "r2", target: 0.99 });
      const result = await holdout(reg, Xte, data.test.array("body_mass_g") as number[], { goals });
      assert.deepEqual(Object.keys(result.metrics), ["r2", "rmse", "mae", "mse"]);
      assert.ok(result.metrics.r2 > 0.6 && result.metrics.r2 < 0.99);
      assert.ok(Math.abs(result.metrics.rmse ** 2 - result.metrics.mse) < 1e-6);
      assert.equal(result.scorecard?.verdict, "fail");
      assert.equal(result.verdict, "fail");
      assert.equal(result.figures[0].title.startsWith("Residuals"), true);
    });
  });

  it("goals check lib/evaluate's evaluateModel and validate results together", async () => {
    const goals = defineGoals({
      task: "classification",
      metric: "accuracy",
      target: 0.9,
      goals: [{ metric: "ece", target: 0.2 }],
      constraints: { maxLatencyMs: 1e6 },
    });
    const evaluation = await evaluateModel(logistic, data.Xtest, data.ytest, { figures: false });
    const card = goals.check(
      evaluation,
      calibration(logistic, data.Xtest, data.ytest),
      await efficiency(logistic, data.Xtest, { repeats: 5 }),
    );
    assert.equal(card.rows[0].measured, accuracy(data.ytest, logistic.predict(data.Xtest)));
    assert.deepEqual(
      card.rows.map((r) => r.status),
      ["pass", "pass", "pass"],
    );
  });

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

  describe("interpretability", () => {
    it("permutation importance ranks real features above a pure-noise column, for both models", async () => {
      let seed = 11;
      const noise = (n: number): number[] =>
        Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 100);
      const Xtr = data.Xtrain.assign(aq.table({ noise: noise(data.Xtrain.numRows()) }));
      const Xte = data.Xtest.assign(aq.table({ noise: noise(data.Xtest.numRows()) }));
      for (const model of [await new TinyLogistic().fit(Xtr, data.ytrain), await new TfjsMlp().fit(Xtr, data.ytrain)]) {
        const result = permutationImportance(model, Xte, data.ytest, { repeats: 3, seed: 1 });
        const byName = Object.fromEntries(result.features.map((f) => [f.feature, f]));
        assert.ok(result.features[0].mean > 0.1, `${model.name} top ${JSON.stringify(result.features[0])}`);
        assert.ok(Math.abs(byName.noise.mean) < 0.05, `${model.name} noise ${byName.noise.mean}`);
        assert.notEqual(result.features[0].feature, "noise");
        const again = permutationImportance(model, Xte, data.ytest, { repeats: 3, seed: 1 });
        assert.deepEqual(again.features, result.features, "same seed, same importances");
        const f = result.features[0];
        assert.ok(Math.abs(f.mean - f.drops.reduce((a, b) => a + b, 0) / 3) < 1e-12);
        assert.equal(result.figures[0].data[0].type, "bar");
      }
    });

    it("partial dependence of a linear regressor is the coefficient times the grid", async () => {
      const Xtr = data.train.select(["beak_length_mm", "flipper_length_mm"]);
      const reg = await new TinyLinearRegression().fit(Xtr, data.train.array("body_mass_g") as number[]);
      const result = partialDependence(reg, Xtr, ["flipper_length_mm"], { gridResolution: 10 });
      const curve = result.curves[0];
      assert.equal(curve.grid.length, 10);
      for (let k = 1; k < 10; k++) {
        const slope =
          (curve.average[0].values[k] - curve.average[0].values[k - 1]) / (curve.grid[k] - curve.grid[k - 1]);
        assert.ok(Math.abs(slope - reg.coef[1]) < 1e-6, `slope ${slope} vs coef ${reg.coef[1]}`);
      }
    });

    it("partial dependence of classifiers averages class probabilities, for both models", () => {
      for (const model of [logistic, mlp]) {
        const result = partialDependence(model, data.Xtest, "flipper_length_mm", { gridResolution: 8 });
        const curve = result.curves[0];
        assert.deepEqual(
          curve.average.map((a) => a.name),
          ["Adelie", "Chinstrap", "Gentoo"],
        );
        for (let k = 0; k < curve.grid.length; k++) {
          assert.ok(Math.abs(curve.average.reduce((s, a) => s + a.values[k], 0) - 1) < 1e-5);
        }
        const gentoo = curve.average[2].values;
        assert.ok(gentoo[gentoo.length - 1] > gentoo[0], "long flippers mean Gentoo");
      }
    });
  });

  describe("efficiency", () => {
    it("latency percentiles, throughput, saved size and parameter count for both models", async () => {
      const classical = await efficiency(logistic, data.Xtest, { repeats: 50 });
      assert.ok(classical.latencyP50Ms > 0 && classical.latencyP95Ms >= classical.latencyP50Ms);
      assert.ok(classical.throughput > 0);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-eff-"));
      await logistic.save(dir);
      assert.equal(classical.modelBytes, fs.statSync(path.join(dir, "state.json")).size);
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(classical.parameters, 5 * 3 + 4 + 4, "weights+bias per class, plus the scaler's means and stds");
      const network = await efficiency(mlp, data.Xtest, { repeats: 60, maxLatencyMs: 1e6 });
      assert.equal(network.parameters, 4 * 16 + 16 + 16 * 3 + 3);
      assert.ok(network.modelBytes > network.parameters * 4);
      assert.equal(network.verdict, "pass", "60 timings bound the p95 (the largest is its upper bound at α = 0.05)");
      const few = await efficiency(mlp, data.Xtest, { repeats: 20, maxLatencyMs: 1e6 });
      assert.equal(few.verdict, "untested", "20 timings cannot bound a p95: not a pass");
      const strict = await efficiency(mlp, data.Xtest, { repeats: 5, maxModelBytes: 10 });
      assert.equal(strict.verdict, "fail");
      const card = defineGoals({
        task: "classification",
        constraints: { maxLatencyMs: 1e6, maxParameters: 100 },
      }).check(network);
      assert.deepEqual(
        card.rows.map((r) => r.status),
        ["pass", "fail"],
      );
    });
  });

  describe("calibration", () => {
    it("matches scikit-learn's calibration_curve and brier_score_loss on the fixture", () => {
      const ref = readReference().calibration;
      // A classifier whose probabilities are the fixture's: feature 0 holds the probability.
      const fixed = new Wrapped(logistic, "Fixed", (_X, p) => p);
      Object.defineProperty(fixed, "classes", { value: [0, 1] });
      fixed.predictProba = (X: FeatureInput) =>
        Array.from({ length: toMatrix(X).rows }, (_, i) => [1 - toMatrix(X).data[i], toMatrix(X).data[i]]);
      const X = ref.p.map((v) => [v]);
      for (const strategy of ["uniform", "quantile"] as const) {
        const result = calibration(fixed, X, ref.y, { bins: 10, strategy });
        assert.ok(Math.abs(result.brier - ref.brier) < 1e-9);
        assert.equal(result.curve.probTrue.length, ref[strategy].prob_true.length);
        result.curve.probTrue.forEach((v, b) => assert.ok(Math.abs(v - ref[strategy].prob_true[b]) < 1e-9));
        result.curve.probPred.forEach((v, b) => assert.ok(Math.abs(v - ref[strategy].prob_pred[b]) < 1e-9));
        const n = ref.y.length;
        const ece = result.curve.counts.reduce(
          (s, c, b) => s + (c / n) * Math.abs(ref[strategy].prob_true[b] - ref[strategy].prob_pred[b]),
          0,
        );
        assert.ok(Math.abs(result.ece - ece) < 1e-12);
      }
    });

    it("multiclass: top-label reliability, Brier and ECE for both models", () => {
      for (const model of [logistic, mlp]) {
        const result = calibration(model, data.Xtest, data.ytest);
        assert.equal(result.curveOf, "top-label confidence");
        const proba = model.predictProba(data.Xtest);
        const brier =
          proba.reduce(
            (s, row, i) => s + row.reduce((t, p, k) => t + (p - (model.classes[k] === data.ytest[i] ? 1 : 0)) ** 2, 0),
            0,
          ) / proba.length;
        assert.ok(Math.abs(result.brier - brier) < 1e-9, `${result.brier} vs ${brier}`);
        assert.ok(result.ece >= 0 && result.ece < 0.2);
        assert.equal(result.figures[0].data.length, 1 + 3, "diagonal plus one curve per class");
        assert.match(html(result), /Calibration of/);
      }
    });
  });

  it("slices, robustness, permutation importance and efficiency also take regressors", async () => {
    const cols = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm"];
    const reg = await new TinyLinearRegression().fit(
      data.train.select(cols),
      data.train.array("body_mass_g") as number[],
    );
    const X = data.test.select(cols);
    const y = data.test.array("body_mass_g") as number[];
    const bySex = slices(reg, X, y, { by: data.test.array("sex") as string[], metric: "rmse", bootstrap: 200 });
    assert.deepEqual(
      bySex.groups.map((g) => g.group),
      ["FEMALE", "MALE"],
    );
    assert.equal(bySex.metric, "rmse");
    const robust = robustness(reg, X, y, {
      metric: "rmse",
      noiseLevels: [0.5],
      missingRates: [],
      outOfRange: false,
      repeats: 1,
    });
    assert.ok(robust.rows[1].drop > 0, "noise makes the RMSE worse: a positive drop");
    const importance = permutationImportance(reg, X, y, {
      repeats: 2,
      features: ["flipper_length_mm", "beak_depth_mm"],
    });
    assert.deepEqual(importance.features.map((f) => f.feature).sort(), ["beak_depth_mm", "flipper_length_mm"]);
    assert.equal(importance.features[0].feature, "flipper_length_mm");
    assert.equal(importance.metric, "r2");
    const speed = await efficiency(reg, X, { repeats: 5 });
    assert.equal(speed.parameters, 4);
    assert.throws(() => adversarial(reg, X, y), /regressor/);
    assert.throws(() => calibration(reg, X, y), /no probabilities/);
  });

  it("every result renders a verdict banner, a table and its charts", async () => {
    const results = [
      await holdout(logistic, data.Xtest, data.ytest),
      slices(mlp, data.Xtest, data.ytest, { by: data.test.array("sex") as string[], bootstrap: 100 }),
      robustness(mlp, data.Xtest, data.ytest, { repeats: 1, noiseLevels: [0.1], missingRates: [0.1] }),
      adversarial(logistic, data.Xtest, data.ytest, { epsilons: [0, 0.2], trials: 3 }),
      drift(data.train, data.test),
      permutationImportance(logistic, data.Xtest, data.ytest, { repeats: 1 }),
      partialDependence(mlp, data.Xtest, "body_mass_g"),
      await efficiency(logistic, data.Xtest, { repeats: 5 }),
      calibration(logistic, data.Xtest, data.ytest),
    ];
    for (const r of results) {
      const bundle = render(r);
      assert.match(bundle["text/html"] as string, /trainlab-verdict-(pass|warn|fail)/, r.title);
      assert.match(bundle["text/html"] as string, /<table>/, r.title);
      assert.match(bundle["text/html"] as string, /class="trainlab-plot"/, r.title);
      assert.match(bundle["text/plain"] as string, /: (PASS|WARN|FAIL)/);
      assert.ok(r.figures.length > 0);
    }
  });
});

/** Keeps TargetInput in use for the type checker when helpers change. */
export type _Target = TargetInput;
