/**
 * Loading never changes data silently (issue 12, finding 13): bytes that are not UTF-8 are an error naming file,
 * line and column and the `encoding` to pass (Latin-1, Windows-1252, UTF-16 then load exactly); a header naming a
 * column twice is an error naming both positions unless `renameDuplicates` asks for renaming (which warns); a
 * Pipeline `target` that is not in the table is an error naming it and the columns.
 * Data: scikit-learn's iris table (tests/fixtures/datasets/iris.csv) with the collection site of each species added
 * (Anderson gathered his irises on the Gaspé peninsula in Québec), saved in each encoding.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Pipeline, StandardScaler, fromCSVText, loadCSV } from "../../lib/data";

const root = path.resolve(__dirname, "..", "..", "..");

/** Runs `fn` and returns what it wrote with console.warn. */
async function warnings<T>(fn: () => Promise<T>): Promise<{ value: T; warned: string[] }> {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(" "));
  try {
    return { value: await fn(), warned };
  } finally {
    console.warn = original;
  }
}

describe("CSV loading never changes data silently (lib/data)", function () {
  let dir: string;
  let text: string;
  const file = (name: string, bytes: Uint8Array | string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, bytes);
    return f;
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-csv-"));
    const lines = fs
      .readFileSync(path.join(root, "tests", "fixtures", "datasets", "iris.csv"), "utf8")
      .trim()
      .split("\n");
    const sites = ["Gaspé", "Québec – Gaspésie", "Montréal €"];
    text =
      [
        `${lines[0]},site`,
        ...lines.slice(1).map((l, i) => `${l},${sites[Number(l.split(",").pop())] ?? sites[i % 3]}`),
      ].join("\n") + "\n";
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("Latin-1 bytes read as UTF-8 are an error naming file, line, column and the encoding to pass", async () => {
    const latin1 = file("iris-latin1.csv", Buffer.from(text.replace(/ – /g, " - ").replace(/ €/g, ""), "latin1"));
    await assert.rejects(loadCSV(latin1), (e: Error) => {
      assert.match(e.message, /iris-latin1\.csv:2:6: byte 0xE9 \(file offset \d+, column "site"\) is not valid UTF-8/);
      assert.match(e.message, /Read as Windows-1252 the text there is "[^"]*Gaspé"/);
      assert.match(e.message, /encoding: "latin1"/);
      return true;
    });
    assert.throws(
      () => fromCSVText(fs.readFileSync(latin1), { name: "upload.csv" }),
      /^Error: upload\.csv:2:6: byte 0xE9/,
    );
    await assert.rejects(
      loadCSV(latin1, { engine: "duckdb" }),
      /iris-latin1\.csv:2:6: .*not utf-8.*encoding: "latin1"/,
    );
    assert.equal((await loadCSV(latin1, { engine: "duckdb", encoding: "latin1" })).array("site")[0], "Gaspé");
  });

  it("with { encoding } Latin-1, Windows-1252 and UTF-16 (either byte order) load exactly the UTF-8 table", async () => {
    const expected = (await loadCSV(file("iris-utf8.csv", text))).objects();
    const ascii = text.replace(/ – /g, " - ").replace(/ €/g, "");
    const expectedLatin1 = (await loadCSV(file("iris-utf8-latin1-chars.csv", ascii))).objects();
    assert.deepEqual(
      (await loadCSV(file("iris-latin1.csv", Buffer.from(ascii, "latin1")), { encoding: "latin1" })).objects(),
      expectedLatin1,
    );
    assert.deepEqual(
      (await loadCSV(file("iris-iso.csv", Buffer.from(ascii, "latin1")), { encoding: "iso-8859-1" })).objects(),
      expectedLatin1,
    );
    // Windows-1252: é is 0xE9 as in Latin-1, but – is 0x96 and € is 0x80.
    const cp1252 = Buffer.from(text.replace(/–/g, "\u0001").replace(/€/g, "\u0002"), "latin1").map((b) =>
      b === 1 ? 0x96 : b === 2 ? 0x80 : b,
    );
    assert.deepEqual(
      (await loadCSV(file("iris-cp1252.csv", cp1252), { encoding: "windows-1252" })).objects(),
      expected,
    );
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le).swap16();
    for (const [name, bytes] of [
      ["iris-utf16le.csv", le],
      ["iris-utf16be.csv", be],
    ] as const) {
      const f = file(name, bytes);
      assert.deepEqual((await loadCSV(f, { encoding: "utf-16" })).objects(), expected, name);
      assert.deepEqual((await loadCSV(f)).objects(), expected, `${name}: the byte-order mark is enough`);
    }
    await assert.rejects(loadCSV(file("x.csv", text), { encoding: "ebcdic" as "utf-8" }), /unknown encoding "ebcdic"/);
  });

  it("a header naming a column twice is an error naming both positions; renameDuplicates renames and warns", async () => {
    const dup = file("iris-dup.csv", text.replace(/^(.*),target,site\n/, "$1,target,sepal_length_cm\n"));
    for (const engine of ["trainlab", "duckdb"] as const) {
      await assert.rejects(
        loadCSV(dup, { engine }),
        /iris-dup\.csv:1:6: the header names column "sepal_length_cm" twice \(columns 1 and 6\).*renameDuplicates: true/,
        engine,
      );
      const { value, warned } = await warnings(() => loadCSV(dup, { engine, renameDuplicates: true }));
      assert.deepEqual(value.columnNames().slice(-2), ["target", "sepal_length_cm.1"], engine);
      assert.equal(value.array("sepal_length_cm.1")[0], "Gaspé", engine);
      assert.ok(
        warned.some((w) =>
          w.includes(`renamed duplicate header column(s): "sepal_length_cm" (column 6) → "sepal_length_cm.1"`),
        ),
        `${engine}: ${warned.join(" | ")}`,
      );
    }
  });

  it("a Pipeline target that is not in the table is an error naming it and the columns, unless labels come beside it", async () => {
    const iris = await loadCSV(file("iris-target.csv", text));
    const pipeline = new Pipeline([new StandardScaler({ exclude: ["target"] })], { target: "species" });
    assert.throws(
      () => pipeline.fit(iris),
      /Pipeline: the target "species" is not a column of the training table \(columns: sepal_length_cm, .*, target, site\)/,
    );
    const features = iris.select("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm");
    assert.doesNotThrow(() =>
      new Pipeline([new StandardScaler()], { target: "species" }).fit(features, iris.array("target")),
    );
    assert.doesNotThrow(() =>
      new Pipeline([new StandardScaler({ exclude: ["target"] })], { target: "target" }).fit(
        iris.select(Array.from({ length: 5 }, (_, j) => iris.columnNames()[j])),
      ),
    );
  });
});
