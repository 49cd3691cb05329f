/**
 * Parity of every other model family with scikit-learn on the real tables (fixtures by
 * tests/fixtures/parity/make_parity.py), and comparable defaults: a default trainlab model is not materially worse
 * than scikit-learn's default on the same splits.
 *
 * Scores are averaged over the fixture's three 70/30 splits (digits: the first split only, to keep the suite fast;
 * its 540 test rows resolve 0.002). Tolerances, each justified where it is used:
 * - deterministic on both sides with the same algorithm (SVC through libsvm on standardized data, GaussianNB, Ward):
 *   predictions agree row by row (≥ 99 %) and scores within 0.01;
 * - randomized or differently binned (trees, forests, boosting): trainlab's mean score is at least scikit-learn's minus
 *   max(0.02, 2 × the spread that scikit-learn's own random_state causes), the spread read from the fixture.
 */
import { strict as assert } from "assert";
import type { Matrix } from "../../lib/data/matrix";
import { adjustedRandIndex } from "../../lib/evaluate/clustering";
import {
  AgglomerativeClustering,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  Estimator,
  GaussianNB,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  KMeans,
  LinearRegression,
  LogisticRegression,
  RandomForestClassifier,
  RandomForestRegressor,
  SVC,
} from "../../lib/models";
import { DatasetReference, SplitReference, Table, mean, readTable, reference, splitTable, standardize } from "./data";

const CLASSIFICATION = ["iris", "wine", "breast_cancer", "digits"];

function splitsOf(ref: DatasetReference): SplitReference[] {
  return ref.dataset === "digits" ? ref.splits.slice(0, 1) : ref.splits;
}

function std(v: number[]): number {
  const m = mean(v);
  return Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
}

/** scikit-learn's mean score over the splits and how much its own random_state moves that mean (0 when it has none). */
function sklearnScore(splits: SplitReference[], key: string): { mean: number; spread: number } {
  const bySeed = splits[0].models[key].scores_by_seed;
  if (!bySeed) return { mean: mean(splits.map((s) => s.models[key].score as number)), spread: 0 };
  const seedMeans = bySeed.map((_, r) => mean(splits.map((s) => (s.models[key].scores_by_seed as number[])[r])));
  return { mean: mean(seedMeans), spread: std(seedMeans) };
}

async function trainlabScore(table: Table, splits: SplitReference[], make: () => Estimator): Promise<number> {
  const scores: number[] = [];
  for (const s of splits) {
    const { Xtr, ytr, Xte, yte } = splitTable(table, s);
    const model = await make().fit(Xtr, ytr, { seed: 0 });
    scores.push(model.score(Xte, yte));
  }
  return mean(scores);
}

/** Asserts trainlab's default is not materially worse: mean ≥ scikit-learn's − max(floor, 2 × scikit-learn's seed spread). */
async function notWorse(name: string, key: string, make: () => Estimator, floor = 0.02): Promise<void> {
  const ref = reference(name);
  const splits = splitsOf(ref);
  const ours = await trainlabScore(readTable(name), splits, make);
  const theirs = sklearnScore(splits, key);
  const tol = Math.max(floor, 2 * theirs.spread);
  assert.ok(
    ours >= theirs.mean - tol,
    `${name}: trainlab ${ours.toFixed(4)} vs scikit-learn ${theirs.mean.toFixed(4)} (its seed spread ${theirs.spread.toFixed(4)}, tolerance ${tol.toFixed(4)})`,
  );
}

function agreement(a: (number | string)[], b: number[]): number {
  return a.filter((v, i) => v === b[i]).length / a.length;
}

function standardized(m: Matrix): Matrix {
  const mu: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < m.cols; j++) {
    let s = 0;
    for (let i = 0; i < m.rows; i++) s += m.data[i * m.cols + j];
    mu.push(s / m.rows);
  }
  for (let j = 0; j < m.cols; j++) {
    let s = 0;
    for (let i = 0; i < m.rows; i++) s += (m.data[i * m.cols + j] - mu[j]) ** 2;
    const v = Math.sqrt(s / m.rows);
    sd.push(v > 0 ? v : 1);
  }
  return standardize(m, mu, sd);
}

describe("parity with scikit-learn: trees, ensembles, SVC, naive Bayes, clustering", function () {
  this.timeout(600_000);

  describe("same algorithm, same data: predictions agree row by row", () => {
    for (const name of CLASSIFICATION) {
      it(`SVC (rbf, C = 1, gamma "scale") matches scikit-learn's StandardScaler + SVC on ${name}`, async () => {
        // Both run libsvm on standardized features; only the solver's stopping tolerance (1e-3) can flip a row.
        const s = reference(name).splits[0];
        const { Xtr, ytr, Xte, yte } = splitTable(readTable(name), s);
        const model = await new SVC().fit(Xtr, ytr);
        const agree = agreement(model.predict(Xte), s.models.svc_scaled.pred!);
        assert.ok(agree >= 0.99, `${(agree * 100).toFixed(1)} % of test predictions agree`);
        assert.ok(Math.abs(model.score(Xte, yte) - s.models.svc_scaled.score!) <= 0.01);
      });
      it(`GaussianNB matches scikit-learn's on ${name}`, async () => {
        // The same closed-form estimates (means, variances + 1e-9 × the largest variance): only float summation differs.
        const s = reference(name).splits[0];
        const { Xtr, ytr, Xte, yte } = splitTable(readTable(name), s);
        const model = await new GaussianNB().fit(Xtr, ytr);
        const agree = agreement(model.predict(Xte), s.models.gnb.pred!);
        assert.ok(agree >= 0.99, `${(agree * 100).toFixed(1)} % of test predictions agree`);
        assert.ok(Math.abs(model.score(Xte, yte) - s.models.gnb.score!) <= 0.01);
      });
    }
    for (const name of ["iris", "wine", "breast_cancer"]) {
      it(`AgglomerativeClustering (Ward) gives scikit-learn's clusters on standardized ${name}`, async () => {
        // Ward merges are deterministic: the same partition (ARI 1 between the two), up to exact ties.
        const ref = reference(name);
        const table = readTable(name);
        const labels = await new AgglomerativeClustering({ nClusters: ref.classes, linkage: "ward" }).fitPredict(
          standardized(table.X),
        );
        assert.ok(adjustedRandIndex(ref.agglomerative!.labels, labels) >= 0.99);
        assert.ok(Math.abs(adjustedRandIndex(table.y, labels) - ref.agglomerative!.ari) <= 0.01);
      });
    }
  });

  describe("KMeans reaches scikit-learn's objective", () => {
    for (const name of CLASSIFICATION) {
      it(`default KMeans on standardized ${name}: inertia within 1 %, ARI with the classes within 0.03`, async () => {
        // k-means finds local optima: trainlab's default tries 4 k-means++ starts, scikit-learn 1.2's 10. Measured:
        // inertia +0.15 % (iris), −0.07 % (wine), 0 (breast cancer), +0.55 % (digits). ARI with the classes is not what
        // k-means optimizes: iris's two optima differ by 0.15 % in inertia and 0.028 in ARI; on digits trainlab's ARI is higher.
        const ref = reference(name);
        const table = readTable(name);
        const model = new KMeans({ nClusters: ref.classes });
        const labels = await model.fitPredict(standardized(table.X), { seed: 0 });
        assert.ok(
          model.inertia <= ref.kmeans!.inertia * 1.01,
          `inertia ${model.inertia.toFixed(2)} vs scikit-learn ${ref.kmeans!.inertia.toFixed(2)}`,
        );
        const ari = adjustedRandIndex(table.y, labels);
        assert.ok(ari >= ref.kmeans!.ari - 0.03, `ARI ${ari.toFixed(4)} vs scikit-learn ${ref.kmeans!.ari.toFixed(4)}`);
      });
    }
  });

  describe("defaults are comparable: a default trainlab model is not materially worse than scikit-learn's default", () => {
    for (const name of CLASSIFICATION) {
      it(`DecisionTreeClassifier on ${name}`, () => notWorse(name, "tree_default", () => new DecisionTreeClassifier()));
      it(`RandomForestClassifier on ${name}`, () =>
        notWorse(name, "forest_default", () => new RandomForestClassifier()));
      // Deterministic on both sides below 10,000 rows; they differ in binning (quantiles vs midpoints) and split ties.
      it(`HistGradientBoostingClassifier on ${name}`, () =>
        notWorse(name, "boosting_default", () => new HistGradientBoostingClassifier()));
      // trainlab's SVC standardizes internally; scikit-learn's default does not (it does far worse on wine).
      it(`SVC on ${name}`, () => notWorse(name, "svc_default", () => new SVC()));
      it(`GaussianNB on ${name}`, () => notWorse(name, "gnb_default", () => new GaussianNB()));
      if (name !== "digits") {
        // On digits the default LogisticRegression is the fit linear.test.ts checks against scikit-learn's optimum to 1e-6.
        it(`LogisticRegression on ${name}`, () => notWorse(name, "logistic_default", () => new LogisticRegression()));
      }
    }
    it("LinearRegression on diabetes", () => notWorse("diabetes", "linear_default", () => new LinearRegression()));
    // A fully grown regression tree's R² is noisy: scikit-learn's own random_state moves its 3-split mean by ±0.018.
    it("DecisionTreeRegressor on diabetes", () =>
      notWorse("diabetes", "tree_default", () => new DecisionTreeRegressor()));
    it("RandomForestRegressor on diabetes", () =>
      notWorse("diabetes", "forest_default", () => new RandomForestRegressor()));
    it("HistGradientBoostingRegressor on diabetes", () =>
      notWorse("diabetes", "boosting_default", () => new HistGradientBoostingRegressor()));
  });
});
