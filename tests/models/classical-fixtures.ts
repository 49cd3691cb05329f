/**
 * Shared fixtures of the classical-model specifications (tests/models/classical*.test.ts): the real iris, penguins
 * and cars tables as matrices, a seeded train/test split, cluster purity, a temporary directory, and the classifiers
 * and regressors under test.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aq from "arquero";
import { loadDataset } from "../../lib/datasets";
import { Matrix, takeRows, toMatrix } from "../../lib/data/matrix";
import {
  Classifier,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  Estimator,
  GaussianNB,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  LinearRegression,
  LogisticRegression,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
  SVC,
} from "../../lib/models";
import { SeededRandom } from "../../lib/models/random";

/** The four iris measurements, in the table's order. */
export const IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

/** A seeded shuffle of the rows into a training part and a test part of testFraction. */
export function split<T>(
  m: Matrix,
  y: T[],
  seed: number,
  testFraction = 0.3,
): { Xtr: Matrix; ytr: T[]; Xte: Matrix; yte: T[] } {
  const rng = new SeededRandom(seed);
  const order = Array.from({ length: m.rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.round(m.rows * testFraction);
  const te = order.slice(0, nTest);
  const tr = order.slice(nTest);
  return { Xtr: takeRows(m, tr), ytr: tr.map((i) => y[i]), Xte: takeRows(m, te), yte: te.map((i) => y[i]) };
}

/** iris: the four measurements, the species and the table itself. */
export function iris(): { X: Matrix; y: string[]; table: aq.ColumnTable } {
  const table = loadDataset("iris");
  return { X: toMatrix(table, IRIS_FEATURES), y: table.array("species") as string[], table };
}

/** penguins: the four numeric measurements and the species; rows with a missing value dropped. */
export function penguins(): { X: Matrix; y: string[] } {
  const features = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"];
  const table = loadDataset("penguins").filter(
    aq.escape((d: Record<string, unknown>) => features.every((f) => d[f] !== null) && d.species !== null),
  );
  return { X: toMatrix(table, features), y: table.array("species") as string[] };
}

/** cars: mpg from the numeric columns plus one-hot origin; rows with a missing value dropped. */
export function cars(): { X: Matrix; y: number[] } {
  const numeric = ["cylinders", "displacement", "horsepower", "weight_in_lbs", "acceleration", "year"];
  const raw = loadDataset("cars");
  const table = raw
    .filter(
      aq.escape((d: Record<string, unknown>) => d.miles_per_gallon !== null && numeric.every((c) => d[c] !== null)),
    )
    .derive({
      origin_usa: "d => d.origin === 'USA' ? 1 : 0",
      origin_europe: "d => d.origin === 'Europe' ? 1 : 0",
      origin_japan: "d => d.origin === 'Japan' ? 1 : 0",
    });
  return {
    X: toMatrix(table, [...numeric, "origin_usa", "origin_europe", "origin_japan"]),
    y: table.array("miles_per_gallon") as number[],
  };
}

/** The share of rows whose cluster's most common true label is their own. */
export function purity(labels: number[], truth: string[]): number {
  const byCluster = new Map<number, Map<string, number>>();
  labels.forEach((c, i) => {
    const counts = byCluster.get(c) ?? new Map<string, number>();
    counts.set(truth[i], (counts.get(truth[i]) ?? 0) + 1);
    byCluster.set(c, counts);
  });
  let total = 0;
  for (const counts of byCluster.values()) total += Math.max(...counts.values());
  return total / labels.length;
}

/** A fresh temporary directory for a saved model. */
export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-models-"));
}

/** Each classifier under test, by name, with the parameters the accuracy specification uses. */
export const classifiers: [string, () => Classifier][] = [
  ["LogisticRegression", () => new LogisticRegression()],
  ["SVC", () => new SVC()],
  ["DecisionTreeClassifier", () => new DecisionTreeClassifier({ maxDepth: 5 })],
  ["RandomForestClassifier", () => new RandomForestClassifier({ nEstimators: 50 })],
  ["RandomForestClassifier (2 workers)", () => new RandomForestClassifier({ nEstimators: 50, nJobs: 2 })],
  ["HistGradientBoostingClassifier", () => new HistGradientBoostingClassifier({ maxIter: 50, minSamplesLeaf: 5 })],
  ["GaussianNB", () => new GaussianNB()],
];

/** Each regressor under test, by name, with the parameters the R² specification uses. */
export const regressors: [string, () => Estimator][] = [
  ["LinearRegression", () => new LinearRegression()],
  ["Ridge", () => new Ridge({ alpha: 1 })],
  ["DecisionTreeRegressor", () => new DecisionTreeRegressor({ maxDepth: 6, minSamplesLeaf: 3 })],
  ["RandomForestRegressor", () => new RandomForestRegressor({ nEstimators: 50 })],
  ["HistGradientBoostingRegressor", () => new HistGradientBoostingRegressor({ maxIter: 100, minSamplesLeaf: 10 })],
];
