/**
 * Every metric against scikit-learn's own values on committed fixtures (tests/fixtures/sklearn/reference.json,
 * made by make_reference.py with Debian's python3-sklearn). Tolerance 1e-9 (relative for huge values).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  accuracy,
  adjustedRandIndex,
  brierScore,
  calibrationCurve,
  averagePrecision,
  balancedAccuracy,
  classificationReport,
  confusionMatrix,
  f1,
  fbeta,
  logLoss,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  perClassScores,
  precision,
  precisionRecallCurve,
  r2,
  recall,
  rocAuc,
  rocCurve,
  rootMeanSquaredError,
  silhouetteSamples,
  silhouetteScore,
} from "../../lib/evaluate";
import type { Average } from "../../lib/evaluate";

type Label = number | string;

type Ref = number | string | Ref[] | { error: string } | { [k: string]: Ref };
const root = path.resolve(__dirname, "..", "..", "..");
const reference = JSON.parse(
  fs.readFileSync(path.join(root, "tests", "fixtures", "sklearn", "reference.json"), "utf8"),
) as {
  sklearn: string;
  label_cases: { name: string; y_true: Label[]; y_pred: Label[]; pos_label: Label; expected: Record<string, Ref> }[];
  score_cases: {
    name: string;
    y_true: Label[];
    y_score: number[] | number[][];
    pos_label: Label | null;
    labels: Label[] | null;
    expected: Record<string, Ref>;
  }[];
  regression_cases: { name: string; y_true: number[]; y_pred: number[]; expected: Record<string, Ref> }[];
  cluster_cases: { name: string; X: number[][]; labels: Label[]; expected: Record<string, Ref> }[];
  ari_cases: { name: string; labels_true: Label[]; labels_pred: Label[]; expected: Ref }[];
  calibration_cases: {
    name: string;
    y_true: Label[];
    y_prob: number[];
    n_bins: number;
    strategy: "uniform" | "quantile";
    pos_label: Label | null;
    expected: Record<string, Ref>;
  }[];
};

const isError = (r: Ref): r is { error: string } =>
  typeof r === "object" && r !== null && !Array.isArray(r) && "error" in r;

function close(actual: unknown, expected: Ref, where: string): void {
  if (expected === "NaN") {
    assert.ok(typeof actual === "number" && Number.isNaN(actual), `${where}: expected NaN, got ${actual}`);
    return;
  }
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `${where}: expected a number, got ${JSON.stringify(actual)}`);
    const a = actual as number;
    assert.ok(
      Math.abs(a - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
      `${where}: ${a} vs scikit-learn ${expected}`,
    );
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal((actual as unknown[]).length, expected.length, `${where}: length`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, `${where}[${i}]`));
    return;
  }
  assert.deepEqual(actual, expected, where);
}

/** Checks a metric against a reference: the value, or a throw where scikit-learn raises (or returns NaN/garbage on empty input). */
function check(name: string, compute: () => unknown, expected: Ref, options: { empty?: boolean } = {}): void {
  if (options.empty) {
    assert.throws(compute, /empty/, `${name}: empty input should throw a clear error`);
    return;
  }
  if (isError(expected)) {
    assert.throws(compute, `${name}: scikit-learn raises (${expected.error}) so trainlab must throw`);
    return;
  }
  if (expected === "NaN") {
    // scikit-learn returns NaN with a warning; trainlab may return NaN or throw a clear error.
    let value: unknown;
    try {
      value = compute();
    } catch (e) {
      assert.ok((e as Error).message.length > 20, `${name}: the error explains itself`);
      return;
    }
    close(value, expected, name);
    return;
  }
  close(compute(), expected, name);
}

describe(`metrics match scikit-learn ${reference.sklearn} on committed fixtures (lib/evaluate)`, () => {
  for (const c of reference.label_cases) {
    it(`labels: ${c.name}`, () => {
      const e = c.expected;
      const empty = c.y_true.length === 0;
      check("accuracy", () => accuracy(c.y_true, c.y_pred), e.accuracy, { empty });
      check("balanced_accuracy", () => balancedAccuracy(c.y_true, c.y_pred), e.balanced_accuracy, { empty });
      check("confusion_matrix", () => confusionMatrix(c.y_true, c.y_pred), e.confusion_matrix, { empty });
      for (const average of ["binary", "micro", "macro", "weighted"] as Average[]) {
        const o = { average, posLabel: c.pos_label };
        check(`precision ${average}`, () => precision(c.y_true, c.y_pred, o), e[`precision_${average}`], { empty });
        check(`recall ${average}`, () => recall(c.y_true, c.y_pred, o), e[`recall_${average}`], { empty });
        check(`f1 ${average}`, () => f1(c.y_true, c.y_pred, o), e[`f1_${average}`], { empty });
        check(`fbeta(2) ${average}`, () => fbeta(c.y_true, c.y_pred, 2, o), e[`fbeta2_${average}`], { empty });
      }
      check(
        "per class",
        () => {
          const s = perClassScores(c.y_true, c.y_pred);
          return [s.precision, s.recall, s.fscore, s.support];
        },
        e.per_class,
        { empty },
      );
      check(
        "classification report",
        () => {
          const json = classificationReport(c.y_true, c.y_pred).toJSON();
          const out: Record<string, Ref> = {};
          for (const [k, v] of Object.entries(json)) {
            out[k] =
              typeof v === "number"
                ? v
                : { precision: v.precision, recall: v.recall, "f1-score": v.f1, support: v.support };
          }
          return out;
        },
        e.report,
        { empty },
      );
      if (!empty) {
        const report = classificationReport(c.y_true, c.y_pred);
        const expected = e.report as Record<string, Ref>;
        assert.deepEqual(Object.keys(report.toJSON()), Object.keys(expected), "report rows in scikit-learn's order");
        for (const [k, v] of Object.entries(report.toJSON())) {
          const ref = expected[k] as Record<string, Ref> | number;
          if (typeof v === "number") close(v, ref as number, `report ${k}`);
          else {
            const r = ref as Record<string, number>;
            close(
              [v.precision, v.recall, v.f1, v.support],
              [r.precision, r.recall, r["f1-score"], r.support],
              `report ${k}`,
            );
          }
        }
      }
    });
  }

  for (const c of reference.score_cases) {
    it(`scores: ${c.name}`, () => {
      const e = c.expected;
      const empty = c.y_true.length === 0;
      const labels = c.labels ?? undefined;
      const posLabel = c.pos_label ?? undefined;
      check("roc_auc", () => rocAuc(c.y_true, c.y_score, { labels }), e.roc_auc, { empty });
      check(
        "average_precision",
        () => averagePrecision(c.y_true, c.y_score, { labels, posLabel }),
        e.average_precision,
        { empty },
      );
      check("log_loss", () => logLoss(c.y_true, c.y_score, { labels }), e.log_loss, { empty });
      if (e.roc_curve !== undefined) {
        check(
          "roc_curve",
          () => {
            const r = rocCurve(c.y_true, c.y_score, { posLabel });
            return [r.fpr, r.tpr, r.thresholds];
          },
          e.roc_curve,
          { empty },
        );
        check(
          "precision_recall_curve",
          () => {
            const r = precisionRecallCurve(c.y_true, c.y_score, { posLabel });
            return [r.precision, r.recall, r.thresholds];
          },
          e.pr_curve,
          { empty },
        );
      }
    });
  }

  for (const c of reference.regression_cases) {
    it(`regression: ${c.name}`, () => {
      const e = c.expected;
      const empty = c.y_true.length === 0;
      check("mse", () => meanSquaredError(c.y_true, c.y_pred), e.mse, { empty });
      check("rmse", () => rootMeanSquaredError(c.y_true, c.y_pred), e.rmse, { empty });
      check("mae", () => meanAbsoluteError(c.y_true, c.y_pred), e.mae, { empty });
      check("r2", () => r2(c.y_true, c.y_pred), e.r2, { empty });
      check("mape", () => meanAbsolutePercentageError(c.y_true, c.y_pred), e.mape, { empty });
    });
  }

  for (const c of reference.cluster_cases) {
    it(`silhouette: ${c.name}`, () => {
      check("silhouette", () => silhouetteScore(c.X, c.labels), c.expected.silhouette);
      check("silhouette_samples", () => silhouetteSamples(c.X, c.labels), c.expected.silhouette_samples);
    });
  }

  for (const c of reference.calibration_cases) {
    it(`calibration: ${c.name}`, () => {
      const o = { nBins: c.n_bins, strategy: c.strategy, posLabel: c.pos_label ?? undefined };
      check(
        "calibration_curve",
        () => {
          const r = calibrationCurve(c.y_true, c.y_prob, o);
          return [r.probTrue, r.probPred];
        },
        c.expected.curve,
      );
      check("brier", () => brierScore(c.y_true, c.y_prob, { posLabel: o.posLabel }), c.expected.brier);
    });
  }

  for (const c of reference.ari_cases) {
    it(`adjusted Rand: ${c.name}`, () => {
      check("adjusted_rand", () => adjustedRandIndex(c.labels_true, c.labels_pred), c.expected);
    });
  }
});

describe("metric inputs and errors (lib/evaluate)", () => {
  it("a binary 2-column probability matrix scores like its second column", () => {
    const c = reference.score_cases.find((s) => s.name === "binary scores")!;
    const scores = c.y_score as number[];
    const two = scores.map((s) => [1 - s, s]);
    close(rocAuc(c.y_true, two), c.expected.roc_auc as number, "roc_auc");
    close(averagePrecision(c.y_true, two), c.expected.average_precision as number, "average_precision");
    close(logLoss(c.y_true, two), c.expected.log_loss as number, "log_loss");
  });

  it("rejects mismatched lengths, NaN, mixed label types and probabilities as labels, naming the problem", () => {
    assert.throws(() => accuracy([0, 1], [0]), /y_true has 2 samples but y_pred has 1/);
    assert.throws(() => meanSquaredError([1, NaN], [1, 2]), /y_true\[1\].*finite/);
    assert.throws(() => accuracy([0, "a"] as Label[], [0, 1]), /mixes numbers and strings/);
    assert.throws(() => f1([0, 1], [0.2, 0.9]), /continuous values are not class labels/);
    assert.throws(() => f1([0, 1, 2], [0, 1, 2]), /multiclass.*average="binary"/);
    assert.throws(() => f1(["a", "b"], ["a", "b"]), /posLabel=1 is not a valid label/);
    assert.equal(f1(["a", "b", "b"], ["a", "b", "a"], { posLabel: "b" }), 2 / 3);
  });

  it("silhouette on a seeded sample of large data", () => {
    const c = reference.cluster_cases[0];
    const full = silhouetteScore(c.X, c.labels);
    assert.ok(
      Math.abs(silhouetteScore(c.X, c.labels, { sampleSize: 1000 }) - full) < 1e-12,
      "a sample larger than the data is the data",
    );
    const a = silhouetteScore(c.X, c.labels, { sampleSize: 40, seed: 1 });
    assert.equal(silhouetteScore(c.X, c.labels, { sampleSize: 40, seed: 1 }), a);
    assert.ok(Math.abs(a - full) < 0.15);
  });

  it("renders the classification report as a table (HTML and text)", () => {
    const report = classificationReport(["cat", "dog", "dog", "pig"], ["cat", "dog", "pig", "pig"]);
    const text = report.toString();
    assert.match(text, /cat\s+1\.00\s+1\.00\s+1\.00\s+1/);
    assert.match(text, /accuracy\s+0\.75\s+4/);
    const html = report[Symbol.for("Jupyter.display") as never] as unknown as () => Record<string, string>;
    const bundle = html.call(report);
    assert.match(bundle["text/html"], /<table class="trainlab-table">/);
    assert.match(bundle["text/html"], /<td[^>]*>weighted avg<\/td>/);
  });
});
