/**
 * Calibration of drift()'s verdict on real tables: on i.i.d. splits it must raise an alarm (WARN or FAIL) at most
 * at its stated family-wise α, and it must still find a real shift (a 0.5 sd mean shift in one feature, a category
 * that disappears).
 */
import { strict as assert } from "assert";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { drift } from "../../lib/validate";
import { fisherExact } from "../../lib/validate/stats";
import { SeededRandom } from "../../lib/random";
import type { Matrix } from "../../lib/data/matrix";
import { binomialAllowance, iidSplit, realTable, rowsOf } from "./real-tables";

const ALPHA = 0.05;
const SEEDS = 40;
/** drift options of one run: the family-wise α and a seed for the permutation tests. */
const options = (seed: number): { alpha: number; seed: number } => ({ alpha: ALPHA, seed });

/** A matrix as a table, with one extra categorical column: `column`'s quartile ("q1".."q4") as text. */
function withCategory(X: Matrix, column: number, edges: number[]): ColumnTable {
  const cols: Record<string, unknown[]> = {};
  X.columns!.forEach((name, j) => (cols[name] = Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + j])));
  cols.band = Array.from({ length: X.rows }, (_, i) => {
    const v = X.data[i * X.cols + column];
    return `q${1 + edges.filter((e) => v > e).length}`;
  });
  return aq.table(cols);
}

function quartiles(X: Matrix, column: number): number[] {
  const v = Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + column]).sort((a, b) => a - b);
  return [0.25, 0.5, 0.75].map((q) => v[Math.floor(q * (v.length - 1))]);
}

describe("drift() is calibrated on real tables (lib/validate/drift)", function () {
  this.timeout(300000);

  it(`raises an alarm on at most α = ${ALPHA} of i.i.d. 70/15/15 splits (train vs test), over wine, breast cancer, diabetes and iris`, () => {
    const counts: Record<string, { fail: number; warn: number }> = {};
    let alarms = 0;
    let runs = 0;
    for (const name of ["wine", "breast_cancer", "diabetes", "iris"] as const) {
      const t = realTable(name);
      counts[name] = { fail: 0, warn: 0 };
      for (let seed = 0; seed < SEEDS; seed++) {
        const s = iidSplit(t.X.rows, seed);
        const result = drift(rowsOf(t.X, s.train), rowsOf(t.X, s.test), options(seed));
        runs++;
        if (result.verdict === "fail") counts[name].fail++;
        if (result.verdict === "warn") counts[name].warn++;
        if (result.verdict !== "pass") alarms++;
      }
    }
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(
      alarms <= allowed,
      `${alarms} alarms in ${runs} i.i.d. splits (allowed ${allowed} at α = ${ALPHA}): ${JSON.stringify(counts)}`,
    );
  });

  it("a categorical feature is calibrated too: no alarm beyond α on i.i.d. splits, by a permutation test", () => {
    const t = realTable("breast_cancer");
    const table = withCategory(t.X, 0, quartiles(t.X, 0));
    let alarms = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const s = iidSplit(t.X.rows, 100 + seed);
      const band = table.array("band") as string[];
      const ref = aq.table({ band: s.train.map((i) => band[i]) });
      const cur = aq.table({ band: s.test.map((i) => band[i]) });
      const result = drift(ref, cur, options(seed));
      assert.equal(result.feature("band").kind, "categorical");
      if (result.verdict !== "pass") alarms++;
    }
    const allowed = binomialAllowance(SEEDS, ALPHA);
    assert.ok(
      alarms <= allowed,
      `${alarms} alarms in ${SEEDS} i.i.d. splits of a categorical column (allowed ${allowed})`,
    );
  });

  it("finds a mean shift of 0.5 sd in one feature of breast cancer (train vs the other 30%), and flags only that feature", () => {
    const t = realTable("breast_cancer");
    const j = 7; // "mean concave points"
    let found = 0;
    let others = 0;
    for (let seed = 0; seed < 20; seed++) {
      const s = iidSplit(t.X.rows, seed);
      const ref = rowsOf(t.X, s.train);
      const cur = rowsOf(t.X, [...s.val, ...s.test]);
      const col = Array.from({ length: ref.rows }, (_, i) => ref.data[i * ref.cols + j]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / (col.length - 1));
      for (let i = 0; i < cur.rows; i++) cur.data[i * cur.cols + j] += 0.5 * sd;
      const result = drift(ref, cur, options(seed));
      if (result.feature(t.X.columns![j]).verdict !== "pass") found++;
      others += result.features.filter((f) => f.feature !== t.X.columns![j] && f.verdict !== "pass").length;
    }
    assert.ok(found >= 18, `the 0.5 sd shift was found in ${found} of 20 splits`);
    assert.ok(others <= 2, `${others} unshifted features were flagged in 20 splits`);
  });

  it("draws a PSI bar above the drift line that the test did not find significant as 'not significant', never as drift", () => {
    // 12 unshifted current rows: their PSI over 10 reference bins is large from sampling noise alone.
    const t = realTable("breast_cancer");
    const s = iidSplit(t.X.rows, 3);
    const result = drift(rowsOf(t.X, s.train), rowsOf(t.X, s.test.slice(0, 12)), options(3));
    const bars = result.figures[0].data[0] as { y: number[]; text: string[]; cliponaxis?: boolean };
    assert.equal(bars.cliponaxis, false, "the tallest bar's label is drawn above the plot area, not cut off");
    const lines = result.figures[0].data.slice(1).map((d) => String((d as { name: string }).name));
    assert.deepEqual(lines, ["moderate PSI (0.1)", "drift if significant (PSI 0.25)"]);
    const noisy = result.features.filter((f) => f.verdict === "pass" && f.psi >= 0.25);
    assert.ok(noisy.length > 0, "no feature of the 12-row sample has a PSI above 0.25");
    result.features.forEach((f, i) => {
      assert.equal(bars.y[i], f.psi);
      const expected =
        f.verdict === "fail" ? "drift" : f.verdict === "warn" ? "watch" : f.psi >= 0.1 ? "not significant" : "";
      assert.equal(bars.text[i], expected, `${f.feature}: ${f.verdict}, PSI ${f.psi}`);
    });
  });

  it("finds a category that disappears from the current data", () => {
    const t = realTable("wine");
    const table = withCategory(t.X, 12, quartiles(t.X, 12));
    let found = 0;
    for (let seed = 0; seed < 20; seed++) {
      const s = iidSplit(t.X.rows, seed);
      const band = table.array("band") as string[];
      const ref = aq.table({ band: s.train.map((i) => band[i]) });
      const cur = aq.table({ band: [...s.val, ...s.test].map((i) => band[i]).filter((b) => b !== "q2") });
      const row = drift(ref, cur, options(seed)).feature("band");
      if (row.verdict === "fail") found++;
    }
    assert.ok(found >= 19, `a vanished category was a drift FAIL in ${found} of 20 splits`);
  });

  it("compares the share of missing values: calibrated when values are missing at random, and finds a column that starts missing", () => {
    // Fisher's exact test, as scipy.stats.fisher_exact(table)[1].
    const cases: [number, number, number, number, number][] = [
      [3, 97, 12, 88, 0.028671314973177094],
      [0, 50, 5, 45, 0.05628449442882433],
      [10, 10, 10, 10, 1],
      [1, 9, 11, 3, 0.0027594561852200836],
    ];
    for (const [a, b, c, d, p] of cases)
      assert.ok(
        Math.abs(fisherExact(a, b, c, d) - p) < 1e-9,
        `fisher ${[a, b, c, d]}: ${fisherExact(a, b, c, d)} vs scipy ${p}`,
      );
    const t = realTable("breast_cancer");
    const withGaps = (X: Matrix, seed: number, rate: number, column: number): Matrix => {
      const rng = new SeededRandom(seed, 41);
      const data = Float64Array.from(X.data);
      for (let i = 0; i < X.rows; i++) if (rng.next() < rate) data[i * X.cols + column] = NaN;
      return { ...X, data };
    };
    let alarms = 0;
    let found = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      // 10% of one column missing completely at random, before the split: no drift.
      const X = withGaps(t.X, seed, 0.1, 3);
      const s = iidSplit(t.X.rows, 200 + seed);
      if (drift(rowsOf(X, s.train), rowsOf(X, s.test), options(seed)).verdict !== "pass") alarms++;
      // The current data loses 40% of another column (a broken sensor): drift.
      const cur = withGaps(rowsOf(t.X, [...s.val, ...s.test]), seed, 0.4, 5);
      const row = drift(rowsOf(t.X, s.train), cur, options(seed)).feature(t.X.columns![5]);
      if (row.verdict === "fail" && /missing/.test(row.note)) found++;
    }
    assert.ok(
      alarms <= binomialAllowance(SEEDS, ALPHA),
      `${alarms} alarms in ${SEEDS} splits with values missing at random`,
    );
    assert.ok(found >= SEEDS - 1, `a column going 40% missing was a drift FAIL in ${found} of ${SEEDS} splits`);
  });
});
