/**
 * crossValidate and gridSearch with lib/data's real Pipeline on a raw table (missing values, text columns):
 * the pipeline is refit on each fold's training rows.
 */
import { strict as assert } from "assert";
import { Impute, OneHotEncoder, Pipeline, StandardScaler } from "../../lib/data";
import { loadDataset } from "../../lib/datasets";
import { crossValidate, gridSearch } from "../../lib/evaluate";
import { KnnClassifier } from "./estimators";

describe("lib/evaluate with lib/data's Pipeline (penguins, raw)", () => {
  const penguins = loadDataset("penguins");
  const X = penguins.select("island", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g", "sex");
  const y = penguins.array("species") as string[];
  const makePipeline = (): Pipeline =>
    new Pipeline([
      new Impute({ strategy: "median", categorical: "skip" }),
      new Impute({ strategy: "most_frequent", columns: ["sex"] }),
      new OneHotEncoder({ handleUnknown: "ignore" }),
      new StandardScaler(),
    ]);

  it("fits imputation, encoding and scaling inside each fold and scores far above the baseline", async () => {
    const fitted: Pipeline[] = [];
    const result = await crossValidate(
      {
        pipeline: () => {
          const p = makePipeline();
          fitted.push(p);
          return p;
        },
        model: new KnnClassifier({ k: 5 }),
        name: "impute+onehot+scale+knn",
      },
      X,
      y,
      { folds: 5, seed: 0, metrics: ["accuracy", "f1_macro"] },
    );
    assert.equal(fitted.length, 5);
    fitted.forEach((p, f) => {
      const summary = p.toJSON().fitSummary as { rowsIn: number };
      assert.equal(summary.rowsIn, result.folds[f].train.length, `fold ${f}: the pipeline saw only the training rows`);
    });
    assert.ok(result.mean("impute+onehot+scale+knn") > 0.95, `accuracy ${result.mean("impute+onehot+scale+knn")}`);
    assert.ok(result.mean("baseline (majority class)") < 0.5);
  });

  it("grid search through the pipeline, with predict() applying the refit pipeline", async () => {
    const search = await gridSearch({ pipeline: makePipeline, model: new KnnClassifier() }, { k: [1, 5, 15] }, X, y, {
      folds: 3,
      seed: 1,
      metric: "f1_macro",
    });
    assert.equal(search.results.length, 3);
    const predicted = await search.predict(X);
    const correct = predicted.filter((p, i) => p === y[i]).length / y.length;
    assert.ok(correct > 0.95, `training-set accuracy of the refit model ${correct}`);
  });
});
