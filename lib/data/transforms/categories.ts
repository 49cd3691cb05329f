/**
 * What the category encoders share: the CategoryEncoder base (params, learned categories per column, their JSON),
 * sorted categories per column, codes of a column, and the unseen-category error.
 */
import type { ColumnTable } from "arquero";
import { Category, codeCounts, columnKind, compareCategories, dictColumn, numericColumn } from "../columns";
import { ParamJson, Transform, categoricalColumnsOf, requireColumns } from "./transform";

/** Sorted distinct non-missing categories of a column. */
function sortedCategories(table: ColumnTable, name: string): Category[] {
  const kind = columnKind(table, name);
  if (kind === "number") {
    const set = new Set<number>();
    const v = numericColumn(table, name).values;
    for (let i = 0; i < v.length; i++) if (v[i] === v[i]) set.add(v[i]);
    return [...set].sort((a, b) => a - b);
  }
  const col = dictColumn(table, name);
  const counts = codeCounts(col);
  return col.dictionary.filter((_, k) => counts[k] > 0).sort(compareCategories);
}

/**
 * The sorted categories of each column, for an encoder's fit.
 * @throws Error naming the column when it has no value in the training data (no rows, or all missing): there is
 *   nothing to learn, and a one-hot encoding of it would be no columns at all.
 */
export function learnCategories(
  kind: string,
  table: ColumnTable,
  names: readonly string[],
): Record<string, Category[]> {
  const categories: Record<string, Category[]> = {};
  for (const name of names) {
    const cats = sortedCategories(table, name);
    if (cats.length === 0) {
      const n = table.numRows();
      const why = n === 0 ? "the training table has no rows" : `all ${n} training rows are missing`;
      const q = JSON.stringify(name);
      const advice =
        kind === "LabelEncoder"
          ? `A label column needs labelled rows: check that the split kept them, or drop the unlabelled rows before fitting.`
          : `Fill it first (e.g. new Impute({ columns: { ${q}: { constant: "missing" } } }) before this step) or leave it out ` +
            `(new SelectColumns({ exclude: [${q}] }), or list only the columns to encode in "columns").`;
      const effect =
        kind === "OneHotEncoder"
          ? "so it has no categories and would become no columns at all"
          : "so it has no categories to encode";
      throw new Error(`${kind}: column ${q} has no values in the training data (${why}), ${effect}. ${advice}`);
    }
    categories[name] = cats;
  }
  return categories;
}

/**
 * Maps a column to category indices (by `categories`): -1 for missing, -2 for a value not in `categories`.
 * Works on dictionary codes, so the per-row cost is one array lookup.
 */
export function categoryIndices(
  table: ColumnTable,
  name: string,
  categories: readonly Category[],
): { index: Int32Array; unseen: Category[] } {
  const kind = columnKind(table, name);
  const position = new Map<Category, number>();
  categories.forEach((c, k) => position.set(c, k));
  const unseen: Category[] = [];
  if (kind === "number") {
    const v = numericColumn(table, name).values;
    const index = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (v[i] !== v[i]) index[i] = -1;
      else {
        const k = position.get(v[i]);
        if (k === undefined) {
          index[i] = -2;
          if (unseen.length < 5 && !unseen.includes(v[i])) unseen.push(v[i]);
        } else index[i] = k;
      }
    }
    return { index, unseen };
  }
  const col = dictColumn(table, name);
  const counts = codeCounts(col);
  const remap = new Int32Array(col.dictionary.length);
  col.dictionary.forEach((value, code) => {
    let k = position.get(value);
    if (k === undefined && typeof value !== "string") k = position.get(String(value));
    if (k === undefined && typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)))
      k = position.get(Number(value));
    if (k === undefined) {
      remap[code] = -2;
      if (counts[code] > 0 && unseen.length < 5) unseen.push(value);
    } else remap[code] = k;
  });
  const codes = col.codes;
  const index = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) index[i] = codes[i] < 0 ? -1 : remap[codes[i]];
  return { index, unseen };
}

export function unseenError(
  kind: string,
  name: string,
  unseen: Category[],
  categories: readonly Category[],
  hint: string,
): Error {
  const shown =
    categories
      .slice(0, 10)
      .map((c) => JSON.stringify(c))
      .join(", ") + (categories.length > 10 ? `, … (${categories.length} in all)` : "");
  return new Error(
    `${kind}: column "${name}" has the value ${JSON.stringify(unseen[0])}${
      unseen.length > 1
        ? ` (and ${unseen
            .slice(1)
            .map((u) => JSON.stringify(u))
            .join(", ")})`
        : ""
    }, ` + `which was not in the training data (known: ${shown}). ${hint}`,
  );
}

/**
 * The base of the category encoders (OneHotEncoder, OrdinalEncoder, LabelEncoder): plain-data params naming the
 * columns (default: every string/boolean column at fit time, minus `exclude`), and the sorted categories per column
 * that fit learns and toJSON saves.
 */
export abstract class CategoryEncoder<P extends { columns?: string[]; exclude?: string[] }> extends Transform {
  readonly params: P;
  protected categories: Record<string, Category[]> | null = null;

  constructor(params: P) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as P;
  }
  /** The learned categories per column (sorted; a value's code is its index). @throws Error before fit. */
  get categoriesByColumn(): Readonly<Record<string, readonly Category[]>> {
    if (!this.categories) throw new Error(`${this.kind}: not fitted yet.`);
    return this.categories;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.categories ? { categories: this.categories } : null;
  }
  loadState(state: ParamJson): void {
    this.categories = (state as { categories: Record<string, Category[]> }).categories;
  }
  protected learn(table: ColumnTable): void {
    const names =
      this.params.columns ?? categoricalColumnsOf(table).filter((n) => !(this.params.exclude ?? []).includes(n));
    requireColumns(this.kind, table, names);
    this.categories = learnCategories(this.kind, table, names);
  }
}
