/**
 * holdout: the one evaluation on the untouched test split. It refuses a second look at the same split (peeking at
 * the test set while choosing models is how leakage happens) unless called with `{force: true}`.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { FeatureInput, TargetInput, toTargetArray } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { MajorityClassifier, MeanRegressor } from "../evaluate/baseline";
import { confusionMatrixFigure } from "../viz/confusion-matrix";
import { residualsFigure } from "../viz/residuals";
import type { Figure } from "../viz/figure";
import type { Goals, Measurements, Scorecard } from "../goals";
import { saveJsonAtomically } from "../goals";
import {
  Frame, MetricInput, ValidationResult, Value, Verdict, checkModel, fmt, hasProba, htmlTable, readTarget, resolveMetric,
  scorePredictions,
} from "./common";

/** Options of {@link holdout}. */
export interface HoldoutOptions {
  /** Metrics to report (default: accuracy, balanced_accuracy, f1_macro, plus roc_auc and log_loss with probabilities; regressors: r2, rmse, mae, mse). The first is the headline. */
  metrics?: MetricInput[];
  /** Evaluate even though this split was evaluated before (the result then carries a warning). */
  force?: boolean;
  /** Also record evaluations in `<runsDir>/holdout-log.json`, so the refusal survives a kernel restart. */
  runsDir?: string;
  /** Training targets, to fit the majority/mean baseline reported next to the model (default: the test targets). */
  trainY?: TargetInput;
  /** Training features: test rows that also appear in training (exact duplicates, a leak) are counted and warned about. */
  trainX?: FeatureInput;
  /** Goals to check the metrics against; the verdict then follows the scorecard. */
  goals?: Goals;
}

/** One recorded look at a test split. */
export interface HoldoutRecord {
  fingerprint: string;
  model: string;
  at: string;
  metrics: Record<string, number>;
}

const seen = new Map<string, HoldoutRecord[]>();

/** Forgets the in-process record of evaluated splits (tests; a fresh experiment in the same kernel). */
export function resetHoldoutRegistry(): void {
  seen.clear();
}

/** A SHA-256 fingerprint of a split: its column names, every feature value and every target value. */
export function splitFingerprint(X: FeatureInput, y: TargetInput): string {
  const frame = Frame.from(X);
  const hash = crypto.createHash("sha256");
  hash.update(JSON.stringify(frame.columns));
  hash.update(String(frame.rows));
  frame.columns.forEach((_, j) => {
    if (frame.numeric[j]) hash.update(Buffer.from(frame.numbers(j).buffer));
    else hash.update(JSON.stringify(frame.values(j)));
  });
  hash.update(JSON.stringify(readTarget(y, frame.rows, "holdout")));
  return hash.digest("hex");
}

function logFile(runsDir: string): string {
  return path.join(runsDir, "holdout-log.json");
}

function readLog(runsDir: string | undefined): HoldoutRecord[] {
  if (!runsDir || !fs.existsSync(logFile(runsDir))) return [];
  try {
    return JSON.parse(fs.readFileSync(logFile(runsDir), "utf8")) as HoldoutRecord[];
  } catch (err) {
    throw new Error(`${logFile(runsDir)} is not a valid holdout log (${(err as Error).message}); delete it only if you are sure the test split is untouched.`);
  }
}

/** The one evaluation on the test split, with the baseline next to it. */
export class HoldoutResult extends ValidationResult {
  readonly title = "Holdout evaluation (test split)";
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly model: string,
    readonly rows: number,
    /** Metric name to the model's value. */
    readonly metrics: Record<string, number>,
    /** Metric name to the majority-class / mean baseline's value. */
    readonly baseline: Record<string, number>,
    readonly greaterIsBetter: Record<string, boolean>,
    readonly fingerprint: string,
    /** How many times this split has now been evaluated (1 = the honest first look). */
    readonly evaluations: number,
    /** Test rows identical to a training row (null when trainX was not given). */
    readonly leakedRows: number | null,
    readonly scorecard: Scorecard | undefined,
    figures: Figure[],
  ) {
    super();
    this.figures = figures;
    const reasons: string[] = [];
    const verdicts: Verdict[] = [];
    const headline = Object.keys(metrics)[0];
    const better = greaterIsBetter[headline] ? metrics[headline] > baseline[headline] : metrics[headline] < baseline[headline];
    if (better) reasons.push(`${headline} ${fmt(metrics[headline])} beats the baseline's ${fmt(baseline[headline])}.`);
    else {
      reasons.push(`${headline} ${fmt(metrics[headline])} does not beat the trivial baseline's ${fmt(baseline[headline])}: the model has learned nothing useful.`);
      verdicts.push("fail");
    }
    if (scorecard) {
      reasons.push(`Goals: ${scorecard.verdict} (${scorecard.rows.filter((r) => r.status === "pass").length} of ${scorecard.rows.length} met).`);
      verdicts.push(scorecard.verdict === "pass" ? "pass" : scorecard.verdict === "fail" ? "fail" : "warn");
    }
    if (leakedRows !== null && leakedRows > 0) {
      reasons.push(`${leakedRows} of ${rows} test rows also appear in the training features: the test split leaks; deduplicate before splitting.`);
      verdicts.push("warn");
    }
    if (evaluations > 1) {
      reasons.push(`This test split has now been evaluated ${evaluations} times (forced): these numbers are optimistic, because choices were made after seeing it.`);
      verdicts.push("warn");
    }
    this.reasons = reasons;
    this.verdict = verdicts.includes("fail") ? "fail" : verdicts.includes("warn") ? "warn" : "pass";
  }

  measurements(): Measurements {
    return { ...this.metrics };
  }

  toJSON(): Record<string, unknown> {
    return { model: this.model, rows: this.rows, metrics: this.metrics, baseline: this.baseline, fingerprint: this.fingerprint, evaluations: this.evaluations, leakedRows: this.leakedRows, verdict: this.verdict };
  }

  protected tableHtml(): string {
    const rows = Object.keys(this.metrics).map((m) => [m, fmt(this.metrics[m]), fmt(this.baseline[m]), this.greaterIsBetter[m] ? "higher" : "lower"]);
    return (
      `<p>${this.rows} test rows · model <code>${this.model}</code> · split ${this.fingerprint.slice(0, 12)}</p>` +
      htmlTable(["metric", "model", "baseline", "better"], rows) +
      (this.scorecard ? (this.scorecard as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]()["text/html"] : "")
    );
  }
}

/**
 * Evaluates a fitted model once on the untouched test split: the metrics, the same metrics for a majority-class
 * (or mean) baseline, a confusion matrix (or residual plot), and the goals' scorecard when given.
 * @throws Error when this split (same features and targets, by SHA-256) was evaluated before in this process or in
 * `runsDir`, unless `force: true`; on an unfitted model, mismatched X and y or an unknown metric.
 */
export async function holdout(model: Estimator, X: FeatureInput, y: TargetInput, options: HoldoutOptions = {}): Promise<HoldoutResult> {
  checkModel(model, "holdout");
  const frame = Frame.from(X);
  const truth = readTarget(y, frame.rows, "holdout");
  const fingerprint = splitFingerprint(X, y);
  const previous = [...(seen.get(fingerprint) ?? []), ...readLog(options.runsDir).filter((r) => r.fingerprint === fingerprint)];
  if (previous.length > 0 && !options.force) {
    const first = previous[0];
    throw new Error(
      `holdout refused: this test split (fingerprint ${fingerprint.slice(0, 12)}) was already evaluated at ${first.at} with ${first.model}. ` +
        `Looking at the test set again while choosing or tuning a model leaks it into your choices and makes its score optimistic. ` +
        `Compare models with crossValidate on the training split instead; pass {force: true} only to re-report a final model knowingly.`,
    );
  }
  const classifier = model.kind === "classifier";
  const specs: MetricInput[] = options.metrics ?? (classifier
    ? ["accuracy", "balanced_accuracy", "f1_macro", ...(hasProba(model) ? ["roc_auc", "log_loss"] : [])]
    : ["r2", "rmse", "mae", "mse"]);
  const scorers = specs.map((m) => resolveMetric(m, model));
  const pred = model.predict(frame.input);
  const proba = hasProba(model) && scorers.some((s) => s.needsProba) ? model.predictProba(frame.input) : undefined;
  const baselineModel = classifier ? new MajorityClassifier() : new MeanRegressor();
  const baselineTarget = options.trainY !== undefined ? toTargetArray(options.trainY) : truth;
  // Baselines ignore the features; give them one dummy column with a row per target.
  await baselineModel.fit(baselineTarget.map(() => [0]), baselineTarget as TargetInput);
  const ones = Array.from({ length: frame.rows }, () => [0]);
  const basePred = baselineModel.predict(ones);
  const baseProba = baselineModel instanceof MajorityClassifier ? alignProba(baselineModel, model, ones) : undefined;
  const metrics: Record<string, number> = {};
  const baseline: Record<string, number> = {};
  const greater: Record<string, boolean> = {};
  const notes: string[] = [];
  for (const s of scorers) {
    try {
      metrics[s.name] = scorePredictions(s, model, truth, pred, proba);
    } catch (err) {
      if (specs !== options.metrics) {
        notes.push(`${s.name} skipped: ${(err as Error).message}`);
        continue;
      }
      throw err;
    }
    try {
      baseline[s.name] = scorePredictions(s, model, truth, basePred, baseProba);
    } catch {
      baseline[s.name] = NaN;
    }
    greater[s.name] = s.greaterIsBetter;
  }
  const record: HoldoutRecord = { fingerprint, model: model.name, at: new Date().toISOString(), metrics };
  seen.set(fingerprint, [...(seen.get(fingerprint) ?? []), record]);
  if (options.runsDir) saveJsonAtomically(logFile(options.runsDir), [...readLog(options.runsDir), record]);
  const figures: Figure[] = [];
  if (classifier) {
    const labels = hasProba(model) ? model.classes.slice() : undefined;
    figures.push(confusionMatrixFigure(truth as number[], pred as number[], { labels, title: `Confusion matrix on the test split (${model.name})` }));
  } else figures.push(residualsFigure(truth as number[], pred as number[], { title: `Residuals on the test split (${model.name})` }));
  const scorecard = options.goals?.check(metrics);
  const leaked = options.trainX !== undefined ? countSharedRows(Frame.from(options.trainX), frame) : null;
  const result = new HoldoutResult(model.name, frame.rows, metrics, baseline, greater, fingerprint, previous.length + 1, leaked, scorecard, figures);
  result.reasons.push(...notes);
  return result;
}

/** Rows of `test` whose values (in the columns both share) equal some row of `train`. */
function countSharedRows(train: Frame, test: Frame): number {
  const shared = test.columns.filter((c) => train.columns.includes(c));
  const key = (frame: Frame): string[] => {
    const cols = shared.map((c) => frame.values(frame.columnIndex(c)));
    return Array.from({ length: frame.rows }, (_, i) => JSON.stringify(cols.map((col) => col[i])));
  };
  const seenRows = new Set(key(train));
  return key(test).filter((k) => seenRows.has(k)).length;
}

/** The baseline's class frequencies in the model's class order (zeros for classes the baseline never saw). */
function alignProba(baseline: MajorityClassifier, model: Estimator, X: number[][]): number[][] | undefined {
  if (!hasProba(model)) return undefined;
  const own = baseline.predictProba(X);
  const index = new Map<Value, number>(baseline.classes.map((c, j) => [c, j]));
  return own.map((row) => model.classes.map((c) => (index.has(c) ? row[index.get(c) as number] : 0)));
}
