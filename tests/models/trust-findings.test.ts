/**
 * Issue 12's silent wrong results in the estimators, one specification each (each failed before the fix):
 * finding 4 (corrupt weight files load and predict wrong), 5 (labels), 6 (saved baselines do not load),
 * 11 (seed policy), and SVC's run-to-run and save/load differences found by the check suite.
 * Real data: scikit-learn's iris and diabetes from tests/fixtures/datasets.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  DecisionTreeClassifier,
  Estimator,
  HistGradientBoostingClassifier,
  KMeans,
  LogisticRegression,
  MajorityClassifier,
  MeanRegressor,
  RandomForestClassifier,
  SVC,
  loadModel,
  mlp,
  accuracy,
} from "../../lib";

function fixture(name: string): { X: number[][]; y: number[] } {
  const file = path.join(__dirname, "..", "..", "..", "tests", "fixtures", "datasets", `${name}.csv`);
  const rows = fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",").map(Number));
  return { X: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
}

const iris = fixture("iris");
const diabetes = fixture("diabetes");
const quiet = { live: "none" as const };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-findings-"));

describe("issue 12 findings in the estimators (lib/models, lib/evaluate/baseline)", function () {
  this.timeout(300000);

  describe("finding 4: a saved model whose weights.bin is truncated, empty or missing is refused, naming the file", () => {
    const models: [string, () => Estimator][] = [
      ["DecisionTreeClassifier", () => new DecisionTreeClassifier()],
      ["RandomForestClassifier", () => new RandomForestClassifier({ nEstimators: 10 })],
      ["HistGradientBoostingClassifier", () => new HistGradientBoostingClassifier({ maxIter: 20 })],
      ["SVC", () => new SVC()],
      ["KMeans", () => new KMeans({ nClusters: 3 })],
    ];
    for (const [name, make] of models) {
      it(`${name}: truncated, empty and missing weights.bin`, async () => {
        const dir = tmp();
        const model = await make().fit(iris.X, iris.y, { seed: 1 });
        await model.save(path.join(dir, "m"));
        const file = path.join(dir, "m", "weights.bin");
        const size = fs.statSync(file).size;
        assert.ok(size > 0);
        const saved = fs.readFileSync(file);
        const damages: [string, () => void][] = [
          ["truncated", () => fs.writeFileSync(file, saved.subarray(0, Math.floor(size / 2)))],
          ["empty", () => fs.writeFileSync(file, Buffer.alloc(0))],
          ["missing", () => fs.rmSync(file)],
          ["altered", () => fs.writeFileSync(file, Buffer.from(saved.map((b, i) => (i === 9 ? b ^ 0xff : b))))],
        ];
        for (const [what, damage] of damages) {
          damage();
          await assert.rejects(loadModel(path.join(dir, "m")), (err: Error) => {
            assert.ok(err.message.includes(file), `${what}: the error must name ${file}: ${err.message}`);
            assert.match(err.message, /save the model again/);
            return true;
          });
          fs.writeFileSync(file, saved);
        }
        const restored = await loadModel(path.join(dir, "m"));
        assert.deepEqual(restored.predict(iris.X), model.predict(iris.X));
        fs.rmSync(dir, { recursive: true, force: true });
      });
    }

    it("a save written before checksums (no digest in model.json) still loads when its length matches, and is refused when not", async () => {
      const dir = tmp();
      const model = await new DecisionTreeClassifier().fit(iris.X, iris.y, { seed: 1 });
      await model.save(dir);
      const manifestFile = path.join(dir, "model.json");
      const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Record<string, unknown>;
      delete manifest.weights;
      fs.writeFileSync(manifestFile, JSON.stringify(manifest));
      assert.deepEqual((await loadModel(dir)).predict(iris.X), model.predict(iris.X));
      const file = path.join(dir, "weights.bin");
      fs.truncateSync(file, fs.statSync(file).size - 8);
      await assert.rejects(loadModel(dir), (err: Error) => err.message.includes(file) && /truncated/.test(err.message));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a neural network with a truncated weights.bin gets an error naming the file, not a raw tfjs message", async () => {
      const dir = tmp();
      const net = await mlp({ hiddenUnits: [8], epochs: 1 }).fit(iris.X, iris.y, quiet);
      await net.save(dir);
      const file = path.join(dir, "weights.bin");
      fs.truncateSync(file, 40);
      await assert.rejects(loadModel(dir), (err: Error) => err.message.includes(file) && /truncated/.test(err.message));
      const params = path.join(dir, "trainlab-params.json");
      const saved = JSON.parse(fs.readFileSync(params, "utf8")) as Record<string, unknown>;
      delete saved.weights; // an older save: the tfjs manifest's weight specs give the length
      fs.writeFileSync(params, JSON.stringify(saved));
      await assert.rejects(loadModel(dir), (err: Error) => err.message.includes(file) && /truncated/.test(err.message));
      net.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe("finding 5: labels mean the same thing to every estimator and metric", () => {
    it("the neural classifier refuses null as a class label", async () => {
      const y = iris.y.map((v, i) => (i === 3 ? null : v)) as number[];
      await assert.rejects(mlp({ epochs: 1 }).fit(iris.X, y, quiet), /y\[3\] is null, a missing class label/);
    });

    it("NeuralRegressor.score refuses null targets instead of reading them as 0", async () => {
      const net = await mlp({ task: "regression", hiddenUnits: [8], epochs: 1 }).fit(diabetes.X, diabetes.y, quiet);
      const y = diabetes.y.map((v, i) => (i === 5 ? null : v)) as number[];
      assert.throws(() => net.score(diabetes.X, y), /target row 5 is null, not a finite number/);
      net.dispose();
    });

    it("NeuralClassifier.score compares labels by identity (===), as the classical models and accuracy() do", async () => {
      const net = await mlp({ hiddenUnits: [8], epochs: 2 }).fit(iris.X, iris.y, quiet);
      const asStrings = iris.y.map(String);
      const logistic = await new LogisticRegression().fit(iris.X, iris.y);
      assert.equal(logistic.score(iris.X, asStrings as never), 0);
      assert.equal(net.score(iris.X, asStrings as never), 0);
      assert.equal(net.score(iris.X, iris.y), accuracy(iris.y, net.predict(iris.X)));
      assert.ok(
        net.predict(iris.X).every((p) => typeof p === "number"),
        "numeric labels give numeric predictions",
      );
      net.dispose();
    });

    it("classical fits refuse 0.5 and 1.5 as class labels (which accuracy() rejects), suggesting a regressor", async () => {
      const y = iris.y.map((v) => v + 0.5);
      for (const make of [() => new LogisticRegression(), () => new DecisionTreeClassifier(), () => new SVC()]) {
        await assert.rejects(
          make().fit(iris.X, y),
          /y\[0\] is 0\.5: continuous values are not class labels.*use a regressor/,
        );
      }
      await assert.rejects(mlp({ epochs: 1 }).fit(iris.X, y, quiet), /continuous values are not class labels/);
      assert.throws(() => accuracy(y, y), /continuous values are not class labels/);
    });
  });

  describe("finding 6: saved baselines load with loadModel, as the README promises for any saved model", () => {
    it("MajorityClassifier and MeanRegressor round-trip through save and loadModel", async () => {
      const dir = tmp();
      const majority = await new MajorityClassifier().fit(
        iris.X,
        iris.y.map((v) => (v === 2 ? 1 : v)),
      );
      await majority.save(path.join(dir, "majority"));
      const m2 = await loadModel(path.join(dir, "majority"));
      assert.equal(m2.name, "MajorityClassifier");
      assert.deepEqual(m2.predict(iris.X), majority.predict(iris.X));
      assert.deepEqual(
        (m2 as MajorityClassifier).predictProba(iris.X.slice(0, 2)),
        majority.predictProba(iris.X.slice(0, 2)),
      );
      const mean = await new MeanRegressor().fit(diabetes.X, diabetes.y);
      await mean.save(path.join(dir, "mean"));
      const r2 = await loadModel(path.join(dir, "mean"));
      assert.deepEqual(r2.predict(diabetes.X), mean.predict(diabetes.X));
      // A baseline saved by the earlier format ({ name, classes, prior, majority }) loads too.
      fs.mkdirSync(path.join(dir, "old"));
      fs.writeFileSync(
        path.join(dir, "old", "model.json"),
        JSON.stringify({ name: "MajorityClassifier", classes: [0, 1], prior: [0.25, 0.75], majority: 1 }),
      );
      assert.deepEqual((await loadModel(path.join(dir, "old"))).predict([[0], [0]]), [1, 1]);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe("finding 11: one seed policy: a fit with no seed is reproducible, for classical and neural models alike", () => {
    it("two neural fits with no seed give the same predictions", async () => {
      const a = await mlp({ hiddenUnits: [8], epochs: 2 }).fit(iris.X, iris.y, quiet);
      const b = await mlp({ hiddenUnits: [8], epochs: 2 }).fit(iris.X, iris.y, quiet);
      assert.deepEqual(a.predictProba(iris.X), b.predictProba(iris.X));
      assert.equal(mlp().getParams().seed, 0);
      a.dispose();
      b.dispose();
    });

    it("two forests with no seed are the same forest; a different seed gives another", async () => {
      const a = await new RandomForestClassifier({ nEstimators: 10 }).fit(iris.X, iris.y);
      const b = await new RandomForestClassifier({ nEstimators: 10 }).fit(iris.X, iris.y);
      const c = await new RandomForestClassifier({ nEstimators: 10 }).fit(iris.X, iris.y, { seed: 3 });
      assert.deepEqual(a.predictProba(iris.X), b.predictProba(iris.X));
      assert.notDeepEqual(a.predictProba(iris.X), c.predictProba(iris.X));
    });
  });

  describe("SVC (found by the check suite): deterministic fits, and a loaded SVC predicts exactly as the fitted one", () => {
    it("two fits give identical probabilities, whatever ran before, and save → load keeps them", async () => {
      const a = await new SVC().fit(iris.X, iris.y);
      await new SVC({ C: 3 }).fit(
        diabetes.X.slice(0, 100),
        diabetes.y.slice(0, 100).map((v) => (v > 140 ? 1 : 0)),
      );
      const b = await new SVC().fit(iris.X, iris.y);
      assert.deepEqual(a.predictProba(iris.X), b.predictProba(iris.X));
      const dir = tmp();
      await a.save(dir);
      const loaded = (await loadModel(dir)) as SVC;
      assert.deepEqual(loaded.predictProba(iris.X), a.predictProba(iris.X));
      assert.deepEqual(loaded.predict(iris.X), a.predict(iris.X));
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});
