import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as aq from "arquero";
import { loadDataset } from "../../lib/datasets";
import { Matrix, takeRows, toMatrix } from "../../lib/data/matrix";
import { DISPLAY } from "../../lib/display";
import {
  AgglomerativeClustering,
  Classifier,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  Estimator,
  GaussianNB,
  HasFeatureImportances,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  KMeans,
  LinearRegression,
  LogisticRegression,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
  SVC,
  Clusterer,
  loadModel,
  recommend,
  RECOMMEND_TASKS,
  mlp,
} from "../../lib/models";
import { SeededRandom } from "../../lib/models/random";
import { histWorkerTestHooks, shouldStop } from "../../lib/models/boosting";

const IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

function split<T>(
  m: Matrix,
  y: T[],
  seed: number,
  testFraction = 0.3,
): { Xtr: Matrix; ytr: T[]; Xte: Matrix; yte: T[] } {
  const rng = new SeededRandom(seed);
  const order = Array.from({ length: m.rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.round(m.rows * testFraction);
  const te = order.slice(0, nTest);
  const tr = order.slice(nTest);
  return { Xtr: takeRows(m, tr), ytr: tr.map((i) => y[i]), Xte: takeRows(m, te), yte: te.map((i) => y[i]) };
}

function iris(): { X: Matrix; y: string[]; table: aq.ColumnTable } {
  const table = loadDataset("iris");
  return { X: toMatrix(table, IRIS_FEATURES), y: table.array("species") as string[], table };
}

function penguins(): { X: Matrix; y: string[] } {
  const features = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"];
  const table = loadDataset("penguins").filter(
    aq.escape((d: Record<string, unknown>) => features.every((f) => d[f] !== null) && d.species !== null),
  );
  return { X: toMatrix(table, features), y: table.array("species") as string[] };
}

/** cars: mpg from the numeric columns plus one-hot origin; rows with a missing value dropped. */
function cars(): { X: Matrix; y: number[] } {
  const numeric = ["cylinders", "displacement", "horsepower", "weight_in_lbs", "acceleration", "year"];
  const raw = loadDataset("cars");
  const table = raw
    .filter(
      aq.escape((d: Record<string, unknown>) => d.miles_per_gallon !== null && numeric.every((c) => d[c] !== null)),
    )
    .derive({
      origin_usa: "d => d.origin === 'USA' ? 1 : 0",
      origin_europe: "d => d.origin === 'Europe' ? 1 : 0",
      origin_japan: "d => d.origin === 'Japan' ? 1 : 0",
    });
  return {
    X: toMatrix(table, [...numeric, "origin_usa", "origin_europe", "origin_japan"]),
    y: table.array("miles_per_gallon") as number[],
  };
}

function purity(labels: number[], truth: string[]): number {
  const byCluster = new Map<number, Map<string, number>>();
  labels.forEach((c, i) => {
    const counts = byCluster.get(c) ?? new Map<string, number>();
    counts.set(truth[i], (counts.get(truth[i]) ?? 0) + 1);
    byCluster.set(c, counts);
  });
  let total = 0;
  for (const counts of byCluster.values()) total += Math.max(...counts.values());
  return total / labels.length;
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-models-"));
}

const classifiers: [string, () => Classifier][] = [
  ["LogisticRegression", () => new LogisticRegression()],
  ["SVC", () => new SVC()],
  ["DecisionTreeClassifier", () => new DecisionTreeClassifier({ maxDepth: 5 })],
  ["RandomForestClassifier", () => new RandomForestClassifier({ nEstimators: 50 })],
  ["RandomForestClassifier (2 workers)", () => new RandomForestClassifier({ nEstimators: 50, nJobs: 2 })],
  ["HistGradientBoostingClassifier", () => new HistGradientBoostingClassifier({ maxIter: 50, minSamplesLeaf: 5 })],
  ["GaussianNB", () => new GaussianNB()],
];

const regressors: [string, () => Estimator][] = [
  ["LinearRegression", () => new LinearRegression()],
  ["Ridge", () => new Ridge({ alpha: 1 })],
  ["DecisionTreeRegressor", () => new DecisionTreeRegressor({ maxDepth: 6, minSamplesLeaf: 3 })],
  ["RandomForestRegressor", () => new RandomForestRegressor({ nEstimators: 50 })],
  ["HistGradientBoostingRegressor", () => new HistGradientBoostingRegressor({ maxIter: 100, minSamplesLeaf: 10 })],
];

describe("classical models (lib/models)", function () {
  this.timeout(60000);

  describe("classifiers reach accuracy >= 0.9 on held-out iris and penguins", () => {
    const data = { iris: iris(), penguins: penguins() };
    for (const [name, make] of classifiers) {
      for (const dataset of ["iris", "penguins"] as const) {
        it(`${name} on ${dataset}`, async () => {
          const { X, y } = data[dataset];
          const { Xtr, ytr, Xte, yte } = split(X, y, 7);
          const model = make();
          assert.equal(model.fitted, false);
          await model.fit(Xtr, ytr, { seed: 3 });
          assert.equal(model.fitted, true);
          const acc = model.score(Xte, yte);
          assert.ok(acc >= 0.9, `${name} accuracy ${acc} on ${dataset}`);
          assert.deepEqual([...model.classes], [...new Set(y)].sort());
          const proba = model.predictProba(Xte);
          assert.equal(proba.length, Xte.rows);
          for (const row of proba) {
            assert.equal(row.length, model.classes.length);
            assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
          }
        });
      }
    }

    it("binary logistic regression with an intercept and L2 (penguins: Adelie vs the rest)", async () => {
      const { X, y } = penguins();
      const yb = y.map((s) => (s === "Adelie" ? 1 : 0));
      const { Xtr, ytr, Xte, yte } = split(X, yb, 1);
      const strong = await new LogisticRegression({ C: 0.001 }).fit(Xtr, ytr);
      const weak = await new LogisticRegression({ C: 100 }).fit(Xtr, ytr);
      assert.ok(weak.score(Xte, yte) >= 0.95);
      assert.equal(weak.coef.length, 1);
      const norm = (c: number[][]) =>
        Math.hypot(
          ...c[0].map(
            (v, j) => v * Math.sqrt(X.data.filter((_, q) => q % X.cols === j).reduce((a, b) => a + b * b, 0)),
          ),
        );
      assert.ok(norm(strong.coef) < norm(weak.coef), "L2 shrinks the coefficients");
      assert.ok(Number.isFinite(weak.intercept[0]) && weak.intercept[0] !== 0);
      assert.equal(weak.decisionFunction(Xte).length, Xte.rows);
    });
  });

  describe("regressors reach R² >= 0.6 on held-out cars (mpg)", () => {
    const { X, y } = cars();
    for (const [name, make] of regressors) {
      it(name, async () => {
        const { Xtr, ytr, Xte, yte } = split(X, y, 11);
        const model = make();
        await model.fit(Xtr, ytr, { seed: 2 });
        const r2 = model.score(Xte, yte);
        assert.ok(r2 >= 0.6, `${name} R² ${r2}`);
        const pred = model.predict(Xte);
        assert.equal(pred.length, Xte.rows);
        assert.ok(pred.every((v) => typeof v === "number" && Number.isFinite(v)));
      });
    }

    it("ridge shrinks towards the mean as alpha grows; linear regression matches ridge at alpha 0", async () => {
      const lin = await new LinearRegression().fit(X, y);
      const r0 = await new Ridge({ alpha: 0 }).fit(X, y);
      lin.coef.forEach((c, j) => assert.ok(Math.abs(c - r0.coef[j]) < 1e-6 * Math.max(1, Math.abs(c))));
      const big = await new Ridge({ alpha: 1e9 }).fit(X, y);
      assert.ok(Math.hypot(...big.coef) < Math.hypot(...lin.coef));
    });
  });

  describe("clustering", () => {
    it("k-means (k-means++, seeded) finds the iris species with purity >= 0.8", async () => {
      const { X, y } = iris();
      const km = new KMeans({ nClusters: 3 });
      const labels = await km.fitPredict(X, { seed: 5 });
      assert.ok(purity(labels, y) >= 0.8, `purity ${purity(labels, y)}`);
      assert.deepEqual(km.predict(X), labels);
      const dist = km.transform(X);
      assert.equal(dist[0].length, 3);
      assert.ok(Math.abs(-km.score(X) - km.inertia) < 1e-6 * km.inertia);
      const again = await new KMeans({ nClusters: 3 }).fitPredict(X, { seed: 5 });
      assert.deepEqual(again, labels);
    });

    for (const linkage of ["ward", "average", "complete"] as const) {
      it(`agglomerative clustering (${linkage}) on iris`, async () => {
        const { X, y } = iris();
        const model = new AgglomerativeClustering({ nClusters: 3, linkage });
        const labels = await model.fitPredict(X);
        assert.equal(new Set(labels).size, 3);
        assert.equal(model.merges.length, X.rows - 1);
        for (let t = 1; t < model.merges.length; t++) assert.ok(model.merges[t][2] >= model.merges[t - 1][2]);
        assert.ok(purity(labels, y) >= (linkage === "ward" ? 0.8 : 0.6), `purity ${purity(labels, y)}`);
        assert.deepEqual(model.predict(X).length, X.rows);
      });
    }

    it("agglomerative clustering separates two far-apart blobs exactly", async () => {
      const rng = new SeededRandom(1);
      const rows: number[][] = [];
      for (let i = 0; i < 40; i++) rows.push([rng.normal() + (i < 20 ? 0 : 20), rng.normal()]);
      const labels = await new AgglomerativeClustering({ nClusters: 2, linkage: "average" }).fitPredict(rows);
      assert.deepEqual(
        labels,
        rows.map((_, i) => (i < 20 ? labels[0] : labels[20])),
      );
      assert.notEqual(labels[0], labels[20]);
    });
  });

  describe("feature importances of trees and ensembles", () => {
    const { X, y } = iris();
    for (const make of [
      () => new DecisionTreeClassifier(),
      () => new RandomForestClassifier({ nEstimators: 30 }),
      () => new HistGradientBoostingClassifier({ maxIter: 20, minSamplesLeaf: 5 }),
    ]) {
      it(`${make().name}: non-negative, sum to 1, petal features dominate`, async () => {
        const model = make();
        await model.fit(X, y, { seed: 1 });
        const imp = (model as unknown as HasFeatureImportances).featureImportances();
        assert.equal(imp.length, 4);
        assert.ok(imp.every((v) => v >= 0));
        assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-9);
        assert.ok(imp[2] + imp[3] > imp[0] + imp[1], `importances ${imp}`);
      });
    }
    it("regressors too (cars)", async () => {
      const c = cars();
      for (const model of [
        new DecisionTreeRegressor({ maxDepth: 4 }),
        new RandomForestRegressor({ nEstimators: 20 }),
        new HistGradientBoostingRegressor({ maxIter: 20 }),
      ]) {
        await model.fit(c.X, c.y);
        const imp = model.featureImportances();
        assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      }
    });
    it("a single unlimited tree fits its training data exactly", async () => {
      const tree = await new DecisionTreeClassifier().fit(X, y);
      assert.ok(tree.score(X, y) >= 0.99);
    });
  });

  describe("inputs: tables, tensors, nested arrays and typed rows give the same model", () => {
    it("LogisticRegression from a table, a Matrix, a tensor and arrays", async () => {
      const { X, y, table } = iris();
      const features = table.select(IRIS_FEATURES);
      const fromTable = await new LogisticRegression().fit(features, y);
      const fromMatrix = await new LogisticRegression().fit(X, y);
      const tensor = tf.tensor2d(Array.from(X.data), [X.rows, X.cols]);
      const fromTensor = await new LogisticRegression().fit(
        tensor,
        tf.tensor1d(
          y.map((s) => ["setosa", "versicolor", "virginica"].indexOf(s)),
          "int32",
        ),
      );
      tensor.dispose();
      const rows = Array.from({ length: X.rows }, (_, i) => Array.from(X.data.subarray(i * 4, i * 4 + 4)));
      const fromArrays = await new LogisticRegression().fit(rows, y);
      const typedRows = rows.map((r) => Float64Array.from(r));
      const fromTyped = await new LogisticRegression().fit(typedRows, y);
      assert.deepEqual(fromTable.predict(features), fromMatrix.predict(X));
      assert.deepEqual(fromArrays.predict(rows), fromMatrix.predict(X));
      assert.deepEqual(fromTyped.predict(typedRows), fromMatrix.predict(X));
      assert.deepEqual(fromTensor.classes, [0, 1, 2]);
      assert.ok(
        fromTensor.score(
          X,
          y.map((s) => ["setosa", "versicolor", "virginica"].indexOf(s)),
        ) > 0.95,
      );
      // A wider table is read by the training column names.
      assert.deepEqual(fromTable.predict(table), fromMatrix.predict(X));
    });
  });

  describe("save and load round trips (atomic, any model through loadModel)", () => {
    const { X, y } = iris();
    const c = cars();
    const all: [string, () => Estimator, "iris" | "cars" | "cluster"][] = [
      ...classifiers.map(([n, m]) => [n, m, "iris"] as [string, () => Estimator, "iris"]),
      ...regressors.map(([n, m]) => [n, m, "cars"] as [string, () => Estimator, "cars"]),
      ["KMeans", () => new KMeans({ nClusters: 3 }), "cluster"],
      ["AgglomerativeClustering", () => new AgglomerativeClustering({ nClusters: 3 }), "cluster"],
    ];
    for (const [name, make, data] of all) {
      it(name, async () => {
        const model = make();
        const [Xd, yd] = data === "cars" ? [c.X, c.y] : [X, data === "iris" ? y : undefined];
        await model.fit(Xd, yd, { seed: 4 });
        const dir = path.join(tmpDir(), "model");
        await model.save(dir);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["model.json", "weights.bin"]);
        assert.deepEqual(fs.readdirSync(path.dirname(dir)), ["model"], "no temporary directory is left behind");
        const loaded = await loadModel(dir);
        assert.equal(loaded.name, model.name);
        assert.equal(loaded.fitted, true);
        assert.deepEqual(loaded.getParams(), model.getParams());
        assert.deepEqual(loaded.predict(Xd), model.predict(Xd));
        if (loaded.kind === "classifier") {
          // libsvm's model file keeps 6 significant digits of its probability calibration; the others are exact.
          const tolerance = name === "SVC" ? 1e-4 : 0;
          const before = (model as Classifier).predictProba(Xd);
          (loaded as Classifier)
            .predictProba(Xd)
            .forEach((row, i) =>
              row.forEach((p, k) => assert.ok(Math.abs(p - before[i][k]) <= tolerance, `${name} row ${i}`)),
            );
        }
        if (loaded.kind === "clusterer")
          assert.deepEqual((loaded as Clusterer).transform(Xd), (model as Clusterer).transform(Xd));
        // Saving again over an existing directory replaces it.
        await model.save(dir);
        assert.deepEqual((await loadModel(dir)).predict(Xd), model.predict(Xd));
      });
    }

    it("loadModel also restores a neural network (lib/models/nn) saved with save(dir)", async () => {
      const net = mlp({ hiddenUnits: [8], epochs: 2 });
      await net.fit(X, y, { seed: 1 });
      const dir = path.join(tmpDir(), "net");
      await net.save(dir);
      const loaded = await loadModel(dir);
      assert.equal(loaded.kind, "classifier");
      assert.deepEqual(loaded.predict(X), net.predict(X));
    });

    it("loadModel explains a directory that is not a saved model", async () => {
      const dir = tmpDir();
      await assert.rejects(loadModel(path.join(dir, "missing")), /does not exist/);
      fs.writeFileSync(path.join(dir, "model.json"), "{ not json");
      await assert.rejects(loadModel(dir), /not valid JSON/);
      fs.writeFileSync(
        path.join(dir, "model.json"),
        JSON.stringify({ format: "trainlab-model", name: "NoSuchModel", params: {}, state: {} }),
      );
      await assert.rejects(loadModel(dir), /Unknown model "NoSuchModel"/);
    });
  });

  describe("reproducibility", () => {
    const { X, y } = iris();
    it("the same seed gives the same forest, whatever the number of worker threads", async () => {
      const a = await new RandomForestClassifier({ nEstimators: 20 }).fit(X, y, { seed: 9 });
      const b = await new RandomForestClassifier({ nEstimators: 20, nJobs: 2 }).fit(X, y, { seed: 9 });
      assert.deepEqual(a.predictProba(X), b.predictProba(X));
      const c = await new RandomForestClassifier({ nEstimators: 20 }).fit(X, y, { seed: 10 });
      assert.notDeepEqual(a.predictProba(X), c.predictProba(X));
    });
    it("boosting gives the same model on one thread and with the histogram worker thread", async () => {
      const rng = new SeededRandom(3);
      const rows: number[][] = [];
      const labels: number[] = [];
      for (let i = 0; i < 6000; i++) {
        const row = Array.from({ length: 20 }, () => rng.normal());
        rows.push(row);
        labels.push(row[0] + row[1] * row[2] + 0.3 * rng.normal() > 0 ? 1 : 0);
      }
      const one = await new HistGradientBoostingClassifier({ maxIter: 15, earlyStopping: false, nJobs: 1 }).fit(
        rows,
        labels,
      );
      const two = await new HistGradientBoostingClassifier({ maxIter: 15, earlyStopping: false, nJobs: 2 }).fit(
        rows,
        labels,
      );
      assert.deepEqual(two.predictProba(rows), one.predictProba(rows));
      assert.ok(one.score(rows, labels) > 0.85);
    });

    it("boosting with early stopping (random validation split) is reproducible with a seed", async () => {
      const cc = cars();
      const p = { earlyStopping: true, maxIter: 200, minSamplesLeaf: 5 } as const;
      const a = await new HistGradientBoostingRegressor(p).fit(cc.X, cc.y, { seed: 1 });
      const b = await new HistGradientBoostingRegressor(p).fit(cc.X, cc.y, { seed: 1 });
      assert.deepEqual(a.predict(cc.X), b.predict(cc.X));
      assert.ok(a.nIter < 200, "early stopping stopped before maxIter");
      assert.equal(a.history.validationLoss.length, a.nIter);
    });
  });

  describe("boosting's histogram worker (nJobs > 1) fails loudly, never hangs", () => {
    // 6,000 rows × 20 features: large enough (120,000 cells) for the worker thread to take half of each big node.
    const rng = new SeededRandom(5);
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 6000; i++) {
      const row = Array.from({ length: 20 }, () => rng.normal());
      rows.push(row);
      labels.push(row[0] + row[1] * row[2] > 0 ? 1 : 0);
    }
    afterEach(() => {
      histWorkerTestHooks.fault = null;
    });
    it("an error thrown in the worker is rethrown by fit with its message", async () => {
      histWorkerTestHooks.fault = "throw";
      await assert.rejects(
        new HistGradientBoostingClassifier({ maxIter: 200, earlyStopping: false, nJobs: 2 }).fit(rows, labels),
        /histogram worker thread \(nJobs > 1\) failed: injected test failure in the histogram worker/,
      );
    });
    it("a worker thread that dies mid-job makes fit throw instead of waiting forever", async () => {
      histWorkerTestHooks.fault = "exit";
      await assert.rejects(
        new HistGradientBoostingRegressor({ maxIter: 200, earlyStopping: false, nJobs: 2 }).fit(rows, labels),
        /histogram worker thread \(nJobs > 1\) failed: (its thread exited|it exited with code 3)/,
      );
    });
    it("after a failure the next fit with a healthy worker works and matches one thread", async () => {
      const two = await new HistGradientBoostingClassifier({ maxIter: 20, earlyStopping: false, nJobs: 2 }).fit(
        rows,
        labels,
      );
      const one = await new HistGradientBoostingClassifier({ maxIter: 20, earlyStopping: false, nJobs: 1 }).fit(
        rows,
        labels,
      );
      assert.deepEqual(two.predictProba(rows), one.predictProba(rows));
    });
  });

  describe("boosting's early-stopping rule is scikit-learn's _should_stop", () => {
    it("stops only when none of the last nIterNoChange scores beat the score before them by more than tol", () => {
      const rising = Array.from({ length: 30 }, (_, i) => -1 + i * 0.01);
      assert.equal(shouldStop(rising, 10, 1e-7), false, "still improving: keep going");
      assert.equal(shouldStop(rising.slice(0, 10), 10, 1e-7), false, "fewer than nIterNoChange + 1 scores: never stop");
      const flat = [...rising.slice(0, 5), ...Array.from({ length: 10 }, () => rising[4])];
      assert.equal(shouldStop(flat, 10, 1e-7), true, "ten rounds without improvement: stop");
      assert.equal(
        shouldStop([...flat.slice(0, -1), rising[4] + 1e-3], 10, 1e-7),
        false,
        "the last round improved: keep going",
      );
      assert.equal(
        shouldStop([...flat.slice(0, -1), rising[4] + 1e-8], 10, 1e-7),
        true,
        "an improvement within tol does not count",
      );
    });
    it("a small early-stopped fit runs while the validation loss falls", async () => {
      const cc = cars();
      const model = await new HistGradientBoostingRegressor({
        earlyStopping: true,
        maxIter: 300,
        minSamplesLeaf: 5,
      }).fit(cc.X, cc.y, { seed: 1 });
      const v = model.history.validationLoss;
      assert.ok(model.nIter > 10, `ran ${model.nIter} rounds`);
      if (model.nIter < 300)
        assert.ok(
          Math.min(...v.slice(-10)) > Math.min(...v.slice(0, -10)) - 1e-7,
          "stopped only after 10 rounds without improvement",
        );
    });
  });

  describe("parameters are plain data", () => {
    it("getParams / withParams give an unfitted copy and reject unknown names", async () => {
      const { X, y } = iris();
      const rf = await new RandomForestClassifier({ nEstimators: 5 }).fit(X, y);
      const copy = rf.withParams({ maxDepth: 3 });
      assert.equal(copy.fitted, false);
      assert.equal(copy.getParams().maxDepth, 3);
      assert.equal(copy.getParams().nEstimators, 5);
      assert.equal(rf.getParams().maxDepth, null);
      assert.deepEqual(JSON.parse(JSON.stringify(rf.getParams())), rf.getParams());
      assert.throws(() => new LogisticRegression({ alpha: 1 } as never), /Unknown parameter "alpha"/);
      assert.throws(() => new LogisticRegression({ C: -1 }), /C must be > 0/);
      assert.throws(() => new RandomForestClassifier({ nEstimators: 0 }), /nEstimators/);
      assert.throws(() => new KMeans({ nClusters: 0 }), /nClusters/);
      assert.throws(() => new SVC({ kernel: "cubic" as never }), /kernel/);
    });
  });

  describe("errors", () => {
    const { X, y } = iris();
    const every: (() => Estimator)[] = [
      ...classifiers.map(([, m]) => m),
      ...regressors.map(([, m]) => m),
      () => new KMeans({ nClusters: 3 }),
      () => new AgglomerativeClustering(),
    ];
    it("an unfitted model refuses predict, score, save (and predictProba/transform/featureImportances)", async () => {
      for (const make of every) {
        const model = make();
        assert.throws(() => model.predict(X), /not fitted yet/, model.name);
        assert.throws(() => model.score(X, y), /not fitted yet/, model.name);
        await assert.rejects(model.save(tmpDir()), /not fitted yet/, model.name);
        if (model.kind === "classifier") assert.throws(() => (model as Classifier).predictProba(X), /not fitted yet/);
        if (model.kind === "clusterer") assert.throws(() => (model as Clusterer).transform(X), /not fitted yet/);
      }
      assert.throws(() => new RandomForestClassifier().featureImportances(), /not fitted yet/);
    });
    it("NaN in X is named by row and column", async () => {
      const rows = [
        [1, 2],
        [3, NaN],
        [5, 6],
      ];
      for (const make of every) await assert.rejects(make().fit(rows, [0, 1, 0]), /Row 1.*column 1|row 1/i);
      const m: Matrix = { data: Float64Array.from([1, 2, 3, Infinity]), rows: 2, cols: 2 };
      await assert.rejects(new GaussianNB().fit(m, [0, 1]), /Row 1, column 1/);
    });
    it("a table with a missing value or a string column names the column", async () => {
      const t = aq.table({ a: [1, 2, null], b: [1, 2, 3] });
      await assert.rejects(new LinearRegression().fit(t, [1, 2, 3]), /Column "a", row 2: missing value/);
      const s = aq.table({ a: [1, 2, 3], b: ["x", "y", "z"] });
      await assert.rejects(new DecisionTreeClassifier().fit(s, [0, 1, 0]), /Column "b".*non-numeric/);
    });
    it("mismatched lengths, ragged rows, empty data and wrong feature counts", async () => {
      await assert.rejects(new LogisticRegression().fit(X, y.slice(1)), /150 rows but y has 149/);
      await assert.rejects(new Ridge().fit([[1, 2], [3]], [1, 2]), /row 1 has 1 values/i);
      await assert.rejects(new Ridge().fit([], []), /empty/);
      await assert.rejects(new LogisticRegression().fit(X), /y is missing/);
      const model = await new GaussianNB().fit(X, y);
      assert.throws(() => model.predict([[1, 2, 3]]), /3 features but the model was fitted on 4/);
      const tensor = tf.tensor3d([[[1]]]);
      await assert.rejects(new Ridge().fit(tensor as never, [1]), /2-D tensor/);
      tensor.dispose();
    });
    it("a classifier refuses a single class; labels must be present and of one type", async () => {
      for (const [, make] of classifiers)
        await assert.rejects(
          make().fit(
            X,
            y.map(() => "setosa"),
          ),
          /only one class \("setosa"\)/,
        );
      await assert.rejects(
        new LogisticRegression().fit([[1], [2], [3]], [0, null as never, 1]),
        /y\[1\] is null, a missing class label/,
      );
      await assert.rejects(
        new LogisticRegression().fit([[1], [2], [3]], [0, "a", 1] as never),
        /mixes numbers and strings/,
      );
    });
    it("a regressor refuses non-numeric targets; clusterers refuse fewer rows than clusters", async () => {
      await assert.rejects(new LinearRegression().fit([[1], [2]], ["a", "b"]), /target row 0 is "a"/);
      await assert.rejects(new HistGradientBoostingRegressor().fit([[1], [2]], [1, NaN]), /target row 1/);
      await assert.rejects(new KMeans({ nClusters: 5 }).fit([[1], [2]]), /2 samples cannot form 5 clusters/);
    });
    it("an interrupt during fit stops cleanly and keeps a usable model with the work done so far", async () => {
      const forestStop = new AbortController();
      setImmediate(() => forestStop.abort());
      const forest = await new RandomForestClassifier({ nEstimators: 500 }).fit(X, y, { signal: forestStop.signal });
      assert.ok(forest.trees.length >= 1 && forest.trees.length < 500, `${forest.trees.length} trees`);
      assert.ok(forest.score(X, y) > 0.9);
      const boostStop = new AbortController();
      setImmediate(() => boostStop.abort());
      const gb = await new HistGradientBoostingClassifier({ maxIter: 500, minSamplesLeaf: 5 }).fit(X, y, {
        signal: boostStop.signal,
      });
      assert.ok(gb.nIter >= 1 && gb.nIter < 500, `${gb.nIter} rounds`);
      assert.ok(gb.score(X, y) > 0.9);
    });

    it("a signal aborted before fit starts: the fit says it was interrupted before any tree or round", async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(
        new RandomForestClassifier().fit(X, y, { signal: controller.signal }),
        /interrupted before the first tree/,
      );
      const gb = new HistGradientBoostingClassifier({ maxIter: 50 });
      await assert.rejects(gb.fit(X, y, { signal: controller.signal }), /interrupted/);
    });
  });

  describe("recommend(task, dataShape)", () => {
    it("lists the step-3 candidates with reasoning and renders an HTML table", () => {
      const names = (task: (typeof RECOMMEND_TASKS)[number], rows = 5000, features = 20) =>
        recommend(task, { rows, features }).candidates.map((c) => c.trainlab);
      assert.ok(
        names("binary").some((n) => n.includes("LogisticRegression")) &&
          names("binary").some((n) => n.includes("SVC")) &&
          names("binary").some((n) => n.includes("DecisionTree")),
      );
      assert.ok(names("binary").some((n) => n.includes("GaussianNB")));
      assert.ok(
        names("multiclass").some((n) => n.includes("RandomForest")) &&
          names("multiclass").some((n) => n.includes("HistGradientBoosting")) &&
          names("multiclass").includes("mlp()"),
      );
      assert.ok(
        names("regression").some((n) => n.includes("LinearRegression")) &&
          names("regression").some((n) => n.includes("Ridge")) &&
          names("regression").some((n) => n.includes("HistGradientBoostingRegressor")),
      );
      assert.ok(names("images").includes("cnn()"));
      assert.ok(names("sequences").some((n) => n.startsWith("rnn(")) && names("sequences").includes("transformer()"));
      assert.ok(
        names("clustering").some((n) => n.includes("KMeans")) &&
          names("clustering").some((n) => n.includes("Agglomerative")),
      );
      const big = recommend("binary", { rows: 1_000_000, features: 20 });
      const svm = big.candidates.find((c) => c.trainlab.includes("SVC"));
      assert.equal(svm?.suitability, "poor");
      assert.equal(big.candidates[big.candidates.length - 1], svm, "poorly suited candidates come last");
      const bundle = recommend("regression", { rows: 392, features: 9 })[DISPLAY]();
      assert.match(String(bundle["text/html"]), /<table[\s\S]*<th[^>]*>Interpretability<\/th>[\s\S]*Ridge/);
      assert.match(String(bundle["text/plain"]), /Candidates for regression \(392 rows × 9 features\)/);
      for (const c of recommend("clustering", { rows: 100, features: 2 }).candidates)
        assert.equal(c.create().kind, "clusterer");
      assert.equal(recommend("binary", { rows: 100, features: 2 }).candidates[0].create().fitted, false);
      assert.throws(() => recommend("tabular" as never, { rows: 1, features: 1 }), /Unknown task "tabular"/);
      assert.throws(() => recommend("binary", { rows: 0, features: 1 }), /positive rows/);
    });
  });
});
