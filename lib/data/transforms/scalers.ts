/** The affine scalers: MinMaxScaler, StandardScaler and RobustScaler (x' = (x - shift) / scale, learned per column). */
import type { ColumnTable } from "arquero";
import { columnKind, NumericColumn, numericColumn, withColumns } from "../columns";
import { meanStd, minMax, presentValues, quantileInPlace } from "../stats";
import { numericColumnsOf, ParamJson, registerBuiltInTransform, requireColumns, Transform } from "./transform";

/** Parameters shared by the scalers. */
export interface ScalerParams {
  /** Columns to scale (default: every numeric column at fit time, minus `exclude`). */
  columns?: string[];
  /** Columns to leave alone when `columns` is not given (e.g. the target). */
  exclude?: string[];
}

abstract class AffineScaler extends Transform {
  readonly params: ScalerParams;
  /** Per column: x' = (x - shift) / scale. */
  protected state: Record<string, { shift: number; scale: number }> | null = null;

  constructor(params: ScalerParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as ScalerParams;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.state ? (this.state as unknown as ParamJson) : null;
  }
  loadState(state: ParamJson): void {
    this.state = state as unknown as Record<string, { shift: number; scale: number }>;
  }
  protected columnsFor(table: ColumnTable): string[] {
    const names =
      this.params.columns ?? numericColumnsOf(table).filter((n) => !(this.params.exclude ?? []).includes(n));
    requireColumns(this.kind, table, names);
    for (const n of names) {
      const k = columnKind(table, n);
      if (k !== "number" && k !== "empty")
        throw new Error(
          `${this.kind}: column "${n}" is not numeric (${k}). Encode it first or leave it out of "columns".`,
        );
    }
    return names;
  }
  /** shift and scale for one column's training values; a zero scale becomes 1 (constant columns map to 0). */
  protected abstract statistics(values: Float64Array, name: string): { shift: number; scale: number };

  protected learn(table: ColumnTable): void {
    const state: Record<string, { shift: number; scale: number }> = {};
    for (const name of this.columnsFor(table)) {
      const s = this.statistics(numericColumn(table, name).values, name);
      if (!Number.isFinite(s.shift))
        throw new Error(
          `${this.kind}: column "${name}" has no values in the training data, so it cannot be scaled. Impute or drop it first.`,
        );
      state[name] = { shift: s.shift, scale: s.scale === 0 || !Number.isFinite(s.scale) ? 1 : s.scale };
    }
    this.state = state;
  }
  protected apply(table: ColumnTable): ColumnTable {
    const replace: Record<string, unknown> = {};
    requireColumns(this.kind, table, Object.keys(this.state!));
    for (const [name, { shift, scale }] of Object.entries(this.state!)) {
      const col = numericColumn(table, name);
      const src = col.values;
      const out = new Float64Array(src.length);
      const inv = 1 / scale;
      for (let i = 0; i < src.length; i++) out[i] = (src[i] - shift) * inv;
      replace[name] = new NumericColumn(out, col.valid);
    }
    return withColumns(table, replace);
  }
  /** The learned (shift, scale) per column. */
  get scaling(): Readonly<Record<string, { shift: number; scale: number }>> {
    if (!this.state) throw new Error(`${this.kind}: not fitted yet.`);
    return this.state;
  }
  protected override describeFit(): Record<string, ParamJson> {
    return { scaled: Object.keys(this.state!) };
  }
}

/** Scales each column to [0, 1] using the training min and max (constant columns become 0; missing stays missing). */
export class MinMaxScaler extends AffineScaler {
  readonly kind = "MinMaxScaler";
  describe(): string {
    return `min-max scale to [0, 1]${this.params.columns ? ` (${this.params.columns.join(", ")})` : ""}`;
  }
  protected statistics(values: Float64Array): { shift: number; scale: number } {
    const { min, max } = minMax(values);
    return { shift: min, scale: max - min };
  }
}

/** Standardizes each column to zero mean and unit variance (population std, as scikit-learn); constant columns become 0. */
export class StandardScaler extends AffineScaler {
  readonly kind = "StandardScaler";
  describe(): string {
    return `standardize (z-score)${this.params.columns ? ` (${this.params.columns.join(", ")})` : ""}`;
  }
  protected statistics(values: Float64Array): { shift: number; scale: number } {
    const { mean, std } = meanStd(values);
    return { shift: mean, scale: std };
  }
}

/** Centers on the training median and divides by the interquartile range (robust to outliers); IQR 0 becomes 1. */
export class RobustScaler extends AffineScaler {
  readonly kind = "RobustScaler";
  describe(): string {
    return `robust scale (median, IQR)${this.params.columns ? ` (${this.params.columns.join(", ")})` : ""}`;
  }
  protected statistics(values: Float64Array): { shift: number; scale: number } {
    const a = presentValues(values);
    const q1 = quantileInPlace(a, 0.25);
    const med = quantileInPlace(a, 0.5);
    const q3 = quantileInPlace(a, 0.75);
    return { shift: med, scale: q3 - q1 };
  }
}

registerBuiltInTransform("MinMaxScaler", MinMaxScaler, (p) => new MinMaxScaler(p as ScalerParams));
registerBuiltInTransform("StandardScaler", StandardScaler, (p) => new StandardScaler(p as ScalerParams));
registerBuiltInTransform("RobustScaler", RobustScaler, (p) => new RobustScaler(p as ScalerParams));
