/** Shared data for the neural-network tests: real bundled datasets, scaled, plus small synthetic sequence tasks. */
import * as tf from "@tensorflow/tfjs";
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
  return { X: standardize(rows.map((r) => cols.map((c) => r[c] as number))), y: rows.map((r) => r.miles_per_gallon as number) };
}

/** A deterministic shuffled MNIST split: `train` and `test` digits as 4-D tensors (caller disposes). */
export function mnistSplit(trainCount: number, testCount: number): { xTrain: tf.Tensor4D; yTrain: number[]; xTest: tf.Tensor4D; yTest: number[] } {
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
