/**
 * Specification of lib/data splits, the Pipeline (fit on training rows, apply anywhere), profile, diversity, label
 * issues and tensors.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aq from "arquero";
import * as tf from "@tensorflow/tfjs";
import { loadDataset } from "../../lib/datasets";
import { DISPLAY } from "../../lib/display";
import {
  DropDuplicates,
  Impute,
  LabelEncoder,
  MinMaxScaler,
  OneHotEncoder,
  Pipeline,
  StandardScaler,
  diversity,
  dropDuplicates,
  kFold,
  labelIssues,
  loadCSV,
  provenance,
  profile,
  stratifiedKFold,
  toTensors,
  trainTestSplit,
  trainValTestSplit,
} from "../../lib/data";

describe("lib/data splits", () => {
  const t = aq.table({
    id: Array.from({ length: 100 }, (_, i) => i),
    y: Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? "pos" : "neg")),
    g: Array.from({ length: 100 }, (_, i) => `g${i % 20}`),
  });

  it("splits by ratios (70/20/10, 80/10/10), seeded and reproducible, with no row in two parts", () => {
    const a = trainValTestSplit(t, { ratios: [0.7, 0.2, 0.1], seed: 7 });
    assert.deepEqual(a.sizes, { train: 70, validation: 20, test: 10 });
    const b = trainValTestSplit(t, { ratios: [0.7, 0.2, 0.1], seed: 7 });
    assert.deepEqual(Array.from(a.indices.train), Array.from(b.indices.train));
    const c = trainValTestSplit(t, { ratios: [0.7, 0.2, 0.1], seed: 8 });
    assert.notDeepEqual(Array.from(a.indices.train), Array.from(c.indices.train));
    const all = [...a.indices.train, ...a.indices.validation!, ...a.indices.test].sort((x, y) => x - y);
    assert.deepEqual(
      all,
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.deepEqual(trainValTestSplit(t).sizes, { train: 80, validation: 10, test: 10 });
    assert.deepEqual(trainTestSplit(t, { testSize: 0.25 }).sizes, { train: 75, test: 25 });
  });
  it("stratified: every part keeps the class proportions", () => {
    const s = trainValTestSplit(t, { ratios: [0.6, 0.2, 0.2], stratify: "y", seed: 1 });
    for (const part of [s.train, s.validation!, s.test]) {
      const pos = (part.array("y") as string[]).filter((v) => v === "pos").length;
      assert.equal(pos / part.numRows(), 0.25);
    }
  });
  it("stratified part sizes match the ratios as closely as an unstratified split", () => {
    const uneven = aq.table({ y: [...Array(150).fill("a"), ...Array(68).fill("b"), ...Array(126).fill("c")] });
    assert.deepEqual(trainValTestSplit(uneven, { ratios: [0.7, 0.2, 0.1], stratify: "y", seed: 0 }).sizes, {
      train: 240,
      validation: 69,
      test: 35,
    });
  });
  it("grouped: no group appears in two parts", () => {
    const s = trainValTestSplit(t, { groups: "g", seed: 3 });
    const groups = [s.train, s.validation!, s.test].map((p) => new Set(p.array("g") as string[]));
    for (const g of groups[0]) assert.ok(!groups[1].has(g) && !groups[2].has(g), `group ${g} is in two parts`);
    for (const g of groups[1]) assert.ok(!groups[2].has(g));
    assert.equal(s.train.numRows() + s.validation!.numRows() + s.test.numRows(), 100);
  });
  it("time-ordered: train is the oldest rows, test the newest", () => {
    const shuffled = aq.table({ time: [5, 1, 4, 2, 3, 9, 7, 8, 6, 10], v: [5, 1, 4, 2, 3, 9, 7, 8, 6, 10] });
    const s = trainValTestSplit(shuffled, { timeColumn: "time", ratios: [0.6, 0.2, 0.2] });
    assert.deepEqual(s.train.array("v"), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(s.validation!.array("v"), [7, 8]);
    assert.deepEqual(s.test.array("v"), [9, 10]);
  });
  it("an empty or single-class part is a clear error", () => {
    assert.throws(
      () => trainValTestSplit(aq.table({ a: [1, 2, 3] }), { ratios: [0.8, 0.1, 0.1] }),
      /Split "validation" would be empty: the table has 3 row\(s\)/,
    );
    assert.throws(() => trainValTestSplit(aq.table({ a: [] as number[] })), /Cannot split an empty table/);
    const rare = aq.table({ y: [...Array(19).fill("a"), "b"] });
    assert.throws(
      () => trainTestSplit(rare, { target: "y", testSize: 0.2, seed: 1 }),
      /would hold a single class of "y"/,
    );
    assert.throws(() => trainValTestSplit(t, { ratios: [0.5, 0.2] }), /ratios must sum to 1/);
  });
  it("k-fold and stratified k-fold cover every row once, seeded", () => {
    const folds = kFold(10, { k: 3, seed: 1 });
    assert.deepEqual(
      folds.map((f) => f.validation.length),
      [4, 3, 3],
    );
    assert.deepEqual(
      [...folds.flatMap((f) => [...f.validation])].sort((a, b) => a - b),
      Array.from({ length: 10 }, (_, i) => i),
    );
    assert.deepEqual(
      folds.map((f) => [...f.train]),
      kFold(10, { k: 3, seed: 1 }).map((f) => [...f.train]),
    );
    const labels = t.array("y") as string[];
    for (const f of stratifiedKFold(labels, { k: 5, seed: 2 })) {
      assert.equal(f.validation.length, 20);
      assert.equal([...f.validation].filter((i) => labels[i] === "pos").length, 5);
    }
    assert.throws(() => kFold(3, { k: 5 }), /needs at least 5 rows/);
    assert.throws(() => stratifiedKFold(["a", "a", "a"], { k: 2 }), /at least two classes/);
  });
});

describe("lib/data Pipeline", () => {
  const penguins = () => loadDataset("penguins");
  const steps = () => [
    new DropDuplicates(),
    new Impute({
      strategy: "median",
      columns: ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"],
    }),
    new Impute({ strategy: "most_frequent", columns: ["sex"] }),
    new StandardScaler({ columns: ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"] }),
    new OneHotEncoder({ columns: ["island", "sex"], handleUnknown: "ignore" }),
    new LabelEncoder({ column: "species" }),
  ];

  it("fits on the training part only and serializes to JSON and back with identical output on every part", () => {
    const split = trainValTestSplit(penguins(), { stratify: "species", seed: 0 });
    const pipe = new Pipeline(steps(), { target: "species" });
    const trainOut = pipe.fitTransform(split.train);
    const copy = Pipeline.fromJSON(pipe.serialize());
    for (const part of [split.train, split.validation!, split.test])
      assert.deepEqual(copy.transform(part).objects(), pipe.transform(part).objects());
    assert.deepEqual(copy.transform(split.train).objects(), trainOut.objects());
    // the scaler's mean is the training mean, not the mean of all rows
    const scaler = pipe.steps[3] as StandardScaler;
    const trainMass = new Impute({ strategy: "median", columns: ["body_mass_g"] })
      .fitTransform(split.train)
      .array("body_mass_g") as number[];
    const mean = trainMass.reduce((a, b) => a + b, 0) / trainMass.length;
    assert.ok(Math.abs(scaler.scaling.body_mass_g.shift - mean) < 1e-9);
  });

  it("renders its steps as a diagram and table", () => {
    const pipe = new Pipeline(steps(), { target: "species" });
    const before = pipe[DISPLAY]();
    assert.match(String(before["text/html"]), /OneHotEncoder/);
    assert.match(String(before["text/plain"]), /1\. DropDuplicates/);
    pipe.fit(penguins());
    assert.match(String(pipe[DISPLAY]()["text/html"]), /344→344 rows|344→\d+ rows/);
  });

  it("checklist() derives each item's status from what the pipeline and the data did", () => {
    const data = penguins();
    // fitted on an unsplit table with nothing recorded: split and diversity are todo, source partial
    const naive = new Pipeline([new MinMaxScaler({ columns: ["body_mass_g"] })]).fit(data).checklist();
    const status = (c: typeof naive, item: string) => c.items.find((i) => i.item.startsWith(item))!.status;
    assert.equal(status(naive, "split"), "todo");
    assert.equal(status(naive, "clean"), "partial"); // no duplicates, but missing values remain
    assert.equal(status(naive, "normalize"), "partial");
    assert.equal(status(naive, "encode"), "todo");
    assert.equal(status(naive, "ensure diversity"), "todo");
    assert.equal(naive.complete, false);

    const div = diversity(data, "species");
    const split = trainValTestSplit(data, { stratify: "species", seed: 0 });
    const full = new Pipeline(steps(), { target: "species" }).fit(split.train);
    const labels = labelIssues(
      ["a", "b"],
      [
        [0.9, 0.1],
        [0.2, 0.8],
      ],
    );
    const c = full.checklist({ labels });
    assert.equal(status(c, "split"), "done");
    assert.match(c.items.find((i) => i.item.startsWith("split"))!.evidence, /stratified by species/);
    assert.equal(status(c, "clean"), "done");
    assert.equal(status(c, "normalize"), "done");
    assert.equal(status(c, "encode"), "done");
    assert.equal(status(c, "annotate"), "done");
    assert.equal(status(c, "ensure diversity"), div.warnings.length ? "partial" : "done");
    assert.equal(status(c, "source"), "partial"); // penguins came from loadDataset, not a trainlab loader
    assert.match(String(c[DISPLAY]()["text/html"]), /Step 2 checklist/);
    // the checklist survives a JSON round trip
    assert.deepEqual(Pipeline.fromJSON(full.serialize()).checklist({ labels }).items, c.items);
  });

  it("records the source when data came from a loader", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-pipe-"));
    try {
      const file = path.join(dir, "d.csv");
      fs.writeFileSync(file, "x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n7,a\n8,b\n9,a\n10,b\n");
      const split = trainTestSplit(await loadCSV(file), { seed: 0 });
      const c = new Pipeline([new MinMaxScaler({ columns: ["x"] })], { target: "y" }).fit(split.train).checklist();
      assert.equal(c.items[0].status, "done");
      assert.match(c.items[0].evidence, /d\.csv/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("dedupes the whole table before the split: the checklist reports what dropDuplicates removed, and the fitted pipeline keeps every row", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-pipe-"));
    try {
      const file = path.join(dir, "d.csv");
      // rows 3 and 7 repeat rows 1 and 2 exactly; row 9 differs from row 1 only in y
      const rows = [
        "1,0.5,a",
        "2,1.5,b",
        "1,0.5,a",
        "3,2.5,a",
        "4,3.5,b",
        "5,4.5,a",
        "2,1.5,b",
        "6,5.5,b",
        "1,0.5,b",
        "7,6.5,a",
        "8,7.5,b",
        "9,8.5,a",
      ];
      fs.writeFileSync(file, `x,z,y\n${rows.join("\n")}\n`);
      const raw = await loadCSV(file);
      const deduped = dropDuplicates(raw);
      assert.equal(deduped.numRows(), 10);
      assert.deepEqual(
        deduped.array("x"),
        [1, 2, 3, 4, 5, 6, 1, 7, 8, 9],
        "the first occurrence of each row is kept, in order",
      );
      assert.deepEqual(provenance(deduped).dedupe, { rowsIn: 12, removed: 2 });
      assert.equal(provenance(deduped).load?.source, file, "the loader's record is kept");
      assert.deepEqual(provenance(dropDuplicates(deduped)).dedupe, { rowsIn: 10, removed: 0 });
      assert.equal(dropDuplicates(raw, { subset: ["x"] }).numRows(), 9);
      assert.throws(() => dropDuplicates(raw, { subset: ["w"] }), /dropDuplicates: column "w" is not in the table/);

      const split = trainTestSplit(deduped, { testSize: 0.3, seed: 0 });
      const pipe = new Pipeline([
        new StandardScaler({ columns: ["x", "z"] }),
        new OneHotEncoder({ columns: ["y"] }),
      ]).fit(split.train);
      const clean = pipe.checklist().items.find((i) => i.item.startsWith("clean"))!;
      assert.equal(clean.status, "done");
      assert.match(
        clean.evidence,
        /^dropDuplicates removed 2 duplicate row\(s\) of 12 from the whole table before the split;/,
      );
      assert.deepEqual(
        Pipeline.fromJSON(pipe.serialize()).checklist().items,
        pipe.checklist().items,
        "the record survives a JSON round trip",
      );
      assert.match(pipe.checklist().items[0].evidence, /d\.csv/);

      // Row-preserving: a repeated row in new data gives a repeated prediction row, aligned with its input.
      assert.equal(pipe.preservesRows, true);
      const repeated = aq.table({ x: [1, 1, 2], z: [0.5, 0.5, 1.5], y: ["a", "a", "b"] });
      assert.equal(pipe.transform(repeated).numRows(), 3);
      const dropping = new Pipeline([new DropDuplicates(), new StandardScaler({ columns: ["x", "z"] })]).fit(
        split.train,
      );
      assert.equal(dropping.preservesRows, false);
      assert.equal(Pipeline.fromJSON(dropping.serialize()).preservesRows, false);
      assert.equal(dropping.transform(repeated).numRows(), 2, "DropDuplicates drops rows at transform time");

      // Not deduplicated at all: duplicates in the training rows are reported as not removed.
      const dirty = new Pipeline([new StandardScaler({ columns: ["x", "z"] })]).fit(
        trainTestSplit(aq.table({ x: [1, 1, 1, 2, 3, 4, 5, 6, 7, 8], z: [1, 1, 1, 2, 3, 4, 5, 6, 7, 8] }), {
          testSize: 0.2,
          seed: 0,
        }).train,
      );
      const dirtyClean = dirty.checklist().items.find((i) => i.item.startsWith("clean"))!;
      assert.equal(dirtyClean.status, "partial");
      assert.match(dirtyClean.evidence, /duplicate row\(s\) not removed/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the failing step when a transform fails", () => {
    const pipe = new Pipeline([new OneHotEncoder({ columns: ["s"] })]).fit(aq.table({ s: ["a"] }));
    assert.throws(() => pipe.transform(aq.table({ s: ["b"] })), /Pipeline step 1 \(OneHotEncoder\): .*"b"/);
  });
});

describe("lib/data profile, diversity, labelIssues and tensors", () => {
  it("profile() reports types, missing, duplicates, quartiles, outliers and class balance, with nulls", () => {
    const t = aq.table({
      x: [1, 2, 3, 4, 100, null, NaN, 2],
      s: ["a", "b", null, "a", "a", "b", "a", "b"],
      y: ["p", "q", "p", "p", "p", "p", "p", "q"],
    });
    const p = profile(t, { target: "y" });
    const x = p.column("x");
    assert.equal(x.dtype, "number");
    assert.equal(x.missing, 2);
    assert.equal(x.count, 6);
    assert.equal(x.unique, 5);
    // 1,2,2,3,4,100: q1 = 2, median = 2.5, q3 = 3.75 → fences [-0.625, 6.375]
    assert.deepEqual(
      [x.summary!.min, x.summary!.q1, x.summary!.median, x.summary!.q3, x.summary!.max],
      [1, 2, 2.5, 3.75, 100],
    );
    assert.equal(x.outliers!.count, 1);
    assert.equal(p.column("s").missing, 1);
    assert.deepEqual(p.column("s").top![0], { value: "a", count: 4 });
    assert.equal(p.duplicateRows, 1); // rows 1 and 7 are both (2, "b", "q")
    assert.deepEqual(
      p.classBalance!.classes.map((c) => [c.value, c.count]),
      [
        ["p", 6],
        ["q", 2],
      ],
    );
    assert.equal(p.classBalance!.imbalanceRatio, 3);
    const html = String(p[DISPLAY]()["text/html"]);
    assert.match(html, /Data profile/);
    assert.match(html, /Plotly\.newPlot/);
    assert.ok(p.charts().length >= 3);
    assert.equal(profile(aq.table({ a: [1, 1], b: ["x", "x"] })).duplicateRows, 1);
    assert.equal(profile(aq.table({ a: [] as number[] })).column("a").count, 0);
  });

  it("diversity() counts groups, measures imbalance and warns on tiny, missing and absent groups", () => {
    const t = aq.table({
      region: [...Array(50).fill("north"), ...Array(45).fill("south"), "east", null, null, null, null],
    });
    const d = diversity(t, "region", { minCount: 5, expected: { region: ["north", "south", "east", "west"] } });
    assert.deepEqual(
      d.groups.map((g) => [g.label, g.count]),
      [
        ["north", 50],
        ["south", 45],
        ["region (missing)", 4],
        ["east", 1],
      ],
    );
    assert.equal(d.imbalanceRatio, 50);
    assert.ok(d.warnings.some((w) => /group east is tiny: 1 row/.test(w)));
    assert.ok(d.warnings.some((w) => /4 row\(s\) have no value for region/.test(w)));
    assert.ok(d.warnings.some((w) => /no rows at all for region = "west"/.test(w)));
    assert.match(String(d[DISPLAY]()["text/html"]), /Diversity by region/);
  });

  it("labelIssues() flags rows whose label disagrees with confident out-of-fold probabilities", () => {
    const labels = ["cat", "cat", "cat", "dog", "dog", "dog"];
    const probs = [
      [0.9, 0.1],
      [0.8, 0.2],
      [0.05, 0.95],
      [0.2, 0.8],
      [0.1, 0.9],
      [0.6, 0.4],
    ];
    const r = labelIssues(labels, probs, ["cat", "dog"]);
    // thresholds: cat = (0.9+0.8+0.05)/3 = 0.5833, dog = (0.8+0.9+0.4)/3 = 0.7
    assert.ok(Math.abs(r.thresholds[0] - 0.5833333333) < 1e-9);
    assert.deepEqual(r.rows, [2, 5]);
    assert.deepEqual([r.issues[0].given, r.issues[0].suggested], ["cat", "dog"]);
    assert.throws(
      () =>
        labelIssues(
          ["cat"],
          [
            [0.5, 0.5],
            [0.5, 0.5],
          ],
          ["cat", "dog"],
        ),
      /1 labels but probabilities for 2 rows/,
    );
    assert.throws(
      () =>
        labelIssues(
          ["cow", "cat"],
          [
            [0.5, 0.5],
            [0.5, 0.5],
          ],
          ["cat", "dog"],
        ),
      /row 0 has label "cow"/,
    );
    assert.throws(
      () =>
        labelIssues(
          ["cat", "dog"],
          [
            [NaN, 0.5],
            [0.5, 0.5],
          ],
          ["cat", "dog"],
        ),
      /row 0, class "cat": probability NaN/,
    );
  });

  it("toTensors() makes float32 features and integer or one-hot labels, and names a column with NaN", () => {
    const t = aq.table({ a: [1, 2, 3], b: [0.5, 0.25, 0], y: ["b", "a", "b"] });
    const before = tf.memory().numTensors;
    const onehot = toTensors(t, { label: "y", labelEncoding: "onehot" });
    assert.deepEqual(onehot.x.shape, [3, 2]);
    assert.equal(onehot.x.dtype, "float32");
    assert.deepEqual(onehot.classes, ["a", "b"]);
    assert.deepEqual(onehot.y!.arraySync(), [
      [0, 1],
      [1, 0],
      [0, 1],
    ]);
    onehot.dispose();
    const ints = toTensors(t, { label: "y" });
    assert.equal(ints.y!.dtype, "int32");
    assert.deepEqual(Array.from(ints.y!.dataSync()), [1, 0, 1]);
    ints.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(
      () => toTensors(aq.table({ a: [1, NaN], b: [1, 2] })),
      /feature column "a" has a missing value \(null\/NaN\) at row 1/,
    );
    assert.throws(() => toTensors(aq.table({ s: ["x"] })), /feature column "s" is string, not numeric/);
    assert.throws(() => toTensors(aq.table({ a: [] as number[] })), /the table is empty/);
    assert.equal(tf.memory().numTensors, before);
  });
});
