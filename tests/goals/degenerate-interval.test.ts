/**
 * A perfect score on a handful of rows is not evidence that a goal is met: when every bootstrap resample of the rows
 * scores the same (a model that gets all of them right has macro-F1 1 on every resample), the bootstrap "interval"
 * is one point and bounds nothing. evaluateModel marks such an interval as degenerate and prints it as "no spread",
 * and a goal judged on the interval's bound is inconclusive, never PASS. Real data: iris (tests/fixtures/datasets),
 * where logistic regression gets a small test sample all right.
 */
import { strict as assert } from "assert";
import { defineGoals } from "../../lib/goals";
import { bootstrapInterval, evaluateModel, formatInterval } from "../../lib/evaluate";
import { LogisticRegression } from "../../lib/models/linear";
import { realTable, rowsOf } from "../validate/real-tables";

describe("goals on a degenerate bootstrap interval (issue 12: verdicts without uncertainty)", function () {
  this.timeout(60000);

  it("marks an interval whose every resample scored the same as degenerate", () => {
    const same = bootstrapInterval(20, () => 1, { resamples: 200 });
    assert.equal(same?.degenerate, true);
    assert.match(formatInterval(same), /no spread: every resample scored 1\.0000/);
    const varied = bootstrapInterval(20, (idx) => idx[0] / 20, { resamples: 200 });
    assert.equal(varied?.degenerate, undefined);
  });

  it("an all-correct evaluation passes no goal on macro-F1 by its bound; accuracy keeps its Wilson interval", async () => {
    const t = realTable("iris");
    const all = t.y.map((_, i) => i);
    const model = await new LogisticRegression().fit(rowsOf(t.X, all), t.y);
    const pred = model.predict(rowsOf(t.X, all)) as number[];
    // 30 rows the model gets right, 10 of each class.
    const rows = [0, 1, 2].flatMap((c) => all.filter((i) => t.y[i] === c && pred[i] === c).slice(0, 10));
    const evaluation = await evaluateModel(
      model,
      rowsOf(t.X, rows),
      rows.map((i) => t.y[i]),
      { figures: false, bootstrap: 200 },
    );
    assert.equal(evaluation.get("f1_macro"), 1);
    const card = defineGoals({
      task: "classification",
      goals: [
        { metric: "f1_macro", target: 0.9 },
        { metric: "accuracy", target: 0.8 },
      ],
    }).check(evaluation);
    const [f1, accuracy] = card.rows;
    assert.equal(f1.interval?.degenerate, true);
    assert.equal(f1.status, "inconclusive", "a perfect macro-F1 on 30 rows cannot show macro-F1 ≥ 0.9 on new rows");
    assert.match(
      card.toString(),
      /f1_macro ≥ 0\.9: 1 \(no spread: every resample scored 1, so these rows cannot bound it/,
    );
    // Accuracy is a proportion: Wilson's interval for 30 of 30 is about [0.886, 1], which does meet 0.8.
    assert.equal(accuracy.interval?.degenerate, undefined);
    assert.ok((accuracy.interval?.lower ?? 1) < 0.9);
    assert.equal(accuracy.status, "pass");
  });
});
