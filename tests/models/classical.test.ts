/**
 * lib/models' classical estimators as scikit-learn-style components: parameters are plain data, bad input and misuse
 * get errors naming what is wrong (and an interrupt keeps a usable model), and recommend(task, dataShape) lists the
 * candidates with their reasoning.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import * as aq from "arquero";
import { Matrix } from "../../lib/data/matrix";
import { DISPLAY } from "../../lib/display";
import {
  AgglomerativeClustering,
  Classifier,
  DecisionTreeClassifier,
  Estimator,
  GaussianNB,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  KMeans,
  LinearRegression,
  LogisticRegression,
  RandomForestClassifier,
  Ridge,
  SVC,
  Clusterer,
  recommend,
  RECOMMEND_TASKS,
} from "../../lib/models";
import { classifiers, iris, regressors, tmpDir } from "./classical-fixtures";

describe("classical models (lib/models)", function () {
  this.timeout(60000);

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
