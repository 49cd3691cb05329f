/**
 * Specification of the bundled datasets (lib/datasets): rows, columns, documented quirks, and no network access.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { CATALOG, DATASET_NAMES, datasetInfo, listDatasets, loadDataset, loadImages } from "../../lib/datasets";

describe("bundled datasets (lib/datasets)", () => {
  it("offers exactly the documented names", () => {
    assert.deepEqual(DATASET_NAMES.slice().sort(), [
      "cars",
      "cps-wages",
      "iris",
      "mnist",
      "penguins",
      "seattle-weather",
    ]);
  });

  for (const name of ["penguins", "iris", "cars", "seattle-weather", "cps-wages"] as const) {
    it(`${name} loads with its documented rows and columns`, () => {
      const table = loadDataset(name);
      const doc = CATALOG[name];
      assert.equal(table.numRows(), doc.rows);
      assert.deepEqual(
        table.columnNames(),
        doc.columns.map((c) => c.name),
      );
      assert.ok(table.columnNames().includes(doc.target));
    });
  }

  it("mnist loads 10,000 digits as a label + 784-pixel table and as image arrays", () => {
    const table = loadDataset("mnist");
    assert.equal(table.numRows(), 10000);
    assert.equal(table.numCols(), 785);
    const images = loadImages("mnist");
    assert.equal(images.count, 10000);
    assert.equal(images.images.length, 10000 * 28 * 28);
    const counts = new Array(10).fill(0);
    images.labels.forEach((l) => counts[l]++);
    assert.ok(
      counts.every((c) => c > 800 && c < 1200),
      `class counts ${counts}`,
    );
    assert.ok(Math.max(...images.images.subarray(0, 784)) <= 1);
  });

  it("penguins keeps its documented quirks: nulls and a dirty '.' in sex", () => {
    const sex = loadDataset("penguins").array("sex") as (string | null)[];
    assert.equal(sex.filter((s) => s === null).length, 10);
    assert.equal(sex.filter((s) => s === ".").length, 1);
    assert.ok(datasetInfo("penguins").quirks.some((q) => q.includes('"."')));
  });

  it("cars has its year as a number and its documented nulls", () => {
    const cars = loadDataset("cars");
    assert.equal(cars.get("year", 0), 1970);
    assert.equal((cars.array("miles_per_gallon") as (number | null)[]).filter((v) => v === null).length, 8);
  });

  it("every dataset documents rows, columns, licence, source and quirks", () => {
    for (const item of listDatasets()) {
      const info = datasetInfo(item.name);
      assert.ok(info.licence.length > 0 && info.source.length > 0 && info.quirks.length > 0, item.name);
      const html = (info as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]()[
        "text/html"
      ];
      assert.match(html, /Licence/);
    }
  });

  it("an unknown name lists the known ones", () => {
    assert.throws(
      () => loadDataset("titanic"),
      /Unknown dataset "titanic". The bundled datasets are: penguins, iris, cars, seattle-weather, mnist, cps-wages/,
    );
    assert.throws(() => loadImages("iris"), /is a table, not an image dataset/);
  });

  it("never touches the network: every file is read from node_modules", () => {
    // The loaders only use fs; the vega-datasets JS loader (which fetches from a CDN) is never called.
    const source = fs.readFileSync(require.resolve("../../lib/datasets/index.js"), "utf8");
    assert.doesNotMatch(source, /fetch\(|https?:\/\//);
  });
  it("cps-wages: the 0/1 flags mean what the catalogue says, matching the source's counts (96 union members, 350 married of 534)", () => {
    // Berndt (1991) / StatLib CPS_85_Wages (also R's AER::CPS1985): south 156, union 96, married 350, female 245.
    const t = loadDataset("cps-wages");
    const ones = (col: string): number => (t.array(col) as number[]).filter((v) => v === 1).length;
    assert.equal(t.numRows(), 534);
    assert.equal(ones("south"), 156);
    assert.equal(ones("union"), 96);
    assert.equal(ones("married"), 350);
    assert.equal((t.array("gender") as string[]).filter((g) => g === "female").length, 245);
    // The source's first row: a married, non-union woman in manufacturing earning $5.10.
    assert.deepEqual([t.get("union", 0), t.get("married", 0), t.get("wage", 0)], [0, 1, 5.1]);
  });
});
