/**
 * Specification of lib/data transforms (fit on train, apply anywhere): imputers, scalers, encoders and their saved
 * state.
 */
import { strict as assert } from "assert";
import * as aq from "arquero";
import {
  ClipOutliers,
  DropDuplicates,
  Impute,
  LabelEncoder,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  RobustScaler,
  SelectColumns,
  StandardScaler,
  Transform,
  transformFromJSON,
  NumericColumn,
  DictColumn,
  makeTable,
  fromCSVText,
  loadTable,
  takeTableRows,
} from "../../lib/data";

const col = (t: aq.ColumnTable, name: string): unknown[] => t.array(name) as unknown[];
const close = (actual: unknown[], expected: (number | null)[], eps = 1e-12) => {
  assert.equal(actual.length, expected.length, `length ${actual.length} vs ${expected.length}`);
  expected.forEach((e, i) => {
    if (e === null) assert.equal(actual[i], null, `row ${i}: expected null, got ${String(actual[i])}`);
    else assert.ok(Math.abs((actual[i] as number) - e) <= eps, `row ${i}: expected ${e}, got ${String(actual[i])}`);
  });
};

/** Fits on JSON-restored copies too: every transform must give identical output after a JSON round trip. */
function roundTrip(t: Transform): Transform {
  return transformFromJSON(JSON.parse(JSON.stringify(t.toJSON())));
}

describe("lib/data transforms (fit on train, apply anywhere)", () => {
  // x has a null and a NaN; c is constant; s is categorical with a null.
  const train = aq.table({ x: [1, null, 3, NaN, 5], c: [7, 7, 7, 7, 7], s: ["b", "a", null, "b", "c"] });

  describe("Impute", () => {
    it("fills null and NaN with the training mean, median, most frequent value or a constant", () => {
      close(col(new Impute({ strategy: "mean", columns: ["x"] }).fitTransform(train), "x"), [1, 3, 3, 3, 5]);
      const median = new Impute({ strategy: "median", columns: ["x"] }).fit(aq.table({ x: [1, 2, null, 10] }));
      close(col(median.transform(aq.table({ x: [null, 4] })), "x"), [2, 4]);
      const mf = new Impute({ columns: { s: "most_frequent", x: { constant: -1 } } }).fitTransform(train);
      assert.deepEqual(col(mf, "s"), ["b", "a", "b", "b", "c"]);
      close(col(mf, "x"), [1, -1, 3, -1, 5]);
    });
    it("breaks most-frequent ties by sorted value, so the result does not depend on row order", () => {
      const t = aq.table({ s: ["z", "y", "z", "y", null] });
      assert.equal(new Impute({ strategy: "most_frequent", columns: ["s"] }).fit(t).fillValues.s, "y");
    });
    it("refuses mean/median of a categorical column and of a column with no values, naming it", () => {
      assert.throws(() => new Impute({ strategy: "mean", columns: ["s"] }).fit(train), /column "s" is not numeric/);
      assert.throws(
        () => new Impute({ strategy: "median", columns: ["x"] }).fit(aq.table({ x: [null, NaN] })),
        /column "x" has no values in the training data/,
      );
    });
    it("works on an empty table to transform and a single row to fit", () => {
      const imp = new Impute({ strategy: "mean", columns: ["x"] }).fit(aq.table({ x: [4] }));
      assert.equal(imp.transform(aq.table({ x: [] as number[] })).numRows(), 0);
      close(col(imp.transform(aq.table({ x: [null] })), "x"), [4]);
    });
  });

  describe("scalers", () => {
    it("MinMaxScaler maps the training range to [0, 1], keeps nulls, and does not divide by zero on a constant column", () => {
      const s = new MinMaxScaler({ columns: ["x", "c"] }).fit(train);
      const out = s.transform(aq.table({ x: [1, 5, 9, null], c: [7, 7, 8, 7] }));
      close(col(out, "x"), [0, 1, 2, null]);
      close(col(out, "c"), [0, 0, 1, 0]);
      assert.deepEqual(s.scaling.c, { shift: 7, scale: 1 });
    });
    it("StandardScaler uses the population std (ddof 0) like scikit-learn", () => {
      const s = new StandardScaler({ columns: ["x"] }).fit(aq.table({ x: [1, 2, 3, null] }));
      const std = Math.sqrt(2 / 3);
      close(col(s.transform(aq.table({ x: [1, 2, 3, null] })), "x"), [-1 / std, 0, 1 / std, null]);
      close(col(new StandardScaler({ columns: ["c"] }).fitTransform(train), "c"), [0, 0, 0, 0, 0]);
    });
    it("RobustScaler centers on the median and divides by the IQR (linear quartiles)", () => {
      // 1,2,3,4,100: q1 = 2, median = 3, q3 = 4.
      const s = new RobustScaler({ columns: ["x"] }).fit(aq.table({ x: [1, 2, 3, 4, 100] }));
      assert.deepEqual(s.scaling.x, { shift: 3, scale: 2 });
      close(col(s.transform(aq.table({ x: [3, 7, null] })), "x"), [0, 2, null]);
    });
    it("default columns are the numeric ones minus exclude; a categorical column named explicitly is an error", () => {
      const s = new MinMaxScaler({ exclude: ["c"] }).fit(train);
      assert.deepEqual(Object.keys(s.scaling), ["x"]);
      assert.throws(() => new MinMaxScaler({ columns: ["s"] }).fit(train), /column "s" is not numeric/);
      assert.throws(() => new MinMaxScaler({ columns: ["nope"] }).fit(train), /column "nope" is not in the table/);
    });
    it("transform before fit is an error", () => {
      assert.throws(() => new MinMaxScaler().transform(train), /call fit\(trainTable\) before transform/);
    });
  });

  describe("encoders", () => {
    it('OneHotEncoder makes sorted 0/1 columns in place of the original; null is an error, or all zeros with handleMissing: "all_zero"', () => {
      assert.throws(
        () => new OneHotEncoder({ columns: ["s"] }).fit(train).transform(train),
        /column "s" has 1 missing value\(s\) \(the first in row 2\)/,
      );
      const enc = new OneHotEncoder({ columns: ["s"], handleMissing: "all_zero" }).fit(train);
      const out = enc.transform(train);
      assert.deepEqual(out.columnNames(), ["x", "c", "s_a", "s_b", "s_c"]);
      assert.deepEqual(Array.from(col(out, "s_a")), [0, 1, 0, 0, 0]);
      assert.deepEqual(Array.from(col(out, "s_b")), [1, 0, 0, 1, 0]);
      assert.deepEqual(Array.from(col(out, "s_c")), [0, 0, 0, 0, 1]);
    });
    it("OneHotEncoder names the unseen value and column, or ignores it as all zeros", () => {
      const test = aq.table({ x: [1], c: [7], s: ["zebra"] });
      assert.throws(
        () => new OneHotEncoder({ columns: ["s"] }).fit(train).transform(test),
        /column "s" has the value "zebra", which was not in the training data/,
      );
      const out = new OneHotEncoder({ columns: ["s"], handleUnknown: "ignore" }).fit(train).transform(test);
      assert.deepEqual([col(out, "s_a")[0], col(out, "s_b")[0], col(out, "s_c")[0]], [0, 0, 0]);
    });
    it("OrdinalEncoder and LabelEncoder use sorted categories, independent of row order", () => {
      const a = new OrdinalEncoder({ columns: ["s"] }).fit(train);
      const b = new OrdinalEncoder({ columns: ["s"] }).fit(aq.table({ s: ["c", "b", "a"] }));
      assert.deepEqual(a.categoriesByColumn.s, ["a", "b", "c"]);
      assert.deepEqual(b.categoriesByColumn.s, ["a", "b", "c"]);
      close(col(a.transform(train), "s"), [1, 0, null, 1, 2]);
      const le = new LabelEncoder({ column: "s" }).fit(aq.table({ s: ["dog", "cat", "emu", "cat"] }));
      assert.deepEqual(le.classes, ["cat", "dog", "emu"]);
      close(col(le.transform(aq.table({ s: ["emu", "cat"] })), "s"), [2, 0]);
      assert.deepEqual(le.inverse([2, 0]), ["emu", "cat"]);
      assert.throws(() => le.transform(aq.table({ s: ["yak"] })), /value "yak", which was not in the training data/);
      const unk = new OrdinalEncoder({ columns: ["s"], handleUnknown: "use_encoded_value", unknownValue: -1 }).fit(
        train,
      );
      close(col(unk.transform(aq.table({ s: ["q", "a"] })), "s"), [-1, 0]);
    });
    it("numeric categories sort numerically", () => {
      const le = new LabelEncoder({ column: "k" }).fit(aq.table({ k: [10, 9, 100, 9] }));
      assert.deepEqual(le.classes, [9, 10, 100]);
    });
  });

  describe("ClipOutliers, DropDuplicates and SelectColumns", () => {
    it("ClipOutliers clips to the training IQR fences", () => {
      // 1..4 and 100: q1 2, q3 4, IQR 2 → fences [-1, 7].
      const clip = new ClipOutliers({ columns: ["x"] }).fit(aq.table({ x: [1, 2, 3, 4, 100] }));
      assert.deepEqual(clip.fences.x, { lower: -1, upper: 7 });
      close(col(clip.transform(aq.table({ x: [-5, 3, 50, null] })), "x"), [-1, 3, 7, null]);
    });
    it("DropDuplicates keeps the first of exact duplicate rows, treating null = null and NaN = null like pandas", () => {
      const t = aq.table({ a: [1, 1, null, NaN, 2, 1], b: ["x", "x", "y", "y", "x", "z"] });
      const out = new DropDuplicates().fitTransform(t);
      assert.deepEqual(col(out, "a"), [1, null, 2, 1]);
      assert.deepEqual(col(out, "b"), ["x", "y", "x", "z"]);
      assert.equal(new DropDuplicates({ subset: ["b"] }).fitTransform(t).numRows(), 3);
      assert.equal(new DropDuplicates().fitTransform(aq.table({ a: [] as number[] })).numRows(), 0);
    });
    it("SelectColumns fixes the selection at fit time", () => {
      const sel = new SelectColumns({ dtype: "number", exclude: ["c"] }).fit(train);
      assert.deepEqual(sel.columns, ["x"]);
      assert.deepEqual(sel.transform(train).columnNames(), ["x"]);
      assert.throws(() => sel.transform(aq.table({ c: [1] })), /column "x" is not in the table/);
    });
  });

  it("statistics come from the training split only: test values never move the fitted state", () => {
    const trainPart = aq.table({ x: [0, 10, null], s: ["a", "b", "a"] });
    const testPart = aq.table({ x: [1000, -1000, null], s: ["b", "b", "b"] });
    const fitOnce = () => [
      new Impute({ strategy: "median", columns: ["x"] }).fit(trainPart),
      new MinMaxScaler({ columns: ["x"] }).fit(trainPart),
      new StandardScaler({ columns: ["x"] }).fit(trainPart),
      new OneHotEncoder({ columns: ["s"] }).fit(trainPart),
    ];
    const [imp, mm, std, oh] = fitOnce();
    const before = JSON.stringify([imp, mm, std, oh].map((t) => t.toJSON()));
    for (const t of [imp, mm, std, oh]) t.transform(testPart);
    assert.equal(JSON.stringify([imp, mm, std, oh].map((t) => t.toJSON())), before);
    assert.equal((imp as Impute).fillValues.x, 5);
    assert.deepEqual((mm as MinMaxScaler).scaling.x, { shift: 0, scale: 10 });
    close(col(mm.transform(testPart), "x"), [100, -100, null]);
    // the test split's median (0) or range would give different numbers: check they are not used
    close(col(imp.transform(testPart), "x"), [1000, -1000, 5]);
  });

  it("every transform gives identical output after a JSON round trip", () => {
    const t = aq.table({ x: [1, null, 3, 9, 5], y: [2, 2, 3, 4, 100], s: ["b", "a", null, "b", "c"] });
    const transforms: Transform[] = [
      new DropDuplicates(),
      new Impute({ strategy: "median", columns: ["x"] }),
      new Impute({ strategy: "most_frequent", columns: ["s"] }),
      new MinMaxScaler({ columns: ["y"] }),
      new StandardScaler({ columns: ["y"] }),
      new RobustScaler({ columns: ["y"] }),
      new OneHotEncoder({ columns: ["s"], handleMissing: "all_zero" }),
      new OrdinalEncoder({ columns: ["s"] }),
      new LabelEncoder({ column: "s" }),
      new ClipOutliers({ columns: ["y"] }),
      new SelectColumns({ columns: ["y", "x"] }),
    ];
    for (const tr of transforms) {
      tr.fit(t);
      const copy = roundTrip(tr);
      assert.equal(copy.kind, tr.kind);
      assert.deepEqual(
        copy.transform(t).objects(),
        tr.transform(t).objects(),
        `${tr.kind} differs after JSON round trip`,
      );
    }
  });

  it("works on typed columns without changing them (inputs are immutable)", () => {
    const values = new Float64Array([3, NaN, 1]);
    const t = makeTable({
      v: NumericColumn.fromNaN(values),
      k: new DictColumn(new Int32Array([0, -1, 1]), ["p", "q"]),
    });
    const out = new Impute({ strategy: "mean", columns: ["v"] }).fitTransform(t);
    close(col(out, "v"), [3, 2, 1]);
    assert.ok(Number.isNaN(values[1]), "the input column was modified");
    assert.deepEqual(col(out, "k"), ["p", null, "q"]);
    assert.deepEqual(col(fromCSVText("a,b\n1,x\n,y\n"), "a"), [1, null]);
  });
});

describe("lib/data transforms on an empty table and a single row (penguins)", () => {
  const NUMERIC = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"];
  let penguins: aq.ColumnTable;
  let none: aq.ColumnTable;
  let first: aq.ColumnTable;
  before(async () => {
    penguins = await loadTable("penguins");
    none = takeTableRows(penguins, []);
    // The first penguin: Adelie, Torgersen, beak 39.1 × 18.7 mm, flipper 181 mm, 3750 g, MALE.
    first = takeTableRows(penguins, [0]);
  });
  const masses = (values: (number | null)[]) =>
    makeTable({ body_mass_g: NumericColumn.fromNaN(Float64Array.from(values, (v) => (v === null ? NaN : v))) });

  it("every transform fitted on penguins turns an empty table into an empty table with the fitted output columns", () => {
    const all = penguins.columnNames();
    const cases: [Transform, string[]][] = [
      [new DropDuplicates(), all],
      [new Impute({ strategy: "median", columns: NUMERIC }), all],
      [new Impute({ strategy: "most_frequent", columns: ["sex"] }), all],
      [new MinMaxScaler(), all],
      [new StandardScaler(), all],
      [new RobustScaler(), all],
      [new ClipOutliers(), all],
      [
        new OneHotEncoder({ columns: ["island"] }),
        ["species", "island_Biscoe", "island_Dream", "island_Torgersen", ...NUMERIC, "sex"],
      ],
      [new OrdinalEncoder({ columns: ["island"] }), all],
      [new LabelEncoder({ column: "species" }), all],
      [new SelectColumns({ dtype: "number" }), NUMERIC],
    ];
    for (const [step, columns] of cases) {
      const out = step.fit(penguins).transform(none);
      assert.equal(out.numRows(), 0, step.kind);
      assert.deepEqual(out.columnNames(), columns, step.kind);
    }
  });

  it("fitting on an empty table: stateless steps work; steps that learn a statistic or categories throw naming the column", () => {
    assert.deepEqual(new DropDuplicates().fitTransform(none).columnNames(), penguins.columnNames());
    assert.deepEqual(new SelectColumns({ dtype: "number" }).fitTransform(none).columnNames(), NUMERIC);
    assert.equal(new Impute({ columns: { body_mass_g: { constant: 0 } } }).fitTransform(none).numRows(), 0);
    assert.throws(
      () => new Impute({ strategy: "mean", columns: ["body_mass_g"] }).fit(none),
      /Impute: column "body_mass_g" has no values in the training data, so its mean is undefined/,
    );
    assert.throws(
      () => new Impute({ strategy: "most_frequent", columns: ["sex"] }).fit(none),
      /Impute: column "sex" has no values in the training data; use \{ constant \}/,
    );
    for (const scaler of [new MinMaxScaler(), new StandardScaler(), new RobustScaler()]) {
      assert.throws(
        () => scaler.fit(none),
        new RegExp(
          `${scaler.kind}: column "beak_length_mm" has no values in the training data, so it cannot be scaled. Impute or drop it first`,
        ),
      );
    }
    assert.throws(
      () => new ClipOutliers().fit(none),
      /ClipOutliers: column "beak_length_mm" has no values in the training data, so it has no quartiles to clip to/,
    );
    assert.throws(
      () => new OneHotEncoder().fit(none),
      /OneHotEncoder: column "species" has no values in the training data \(the training table has no rows\)/,
    );
    assert.throws(
      () => new OrdinalEncoder({ columns: ["island"] }).fit(none),
      /OrdinalEncoder: column "island" has no values in the training data \(the training table has no rows\)/,
    );
    assert.throws(
      () => new LabelEncoder({ column: "species" }).fit(none),
      /LabelEncoder: column "species" has no values .* A label column needs labelled rows/,
    );
  });

  it("fitting on a single row gives the hand-computed state: fills are its values, scalers shift by it with scale 1, fences collapse on it", () => {
    for (const strategy of ["mean", "median", "most_frequent"] as const) {
      const imp = new Impute({ strategy, columns: ["body_mass_g"] }).fit(first);
      assert.equal(imp.fillValues.body_mass_g, 3750, strategy);
      close(col(imp.transform(masses([null, 4000])), "body_mass_g"), [3750, 4000]);
    }
    assert.equal(new Impute({ strategy: "most_frequent", columns: ["sex"] }).fit(first).fillValues.sex, "MALE");
    for (const scaler of [
      new MinMaxScaler({ columns: ["body_mass_g"] }),
      new StandardScaler({ columns: ["body_mass_g"] }),
      new RobustScaler({ columns: ["body_mass_g"] }),
    ]) {
      scaler.fit(first);
      assert.deepEqual(scaler.scaling.body_mass_g, { shift: 3750, scale: 1 }, scaler.kind);
      close(col(scaler.transform(masses([3750, 4000, null])), "body_mass_g"), [0, 250, null]);
      close(col(scaler.transform(first), "beak_length_mm"), [39.1]);
    }
    const clip = new ClipOutliers({ columns: ["body_mass_g"] }).fit(first);
    assert.deepEqual(clip.fences.body_mass_g, { lower: 3750, upper: 3750 });
    close(col(clip.transform(masses([3000, 3750, 5000, null])), "body_mass_g"), [3750, 3750, 3750, null]);
    assert.deepEqual(new DropDuplicates().fitTransform(first).objects(), first.objects());
    assert.deepEqual(new SelectColumns({ columns: ["body_mass_g", "species"] }).fitTransform(first).objects(), [
      { body_mass_g: 3750, species: "Adelie" },
    ]);
  });

  it("encoders fitted on a single row know exactly its category", () => {
    const islands = aq.table({ island: ["Torgersen", null, "Dream"] });
    const oneHot = new OneHotEncoder({ columns: ["island"], handleUnknown: "ignore", handleMissing: "all_zero" }).fit(
      first,
    );
    assert.deepEqual(oneHot.categoriesByColumn.island, ["Torgersen"]);
    const encoded = oneHot.transform(islands);
    assert.deepEqual(encoded.columnNames(), ["island_Torgersen"]);
    assert.deepEqual(Array.from(col(encoded, "island_Torgersen")), [1, 0, 0]);
    assert.throws(
      () => new OneHotEncoder({ columns: ["island"] }).fit(first).transform(islands),
      /column "island" has the value "Dream", which was not in the training data/,
    );
    const ordinal = new OrdinalEncoder({
      columns: ["island"],
      handleUnknown: "use_encoded_value",
      unknownValue: -1,
    }).fit(first);
    close(col(ordinal.transform(islands), "island"), [0, null, -1]);
    const label = new LabelEncoder({ column: "species" }).fit(first);
    assert.deepEqual(label.classes, ["Adelie"]);
    close(col(label.transform(first), "species"), [0]);
    assert.deepEqual(label.inverse([0]), ["Adelie"]);
  });

  it("RobustScaler does not divide by zero on a constant column or on one whose IQR is 0", () => {
    // [7, 7, 7, 7, 7]: median 7, IQR 0 → scale 1. [5, 5, 5, 5, 100]: q1 = median = q3 = 5 → scale 1.
    const s = new RobustScaler({ columns: ["c", "spike"] }).fit(
      aq.table({ c: [7, 7, 7, 7, 7], spike: [5, 5, 5, 5, 100] }),
    );
    assert.deepEqual(s.scaling, { c: { shift: 7, scale: 1 }, spike: { shift: 5, scale: 1 } });
    const out = s.transform(aq.table({ c: [7, 9, 4, null], spike: [5, 100, 0, null] }));
    close(col(out, "c"), [0, 2, -3, null]);
    close(col(out, "spike"), [0, 95, -5, null]);
  });

  it("OneHotEncoder on an empty or all-missing column is an error naming the column and what to do (not a vanished column)", () => {
    const unsexed = takeTableRows(
      penguins,
      Array.from({ length: penguins.numRows() }, (_, i) => i).filter(
        (i) => (penguins.array("sex") as unknown[])[i] === null,
      ),
    );
    assert.equal(unsexed.numRows(), 10);
    for (const enc of [
      new OneHotEncoder({ columns: ["sex"] }),
      new OneHotEncoder({ exclude: ["species", "island"] }),
    ]) {
      assert.throws(
        () => enc.fit(unsexed),
        (err: Error) => {
          assert.match(
            err.message,
            /^OneHotEncoder: column "sex" has no values in the training data \(all 10 training rows are missing\), so it has no categories and would become no columns at all\./,
          );
          assert.match(err.message, /new Impute\(\{ columns: \{ "sex": \{ constant: "missing" \} \} \}\)/);
          assert.match(err.message, /new SelectColumns\(\{ exclude: \["sex"\] \}\)/);
          return true;
        },
      );
    }
    assert.throws(
      () => new OneHotEncoder({ columns: ["s"] }).fit(aq.table({ s: [null, null] })),
      /column "s" has no values in the training data \(all 2 training rows are missing\)/,
    );
    assert.throws(
      () => new OneHotEncoder({ columns: ["s"] }).fit(aq.table({ s: [] as string[] })),
      /column "s" has no values in the training data \(the training table has no rows\)/,
    );
    // Filling the column first, as the message says, encodes it.
    const filled = new Impute({ columns: { sex: { constant: "missing" } } }).fitTransform(unsexed);
    assert.deepEqual(
      new OneHotEncoder({ columns: ["sex"] })
        .fitTransform(filled)
        .columnNames()
        .filter((c) => c.startsWith("sex")),
      ["sex_missing"],
    );
  });
});

describe("lib/data transforms as preprocessors of lib/evaluate (Matrix input, clone)", () => {
  it("fit/transform accept a Matrix or nested arrays (columns x0, x1, ...) and clone() gives an unfitted copy", () => {
    const scaler = new MinMaxScaler().fit([
      [0, 10],
      [5, 20],
      [10, 30],
    ]);
    assert.deepEqual(scaler.transform([[5, 30]]).objects(), [{ x0: 0.5, x1: 1 }]);
    const named = new StandardScaler().fit({ data: new Float64Array([1, 3]), rows: 2, cols: 1, columns: ["age"] });
    assert.deepEqual(Object.keys(named.scaling), ["age"]);
    const copy = scaler.clone();
    assert.equal(copy.fitted, false);
    assert.deepEqual(copy.toJSON().params, scaler.toJSON().params);
  });
  it("a lib/data Pipeline runs inside crossValidate on iris: refit on each fold's training rows only, and it scores", async () => {
    const { crossValidate } = await import("../../lib/evaluate");
    const { LogisticRegression } = await import("../../lib/models/linear");
    const { Pipeline } = await import("../../lib/data");
    const { toMatrix } = await import("../../lib/data/matrix");
    const { loadDataset } = await import("../../lib/datasets");
    const iris = loadDataset("iris");
    const features = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
    const X = toMatrix(iris, features);
    const y = iris.array("species") as string[];
    const pipelines: import("../../lib/data").Pipeline[] = [];
    const result = await crossValidate(
      {
        pipeline: () => {
          const p = new Pipeline([new StandardScaler()]);
          pipelines.push(p);
          return p;
        },
        model: new LogisticRegression(),
        name: "scaled logistic regression",
      },
      X,
      y,
      { folds: 4, seed: 0 },
    );
    assert.equal(pipelines.length, 4, "one pipeline fitted per fold");
    pipelines.forEach((p, f) => {
      const train = result.folds[f].train;
      assert.equal(
        (p.toJSON().fitSummary as { rowsIn: number }).rowsIn,
        train.length,
        `fold ${f}: the pipeline saw ${train.length} training rows`,
      );
      // The scaler's statistics are those of this fold's training rows, recomputed here by hand.
      const scaling = (p.steps[0] as StandardScaler).scaling;
      assert.deepEqual(Object.keys(scaling), features, "the Matrix keeps iris' column names");
      features.forEach((name, j) => {
        const values = train.map((i) => X.data[i * X.cols + j]);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
        assert.ok(
          Math.abs(scaling[name].shift - mean) < 1e-9 && Math.abs(scaling[name].scale - std) < 1e-9,
          `fold ${f}, ${name}: scaler mean/std are the training rows'`,
        );
      });
    });
    assert.equal(result.scores["scaled logistic regression"].accuracy.length, 4);
    assert.ok(
      result.mean("scaled logistic regression") >= 0.9,
      `accuracy ${result.mean("scaled logistic regression")}`,
    );
    assert.ok(
      Math.abs(result.mean("baseline (majority class)") - 1 / 3) < 0.05,
      "the majority-class baseline is near chance on balanced iris",
    );
  });
});
