/**
 * `learningCurve`: training and validation scores as the training set grows, next to the baseline.
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import { DISPLAY, MimeBundle } from "../display";
import { Figure } from "../viz/figure";
import { compositeBundle } from "../viz/combine";
import { LearningCurveData, learningCurveFigure } from "../viz/learning-curve";
import {
  CvOptions,
  ModelSpec,
  ProgressDisplay,
  baselineFor,
  fitOnRows,
  interruptCheck,
  prepare,
  release,
  resolveScorers,
  scoreOnRows,
  specName,
  taskOf,
} from "./engine";
import { mean } from "../core/stats";
import { seededUniform } from "./folds";
import { MetricSpec, getScorer, positiveClassNote, positiveClasses } from "./scoring";
import type { Label } from "../core/validation";
import { ResultTable } from "./table";

/** The outcome of {@link learningCurve}. */
export class LearningCurveResult implements LearningCurveData {
  constructor(
    readonly model: string,
    readonly metric: string,
    /** Absolute numbers of training rows. */
    readonly trainSizes: number[],
    /** trainScores[size][fold]. */
    readonly trainScores: number[][],
    /** validationScores[size][fold]. */
    readonly validationScores: number[][],
    /** The baseline's mean validation score (full training folds). */
    readonly baselineScore: number,
    readonly baselineName: string,
    /** The class a one-class metric (precision, recall, f1, average_precision) scored as positive on a binary target. */
    readonly positiveClass?: Label,
  ) {}

  /** Training and validation score per size, with the gap between them. */
  table(digits = 4): ResultTable {
    const rows = this.trainSizes.map((n, i) => ({
      "training rows": n,
      [`train ${this.metric}`]: mean(this.trainScores[i]),
      [`validation ${this.metric}`]: mean(this.validationScores[i]),
      gap: mean(this.trainScores[i]) - mean(this.validationScores[i]),
    }));
    return new ResultTable(Object.keys(rows[0]), rows, {
      title:
        `Learning curve of ${this.model} (${this.baselineName}: ${this.baselineScore.toFixed(digits)}` +
        `${this.positiveClass !== undefined ? `; ${positiveClassNote({ [this.metric]: this.positiveClass })}` : ""})`,
      digits,
    });
  }

  /** Mean ± std bands for training and validation, with the baseline as a dotted line. */
  figure(): Figure {
    const f = learningCurveFigure(this);
    f.data.push({
      type: "scatter",
      mode: "lines",
      name: `${this.baselineName} (${this.baselineScore.toFixed(3)})`,
      x: [this.trainSizes[0], this.trainSizes[this.trainSizes.length - 1]],
      y: [this.baselineScore, this.baselineScore],
      line: { dash: "dot", color: "#888" },
    });
    return f;
  }

  toString(): string {
    return this.table().toString();
  }

  [DISPLAY](): MimeBundle {
    const table = this.table();
    const fig = this.figure();
    return compositeBundle(this.toString(), table.toHTML() + String(fig[DISPLAY]()["text/html"]), [
      table.toPart(),
      fig,
    ]);
  }
}

/**
 * For each training-set size (fractions of a training fold, default 0.1, 0.325, 0.55, 0.775, 1), fits on that many
 * rows of each fold's training part (a seeded random subset, preprocessing included) and scores both that subset and
 * the fold's held-out rows. A wide gap that narrows with more rows means more data helps; two low curves mean the
 * model underfits.
 * `posLabel` names the positive class of a one-class metric ("precision", "recall", "f1", "average_precision") on a
 * binary target, as in crossValidate; the table title names it.
 * @throws Error on sizes outside (0, 1] or that leave fewer than 2 rows, or inputs crossValidate rejects; before any
 *   fit, when a one-class metric cannot tell which class is positive (pass posLabel) or posLabel is not a label.
 */
export async function learningCurve(
  model: ModelSpec,
  X: FeatureInput,
  y: TargetInput,
  options: CvOptions & { trainSizes?: readonly number[]; metric?: MetricSpec; posLabel?: Label } = {},
): Promise<LearningCurveResult> {
  const task = taskOf([model]);
  const [scorer] = resolveScorers(
    options.metric === undefined ? undefined : [getScorer(options.metric, { posLabel: options.posLabel })],
    task,
  );
  const prepared = prepare(X, y, task, options);
  // Before any fit: a one-class metric that cannot tell which class is positive is an error listing the labels.
  const positive = task === "classification" ? positiveClasses([scorer], prepared.y)[scorer.name] : undefined;
  const seed = options.seed ?? 0;
  const fractions = options.trainSizes ?? [0.1, 0.325, 0.55, 0.775, 1];
  const minTrain = Math.min(...prepared.folds.map((f) => f.train.length));
  const sizes = fractions.map((f) => {
    if (!(f > 0 && f <= 1)) throw new Error(`trainSizes are fractions in (0, 1]; got ${f}.`);
    const n = Math.floor(f * minTrain);
    if (n < 2) throw new Error(`trainSizes ${f} leaves ${n} training rows: use a larger fraction.`);
    return n;
  });
  const progress = new ProgressDisplay("learning curve", (sizes.length + 1) * prepared.folds.length, options.progress);
  const trainScores = sizes.map(() => [] as number[]);
  const validationScores = sizes.map(() => [] as number[]);
  const baseline = baselineFor(task);
  const baselineScores: number[] = [];
  for (const [f, fold] of prepared.folds.entries()) {
    // A seeded shuffle of the training rows so that small prefixes still hold every class.
    const random = seededUniform(seed + 7919 * (f + 1));
    const order = fold.train.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const [s, n] of sizes.entries()) {
      interruptCheck();
      const rows = order.slice(0, n);
      const fitted = await fitOnRows(model, prepared.source, prepared.y, rows, seed);
      trainScores[s].push((await scoreOnRows(fitted, prepared.source, prepared.y, rows, [scorer]))[0]);
      validationScores[s].push((await scoreOnRows(fitted, prepared.source, prepared.y, fold.test, [scorer]))[0]);
      release(fitted);
      progress.tick();
    }
    const b = await fitOnRows(baseline.model, prepared.source, prepared.y, fold.train, seed);
    baselineScores.push((await scoreOnRows(b, prepared.source, prepared.y, fold.test, [scorer]))[0]);
    progress.tick();
  }
  progress.finish("done");
  return new LearningCurveResult(
    specName(model),
    scorer.name,
    sizes,
    trainScores,
    validationScores,
    mean(baselineScores),
    baseline.name,
    positive,
  );
}
