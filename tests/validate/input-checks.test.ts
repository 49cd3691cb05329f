/**
 * lib/validate reads its inputs through lib/core/validation, like the estimators and lib/evaluate: one error type and
 * one wording for missing or malformed features and targets, and NotFittedError for a model that was never fitted.
 */
import { strict as assert } from "assert";
import { NotFittedError, ValidationError } from "../../lib/core/validation";
import { LinearRegression, LogisticRegression } from "../../lib/models";
import { calibration, holdout, permutationImportance, robustness, slices } from "../../lib/validate";

const X = [[0], [1], [2], [3], [4], [5]];

describe("lib/validate input checks", () => {
  it("features that are not a table, matrix, tensor or array of rows are a ValidationError", async () => {
    const model = await new LogisticRegression().fit(X, [0, 0, 0, 1, 1, 1]);
    assert.throws(
      () => slices(model, 42 as never, [0], { by: [1] }),
      (e: Error) => e instanceof ValidationError && /X is number/.test(e.message),
    );
    assert.throws(
      () => robustness(model, undefined as never, [0]),
      (e: Error) => e instanceof ValidationError && /X is missing/.test(e.message),
    );
  });

  it("a classifier's target must hold class labels: null and fractional values are named with their index", async () => {
    const model = await new LogisticRegression().fit(X, [0, 0, 0, 1, 1, 1]);
    assert.throws(
      () => calibration(model, X, [0, 0, null, 1, 1, 1] as never),
      (e: Error) => e instanceof ValidationError && /calibration: y\[2\] is null/.test(e.message),
    );
    assert.throws(
      () => permutationImportance(model, X, [0, 0, 0.5, 1, 1, 1]),
      (e: Error) => e instanceof ValidationError && /y\[2\] is 0\.5/.test(e.message),
    );
  });

  it("a regressor's target must be finite numbers, and lengths must match", async () => {
    const model = await new LinearRegression().fit(X, [0, 1, 2, 3, 4, 5]);
    assert.throws(
      () => robustness(model, X, [0, 1, Number.NaN, 3, 4, 5]),
      (e: Error) => e instanceof ValidationError && /target row 2/.test(e.message),
    );
    assert.throws(
      () => slices(model, X, [0, 1, 2], { by: [1, 1, 1, 2, 2, 2] }),
      (e: Error) => e instanceof ValidationError && /X has 6 rows but y has 3 values/.test(e.message),
    );
  });

  it("permutationImportance: a metric that is not a finite number, on X or on shuffled predictions, is a clear error", async () => {
    const model = await new LinearRegression().fit(X, [0, 1, 2, 3, 4, 5]);
    const always = (): number => NaN;
    assert.throws(
      () => permutationImportance(model, X, [0, 1, 2, 3, 4, 5], { metric: always }),
      /permutationImportance: always is NaN on these rows, so no drop can be measured/,
    );
    // Finite on the model's own predictions, NaN on any others: the shuffled feature is named.
    const reference = model.predict(X).join();
    const onlyOwn = (_t: readonly unknown[], p: readonly unknown[]): number => (p.join() === reference ? 1 : NaN);
    assert.throws(
      () => permutationImportance(model, X, [0, 1, 2, 3, 4, 5], { metric: onlyOwn, bootstrap: 0 }),
      /onlyOwn is NaN on the predictions with "x0" shuffled, so its drop cannot be measured/,
    );
  });

  it("a model that was never fitted is a NotFittedError", async () => {
    await assert.rejects(
      holdout(new LogisticRegression(), X, [0, 0, 0, 1, 1, 1]),
      (e: Error) => e instanceof NotFittedError,
    );
  });
});
