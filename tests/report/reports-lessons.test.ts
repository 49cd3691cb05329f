/**
 * The executed notebooks of the shared fast `npm start` run (./fast-run.ts) show what they teach: tuning improves on
 * the defaults, early stopping's hint, the row-preserving feature pipeline, and the lessons 05 and 06 draw (issue 15):
 * a binary trade-off, a threshold chosen on validation, intervals, fairness, drift and retraining.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadCSV } from "../../lib/data/load";
import { Pipeline } from "../../lib/data/pipeline";
import { RunRecord, listRuns } from "../../lib/report/runs";
import { fastRun, outputsOf, reportsDir, runsDir } from "./fast-run";

describe("reports: `npm start` executes every notebook and renders it (fast mode)", function () {
  this.timeout(480000);

  before(async function () {
    this.timeout(420000);
    await fastRun();
  });

  it("the executed notebooks show their lessons: tuning beats the defaults, early stopping's hint, a row-preserving pipeline", async () => {
    // 05: each model is scored on the validation split with its defaults and after the search, and recorded as a run.
    const latest = (name: string): RunRecord => {
      const found = listRuns({ name, dir: runsDir })
        .filter((r) => r.name === name)
        .pop();
      assert.ok(found, `05-evaluate-tune recorded a run "${name}"`);
      return found;
    };
    for (const [before, after] of [
      ["tune-logreg-default", "tune-logreg-grid"],
      ["tune-tree-default", "tune-tree-random"],
    ]) {
      const [b, a] = [latest(before).metrics, latest(after).metrics];
      assert.ok(
        a.val_log_loss < b.val_log_loss,
        `${after}: validation log loss ${a.val_log_loss} is lower than ${before}'s ${b.val_log_loss}`,
      );
    }
    assert.notEqual(
      latest("tune-logreg-grid").params.C,
      latest("tune-logreg-default").params.C,
      "the grid search moved C off the default",
    );
    assert.match(
      outputsOf(reportsDir, "05-evaluate-tune", "beforeAfter("),
      /logistic regression, default → grid-searched C: validation log loss \d\.\d+ → \d\.\d+ \(-\d+%\)/,
    );

    // 04: the regularised MLP stops early; its hint agrees with the lesson. The chosen classical model gets a learning curve.
    const fixed = outputsOf(reportsDir, "04-train", 'earlyStopping: { monitor: "val_loss"');
    assert.match(fixed, /stopped: early-stopping after \d+ epochs/);
    assert.match(fixed, /More epochs would not help/);
    assert.doesNotMatch(fixed, /More epochs may help/);
    assert.match(
      outputsOf(reportsDir, "04-train", "learningCurve("),
      /Learning curve of \w+ \(pipeline\)[\s\S]*training rows\s+train f1_macro\s+validation f1_macro/,
    );

    // 02: duplicates were removed before the split, the checklist says so from the record, and the saved feature
    // pipeline keeps one row per input row (a repeated test row stays two rows).
    assert.match(
      outputsOf(reportsDir, "02-prepare-data", "prep.checklist("),
      /\[x\] clean \(duplicates, missing values\): dropDuplicates removed \d+ duplicate row\(s\) of \d+ from the whole table before the split/,
    );
    const features = Pipeline.fromJSON(fs.readFileSync(path.join(runsDir, "prep", "features.json"), "utf8"));
    assert.equal(features.preservesRows, true);
    assert.ok(
      !features.steps.some((step) => step.kind === "DropDuplicates"),
      "no DropDuplicates step in the production pipeline",
    );
    const test = await loadCSV(path.join(runsDir, "prep", "test.csv"));
    const repeated = test.concat(test.slice(0, 1));
    assert.equal(features.transform(repeated).numRows(), test.numRows() + 1);
  });

  it("05 and 06 show the lessons their prose draws (issue 15): a binary trade-off, a threshold chosen on validation, intervals, fairness, drift → retrain", () => {
    // 05: the binary task is not saturated: its ROC AUC is below 0.99, so the curves show a trade-off.
    const auc = /roc_auc\s+(\d\.\d+)\s+\[(\d\.\d+), (\d\.\d+)\]/.exec(
      outputsOf(reportsDir, "05-evaluate-tune", "evaluateModel(wageModel"),
    );
    assert.ok(auc, "05 prints the binary task's ROC AUC with its interval");
    assert.ok(Number(auc[1]) < 0.99 && Number(auc[1]) > 0.6, `binary ROC AUC ${auc[1]} is between 0.6 and 0.99`);
    // 05: with a miss costing 4 false alarms, the cheapest threshold is below 0.5, finds more low-paid workers and costs less.
    const sweep = outputsOf(reportsDir, "05-evaluate-tune", "const costMiss = 4");
    const line = (label: string) =>
      new RegExp(`^${label}\\s+threshold (\\d\\.\\d+): flags \\d+, recall (\\d\\.\\d+) .* cost (\\d+)$`, "m").exec(
        sweep,
      );
    const [atHalf, cheapest] = [line("default"), line("cheapest")];
    assert.ok(atHalf && cheapest, sweep);
    assert.equal(atHalf[1], "0.50");
    assert.ok(Number(cheapest[1]) < 0.5, `chosen threshold ${cheapest[1]} is below 0.5`);
    assert.ok(Number(cheapest[2]) > Number(atHalf[2]), "the lower threshold has the higher recall");
    assert.ok(Number(cheapest[3]) < Number(atHalf[3]), "and the lower cost on validation");
    // 05: each tuning gain is read from its paired interval, and the reading matches the interval.
    const gains = [
      ...outputsOf(reportsDir, "05-evaluate-tune", "const rowLogLoss =").matchAll(
        /drops by (-?\d\.\d+) \(paired 95% bootstrap interval \[(-?\d\.\d+), (-?\d\.\d+)\]\): (.+)$/gm,
      ),
    ];
    assert.equal(gains.length, 2, "two paired intervals");
    for (const [, , lo, , reading] of gains) assert.equal(/above 0/.test(reading), Number(lo) > 0, reading);
    assert.match(
      outputsOf(reportsDir, "05-evaluate-tune", "const tiedDraws ="),
      /\d+ of \d+ draws are within one standard error of it/,
    );
    // 05: scored by macro-F1 the grid is saturated: several values of C are tied with the best, and the line says so.
    const f1Tie = /^(\d+) of 7 values of C are tied with the best \(C = [\d.]+\) by 03's rule: (.+)$/m.exec(
      outputsOf(reportsDir, "05-evaluate-tune", "const tiedF1 ="),
    );
    assert.ok(f1Tie, "05 counts the values of C tied on macro-F1");
    assert.ok(Number(f1Tie[1]) >= 2, `macro-F1 is saturated: ${f1Tie[1]} value(s) of C tied with the best`);
    assert.equal(/cannot choose/.test(f1Tie[2]), Number(f1Tie[1]) > 1, f1Tie[2]);
    // 05: the scorecard judges the kept model with its intervals: accuracy passes only when its lower bound meets 0.95.
    const kept = /^(PASS|FAIL|\?\?\?\?)\s+accuracy ≥ 0\.95: [\d.]+ \(95% CI ([\d.]+)–/m.exec(
      outputsOf(reportsDir, "05-evaluate-tune", "keptEvaluation"),
    );
    assert.ok(kept, "05's scorecard shows the kept model's accuracy with its interval");
    assert.equal(kept[1] === "PASS", Number(kept[2]) >= 0.95, kept[0]);
    // 06: the holdout shows an interval, and the digit holdout runs before the adversarial attack uses the images.
    assert.match(
      outputsOf(reportsDir, "06-validate", "const final = await holdout("),
      /accuracy 0\.\d+ \(95% CI \[0\.\d+, [01]\.\d+\], wilson\)/,
    );
    assert.match(
      outputsOf(reportsDir, "06-validate", "const digitHoldout = await holdout("),
      /^accuracy 0\.\d+ \(95% CI[\s\S]*Adversarial robustness/,
    );
    // 06: an all-correct group gets a Wilson interval that is not the degenerate [1, 1].
    for (const [, right, n, lo] of outputsOf(reportsDir, "06-validate", "wilsonInterval(right, rows.length)").matchAll(
      /: (\d+) of (\d+) right, Wilson 95% interval \[(\d\.\d+), /g,
    )) {
      if (right === n) assert.ok(Number(lo) < 1, `${right}/${n} has a lower bound below 1`);
    }
    // 06: fairness: per-sex rates with intervals, and a recall gap whose reading matches its interval.
    const fairness = outputsOf(reportsDir, "06-validate", "recallGapCi");
    const gap =
      /recall gap \(women − men\): (-?\d\.\d+), 95% bootstrap interval \[(-?\d\.\d+), (-?\d\.\d+)\]: (.+)$/m.exec(
        fairness,
      );
    assert.ok(gap, fairness);
    assert.ok(Number(gap[2]) <= Number(gap[1]) && Number(gap[1]) <= Number(gap[3]), "the gap lies in its interval");
    assert.equal(/beyond the noise/.test(gap[4]), Number(gap[2]) > 0 || Number(gap[3]) < 0, gap[4]);
    assert.match(fairness, /female\s+\d+\s+0\.\d\d \[0\.\d\d, [01]\.\d\d\]/, "rates with Wilson intervals");
    // 06's prose: the test AUC is lower than 05's validation AUC, and the two intervals overlap.
    const testAuc = /ROC AUC (\d\.\d+) \[(\d\.\d+), (\d\.\d+)\]/.exec(fairness);
    assert.ok(testAuc, fairness);
    assert.ok(
      Number(testAuc[1]) < Number(auc[1]) && Number(testAuc[3]) > Number(auc[2]),
      `test AUC ${testAuc[0]} against validation ${auc[0]}`,
    );
    // 06: drift → retrain: the drift check fires on the new colony, and retraining recovers accuracy beyond both intervals.
    const colony = outputsOf(reportsDir, "06-validate", "fitColonies(firstColonies.concat(dreamLabelled))");
    assert.match(colony, /Data drift \(reference vs current\): FAIL/);
    const retrain =
      /before retraining (\d\.\d+) \[(\d\.\d+), (\d\.\d+)\]; after retraining with \d+ labelled Dream rows (\d\.\d+) \[(\d\.\d+), (\d\.\d+)\]/.exec(
        colony,
      );
    assert.ok(retrain, colony);
    assert.ok(
      Number(retrain[5]) > Number(retrain[3]),
      `after ${retrain[4]} [${retrain[5]}, …] is above before's upper bound ${retrain[3]}`,
    );
    // 06: importance ranks one-hot variables as one feature each.
    const importance = outputsOf(reportsDir, "06-validate", "groups: { island:");
    assert.doesNotMatch(importance, /island_(Biscoe|Dream|Torgersen)/);
    assert.match(importance, /correlation of flipper length and body mass on the training rows: r = 0\.[89]\d/);
  });
});
