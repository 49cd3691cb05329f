/** DropDuplicates: removes repeated rows (hashing typed columns), with the row-index helpers profile() uses. */
import type { ColumnTable } from "arquero";
import { columnKind, dictColumn, materialize, numericColumn, takeTableRows, withColumns } from "../columns";
import { inheritProvenance } from "../provenance";
import { ParamJson, registerBuiltInTransform, requireColumns, Transform } from "./transform";

/** Parameters of {@link DropDuplicates}. */
export interface DropDuplicatesParams {
  /** Columns that define a duplicate (default: all). */
  subset?: string[];
}

/** Row hash over typed columns, for duplicate detection. */
function rowKeys(
  table: ColumnTable,
  names: readonly string[],
): { hashes: Int32Array; equal: (a: number, b: number) => boolean } {
  const n = table.numRows();
  const hashes = new Int32Array(n).fill(0x2545f491);
  const comparers: ((a: number, b: number) => boolean)[] = [];
  for (const name of names) {
    const kind = columnKind(table, name);
    if (kind === "number") {
      const values = numericColumn(table, name).values;
      const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let lo: number;
        let hi: number;
        if (v !== v) {
          lo = 0x7ff80000;
          hi = 1;
        } else if (v === 0) {
          lo = 0;
          hi = 0;
        } else {
          lo = words[2 * i];
          hi = words[2 * i + 1];
        }
        let h = hashes[i];
        h = Math.imul(h ^ lo, 0x9e3779b1);
        h = Math.imul(h ^ hi, 0x85ebca6b);
        hashes[i] = h ^ (h >>> 15);
      }
      comparers.push((a, b) => values[a] === values[b] || (values[a] !== values[a] && values[b] !== values[b]));
    } else {
      const codes = dictColumn(table, name).codes;
      for (let i = 0; i < n; i++) {
        let h = hashes[i];
        h = Math.imul(h ^ (codes[i] + 7), 0xcc9e2d51);
        hashes[i] = h ^ (h >>> 13);
      }
      comparers.push((a, b) => codes[a] === codes[b]);
    }
  }
  return {
    hashes,
    equal: (a, b) => {
      for (let k = 0; k < comparers.length; k++) if (!comparers[k](a, b)) return false;
      return true;
    },
  };
}

/** Indices of the first occurrence of each distinct row. */
export function uniqueRowIndices(table: ColumnTable, subset?: readonly string[]): Uint32Array {
  const names = subset ?? table.columnNames();
  const n = table.numRows();
  if (n === 0 || names.length === 0) return Uint32Array.from({ length: Math.min(n, 1) }, (_, i) => i);
  const { hashes, equal } = rowKeys(table, names);
  let size = 1;
  while (size < n * 2) size <<= 1;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const keep = new Uint32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    let s = hashes[i] & mask;
    let dup = false;
    for (;;) {
      const j = slots[s];
      if (j < 0) break;
      if (hashes[j] === hashes[i] && equal(i, j)) {
        dup = true;
        break;
      }
      s = (s + 1) & mask;
    }
    if (!dup) {
      slots[s] = i;
      keep[kept++] = i;
    }
  }
  return keep.subarray(0, kept);
}

/** Number of rows that repeat an earlier row exactly (pandas' `duplicated().sum()`). */
export function countDuplicates(table: ColumnTable, subset?: readonly string[]): number {
  return table.numRows() - uniqueRowIndices(materialize(table), subset).length;
}

/**
 * Cleaning before the split: drops exact duplicate rows from the whole table (keeping the first occurrence) and
 * records how many it removed, which pipeline.checklist() reports for the splits made from the result. Prefer it to
 * a {@link DropDuplicates} pipeline step: a fitted pipeline then keeps one output row per input row, so predictions
 * on new data stay aligned with their inputs and labels. Returns a new table (sharing the columns when nothing is removed).
 * @throws Error when a `subset` column is not in the table.
 */
export function dropDuplicates(table: ColumnTable, options: DropDuplicatesParams = {}): ColumnTable {
  if (options.subset) requireColumns("dropDuplicates", table, options.subset);
  const input = materialize(table);
  const keep = uniqueRowIndices(input, options.subset);
  const dedupe = {
    rowsIn: input.numRows(),
    removed: input.numRows() - keep.length,
    ...(options.subset ? { subset: [...options.subset] } : {}),
  };
  // Without duplicates, a new table over the same columns (no copy), so the record belongs to the result only.
  const out = keep.length === input.numRows() ? withColumns(input, {}) : takeTableRows(input, keep);
  return inheritProvenance(out, table, { dedupe });
}

/**
 * Pipeline step that drops exact duplicate rows (keeping the first). Stateless: it applies to each split on its own.
 * It changes the number of rows at transform time, so labels must come from the transformed table; to keep a
 * pipeline row-preserving, dedupe the whole table with {@link dropDuplicates} before splitting instead.
 */
export class DropDuplicates extends Transform {
  readonly kind = "DropDuplicates";
  readonly params: DropDuplicatesParams;
  private done = false;

  constructor(params: DropDuplicatesParams = {}) {
    super();
    this.params = { ...params };
  }
  override get preservesRows(): boolean {
    return false;
  }
  describe(): string {
    return `drop duplicate rows${this.params.subset ? ` (by ${this.params.subset.join(", ")})` : ""}`;
  }
  paramsJSON(): ParamJson {
    return this.params.subset ? { subset: this.params.subset } : {};
  }
  stateJSON(): ParamJson | null {
    return this.done ? {} : null;
  }
  loadState(): void {
    this.done = true;
  }
  protected learn(table: ColumnTable): void {
    if (this.params.subset) requireColumns(this.kind, table, this.params.subset);
    this.done = true;
  }
  protected apply(table: ColumnTable): ColumnTable {
    if (this.params.subset) requireColumns(this.kind, table, this.params.subset);
    const keep = uniqueRowIndices(table, this.params.subset);
    return keep.length === table.numRows() ? table : takeTableRows(table, keep);
  }
  protected override describeFit(input: ColumnTable, output: ColumnTable): Record<string, ParamJson> {
    return { duplicatesRemoved: input.numRows() - output.numRows() };
  }
}

registerBuiltInTransform("DropDuplicates", DropDuplicates, (p) => new DropDuplicates(p as DropDuplicatesParams));
