/**
 * crossValidate and gridSearch end to end against scikit-learn's cross_validate and GridSearchCV on the same explicit
 * folds (tests/fixtures/sklearn/reference.json): StandardScaler + GaussianNB on iris, StandardScaler + Ridge on
 * diabetes, with the library's own StandardScaler, GaussianNB and Ridge. Matching per-fold scores to 1e-9 shows the
 * pipeline is refit per fold exactly as scikit-learn does, and that the models compute what scikit-learn's do.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { crossValidate, gridSearch } from "../../lib/evaluate";
import type { CvFold } from "../../lib/evaluate";
import { StandardScaler } from "../../lib/data";
import { GaussianNB, Ridge } from "../../lib/models";

interface CvCase {
  X: number[][];
  y: number[];
  folds: CvFold[];
  scores: Record<string, number[]>;
  grid: Record<string, number[] | number>;
}
const root = path.resolve(__dirname, "..", "..", "..");
const cases = (
  JSON.parse(fs.readFileSync(path.join(root, "tests", "fixtures", "sklearn", "reference.json"), "utf8")) as {
    cv_cases: Record<string, CvCase>;
  }
).cv_cases;

function closeAll(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) =>
    assert.ok(
      Math.abs(a - expected[i]) <= 1e-9 * Math.max(1, Math.abs(expected[i])),
      `${what}[${i}]: ${a} vs scikit-learn ${expected[i]}`,
    ),
  );
}

describe("cross-validation and grid search match scikit-learn end to end (lib/evaluate)", () => {
  it("classification: scaler + Gaussian NB per fold, six metrics", async () => {
    const c = cases.classification;
    const metrics = ["accuracy", "balanced_accuracy", "f1_macro", "precision_weighted", "roc_auc_ovr", "log_loss"];
    const result = await crossValidate(
      { pipeline: () => new StandardScaler(), model: new GaussianNB(), name: "nb" },
      c.X,
      c.y,
      { folds: c.folds, metrics },
    );
    for (const m of metrics) {
      const ref = m === "log_loss" ? c.scores.neg_log_loss.map((v) => -v) : c.scores[m];
      closeAll(result.scores.nb[m], ref, m);
    }
  });

  it("classification: grid search over var_smoothing ranks like GridSearchCV", async () => {
    const c = cases.classification;
    const values = c.grid.var_smoothing as number[];
    const r = await gridSearch(
      { pipeline: () => new StandardScaler(), model: new GaussianNB() },
      { varSmoothing: values },
      c.X,
      c.y,
      { folds: c.folds, metric: "log_loss" },
    );
    closeAll(
      r.results.map((x) => -x.meanScore),
      c.grid.mean_test_score as number[],
      "mean_test_score",
    );
    closeAll(
      r.results.map((x) => x.stdScore),
      c.grid.std_test_score as number[],
      "std_test_score",
    );
    assert.deepEqual(r.bestParams, { varSmoothing: values[c.grid.best_index as number] });
  });

  it("regression: scaler + ridge per fold (r2, rmse, mae, mse) and grid search over alpha", async () => {
    const c = cases.regression;
    const result = await crossValidate(
      { pipeline: () => new StandardScaler(), model: new Ridge({ alpha: 10 }), name: "ridge" },
      c.X,
      c.y,
      { folds: c.folds, metrics: ["r2", "rmse", "mae", "mse"] },
    );
    closeAll(result.scores.ridge.r2, c.scores.r2, "r2");
    closeAll(
      result.scores.ridge.rmse,
      c.scores.neg_root_mean_squared_error.map((v) => -v),
      "rmse",
    );
    closeAll(
      result.scores.ridge.mae,
      c.scores.neg_mean_absolute_error.map((v) => -v),
      "mae",
    );
    closeAll(
      result.scores.ridge.mse,
      c.scores.neg_mean_squared_error.map((v) => -v),
      "mse",
    );
    const alphas = c.grid.alpha as number[];
    const r = await gridSearch(
      { pipeline: () => new StandardScaler(), model: new Ridge() },
      { alpha: alphas },
      c.X,
      c.y,
      { folds: c.folds, metric: "r2" },
    );
    closeAll(
      r.results.map((x) => x.meanScore),
      c.grid.mean_test_score as number[],
      "mean r2",
    );
    closeAll(
      r.results.map((x) => x.stdScore),
      c.grid.std_test_score as number[],
      "std r2",
    );
    assert.deepEqual(r.bestParams, { alpha: alphas[c.grid.best_index as number] });
  });

  it("rejects explicit folds that leak or point outside the data", async () => {
    const c = cases.classification;
    await assert.rejects(
      crossValidate([new GaussianNB()], c.X, c.y, { folds: [{ train: [0, 1, 2], test: [2, 3] }] }),
      /row 2 is in both train and test/,
    );
    await assert.rejects(
      crossValidate([new GaussianNB()], c.X, c.y, { folds: [{ train: [0, 1], test: [999] }] }),
      /row index 999 is out of range for 150 rows/,
    );
  });
});
