/** OneHotEncoder: one 0/1 column per training category. */
import type { ColumnTable } from "arquero";
import { withColumns } from "../columns";
import { ParamJson, registerBuiltInTransform, requireColumns } from "./transform";
import { CategoryEncoder, categoryIndices, unseenError } from "./categories";

/** Parameters of {@link OneHotEncoder}. */
export interface OneHotEncoderParams {
  /** Columns to encode (default: every string/boolean column at fit time, minus `exclude`). */
  columns?: string[];
  exclude?: string[];
  /** A category not seen in training: "error" (default) throws naming it; "ignore" encodes it as all zeros. */
  handleUnknown?: "error" | "ignore";
  /**
   * A missing value in an encoded column: "error" (default) throws naming the column and the count (fill it first,
   * e.g. with Impute); "all_zero" encodes it as a row of zeros on purpose, and the checklist reports how many.
   */
  handleMissing?: "error" | "all_zero";
}

/**
 * One 0/1 column per training category (`col_value`, Uint8), in sorted category order.
 * fit() throws naming a column with no value in the training data (it would otherwise vanish without a trace), and
 * transform() throws naming a column with missing values unless `handleMissing: "all_zero"` asks for zero rows.
 */
export class OneHotEncoder extends CategoryEncoder<OneHotEncoderParams> {
  readonly kind = "OneHotEncoder";

  constructor(params: OneHotEncoderParams = {}) {
    super(params);
  }
  describe(): string {
    return `one-hot encode${this.params.columns ? ` ${this.params.columns.join(", ")}` : ""} (unknown: ${this.params.handleUnknown ?? "error"}${this.params.handleMissing === "all_zero" ? ", missing: all zeros" : ""})`;
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, Object.keys(this.categories!));
    const replace: Record<string, unknown> = {};
    const order: string[] = [];
    const encoded = new Set(Object.keys(this.categories!));
    for (const name of table.columnNames()) {
      if (!encoded.has(name)) {
        order.push(name);
        continue;
      }
      const cats = this.categories![name];
      const { index, unseen } = categoryIndices(table, name, cats);
      if (unseen.length > 0 && (this.params.handleUnknown ?? "error") === "error") {
        throw unseenError(
          this.kind,
          name,
          unseen,
          cats,
          `Use handleUnknown: "ignore" to encode unseen values as all zeros, or map them to a known category.`,
        );
      }
      if ((this.params.handleMissing ?? "error") === "error") {
        const first = index.indexOf(-1);
        if (first >= 0) {
          let missing = 0;
          for (let i = first; i < index.length; i++) if (index[i] === -1) missing++;
          throw new Error(
            `OneHotEncoder: column "${name}" has ${missing} missing value(s) (the first in row ${first}), which one-hot encoding would turn into all-zero rows. ` +
              `Fill them first (e.g. new Impute({ strategy: "most_frequent", columns: ["${name}"] }), or categorical: "most_frequent" on a mean/median Impute), ` +
              `or pass handleMissing: "all_zero" to encode them as zeros on purpose.`,
          );
        }
      }
      const n = index.length;
      const outs = cats.map(() => new Uint8Array(n));
      for (let i = 0; i < n; i++) {
        const k = index[i];
        if (k >= 0) outs[k][i] = 1;
      }
      cats.forEach((c, k) => {
        let out = `${name}_${String(c)}`;
        while (order.includes(out) || (table.columnNames().includes(out) && !encoded.has(out))) out += "_";
        replace[out] = outs[k];
        order.push(out);
      });
    }
    return withColumns(table, replace, order);
  }
  protected override describeFit(
    _input: ColumnTable,
    _output: ColumnTable,
    counts: { missingIn: Record<string, number> },
  ): Record<string, ParamJson> {
    const missingAsZeros: Record<string, number> = {};
    for (const name of Object.keys(this.categories!)) {
      const m = counts.missingIn[name] ?? 0;
      if (m > 0) missingAsZeros[name] = m;
    }
    return {
      encoded: Object.keys(this.categories!),
      method: "one-hot",
      ...(Object.keys(missingAsZeros).length ? { missingAsZeros } : {}),
    };
  }
}

registerBuiltInTransform("OneHotEncoder", OneHotEncoder, (p) => new OneHotEncoder(p as OneHotEncoderParams));
