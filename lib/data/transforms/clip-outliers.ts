/** ClipOutliers: clips numeric columns to bounds learned on the training split. */
import type { ColumnTable } from "arquero";
import { NumericColumn, numericColumn, withColumns } from "../columns";
import { presentValues, quantileInPlace } from "../stats";
import { numericColumnsOf, ParamJson, registerBuiltInTransform, requireColumns, Transform } from "./transform";

/** Parameters of {@link ClipOutliers}. */
export interface ClipOutliersParams {
  /** Columns to clip (default: every numeric column at fit time, minus `exclude`). */
  columns?: string[];
  exclude?: string[];
  /** IQR multiplier: bounds are [Q1 - factor·IQR, Q3 + factor·IQR] from the training split (default 1.5). */
  factor?: number;
}

/** Clips values to the training split's IQR fences (Tukey's rule); missing stays missing. */
export class ClipOutliers extends Transform {
  readonly kind = "ClipOutliers";
  readonly params: ClipOutliersParams;
  private bounds: Record<string, { lower: number; upper: number }> | null = null;

  constructor(params: ClipOutliersParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as ClipOutliersParams;
  }
  /** The learned [lower, upper] per column. */
  get fences(): Readonly<Record<string, { lower: number; upper: number }>> {
    if (!this.bounds) throw new Error("ClipOutliers: not fitted yet.");
    return this.bounds;
  }
  describe(): string {
    return `clip outliers to Q1−${this.params.factor ?? 1.5}·IQR … Q3+${this.params.factor ?? 1.5}·IQR`;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.bounds ? (this.bounds as unknown as ParamJson) : null;
  }
  loadState(state: ParamJson): void {
    this.bounds = state as unknown as Record<string, { lower: number; upper: number }>;
  }
  protected learn(table: ColumnTable): void {
    const names =
      this.params.columns ?? numericColumnsOf(table).filter((n) => !(this.params.exclude ?? []).includes(n));
    requireColumns(this.kind, table, names);
    const k = this.params.factor ?? 1.5;
    const bounds: Record<string, { lower: number; upper: number }> = {};
    for (const name of names) {
      const a = presentValues(numericColumn(table, name).values);
      if (a.length === 0)
        throw new Error(
          `ClipOutliers: column "${name}" has no values in the training data, so it has no quartiles to clip to. Impute or drop it first.`,
        );
      const q1 = quantileInPlace(a, 0.25);
      const q3 = quantileInPlace(a, 0.75);
      bounds[name] = { lower: q1 - k * (q3 - q1), upper: q3 + k * (q3 - q1) };
    }
    this.bounds = bounds;
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, Object.keys(this.bounds!));
    const replace: Record<string, unknown> = {};
    for (const [name, { lower, upper }] of Object.entries(this.bounds!)) {
      const col = numericColumn(table, name);
      const out = new Float64Array(col.values.length);
      for (let i = 0; i < out.length; i++) {
        const v = col.values[i];
        out[i] = v < lower ? lower : v > upper ? upper : v;
      }
      replace[name] = new NumericColumn(out, col.valid);
    }
    return withColumns(table, replace);
  }
  protected override describeFit(input: ColumnTable): Record<string, ParamJson> {
    const clipped: Record<string, number> = {};
    for (const [name, { lower, upper }] of Object.entries(this.bounds!)) {
      const v = numericColumn(input, name).values;
      let c = 0;
      for (let i = 0; i < v.length; i++) if (v[i] < lower || v[i] > upper) c++;
      clipped[name] = c;
    }
    return { clipped };
  }
}

registerBuiltInTransform("ClipOutliers", ClipOutliers, (p) => new ClipOutliers(p as ClipOutliersParams));
