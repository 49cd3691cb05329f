/**
 * Missing values are never handled silently (issue 12, finding 3): a mean/median Impute refuses to skip a string
 * column that has gaps, OneHotEncoder refuses to turn gaps into all-zero rows unless asked to, and the checklist's
 * "clean" line reports what each step really did, checked here against counts made independently from the data.
 * Data: a dirty copy of scikit-learn's wine table (tests/fixtures/datasets/wine.csv, with gaps and a string column
 * derived from color_intensity) and the bundled penguins.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ColumnTable } from "arquero";
import {
  Impute,
  OneHotEncoder,
  Pipeline,
  StandardScaler,
  loadCSV,
  loadTable,
  takeTableRows,
  trainValTestSplit,
} from "../../lib/data";

const root = path.resolve(__dirname, "..", "..", "..");

const isMissing = (v: unknown): boolean => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
/** Missing values per column, counted with plain JavaScript over the table's values. */
function countMissing(table: ColumnTable, columns: readonly string[]): Record<string, number> {
  return Object.fromEntries(columns.map((c) => [c, (table.array(c) as unknown[]).filter(isMissing).length]));
}
const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const listed = (r: Record<string, number>): string =>
  Object.entries(r)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
function median(values: number[]): number {
  const a = values.slice().sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}
function mostFrequent(values: unknown[]): unknown {
  const counts = new Map<unknown, number>();
  for (const v of values) if (!isMissing(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))[0][0];
}
const cleanLine = (p: Pipeline): string => {
  const item = p.checklist().items.find((i) => i.item.startsWith("clean"));
  assert.ok(item, "the checklist has a clean item");
  return item.evidence;
};

describe("missing values are handled visibly and counted from the data (lib/data)", function () {
  let dir: string;
  let train: ColumnTable;
  let sizes: Record<string, number>;
  const numericGaps = ["alcohol", "magnesium", "hue"];
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-missing-"));
    // A dirty copy of wine: gaps in three numeric columns, and a string column with gaps of its own.
    const lines = fs
      .readFileSync(path.join(root, "tests", "fixtures", "datasets", "wine.csv"), "utf8")
      .trim()
      .split("\n");
    const header = lines[0].split(",");
    const col = (name: string): number => header.indexOf(name);
    const dirty = [[...header, "intensity"].join(",")];
    lines.slice(1).forEach((line, i) => {
      const f = line.split(",");
      const ci = Number(f[col("color_intensity")]);
      let intensity = ci < 3.5 ? "pale" : ci < 7 ? "medium" : "deep";
      if (i % 11 === 3) f[col("alcohol")] = "";
      if (i % 13 === 5) f[col("magnesium")] = "";
      if (i % 17 === 7) f[col("hue")] = "NA";
      if (i % 37 === 9) intensity = "";
      dirty.push([...f, intensity].join(","));
    });
    const file = path.join(dir, "wine-dirty.csv");
    fs.writeFileSync(file, dirty.join("\n") + "\n");
    const table = await loadCSV(file);
    const split = trainValTestSplit(table, { stratify: "target", seed: 3 });
    train = split.train;
    sizes = { train: split.train.numRows(), validation: split.validation!.numRows(), test: split.test.numRows() };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the dirty copy has gaps in numeric columns and in the string column (the premise of the tests below)", () => {
    const gaps = countMissing(train, [...numericGaps, "intensity"]);
    for (const [c, n] of Object.entries(gaps)) assert.ok(n > 0, `${c} has gaps in the training split`);
  });

  it('Impute({ strategy: "median" }) refuses to leave a string column with gaps unfilled, naming it, its count and what to pass', () => {
    const gaps = countMissing(train, ["intensity"]).intensity;
    assert.throws(
      () => new Impute({ strategy: "median" }).fit(train),
      (e: Error) =>
        e.message.includes(`"intensity" (${gaps} missing)`) &&
        e.message.includes(`categorical: "most_frequent"`) &&
        !e.message.includes(`"alcohol"`),
    );
  });

  it("a median Impute fitted where the string column had no gaps still refuses to pass later gaps on unfilled", () => {
    const intensity = train.array("intensity") as unknown[];
    const rows = intensity.map((v, i) => (isMissing(v) ? -1 : i)).filter((i) => i >= 0);
    const fitted = new Impute({ strategy: "median" }).fit(takeTableRows(train, Uint32Array.from(rows)));
    assert.throws(
      () => fitted.transform(train),
      new RegExp(
        `"intensity" \\(${countMissing(train, ["intensity"]).intensity} missing\\) of the given table would be left unfilled`,
      ),
    );
  });

  it("exclude leaves a column (e.g. the label) to the caller: it is neither filled nor refused", () => {
    const imp = new Impute({ strategy: "median", categorical: "most_frequent", exclude: ["intensity", "alcohol"] }).fit(
      train,
    );
    assert.deepEqual(
      Object.keys(imp.fillValues).filter((c) => c === "intensity" || c === "alcohol"),
      [],
    );
    assert.ok("magnesium" in imp.fillValues);
    assert.doesNotThrow(() => new Impute({ strategy: "median", exclude: ["intensity"] }).fit(train).transform(train));
  });

  it("OneHotEncoder refuses to encode gaps as all-zero rows, naming the column and the count", () => {
    const gaps = countMissing(train, ["intensity"]).intensity;
    assert.throws(
      () => new OneHotEncoder({ columns: ["intensity"] }).fitTransform(train),
      new RegExp(`column "intensity" has ${gaps} missing value\\(s\\).*handleMissing: "all_zero"`),
    );
  });

  it("the checklist counts what Impute really filled, per column, and the fills are the training median and mode", () => {
    const pipeline = new Pipeline(
      [
        new Impute({ strategy: "median", categorical: "most_frequent" }),
        new StandardScaler({ exclude: ["target"] }),
        new OneHotEncoder(),
      ],
      { target: "target" },
    );
    const out = pipeline.fitTransform(train);
    const gaps = countMissing(train, [...train.columnNames()]);
    assert.equal(total(countMissing(out, out.columnNames())), 0);
    assert.match(
      cleanLine(pipeline),
      new RegExp(`(^|; )${total(gaps)} missing value\\(s\\) filled by Impute \\(${listed(gaps)}\\)($|; )`),
    );
    assert.doesNotMatch(cleanLine(pipeline), /all-zero|dropped|remain/);
    const impute = pipeline.steps[0] as Impute;
    for (const c of numericGaps)
      assert.equal(impute.fillValues[c], median((train.array(c) as number[]).filter((v) => !isMissing(v))), c);
    assert.equal(impute.fillValues.intensity, mostFrequent(train.array("intensity") as unknown[]));
    assert.equal(pipeline.checklist().items.find((i) => i.item.startsWith("clean"))!.status, "done");
    // Every other line of the checklist, against facts taken from the data and the split, not from the pipeline.
    const lines = Object.fromEntries(pipeline.checklist().items.map((i) => [i.item, i.evidence]));
    assert.match(
      lines["source relevant data"],
      new RegExp(`wine-dirty\\.csv; training data: ${train.numRows()} rows × ${train.numCols()} columns$`),
    );
    const numericFeatures = train.columnNames().filter((c) => c !== "target" && c !== "intensity");
    assert.equal(lines["normalize numeric features"], `scaled ${numericFeatures.join(", ")}`);
    assert.equal(lines["encode categorical variables"], "encoded intensity (OneHotEncoder)");
    assert.match(lines["annotate or label"], /^label column "target" present;/);
    assert.equal(
      lines["split into train, validation and test"],
      `stratified by target split (seed 3): ${Object.entries(sizes)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}; pipeline fitted on train only`,
    );
  });

  it('with categorical: "skip" and handleMissing: "all_zero", the checklist separates filled values from all-zero rows', () => {
    const pipeline = new Pipeline(
      [new Impute({ strategy: "median", categorical: "skip" }), new OneHotEncoder({ handleMissing: "all_zero" })],
      { target: "target" },
    );
    const out = pipeline.fitTransform(train);
    const numeric = countMissing(train, numericGaps);
    const strings = countMissing(train, ["intensity"]);
    const line = cleanLine(pipeline);
    assert.match(line, new RegExp(`${total(numeric)} missing value\\(s\\) filled by Impute \\(${listed(numeric)}\\)`));
    assert.match(
      line,
      new RegExp(
        `${strings.intensity} missing value\\(s\\) encoded as all-zero rows by OneHotEncoder, not filled \\(intensity ${strings.intensity}\\)`,
      ),
    );
    // The rows whose intensity was missing are exactly the all-zero rows of the intensity_* columns.
    const oneHot = out.columnNames().filter((c) => c.startsWith("intensity_"));
    assert.equal(oneHot.length, 3);
    const before = train.array("intensity") as unknown[];
    const zeroRows = before.map((_, i) => oneHot.every((c) => Number(out.array(c)[i]) === 0));
    assert.deepEqual(zeroRows, before.map(isMissing));
  });

  it("a round trip through JSON keeps the counted checklist", () => {
    const pipeline = new Pipeline(
      [new Impute({ strategy: "mean", categorical: { constant: "unknown" } }), new OneHotEncoder()],
      { target: "target" },
    );
    pipeline.fit(train);
    assert.equal(Pipeline.fromJSON(pipeline.serialize()).checklist().toString(), pipeline.checklist().toString());
    assert.equal((pipeline.steps[0] as Impute).fillValues.intensity, "unknown");
  });

  it("penguins: the median Impute names sex; with categorical it fills exactly the gaps counted in the data", async () => {
    const penguins = await loadTable("penguins");
    const sexGaps = countMissing(penguins, ["sex"]).sex;
    assert.throws(() => new Impute({ strategy: "median" }).fit(penguins), new RegExp(`"sex" \\(${sexGaps} missing\\)`));
    const pipeline = new Pipeline(
      [new Impute({ strategy: "median", categorical: "most_frequent" }), new OneHotEncoder({ exclude: ["species"] })],
      { target: "species" },
    );
    pipeline.fit(penguins);
    const gaps = countMissing(penguins, penguins.columnNames());
    assert.match(
      cleanLine(pipeline),
      new RegExp(`${total(gaps)} missing value\\(s\\) filled by Impute \\(${listed(gaps)}\\)`),
    );
  });
});
