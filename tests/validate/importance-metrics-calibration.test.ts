/**
 * Calibration of permutationImportance's verdicts under the metrics a user may pass besides the defaults (accuracy,
 * r2): the confusion-matrix metrics (f1, precision, recall, balanced accuracy), the probability metrics (ROC AUC, log
 * loss) and the regression errors (mae, rmse, mse). On i.i.d. splits of the real tables in tests/fixtures/datasets, a
 * pure-noise column is called "used" at most α of the time (binomialAllowance: a calibrated check fails this test
 * with probability ≤ 0.001), a feature the model relies on is found, two features that carry exactly half the
 * importance each raise the leak warning at most α of the time, and a metric that is undefined without one of the
 * rows says that nothing could be tested.
 */
import { strict as assert } from "assert";
import { DecisionTreeClassifier, DecisionTreeRegressor } from "../../lib/models/trees";
import { LinearRegression, LogisticRegression } from "../../lib/models/linear";
import type { Classifier, Regressor } from "../../lib/models/estimator";
import { getScorer } from "../../lib/evaluate/scoring";
import type { Scorer } from "../../lib/evaluate/scoring";
import { SeededRandom } from "../../lib/random";
import { permutationImportance } from "../../lib/validate";
import { scorePredictions } from "../../lib/validate/common";
import type { Value } from "../../lib/validate/common";
import { fastLeaveOneOut } from "../../lib/validate/importance-influence";
import { binomialAllowance, iidSplit, noise, realTable, rowsOf, splitRows, withColumn } from "./real-tables";

const ALPHA = 0.05;
const BOOTSTRAP = 400;

/** Per metric: how often the noise column was called used; per model and metric: how often its top feature was. */
interface Counts {
  alarms: Record<string, { alarms: number; runs: number }>;
  found: Record<string, { found: number; runs: number }>;
}

/**
 * Runs permutationImportance on the noise column and on `top` alone for each metric and counts the verdicts; every
 * p-value must be a number and every resample scored (no metric may silently skip or fall back).
 */
function count(
  counts: Counts,
  model: Classifier | Regressor,
  top: string,
  X: ReturnType<typeof rowsOf>,
  y: number[],
  seed: number,
  metrics: readonly (string | Scorer)[],
): void {
  for (const metric of metrics) {
    const name = typeof metric === "string" ? metric : `${metric.name} (posLabel ${String(metric.posLabel)})`;
    const a = (counts.alarms[name] ??= { alarms: 0, runs: 0 });
    const f = (counts.found[`${model.name} ${name}`] ??= { found: 0, runs: 0 });
    const options = { seed, metric, bootstrap: BOOTSTRAP };
    const onNoise = permutationImportance(model, X, y, { ...options, features: ["noise"] });
    const onTop = permutationImportance(model, X, y, { ...options, features: [top] });
    for (const r of [onNoise, onTop]) {
      assert.equal(r.metric, typeof metric === "string" ? metric : metric.name);
      assert.equal(r.resamples, BOOTSTRAP, `${name}, split ${seed}: ${r.toString()}`);
      assert.ok(Number.isFinite(r.features[0].pValue), `${name}, split ${seed}: p = ${r.features[0].pValue}`);
    }
    a.runs++;
    f.runs++;
    if (onNoise.features[0].used) a.alarms++;
    if (onTop.features[0].used) f.found++;
  }
}

/** The feature a tree splits on most (impurity importance), the noise column aside. */
function treeTop(model: DecisionTreeClassifier | DecisionTreeRegressor, columns: readonly string[]): string {
  const weights = model.featureImportances();
  let best = 0;
  weights.forEach((w, j) => {
    if (columns[j] !== "noise" && w > weights[best]) best = j;
  });
  return columns[best];
}

/**
 * Asserts every metric's false alarms are within the binomial allowance, and that each model's top feature was found
 * in at least the share `minFound[model name]` of the splits under every metric.
 */
function check(counts: Counts, minFound: Record<string, number>): void {
  const shown = JSON.stringify(counts);
  for (const [metric, c] of Object.entries(counts.alarms)) {
    const allowed = binomialAllowance(c.runs, ALPHA);
    assert.ok(
      c.alarms <= allowed,
      `${metric}: noise called used in ${c.alarms} of ${c.runs} (allowed ${allowed}) ${shown}`,
    );
  }
  for (const [key, c] of Object.entries(counts.found)) {
    const share = minFound[key.split(" ")[0]];
    assert.ok(c.found >= share * c.runs, `${key}: top feature found in ${c.found} of ${c.runs} ${shown}`);
  }
}

describe("permutationImportance is calibrated under every metric, not just the defaults (lib/validate/importance)", function () {
  this.timeout(600000);

  it(`calls a pure-noise column "used" on at most α = ${ALPHA} of breast cancer splits under f1 (of either class), precision, recall, balanced accuracy, ROC AUC and log loss, and finds the feature the model relies on`, async () => {
    const t = realTable("breast_cancer");
    const counts: Counts = { alarms: {}, found: {} };
    for (let seed = 0; seed < 40; seed++) {
      const X = withColumn(t.X, "noise", noise(t.X.rows, seed));
      const { Xtrain, ytrain, Xrest, yrest } = splitRows(X, t.y, seed);
      // Malignant tumours are class 0: f1 of that class needs posLabel (labels {0, 1} imply 1).
      const metrics = [
        "f1",
        getScorer("f1", { posLabel: 0 }),
        "precision",
        "recall",
        "balanced_accuracy",
        "roc_auc",
        "log_loss",
      ];
      // Logistic regression leans on the tumour's size (worst area); the tree on its first split.
      const linear = await new LogisticRegression().fit(Xtrain, ytrain);
      count(counts, linear, "worst_area", Xrest, yrest, seed, metrics);
      const tree = await new DecisionTreeClassifier({ maxDepth: 6 }).fit(Xtrain, ytrain);
      count(counts, tree, treeTop(tree, X.columns as string[]), Xrest, yrest, seed, metrics);
    }
    check(counts, { LogisticRegression: 0.9, DecisionTreeClassifier: 0.75 });
  });

  it(`calls a pure-noise column "used" on at most α = ${ALPHA} of wine and iris splits under the multiclass metrics (f1_macro, f1_weighted, roc_auc_ovr, log_loss, balanced_accuracy)`, async () => {
    const alarms: Record<string, number> = {};
    let runs = 0;
    const metrics = ["f1_macro", "f1_weighted", "roc_auc_ovr", "log_loss", "balanced_accuracy"];
    for (const name of ["wine", "iris"] as const) {
      const t = realTable(name);
      for (let seed = 0; seed < 30; seed++) {
        const X = withColumn(t.X, "noise", noise(t.X.rows, seed));
        const { Xtrain, ytrain, Xrest, yrest } = splitRows(X, t.y, seed);
        for (const model of [
          await new LogisticRegression().fit(Xtrain, ytrain),
          await new DecisionTreeClassifier({ maxDepth: 6 }).fit(Xtrain, ytrain),
        ]) {
          runs++;
          for (const metric of metrics) {
            const result = permutationImportance(model, Xrest, yrest, {
              seed,
              metric,
              features: ["noise"],
              bootstrap: BOOTSTRAP,
            });
            assert.equal(result.resamples, BOOTSTRAP, result.toString());
            if (result.features[0].used) alarms[metric] = (alarms[metric] ?? 0) + 1;
          }
        }
      }
    }
    const allowed = binomialAllowance(runs, ALPHA);
    for (const metric of metrics) {
      const n = alarms[metric] ?? 0;
      assert.ok(
        n <= allowed,
        `${metric}: noise called used in ${n} of ${runs} (allowed ${allowed}) ${JSON.stringify(alarms)}`,
      );
    }
  });

  it(`calls a pure-noise column "used" on at most α = ${ALPHA} of diabetes splits under mae, rmse and mse, and finds s5 and the tree's first split`, async () => {
    const t = realTable("diabetes");
    const counts: Counts = { alarms: {}, found: {} };
    for (let seed = 0; seed < 40; seed++) {
      const X = withColumn(t.X, "noise", noise(t.X.rows, seed));
      const { Xtrain, ytrain, Xrest, yrest } = splitRows(X, t.y, seed);
      const metrics = ["mae", "rmse", "mse"];
      const linear = await new LinearRegression().fit(Xtrain, ytrain);
      count(counts, linear, "s5", Xrest, yrest, seed, metrics);
      const tree = await new DecisionTreeRegressor({ maxDepth: 4 }).fit(Xtrain, ytrain);
      count(counts, tree, treeTop(tree, X.columns as string[]), Xrest, yrest, seed, metrics);
    }
    check(counts, { LinearRegression: 0.9, DecisionTreeRegressor: 0.75 });
  });

  it(`warns of a leak on at most α = ${ALPHA} of samples when two features carry exactly half each, under f1, balanced accuracy, ROC AUC and log loss`, async () => {
    // Real values: diabetes's bmi and the bmi of another row, identically distributed and independent; the label is
    // drawn from a logistic function of their sum, and the model is fitted on every pair and its swap, so its two
    // coefficients are equal and each feature's true share is 1/2 by symmetry.
    const t = realTable("diabetes");
    const j = (t.X.columns as string[]).indexOf("bmi");
    const bmi = Array.from({ length: t.X.rows }, (_, i) => t.X.data[i * t.X.cols + j]);
    const mean = bmi.reduce((a, b) => a + b, 0) / bmi.length;
    const sd = Math.sqrt(bmi.reduce((a, b) => a + (b - mean) ** 2, 0) / bmi.length);
    const draw = (rng: SeededRandom): [number[], number] => {
      const x = [bmi[rng.int(bmi.length)], bmi[rng.int(bmi.length)]];
      return [x, rng.next() < 1 / (1 + Math.exp((-3 * (x[0] + x[1] - 2 * mean)) / sd)) ? 1 : 0];
    };
    const train = new SeededRandom(99, 1);
    const [Xtrain, ytrain]: [number[][], number[]] = [[], []];
    for (let k = 0; k < 2000; k++) {
      const [x, label] = draw(train);
      Xtrain.push(x, [x[1], x[0]]);
      ytrain.push(label, label);
    }
    const model = await new LogisticRegression().fit(Xtrain, ytrain);
    assert.equal(model.coef[0][0], model.coef[0][1]);
    const metrics = ["f1", "balanced_accuracy", "roc_auc", "log_loss"];
    const warnings: Record<string, number> = {};
    const runs = 200;
    for (let seed = 0; seed < runs; seed++) {
      const rng = new SeededRandom(seed, 21);
      const sample = Array.from({ length: 133 }, () => draw(rng));
      const [X, y] = [sample.map((r) => r[0]), sample.map((r) => r[1])];
      for (const metric of metrics) {
        const result = permutationImportance(model, X, y, { seed, metric, dominance: 0.5, bootstrap: BOOTSTRAP });
        if (result.verdict === "warn") warnings[metric] = (warnings[metric] ?? 0) + 1;
      }
    }
    const allowed = binomialAllowance(runs, ALPHA);
    for (const metric of metrics) {
      const n = warnings[metric] ?? 0;
      assert.ok(n <= allowed, `${metric}: ${n} leak warnings in ${runs} samples at the boundary (allowed ${allowed})`);
    }
  });

  it("never warns of a leak on a feature not shown to be used: a noise column beside a constant one (whose drop is exactly 0)", async () => {
    // The noise column's share of the total is 100% whenever its drop is positive: alone, the share test would warn
    // in half the splits.
    const t = realTable("breast_cancer");
    const warnings: Record<string, number> = {};
    const metrics = ["log_loss", "roc_auc", "accuracy"];
    const runs = 30;
    for (let seed = 0; seed < runs; seed++) {
      const X = withColumn(withColumn(t.X, "noise", noise(t.X.rows, seed)), "constant", new Float64Array(t.X.rows));
      const { Xtrain, ytrain, Xrest, yrest } = splitRows(X, t.y, seed);
      const model = await new LogisticRegression().fit(Xtrain, ytrain);
      for (const metric of metrics) {
        const result = permutationImportance(model, Xrest, yrest, {
          seed,
          metric,
          features: ["noise", "constant"],
          bootstrap: BOOTSTRAP,
        });
        for (const f of result.features) assert.ok(f.leakPValue >= f.pValue, JSON.stringify(f));
        if (result.verdict === "warn") warnings[metric] = (warnings[metric] ?? 0) + 1;
      }
    }
    const allowed = binomialAllowance(runs, ALPHA);
    for (const metric of metrics) {
      const n = warnings[metric] ?? 0;
      assert.ok(
        n <= allowed,
        `${metric}: ${n} leak warnings in ${runs} splits (allowed ${allowed}): ${JSON.stringify(warnings)}`,
      );
    }
  });

  it("finds a planted leak (a copy of wine's class among the features) under f1_macro, roc_auc_ovr and log_loss", async () => {
    const t = realTable("wine");
    const X = withColumn(t.X, "leak", t.y);
    const found: Record<string, number> = {};
    const metrics = ["f1_macro", "roc_auc_ovr", "log_loss"];
    for (let seed = 0; seed < 10; seed++) {
      const { Xtrain, ytrain, Xrest, yrest } = splitRows(X, t.y, seed);
      const model = await new DecisionTreeClassifier({ maxDepth: 4 }).fit(Xtrain, ytrain);
      for (const metric of metrics) {
        const result = permutationImportance(model, Xrest, yrest, { seed, metric, bootstrap: BOOTSTRAP });
        if (result.verdict === "warn" && result.features[0].feature === "leak")
          found[metric] = (found[metric] ?? 0) + 1;
      }
    }
    for (const metric of metrics) assert.ok((found[metric] ?? 0) >= 9, `${metric}: ${JSON.stringify(found)} of 10`);
  });

  it("the leave-one-out shortcuts (log loss, ROC AUC, average precision) give the scorer's own value without each row", async () => {
    for (const name of ["breast_cancer", "wine"] as const) {
      const t = realTable(name);
      const s = iidSplit(t.X.rows, 1);
      for (const model of [new LogisticRegression(), new DecisionTreeClassifier({ maxDepth: 3 })]) {
        await model.fit(
          rowsOf(t.X, s.train),
          s.train.map((i) => t.y[i]),
        );
        const X = rowsOf(t.X, s.test);
        const y = s.test.map((i) => t.y[i]);
        const p = { pred: model.predict(X), proba: model.predictProba(X) };
        for (const metric of ["log_loss", "roc_auc", "roc_auc_ovr", "average_precision"]) {
          const scorer = getScorer(metric);
          const score = (a: Value[], b: Value[], c: number[][] | undefined): number =>
            scorePredictions(scorer, model, a, b, c);
          const shortcut = fastLeaveOneOut(metric, y, p, model.classes);
          assert.ok(shortcut, `${name} ${model.name} ${metric}: no shortcut`);
          const without = <T>(a: readonly T[], k: number): T[] => a.filter((_, i) => i !== k);
          shortcut.forEach((v, k) => {
            const scored = score(without(y, k), without(p.pred, k), without(p.proba, k));
            assert.ok(
              Math.abs(v - scored) < 1e-9,
              `${name} ${model.name} ${metric} without row ${k}: ${v} vs ${scored}`,
            );
          });
        }
      }
    }
  });

  it("says nothing can be tested when the metric is undefined without one of the rows (ROC AUC with one malignant tumour)", async () => {
    const t = realTable("breast_cancer");
    const { Xtrain, ytrain, rest } = splitRows(t.X, t.y, 0);
    const model = await new LogisticRegression().fit(Xtrain, ytrain);
    // 39 benign tumours (target 1) and one malignant (target 0): ROC AUC needs both classes.
    const rows = [...rest.filter((i) => t.y[i] === 1).slice(0, 39), rest.find((i) => t.y[i] === 0) as number];
    const [X, y] = [rowsOf(t.X, rows), rows.map((i) => t.y[i])];
    const options = { seed: 0, bootstrap: BOOTSTRAP, features: ["worst_area", "mean_perimeter"] };
    const auc = permutationImportance(model, X, y, { ...options, metric: "roc_auc" });
    assert.equal(auc.verdict, "untested", auc.toString());
    assert.equal(auc.resamples, 0);
    assert.match(auc.reasons.join(" "), /roc_auc is undefined on these rows or on the rows without one of them/);
    assert.ok(auc.features.every((f) => !f.used && f.pValue === 1 && f.leakPValue === 1));
    // Log loss is defined on every subset (the model's classes are known): it is tested.
    const loss = permutationImportance(model, X, y, { ...options, metric: "log_loss" });
    assert.equal(loss.resamples, BOOTSTRAP, loss.toString());
    assert.ok(loss.features.every((f) => Number.isFinite(f.pValue)));
  });
});
