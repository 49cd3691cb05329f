/**
 * lib/validate's holdout: one look at the test split per model (repeats and forced looks, a runs folder across
 * restarts), metrics with intervals next to the majority baseline, train/test overlap warnings, regression metrics
 * and goals; and goals checking lib/evaluate's and lib/validate's results together. Real penguins data.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { accuracy, evaluateModel } from "../../lib/evaluate";
import { defineGoals } from "../../lib/goals";
import { calibration, efficiency, holdout, resetHoldoutRegistry } from "../../lib/validate";
import { TfjsMlp, TinyLinearRegression, TinyLogistic } from "./helpers";
import { data, html, trainedModels } from "./validate-fixtures";

describe("real-world validation (lib/validate)", function () {
  this.timeout(120000);
  let logistic: TinyLogistic;
  let mlp: TfjsMlp;

  before(async () => {
    ({ logistic, mlp } = await trainedModels());
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
});
