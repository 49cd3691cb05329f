/**
 * The building blocks under HistGradientBoosting's speed: the radix sort that binning uses must order floats exactly as
 * the built-in sort does, and the stable partition must split a node's rows as the split says, each side in its old
 * order. Checked on real feature columns (digits, diabetes) and on adversarial values (signs, zeros, ties, extremes).
 */
import { strict as assert } from "assert";
import { binMatrix, fitBinThresholds, sortFloats, stablePartitionByBin } from "../../lib/models/binning";
import { SeededRandom } from "../../lib/models/random";
import { readTable } from "../parity/data";

function radixSorted(values: Float64Array): Float64Array {
  const copy = Float64Array.from(values);
  sortFloats(copy, new Float64Array(copy.length));
  return copy;
}

/** Equal element by element, telling −0 from +0 (assert.deepEqual on typed arrays would not). */
function assertSameFloats(actual: Float64Array, expected: Float64Array): void {
  assert.equal(actual.length, expected.length);
  for (let t = 0; t < expected.length; t++) {
    assert.ok(Object.is(actual[t], expected[t]), `position ${t}: ${actual[t]} vs ${expected[t]}`);
  }
}

describe("Binning's float sort", () => {
  it("orders every real feature column of diabetes and digits as Float64Array.prototype.sort does", () => {
    for (const name of ["diabetes", "digits"] as const) {
      const { X } = readTable(name);
      for (let f = 0; f < X.cols; f++) {
        const column = Float64Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + f]);
        assertSameFloats(radixSorted(column), Float64Array.from(column).sort());
      }
    }
  });

  it("orders negatives, both zeros, ties, subnormals and extremes as the built-in sort does", () => {
    const rng = new SeededRandom(7);
    const special = [
      0,
      -0,
      1,
      -1,
      5e-324,
      -5e-324,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Infinity,
      -Infinity,
      1e-300,
      -1e300,
    ];
    const values = new Float64Array(5000);
    for (let t = 0; t < values.length; t++) {
      const pick = rng.next();
      values[t] =
        pick < 0.3
          ? special[rng.int(special.length)]
          : pick < 0.6
            ? rng.int(7) - 3
            : rng.normal() * 10 ** (rng.int(20) - 10);
    }
    assertSameFloats(radixSorted(values), Float64Array.from(values).sort());
    assertSameFloats(radixSorted(new Float64Array([3])), new Float64Array([3]));
    assertSameFloats(radixSorted(new Float64Array(0)), new Float64Array(0));
  });

  it("gives strictly increasing cut points (the radix-sorted columns feed them)", () => {
    const { X } = readTable("diabetes");
    const thresholds = fitBinThresholds(X, 32);
    for (let f = 0; f < X.cols; f++) {
      const thr = thresholds[f];
      for (let b = 1; b < thr.length; b++) assert.ok(thr[b] > thr[b - 1], `feature ${f}: cut points increase`);
    }
  });
});

/** The definition of a value's bin: the first b with x <= thr[b], else thr.length. */
function definedBin(thr: Float64Array, x: number): number {
  for (let b = 0; b < thr.length; b++) if (x <= thr[b]) return b;
  return thr.length;
}

describe("Binning a matrix", () => {
  it("gives every value of diabetes and digits the bin its column's cut points define", () => {
    for (const [name, maxBins] of [
      ["diabetes", 255],
      ["digits", 255],
      ["diabetes", 16],
    ] as const) {
      const { X } = readTable(name);
      const thresholds = fitBinThresholds(X, maxBins);
      const { bins } = binMatrix(X, thresholds);
      for (let f = 0; f < X.cols; f++) {
        for (let i = 0; i < X.rows; i++) {
          const expected = definedBin(thresholds[f], X.data[i * X.cols + f]);
          assert.equal(bins[f * X.rows + i], expected, `${name} row ${i} feature ${f}`);
        }
      }
    }
  });

  it("bins values on, between and beyond the cut points, infinities and NaN as the definition says", () => {
    const rng = new SeededRandom(11);
    const thr = Float64Array.from({ length: 254 }, (_, k) => Math.sinh((k - 127) / 20));
    const edge = [
      ...thr,
      ...thr.map((t) => t + 1e-12),
      ...thr.map((t) => t - 1e-12),
      Infinity,
      -Infinity,
      NaN,
      0,
      -0,
      1e300,
      -1e300,
    ];
    const values = [...edge, ...Array.from({ length: 5000 }, () => Math.sinh(rng.normal() * 3))];
    const X = { data: Float64Array.from(values), rows: values.length, cols: 1 };
    const { bins } = binMatrix(X, [thr]);
    values.forEach((x, i) => assert.equal(bins[i], definedBin(thr, x), `value ${x}`));
  });
});

describe("The stable partition of a node's rows", () => {
  it("puts the rows at or below the split bin first, each side in its old order, on digits' pixel columns", () => {
    const { X } = readTable("digits");
    const rows = X.rows;
    const bins = new Uint8Array(rows * X.cols);
    for (let f = 0; f < X.cols; f++) for (let i = 0; i < rows; i++) bins[f * rows + i] = X.data[i * X.cols + f];
    const rng = new SeededRandom(3);
    const idx = Int32Array.from({ length: rows }, (_, i) => i).filter(() => rng.next() < 0.6);
    const scratch = new Int32Array(idx.length);
    for (const [feature, bin] of [
      [20, 0],
      [36, 8],
      [42, 15],
      [0, 0],
    ]) {
      const node = Int32Array.from(idx);
      const start = 11;
      const end = node.length - 7;
      const mid = stablePartitionByBin(node, scratch, bins, feature * rows, start, end, bin);
      const inNode = Array.from(idx.subarray(start, end));
      const left = inNode.filter((i) => bins[feature * rows + i] <= bin);
      const right = inNode.filter((i) => bins[feature * rows + i] > bin);
      assert.equal(mid, start + left.length);
      assert.deepEqual(Array.from(node.subarray(start, mid)), left);
      assert.deepEqual(Array.from(node.subarray(mid, end)), right);
      assert.deepEqual(
        Array.from(node.subarray(0, start)),
        Array.from(idx.subarray(0, start)),
        "rows before the node untouched",
      );
      assert.deepEqual(Array.from(node.subarray(end)), Array.from(idx.subarray(end)), "rows after the node untouched");
    }
  });
});
