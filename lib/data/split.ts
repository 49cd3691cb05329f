/**
 * Seeded, reproducible splits: train/validation/test by ratios (random, stratified, grouped or time-ordered),
 * and k-fold / stratified k-fold index folds. Splitting happens before fitting so that transforms learn from
 * the training part only.
 */
import type { ColumnTable } from "arquero";
import { Category, dictColumn, materialize, numericColumn, takeTableRows } from "./columns";
import { inheritProvenance } from "./provenance";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { seededRandom, shuffleInPlace } from "../random";

export { seededRandom, shuffleInPlace } from "../random";

/** A seeded permutation of 0..n-1. */
export function permutation(n: number, seed = 0): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return shuffleInPlace(a, seededRandom(seed));
}

/** Options of {@link trainValTestSplit}. */
export interface SplitOptions {
  /** Fractions of the parts, summing to 1: [train, validation, test] (default [0.8, 0.1, 0.1]) or [train, test]. */
  ratios?: readonly number[];
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Keep this column's class proportions in every part. */
  stratify?: string;
  /** Keep all rows of a group (this column's value) in one part. */
  groups?: string;
  /** Time-ordered: sort by this column and cut in order (train oldest, test newest); no shuffling. */
  timeColumn?: string;
  /** Label column: every part must contain at least two of its classes (default: the stratify column). */
  target?: string;
}

/** The parts of a split, as tables, with their row indices in the source table. */
export class DataSplit {
  readonly train: ColumnTable;
  readonly validation: ColumnTable | undefined;
  readonly test: ColumnTable;
  /** Row indices (of the source table) of each part. */
  readonly indices: { train: Uint32Array; validation?: Uint32Array; test: Uint32Array };
  readonly strategy: string;
  readonly seed: number;

  constructor(
    parts: { train: ColumnTable; validation?: ColumnTable; test: ColumnTable },
    indices: DataSplit["indices"],
    strategy: string,
    seed: number,
  ) {
    this.train = parts.train;
    this.validation = parts.validation;
    this.test = parts.test;
    this.indices = indices;
    this.strategy = strategy;
    this.seed = seed;
  }

  /** Row counts per part. */
  get sizes(): Record<string, number> {
    const s: Record<string, number> = { train: this.train.numRows() };
    if (this.validation) s.validation = this.validation.numRows();
    s.test = this.test.numRows();
    return s;
  }

  toString(): string {
    const total = Object.values(this.sizes).reduce((a, b) => a + b, 0);
    return (
      `DataSplit (${this.strategy}, seed ${this.seed}): ` +
      Object.entries(this.sizes)
        .map(([k, v]) => `${k} ${v} (${((100 * v) / total).toFixed(1)}%)`)
        .join(", ")
    );
  }

  [DISPLAY](): MimeBundle {
    const total = Object.values(this.sizes).reduce((a, b) => a + b, 0);
    const rows = Object.entries(this.sizes)
      .map(
        ([k, v]) =>
          `<tr><td>${k}</td><td style="text-align:right">${v}</td><td style="text-align:right">${((100 * v) / total).toFixed(1)}%</td></tr>`,
      )
      .join("");
    return {
      "text/plain": this.toString(),
      "text/html": `<div class="trainlab-split"><b>Split</b> — ${escapeHtml(this.strategy)}, seed ${this.seed}<table><thead><tr><th>part</th><th>rows</th><th>share</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    };
  }
}

function checkRatios(ratios: readonly number[]): void {
  if (ratios.length < 2 || ratios.length > 3)
    throw new Error(
      `ratios must have 2 (train, test) or 3 (train, validation, test) entries, got [${ratios.join(", ")}].`,
    );
  if (ratios.some((r) => !(r > 0))) throw new Error(`ratios must all be positive, got [${ratios.join(", ")}].`);
  const sum = ratios.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new Error(`ratios must sum to 1, got [${ratios.join(", ")}] (sum ${sum}).`);
}

/** Cut points of n rows by cumulative ratios (pandas-style int(ratio * n)). */
function cuts(n: number, ratios: readonly number[]): number[] {
  const out: number[] = [];
  let cum = 0;
  for (let k = 0; k < ratios.length - 1; k++) {
    cum += ratios[k];
    out.push(Math.floor(cum * n + 1e-9));
  }
  return out;
}

/**
 * Splits a table into train/validation/test (or train/test) parts: random by default, or stratified, grouped,
 * or time-ordered. Seeded: the same seed gives the same split.
 * @throws Error when a part would be empty, when a part would hold a single class of `target`/`stratify`,
 *   or when a named column is missing.
 */
export function trainValTestSplit(table: ColumnTable, options: SplitOptions = {}): DataSplit {
  const ratios = options.ratios ?? [0.8, 0.1, 0.1];
  checkRatios(ratios);
  const seed = options.seed ?? 0;
  const source = materialize(table);
  const n = source.numRows();
  const names = ratios.length === 3 ? ["train", "validation", "test"] : ["train", "test"];
  const modes = [options.stratify, options.groups, options.timeColumn].filter((x) => x !== undefined);
  if (modes.length > 1) throw new Error("Choose one of stratify, groups or timeColumn for a split.");
  for (const c of [options.stratify, options.groups, options.timeColumn, options.target]) {
    if (c !== undefined && !source.columnNames().includes(c))
      throw new Error(`Split: column "${c}" is not in the table. Columns: ${source.columnNames().join(", ")}.`);
  }
  if (n === 0) throw new Error("Cannot split an empty table (0 rows).");

  let parts: Uint32Array[];
  let strategy: string;
  if (options.timeColumn) {
    strategy = `time-ordered by ${options.timeColumn}`;
    const t = numericColumn(source, options.timeColumn).values;
    for (let i = 0; i < n; i++) {
      if (t[i] !== t[i])
        throw new Error(
          `Split: column "${options.timeColumn}" is missing at row ${i}; a time-ordered split needs a time for every row.`,
        );
    }
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => t[a] - t[b] || a - b);
    parts = slicesOf(order, cuts(n, ratios));
  } else if (options.groups) {
    strategy = `grouped by ${options.groups}`;
    parts = groupedParts(source, options.groups, ratios, seed);
  } else if (options.stratify) {
    strategy = `stratified by ${options.stratify}`;
    parts = stratifiedParts(dictColumn(source, options.stratify).codes, ratios, seed);
  } else {
    strategy = "random";
    parts = slicesOf(permutation(n, seed), cuts(n, ratios));
  }

  parts.forEach((p, k) => {
    if (p.length === 0) {
      throw new Error(
        `Split "${names[k]}" would be empty: the table has ${n} row(s) and ratios [${ratios.join(", ")}]` +
          `${options.groups ? ` with ${options.groups} groups kept whole` : ""}. Use more data or larger ratios for that part.`,
      );
    }
  });
  const target = options.target ?? options.stratify;
  if (target) {
    const codes = dictColumn(source, target).codes;
    const all = new Set<number>();
    for (let i = 0; i < n; i++) if (codes[i] >= 0) all.add(codes[i]);
    if (all.size >= 2) {
      parts.forEach((p, k) => {
        const seen = new Set<number>();
        for (let i = 0; i < p.length && seen.size < 2; i++) if (codes[p[i]] >= 0) seen.add(codes[p[i]]);
        if (seen.size < 2) {
          const only = dictColumn(source, target).dictionary[[...seen][0]];
          throw new Error(
            `Split "${names[k]}" would hold a single class of "${target}" (${JSON.stringify(only)}, ${p.length} rows): ` +
              `metrics and training need at least two classes. Use stratify: "${target}", a different seed, or more data.`,
          );
        }
      });
    } else
      throw new Error(
        `Column "${target}" has ${all.size} class(es) in the whole table; a classification split needs at least two.`,
      );
  }

  const tables = parts.map((p, k) =>
    inheritProvenance(
      takeTableRows(source, p),
      table,
      {
        split: {
          part: names[k],
          strategy,
          seed,
          parts: Object.fromEntries(names.map((nm, j) => [nm, parts[j].length])),
        },
      },
      true,
    ),
  );
  const indices =
    ratios.length === 3
      ? { train: parts[0], validation: parts[1], test: parts[2] }
      : { train: parts[0], test: parts[1] };
  return new DataSplit(
    ratios.length === 3
      ? { train: tables[0], validation: tables[1], test: tables[2] }
      : { train: tables[0], test: tables[1] },
    indices,
    strategy,
    seed,
  );
}

/** Splits a table into train and test (default 80/20); see {@link trainValTestSplit}. */
export function trainTestSplit(
  table: ColumnTable,
  options: Omit<SplitOptions, "ratios"> & { testSize?: number } = {},
): DataSplit {
  const testSize = options.testSize ?? 0.2;
  return trainValTestSplit(table, { ...options, ratios: [1 - testSize, testSize] });
}

function slicesOf(order: Uint32Array, at: number[]): Uint32Array[] {
  const bounds = [0, ...at, order.length];
  return bounds.slice(0, -1).map((b, k) => order.slice(b, bounds[k + 1]));
}

function stratifiedParts(codes: Int32Array, ratios: readonly number[], seed: number): Uint32Array[] {
  const random = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  // Part sizes as in an unstratified split; per class, floor(n_c · ratio) rows, then the rows still missing from a
  // part go to the classes with the largest fractional shares (largest-remainder rounding). The last part takes the rest.
  const n = codes.length;
  const bounds = [0, ...cuts(n, ratios), n];
  const targets = ratios.map((_, k) => bounds[k + 1] - bounds[k]);
  const alloc = classes.map((c) => ratios.map((r) => Math.floor(byClass.get(c)!.length * r)));
  for (let k = 0; k < ratios.length - 1; k++) {
    let deficit = targets[k] - alloc.reduce((a, row) => a + row[k], 0);
    const order = classes
      .map((c, ci) => ({ ci, frac: byClass.get(c)!.length * ratios[k] - alloc[ci][k] }))
      .sort((a, b) => b.frac - a.frac || a.ci - b.ci);
    for (const { ci } of order) {
      if (deficit <= 0) break;
      const used = alloc[ci].slice(0, ratios.length - 1).reduce((a, b) => a + b, 0);
      if (used < byClass.get(classes[ci])!.length) {
        alloc[ci][k]++;
        deficit--;
      }
    }
  }
  const parts: number[][] = ratios.map(() => []);
  classes.forEach((c, ci) => {
    const idx = shuffleInPlace(Uint32Array.from(byClass.get(c)!), random);
    let start = 0;
    for (let k = 0; k < ratios.length; k++) {
      const size = k === ratios.length - 1 ? idx.length - start : alloc[ci][k];
      for (let i = start; i < start + size; i++) parts[k].push(idx[i]);
      start += size;
    }
  });
  return parts.map((p) => shuffleInPlace(Uint32Array.from(p), random));
}

function groupedParts(table: ColumnTable, column: string, ratios: readonly number[], seed: number): Uint32Array[] {
  const col = dictColumn(table, column);
  const random = seededRandom(seed);
  const members = new Map<number, number[]>();
  for (let i = 0; i < col.codes.length; i++) {
    const g = col.codes[i];
    if (g < 0) throw new Error(`Split: group column "${column}" is missing at row ${i}; every row needs a group.`);
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(i);
  }
  const groups = shuffleInPlace(Uint32Array.from([...members.keys()].sort((a, b) => a - b)), random);
  const n = col.codes.length;
  const targets = cuts(n, ratios);
  const parts: number[][] = ratios.map(() => []);
  let part = 0;
  let filled = 0;
  const remaining = groups.length;
  groups.forEach((g, gi) => {
    // Move to the next part once this one reached its target, keeping at least one group for each later part.
    while (part < ratios.length - 1 && (filled >= targets[part] || remaining - gi <= ratios.length - 1 - part)) part++;
    parts[part].push(...members.get(g)!);
    filled += members.get(g)!.length;
  });
  return parts.map((p) => Uint32Array.from(p));
}

/** One fold: row indices to train on and to validate on. */
export interface Fold {
  train: Uint32Array;
  validation: Uint32Array;
}

/**
 * K folds over n rows (or a table's rows): each row is in exactly one validation fold. Shuffled with `seed` unless
 * `shuffle: false`.
 * @throws Error when k < 2 or k > n.
 */
export function kFold(
  rows: number | ColumnTable,
  options: { k?: number; seed?: number; shuffle?: boolean } = {},
): Fold[] {
  const n = typeof rows === "number" ? rows : rows.numRows();
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold needs an integer k >= 2, got ${k}.`);
  if (k > n)
    throw new Error(`k-fold with k = ${k} needs at least ${k} rows, got ${n}: a validation fold would be empty.`);
  const order =
    options.shuffle === false ? Uint32Array.from({ length: n }, (_, i) => i) : permutation(n, options.seed ?? 0);
  const assign = new Int32Array(n);
  // sklearn's sizes: the first n % k folds get one extra row.
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let i = start; i < start + size; i++) assign[order[i]] = f;
    start += size;
  }
  return foldsFrom(assign, k);
}

function foldsFrom(assign: Int32Array, k: number): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    let m = 0;
    for (let i = 0; i < assign.length; i++) if (assign[i] === f) m++;
    const validation = new Uint32Array(m);
    const train = new Uint32Array(assign.length - m);
    let a = 0;
    let b = 0;
    for (let i = 0; i < assign.length; i++) {
      if (assign[i] === f) validation[a++] = i;
      else train[b++] = i;
    }
    folds.push({ train, validation });
  }
  return folds;
}

/**
 * Stratified k folds: each fold keeps the class proportions of `labels` (an array, or a table and its label column).
 * @throws Error when k < 2, when k exceeds the number of rows, when a fold would be empty, or when there is a single class.
 */
export function stratifiedKFold(
  labels: ArrayLike<Category | null> | ColumnTable,
  options: { k?: number; seed?: number; column?: string } = {},
): Fold[] {
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold needs an integer k >= 2, got ${k}.`);
  let values: ArrayLike<unknown>;
  if (typeof (labels as ColumnTable).columnNames === "function") {
    const t = labels as ColumnTable;
    if (!options.column) throw new Error("stratifiedKFold(table, { column }) needs the label column.");
    values = dictColumn(t, options.column).toArray();
  } else values = labels as ArrayLike<Category | null>;
  const n = values.length;
  if (k > n) throw new Error(`k-fold with k = ${k} needs at least ${k} rows, got ${n}.`);
  const byClass = new Map<unknown, number[]>();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let list = byClass.get(v);
    if (!list) byClass.set(v, (list = []));
    list.push(i);
  }
  if (byClass.size < 2)
    throw new Error(
      `Stratified k-fold needs at least two classes; the labels hold only ${JSON.stringify([...byClass.keys()][0])}.`,
    );
  const random = seededRandom(options.seed ?? 0);
  const assign = new Int32Array(n);
  let next = 0;
  const classes = [...byClass.keys()].sort((a, b) => String(a).localeCompare(String(b)));
  for (const c of classes) {
    const idx = shuffleInPlace(Uint32Array.from(byClass.get(c)!), random);
    for (let i = 0; i < idx.length; i++) assign[idx[i]] = (next + i) % k;
    next = (next + idx.length) % k;
  }
  const folds = foldsFrom(assign, k);
  folds.forEach((f, i) => {
    if (f.validation.length === 0)
      throw new Error(`Stratified k-fold: fold ${i} would be empty (${n} rows, k = ${k}).`);
  });
  return folds;
}

/** The train and validation tables of one fold. */
export function foldTables(table: ColumnTable, fold: Fold): { train: ColumnTable; validation: ColumnTable } {
  const source = materialize(table);
  return { train: takeTableRows(source, fold.train), validation: takeTableRows(source, fold.validation) };
}
