/**
 * The validation statistics (lib/validate/stats) against scipy's numbers: KS test, PSI, χ², Holm, quantiles.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { SeededRandom, chi2Sf, holmAdjust, ks2samp, psi, psiPValue, quantile } from "../../lib/validate/stats";

/** The fixture lives next to the sources (tests/validate/fixtures), two levels above dist-XX/tests/validate. */
export function readReference(): Reference {
  const file = path.join(__dirname, "..", "..", "..", "tests", "validate", "fixtures", "reference.json");
  return JSON.parse(fs.readFileSync(file, "utf8")) as Reference;
}

export interface Reference {
  ks_2samp: { name: string; a: number[]; b: number[]; statistic: number; pvalue: number }[];
  chi2_sf: { x: number; dof: number; sf: number }[];
  calibration: {
    y: number[];
    p: number[];
    brier: number;
    uniform: { prob_true: number[]; prob_pred: number[] };
    quantile: { prob_true: number[]; prob_pred: number[] };
  };
}

function close(actual: number, expected: number, tol: number, what: string): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol * scale, `${what}: got ${actual}, scipy says ${expected}`);
}

describe("validate statistics (lib/validate/stats)", () => {
  const reference = readReference();

  for (const c of reference.ks_2samp) {
    it(`two-sample KS matches scipy.stats.ks_2samp: ${c.name}`, () => {
      const result = ks2samp(c.a, c.b);
      close(result.statistic, c.statistic, 1e-12, "statistic");
      close(result.pValue, c.pvalue, 1e-9, `p-value (${result.method})`);
      assert.equal(result.method, Math.max(c.a.length, c.b.length) > 10000 ? "asymp" : "exact");
    });
  }

  it("KS rejects empty samples and missing values with a clear message", () => {
    assert.throws(() => ks2samp([], [1]), /at least one value/);
    assert.throws(() => ks2samp([1, NaN], [1]), /first sample holds NaN at index 1/);
  });

  it("PSI is 0 for the same sample and grows with a known shift", () => {
    const rng = new SeededRandom(3);
    const base = Array.from({ length: 5000 }, () => rng.normal());
    assert.equal(psi(base, base).psi, 0);
    const small = psi(
      base,
      base.map((v) => v + 0.1),
    ).psi;
    const large = psi(
      base,
      base.map((v) => v + 1),
    ).psi;
    assert.ok(small > 0 && small < 0.1, `small shift PSI ${small}`);
    assert.ok(large > 0.25, `large shift PSI ${large}`);
  });

  it("PSI on a hand-computed shift: quartile bins, one quarter of the mass moved", () => {
    const reference = [1, 2, 3, 4, 5, 6, 7, 8];
    // quartile edges of the reference: 2.75, 4.5, 6.25 -> bins hold 2,2,2,2 of 8 = 0.25 each.
    const current = [1, 1, 1, 1, 5, 6, 7, 8]; // 0.5, 0, 0.25, 0.25
    const result = psi(reference, current, { bins: 4, floor: 1e-4 });
    assert.deepEqual(result.edges, [2.75, 4.5, 6.25]);
    assert.deepEqual(result.expected, [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(result.actual, [0.5, 0, 0.25, 0.25]);
    const expected = (0.5 - 0.25) * Math.log(0.5 / 0.25) + (1e-4 - 0.25) * Math.log(1e-4 / 0.25);
    close(result.psi, expected, 1e-12, "psi");
  });

  it("PSI with a pseudo-count: an empty bin on a small sample no longer adds about 0.69", () => {
    const reference = [1, 2, 3, 4, 5, 6, 7, 8];
    const current = [1, 1, 1, 1, 5, 6, 7, 8]; // bins 0.5, 0, 0.25, 0.25 of 8 rows
    const floored = psi(reference, current, { bins: 4 }).psi;
    const smoothed = psi(reference, current, { bins: 4, smoothing: 0.5 });
    // Counts + 0.5 over 8 + 2 rows: reference 2.5/10 each; current 4.5, 0.5, 2.5, 2.5 of 10.
    const e = 0.25;
    const expected = [0.45, 0.05, 0.25, 0.25].reduce((t, a) => t + (a - e) * Math.log(a / e), 0);
    close(smoothed.psi, expected, 1e-12, "smoothed psi");
    assert.deepEqual(smoothed.actual, [0.5, 0, 0.25, 0.25], "raw shares are reported unchanged");
    assert.ok(floored > 1.5 && smoothed.psi < 0.6, `floored ${floored}, smoothed ${smoothed.psi}`);
  });

  it("Holm's step-down adjustment on a hand-computed case", () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 → running max 0.02, 0.03, 0.06, 0.06.
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => close(adjusted[i], v, 1e-12, `holm ${i}`));
    assert.ok(Number.isNaN(holmAdjust([NaN, 0.2])[0]));
    close(holmAdjust([NaN, 0.2])[1], 0.2, 1e-12, "NaN does not count");
  });

  it("chi-square survival matches scipy.stats.chi2.sf", () => {
    for (const c of reference.chi2_sf) {
      const got = chi2Sf(c.x, c.dof);
      assert.ok(Math.abs(got - c.sf) <= 1e-12 + 1e-9 * c.sf, `chi2.sf(${c.x}, ${c.dof}): got ${got}, scipy ${c.sf}`);
    }
  });

  it("PSI p-value: sampling noise of two same-distribution samples is not significant, a real shift is", () => {
    const rng = new SeededRandom(9);
    const a = Array.from({ length: 233 }, () => rng.normal());
    const b = Array.from({ length: 100 }, () => rng.normal());
    const same = psi(a, b);
    assert.ok(psiPValue(same.psi, same.expected.length, 233, 100) > 0.05, `noise PSI ${same.psi}`);
    const moved = psi(
      a,
      b.map((v) => v + 1),
    );
    assert.ok(psiPValue(moved.psi, moved.expected.length, 233, 100) < 1e-6);
  });

  it("quantile interpolates like numpy", () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8], 0.25), 2.75);
  });

  it("the seeded generator repeats its stream", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    for (let i = 0; i < 10; i++) assert.equal(a.next(), b.next());
    assert.notEqual(new SeededRandom(1).next(), new SeededRandom(2).next());
  });
});
