/** Impute: fills missing values with a statistic of the training split (mean, median, most frequent or a constant). */
import type { ColumnTable } from "arquero";
import {
  codeCounts,
  columnKind,
  compareCategories,
  DictColumn,
  dictColumn,
  missingCount,
  NumericColumn,
  numericColumn,
  withColumns,
} from "../columns";
import { meanStd, quantileInPlace } from "../stats";
import {
  categoricalColumnsOf,
  numericColumnsOf,
  ParamJson,
  registerBuiltInTransform,
  requireColumns,
  Transform,
} from "./transform";

/** How {@link Impute} fills a column. */
export type ImputeStrategy = "mean" | "median" | "most_frequent" | { constant: number | string };

/** What {@link Impute} does with string/boolean columns when `strategy` is "mean" or "median" (which only apply to numbers). */
export type CategoricalImputeStrategy = "most_frequent" | { constant: string } | "skip";

/** Parameters of {@link Impute}. */
export interface ImputeParams {
  /** Strategy for every listed column (default "mean"). */
  strategy?: ImputeStrategy;
  /**
   * Columns to impute: a list (all use `strategy`) or a per-column record of strategies.
   * Default: every numeric column for mean/median, every column for most_frequent/constant.
   */
  columns?: string[] | Record<string, ImputeStrategy>;
  /** Columns to leave alone when `columns` is not given (e.g. the label, whose gaps are not for filling). */
  exclude?: string[];
  /**
   * With `strategy` "mean" or "median" and no `columns`: how to fill the string and boolean columns, which have no
   * mean or median: "most_frequent", `{ constant }`, or "skip" to leave them to a later step. Without it, fit()
   * throws naming every non-numeric column that has missing values (as scikit-learn's SimpleImputer refuses strings).
   */
  categorical?: CategoricalImputeStrategy;
}

/**
 * Fills missing values (null, NaN) with a statistic of the training split: mean, median, most frequent, or a constant.
 * fit() throws naming the columns it cannot fill (a mean/median asked of a string column, a column with no values);
 * `facts.details.imputed` counts the values it really filled in the training table, per column.
 */
export class Impute extends Transform {
  readonly kind = "Impute";
  readonly params: ImputeParams;
  private fills: Record<string, number | string | boolean> | null = null;

  constructor(params: ImputeParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as ImputeParams;
  }

  /** The learned fill value per column. */
  get fillValues(): Readonly<Record<string, number | string | boolean>> {
    if (!this.fills) throw new Error("Impute: not fitted yet.");
    return this.fills;
  }
  describe(): string {
    const cols = this.params.columns;
    if (cols && !Array.isArray(cols))
      return `impute ${Object.entries(cols)
        .map(([c, s]) => `${c}: ${strategyName(s)}`)
        .join(", ")}`;
    const cat = this.params.categorical;
    const catText =
      cols || cat === undefined
        ? ""
        : cat === "skip"
          ? "; string columns left as they are"
          : `; string columns: ${strategyName(cat)}`;
    return `impute ${strategyName(this.params.strategy ?? "mean")}${cols ? ` (${cols.join(", ")})` : ""}${catText}`;
  }
  paramsJSON(): ParamJson {
    return JSON.parse(JSON.stringify(this.params)) as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.fills ? { fills: this.fills } : null;
  }
  loadState(state: ParamJson): void {
    this.fills = (state as { fills: Record<string, number | string | boolean> }).fills;
  }

  private plan(table: ColumnTable): [string, ImputeStrategy][] {
    const cols = this.params.columns;
    const strategy = this.params.strategy ?? "mean";
    if (cols && !Array.isArray(cols)) return Object.entries(cols);
    const numericOnly = strategy === "mean" || strategy === "median";
    const kept = (names: string[]): string[] => names.filter((n) => !(this.params.exclude ?? []).includes(n));
    if (cols || !numericOnly) return (cols ?? kept(table.columnNames())).map((n) => [n, strategy]);
    const plan: [string, ImputeStrategy][] = kept(numericColumnsOf(table)).map((n) => [n, strategy]);
    const categorical = this.params.categorical;
    if (categorical === undefined) this.refuseUnfilled(table, "training");
    else if (categorical !== "skip")
      for (const n of kept(categoricalColumnsOf(table))) plan.push([n, categorical as ImputeStrategy]);
    return plan;
  }

  /**
   * A mean/median Impute over the default columns, with no `categorical` rule, fills only numbers: it throws when a
   * string or boolean column of `table` has gaps it would pass on unfilled (at fit and at transform time alike).
   */
  private refuseUnfilled(table: ColumnTable, which: string): void {
    const strategy = this.params.strategy ?? "mean";
    if (this.params.columns || this.params.categorical !== undefined || (strategy !== "mean" && strategy !== "median"))
      return;
    const unfilled = categoricalColumnsOf(table)
      .filter((n) => !(this.params.exclude ?? []).includes(n))
      .map((n) => [n, missingCount(table, n)] as const)
      .filter(([, m]) => m > 0);
    if (unfilled.length === 0) return;
    const list = unfilled.map(([n, m]) => `"${n}" (${m} missing)`).join(", ");
    throw new Error(
      `Impute: strategy "${strategy}" applies to numeric columns only, and the non-numeric column(s) ${list} of the ${which} table would be left unfilled. ` +
        `Pass { strategy: "${strategy}", categorical: "most_frequent" } (or categorical: { constant: "missing" }) to fill them too, ` +
        `categorical: "skip" to leave them to a later step, or list the columns to impute in "columns".`,
    );
  }

  protected learn(table: ColumnTable): void {
    const plan = this.plan(table);
    requireColumns(
      this.kind,
      table,
      plan.map(([c]) => c),
    );
    const fills: Record<string, number | string | boolean> = {};
    let scratch: Float64Array | null = null; // reused by every median: fresh pages are costly
    for (const [name, strategy] of plan) {
      const kind = columnKind(table, name);
      if (typeof strategy === "object") {
        fills[name] = strategy.constant;
        continue;
      }
      if (strategy === "mean" || strategy === "median") {
        if (kind !== "number" && kind !== "empty") {
          throw new Error(
            `Impute: column "${name}" is not numeric, so "${strategy}" does not apply. Use "most_frequent" or { constant } for it.`,
          );
        }
        const values = numericColumn(table, name).values;
        let v: number;
        if (strategy === "mean") v = meanStd(values).mean;
        else {
          if (scratch === null || scratch.length < values.length) scratch = new Float64Array(values.length);
          let k = 0;
          for (let i = 0; i < values.length; i++) if (values[i] === values[i]) scratch[k++] = values[i];
          v = quantileInPlace(scratch.subarray(0, k), 0.5);
        }
        if (Number.isNaN(v)) {
          throw new Error(
            `Impute: column "${name}" has no values in the training data, so its ${strategy} is undefined. Drop the column or use { constant }.`,
          );
        }
        fills[name] = v;
      } else {
        if (kind === "number") {
          const values = numericColumn(table, name).values;
          const counts = new Map<number, number>();
          for (let i = 0; i < values.length; i++)
            if (values[i] === values[i]) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
          let best = NaN;
          let bestCount = 0;
          for (const [v, c] of counts) if (c > bestCount || (c === bestCount && v < best)) [best, bestCount] = [v, c];
          if (bestCount === 0)
            throw new Error(`Impute: column "${name}" has no values in the training data; use { constant }.`);
          fills[name] = best;
        } else {
          const col = dictColumn(table, name);
          const counts = codeCounts(col);
          let best = -1;
          for (let k = 0; k < counts.length; k++) {
            if (counts[k] === 0) continue;
            if (
              best < 0 ||
              counts[k] > counts[best] ||
              (counts[k] === counts[best] && compareCategories(col.dictionary[k], col.dictionary[best]) < 0)
            )
              best = k;
          }
          if (best < 0)
            throw new Error(`Impute: column "${name}" has no values in the training data; use { constant }.`);
          fills[name] = col.dictionary[best];
        }
      }
    }
    this.fills = fills;
  }

  protected apply(table: ColumnTable): ColumnTable {
    const fills = this.fills!;
    requireColumns(this.kind, table, Object.keys(fills));
    this.refuseUnfilled(table, "given");
    const replace: Record<string, unknown> = {};
    for (const [name, fill] of Object.entries(fills)) {
      const kind = columnKind(table, name);
      if ((kind === "number" || kind === "empty") && typeof fill === "number") {
        const src = numericColumn(table, name).values;
        const out = new Float64Array(src.length);
        for (let i = 0; i < src.length; i++) {
          const v = src[i];
          out[i] = v === v ? v : fill;
        }
        replace[name] = new NumericColumn(out, null);
      } else {
        const col = dictColumn(table, name);
        let code = col.dictionary.indexOf(fill);
        let dictionary = col.dictionary;
        if (code < 0) {
          dictionary = [...col.dictionary, fill];
          code = dictionary.length - 1;
        }
        const codes = new Int32Array(col.codes.length);
        for (let i = 0; i < codes.length; i++) codes[i] = col.codes[i] < 0 ? code : col.codes[i];
        replace[name] = new DictColumn(codes, dictionary);
      }
    }
    return withColumns(table, replace);
  }

  protected override describeFit(
    _input: ColumnTable,
    _output: ColumnTable,
    counts: { missingIn: Record<string, number>; missingOut: Record<string, number> },
  ): Record<string, ParamJson> {
    // Counted from the tables, not from the plan: a value counts as filled when it was missing before and is not after.
    const imputed: Record<string, number> = {};
    for (const name of Object.keys(this.fills!))
      imputed[name] = (counts.missingIn[name] ?? 0) - (counts.missingOut[name] ?? 0);
    return { imputed, fills: this.fills as Record<string, ParamJson> };
  }
}

function strategyName(s: ImputeStrategy): string {
  return typeof s === "object" ? `constant ${JSON.stringify(s.constant)}` : s;
}

registerBuiltInTransform("Impute", Impute, (p) => new Impute(p as ImputeParams));
