/**
 * The estimator check suite (scikit-learn's check_estimator) over every estimator the public entry exports, found by
 * discoverEstimators, so a new model is checked without editing this file. Real data: iris (classification),
 * diabetes (regression) from tests/fixtures/datasets, exported from scikit-learn.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as trainlab from "../../lib";
import { checkEstimator, discoverEstimators, DiscoveredEstimator } from "../../lib/models/check-estimator";
import type { Params } from "../../lib/models/estimator";

/** A committed fixture: numeric columns, last one `target`. */
function fixture(name: string): { X: number[][]; y: number[] } {
  const file = path.join(__dirname, "..", "..", "..", "tests", "fixtures", "datasets", `${name}.csv`);
  const lines = fs.readFileSync(file, "utf8").trim().split("\n").slice(1);
  const rows = lines.map((l) => l.split(",").map(Number));
  return { X: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
}

/** Every estimator trainlab exports today; the discovered list must hold at least these. */
const KNOWN = [
  "LogisticRegression",
  "LinearRegression",
  "Ridge",
  "DecisionTreeClassifier",
  "DecisionTreeRegressor",
  "RandomForestClassifier",
  "RandomForestRegressor",
  "HistGradientBoostingClassifier",
  "HistGradientBoostingRegressor",
  "SVC",
  "GaussianNB",
  "KMeans",
  "AgglomerativeClustering",
  "MajorityClassifier",
  "MeanRegressor",
  "MLPClassifier",
  "MLPRegressor",
  "CNNClassifier",
  "CNNRegressor",
  "RNNClassifier",
  "RNNRegressor",
  "TransformerClassifier",
  "TransformerRegressor",
];

/** Small settings so the suite stays light on a shared 2-core machine (the checks do not depend on model quality). */
function small(name: string, nFeatures: number): Params {
  const nn = { epochs: 2, batchSize: 64 };
  if (name.startsWith("RandomForest")) return { nEstimators: 8 };
  if (name.startsWith("HistGradientBoosting")) return { maxIter: 10 };
  if (name.startsWith("MLP")) return { ...nn, hiddenUnits: [8] };
  if (name.startsWith("CNN")) return { ...nn, imageShape: [nFeatures, 1, 1], filters: [4], kernelSize: 1, poolSize: 1 };
  if (name.startsWith("RNN")) return { ...nn, units: 4 };
  if (name.startsWith("Transformer")) return { ...nn, dModel: 8, numHeads: 2, ffDim: 8 };
  if (name === "KMeans") return { nClusters: 3 };
  if (name === "AgglomerativeClustering") return { nClusters: 3 };
  return {};
}

const iris = fixture("iris");
const diabetes = fixture("diabetes");
const { estimators, unconstructible } = discoverEstimators(trainlab as unknown as Record<string, unknown>);

describe("checkEstimator over every estimator exported by lib/index.ts", function () {
  this.timeout(600000);

  it("discovers every known estimator from the public entry, and only the known bases need constructor arguments", () => {
    const names = estimators.map((e) => e.name);
    assert.ok(names.length >= KNOWN.length, `discovered ${names.length}: ${names.join(", ")}`);
    for (const k of KNOWN) assert.ok(names.includes(k), `${k} was not discovered (found ${names.join(", ")})`);
    assert.deepEqual(
      unconstructible.sort(),
      ["NeuralClassifier", "NeuralRegressor"],
      "a class with fit/predict that cannot be built with no arguments escapes the checks",
    );
  });

  for (const est of estimators) {
    it(`${est.name} (${est.exportName}) passes every check`, async () => {
      const data = est.kind === "regressor" ? diabetes : iris;
      const params = small(est.name, data.X[0].length);
      const make = (p: Params = {}) => est.make({ ...params, ...p });
      const results = await checkEstimator(make, { X: data.X, y: est.kind === "clusterer" ? undefined : data.y });
      const failed = results.filter((r) => r.status === "fail");
      assert.deepEqual(
        failed.map((r) => `${r.check}: ${r.detail}`),
        [],
        `${est.name} failed checks`,
      );
      const passed = results.filter((r) => r.status === "pass").map((r) => r.check);
      // The checks every kind must run (none may be silently skipped).
      for (const c of [
        "fit returns the model",
        "predict before fit throws NotFittedError",
        "the same seed gives the same model",
        "save → loadModel gives identical predictions",
        "no tfjs tensor leak (fit, predict, score, save, load, dispose)",
      ]) {
        assert.ok(passed.includes(c), `${est.name}: "${c}" did not run`);
      }
      if (est.kind !== "clusterer")
        for (const c of ["null in y gives ValidationError", "X/y length mismatch gives ValidationError"])
          assert.ok(passed.includes(c), c);
      if (est.kind === "classifier")
        for (const c of [
          "fractional labels give ValidationError suggesting a regressor",
          "a single class gives ValidationError",
        ])
          assert.ok(passed.includes(c), c);
    });
  }
});

export type { DiscoveredEstimator };
