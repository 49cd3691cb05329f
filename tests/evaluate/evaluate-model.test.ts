/**
 * evaluateModel: all standard metrics of a fitted model next to the baseline, with the charts.
 */
import { strict as assert } from "assert";
import { loadDataset } from "../../lib/datasets";
import { takeRows, toMatrix } from "../../lib/data/matrix";
import { DISPLAY } from "../../lib/display";
import {
  accuracy,
  crossValidationFolds,
  evaluateModel,
  f1,
  logLoss,
  r2,
  rocAuc,
  rootMeanSquaredError,
} from "../../lib/evaluate";
import { KnnClassifier } from "./estimators";
import { Ridge } from "../../lib/models";

describe("evaluateModel (lib/evaluate)", () => {
  it("classifier: metrics equal the metric functions, baseline alongside, report and three charts", async () => {
    const iris = loadDataset("iris");
    const X = toMatrix(iris, ["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    const y = iris.array("species") as string[];
    const [fold] = crossValidationFolds(150, { k: 4, seed: 2, labels: y });
    const yTrain = fold.train.map((i) => y[i]);
    const yTest = fold.test.map((i) => y[i]);
    const model = await new KnnClassifier({ k: 7 }).fit(takeRows(X, fold.train), yTrain);
    const Xtest = takeRows(X, fold.test);
    const ev = await evaluateModel(model, Xtest, yTest, { trainY: yTrain });
    const pred = model.predict(Xtest);
    const proba = model.predictProba(Xtest);
    assert.equal(ev.get("accuracy"), accuracy(yTest, pred));
    assert.equal(ev.get("f1_macro"), f1(yTest, pred, { average: "macro" }));
    assert.equal(ev.get("roc_auc_ovr"), rocAuc(yTest, proba));
    assert.equal(ev.get("log_loss"), logLoss(yTest, proba));
    const base = ev.metrics.find((m) => m.metric === "accuracy")!.baseline!;
    assert.ok(base > 0.3 && base < 0.4, `majority baseline accuracy ${base}`);
    assert.deepEqual(Object.keys(ev.toJSON()), [
      "accuracy",
      "balanced_accuracy",
      "precision_macro",
      "recall_macro",
      "f1_macro",
      "roc_auc_ovr",
      "average_precision",
      "log_loss",
    ]);
    assert.deepEqual(
      ev.figures.map((f) => f.data[0].type),
      ["heatmap", "scatter", "scatter"],
    );
    assert.ok(ev.report);
    assert.match(String(ev[DISPLAY]()["text/html"]), /baseline \(majority class\)/);
    await assert.rejects(evaluateModel(new KnnClassifier(), Xtest, yTest), /not fitted/);
  });

  it("binary classifier: binary precision/recall/F1 of the class named by posLabel and ROC AUC", async () => {
    const X = [[0], [1], [2], [3], [4], [5], [6], [7]];
    const y = ["no", "no", "no", "yes", "no", "yes", "yes", "yes"];
    const model = await new KnnClassifier({ k: 3 }).fit(X, y);
    const ev = await evaluateModel(model, X, y, { posLabel: "yes" });
    assert.equal(ev.get("f1"), f1(y, model.predict(X), { posLabel: "yes" }));
    assert.equal(ev.get("roc_auc"), rocAuc(y, model.predictProba(X)));
    assert.equal(ev.baselineName, null);
  });

  it("regressor: MSE, RMSE, MAE, R², MAPE with the mean baseline and a residual plot", async () => {
    const cars = loadDataset("cars").filter(
      (d: { horsepower: number | null; miles_per_gallon: number | null }) =>
        d.horsepower !== null && d.miles_per_gallon !== null,
    );
    const X = toMatrix(cars, ["horsepower", "weight_in_lbs"]);
    const y = cars.array("miles_per_gallon") as number[];
    const model = await new Ridge({ alpha: 1 }).fit(X, y);
    const ev = await evaluateModel(model, X, y, { trainY: y });
    assert.equal(ev.get("rmse"), rootMeanSquaredError(y, model.predict(X)));
    assert.equal(ev.get("r2"), r2(y, model.predict(X)));
    assert.ok(Math.abs(ev.metrics.find((m) => m.metric === "r2")!.baseline!) < 1e-12, "the mean of y scores R² 0 on y");
    assert.equal(ev.figures[0].data[0].name, "residual");
  });
});
