/**
 * Test-only models and data for tests/validate: a tiny softmax regression (classical), a least-squares regressor,
 * and a tfjs LayersModel wrapped to the Classifier contract with a differentiable `probaTensor`.
 * They live here, not in lib: lib/models holds the real ones.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { loadDataset } from "../../lib/datasets";
import { FeatureInput, Matrix, TargetInput, toMatrix, toTargetArray } from "../../lib/data/matrix";
import type { Classifier, Params, Regressor } from "../../lib/models/estimator";

export const FEATURES = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"];

/** Penguins without missing measurements or sex, split 70/30 with a fixed shuffle. */
export function penguins(): {
  train: ColumnTable;
  test: ColumnTable;
  Xtrain: ColumnTable;
  Xtest: ColumnTable;
  ytrain: string[];
  ytest: string[];
} {
  const all = loadDataset("penguins").filter(
    (d: Record<string, unknown>) => d.body_mass_g !== null && d.sex !== null && d.sex !== ".",
  );
  const n = all.numRows();
  const order = Array.from({ length: n }, (_, i) => i);
  let s = 7;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const cut = Math.round(n * 0.7);
  const pick = (idx: number[]): ColumnTable => {
    const cols: Record<string, unknown[]> = {};
    for (const c of all.columnNames()) {
      const v = all.array(c) as ArrayLike<unknown>;
      cols[c] = idx.map((i) => v[i]);
    }
    return aq.table(cols);
  };
  const train = pick(order.slice(0, cut));
  const test = pick(order.slice(cut));
  return {
    train,
    test,
    Xtrain: train.select(FEATURES),
    Xtest: test.select(FEATURES),
    ytrain: train.array("species") as string[],
    ytest: test.array("species") as string[],
  };
}

function standardize(m: Matrix, mean: Float64Array, std: Float64Array): Float64Array {
  return Float64Array.from(m.data, (v, k) => (v - mean[k % m.cols]) / std[k % m.cols]);
}

/** Softmax regression by full-batch gradient descent on standardized features. */
export class TinyLogistic implements Classifier {
  readonly name = "TinyLogistic";
  readonly kind = "classifier" as const;
  classes: (number | string)[] = [];
  private w = new Float64Array(0);
  private mean = new Float64Array(0);
  private std = new Float64Array(0);
  private cols = 0;
  fitted = false;
  constructor(private readonly params: Params = { epochs: 300, lr: 0.5 }) {}
  getParams(): Params {
    return { ...this.params };
  }
  withParams(p: Partial<Params>): TinyLogistic {
    return new TinyLogistic({ ...this.params, ...p } as Params);
  }
  async fit(X: FeatureInput, y?: TargetInput): Promise<this> {
    const m = toMatrix(X);
    const t = toTargetArray(y as TargetInput);
    this.classes = Array.from(new Set(t)).sort();
    const k = this.classes.length;
    this.cols = m.cols;
    this.mean = new Float64Array(m.cols);
    this.std = new Float64Array(m.cols);
    for (let j = 0; j < m.cols; j++) {
      let s = 0;
      for (let i = 0; i < m.rows; i++) s += m.data[i * m.cols + j];
      this.mean[j] = s / m.rows;
      let v = 0;
      for (let i = 0; i < m.rows; i++) v += (m.data[i * m.cols + j] - this.mean[j]) ** 2;
      this.std[j] = Math.sqrt(v / m.rows) || 1;
    }
    const x = standardize(m, this.mean, this.std);
    const d = m.cols + 1;
    this.w = new Float64Array(d * k);
    const codes = t.map((v) => this.classes.indexOf(v));
    for (let epoch = 0; epoch < Number(this.params.epochs); epoch++) {
      const grad = new Float64Array(d * k);
      for (let i = 0; i < m.rows; i++) {
        const p = this.softmaxRow(x, i);
        for (let c = 0; c < k; c++) {
          const e = p[c] - (codes[i] === c ? 1 : 0);
          for (let j = 0; j < m.cols; j++) grad[c * d + j] += e * x[i * m.cols + j];
          grad[c * d + m.cols] += e;
        }
      }
      for (let q = 0; q < grad.length; q++) this.w[q] -= (Number(this.params.lr) * grad[q]) / m.rows;
    }
    this.fitted = true;
    return this;
  }
  private softmaxRow(x: Float64Array, i: number): number[] {
    const d = this.cols + 1;
    const z = this.classes.map((_, c) => {
      let s = this.w[c * d + this.cols];
      for (let j = 0; j < this.cols; j++) s += this.w[c * d + j] * x[i * this.cols + j];
      return s;
    });
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  }
  predictProba(X: FeatureInput): number[][] {
    const m = toMatrix(X);
    const x = standardize(m, this.mean, this.std);
    return Array.from({ length: m.rows }, (_, i) => this.softmaxRow(x, i));
  }
  predict(X: FeatureInput): (number | string)[] {
    return this.predictProba(X).map((p) => this.classes[p.indexOf(Math.max(...p))]);
  }
  score(X: FeatureInput, y: TargetInput): number {
    const t = toTargetArray(y);
    return this.predict(X).filter((p, i) => p === t[i]).length / t.length;
  }
  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "state.json"),
      JSON.stringify({
        w: Array.from(this.w),
        mean: Array.from(this.mean),
        std: Array.from(this.std),
        classes: this.classes,
      }),
    );
  }
}

/** Ordinary least squares by the normal equations (tiny ridge for stability). */
export class TinyLinearRegression implements Regressor {
  readonly name = "TinyLinearRegression";
  readonly kind = "regressor" as const;
  fitted = false;
  coef: number[] = [];
  getParams(): Params {
    return {};
  }
  withParams(): TinyLinearRegression {
    return new TinyLinearRegression();
  }
  async fit(X: FeatureInput, y?: TargetInput): Promise<this> {
    const m = toMatrix(X);
    const t = toTargetArray(y as TargetInput) as number[];
    const d = m.cols + 1;
    const A = Array.from({ length: d }, () => new Float64Array(d));
    const b = new Float64Array(d);
    for (let i = 0; i < m.rows; i++) {
      const row = [...m.data.subarray(i * m.cols, (i + 1) * m.cols), 1];
      for (let p = 0; p < d; p++) {
        b[p] += row[p] * t[i];
        for (let q = 0; q < d; q++) A[p][q] += row[p] * row[q];
      }
    }
    for (let p = 0; p < d; p++) A[p][p] += 1e-9;
    // Gaussian elimination.
    for (let c = 0; c < d; c++) {
      for (let r = c + 1; r < d; r++) {
        const f = A[r][c] / A[c][c];
        for (let q = c; q < d; q++) A[r][q] -= f * A[c][q];
        b[r] -= f * b[c];
      }
    }
    const w = new Array<number>(d).fill(0);
    for (let r = d - 1; r >= 0; r--) {
      let s = b[r];
      for (let q = r + 1; q < d; q++) s -= A[r][q] * w[q];
      w[r] = s / A[r][r];
    }
    this.coef = w;
    this.fitted = true;
    return this;
  }
  predict(X: FeatureInput): number[] {
    const m = toMatrix(X);
    return Array.from({ length: m.rows }, (_, i) => {
      let s = this.coef[m.cols];
      for (let j = 0; j < m.cols; j++) s += this.coef[j] * m.data[i * m.cols + j];
      return s;
    });
  }
  score(): number {
    return NaN;
  }
  /** Saves in lib/models' layout: model.json with the state's arrays stored in weights.bin. */
  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    const manifest = {
      format: "trainlab-model",
      version: 1,
      name: this.name,
      kind: this.kind,
      params: {},
      savedAt: new Date().toISOString(),
      state: { coef: { $array: "float64", offset: 0, length: this.coef.length } },
    };
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(manifest));
    fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.from(Float64Array.from(this.coef).buffer));
  }
}

/**
 * A tfjs MLP behind the Classifier contract. Standardization is part of the graph, so `probaTensor` is
 * differentiable with respect to the raw features (what FGSM needs).
 */
export class TfjsMlp implements Classifier {
  readonly name = "TfjsMlp";
  readonly kind = "classifier" as const;
  classes: (number | string)[] = [];
  fitted = false;
  model: tf.LayersModel | undefined;
  private mean: tf.Tensor1D | undefined;
  private std: tf.Tensor1D | undefined;
  constructor(private readonly params: Params = { hidden: 16, epochs: 60, seed: 1 }) {}
  getParams(): Params {
    return { ...this.params };
  }
  withParams(p: Partial<Params>): TfjsMlp {
    return new TfjsMlp({ ...this.params, ...p } as Params);
  }
  async fit(X: FeatureInput, y?: TargetInput): Promise<this> {
    const m = toMatrix(X);
    const t = toTargetArray(y as TargetInput);
    this.classes = Array.from(new Set(t)).sort();
    const x = tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
    const moments = tf.moments(x, 0);
    this.mean = moments.mean as tf.Tensor1D;
    this.std = tf.maximum(tf.sqrt(moments.variance), 0.05) as tf.Tensor1D;
    moments.variance.dispose();
    const seed = Number(this.params.seed);
    const net = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [m.cols],
          units: Number(this.params.hidden),
          activation: "relu",
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
        }),
        tf.layers.dense({
          units: this.classes.length,
          activation: "softmax",
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        }),
      ],
    });
    net.compile({ optimizer: tf.train.adam(0.05), loss: "categoricalCrossentropy" });
    const xs = tf.tidy(() => x.sub(this.mean as tf.Tensor).div(this.std as tf.Tensor));
    const ys = tf.oneHot(
      tf.tensor1d(
        t.map((v) => this.classes.indexOf(v)),
        "int32",
      ),
      this.classes.length,
    );
    await net.fit(xs, ys, { epochs: Number(this.params.epochs), batchSize: 64, shuffle: false, verbose: 0 });
    tf.dispose([x, xs, ys]);
    this.model = net;
    this.fitted = true;
    return this;
  }
  probaTensor(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(
      () =>
        (this.model as tf.LayersModel).apply(x.sub(this.mean as tf.Tensor).div(this.std as tf.Tensor), {
          training: false,
        }) as tf.Tensor2D,
    );
  }
  predictProba(X: FeatureInput): number[][] {
    const m = toMatrix(X);
    return tf.tidy(() => {
      const p = this.probaTensor(tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]));
      return p.arraySync() as number[][];
    });
  }
  predict(X: FeatureInput): (number | string)[] {
    return this.predictProba(X).map((p) => this.classes[p.indexOf(Math.max(...p))]);
  }
  score(X: FeatureInput, y: TargetInput): number {
    const t = toTargetArray(y);
    return this.predict(X).filter((p, i) => p === t[i]).length / t.length;
  }
  async save(dir: string): Promise<void> {
    const net = this.model as tf.LayersModel;
    await net.save(
      tf.io.withSaveHandler(async (artifacts) => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(
          path.join(dir, "model.json"),
          JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }),
        );
        fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.from(artifacts.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
  }
}

/** Renders a displayable and returns its bundle. */
export function render(value: unknown): Record<string, unknown> {
  return (value as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]();
}
