/**
 * adversarial: accuracy under worst-case small perturbations. tfjs models get FGSM (the sign of the gradient of
 * the loss with respect to the input, from tf.grad); other models get a bounded random-perturbation search.
 */
import * as tf from "@tensorflow/tfjs";
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import { toMatrix } from "../data/matrix";
import type { Classifier, Estimator } from "../models/estimator";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import { Frame, ValidationResult, Value, Verdict, checkModel, columnStds, fmt, htmlTable, readTarget } from "./common";
import { SeededRandom } from "./stats";
import { accuracyOf, mean } from "../core/stats";
import { MetricInterval, formatInterval, wilsonInterval } from "../evaluate/intervals";

/**
 * A classifier whose probabilities are a differentiable tfjs function of the raw features (what FGSM needs).
 * trainlab's tfjs models implement it; `probaTensor` must not dispose its input and returns rows × classes in
 * `classes` order.
 */
export interface DifferentiableClassifier extends Classifier {
  probaTensor(x: tf.Tensor2D): tf.Tensor2D;
}

function isLayersModel(x: unknown): x is tf.LayersModel {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as tf.LayersModel).apply === "function" &&
    Array.isArray((x as tf.LayersModel).layers)
  );
}

/**
 * The differentiable forward pass of a model, when it has one: its `probaTensor`, or else a tfjs LayersModel it
 * holds as `model` or `network` (lib/models/nn), applied to the raw features (flat pixel rows are reshaped to the
 * network's image input).
 */
export function differentiableForward(model: Estimator): ((x: tf.Tensor2D) => tf.Tensor2D) | undefined {
  const m = model as Partial<DifferentiableClassifier> & { model?: unknown; network?: unknown };
  if (typeof m.probaTensor === "function")
    return (x) => (m.probaTensor as (x: tf.Tensor2D) => tf.Tensor2D).call(model, x);
  const net = isLayersModel(m.model) ? m.model : isLayersModel(m.network) ? m.network : undefined;
  if (!net) return undefined;
  // A network on images (a CNN) takes [rows, height, width, channels]: reshape flat pixel rows to it.
  const inputShape = (net.inputs[0]?.shape ?? []).slice(1) as number[];
  return (x) => {
    const shaped =
      inputShape.length > 1 && inputShape.every((d) => d > 0) && inputShape.reduce((a, b) => a * b, 1) === x.shape[1]
        ? x.reshape([x.shape[0], ...inputShape])
        : x;
    return net.apply(shaped, { training: false }) as tf.Tensor2D;
  };
}

/** Options of {@link adversarial}. */
export interface AdversarialOptions {
  /** Perturbation budgets (L∞), in `scale` units (default [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]). */
  epsilons?: number[];
  /** "std" (default): ε is in standard deviations of each feature; "raw": in the features' own units (pixels in [0, 1]). */
  scale?: "std" | "raw";
  /** Clip perturbed values to [min, max] (e.g. [0, 1] for images). */
  clip?: [number, number];
  /** "auto" (default): FGSM when the model is differentiable, else random search. */
  method?: "auto" | "fgsm" | "random";
  /** Random corners of the ε-box tried per sample (random search; default 20). */
  trials?: number;
  seed?: number;
  /** The budget the verdict looks at (default 0.1). */
  referenceEpsilon?: number;
  /**
   * Accuracy lost at the reference budget above this warns (default 0.1), above `failDrop` fails (default 0.3),
   * judged on the 95% Wilson interval's lower bound of the lost share, so that a model whose true loss is at most
   * `warnDrop` is flagged at most 2.5% of the time on small test sets.
   */
  warnDrop?: number;
  failDrop?: number;
}

/** Accuracy at each budget. */
export class AdversarialResult extends ValidationResult {
  /** 95% Wilson interval of the share of rows lost at the reference budget (the verdict's test). */
  readonly dropInterval: MetricInterval;
  readonly title: string;
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly method: "fgsm" | "random",
    readonly scale: "std" | "raw",
    readonly epsilons: number[],
    readonly accuracy: number[],
    readonly cleanAccuracy: number,
    readonly referenceEpsilon: number,
    warnDrop: number,
    failDrop: number,
    /** Rows attacked (the sample size behind the drop's interval). */
    readonly rows: number = 0,
  ) {
    super();
    this.title = `Adversarial robustness (${method === "fgsm" ? "FGSM, gradient attack" : "bounded random-perturbation search"})`;
    const atRef = this.accuracyAt(referenceEpsilon);
    const drop = cleanAccuracy - atRef;
    const n = rows > 0 ? rows : 1;
    this.dropInterval = wilsonInterval(Math.min(n, Math.max(0, Math.round(drop * n))), n);
    const lower = this.dropInterval.lower;
    this.verdict = lower > failDrop ? "fail" : lower > warnDrop ? "warn" : "pass";
    const unit = scale === "std" ? "σ" : "";
    this.reasons = [
      `At ε = ${referenceEpsilon}${unit} accuracy falls from ${fmt(cleanAccuracy)} to ${fmt(atRef)} (a drop of ${fmt(drop)}, 95% CI ${formatInterval(this.dropInterval)} on ${rows} rows; ` +
        `warn when the whole interval is above ${warnDrop}, fail above ${failDrop}).`,
      ...(this.verdict === "pass" && drop > warnDrop
        ? [
            `The drop ${fmt(drop)} is above ${warnDrop}, but not significantly on ${rows} rows: attack more rows to tell.`,
          ]
        : []),
      method === "fgsm"
        ? "FGSM moves every feature by ε in the direction that increases the loss most: a worst case for small changes."
        : "The model has no gradient, so each sample was attacked with random corners of its ε-box: a lower bound on the damage.",
    ];
    this.figures = [
      new Figure({
        data: [{ type: "scatter", mode: "lines+markers", name: "accuracy", x: epsilons, y: accuracy }],
        layout: {
          title: { text: `Accuracy against perturbation budget ε (${method})` },
          xaxis: { title: { text: `ε${scale === "std" ? " (σ of each feature)" : ""}` } },
          yaxis: { title: { text: "accuracy" }, range: [0, 1.02] },
        },
      }),
    ];
  }

  /** Accuracy at a budget (linear interpolation between measured budgets). */
  accuracyAt(epsilon: number): number {
    const e = this.epsilons;
    if (epsilon <= e[0]) return this.accuracy[0];
    for (let k = 1; k < e.length; k++) {
      if (epsilon <= e[k])
        return (
          this.accuracy[k - 1] + ((this.accuracy[k] - this.accuracy[k - 1]) * (epsilon - e[k - 1])) / (e[k] - e[k - 1])
        );
    }
    return this.accuracy[e.length - 1];
  }

  measurements(): Measurements {
    return { adversarial_accuracy: this.accuracyAt(this.referenceEpsilon), clean_accuracy: this.cleanAccuracy };
  }

  protected tableHtml(): string {
    return htmlTable(
      ["ε", "accuracy", "drop"],
      this.epsilons.map((e, k) => [String(e), fmt(this.accuracy[k]), fmt(this.cleanAccuracy - this.accuracy[k])]),
    );
  }
}

/**
 * Accuracy of a fitted classifier as the perturbation budget ε grows. FGSM for models with a differentiable
 * forward pass (tfjs), a bounded random search otherwise. Predictions always go through the model's own `predict`.
 * @throws Error for regressors, non-numeric features, labels the model does not know, or FGSM on a model without gradients.
 */
export function adversarial(
  model: Estimator,
  X: FeatureInput,
  y: TargetInput,
  options: AdversarialOptions = {},
): AdversarialResult {
  checkModel(model, "adversarial");
  if (model.kind !== "classifier")
    throw new Error(`adversarial: "${model.name}" is a ${model.kind}; the attack measures a classifier's accuracy.`);
  const frame = Frame.from(X);
  if (frame.numeric.some((n) => !n))
    throw new Error(
      "adversarial: every feature must be numeric (encode categorical columns first, or attack the encoded matrix).",
    );
  const m: Matrix = toMatrix(frame.input);
  const truth = readTarget(y, m.rows, "adversarial", model.kind);
  const epsilons = (options.epsilons ?? [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]).slice().sort((a, b) => a - b);
  const scaleMode = options.scale ?? "std";
  const stds = columnStds(frame);
  const scale = Float64Array.from({ length: m.cols }, (_, j) => (scaleMode === "std" ? (stds.get(j) as number) : 1));
  const forward = differentiableForward(model);
  const method =
    options.method === undefined || options.method === "auto" ? (forward ? "fgsm" : "random") : options.method;
  if (method === "fgsm" && !forward) {
    throw new Error(
      `adversarial: FGSM needs gradients, but "${model.name}" is not a tfjs model (no probaTensor or LayersModel). Use method "random".`,
    );
  }
  const clip = (v: number): number => (options.clip ? Math.min(options.clip[1], Math.max(options.clip[0], v)) : v);
  const at = (data: Float64Array, rows: number): Matrix => ({ data, rows, cols: m.cols, columns: m.columns });
  const accuracy: number[] = [];
  let saturated = 0;

  if (method === "fgsm") {
    const classes = (model as Classifier).classes;
    const index = new Map<Value, number>(classes.map((c, k) => [c, k]));
    const codes = truth.map((t, i) => {
      const k = index.get(t);
      if (k === undefined)
        throw new Error(
          `adversarial: y[${i}] = ${JSON.stringify(t)} is not one of the model's classes (${classes.join(", ")}).`,
        );
      return k;
    });
    const sign = tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]);
      const target = tf.oneHot(tf.tensor1d(codes, "int32"), classes.length).toFloat();
      const loss = (input: tf.Tensor): tf.Scalar => {
        const p = (forward as (x: tf.Tensor2D) => tf.Tensor2D)(input as tf.Tensor2D).clipByValue(1e-7, 1);
        return tf.neg(tf.sum(tf.mul(target, tf.log(p)))) as tf.Scalar;
      };
      return tf.sign(tf.grad(loss)(x));
    });
    const s = Float32Array.from(sign.dataSync());
    sign.dispose();
    // A saturated softmax can give a row an all-zero gradient; such rows get a random sign (at least random noise).
    const rng = new SeededRandom(options.seed ?? 0);
    for (let i = 0; i < m.rows; i++) {
      let zero = true;
      for (let j = 0; j < m.cols && zero; j++) zero = s[i * m.cols + j] === 0;
      if (zero) {
        saturated++;
        for (let j = 0; j < m.cols; j++) s[i * m.cols + j] = rng.next() < 0.5 ? -1 : 1;
      }
    }
    for (const eps of epsilons) {
      const data = Float64Array.from(m.data, (v, k) => clip(v + eps * scale[k % m.cols] * s[k]));
      accuracy.push(accuracyOf(truth, model.predict(at(data, m.rows))));
    }
  } else {
    const rng = new SeededRandom(options.seed ?? 0);
    const trials = options.trials ?? 20;
    for (const eps of epsilons) {
      if (eps === 0) {
        accuracy.push(accuracyOf(truth, model.predict(m)));
        continue;
      }
      // Trials are predicted in batches of about 200k values, so wide data (images) stays in memory bounds.
      const perBatch = Math.max(1, Math.floor(200000 / Math.max(1, m.data.length)));
      const robust = new Uint8Array(m.rows).fill(1);
      for (let t0 = 0; t0 < trials; t0 += perBatch) {
        const count = Math.min(perBatch, trials - t0);
        const data = new Float64Array(count * m.data.length);
        for (let t = 0; t < count; t++) {
          for (let k = 0; k < m.data.length; k++)
            data[t * m.data.length + k] = clip(m.data[k] + eps * scale[k % m.cols] * (rng.next() < 0.5 ? -1 : 1));
        }
        const pred = model.predict(at(data, count * m.rows));
        for (let t = 0; t < count; t++)
          for (let i = 0; i < m.rows; i++) if (pred[t * m.rows + i] !== truth[i]) robust[i] = 0;
      }
      accuracy.push(mean(robust));
    }
  }
  const clean = accuracyOf(truth, model.predict(m));
  const result = new AdversarialResult(
    method,
    scaleMode,
    epsilons,
    accuracy,
    clean,
    options.referenceEpsilon ?? 0.1,
    options.warnDrop ?? 0.1,
    options.failDrop ?? 0.3,
    m.rows,
  );
  if (saturated > 0)
    result.reasons.push(
      `${saturated} of ${m.rows} rows had a zero loss gradient (saturated probabilities) and were pushed in a random direction instead.`,
    );
  return result;
}
