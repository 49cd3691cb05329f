/**
 * What lib/models' classical estimators learn, on real tables: classifiers reach accuracy >= 0.9 on held-out iris and
 * penguins, regressors R² >= 0.6 on held-out cars, clusterers find the iris species, trees and ensembles give feature
 * importances, and tables, tensors, arrays and typed rows give the same model.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import {
  AgglomerativeClustering,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  HasFeatureImportances,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  KMeans,
  LinearRegression,
  LogisticRegression,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
} from "../../lib/models";
import { SeededRandom } from "../../lib/models/random";
import { IRIS_FEATURES, cars, classifiers, iris, penguins, purity, regressors, split } from "./classical-fixtures";

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
});
