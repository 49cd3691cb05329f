/**
 * Baselines every model is compared with: the majority class (classification) and the mean (regression),
 * scikit-learn's DummyClassifier(strategy="prior") and DummyRegressor(strategy="mean").
 */
import * as fs from "fs";
import * as path from "path";
import type { FeatureInput, TargetInput } from "../data/matrix";
import { toMatrix, toTargetArray } from "../data/matrix";
import type { Classifier, FitOptions, Params, Regressor } from "../models/estimator";
import { Label, compareLabels, readLabels, readNumbers } from "./labels";

function writeJsonAtomically(dir: string, value: unknown): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "model.json");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value));
  fs.renameSync(tmp, file);
  return Promise.resolve();
}

/** Row count of any feature input (tables may hold text columns: the baseline ignores features). */
function rowsOf(X: FeatureInput): number {
  const x = X as { numRows?: () => number; shape?: number[]; rows?: number; length?: number };
  if (typeof x.numRows === "function") return x.numRows();
  if (typeof x.rows === "number" && (X as { data?: unknown }).data instanceof Float64Array) return x.rows;
  if (Array.isArray(x.shape)) return x.shape[0];
  return toMatrix(X).rows;
}

/** Predicts the most frequent training class for every sample; probabilities are the training class frequencies. */
export class MajorityClassifier implements Classifier<Params> {
  readonly name = "MajorityClassifier";
  readonly kind = "classifier" as const;
  classes: Label[] = [];
  private prior: number[] = [];
  private majority: Label | undefined;

  get fitted(): boolean {
    return this.majority !== undefined;
  }

  getParams(): Params {
    return {};
  }

  /** @throws Error on any parameter: the baseline has none. */
  withParams(params: Partial<Params> = {}): MajorityClassifier {
    const names = Object.keys(params);
    if (names.length) throw new Error(`MajorityClassifier has no parameters; got ${names.join(", ")}.`);
    return new MajorityClassifier();
  }

  /** Counts the classes. @throws Error on an empty target. */
  async fit(X: FeatureInput, y?: TargetInput, _options?: FitOptions): Promise<this> {
    if (y === undefined) throw new Error("MajorityClassifier.fit needs y.");
    const t = readLabels(y, "y");
    const counts = new Map<Label, number>();
    t.forEach((v) => counts.set(v, (counts.get(v) ?? 0) + 1));
    this.classes = Array.from(counts.keys()).sort(compareLabels);
    this.prior = this.classes.map((c) => (counts.get(c) as number) / t.length);
    // Ties go to the smallest class, as numpy's argmax does.
    let best = 0;
    this.prior.forEach((p, i) => (p > this.prior[best] ? (best = i) : 0));
    this.majority = this.classes[best];
    void X;
    return this;
  }

  private check(): void {
    if (!this.fitted) throw new Error("MajorityClassifier: call fit() before predict().");
  }

  predict(X: FeatureInput): Label[] {
    this.check();
    return new Array(rowsOf(X)).fill(this.majority);
  }

  predictProba(X: FeatureInput): number[][] {
    this.check();
    return Array.from({ length: rowsOf(X) }, () => this.prior.slice());
  }

  score(X: FeatureInput, y: TargetInput): number {
    const p = this.predict(X);
    const t = toTargetArray(y);
    return t.filter((v, i) => v === p[i]).length / t.length;
  }

  async save(dir: string): Promise<void> {
    this.check();
    return writeJsonAtomically(dir, { name: this.name, classes: this.classes, prior: this.prior, majority: this.majority });
  }
}

/** Predicts the training mean for every sample. */
export class MeanRegressor implements Regressor<Params> {
  readonly name = "MeanRegressor";
  readonly kind = "regressor" as const;
  private mean: number | undefined;

  get fitted(): boolean {
    return this.mean !== undefined;
  }

  getParams(): Params {
    return {};
  }

  /** @throws Error on any parameter: the baseline has none. */
  withParams(params: Partial<Params> = {}): MeanRegressor {
    const names = Object.keys(params);
    if (names.length) throw new Error(`MeanRegressor has no parameters; got ${names.join(", ")}.`);
    return new MeanRegressor();
  }

  /** Learns the mean. @throws Error on an empty or non-numeric target. */
  async fit(X: FeatureInput, y?: TargetInput, _options?: FitOptions): Promise<this> {
    if (y === undefined) throw new Error("MeanRegressor.fit needs y.");
    const t = readNumbers(y, "y");
    this.mean = t.reduce((a, b) => a + b, 0) / t.length;
    void X;
    return this;
  }

  predict(X: FeatureInput): number[] {
    if (this.mean === undefined) throw new Error("MeanRegressor: call fit() before predict().");
    return new Array(rowsOf(X)).fill(this.mean);
  }

  /** R² of the mean on (X, y): 0 on the training data, usually slightly below on new data. */
  score(X: FeatureInput, y: TargetInput): number {
    const p = this.predict(X);
    const t = readNumbers(y, "y");
    const m = t.reduce((a, b) => a + b, 0) / t.length;
    const ssRes = t.reduce((s, v, i) => s + (v - p[i]) ** 2, 0);
    const ssTot = t.reduce((s, v) => s + (v - m) ** 2, 0);
    return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  }

  async save(dir: string): Promise<void> {
    if (this.mean === undefined) throw new Error("MeanRegressor: call fit() before save().");
    return writeJsonAtomically(dir, { name: this.name, mean: this.mean });
  }
}
