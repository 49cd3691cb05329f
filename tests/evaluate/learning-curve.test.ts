/**
 * learningCurve takes `posLabel` as crossValidate and search do (issue 12, finding 9): a one-class metric on a binary
 * target with labels that do not say which class is positive is refused before any fit, the named class is scored,
 * and the table names it. Data: scikit-learn's breast cancer table (tests/fixtures/datasets; 0 = malignant).
 */
import { strict as assert } from "assert";
import { getScorer, learningCurve } from "../../lib/evaluate";
import { LogisticRegression } from "../../lib/models/linear";
import { realTable, rowsOf } from "../validate/real-tables";

describe("learningCurve posLabel (lib/evaluate/learning-curve)", function () {
  this.timeout(60000);
  const t = realTable("breast_cancer");
  // Every other row keeps the fits quick.
  const rows = Array.from({ length: Math.floor(t.X.rows / 2) }, (_, i) => 2 * i);
  const X = rowsOf(t.X, rows);
  const names = rows.map((i) => (t.y[i] === 0 ? "malignant" : "benign"));
  const options = { folds: 3, seed: 0, trainSizes: [0.5, 1] };

  it('refuses "f1" on labels benign/malignant without posLabel, listing the labels and naming posLabel', async () => {
    await assert.rejects(
      learningCurve(new LogisticRegression(), X, names, { ...options, metric: "f1" }),
      /Metric "f1".*\["benign","malignant"\].*posLabel/s,
    );
  });

  it("scores the class posLabel names, as the scorer bound to it does, and the table says which class is positive", async () => {
    const malignant = await learningCurve(new LogisticRegression(), X, names, {
      ...options,
      metric: "f1",
      posLabel: "malignant",
    });
    const bound = await learningCurve(new LogisticRegression(), X, names, {
      ...options,
      metric: getScorer("f1", { posLabel: "malignant" }),
    });
    const benign = await learningCurve(new LogisticRegression(), X, names, {
      ...options,
      metric: "f1",
      posLabel: "benign",
    });
    assert.deepEqual(malignant.validationScores, bound.validationScores);
    assert.notDeepEqual(malignant.validationScores, benign.validationScores);
    assert.equal(malignant.positiveClass, "malignant");
    assert.match(malignant.table().toString(), /positive class "malignant" \(f1\)/);
    await assert.rejects(
      learningCurve(new LogisticRegression(), X, names, { ...options, metric: "f1", posLabel: "yes" }),
      /posLabel "yes" is not one of the labels/,
    );
  });

  it("takes 1 as positive for labels {0, 1} and says so; metrics of all classes name none", async () => {
    const y01 = rows.map((i) => t.y[i]);
    const lc = await learningCurve(new LogisticRegression(), X, y01, { ...options, metric: "recall" });
    assert.equal(lc.positiveClass, 1);
    const macro = await learningCurve(new LogisticRegression(), X, names, { ...options, metric: "f1_macro" });
    assert.equal(macro.positiveClass, undefined);
    assert.doesNotMatch(macro.table().toString(), /positive class/);
  });
});
