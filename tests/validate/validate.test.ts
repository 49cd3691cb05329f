/**
 * lib/validate's model reports on real penguins data: interpretability (permutation importance, partial dependence),
 * efficiency (latency, throughput, size), calibration against scikit-learn, regressors through the same checks, and
 * every result rendering a verdict banner, a table and its charts.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aq from "arquero";
import type { FeatureInput, TargetInput } from "../../lib/data/matrix";
import { toMatrix } from "../../lib/data/matrix";
import { defineGoals } from "../../lib/goals";
import {
  adversarial,
  calibration,
  drift,
  efficiency,
  holdout,
  partialDependence,
  permutationImportance,
  resetHoldoutRegistry,
  robustness,
  slices,
} from "../../lib/validate";
import { TfjsMlp, TinyLinearRegression, TinyLogistic, render } from "./helpers";
import { readReference } from "./stats.test";
import { Wrapped, data, html, trainedModels } from "./validate-fixtures";

describe("real-world validation (lib/validate)", function () {
  this.timeout(120000);
  let logistic: TinyLogistic;
  let mlp: TfjsMlp;

  before(async () => {
    ({ logistic, mlp } = await trainedModels());
  });
  beforeEach(() => resetHoldoutRegistry());

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
