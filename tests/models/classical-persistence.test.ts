/**
 * lib/models' classical estimators over time and threads: save/load round trips (atomic, any model through
 * loadModel), seeded reproducibility whatever the worker threads, boosting's histogram worker failing loudly, and
 * boosting's early-stopping rule matching scikit-learn's _should_stop.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  AgglomerativeClustering,
  Classifier,
  Estimator,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  KMeans,
  RandomForestClassifier,
  Clusterer,
  loadModel,
  mlp,
} from "../../lib/models";
import { SeededRandom } from "../../lib/models/random";
import { histWorkerTestHooks, shouldStop } from "../../lib/models/boosting";
import { cars, classifiers, iris, regressors, tmpDir } from "./classical-fixtures";

describe("classical models (lib/models)", function () {
  this.timeout(60000);

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
});
