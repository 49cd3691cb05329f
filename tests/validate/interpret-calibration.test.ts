/**
 * Calibration of the three verdicts that used to judge a point estimate: permutationImportance ("used" features and
 * the leak warning), partialDependence (the "flat" warning) and efficiency (the latency limit). Each runs over many
 * i.i.d. samples of the real tables in tests/fixtures/datasets and must raise a false alarm at most at its stated α
 * (binomialAllowance: a calibrated check fails this test with probability ≤ 0.001), and must find a planted signal.
 * Latency statistics are tested with an injected clock: no test here times anything.
 */
import { strict as assert } from "assert";
import { DecisionTreeClassifier, DecisionTreeRegressor } from "../../lib/models/trees";
import { LinearRegression, LogisticRegression } from "../../lib/models/linear";
import { MajorityClassifier } from "../../lib/models/baseline";
import { SeededRandom } from "../../lib/random";
import { efficiency, partialDependence, permutationImportance, quantileInterval } from "../../lib/validate";
import { binomialAllowance, iidSplit, noise, realTable, rowsOf, splitRows, withColumn } from "./real-tables";

const ALPHA = 0.05;

describe("permutationImportance is calibrated on real tables (lib/validate/importance)", function () {
  this.timeout(300000);

  it(`calls a pure-noise column "used" on at most α = ${ALPHA} of i.i.d. splits (trees and linear models)`, async () => {
    let alarms = 0;
    let runs = 0;
    const counts: Record<string, number> = {};
    const cases = [
      { name: "wine" as const, make: () => new LogisticRegression() },
      { name: "iris" as const, make: () => new DecisionTreeClassifier({ maxDepth: 6 }) },
      { name: "diabetes" as const, make: () => new DecisionTreeRegressor({ maxDepth: 6 }) },
      { name: "diabetes" as const, make: () => new LinearRegression() },
    ];
    for (const c of cases) {
      const t = realTable(c.name);
      for (let seed = 0; seed < 25; seed++) {
        const X = withColumn(t.X, "noise", noise(t.X.rows, seed));
        const { Xtrain, ytrain, Xrest, yrest } = splitRows(X, t.y, seed);
        const model = await c.make().fit(Xtrain, ytrain);
        const result = permutationImportance(model, Xrest, yrest, { seed, features: ["noise"], bootstrap: 400 });
        runs++;
        if (result.features[0].used) {
          alarms++;
          counts[`${c.name} ${model.name}`] = (counts[`${c.name} ${model.name}`] ?? 0) + 1;
        }
      }
    }
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(
      alarms <= allowed,
      `noise called used in ${alarms} of ${runs} splits (allowed ${allowed}): ${JSON.stringify(counts)}`,
    );
  });

  it("finds the features a model relies on: iris's petal length in every split, and honest tables raise no leak warning beyond α", async () => {
    let warnings = 0;
    let runs = 0;
    let petal = 0;
    for (const name of ["iris", "wine", "diabetes"] as const) {
      const t = realTable(name);
      for (let seed = 0; seed < 15; seed++) {
        const { Xtrain, ytrain, Xrest, yrest } = splitRows(t.X, t.y, seed);
        const model = name === "diabetes" ? new LinearRegression() : new LogisticRegression();
        await model.fit(Xtrain, ytrain);
        const result = permutationImportance(model, Xrest, yrest, { seed, bootstrap: 400 });
        runs++;
        if (result.verdict === "warn") warnings++;
        if (name === "iris" && result.features.find((f) => f.feature === "petal_length_cm")?.used) petal++;
      }
    }
    assert.equal(petal, 15, `petal length shown to matter in ${petal} of 15 iris splits`);
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(warnings <= allowed, `${warnings} leak warnings in ${runs} honest splits (allowed ${allowed})`);
  });

  it(`warns of a leak on at most α = ${ALPHA} of samples when two features carry exactly half each (dominance 0.5)`, async () => {
    // Real values: diabetes's bmi and the bmi of another row, so both are identically distributed and independent;
    // the target is their sum, fitted exactly by linear regression: each feature's true share is 1/2 by symmetry.
    const t = realTable("diabetes");
    const j = (t.X.columns as string[]).indexOf("bmi");
    const bmi = Array.from({ length: t.X.rows }, (_, i) => t.X.data[i * t.X.cols + j]);
    let alarms = 0;
    const runs = 100;
    for (let seed = 0; seed < runs; seed++) {
      const other = new SeededRandom(seed, 7).permutation(t.X.rows);
      const X = bmi.map((v, i) => [v, bmi[other[i]]]);
      const y = X.map((r) => r[0] + r[1]);
      const s = iidSplit(X.length, seed);
      const model = await new LinearRegression().fit(
        s.train.map((i) => X[i]),
        s.train.map((i) => y[i]),
      );
      const rest = [...s.val, ...s.test];
      const result = permutationImportance(
        model,
        rest.map((i) => X[i]),
        rest.map((i) => y[i]),
        { seed, dominance: 0.5, bootstrap: 400 },
      );
      if (result.verdict === "warn") alarms++;
    }
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(alarms <= allowed, `${alarms} leak warnings in ${runs} samples at the boundary (allowed ${allowed})`);
  });

  it("finds a planted leak: a copy of wine's class label among the features", async () => {
    const t = realTable("wine");
    const X = withColumn(t.X, "leak", t.y);
    let found = 0;
    for (let seed = 0; seed < 10; seed++) {
      const { Xtrain, ytrain, Xrest, yrest } = splitRows(X, t.y, seed);
      const model = await new DecisionTreeClassifier({ maxDepth: 4 }).fit(Xtrain, ytrain);
      const result = permutationImportance(model, Xrest, yrest, { seed, bootstrap: 400 });
      if (result.verdict === "warn" && result.features[0].feature === "leak" && result.features[0].leakPValue <= ALPHA)
        found++;
    }
    assert.ok(found >= 9, `the leak was flagged in ${found} of 10 splits`);
  });

  it("shows features to matter on a wide table: breast cancer's 30 features with the default resamples", async () => {
    // Holm compares the smallest p-value with α/30 = 0.00167, below the 1/501 that 500 resamples can give at best.
    const t = realTable("breast_cancer");
    const { Xtrain, ytrain, Xrest, yrest } = splitRows(t.X, t.y, 0);
    const model = await new LogisticRegression().fit(Xtrain, ytrain);
    const [X, y] = [Xrest, yrest];
    const result = permutationImportance(model, X, y, { seed: 0 });
    assert.notEqual(result.verdict, "untested", result.toString());
    assert.ok(result.features[0].used && result.features[0].lower > 0, result.toString());
    assert.throws(
      () => permutationImportance(model, X, y, { seed: 0, bootstrap: 500 }),
      /cannot show any of 30 features.*bootstrap ≥ 1200/,
    );
  });

  it("FAILs a model whose predictions ignore the inputs, and reports fewer than 30 rows as untested", async () => {
    const t = realTable("iris");
    const s = iidSplit(t.X.rows, 0);
    const model = await new LogisticRegression().fit(
      rowsOf(t.X, s.train),
      s.train.map((i) => t.y[i]),
    );
    const X = rowsOf(t.X, s.test);
    const y = s.test.map((i) => t.y[i]);
    const few = permutationImportance(model, rowsOf(X, [0, 1, 2, 3, 4, 5]), y.slice(0, 6), { seed: 0, bootstrap: 200 });
    assert.equal(few.verdict, "untested", few.toString());
    const constant = await new MajorityClassifier().fit(
      rowsOf(t.X, s.train),
      s.train.map((i) => t.y[i]),
    );
    const ignored = permutationImportance(constant, X, y, { seed: 0, bootstrap: 100 });
    assert.equal(ignored.verdict, "fail");
    assert.ok(ignored.features.every((f) => f.mean === 0 && !f.used));
  });
});

describe("partialDependence's flat warning is calibrated on real tables (lib/validate/partial-dependence)", function () {
  this.timeout(300000);

  it(`calls a feature flat on at most α = ${ALPHA} of 100-row samples when its true effect is exactly flatEffect`, async () => {
    const t = realTable("wine");
    const s = iidSplit(t.X.rows, 0);
    const model = await new LogisticRegression().fit(
      rowsOf(t.X, s.train),
      s.train.map((i) => t.y[i]),
    );
    let alarms = 0;
    let runs = 0;
    for (const feature of ["alcohol", "magnesium"]) {
      const grid = [0.2, 0.4, 0.6, 0.8].map((q) => {
        const j = (t.X.columns as string[]).indexOf(feature);
        const v = Array.from({ length: t.X.rows }, (_, i) => t.X.data[i * t.X.cols + j]).sort((a, b) => a - b);
        return v[Math.floor(q * (v.length - 1))];
      });
      // The population is the whole table: its partial dependence is the truth the samples estimate.
      const truth = partialDependence(model, t.X, feature, { grids: { [feature]: grid }, bootstrap: 0 }).curves[0]
        .effect;
      assert.ok(truth > 0.005, `${feature} effect ${truth}`);
      for (let seed = 0; seed < 50; seed++) {
        const rng = new SeededRandom(seed, 3);
        const rows = Array.from({ length: 100 }, () => rng.int(t.X.rows));
        const result = partialDependence(model, rowsOf(t.X, rows), feature, {
          grids: { [feature]: grid },
          flatEffect: truth,
          seed,
          bootstrap: 300,
        });
        runs++;
        if (result.curves[0].flat) alarms++;
      }
    }
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(alarms <= allowed, `${alarms} flat claims in ${runs} samples at the boundary (allowed ${allowed})`);
  });

  it(`calls a feature flat on at most α = ${ALPHA} of 100-row samples when its effect comes from a few rows`, async () => {
    // Real diabetes columns, a planted target: bp moves the prediction by 10 only for the 4% of rows with the highest
    // bmi, so a 100-row sample holds a handful of them, and many bootstrap resamples hold none (no spread at all).
    const t = realTable("diabetes");
    const column = (name: string): number[] => {
      const j = (t.X.columns as string[]).indexOf(name);
      return Array.from({ length: t.X.rows }, (_, i) => t.X.data[i * t.X.cols + j]);
    };
    const [bmi, bp] = [column("bmi"), column("bp")];
    const sorted = (v: number[]): number[] => v.slice().sort((a, b) => a - b);
    const bmiCut = sorted(bmi)[Math.floor(0.96 * bmi.length)];
    const bpMid = sorted(bp)[Math.floor(0.5 * bp.length)];
    const X = bmi.map((v, i) => [v, bp[i]]);
    const y = X.map(([b, p]) => (b >= bmiCut && p > bpMid ? 10 : 0));
    const model = await new DecisionTreeRegressor({ maxDepth: 4 }).fit(X, y);
    const grids = { "1": [sorted(bp)[Math.floor(0.25 * bp.length)], sorted(bp)[Math.floor(0.75 * bp.length)]] };
    const truth = partialDependence(model, X, 1, { grids, bootstrap: 0 }).curves[0].effect;
    assert.ok(truth > 0.2, `bp's effect on the whole table is ${truth}`);
    let alarms = 0;
    const runs = 200;
    for (let seed = 0; seed < runs; seed++) {
      const rng = new SeededRandom(seed, 11);
      const rows = Array.from({ length: 100 }, () => X[rng.int(X.length)]);
      const result = partialDependence(model, rows, 1, { grids, flatEffect: truth, seed, bootstrap: 300 });
      if (result.curves[0].flat) alarms++;
    }
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(alarms <= allowed, `${alarms} flat claims in ${runs} samples at the boundary (allowed ${allowed})`);
    // A classifier whose probability bp moves by 1 for the 1% of rows with the highest bmi: most 100-row samples
    // hold none of them, and a sample where no row moves cannot show the effect is below 1%.
    const rareCut = sorted(bmi)[Math.floor(0.99 * bmi.length)];
    const rareY = X.map(([b, p]) => (b >= rareCut && p > bpMid ? 1 : 0));
    const rare = await new DecisionTreeClassifier({ maxDepth: 4 }).fit(X, rareY);
    const rareTruth = partialDependence(rare, X, 1, { grids, bootstrap: 0 }).curves[0].effect;
    assert.ok(rareTruth > 0.005, `bp's effect on the whole table is ${rareTruth}`);
    let rareAlarms = 0;
    for (let seed = 0; seed < runs; seed++) {
      const rng = new SeededRandom(seed, 13);
      const rows = Array.from({ length: 100 }, () => X[rng.int(X.length)]);
      const result = partialDependence(rare, rows, 1, { grids, flatEffect: rareTruth, seed, bootstrap: 300 });
      if (result.curves[0].flat) rareAlarms++;
    }
    assert.ok(rareAlarms <= allowed, `${rareAlarms} flat claims of a rare effect in ${runs} runs (allowed ${allowed})`);
  });

  it("finds a feature the model never uses (a depth-2 tree on iris ignores sepal width), never calls a petal feature it uses flat, and does not test fewer than 100 rows", async () => {
    const t = realTable("iris");
    let flatSepal = 0;
    for (let seed = 0; seed < 10; seed++) {
      const s = iidSplit(t.X.rows, seed);
      const ytrain = s.train.map((i) => t.y[i]);
      const model = await new DecisionTreeClassifier({ maxDepth: 2 }).fit(rowsOf(t.X, s.train), ytrain);
      // "Never moves" needs enough rows: on n rows where none moves, a share 1 − (α/3)^(1/n) of unseen rows could, by
      // up to 1 in probability, which is below flatEffect = 0.01 from 408 rows. Rows drawn from the whole table.
      const rng = new SeededRandom(seed, 17);
      const X = rowsOf(
        t.X,
        Array.from({ length: 500 }, () => rng.int(t.X.rows)),
      );
      const result = partialDependence(model, X, ["sepal_width_cm", "petal_length_cm", "petal_width_cm"], {
        seed,
        bootstrap: 200,
      });
      const [sepal, ...petals] = result.curves;
      if (sepal.flat && result.verdict === "warn") flatSepal++;
      // The tree splits on one or both petal measurements: whichever moves the prediction is never called flat.
      assert.ok(
        petals.some((c) => c.effect > 0.3),
        `split ${seed}: ${petals.map((c) => c.effect).join(", ")}`,
      );
      for (const c of petals)
        assert.ok(c.effect < 0.01 || !c.flat, `split ${seed}: ${c.feature} effect ${c.effect} called flat`);
    }
    assert.equal(flatSepal, 10, `sepal width called flat in ${flatSepal} of 10 splits`);
    const model = await new DecisionTreeClassifier({ maxDepth: 2 }).fit(t.X, t.y);
    const small = partialDependence(
      model,
      rowsOf(
        t.X,
        Array.from({ length: 40 }, (_, i) => i * 3),
      ),
      "sepal_width_cm",
      { bootstrap: 100 },
    );
    assert.equal(small.verdict, "untested");
    assert.equal(small.curves[0].flat, false);
  });
});

describe("efficiency's latency verdict is calibrated (lib/validate/efficiency, injected clock)", function () {
  this.timeout(300000);

  /** A clock whose every reading advances by an exponential draw with the given p95: each timed call takes one draw. */
  function exponentialClock(p95: number, seed: number): () => number {
    const rng = new SeededRandom(seed, 41);
    const mean = p95 / -Math.log(0.05);
    let now = 0;
    return () => (now += -mean * Math.log(1 - rng.next()));
  }

  it("the distribution-free bounds of a p95 cover it at least 1 − α of the time", () => {
    let missedUpper = 0;
    let missedLower = 0;
    const runs = 400;
    for (let seed = 0; seed < runs; seed++) {
      const clock = exponentialClock(10, seed);
      const draws = Array.from({ length: 120 }, () => -clock() + clock());
      const ci = quantileInterval(draws, 0.95, ALPHA);
      if (ci.upper === null || ci.upper < 10) missedUpper++;
      if (ci.lower === null || ci.lower > 10) missedLower++;
    }
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(
      missedUpper <= allowed && missedLower <= allowed,
      `missed ${missedUpper} (upper) and ${missedLower} (lower) of ${runs}`,
    );
    // The order statistics scipy.stats.binom gives (a coverage count over 400 runs cannot tell an off-by-one, whose
    // miss rate is 6-8%): n = 59 -> 53rd and 59th, n = 120 -> 110th and 119th, n = 200 -> 185th and 196th.
    for (const [n, lower, upper] of [
      [59, 53, 59],
      [120, 110, 119],
      [200, 185, 196],
    ]) {
      const ci = quantileInterval(
        Array.from({ length: n }, (_, i) => n - i),
        0.95,
        0.05,
      );
      assert.deepEqual([ci.lower, ci.upper], [lower, upper], `n = ${n}`);
    }
    assert.equal(
      quantileInterval(new Array(58).fill(1), 0.95, 0.05).upper,
      null,
      "58 draws cannot bound a p95 at 0.05",
    );
    assert.equal(quantileInterval(new Array(59).fill(1), 0.95, 0.05).upper, 1);
  });

  it(`FAILs a model whose true p95 is exactly the limit on at most α = ${ALPHA} of runs, and PASSes one 50% over it at most as often`, async () => {
    const t = realTable("iris");
    const model = await new LogisticRegression().fit(t.X, t.y);
    const X = rowsOf(
      t.X,
      Array.from({ length: 20 }, (_, i) => i * 7),
    );
    let failsAtLimit = 0;
    let passesAbove = 0;
    let failsAbove = 0;
    let passesBelow = 0;
    const runs = 60;
    for (let seed = 0; seed < runs; seed++) {
      const at = await efficiency(model, X, {
        repeats: 200,
        batchRepeats: 1,
        maxLatencyMs: 10,
        clock: exponentialClock(10, seed),
      });
      if (at.verdict === "fail") failsAtLimit++;
      const above = await efficiency(model, X, {
        repeats: 200,
        batchRepeats: 1,
        maxLatencyMs: 10,
        clock: exponentialClock(15, 1000 + seed),
      });
      if (above.verdict === "pass") passesAbove++;
      if (above.verdict === "fail") failsAbove++;
      const below = await efficiency(model, X, {
        repeats: 200,
        batchRepeats: 1,
        maxLatencyMs: 10,
        clock: exponentialClock(6, 2000 + seed),
      });
      if (below.verdict === "pass") passesBelow++;
    }
    const allowed = binomialAllowance(runs, ALPHA);
    assert.ok(failsAtLimit <= allowed, `${failsAtLimit} FAILs of ${runs} at the limit (allowed ${allowed})`);
    assert.ok(passesAbove <= allowed, `${passesAbove} PASSes of ${runs} 50% above the limit (allowed ${allowed})`);
    assert.ok(failsAbove >= 0.5 * runs, `a p95 50% above the limit FAILed in ${failsAbove} of ${runs}`);
    assert.ok(passesBelow >= 0.9 * runs, `a p95 40% below the limit PASSed in ${passesBelow} of ${runs}`);
    const few = await efficiency(model, X, { repeats: 30, maxLatencyMs: 10, clock: exponentialClock(6, 7) });
    assert.equal(few.verdict, "untested", few.toString());
    assert.match(few.reasons.join(" "), /need at least 59/);
  });
});
