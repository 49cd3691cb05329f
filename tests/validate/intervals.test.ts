/**
 * Confidence intervals of headline numbers (lib/evaluate/intervals): Wilson's interval and the normal quantile
 * against scipy 1.10 (`binomtest(k, n).proportion_ci(method="wilson")`, `norm.ppf`), and the bootstrap's coverage.
 */
import { strict as assert } from "assert";
import { bootstrapInterval, normalQuantile, wilsonInterval } from "../../lib/evaluate/intervals";
import { evaluateModel } from "../../lib/evaluate";
import { defineGoals } from "../../lib/goals";
import { LinearRegression, LogisticRegression } from "../../lib/models/linear";
import { SeededRandom } from "../../lib/random";
import { iidSplit, realTable, rowsOf } from "./real-tables";

// [successes, n, confidence, scipy low, scipy high]
const WILSON: [number, number, number, number, number][] = [
  [34, 35, 0.95, 0.8546691276638633, 0.9949385081445558],
  [34, 35, 0.9, 0.8816029615908947, 0.9935999124951356],
  [34, 35, 0.99, 0.795967723520482, 0.9966366226901576],
  [6, 7, 0.95, 0.4868721707256811, 0.9743203756552565],
  [0, 10, 0.95, 0.0, 0.27753279986288926],
  [10, 10, 0.95, 0.7224672001371109, 1.0],
  [990, 1000, 0.95, 0.9816905311296852, 0.9945592455544706],
  [990, 1000, 0.99, 0.9780707139163345, 0.9954699444783268],
  [1, 2, 0.95, 0.09453120573423074, 0.9054687942657693],
];

describe("confidence intervals (lib/evaluate/intervals)", () => {
  it("the normal quantile matches scipy.stats.norm.ppf", () => {
    const cases: [number, number][] = [
      [0.975, 1.959963984540054],
      [0.95, 1.6448536269514722],
      [0.995, 2.5758293035489004],
      [0.001, -3.090232306167813],
      [0.5, 0],
      [0.2, -0.8416212335729142],
    ];
    for (const [p, q] of cases)
      assert.ok(Math.abs(normalQuantile(p) - q) < 1e-8, `ppf(${p}) = ${normalQuantile(p)}, scipy ${q}`);
    assert.throws(() => normalQuantile(1), /strictly between 0 and 1/);
  });

  it("Wilson's interval matches scipy's binomtest(...).proportion_ci(method='wilson')", () => {
    for (const [k, n, c, lo, hi] of WILSON) {
      const ci = wilsonInterval(k, n, c);
      assert.ok(
        Math.abs(ci.lower - lo) < 1e-8 && Math.abs(ci.upper - hi) < 1e-8,
        `${k}/${n} at ${c}: [${ci.lower}, ${ci.upper}] vs scipy [${lo}, ${hi}]`,
      );
      assert.equal(ci.method, "wilson");
    }
    assert.throws(() => wilsonInterval(3, 0), /n must be a positive whole number/);
    assert.throws(() => wilsonInterval(5, 4), /between 0 and n = 4/);
  });

  it("Wilson's 95% interval covers the true proportion in at least 95% of samples, up to binomial error (400 samples of 40 draws)", () => {
    const rng = new SeededRandom(11);
    for (const p of [0.5, 0.8, 0.95]) {
      let covered = 0;
      for (let s = 0; s < 400; s++) {
        let k = 0;
        for (let i = 0; i < 40; i++) if (rng.next() < p) k++;
        const ci = wilsonInterval(k, 40);
        if (ci.lower <= p && p <= ci.upper) covered++;
      }
      // 400 samples at a true coverage of 0.95: sd ≈ 4.4 samples; allow 3.3 sd (P ≈ 0.0005) of shortfall.
      assert.ok(covered >= 366, `p = ${p}: covered ${covered} of 400`);
    }
  });

  it("the percentile bootstrap covers a mean at about its level, and is seeded", () => {
    const rng = new SeededRandom(5);
    let covered = 0;
    for (let s = 0; s < 200; s++) {
      const x = Array.from({ length: 60 }, () => rng.normal());
      const ci = bootstrapInterval(60, (idx) => Array.from(idx, (i) => x[i]).reduce((a, b) => a + b, 0) / 60, {
        resamples: 400,
        seed: s,
      });
      if (ci && ci.lower <= 0 && 0 <= ci.upper) covered++;
    }
    // The percentile bootstrap under-covers slightly at n = 60 (about 0.94); 200 samples: sd ≈ 3.4.
    assert.ok(covered >= 176, `covered ${covered} of 200`);
    const a = bootstrapInterval(30, (idx) => idx[0], { seed: 3 });
    const b = bootstrapInterval(30, (idx) => idx[0], { seed: 3 });
    assert.deepEqual(a, b);
    assert.equal(
      bootstrapInterval(30, () => NaN),
      null,
      "no usable resample gives no interval",
    );
  });

  it("evaluateModel gives every metric a 95% interval (Wilson for accuracy) and goals judge on it", async function () {
    this.timeout(60000);
    const t = realTable("breast_cancer");
    const s = iidSplit(t.X.rows, 3);
    const model = await new LogisticRegression().fit(
      rowsOf(t.X, s.train),
      s.train.map((i) => t.y[i]),
    );
    const y = s.test.map((i) => t.y[i]);
    const evaluation = await evaluateModel(model, rowsOf(t.X, s.test), y, { figures: false });
    const k = Math.round(evaluation.get("accuracy") * y.length);
    assert.deepEqual(evaluation.metrics[0].interval, wilsonInterval(k, y.length));
    for (const row of evaluation.metrics.slice(1)) {
      assert.equal(row.interval?.method, "bootstrap", row.metric);
      assert.ok(
        (row.interval as { lower: number }).lower <= row.model + 1e-12 &&
          row.model <= (row.interval as { upper: number }).upper + 1e-12,
        `${row.metric} ${row.model} outside ${JSON.stringify(row.interval)}`,
      );
    }
    assert.match(evaluation.toString(), /95% CI/);
    const card = defineGoals({ task: "classification", metric: "accuracy", target: 0.9 }).check(evaluation);
    assert.equal(card.rows[0].judgedOn, "lower");
    assert.deepEqual(card.rows[0].interval, {
      lower: evaluation.metrics[0].interval?.lower,
      upper: evaluation.metrics[0].interval?.upper,
    });
    const d = realTable("diabetes");
    const ds = iidSplit(d.X.rows, 3);
    const reg = await new LinearRegression().fit(
      rowsOf(d.X, ds.train),
      ds.train.map((i) => d.y[i]),
    );
    const regEval = await evaluateModel(
      reg,
      rowsOf(d.X, ds.test),
      ds.test.map((i) => d.y[i]),
      { figures: false },
    );
    for (const row of regEval.metrics) assert.equal(row.interval?.method, "bootstrap", row.metric);
  });
});
