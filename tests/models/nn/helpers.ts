/** Shared data for the neural-network tests: real bundled datasets, scaled, plus small synthetic sequence tasks. */
import * as tf from "@tensorflow/tfjs";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { StandardScaler, trainTestSplit } from "../../../lib/data";
import { loadDataset, loadImages } from "../../../lib/datasets";

/** Column-wise standardisation (fit on `rows`). */
export function standardize(rows: number[][]): number[][] {
  const cols = rows[0].length;
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < cols; j++) {
    const v = rows.map((r) => r[j]);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    mean.push(m);
    std.push(Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) || 1);
  }
  return rows.map((r) => r.map((x, j) => (x - mean[j]) / std[j]));
}

/** Iris: standardized features and species labels. */
export function iris(): { X: number[][]; y: string[] } {
  const t = loadDataset("iris");
  const cols = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
  const rows = (t.objects() as Record<string, number>[]).map((r) => cols.map((c) => r[c]));
  return { X: standardize(rows), y: t.array("species") as string[] };
}

/** Cars: rows with complete numeric features and mpg; standardized features. */
export function cars(): { X: number[][]; y: number[] } {
  const cols = ["cylinders", "displacement", "horsepower", "weight_in_lbs", "acceleration", "year"];
  const rows = (loadDataset("cars").objects() as Record<string, number | null>[]).filter(
    (r) => r.miles_per_gallon !== null && cols.every((c) => typeof r[c] === "number"),
  );
  return {
    X: standardize(rows.map((r) => cols.map((c) => r[c] as number))),
    y: rows.map((r) => r.miles_per_gallon as number),
  };
}

/** Features and target of a held-out split: the standardizer saw only the training rows. */
export interface HeldOut<T> {
  Xtrain: ColumnTable;
  ytrain: T[];
  Xtest: ColumnTable;
  ytest: T[];
  /** The StandardScaler, fitted on the training part only. */
  scaler: StandardScaler;
}

function heldOut<T>(
  table: ColumnTable,
  features: string[],
  target: string,
  split: { testSize: number; seed: number; stratify?: string },
): HeldOut<T> {
  const parts = trainTestSplit(table, split);
  const scaler = new StandardScaler({ columns: features }).fit(parts.train);
  const side = (t: ColumnTable) => ({ X: scaler.transform(t).select(features), y: t.array(target) as T[] });
  const train = side(parts.train);
  const test = side(parts.test);
  return { Xtrain: train.X, ytrain: train.y, Xtest: test.X, ytest: test.y, scaler };
}

/** Iris cut 70/30, stratified by species (seeded); features standardized with the training part's statistics. */
export function irisHeldOut(seed = 7): HeldOut<string> {
  const features = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
  return heldOut<string>(loadDataset("iris"), features, "species", { testSize: 0.3, seed, stratify: "species" });
}

/** Cars with complete numeric features and mpg, cut 75/25 (seeded); features standardized with the training part's statistics. */
export function carsHeldOut(seed = 7): HeldOut<number> {
  const features = ["cylinders", "displacement", "horsepower", "weight_in_lbs", "acceleration", "year"];
  const complete = loadDataset("cars").filter(
    aq.escape(
      (d: Record<string, unknown>) => d.miles_per_gallon !== null && features.every((c) => typeof d[c] === "number"),
    ),
  );
  return heldOut<number>(complete, features, "miles_per_gallon", { testSize: 0.25, seed });
}

/**
 * Seattle weather (2012-2015) as a forecasting task: from the `window` previous days (precipitation, highs, lows,
 * wind, standardized with the statistics of the training days only, plus the season as sin/cos of the day of the
 * year), predict how much tomorrow's high differs from today's. The days are cut in time order: windows whose
 * target day is in the last `testFraction` of days are the test set, and none of those days is ever a training target.
 * `today` is the last high in each window (the persistence forecast), `tomorrow` the true high.
 */
export function seattleForecast(
  window: number,
  testFraction = 0.2,
): {
  Xtrain: number[][][];
  changeTrain: number[];
  Xtest: number[][][];
  todayTest: number[];
  tomorrowTest: number[];
  trainDays: number;
  testDays: number;
} {
  const split = trainTestSplit(loadDataset("seattle-weather"), { timeColumn: "date", testSize: testFraction });
  const measured = ["precipitation", "temp_max", "temp_min", "wind"];
  const scaler = new StandardScaler({ columns: measured }).fit(split.train);
  const days = [split.train, split.test];
  const scaled = days.map((t) => scaler.transform(t));
  const highs = days.flatMap((t) => t.array("temp_max") as number[]);
  const dates = days.flatMap((t) => t.array("date") as Date[]);
  const columns = measured.map((c) => scaled.flatMap((t) => Array.from(t.array(c) as ArrayLike<number>)));
  const rows = dates.map((d, i) => {
    const dayOfYear = (d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000;
    const angle = (2 * Math.PI * dayOfYear) / 365.25;
    return [...columns.map((c) => c[i]), Math.sin(angle), Math.cos(angle)];
  });
  const trainDays = split.train.numRows();
  const out = {
    Xtrain: [] as number[][][],
    changeTrain: [] as number[],
    Xtest: [] as number[][][],
    todayTest: [] as number[],
    tomorrowTest: [] as number[],
  };
  for (let day = window; day < rows.length; day++) {
    const x = rows.slice(day - window, day);
    if (day < trainDays) {
      out.Xtrain.push(x);
      out.changeTrain.push(highs[day] - highs[day - 1]);
    } else {
      out.Xtest.push(x);
      out.todayTest.push(highs[day - 1]);
      out.tomorrowTest.push(highs[day]);
    }
  }
  return { ...out, trainDays, testDays: rows.length - trainDays };
}

/** Mean absolute error. */
export function meanAbsoluteError(predicted: readonly number[], truth: readonly number[]): number {
  return predicted.reduce((a, p, i) => a + Math.abs(p - truth[i]), 0) / truth.length;
}

/** A deterministic shuffled MNIST split: `train` and `test` digits as 4-D tensors (caller disposes). */
export function mnistSplit(
  trainCount: number,
  testCount: number,
): { xTrain: tf.Tensor4D; yTrain: number[]; xTest: tf.Tensor4D; yTest: number[] } {
  const img = loadImages("mnist");
  const order = Array.from({ length: img.count }, (_, i) => i);
  let s = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (idx: number[]) => {
    const data = new Float32Array(idx.length * 784);
    idx.forEach((k, i) => data.set(img.images.subarray(k * 784, (k + 1) * 784), i * 784));
    return { x: tf.tensor4d(data, [idx.length, 28, 28, 1]), y: idx.map((k) => img.labels[k]) };
  };
  const tr = take(order.slice(0, trainCount));
  const te = take(order.slice(trainCount, trainCount + testCount));
  return { xTrain: tr.x, yTrain: tr.y, xTest: te.x, yTest: te.y };
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** Float sequences [n][steps][1]; the label says whether the running sum ends positive. */
export function signSequences(n: number, steps: number, seed: number): { X: number[][][]; y: number[] } {
  const r = lcg(seed);
  const X: number[][][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const seq = Array.from({ length: steps }, () => [r() * 2 - 1]);
    X.push(seq);
    y.push(seq.reduce((a, v) => a + v[0], 0) > 0 ? 1 : 0);
  }
  return { X, y };
}

/** Token sequences over a 10-token vocabulary; the label says whether token 7 occurs. */
export function tokenSequences(n: number, steps: number, seed: number): { X: number[][]; y: string[] } {
  const r = lcg(seed);
  const X: number[][] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const has = i % 2 === 0;
    const seq = Array.from({ length: steps }, () => {
      let t = Math.floor(r() * 10);
      while (t === 7) t = Math.floor(r() * 10);
      return t;
    });
    if (has) seq[Math.floor(r() * steps)] = 7;
    X.push(seq);
    y.push(has ? "has7" : "no7");
  }
  return { X, y };
}
