/**
 * The README's performance table quotes the benches' saved results, not numbers copied by hand (issue 18): the block
 * between its markers is exactly what bench/tools/performance-table.ts builds from bench/results/*.json, every goal
 * row names its ratio, goal, verdict and the date, machine and load of the run, and a ratio is called "met" only when
 * it meets its goal.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  PERFORMANCE_GOALS,
  TABLE_END,
  TABLE_START,
  performanceTable,
  withTable,
} from "../../bench/tools/performance-table";
import { projectRoot } from "../../lib/report/environment";

const root = projectRoot();

describe("README performance table (issue 18)", () => {
  it("is exactly the table built from bench/results/*.json (rerun `node dist/bench/tools/performance-table.js --write` after a bench)", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    assert.equal(readme, withTable(readme, performanceTable(root)));
  });

  it("has one row per goal, each with a value or an explicit 'not measured', and a run stamp", () => {
    const rows = performanceTable(root).split("\n").slice(2);
    assert.equal(rows.length, PERFORMANCE_GOALS.length);
    for (const row of rows)
      assert.match(
        row,
        /\| (\d+(\.\d+)?× \| [≤≥] [\d.]+× \| (met|\*\*not met\*\*) \| \d{4}-\d\d-\d\d, \d+ × |not measured \|)/,
        row,
      );
  });

  it("judges each ratio against its goal in the right direction", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perf-table-"));
    try {
      fs.mkdirSync(path.join(dir, "bench", "results"), { recursive: true });
      const run = {
        date: "2026-12-05T00:00:00Z",
        cpu: "Test CPU",
        cores: 2,
        load_average_start: 1,
        load_average_end: 2,
        commit: "abc",
      };
      fs.writeFileSync(
        path.join(dir, "bench", "results", "models.json"),
        JSON.stringify({ run, ratio_hgb_fit_time_1_thread: 0.95, ratio_hgb_fit_time_2_threads: 1.2 }),
      );
      fs.writeFileSync(
        path.join(dir, "bench", "results", "models-nn.json"),
        JSON.stringify({ run, ratio_mlp_vs_torch: 0.9, ratio_cnn_vs_torch: 1.1 }),
      );
      const rows = performanceTable(dir).split("\n");
      const row = (work: string): string =>
        rows.find((r) => r.startsWith(`| ${work} |`)) ?? assert.fail(`no row for ${work}`);
      assert.match(
        row(PERFORMANCE_GOALS[0].work),
        /0\.95× \| ≤ 1× \| met \| 2026-12-05, 2 × Test CPU, load 1\.0 → 2\.0, commit abc/,
      );
      assert.match(row(PERFORMANCE_GOALS[1].work), /1\.20× \| ≤ 1× \| \*\*not met\*\*/);
      assert.match(row("`mlp()` estimator training"), /0\.90× \| ≥ 1× \| \*\*not met\*\*/);
      assert.match(row("`cnn()` estimator training"), /1\.10× \| ≥ 1× \| met/);
      assert.match(row("1M-row CSV load"), /not measured/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stamps a part run on its own (training sequence) with that part's date and load, not the file's older run", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perf-table-"));
    try {
      fs.mkdirSync(path.join(dir, "bench", "results"), { recursive: true });
      const old = {
        date: "2026-11-30T00:00:00Z",
        cpu: "Old CPU",
        cores: 2,
        load_average_start: 2,
        load_average_end: 1,
        commit: "old",
      };
      const now = {
        date: "2026-12-05T06:00:00Z",
        cpu: "New CPU",
        cores: 2,
        load_average_start: 6,
        load_average_end: 7,
        commit: "new",
      };
      fs.writeFileSync(
        path.join(dir, "bench", "results", "training.json"),
        JSON.stringify({
          run: old,
          ratio_mlp128_native_vs_torch_tuned: 0.7,
          ratio_lstm_native_vs_torch_tuned: 1.8,
          sequence: { date: now.date, loadavg_start: 6, loadavg_end: 7 },
          run_sequence: now,
        }),
      );
      const rows = performanceTable(dir).split("\n");
      assert.match(
        rows.find((r) => r.includes("MLP batch 128")) ?? "",
        /2026-11-30, 2 × Old CPU, load 2\.0 → 1\.0, commit old/,
      );
      assert.match(
        rows.find((r) => r.includes("LSTM")) ?? "",
        /1\.80× .* 2026-12-05, 2 × New CPU, load 6\.0 → 7\.0, commit new/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a README without the markers", () => {
    assert.throws(
      () => withTable("# no table here\n", "| a |"),
      new RegExp(TABLE_START.slice(0, 30).replace(/[.*+?^${}()|[\]\\`]/g, "\\$&")),
    );
    assert.ok(TABLE_END.length > 0);
  });
});
