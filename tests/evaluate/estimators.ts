/**
 * Tiny test-only estimators that follow lib/models' Estimator contract (not part of the library): a k-NN with no
 * library twin, a scaler that records what it was fitted on, and a classifier holding a tfjs tensor. Comparisons with
 * scikit-learn use the library's own models, never doubles.
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureInput, Matrix, TargetInput } from "../../lib/data/matrix";
import { matrixRow, toMatrix, toTargetArray } from "../../lib/data/matrix";
import type { Classifier, FitOptions } from "../../lib/models/estimator";

type Label = number | string;

function dist2(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i] - b[i]) ** 2;
  return d;
}

/** k-nearest-neighbours classifier; ties between distances broken by training order. */
export class KnnClassifier implements Classifier<{ k: number }> {
  readonly name = "KnnClassifier";
  readonly kind = "classifier" as const;
  classes: Label[] = [];
  private X: Matrix | undefined;
  private y: Label[] = [];
  /** How many rows each fit saw (for tests). */
  fitRows = 0;
  constructor(private readonly params: { k: number } = { k: 5 }) {}
  get fitted(): boolean {
    return this.X !== undefined;
  }
  getParams(): { k: number } {
    return { ...this.params };
  }
  withParams(p: Partial<{ k: number }>): KnnClassifier {
    for (const key of Object.keys(p)) if (key !== "k") throw new Error(`KnnClassifier has no parameter "${key}".`);
    return new KnnClassifier({ ...this.params, ...p });
  }
  async fit(X: FeatureInput, y?: TargetInput, _o?: FitOptions): Promise<this> {
    this.X = toMatrix(X);
    this.y = toTargetArray(y as TargetInput);
    this.classes = Array.from(new Set(this.y)).sort((a, b) =>
      typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1,
    );
    this.fitRows = this.X.rows;
    return this;
  }
  predictProba(X: FeatureInput): number[][] {
    const train = this.X as Matrix;
    const m = toMatrix(X);
    return Array.from({ length: m.rows }, (_, i) => {
      const row = matrixRow(m, i);
      const d = Array.from({ length: train.rows }, (_, j) => [dist2(row, matrixRow(train, j)), j] as const).sort(
        (a, b) => a[0] - b[0] || a[1] - b[1],
      );
      const k = Math.min(this.params.k, train.rows);
      const p = this.classes.map(() => 0);
      for (let r = 0; r < k; r++) p[this.classes.indexOf(this.y[d[r][1]])] += 1 / k;
      return p;
    });
  }
  predict(X: FeatureInput): Label[] {
    return this.predictProba(X).map((p) => this.classes[p.indexOf(Math.max(...p))]);
  }
  score(X: FeatureInput, y: TargetInput): number {
    const p = this.predict(X);
    const t = toTargetArray(y);
    return t.filter((v, i) => v === p[i]).length / t.length;
  }
  async save(): Promise<void> {
    throw new Error("not needed in tests");
  }
}

/**
 * A standard scaler whose fit records the row ids it saw (column `idColumn` holds each row's id), and which drops
 * that column in transform. Proves what a pipeline step learned from.
 */
export class RecordingScaler {
  private mean: number[] = [];
  private scale: number[] = [];
  constructor(
    private readonly log: number[][],
    private readonly idColumn = 0,
  ) {}
  fit(X: FeatureInput): this {
    const m = toMatrix(X);
    const ids: number[] = [];
    for (let i = 0; i < m.rows; i++) ids.push(m.data[i * m.cols + this.idColumn]);
    this.log.push(ids);
    this.mean = [];
    this.scale = [];
    for (let j = 0; j < m.cols; j++) {
      let s = 0;
      for (let i = 0; i < m.rows; i++) s += m.data[i * m.cols + j];
      const mean = s / m.rows;
      let v = 0;
      for (let i = 0; i < m.rows; i++) v += (m.data[i * m.cols + j] - mean) ** 2;
      this.mean.push(mean);
      this.scale.push(Math.sqrt(v / m.rows) || 1);
    }
    return this;
  }
  transform(X: FeatureInput): Matrix {
    const m = toMatrix(X);
    const cols = m.cols - 1;
    const data = new Float64Array(m.rows * cols);
    for (let i = 0; i < m.rows; i++) {
      let c = 0;
      for (let j = 0; j < m.cols; j++) {
        if (j === this.idColumn) continue;
        data[i * cols + c++] = (m.data[i * m.cols + j] - this.mean[j]) / this.scale[j];
      }
    }
    return { data, rows: m.rows, cols };
  }
}

/**
 * A nearest-centroid classifier that keeps its centroids in a tfjs tensor (freed by `dispose()`), to check that
 * cross-validation frees each fold's model.
 */
export class TensorCentroids implements Classifier<Record<string, never>> {
  readonly name = "TensorCentroids";
  readonly kind = "classifier" as const;
  classes: Label[] = [];
  centroids: import("@tensorflow/tfjs").Tensor2D | undefined;
  static disposed = 0;
  get fitted(): boolean {
    return this.centroids !== undefined;
  }
  getParams(): Record<string, never> {
    return {};
  }
  withParams(): TensorCentroids {
    return new TensorCentroids();
  }
  async fit(X: FeatureInput, y?: TargetInput): Promise<this> {
    const tf = await import("@tensorflow/tfjs");
    const m = toMatrix(X);
    const t = toTargetArray(y as TargetInput);
    this.classes = Array.from(new Set(t)).sort();
    const rows = this.classes.map((c) => {
      const idx = t.map((v, i) => (v === c ? i : -1)).filter((i) => i >= 0);
      return Array.from({ length: m.cols }, (_, j) => idx.reduce((s, i) => s + m.data[i * m.cols + j], 0) / idx.length);
    });
    this.centroids = tf.tensor2d(rows);
    return this;
  }
  predictProba(X: FeatureInput): number[][] {
    const m = toMatrix(X);
    return tf.tidy(() => {
      const x = tf.tensor2d(Array.from(m.data), [m.rows, m.cols]);
      const d = tf.sum(
        tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(this.centroids as import("@tensorflow/tfjs").Tensor2D, 0))),
        2,
      );
      return tf.softmax(tf.neg(d)).arraySync() as number[][];
    });
  }
  predict(X: FeatureInput): Label[] {
    return this.predictProba(X).map((p) => this.classes[p.indexOf(Math.max(...p))]);
  }
  score(X: FeatureInput, y: TargetInput): number {
    const p = this.predict(X);
    const t = toTargetArray(y);
    return t.filter((v, i) => v === p[i]).length / t.length;
  }
  dispose(): void {
    this.centroids?.dispose();
    TensorCentroids.disposed++;
  }
  async save(): Promise<void> {
    throw new Error("not needed in tests");
  }
}
