/**
 * One-class scorers never pick the positive class silently (issue 12, finding 9). "f1", "precision", "recall" and
 * "average_precision" on a binary target need `posLabel` unless the labels are {0, 1} or {-1, 1} (then 1, as in
 * scikit-learn and as f1() itself); cross-validation, search and evaluateModel refuse without it, listing the labels,
 * score the class they are told, and every table says which class is positive.
 * Data: scikit-learn's breast cancer table (tests/fixtures/datasets/breast_cancer.csv; target 0 = malignant,
 * 1 = benign, as in load_breast_cancer), with the labels as names and as 0/1.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  averagePrecision,
  crossValidate,
  evaluateModel,
  f1,
  getScorer,
  gridSearch,
  precision,
  recall,
} from "../../lib/evaluate";
import { LogisticRegression } from "../../lib/models";

const root = path.resolve(__dirname, "..", "..", "..");

function breastCancer(): { X: number[][]; y01: number[]; yNames: string[] } {
  const lines = fs
    .readFileSync(path.join(root, "tests", "fixtures", "datasets", "breast_cancer.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1);
  const rows = lines.map((l) => l.split(",").map(Number));
  // Every third feature keeps the fits quick; the target is the last column.
  const X = rows.map((r) => r.slice(0, -1).filter((_, j) => j % 3 === 0));
  const y01 = rows.map((r) => r[r.length - 1]);
  return { X, y01, yNames: y01.map((v) => (v === 0 ? "malignant" : "benign")) };
}
const pick = <T>(a: readonly T[], rows: readonly number[]): T[] => rows.map((i) => a[i]);
const model = (): LogisticRegression => new LogisticRegression({ C: 1, maxIter: 200 });

describe("one-class scorers name their positive class (lib/evaluate)", function () {
  const { X, y01, yNames } = breastCancer();

  it('crossValidate with "f1" on labels benign/malignant refuses without posLabel, listing the labels', async () => {
    for (const metric of ["f1", "precision", "recall", "average_precision"]) {
      await assert.rejects(
        crossValidate(model(), X, yNames, { metrics: [metric], folds: 3, baseline: false }),
        (e: Error) =>
          e.message.includes(`Metric "${metric}"`) &&
          e.message.includes(`["benign","malignant"]`) &&
          e.message.includes("posLabel"),
        metric,
      );
    }
  });

  it("crossValidate with posLabel scores that class on every fold, and the table says so", async () => {
    for (const positive of ["benign", "malignant"]) {
      const cv = await crossValidate(model(), X, yNames, {
        metrics: ["f1", "precision", "recall", "average_precision", "accuracy"],
        posLabel: positive,
        folds: 3,
        baseline: false,
      });
      for (const [k, fold] of cv.folds.entries()) {
        const fitted = await model().fit(pick(X, fold.train), pick(yNames, fold.train), { seed: 0 });
        const Xt = pick(X, fold.test);
        const yt = pick(yNames, fold.test);
        const pred = fitted.predict(Xt);
        const column = fitted.classes.indexOf(positive);
        const want = {
          f1: f1(yt, pred, { posLabel: positive }),
          precision: precision(yt, pred, { posLabel: positive }),
          recall: recall(yt, pred, { posLabel: positive }),
          average_precision: averagePrecision(
            yt,
            fitted.predictProba(Xt).map((r) => r[column]),
            { posLabel: positive },
          ),
        };
        for (const [metric, value] of Object.entries(want))
          assert.ok(Math.abs(cv.scores[cv.models[0]][metric][k] - value) < 1e-12, `${positive} ${metric} fold ${k}`);
      }
      assert.match(
        cv.table().toString(),
        new RegExp(`positive class "${positive}" \\(f1, precision, recall, average_precision\\)`),
      );
      assert.deepEqual(cv.positiveClasses, {
        f1: positive,
        precision: positive,
        recall: positive,
        average_precision: positive,
      });
    }
  });

  it("labels 0/1 imply 1 as positive (as f1() and scikit-learn do), and the table still names it", async () => {
    const cv = await crossValidate(model(), X, y01, { metrics: ["f1"], folds: 3, baseline: false });
    const fold = cv.folds[0];
    const fitted = await model().fit(pick(X, fold.train), pick(y01, fold.train), { seed: 0 });
    assert.equal(cv.scores[cv.models[0]].f1[0], f1(pick(y01, fold.test), fitted.predict(pick(X, fold.test))));
    assert.match(cv.table().toString(), /positive class 1 \(f1\)/);
  });

  it("gridSearch refuses a one-class metric without posLabel and names the class it was given", async () => {
    await assert.rejects(
      gridSearch(model(), { C: [0.1, 1] }, X, yNames, { metric: "f1", folds: 3 }),
      /Metric "f1".*\["benign","malignant"\].*posLabel/,
    );
    const search = await gridSearch(model(), { C: [0.1, 1] }, X, yNames, {
      metric: "f1",
      posLabel: "malignant",
      folds: 3,
      refit: false,
    });
    assert.equal(search.positiveClass, "malignant");
    assert.match(search.table().toString(), /positive class "malignant" \(f1\)/);
    const folds3 = (
      await crossValidate(model().withParams({ C: 0.1 }), X, yNames, {
        metrics: ["f1"],
        posLabel: "malignant",
        folds: 3,
        baseline: false,
      })
    ).scores;
    const row = search.results.find((r) => r.params.C === 0.1)!;
    assert.deepEqual(row.foldScores, Object.values(folds3)[0].f1);
  });

  it("a scorer bound with getScorer(name, { posLabel }) works wherever a metric is taken; a posLabel that is not a label is refused", async () => {
    const scorer = getScorer("f1", { posLabel: "benign" });
    assert.equal(scorer.posLabel, "benign");
    const cv = await crossValidate(model(), X, yNames, { metrics: [scorer], folds: 3, baseline: false });
    const bound = await crossValidate(model(), X, yNames, {
      metrics: ["f1"],
      posLabel: "benign",
      folds: 3,
      baseline: false,
    });
    assert.deepEqual(cv.scores, bound.scores);
    await assert.rejects(
      crossValidate(model(), X, yNames, { metrics: ["f1"], posLabel: "Benign", folds: 3 }),
      /posLabel "Benign" is not one of the labels \["benign","malignant"\]/,
    );
  });

  it("evaluateModel scores the class named by posLabel, shows macro averages when none is named, and says which in the title", async () => {
    const fitted = await model().fit(X.slice(0, 400), yNames.slice(0, 400));
    const Xt = X.slice(400);
    const yt = yNames.slice(400);
    const pred = fitted.predict(Xt);
    const unnamed = await evaluateModel(fitted, Xt, yt, { figures: false });
    assert.deepEqual(Object.keys(unnamed.toJSON()), [
      "accuracy",
      "balanced_accuracy",
      "precision_macro",
      "recall_macro",
      "f1_macro",
      "roc_auc",
      "log_loss",
    ]);
    assert.equal(unnamed.positiveClass, null);
    assert.match(
      unnamed.table().toString(),
      /none named positive: macro averages \(pass posLabel to score one class\)/,
    );
    const named = await evaluateModel(fitted, Xt, yt, { figures: false, posLabel: "malignant" });
    assert.equal(named.get("f1"), f1(yt, pred, { posLabel: "malignant" }));
    assert.equal(named.get("recall"), recall(yt, pred, { posLabel: "malignant" }));
    const column = fitted.classes.indexOf("malignant");
    assert.equal(
      named.get("average_precision"),
      averagePrecision(
        yt,
        fitted.predictProba(Xt).map((r) => r[column]),
        { posLabel: "malignant" },
      ),
    );
    assert.match(named.table().toString(), /positive class "malignant"/);
    await assert.rejects(evaluateModel(fitted, Xt, yt, { posLabel: "M" }), /posLabel "M" is not one of the labels/);
  });
});
