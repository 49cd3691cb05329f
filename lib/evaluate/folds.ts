/**
 * Seeded k-fold and stratified k-fold index splits for cross-validation, plus row subsetting of any feature input.
 */
import type { ColumnTable } from "arquero";
import type { FeatureInput, Matrix } from "../data/matrix";
import { takeRows, toMatrix } from "../data/matrix";
import { takeTableRows } from "../data/columns";
import { isTable } from "../core/table";
import type { Label } from "../metrics/labels";
import { seededRandom } from "../random";

/** One cross-validation split: row indices to train on and to score on. */
export interface CvFold {
  train: number[];
  test: number[];
}

/** The shared seeded generator (lib/random.ts), salted so folds draw a stream independent of data splits with the same seed. */
export function seededUniform(seed: number): () => number {
  return seededRandom(seed, 0x2545f491);
}

function shuffled(indices: number[], random: () => number): number[] {
  const a = indices.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Splits `n` rows into `k` folds after a seeded shuffle (each row is scored exactly once). With `labels`, folds are
 * stratified: every fold keeps each class's proportion (classes dealt round-robin across folds).
 * @throws Error when k < 2, k > n, or (stratified) a label list of the wrong length.
 */
export function crossValidationFolds(
  n: number,
  options: { k?: number; seed?: number; labels?: readonly Label[]; shuffle?: boolean } = {},
): CvFold[] {
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds must be an integer of at least 2, got ${k}.`);
  if (k > n) throw new Error(`Cannot make ${k} folds from ${n} samples: use fewer folds or more data.`);
  const random = seededUniform(options.seed ?? 0);
  const shuffle = options.shuffle ?? true;
  const assignment = new Array<number>(n);
  if (options.labels) {
    if (options.labels.length !== n)
      throw new Error(`Stratifying needs one label per row: got ${options.labels.length} labels for ${n} rows.`);
    const byClass = new Map<Label, number[]>();
    options.labels.forEach((l, i) => {
      let list = byClass.get(l);
      if (!list) byClass.set(l, (list = []));
      list.push(i);
    });
    // Deal every class in turn, continuing the fold counter so that fold sizes differ by at most one.
    let position = 0;
    const classes = Array.from(byClass.keys()).sort((a, b) =>
      String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
    );
    for (const c of classes) {
      const rows = byClass.get(c) as number[];
      for (const i of shuffle ? shuffled(rows, random) : rows) assignment[i] = position++ % k;
    }
  } else {
    const order = shuffle
      ? shuffled(
          Array.from({ length: n }, (_, i) => i),
          random,
        )
      : Array.from({ length: n }, (_, i) => i);
    // Contiguous blocks of the (shuffled) order, sizes differing by at most one, as scikit-learn's KFold.
    let start = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
      for (let j = start; j < start + size; j++) assignment[order[j]] = f;
      start += size;
    }
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    assignment.forEach((a, i) => (a === f ? test : train).push(i));
    return { train, test };
  });
}

/** Features prepared for repeated row subsetting: a table stays a table (a pipeline may encode it), the rest becomes a Matrix. */
export type RowSource = { kind: "table"; table: ColumnTable } | { kind: "matrix"; matrix: Matrix };

/** Wraps features for {@link subsetRows}. @throws as toMatrix for non-table inputs with non-finite values. */
export function rowSource(X: FeatureInput): RowSource {
  return isTable(X) ? { kind: "table", table: X } : { kind: "matrix", matrix: toMatrix(X) };
}

/** Number of rows of a {@link RowSource}. */
export function sourceRows(source: RowSource): number {
  return source.kind === "table" ? source.table.numRows() : source.matrix.rows;
}

/** The given rows, in order, as a new table or matrix. */
export function subsetRows(source: RowSource, indices: readonly number[]): FeatureInput {
  return source.kind === "matrix" ? takeRows(source.matrix, indices) : takeTableRows(source.table, indices);
}
