/**
 * Tiny test-only estimators that follow lib/models' Estimator contract (not part of the library).
 */
import type { FeatureInput, Matrix, TargetInput } from "../../lib/data/matrix";
import { matrixRow, toMatrix, toTargetArray } from "../../lib/data/matrix";
import type { Classifier, FitOptions, Regressor } from "../../lib/models/estimator";

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
    this.classes = Array.from(new Set(this.y)).sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1));
    this.fitRows = this.X.rows;
    return this;
  }
  predictProba(X: FeatureInput): number[][] {
    const train = this.X as Matrix;
    const m = toMatrix(X);
    return Array.from({ length: m.rows }, (_, i) => {
      const row = matrixRow(m, i);
      const d = Array.from({ length: train.rows }, (_, j) => [dist2(row, matrixRow(train, j)), j] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
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

/** Ridge regression on all features, closed form via normal equations (small d). */
export class TinyRidge implements Regressor<{ alpha: number }> {
  readonly name = "TinyRidge";
  readonly kind = "regressor" as const;
  private w: number[] | undefined;
  constructor(private readonly params: { alpha: number } = { alpha: 1 }) {}
  get fitted(): boolean {
    return this.w !== undefined;
  }
  getParams(): { alpha: number } {
    return { ...this.params };
  }
  withParams(p: Partial<{ alpha: number }>): TinyRidge {
    for (const key of Object.keys(p)) if (key !== "alpha") throw new Error(`TinyRidge has no parameter "${key}".`);
    return new TinyRidge({ ...this.params, ...p });
  }
  async fit(X: FeatureInput, y?: TargetInput): Promise<this> {
    const m = toMatrix(X);
    const t = toTargetArray(y as TargetInput) as number[];
    const d = m.cols + 1;
    const A = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    const b = new Array<number>(d).fill(0);
    for (let i = 0; i < m.rows; i++) {
      const x = [1, ...matrixRow(m, i)];
      for (let p = 0; p < d; p++) {
        b[p] += x[p] * t[i];
        for (let q = 0; q < d; q++) A[p][q] += x[p] * x[q];
      }
    }
    for (let p = 1; p < d; p++) A[p][p] += this.params.alpha;
    // Gaussian elimination.
    for (let c = 0; c < d; c++) {
      let piv = c;
      for (let r = c + 1; r < d; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
      [A[c], A[piv]] = [A[piv], A[c]];
      [b[c], b[piv]] = [b[piv], b[c]];
      for (let r = 0; r < d; r++) {
        if (r === c) continue;
        const f = A[r][c] / A[c][c];
        for (let q = c; q < d; q++) A[r][q] -= f * A[c][q];
        b[r] -= f * b[c];
      }
    }
    this.w = b.map((v, i) => v / A[i][i]);
    return this;
  }
  predict(X: FeatureInput): number[] {
    const w = this.w as number[];
    const m = toMatrix(X);
    return Array.from({ length: m.rows }, (_, i) => matrixRow(m, i).reduce((s, v, j) => s + v * w[j + 1], w[0]));
  }
  score(X: FeatureInput, y: TargetInput): number {
    const p = this.predict(X);
    const t = toTargetArray(y) as number[];
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    return 1 - t.reduce((s, v, i) => s + (v - p[i]) ** 2, 0) / t.reduce((s, v) => s + (v - mean) ** 2, 0);
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
  constructor(private readonly log: number[][], private readonly idColumn = 0) {}
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

/** Gaussian naive Bayes, as scikit-learn's GaussianNB (var_smoothing × the largest feature variance added). */
export class TinyGaussianNB implements Classifier<{ varSmoothing: number }> {
  readonly name = "TinyGaussianNB";
  readonly kind = "classifier" as const;
  classes: Label[] = [];
  private theta: number[][] = [];
  private variance: number[][] = [];
  private prior: number[] = [];
  constructor(private readonly params: { varSmoothing: number } = { varSmoothing: 1e-9 }) {}
  get fitted(): boolean {
    return this.prior.length > 0;
  }
  getParams(): { varSmoothing: number } {
    return { ...this.params };
  }
  withParams(p: Partial<{ varSmoothing: number }>): TinyGaussianNB {
    for (const key of Object.keys(p)) if (key !== "varSmoothing") throw new Error(`TinyGaussianNB has no parameter "${key}".`);
    return new TinyGaussianNB({ ...this.params, ...p });
  }
  async fit(X: FeatureInput, y?: TargetInput): Promise<this> {
    const m = toMatrix(X);
    const t = toTargetArray(y as TargetInput);
    this.classes = Array.from(new Set(t)).sort((a, b) => (a as number) - (b as number));
    const colVar = (rows: number[]): number[] =>
      Array.from({ length: m.cols }, (_, j) => {
        const mean = rows.reduce((s, i) => s + m.data[i * m.cols + j], 0) / rows.length;
        return rows.reduce((s, i) => s + (m.data[i * m.cols + j] - mean) ** 2, 0) / rows.length;
      });
    const all = Array.from({ length: m.rows }, (_, i) => i);
    const epsilon = this.params.varSmoothing * Math.max(...colVar(all));
    this.theta = [];
    this.variance = [];
    this.prior = [];
    for (const c of this.classes) {
      const rows = all.filter((i) => t[i] === c);
      this.theta.push(Array.from({ length: m.cols }, (_, j) => rows.reduce((s, i) => s + m.data[i * m.cols + j], 0) / rows.length));
      this.variance.push(colVar(rows).map((v) => v + epsilon));
      this.prior.push(rows.length / m.rows);
    }
    return this;
  }
  private jll(X: FeatureInput): number[][] {
    const m = toMatrix(X);
    return Array.from({ length: m.rows }, (_, i) =>
      this.classes.map((_, c) => {
        let n = 0;
        let q = 0;
        for (let j = 0; j < m.cols; j++) {
          n += Math.log(2 * Math.PI * this.variance[c][j]);
          q += (m.data[i * m.cols + j] - this.theta[c][j]) ** 2 / this.variance[c][j];
        }
        return Math.log(this.prior[c]) - 0.5 * n - 0.5 * q;
      }),
    );
  }
  predictProba(X: FeatureInput): number[][] {
    return this.jll(X).map((row) => {
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      return row.map((v) => Math.exp(v - lse));
    });
  }
  predict(X: FeatureInput): Label[] {
    return this.jll(X).map((row) => this.classes[row.indexOf(Math.max(...row))]);
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

/** scikit-learn's StandardScaler (population std, 1 for constant columns), as a pipeline step. */
export class TinyStandardScaler {
  private mean: number[] = [];
  private scale: number[] = [];
  fit(X: FeatureInput): this {
    const m = toMatrix(X);
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
    const data = new Float64Array(m.data.length);
    for (let k = 0; k < data.length; k++) data[k] = (m.data[k] - this.mean[k % m.cols]) / this.scale[k % m.cols];
    return { data, rows: m.rows, cols: m.cols };
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
    const tf = require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
    const m = toMatrix(X);
    return tf.tidy(() => {
      const x = tf.tensor2d(Array.from(m.data), [m.rows, m.cols]);
      const d = tf.sum(tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(this.centroids as import("@tensorflow/tfjs").Tensor2D, 0))), 2);
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
