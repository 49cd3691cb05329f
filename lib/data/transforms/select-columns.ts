/** SelectColumns: keeps or drops named columns. */
import type { ColumnTable } from "arquero";
import { columnKind, makeTable } from "../columns";
import { ParamJson, registerBuiltInTransform, requireColumns, Transform } from "./transform";

/** Parameters of {@link SelectColumns}. */
export interface SelectColumnsParams {
  /** Keep exactly these columns, in this order. */
  columns?: string[];
  /** Drop these columns. */
  exclude?: string[];
  /** Keep only columns of this type (decided at fit time). */
  dtype?: "number" | "string";
}

/** Keeps or drops columns; the selection is fixed at fit time and every split gets the same columns in the same order. */
export class SelectColumns extends Transform {
  readonly kind = "SelectColumns";
  readonly params: SelectColumnsParams;
  private selected: string[] | null = null;

  constructor(params: SelectColumnsParams = {}) {
    super();
    this.params = JSON.parse(JSON.stringify(params)) as SelectColumnsParams;
  }
  describe(): string {
    if (this.params.columns) return `select ${this.params.columns.join(", ")}`;
    return `select${this.params.dtype ? ` ${this.params.dtype} columns` : " columns"}${this.params.exclude ? ` except ${this.params.exclude.join(", ")}` : ""}`;
  }
  paramsJSON(): ParamJson {
    return this.params as ParamJson;
  }
  stateJSON(): ParamJson | null {
    return this.selected ? { selected: this.selected } : null;
  }
  loadState(state: ParamJson): void {
    this.selected = (state as { selected: string[] }).selected;
  }
  /** The selected column names, once fitted. */
  get columns(): readonly string[] {
    if (!this.selected) throw new Error("SelectColumns: not fitted yet.");
    return this.selected;
  }
  protected learn(table: ColumnTable): void {
    let names = this.params.columns ?? table.columnNames();
    requireColumns(this.kind, table, names);
    if (this.params.exclude) {
      requireColumns(this.kind, table, this.params.exclude);
      names = names.filter((n) => !this.params.exclude!.includes(n));
    }
    if (this.params.dtype === "number") names = names.filter((n) => columnKind(table, n) === "number");
    if (this.params.dtype === "string") names = names.filter((n) => columnKind(table, n) === "string");
    this.selected = names;
  }
  protected apply(table: ColumnTable): ColumnTable {
    requireColumns(this.kind, table, this.selected!);
    const data: Record<string, unknown> = {};
    for (const n of this.selected!) data[n] = table.column(n);
    return makeTable(data, this.selected!);
  }
  protected override describeFit(input: ColumnTable): Record<string, ParamJson> {
    return { dropped: input.columnNames().filter((n) => !this.selected!.includes(n)) };
  }
}

registerBuiltInTransform("SelectColumns", SelectColumns, (p) => new SelectColumns(p as SelectColumnsParams));
