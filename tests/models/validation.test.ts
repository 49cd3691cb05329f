/** lib/core/validation: the one input-validation module, its two error types and its one wording. */
import { strict as assert } from "assert";
import { LinearRegression, LogisticRegression, NotFittedError, ValidationError, mlp } from "../../lib";
import {
  checkClassificationTarget,
  checkFeatureRows,
  checkLabelValues,
  checkRegressionTarget,
} from "../../lib/core/validation";

describe("lib/core/validation", () => {
  it("exports ValidationError and NotFittedError from the public entry, as Errors with their own names", async () => {
    const bad = await new LogisticRegression().fit([[1], [2], [3]], [0, 1, 1.5]).catch((e: unknown) => e);
    assert.ok(bad instanceof ValidationError && bad instanceof Error);
    assert.equal((bad as Error).name, "ValidationError");
    const unfitted = (() => {
      try {
        new LinearRegression().predict([[1]]);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(unfitted instanceof NotFittedError && unfitted instanceof Error);
    assert.match(
      (unfitted as Error).message,
      /^LinearRegression\.predict: the model is not fitted yet\. Call fit\(X, y\) first\.$/,
    );
    assert.throws(() => mlp().predict([[1]]), NotFittedError);
  });

  it("speaks one wording: where, what is wrong, what to do", () => {
    assert.throws(
      () =>
        checkFeatureRows(
          [
            [1, 2],
            [3, null],
          ],
          "SVC.fit",
        ),
      /^ValidationError: SVC\.fit: row 1, column 1 is null, not a finite number\. Impute or drop/,
    );
    assert.throws(
      () => checkFeatureRows([1, 2, 3], "SVC.fit"),
      /SVC\.fit: X must be 2-D \(samples × features\), but row 0 is 1\. Wrap each sample/,
    );
    assert.throws(
      () => checkRegressionTarget([1, "2"], 2, "Ridge.fit"),
      /Ridge\.fit: target row 1 is "2", not a finite number\. Regression needs numeric targets/,
    );
    assert.throws(
      () => checkClassificationTarget([1, 1], 3, "SVC.fit"),
      /SVC\.fit: X has 3 rows but y has 2 values\. They must match/,
    );
  });

  it("accepts integer and string class labels, compared by identity, and refuses the rest", () => {
    assert.deepEqual(checkClassificationTarget(["b", "a", "b"], 3, "t").classes, ["a", "b"]);
    assert.deepEqual(checkClassificationTarget([2, 10, 2], 3, "t").classes, [2, 10]);
    assert.throws(() => checkLabelValues([1, "1"], "y", "t"), /mixes numbers and strings/);
    assert.throws(
      () => checkLabelValues([0, 1.5], "y", "t"),
      /y\[1\] is 1\.5: continuous values are not class labels.*use a regressor/,
    );
    assert.throws(() => checkLabelValues([0, undefined], "y", "t"), /y\[1\] is undefined, a missing class label/);
    assert.throws(
      () => checkLabelValues([true, false], "y", "t"),
      /the boolean true\. Class labels must be integers or strings: map booleans/,
    );
    assert.throws(() => checkLabelValues([0, Infinity], "y", "t"), /y\[1\] is Infinity/);
    assert.throws(() => checkClassificationTarget(["a", "a"], 2, "t"), /only one class \("a"\)/);
  });
});
