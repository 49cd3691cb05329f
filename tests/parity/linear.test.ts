/**
 * Parity of the linear models with scikit-learn on real tables (fixtures by tests/fixtures/parity/make_parity.py).
 * Same objective, so the same predictions: LinearRegression and Ridge against scikit-learn's predictions, and
 * LogisticRegression against the optimum of scikit-learn's objective (C · Σ log loss + ½‖W‖², intercept not penalized,
 * multinomial for more than two classes), all to 1e-6, on raw unscaled features and unscaled one-hot columns too.
 */
import { strict as assert } from "assert";
import { LinearRegression, LogisticRegression, Ridge } from "../../lib/models";
import { maxAbsDiff, readTable, reference, splitTable, standardize, withOneHot } from "./data";

const CLASSIFICATION = ["iris", "wine", "breast_cancer", "digits"];

describe("parity with scikit-learn: linear models", function () {
  this.timeout(300_000);

  describe("LogisticRegression minimizes scikit-learn's objective: probabilities agree to 1e-6", () => {
    for (const name of CLASSIFICATION) {
      const ref = reference(name);
      const table = readTable(name);
      const s = ref.splits[0];
      const { Xtr, ytr, Xte, train } = splitTable(table, s);
      const cases: [string, () => { Xtr: typeof Xtr; Xte: typeof Xte }][] = [
        ["raw (unscaled) features", () => ({ Xtr, Xte })],
        [
          "standardized features",
          () => ({
            Xtr: standardize(Xtr, s.models.logistic_scaled.mean!, s.models.logistic_scaled.scale!),
            Xte: standardize(Xte, s.models.logistic_scaled.mean!, s.models.logistic_scaled.scale!),
          }),
        ],
      ];
      if (s.models.logistic_onehot) {
        const codes = ref.onehot_codes!;
        cases.push([
          "raw features plus unscaled one-hot columns",
          () => ({
            Xtr: withOneHot(
              Xtr,
              train.map((i) => codes[i]),
            ),
            Xte: withOneHot(
              Xte,
              s.test.map((i) => codes[i]),
            ),
          }),
        ]);
      }
      const keys: Record<string, string> = {
        "raw (unscaled) features": "logistic",
        "standardized features": "logistic_scaled",
        "raw features plus unscaled one-hot columns": "logistic_onehot",
      };
      for (const [label, make] of cases) {
        it(`${name}, ${label} (C = 1)`, async () => {
          const { Xtr: A, Xte: B } = make();
          const model = await new LogisticRegression({ C: 1 }).fit(A, ytr);
          const diff = maxAbsDiff(model.predictProba(B), s.models[keys[label]].proba!);
          assert.ok(
            diff < 1e-6,
            `max |p - p_sklearn_optimum| = ${diff.toExponential(2)} (scikit-learn's own lbfgs is ${s.models[keys[label]].sklearn_lbfgs_gap!.toExponential(2)} away)`,
          );
        });
      }
    }
  });

  describe("least squares: predictions agree to 1e-6 on diabetes", () => {
    const ref = reference("diabetes");
    const table = readTable("diabetes");
    const s = ref.splits[0];
    const { Xtr, ytr, Xte } = splitTable(table, s);
    it("LinearRegression", async () => {
      const model = await new LinearRegression().fit(Xtr, ytr);
      const diff = maxAbsDiff([model.predict(Xte)], [s.models.linear.pred!]);
      assert.ok(diff < 1e-6, `max |ŷ - ŷ_sklearn| = ${diff}`);
    });
    it("Ridge (alpha = 1)", async () => {
      const model = await new Ridge({ alpha: 1 }).fit(Xtr, ytr);
      const diff = maxAbsDiff([model.predict(Xte)], [s.models.ridge.pred!]);
      assert.ok(diff < 1e-6, `max |ŷ - ŷ_sklearn| = ${diff}`);
    });
    it("Ridge (alpha = 1) on unscaled columns: the penalty is on raw coefficients, as in scikit-learn", async () => {
      const scale = s.models.ridge_unscaled.scale as number[];
      const times = (m: typeof Xtr): typeof Xtr => ({ ...m, data: m.data.map((v, q) => v * scale[q % m.cols]) });
      const model = await new Ridge({ alpha: 1 }).fit(times(Xtr), ytr);
      const diff = maxAbsDiff([model.predict(times(Xte))], [s.models.ridge_unscaled.pred!]);
      assert.ok(diff < 1e-6, `max |ŷ - ŷ_sklearn| = ${diff}`);
    });
  });
});
