/**
 * Specification of lib/data loading: CSV and TSV (typed columns, nulls, exact numbers, errors naming file, line and
 * column), JSON, Parquet and Arrow.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aq from "arquero";
import {
  DictColumn,
  NumericColumn,
  columnKind,
  fromCSVText,
  fromDanfo,
  loadArrow,
  loadCSV,
  loadInfo,
  loadJSON,
  loadParquet,
  loadTSV,
  loadTable,
  makeTable,
  takeTableRows,
  toDanfo,
} from "../../lib/data";

const vegaData = (file: string): string => {
  let dir = path.dirname(require.resolve("vega-datasets"));
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return path.join(dir, "data", file);
};

describe("lib/data loading", function () {
  let dir: string;
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-data-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("CSV and TSV", () => {
    it("infers numeric and categorical columns into typed storage, with nulls for empty fields and NA markers", async () => {
      const file = write("ok.csv", 'id,score,city\n1,2.5,Oslo\n2,,"Rio, RJ"\n3,NA,\n4,-1e3,"say ""hi"""\n');
      const t = await loadCSV(file);
      assert.deepEqual(t.columnNames(), ["id", "score", "city"]);
      assert.ok(t.column("score") instanceof NumericColumn);
      assert.ok(t.column("city") instanceof DictColumn);
      assert.deepEqual(t.array("score"), [2.5, null, null, -1000]);
      assert.deepEqual(t.array("city"), ["Oslo", "Rio, RJ", null, 'say "hi"']);
      assert.equal(loadInfo(t)?.rows, 4);
      assert.equal(loadInfo(t)?.engine, "trainlab-csv");
    });
    it("parses numbers exactly like JavaScript's Number()", () => {
      const values = [
        "0.1",
        "-0.50772",
        "123456789012345",
        "1234567890123456789",
        "3.14159265358979",
        "1e-7",
        "2.5E+10",
        "007",
        "-0",
        "0.30000000000000004",
      ];
      const t = fromCSVText(`v\n${values.join("\n")}\n`);
      assert.deepEqual(t.array("v"), values.map(Number));
    });
    it("a column that looks numeric for the first 20,000 rows but is not becomes categorical (no value lost)", () => {
      const lines = Array.from({ length: 25000 }, (_, i) => `${i},${i % 7}`);
      lines.push("25000,seven");
      const t = fromCSVText(`id,code\n${lines.join("\n")}\n`);
      assert.ok(t.column("id") instanceof NumericColumn);
      assert.ok(t.column("code") instanceof DictColumn);
      assert.equal(t.get("code", 3), "3");
      assert.equal(t.get("code", 25000), "seven");
    });
    it("per-column type overrides: a numeric-looking code stays a string; a date column becomes Dates", async () => {
      const file = write("types.csv", "zip,when,flag\n01234,2024-01-31,yes\n98765,2024-02-01,no\n");
      const t = await loadCSV(file, { types: { zip: "string", when: "date", flag: "boolean" } });
      assert.deepEqual(t.array("zip"), ["01234", "98765"]);
      assert.equal((t.get("when", 0) as Date).toISOString(), "2024-01-31T00:00:00.000Z");
      assert.deepEqual(t.array("flag"), [true, false]);
    });
    it("a ragged row is an error naming file, line and column", async () => {
      const file = write("ragged.csv", "a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n");
      await assert.rejects(loadCSV(file), (e: Error) =>
        e.message.startsWith(`${file}:3:4: ragged row: expected 3 fields`),
      );
      const short = write("short.csv", "a,b,c\n1,2,3\n4,5\n");
      await assert.rejects(
        loadCSV(short),
        (e: Error) => e.message.startsWith(`${short}:3:3:`) && /column "c" is missing/.test(e.message),
      );
    });
    it("bad quoting is an error naming file, line and column", async () => {
      const stray = write("quote1.csv", 'a,b\n1,"x"y\n2,z\n');
      await assert.rejects(loadCSV(stray), (e: Error) =>
        e.message.startsWith(`${stray}:2:2: bad quoting: unexpected character "y" after the closing quote`),
      );
      const open = write("quote2.csv", 'a,b\n1,ok\n2,"never closed\n3,z\n');
      await assert.rejects(loadCSV(open), (e: Error) =>
        e.message.startsWith(`${open}:3:2: bad quoting: the quoted field that starts here is never closed`),
      );
    });
    it("a non-number in a column declared numeric is an error naming file, line and column", async () => {
      const file = write("nonnum.csv", "a,b\n1,2\n3,oops\n");
      await assert.rejects(loadCSV(file, { types: { b: "number" } }), (e: Error) =>
        e.message.startsWith(`${file}:3:2: column "b" is declared a number, but "oops" is not a number`),
      );
      // undeclared, the column simply becomes categorical
      assert.deepEqual((await loadCSV(file)).array("b"), ["2", "oops"]);
    });
    it('onBadLines: "skip" drops bad rows, counts them and keeps their positions', async () => {
      const file = write("skip.csv", 'a,b\n1,x\n2,y,extra\n3,"z"q\n4,w\n5\n');
      const t = await loadCSV(file, { onBadLines: "skip" });
      assert.deepEqual(t.array("a"), [1, 4]);
      assert.deepEqual(t.array("b"), ["x", "w"]);
      assert.deepEqual(
        (t.column("b") as DictColumn).dictionary,
        ["x", "w"],
        "values of skipped rows must not become categories",
      );
      const info = loadInfo(t)!;
      assert.equal(info.skippedLines, 3);
      assert.deepEqual(
        info.badLines.map((b) => [b.line, b.column]),
        [
          [3, 3],
          [4, 2],
          [6, 2],
        ],
      );
      // a missing value in a skipped row must not mark the row that replaces it as missing
      const t2 = fromCSVText("a,b\n1,x\n,y,extra\n3,z\n", { onBadLines: "skip" });
      assert.deepEqual(t2.array("a"), [1, 3]);
    });
    it("TSV, CRLF line ends, a BOM and blank lines", async () => {
      const file = write("t.tsv", "\ufeffname\tv\r\nann\t1\r\n\r\nbob\t2\r\n");
      const t = await loadTSV(file);
      assert.deepEqual(t.objects(), [
        { name: "ann", v: 1 },
        { name: "bob", v: 2 },
      ]);
      assert.deepEqual((await loadTable(file)).objects(), t.objects());
    });
    it("an empty file, a header-only file and a missing file", async () => {
      await assert.rejects(loadCSV(write("empty.csv", "")), /the file is empty; expected a header line/);
      const t = await loadCSV(write("header.csv", "a,b\n"));
      assert.deepEqual([t.numRows(), t.columnNames()], [0, ["a", "b"]]);
      await assert.rejects(loadCSV(path.join(dir, "nope.csv")), /no such file/);
    });
    it("the DuckDB engine gives the same table and reports bad lines with line numbers", async () => {
      const file = write("duck.csv", "a,b,s\n1,2.5,x\n2,,y\n3,4,\n");
      const a = await loadCSV(file);
      const b = await loadCSV(file, { engine: "duckdb" });
      assert.deepEqual(b.objects(), a.objects());
      const ragged = write("duck-ragged.csv", "a,b\n1,2\n3,4,5\n6,7\n");
      await assert.rejects(loadCSV(ragged, { engine: "duckdb" }), (e: Error) => e.message.startsWith(`${ragged}:3:`));
      const skipped = await loadCSV(ragged, { engine: "duckdb", onBadLines: "skip" });
      assert.deepEqual(skipped.array("a"), [1, 6]);
      assert.equal(loadInfo(skipped)?.skippedLines, 1);
    });
  });

  describe("JSON, Parquet and Arrow", () => {
    it("loads JSON rows and Parquet written by DuckDB, with typed columns", async () => {
      const json = write(
        "rows.json",
        JSON.stringify([
          { a: 1, s: "x" },
          { a: null, s: "y" },
          { a: 3.5, s: null },
        ]),
      );
      const jsonl = write("rows.jsonl", '{"a": 1, "s": "x"}\n{"a": 2, "s": null}\n');
      assert.deepEqual((await loadTable(jsonl)).objects(), [
        { a: 1, s: "x" },
        { a: 2, s: null },
      ]);
      const tj = await loadJSON(json);
      assert.deepEqual(tj.objects(), [
        { a: 1, s: "x" },
        { a: null, s: "y" },
        { a: 3.5, s: null },
      ]);
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const con = await (await DuckDBInstance.create(":memory:")).connect();
      const pq = path.join(dir, "t.parquet");
      await con.run(
        `COPY (SELECT i AS id, i * 0.5 AS half, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END AS parity, CASE WHEN i = 3 THEN NULL ELSE i END AS gap FROM range(5) t(i)) TO '${pq}' (FORMAT parquet)`,
      );
      const tp = await loadParquet(pq);
      assert.deepEqual(tp.array("half"), [0, 0.5, 1, 1.5, 2]);
      assert.deepEqual(tp.array("parity"), ["even", "odd", "even", "odd", "even"]);
      assert.deepEqual(tp.array("gap"), [0, 1, 2, null, 4]);
      assert.ok(tp.column("id") instanceof NumericColumn);
    });
    it("loads vega-datasets' flights-200k.arrow and flights-3m.parquet", async function () {
      this.timeout(60000);
      const arrow = await loadArrow(vegaData("flights-200k.arrow"));
      assert.equal(arrow.numRows(), 200000);
      assert.ok(arrow.columnNames().includes("delay"));
      assert.ok(arrow.column("delay") instanceof NumericColumn);
      const pq = await loadParquet(vegaData("flights-3m.parquet"));
      assert.ok(pq.numRows() > 2_900_000, `rows ${pq.numRows()}`);
      assert.equal(loadInfo(pq)?.engine, "duckdb");
    });
    it("loads a bundled dataset by name into typed columns, recording its source", async () => {
      const t = await loadTable("penguins");
      assert.equal(t.numRows(), 344);
      assert.ok(t.column("body_mass_g") instanceof NumericColumn);
      assert.ok(t.column("species") instanceof DictColumn);
      assert.equal(loadInfo(t)?.source, "dataset penguins");
    });
    it("an unknown extension is an error listing the known ones", async () => {
      await assert.rejects(loadTable(write("x.xlsx", "")), /unknown file type ".xlsx"/);
    });
  });

  describe("danfojs", () => {
    it("round-trips a table with nulls through a danfojs DataFrame", () => {
      const t = aq.table({ n: [1.5, null, 3], s: ["a", null, "c"], i: [1, 2, 3] });
      const df = toDanfo(t);
      assert.deepEqual(df.columns, ["n", "s", "i"]);
      const back = fromDanfo(df);
      assert.deepEqual(back.objects(), t.objects());
      assert.ok(back.column("n") instanceof NumericColumn);
      assert.ok(back.column("s") instanceof DictColumn);
    });
    it("round-trips penguins with no rows: the columns and their types survive (danfojs alone throws on this)", async () => {
      const penguins = await loadTable("penguins");
      const empty = takeTableRows(penguins, []);
      const df = toDanfo(empty);
      assert.deepEqual(df.columns, penguins.columnNames());
      assert.deepEqual(df.dtypes, ["string", "string", "float32", "float32", "float32", "float32", "string"]);
      const back = fromDanfo(df);
      assert.equal(back.numRows(), 0);
      assert.deepEqual(back.columnNames(), penguins.columnNames());
      assert.ok(back.column("body_mass_g") instanceof NumericColumn);
      assert.equal(columnKind(back, "body_mass_g"), "number");
      assert.ok(back.column("species") instanceof DictColumn);
    });
    it("round-trips a header-only CSV, a single penguin, and a numeric column with only missing values", async () => {
      const headerOnly = await loadCSV(write("header-only.csv", "species,body_mass_g\n"));
      const back = fromDanfo(toDanfo(headerOnly));
      assert.deepEqual([back.columnNames(), back.numRows()], [["species", "body_mass_g"], 0]);
      const one = takeTableRows(await loadTable("penguins"), [0]);
      assert.deepEqual(fromDanfo(toDanfo(one)).objects(), [
        {
          species: "Adelie",
          island: "Torgersen",
          beak_length_mm: 39.1,
          beak_depth_mm: 18.7,
          flipper_length_mm: 181,
          body_mass_g: 3750,
          sex: "MALE",
        },
      ]);
      const missing = fromDanfo(
        toDanfo(
          makeTable({
            x: NumericColumn.fromNaN(new Float64Array([NaN, NaN])),
            k: new DictColumn(new Int32Array([0, 1]), ["a", "b"]),
          }),
        ),
      );
      assert.ok(missing.column("x") instanceof NumericColumn, "the float32 dtype keeps an all-missing column numeric");
      assert.deepEqual(missing.objects(), [
        { x: null, k: "a" },
        { x: null, k: "b" },
      ]);
    });
  });
});
