/**
 * Specification of lib/goals: goals defined, saved, loaded and checked into a scorecard.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Goals, defineGoals, loadGoals, metricDirection } from "../../lib/goals";
import { wilsonInterval } from "../../lib/evaluate/intervals";

const DISPLAY = Symbol.for("Jupyter.display");
type Bundle = Record<string, unknown>;
const render = (value: unknown): Bundle => (value as Record<symbol, () => Bundle>)[DISPLAY]();

function penguinGoals(): Goals {
  return defineGoals({
    task: "classification",
    dataset: "penguins",
    label: "species",
    metric: "accuracy",
    target: 0.95,
    goals: [
      { metric: "f1_macro", target: 0.93, why: "every species matters, Chinstrap is the rare one" },
      { metric: "log_loss", target: 0.3 },
    ],
    constraints: { maxLatencyMs: 5, maxModelBytes: 100_000, maxTrainingSeconds: 60, minTrainingRows: 200 },
  });
}

function loadGoalsRoundTrip(goals: Goals): Goals {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-goals-"));
  const file = path.join(dir, "goals.json");
  fs.writeFileSync(file, JSON.stringify(goals.toJSON()));
  const loaded = loadGoals(file);
  fs.rmSync(dir, { recursive: true, force: true });
  return loaded;
}

describe("goals (lib/goals)", () => {
  it("infers each goal's direction from its metric", () => {
    const goals = penguinGoals();
    assert.deepEqual(
      goals.goals.map((g) => [g.metric, g.target, g.direction]),
      [
        ["accuracy", 0.95, "higher"],
        ["f1_macro", 0.93, "higher"],
        ["log_loss", 0.3, "lower"],
      ],
    );
    assert.equal(metricDirection("rmse"), "lower");
    assert.equal(metricDirection("ROC AUC"), "higher");
    assert.equal(metricDirection("r2"), "higher");
    assert.equal(metricDirection("brier_score"), "lower");
    assert.equal(metricDirection("happiness"), undefined);
  });

  it("checks results into a scorecard: pass/fail per goal with the measured value", () => {
    const card = penguinGoals().check(
      { metrics: { accuracy: 0.97, f1Macro: 0.91, logLoss: 0.12 } },
      { measurements: () => ({ latencyMs: 0.8, modelBytes: 2048, parameters: 15 }) },
      { trainingSeconds: 3.5, trainingRows: 240 },
    );
    const byName = Object.fromEntries(card.rows.map((r) => [r.name, r]));
    assert.equal(byName.accuracy.status, "pass");
    assert.equal(byName.accuracy.measured, 0.97);
    assert.equal(byName.f1_macro.status, "fail");
    assert.equal(byName.f1_macro.measured, 0.91);
    assert.equal(byName.log_loss.status, "pass");
    assert.equal(byName.latencyMs.status, "pass");
    assert.equal(byName.modelBytes.status, "pass");
    assert.equal(byName.trainingSeconds.status, "pass");
    assert.equal(byName.trainingRows.status, "pass");
    assert.equal(card.passed, false);
    assert.equal(card.verdict, "fail");
    assert.deepEqual(
      card.failures.map((r) => r.name),
      ["f1_macro"],
    );
  });

  it("reads lib/evaluate-style results: toJSON() records and {metric, model} rows", () => {
    const goals = defineGoals({
      task: "classification",
      metric: "accuracy",
      target: 0.9,
      goals: [{ metric: "f1_macro", target: 0.9 }],
    });
    const evaluation = { modelName: "m", samples: 100, toJSON: () => ({ accuracy: 0.93, f1_macro: 0.88 }) };
    assert.deepEqual(
      goals.check(evaluation).rows.map((r) => [r.measured, r.status]),
      [
        [0.93, "pass"],
        [0.88, "fail"],
      ],
    );
    const rows = {
      metrics: [
        { metric: "accuracy", model: 0.95, baseline: 0.4 },
        { metric: "f1_macro", model: 0.91, baseline: 0.2 },
      ],
    };
    assert.equal(goals.check(rows).verdict, "pass");
  });

  it("a threshold is inclusive, and a missing measurement is 'not measured', not a pass", () => {
    const goals = defineGoals({ task: "regression", metric: "rmse", target: 3, constraints: { maxLatencyMs: 2 } });
    const card = goals.check({ rmse: 3 });
    assert.equal(card.rows[0].status, "pass");
    assert.equal(card.rows[1].status, "not measured");
    assert.equal(card.rows[1].measured, null);
    assert.equal(card.verdict, "incomplete");
    assert.equal(goals.check({ rmse: 3.01, latencyMs: 1 }).verdict, "fail");
    assert.equal(goals.check({ rmse: 2.5, latencyMs: 1 }).verdict, "pass");
  });

  it("renders the scorecard as an HTML table with the verdict", () => {
    const card = penguinGoals().check({
      accuracy: 0.97,
      f1_macro: 0.95,
      log_loss: 0.2,
      latencyMs: 1,
      modelBytes: 10,
      trainingSeconds: 1,
      trainingRows: 300,
    });
    const bundle = render(card);
    const html = bundle["text/html"] as string;
    assert.match(html, /<table>/);
    assert.match(html, /PASS/);
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 7);
    assert.match(html, /0\.97/);
    assert.match(html, /Chinstrap is the rare one/);
    assert.match(bundle["text/plain"] as string, /PASS {2}accuracy ≥ 0\.95: 0\.97/);
    assert.match(render(penguinGoals())["text/html"] as string, /predicting <code>species<\/code>/);
  });

  it("saves to JSON atomically and loads back the same goals", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-goals-"));
    const file = path.join(dir, "runs", "goals.json");
    const goals = penguinGoals();
    await goals.save(file);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["goals.json"], "no temp file left behind");
    const loaded = loadGoals(file);
    assert.deepEqual(loaded.toJSON(), goals.toJSON());
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")).goals[2], {
      metric: "log_loss",
      target: 0.3,
      direction: "lower",
    });
    const results = { accuracy: 0.96, f1_macro: 0.94, log_loss: 0.2 };
    assert.deepEqual(loaded.check(results).rows, goals.check(results).rows);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("judges a goal on its confidence interval's pessimistic end by default: 0.9714 on 35 rows does not prove ≥ 0.95", () => {
    // 34 of 35 right: Wilson's 95% interval is about 0.85–0.99.
    const holdoutLike = {
      measurements: () => ({ accuracy: 34 / 35, rmse: 2.9 }),
      intervalsOf: () => ({ accuracy: wilsonInterval(34, 35), rmse: { lower: 2.5, upper: 3.4 } }),
    };
    const strict = defineGoals({
      task: "classification",
      metric: "accuracy",
      target: 0.95,
      goals: [{ metric: "rmse", target: 3 }],
    });
    assert.equal(strict.judgeOn, "lower");
    const card = strict.check(holdoutLike);
    assert.equal(card.rows[0].status, "inconclusive");
    assert.equal(card.rows[0].judgedOn, "lower");
    assert.ok(
      Math.abs((card.rows[0].interval?.lower as number) - 0.8547) < 1e-4,
      JSON.stringify(card.rows[0].interval),
    );
    assert.equal(card.rows[1].status, "inconclusive", "rmse is judged on its upper bound");
    assert.equal(card.passed, false);
    assert.equal(card.verdict, "incomplete", "inconclusive is never a pass, and not a miss either");
    assert.match(
      card.toString(),
      /\?\?\?\? {2}accuracy ≥ 0\.95: 0\.9714 \(95% CI 0\.85\d*–0\.99\d*, judged on the bound\)/,
    );
    assert.match(render(card)["text/html"] as string, /inconclusive/);
    // The point estimate alone, when asked for.
    const lenient = defineGoals({ task: "classification", metric: "accuracy", target: 0.95, judgeOn: "point" });
    assert.equal(lenient.check(holdoutLike).rows[0].status, "pass");
    // With enough rows the whole interval clears the target: 990 of 1000.
    assert.equal(
      strict.check({
        measurements: () => ({ accuracy: 0.99, rmse: 2 }),
        intervalsOf: () => ({ accuracy: wilsonInterval(990, 1000) }),
      }).rows[0].status,
      "pass",
    );
    // A point estimate that misses is a fail, whatever the interval.
    assert.equal(
      strict.check({
        measurements: () => ({ accuracy: 0.9 }),
        intervalsOf: () => ({ accuracy: wilsonInterval(90, 100) }),
      }).rows[0].status,
      "fail",
    );
    assert.throws(
      () => defineGoals({ task: "x", metric: "accuracy", target: 0.9, judgeOn: "upper" as never }),
      /judgeOn must be "lower"/,
    );
    assert.equal(loadGoalsRoundTrip(lenient).judgeOn, "point");
  });

  it("rejects bad definitions with a message that says what to do", () => {
    assert.throws(() => defineGoals({ task: "" }), /"task" is required/);
    assert.throws(() => defineGoals({ task: "classification" }), /at least one goal/);
    assert.throws(() => defineGoals({ task: "classification", metric: "accuracy" }), /needs a "target"/);
    assert.throws(() => defineGoals({ task: "classification", target: 0.9 }), /without "metric"/);
    assert.throws(
      () => defineGoals({ task: "x", metric: "happiness", target: 1 }),
      /pass direction: "higher" or "lower"/,
    );
    assert.ok(defineGoals({ task: "x", metric: "happiness", target: 1, direction: "higher" }));
    assert.throws(() => defineGoals({ task: "x", metric: "accuracy", target: NaN }), /finite number/);
    assert.throws(
      () => defineGoals({ task: "x", constraints: { maxLatency: 3 } as never }),
      /unknown constraint "maxLatency"/,
    );
    assert.throws(() => loadGoals("/nonexistent/goals.json"), /Cannot read goals from \/nonexistent\/goals.json/);
  });
});
