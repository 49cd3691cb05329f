/** OrdinalEncoder (categories to integer codes) and LabelEncoder (the same for one label column, with inverse()). */
import type { ColumnTable } from "arquero";
import { Category, NumericColumn, withColumns } from "../columns";
import { ParamJson, registerBuiltInTransform, requireColumns } from "./transform";
import { CategoryEncoder, categoryIndices, unseenError } from "./categories";

/** Parameters of {@link OrdinalEncoder}. */
export interface OrdinalEncoderParams {
  /** Columns to encode (default: every string/boolean column at fit time, minus `exclude`). */
  columns?: string[];
  exclude?: string[];
  /** A category not seen in training: "error" (default) or "use_encoded_value" (encodes it as `unknownValue`). */
  handleUnknown?: "error" | "use_encoded_value";
  /** Code for unseen categories with "use_encoded_value" (default -1). */
  unknownValue?: number;
}

/**
 * Replaces each category by its index in the sorted training categories (0, 1, …); missing stays missing.
 * fit() throws naming a column with no value in the training data.
 */
export class OrdinalEncoder extends CategoryEncoder<OrdinalEncoderParams> {
  readonly kind: string = "OrdinalEncoder";

  constructor(params: OrdinalEncoderParams = {}) {
    super(params);
  }
  describe(): string {
    return `ordinal encode (sorted categories)${this.params.columns ? ` ${this.params.columns.join(", ")}` : ""}`;
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, Object.keys(this.categories!));
    const replace: Record<string, unknown> = {};
    for (const [name, cats] of Object.entries(this.categories!)) {
      const { index, unseen } = categoryIndices(table, name, cats);
      if (unseen.length > 0 && (this.params.handleUnknown ?? "error") === "error") {
        throw unseenError(
          this.kind,
          name,
          unseen,
          cats,
          `Use handleUnknown: "use_encoded_value" to give unseen values the code unknownValue (default -1).`,
        );
      }
      const unknown = this.params.unknownValue ?? -1;
      const out = new Float64Array(index.length);
      let valid: Uint8Array | null = null;
      for (let i = 0; i < index.length; i++) {
        const k = index[i];
        if (k >= 0) out[i] = k;
        else if (k === -2) out[i] = unknown;
        else {
          out[i] = NaN;
          if (valid === null) valid = new Uint8Array(index.length).fill(1);
          valid[i] = 0;
        }
      }
      replace[name] = new NumericColumn(out, valid);
    }
    return withColumns(table, replace);
  }
  protected override describeFit(): Record<string, ParamJson> {
    return { encoded: Object.keys(this.categories!), method: "ordinal" };
  }
}

/** Parameters of {@link LabelEncoder}. */
export interface LabelEncoderParams {
  /** The label column to encode. */
  column: string;
}

/**
 * Encodes one label column as integers 0..k-1 by sorted class (so codes do not depend on row order).
 * Unseen labels are an error naming them, and so is fitting on a column without any label. `classes` and `inverse()` map codes back.
 */
export class LabelEncoder extends OrdinalEncoder {
  override readonly kind: string = "LabelEncoder";
  readonly column: string;

  constructor(params: LabelEncoderParams) {
    if (!params || typeof params.column !== "string")
      throw new Error(`LabelEncoder: give the label column, e.g. new LabelEncoder({ column: "species" }).`);
    super({ columns: [params.column], handleUnknown: "error" });
    this.column = params.column;
  }
  override describe(): string {
    return `label encode ${this.column} (sorted classes)`;
  }
  override paramsJSON(): ParamJson {
    return { column: this.column };
  }
  /** The classes in code order. */
  get classes(): readonly Category[] {
    return this.categoriesByColumn[this.column];
  }
  /** Maps codes back to class labels. @throws Error for a code outside 0..k-1. */
  inverse(codes: ArrayLike<number>): Category[] {
    const classes = this.classes;
    return Array.from(codes, (c) => {
      if (!Number.isInteger(c) || c < 0 || c >= classes.length)
        throw new Error(`LabelEncoder: code ${c} is not in 0..${classes.length - 1}.`);
      return classes[c];
    });
  }
  protected override describeFit(): Record<string, ParamJson> {
    return { encoded: [this.column], method: "label", classes: this.classes as ParamJson };
  }
}

registerBuiltInTransform("OrdinalEncoder", OrdinalEncoder, (p) => new OrdinalEncoder(p as OrdinalEncoderParams));
registerBuiltInTransform("LabelEncoder", LabelEncoder, (p) => new LabelEncoder(p as unknown as LabelEncoderParams));
