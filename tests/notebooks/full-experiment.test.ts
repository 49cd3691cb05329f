/**
 * 00-full-experiment, executed in fast mode (as CI runs it) with the exercises answered: the lessons its prose draws
 * hold in the outputs, its run records hold the settings that ran (issue 15, item 7), and the exercise checks say
 * right and wrong.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../lib/report/environment";
import { listRuns } from "../../lib/report/runs";
import { runNotebook } from "../../lib/report/run-notebooks";

interface Cell { cell_type: string; id?: string; source: string | string[]; outputs?: { text?: string | string[]; data?: Record<string, string | string[]> }[] }

const root = projectRoot();
const text = (cell: Cell): string => (cell.outputs ?? []).map((o) => [o.text ?? o.data?.["text/plain"] ?? ""].flat().join("")).join("\n");
const source = (cell: Cell): string => [cell.source].flat().join("");

describe("notebooks/00-full-experiment: executed with the exercises answered (fast mode)", function () {
  this.timeout(600000);
  const work = fs.mkdtempSync(path.join(root, "dist", "tests", "notebooks", "full-experiment-"));
  const runsDir = path.join(work, "runs");
  let cells: Cell[];

  before(async () => {
    const nb = JSON.parse(fs.readFileSync(path.join(root, "notebooks", "00-full-experiment.ipynb"), "utf8")) as { cells: Cell[] };
    const answers: Record<string, string> = { answer1: "history.epochs.length", answer2: "\"MLP\"", answer3: "1 / ytest.length + 0.1" };
    for (const cell of nb.cells) {
      for (const [name, value] of Object.entries(answers)) {
        const src = source(cell);
        if (src.includes(`let ${name}:`)) cell.source = src.replace(new RegExp(`(let ${name}: [^=]+= )undefined;`), `$1${value};`);
      }
    }
    const copy = path.join(work, "00-full-experiment.ipynb");
    fs.writeFileSync(copy, JSON.stringify(nb, null, 1));
    const run = await runNotebook(copy, { reportsDir: path.join(work, "reports"), fast: true, env: { TRAINLAB_RUNS_DIR: runsDir } });
    assert.equal(run.status, "ok", JSON.stringify(run));
    cells = (JSON.parse(fs.readFileSync(path.join(work, "reports", "00-full-experiment.ipynb"), "utf8")) as { cells: Cell[] }).cells;
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  const outputOf = (marker: string): string => {
    const found = cells.filter((c) => c.cell_type === "code" && source(c).includes(marker));
    assert.ok(found.length > 0, `a code cell containing ${JSON.stringify(marker)}`);
    return found.map(text).join("\n");
  };

  it("picks by 03's rule: the simplest model within the fold-to-fold noise of the best, not the top row", () => {
    const out = outputOf("const simplestFirst");
    const rows = [...out.matchAll(/^(logistic regression|random forest|MLP)\s+F1 (\d\.\d+) ± (\d\.\d+)/gm)].map((m) => ({ model: m[1], mean: Number(m[2]), std: Number(m[3]) }));
    assert.equal(rows.length, 3, out);
    const best = rows.reduce((a, b) => (b.mean > a.mean ? b : a));
    const tied = rows.filter((r) => best.mean - r.mean <= Math.max(best.std, r.std) + 1e-4).map((r) => r.model);
    const simplest = ["logistic regression", "random forest", "MLP"].find((m) => tied.includes(m));
    assert.match(out, new RegExp(`choice: ${simplest} `));
    // The conclusion's claim for the default parameters.
    assert.equal(simplest, "logistic regression");
    assert.match(outputOf("const fitted = {"), /picked: logistic regression \(by the cross-validation rule above\)/);
  });

  it("the conclusion's numbers: the MLP's validation edge is at most one row, and the test split has 35 rows", () => {
    const val = outputOf("const fitted = {");
    const wrong = Object.fromEntries([...val.matchAll(/^(logistic regression|random forest|MLP)\s+validation F1 \d\.\d+, (\d+) of 69 rows wrong/gm)].map((m) => [m[1], Number(m[2])]));
    assert.equal(Object.keys(wrong).length, 3, val);
    assert.ok(wrong["logistic regression"] - wrong.MLP <= 1, `the MLP's validation edge is at most one row: ${JSON.stringify(wrong)}`);
    assert.match(outputOf("const testWrong"), /test split: 35 rows, \d+ wrong; one row is 0\.029 of accuracy/);
    // 35 rows cannot confirm accuracy ≥ 0.95 (even 35 of 35 has a Wilson lower bound of 0.90): the scorecard says "????".
    const card = /^(PASS|FAIL|\?\?\?\?)\s+accuracy ≥ 0\.95: [\d.]+ \(95% CI ([\d.]+)–/m.exec(outputOf("goals.check("));
    assert.ok(card, "the scorecard judges accuracy on its interval");
    assert.ok(card[1] === "????" && Number(card[2]) < 0.95, card[0]);
  });

  it("records every model with the parameters that ran: the MLP's epochs, batch size, epochs run and stop reason", () => {
    const mlpRun = listRuns({ dir: runsDir, name: "full-penguins-MLPClassifier" }).pop();
    assert.ok(mlpRun, "a recorded MLP run");
    assert.equal(mlpRun.params.epochs, 30, "fast mode's epoch limit from the parameters cell, not the model default 20");
    assert.equal(mlpRun.params.batchSize, 16);
    assert.equal(mlpRun.params.earlyStoppingPatience, 15);
    assert.equal(mlpRun.params.epochsRun, mlpRun.history.length);
    assert.ok(Number(mlpRun.params.epochsRun) <= 30);
    assert.ok(["completed", "early-stopping"].includes(String(mlpRun.params.stopReason)));
    const logreg = listRuns({ dir: runsDir, name: "full-penguins-LogisticRegression" }).pop();
    assert.ok(logreg && !("epochs" in logreg.params), "no epoch count on a model that has no epochs");
    assert.match(outputOf("let answer1"), new RegExp(`1\\. Epochs the MLP trained: RIGHT`));
  });

  it("the exercise checks say right and wrong", () => {
    assert.match(outputOf("let answer2"), /2\. The rule's pick when the MLP leads by 0\.02: RIGHT/);
    assert.match(outputOf("let answer3"), /3\. The accuracy cost of one test row: WRONG\. Your answer was [\d.]+\. Hint: one row out of how many test rows\?/);
  });
});
