/**
 * The evaluation workflow with lib/models' classical estimators (and a tfjs mlp next to them) and lib/data's Pipeline
 * on raw penguins: compare by cross-validation, tune by grid search, evaluate on held-out rows, chart feature importances.
 */
import { strict as assert } from "assert";
import * as aq from "arquero";
import { Impute, OneHotEncoder, Pipeline, StandardScaler } from "../../lib/data";
import { loadDataset } from "../../lib/datasets";
import { crossValidate, crossValidationFolds, evaluateModel, gridSearch, learningCurve } from "../../lib/evaluate";
import {
  DecisionTreeClassifier,
  HistGradientBoostingClassifier,
  LogisticRegression,
  RandomForestClassifier,
  mlp,
} from "../../lib/models";
import { featureImportanceFigure } from "../../lib/viz";

describe("lib/evaluate with lib/models' classical estimators", function () {
  this.timeout(120000);
  const penguins = loadDataset("penguins");
  const X = penguins.select("island", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g", "sex");
  const y = penguins.array("species") as string[];
  const prep = (): Pipeline =>
    new Pipeline([
      new Impute({ strategy: "median", categorical: "skip" }),
      new Impute({ strategy: "most_frequent", columns: ["sex"] }),
      new OneHotEncoder({ handleUnknown: "ignore" }),
      new StandardScaler(),
    ]);

  it("compares logistic regression and a decision tree with the baseline on the same folds", async () => {
    const cv = await crossValidate(
      {
        "logistic regression": { pipeline: prep, model: new LogisticRegression() },
        "decision tree": { pipeline: prep, model: new DecisionTreeClassifier({ maxDepth: 4 }) },
      },
      X,
      y,
      { folds: 5, seed: 0, metrics: ["accuracy", "f1_macro", "roc_auc_ovr"] },
    );
    assert.deepEqual(cv.models, ["logistic regression", "decision tree", "baseline (majority class)"]);
    assert.ok(cv.mean("logistic regression") > 0.97, `logistic regression ${cv.mean("logistic regression")}`);
    assert.ok(cv.mean("decision tree") > 0.9, `tree ${cv.mean("decision tree")}`);
    assert.ok(Math.abs(cv.mean("baseline (majority class)") - 152 / 344) < 0.02, "Adelie is 152 of 344");
    assert.deepEqual(cv.notBeatingBaseline(), []);
  });

  it("cross-validates a mixed list, classical models and an mlp, on the same folds: fold scores and a table row for each", async () => {
    const cv = await crossValidate(
      [
        { pipeline: prep, model: new LogisticRegression() },
        { pipeline: prep, model: new RandomForestClassifier({ nEstimators: 30 }) },
        { pipeline: prep, model: new HistGradientBoostingClassifier({ maxIter: 30 }) },
        { pipeline: prep, model: mlp({ hiddenUnits: [16], epochs: 40, batchSize: 16, learningRate: 0.01, seed: 4 }) },
      ],
      X,
      y,
      { folds: 5, seed: 0, metrics: ["accuracy", "log_loss"] },
    );
    const models = [
      "LogisticRegression (pipeline)",
      "RandomForestClassifier (pipeline)",
      "HistGradientBoostingClassifier (pipeline)",
      "MLPClassifier (pipeline)",
      "baseline (majority class)",
    ];
    assert.deepEqual(cv.models, models);
    assert.equal(cv.folds.length, 5);
    for (const model of models) {
      for (const metric of ["accuracy", "log_loss"]) {
        const scores = cv.scores[model][metric];
        assert.equal(scores.length, 5, `${model}: one ${metric} per fold`);
        assert.ok(
          scores.every((v) => Number.isFinite(v)),
          `${model} ${metric}: ${scores}`,
        );
      }
    }
    for (const model of models.slice(0, 4)) assert.ok(cv.mean(model) > 0.9, `${model} accuracy ${cv.mean(model)}`);
    assert.deepEqual(cv.notBeatingBaseline(), []);
    const table = cv.table();
    assert.deepEqual(table.columns, ["model", "accuracy", "log_loss"]);
    assert.deepEqual(
      table.rows.map((r) => r.model),
      models,
      "one row per model, baseline last",
    );
    for (const row of table.rows) assert.match(String(row.accuracy), /^[01]\.\d{4} ± 0\.\d{4}$/);
  });

  it("tunes C with a grid search, evaluates the refit model on held-out rows, and charts tree importances", async () => {
    const [fold] = crossValidationFolds(y.length, { k: 4, seed: 2, labels: y });
    const trainRows = fold.train;
    const testRows = fold.test;
    const pick = <T>(a: T[], rows: number[]): T[] => rows.map((i) => a[i]);
    const subset = (rows: number[]) =>
      aq.table(Object.fromEntries(X.columnNames().map((c) => [c, pick(X.array(c) as unknown[], rows)])));
    const search = await gridSearch(
      { pipeline: prep, model: new LogisticRegression() },
      { C: [0.01, 0.1, 1, 10] },
      subset(trainRows),
      pick(y, trainRows),
      { folds: 3, seed: 0, metric: "log_loss" },
    );
    assert.equal(search.results.length, 4);
    assert.equal(search.bestScore, Math.min(...search.results.map((r) => r.meanScore)));
    const Xtest = await search.bestPipeline!.transform(subset(testRows));
    const ev = await evaluateModel(search.bestModel, Xtest, pick(y, testRows), { trainY: pick(y, trainRows) });
    assert.ok(ev.get("accuracy") > 0.95);
    assert.ok(ev.get("roc_auc_ovr") > 0.99);
    const tree = await new DecisionTreeClassifier({ maxDepth: 3 }).fit(prep().fitTransform(X), y);
    const names = prep().fitTransform(X).columnNames();
    const fig = featureImportanceFigure(names, tree.featureImportances(), { top: 5 });
    assert.equal((fig.data[0].y as string[]).length, 5);
    const lc = await learningCurve({ pipeline: prep, model: new LogisticRegression() }, X, y, {
      folds: 3,
      seed: 0,
      trainSizes: [0.2, 1],
    });
    assert.ok(lc.validationScores[1].every((s) => s > 0.9));
  });
});
