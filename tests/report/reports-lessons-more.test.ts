/**
 * The executed notebooks of the shared fast `npm start` run (./fast-run.ts) show the lessons their prose draws
 * (issue 15): ln k, one change at a time, the learning-rate regimes, small test sets, choice against tuning; and
 * (part 2) real duplicates and label issues, blank penguins, split sizes, naive Bayes, a sequence model against
 * persistence, a CNN against logistic regression.
 */
import { strict as assert } from "assert";
import { fastRun, outputsOf, reportsDir } from "./fast-run";

describe("reports: `npm start` executes every notebook and renders it (fast mode)", function () {
  this.timeout(480000);

  before(async function () {
    this.timeout(420000);
    await fastRun();
  });

  it("the executed notebooks show the lessons their prose draws (issue 15): ln k, one change at a time, the learning-rate regimes, small test sets, choice against tuning", () => {
    // 04: the untrained network's cross-entropy starts near ln 3.
    const start = /cross-entropy of the untrained network: (\d+\.\d+); ln 3 = 1\.0986/.exec(
      outputsOf(reportsDir, "04-train", "const untrained = mlp("),
    );
    assert.ok(start, "04 prints the starting loss");
    assert.ok(Math.abs(Number(start[1]) / Math.log(3) - 1) < 0.2, `starting loss ${start[1]} is within 20% of ln 3`);
    // 04: each fix alone lowers the overfitting run's validation loss.
    const controlled = [
      ...outputsOf(reportsDir, "04-train", "const variants: Variant[]").matchAll(
        /^(.+): validation log loss (\d+\.\d+) → (\d+\.\d+)/gm,
      ),
    ];
    assert.equal(controlled.length, 3, "three single-change runs");
    for (const [, change, before, after] of controlled)
      assert.ok(Number(after) < Number(before), `${change}: ${before} → ${after}`);
    // 04: the learning-rate sweep runs from "too small" through "learns" to "diverges" at its largest rate.
    const verdicts = [
      ...outputsOf(reportsDir, "04-train", "const rates = [").matchAll(
        /too small: loss still above ln 3 \/ 2 after 40 epochs|\blearns\b|\bdiverges\b/g,
      ),
    ].map((m) => m[0]);
    assert.equal(verdicts.length, 7, verdicts.join(", "));
    assert.match(verdicts[0], /^too small/, "the smallest rate barely learns");
    const smallest = /^0\s+0\.0001\s+\d+\.\d+\s+(\d+\.\d+)/m.exec(outputsOf(reportsDir, "04-train", "const rates = ["));
    assert.ok(
      smallest && Math.abs(Number(smallest[1]) / Math.log(3) - 1) < 0.2,
      `at the smallest rate the loss ends near ln 3: ${smallest?.[1]}`,
    );
    assert.equal(verdicts[6], "diverges", "the largest rate diverges");
    assert.ok(verdicts.includes("learns"), "some rate in between learns");
    // 04: the Adam-against-SGD time gap is explained by how the batches ran; with fusedStep: false, Adam runs unfused.
    assert.match(
      outputsOf(reportsDir, "04-train", "fusedStep: fusedStep"),
      /adam with fusedStep: false: batches ran as separate tfjs operations/,
    );
    // 04: after the same 40 epochs, a larger batch (fewer steps) ends with a higher training loss.
    const batches = [
      ...outputsOf(reportsDir, "04-train", "const batchSizes = [").matchAll(
        /^batch (\d+): \d+ step\(s\) per epoch, final training loss (\d+\.\d+)/gm,
      ),
    ].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(batches.length, 4, "four batch sizes");
    for (let i = 1; i < batches.length; i++)
      assert.ok(
        batches[i][1] > batches[i - 1][1],
        `batch ${batches[i][0]} ends above batch ${batches[i - 1][0]}: ${JSON.stringify(batches)}`,
      );
    // 02: a 10% test split is 35 rows, and 34/35 has a 95% interval from about 0.86 to 0.99, as the prose says.
    assert.match(
      outputsOf(reportsDir, "02-prepare-data", "const nTest ="),
      /test split: 35 rows; .* 95% interval \[0\.8[5-6]\d, 0\.99\d\]/,
    );
    const leak = /train-only statistics: mean (\d+\.\d) g.*whole table \(test rows included\): mean (\d+\.\d) g/.exec(
      outputsOf(reportsDir, "02-prepare-data", "const scalingOf ="),
    );
    assert.ok(leak && leak[1] !== leak[2], "fitting on the whole table changes the scaler's statistics");
    // 05: the choice of algorithm moved macro-F1 more than tuning did.
    assert.match(
      outputsOf(reportsDir, "05-evaluate-tune", "const choiceScores ="),
      /The choice of algorithm moved macro-F1 \d+\.\d× as much as tuning did\.|Tuning did not move macro-F1 at all/,
    );
  });

  it("the executed notebooks show the lessons their prose draws (issue 15, part 2): real duplicates and label issues, blank penguins, split sizes, naive Bayes, a sequence model against persistence, CNN against logistic regression", () => {
    const num = (m: RegExpExecArray | null, i: number, what: string): number => {
      assert.ok(m, what);
      return Number(m[i]);
    };
    // 02: the penguins have no duplicate; iris has one, the UCI copy three (its two documented errors repeat row 10).
    const dup = outputsOf(reportsDir, "02-prepare-data", "const uciErrors");
    assert.match(dup, /iris as Fisher published it: 1 duplicate row\(s\) \(rows 102 = 143\)/);
    assert.match(
      dup,
      /the UCI copy: 3 duplicate row\(s\) \(rows 10 = 35 = 38; 102 = 143\); dropDuplicates keeps 147 of 150 rows/,
    );
    // 02: two penguins have no measurement, both in train; imputed, the Gentoo is an Adelie to a model that never saw it,
    // and the validation score is the same with and without them.
    const blank = outputsOf(reportsDir, "02-prepare-data", "const isBlank");
    assert.match(blank, /rows with every measurement missing: 2 in the table; 2 in train, 0 in validation, 0 in test/);
    assert.ok(
      num(
        /Gentoo from Biscoe, imputed: the model gives its true species (\d\.\d+); most likely Adelie/.exec(blank),
        1,
        "the Gentoo line",
      ) < 0.5,
    );
    const val = /validation: (\d+) of 69 right with the two rows, (\d+) without them/.exec(blank);
    assert.ok(val && val[1] === val[2], "the same validation score with and without the blank penguins");
    // 02: 80-10-10 leaves a validation part whose interval is about 0.17 wide, 70-20-10 one about 0.11 wide; ±0.02 takes over 400 rows.
    const plans = outputsOf(reportsDir, "02-prepare-data", "const planRows");
    const width80 = num(
      /80-10-10: \d+ training rows; validation \d+ rows \(interval width (\d\.\d+)\)/.exec(plans),
      1,
      "80-10-10",
    );
    const width70 = num(
      /70-20-10: \d+ training rows; validation \d+ rows \(interval width (\d\.\d+)\)/.exec(plans),
      1,
      "70-20-10",
    );
    assert.ok(width80 > 0.15 && width80 < 0.2 && width70 > 0.09 && width70 < 0.12, `${width80}, ${width70}`);
    assert.ok(num(/to ±0\.02: (\d+)/.exec(plans), 1, "rows for ±0.02") > 400);
    // 02: the weather labels: flagged days, rain on days with 0 mm, and drizzle labels that stop after 2013.
    const labels = outputsOf(reportsDir, "02-prepare-data", "const weatherIssues");
    assert.ok(
      num(
        /(\d+) of 1461 days flagged; by given → suggested label: (fog|drizzle) → (sun|fog)/.exec(labels),
        1,
        "flagged days",
      ) > 50,
    );
    assert.ok(num(/days labelled rain with 0 mm of precipitation: (\d+)/.exec(labels), 1, "dry rain days") > 0);
    assert.match(labels, /days labelled drizzle by year: 2012 \d+, 2013 \d+, 2015 \d+\n/, "no drizzle label in 2014");
    // 03: naive Bayes is far behind on the one-hot features, recovers most of the gap on the measurements alone, and its
    // log loss stays worse than logistic regression's.
    const nb = outputsOf(reportsDir, "03-choose-algorithm", "new GaussianNB()");
    const f1Of = (name: string) =>
      num(new RegExp(`^${name}: macro-F1 (\\d\\.\\d+) ± \\d\\.\\d+, log loss (\\d+\\.\\d+)`, "m").exec(nb), 1, name);
    const lossOf = (name: string) =>
      num(new RegExp(`^${name}: macro-F1 \\d\\.\\d+ ± \\d\\.\\d+, log loss (\\d+\\.\\d+)`, "m").exec(nb), 1, name);
    assert.ok(f1Of("naive Bayes") < f1Of("logistic regression") - 0.1, "naive Bayes is far behind on one-hot features");
    assert.ok(
      f1Of("naive Bayes, measurements only") > f1Of("naive Bayes") + 0.1,
      "the measurements alone recover most of the gap",
    );
    assert.ok(f1Of("naive Bayes, measurements only") < f1Of("logistic regression, measurements only"), "still behind");
    assert.ok(
      lossOf("naive Bayes, measurements only") > lossOf("logistic regression, measurements only"),
      "worse log loss",
    );
    // 03: on 2015, persistence beats the majority clearly; the LSTM beats persistence but not clearly (its gain interval
    // includes 0), scores within 0.02 of the flattened logistic regression; naive Bayes is below persistence.
    const seq = outputsOf(reportsDir, "03-choose-algorithm", "const forecasts");
    const row = (name: string) => {
      const m = new RegExp(
        `^${name.replace(/[()=]/g, "\\$&")}: accuracy (\\d\\.\\d+) \\[[^\\]]+\\]; against persistence [+-]?(\\d\\.\\d+) \\[(-?\\d\\.\\d+), (-?\\d\\.\\d+)\\]`,
        "m",
      ).exec(seq);
      assert.ok(m, name);
      return { accuracy: Number(m[1]), low: Number(m[3]), high: Number(m[4]) };
    };
    const [majority, persistence, lstm, flatLr, flatNb] = [
      "majority (always dry)",
      "persistence (tomorrow = today)",
      "LSTM on the 7 days in order",
      "logistic regression on the 7 days, flattened",
      "naive Bayes on the 7 days, flattened",
    ].map(row);
    assert.ok(majority.high < 0, "the majority is clearly below persistence");
    assert.ok(
      lstm.accuracy > persistence.accuracy && lstm.low < 0 && lstm.high > 0,
      `the LSTM beats persistence, not clearly: ${JSON.stringify(lstm)}`,
    );
    assert.ok(Math.abs(lstm.accuracy - flatLr.accuracy) <= 0.02, "reading the days in order adds nothing measurable");
    assert.ok(flatNb.accuracy < persistence.accuracy, "naive Bayes is below persistence");
    // 04: logistic regression < MLP < CNN on the same digits; the CNN's gain over logistic regression is clear, and it
    // makes a fraction of logistic regression's errors; most of the CNN's mistakes fool logistic regression too.
    const images = outputsOf(reportsDir, "04-train", "const imageModels");
    const errorsOf = (name: string) =>
      num(new RegExp(`^${name.replace(/[()]/g, "\\$&")}: (\\d+) errors in 1000`, "m").exec(images), 1, name);
    const [lrErrors, mlpErrors, cnnErrors] = [
      "logistic regression (one softmax layer)",
      "MLP (128 hidden units)",
      "CNN (trained above)",
    ].map(errorsOf);
    assert.ok(lrErrors > mlpErrors && mlpErrors > cnnErrors, `errors: ${lrErrors}, ${mlpErrors}, ${cnnErrors}`);
    assert.ok(
      num(
        /^logistic regression \(one softmax layer\): .*the CNN's gain: \d\.\d+ \[(-?\d\.\d+), /m.exec(images),
        1,
        "the CNN's gain",
      ) > 0,
    );
    assert.ok(
      lrErrors >= 1.5 * cnnErrors,
      `logistic regression makes over 1.5 times the CNN's errors: ${lrErrors} against ${cnnErrors}`,
    );
    const grid = /the CNN misclassifies (\d+) of 1000 validation digits .*logistic regression gets (\d+) of those/.exec(
      outputsOf(reportsDir, "04-train", "imageGrid("),
    );
    assert.ok(grid && Number(grid[2]) > Number(grid[1]) / 2, "most of the CNN's mistakes fool logistic regression too");
    // 04: the network written out layer by layer is the one cnn() built.
    assert.match(
      outputsOf(reportsDir, "04-train", "tf.sequential()"),
      /the same layers, shapes and weight count as the CNN cnn\(\) built: true/,
    );
  });
});
