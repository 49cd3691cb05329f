/**
 * HistGradientBoosting with the histogram worker thread (nJobs 2) builds exactly the model of one thread: the worker
 * takes half of the features of each large node (histograms, parent − child subtraction, split search) and the
 * halves merge to the split one thread finds. Checked on real tables, large enough for the worker to take part (it shares nodes of 1,024+ rows).
 */
import { strict as assert } from "assert";
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from "../../lib/models";
import { readTable } from "../parity/data";

describe("HistGradientBoosting on one thread and with the histogram worker thread", () => {
  // digits: 1,797 rows × 64 features (115,008 cells, above the 100,000 where the worker starts); 10 classes.
  const digits = readTable("digits");

  it("gives identical probabilities on digits (softmax, 10 trees a round)", async () => {
    const p = { maxIter: 8, earlyStopping: false } as const;
    const one = await new HistGradientBoostingClassifier({ ...p, nJobs: 1 }).fit(digits.X, digits.y);
    const two = await new HistGradientBoostingClassifier({ ...p, nJobs: 2 }).fit(digits.X, digits.y);
    assert.deepEqual(two.predictProba(digits.X), one.predictProba(digits.X));
    assert.deepEqual(two.featureImportances(), one.featureImportances());
    assert.ok(one.score(digits.X, digits.y) > 0.9, "the model learned digits");
  });

  it("gives identical predictions on digits as a regression target, with small leaves and early stopping", async () => {
    const p = { maxIter: 30, minSamplesLeaf: 5, earlyStopping: true, nIterNoChange: 5 } as const;
    const one = await new HistGradientBoostingRegressor({ ...p, nJobs: 1 }).fit(digits.X, digits.y, { seed: 4 });
    const two = await new HistGradientBoostingRegressor({ ...p, nJobs: 2 }).fit(digits.X, digits.y, { seed: 4 });
    assert.equal(two.nIter, one.nIter);
    assert.deepEqual(two.predict(digits.X), one.predict(digits.X));
    assert.deepEqual(two.history, one.history);
  });

  it("gives identical probabilities when nodes below the root are shared too (digits stacked four times, 7,188 rows)", async () => {
    // Nodes of 1,024+ rows are shared with the worker; on plain digits that is only the root. Four copies of the rows
    // give children that large, so the shared parent − child subtraction and the sibling's split search run as well.
    const rows = digits.X.rows * 4;
    const data = new Float64Array(rows * digits.X.cols);
    for (let c = 0; c < 4; c++) data.set(digits.X.data, c * digits.X.data.length);
    const X = { data, rows, cols: digits.X.cols };
    const y = [...digits.y, ...digits.y, ...digits.y, ...digits.y];
    const p = { maxIter: 4, earlyStopping: false } as const;
    const one = await new HistGradientBoostingClassifier({ ...p, nJobs: 1 }).fit(X, y);
    const two = await new HistGradientBoostingClassifier({ ...p, nJobs: 2 }).fit(X, y);
    assert.deepEqual(two.predictProba(digits.X), one.predictProba(digits.X));
    assert.deepEqual(two.featureImportances(), one.featureImportances());
  });
});
