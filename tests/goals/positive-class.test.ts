/**
 * A goal on a binary metric (precision, recall, f1, average_precision, roc_auc) is judged on a named positive class:
 * the scorecard says which, and a goal on "f1" is never compared with a macro F1 or with another class's F1.
 * Real data: scikit-learn's breast cancer table (tests/fixtures/datasets), a real LogisticRegression, evaluateModel
 * and holdout.
 */
import { strict as assert } from "assert";
import { defineGoals } from "../../lib/goals";
import { evaluateModel, getScorer } from "../../lib/evaluate";
import { LogisticRegression } from "../../lib/models/linear";
import { holdout, resetHoldoutRegistry } from "../../lib/validate";
import { iidSplit, realTable, rowsOf } from "../validate/real-tables";

const DISPLAY = Symbol.for("Jupyter.display");
const html = (value: unknown): string =>
  String((value as Record<symbol, () => Record<string, unknown>>)[DISPLAY]()["text/html"]);

/** Breast cancer split 70/30, labels as given by `label` (0 = malignant, 1 = benign in scikit-learn's table). */
async function breastCancer<L extends number | string>(label: (t: number) => L) {
  const t = realTable("breast_cancer");
  const s = iidSplit(t.X.rows, 3);
  const test = [...s.val, ...s.test];
  const model = await new LogisticRegression().fit(
    rowsOf(t.X, s.train),
    s.train.map((i) => label(t.y[i])),
  );
  return { model, X: rowsOf(t.X, test), y: test.map((i) => label(t.y[i])) };
}

const name = (t: number): string => (t === 0 ? "malignant" : "benign");

describe("goals name the positive class of binary metrics (lib/goals)", function () {
  this.timeout(60000);

  it("names the class evaluateModel scored as positive: 1 for labels {0, 1}", async () => {
    const d = await breastCancer((t) => t);
    const evaluation = await evaluateModel(d.model, d.X, d.y, { figures: false, bootstrap: 100 });
    const card = defineGoals({
      task: "classification",
      goals: [
        { metric: "f1", target: 0.5 },
        { metric: "roc_auc", target: 0.5 },
        { metric: "accuracy", target: 0.5 },
      ],
    }).check(evaluation);
    assert.deepEqual(
      card.rows.map((r) => r.positiveClass),
      [1, 1, undefined],
    );
    assert.equal(card.rows[0].measured, evaluation.get("f1"));
    assert.match(card.toString(), /f1 \(positive class 1\) ≥ 0\.5/);
    assert.match(html(card), /positive class 1/);
  });

  it("refuses a goal on f1 when evaluateModel ran on binary string labels without posLabel (it reported macro F1), saying to pass posLabel", async () => {
    const d = await breastCancer(name);
    const evaluation = await evaluateModel(d.model, d.X, d.y, { figures: false, bootstrap: 100 });
    assert.ok(evaluation.toJSON().f1_macro !== undefined && evaluation.toJSON().f1 === undefined);
    const goals = defineGoals({ task: "classification", goals: [{ metric: "f1", target: 0.9 }] });
    assert.throws(
      () => goals.check(evaluation),
      /goal on "f1" scores one class as positive.*Pass posLabel to evaluateModel.*or set the goal on "f1_macro"/s,
    );
    // A macro goal is judged as before.
    const macro = defineGoals({ task: "classification", goals: [{ metric: "f1_macro", target: 0.9 }] }).check(
      evaluation,
    );
    assert.equal(macro.rows[0].measured, evaluation.get("f1_macro"));
    assert.equal(macro.rows[0].positiveClass, undefined);
  });

  it("judges f1 on the class named by posLabel, and refuses a goal written for the other class", async () => {
    const d = await breastCancer(name);
    const evaluation = await evaluateModel(d.model, d.X, d.y, {
      figures: false,
      bootstrap: 100,
      posLabel: "malignant",
    });
    const card = defineGoals({
      task: "classification",
      goals: [{ metric: "f1", target: 0.5, posLabel: "malignant" }],
    }).check(evaluation);
    assert.equal(card.rows[0].positiveClass, "malignant");
    assert.equal(card.rows[0].measured, evaluation.get("f1"));
    assert.match(card.toString(), /f1 \(positive class "malignant"\)/);
    const benign = defineGoals({ task: "classification", goals: [{ metric: "f1", target: 0.5, posLabel: "benign" }] });
    assert.throws(
      () => benign.check(evaluation),
      /goal on "f1" is for positive class "benign", but the result scored class "malignant"/,
    );
  });

  it("names holdout's positive class for f1 (from the scorer's posLabel) and roc_auc (the second class)", async () => {
    const d = await breastCancer(name);
    resetHoldoutRegistry();
    const result = await holdout(d.model, d.X, d.y, {
      metrics: ["accuracy", getScorer("f1", { posLabel: "malignant" }), "roc_auc"],
      bootstrap: 100,
    });
    assert.deepEqual(result.positiveClasses, { f1: "malignant", roc_auc: "malignant" });
    const card = defineGoals({
      task: "classification",
      goals: [
        { metric: "f1", target: 0.5 },
        { metric: "roc_auc", target: 0.5 },
      ],
    }).check(result);
    assert.deepEqual(
      card.rows.map((r) => r.positiveClass),
      ["malignant", "malignant"],
    );
    resetHoldoutRegistry();
  });

  it("says when the positive class is not stated (plain numbers), and keeps posLabel through save and load", () => {
    const goals = defineGoals({
      task: "classification",
      goals: [
        { metric: "recall", target: 0.9 },
        { metric: "precision", target: 0.8, posLabel: "M" },
      ],
    });
    const card = goals.check({ recall: 0.95, precision: 0.9 });
    assert.deepEqual(
      card.rows.map((r) => r.positiveClass),
      [null, "M"],
    );
    assert.match(card.toString(), /recall \(positive class not stated\)/);
    assert.deepEqual(goals.toJSON().goals?.[1], {
      metric: "precision",
      target: 0.8,
      direction: "higher",
      posLabel: "M",
    });
    assert.throws(
      () => defineGoals({ task: "classification", goals: [{ metric: "accuracy", target: 0.9, posLabel: "M" }] }),
      /posLabel applies to precision, recall, f1/,
    );
  });
});
