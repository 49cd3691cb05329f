/**
 * Specification of the facts each data step reports: the missing values before and after it, counted from what it
 * did.
 */
import { strict as assert } from "assert";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import {
  Impute,
  LabelEncoder,
  MinMaxScaler,
  OneHotEncoder,
  ParamJson,
  Transform,
  fromCSVText,
  makeTable,
  missingCount,
  NumericColumn,
  DictColumn,
} from "../../lib/data";

/** Missing values per column counted from the values themselves (null, undefined, NaN), independently of lib/data. */
function countedByHand(t: ColumnTable): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of t.columnNames()) {
    const m = (t.array(name) as unknown[]).filter(
      (v) => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)),
    ).length;
    if (m > 0) out[name] = m;
  }
  return out;
}

/** A user-defined step that writes NaN into its input's column "x" in place (the built-in steps never do this). */
class BlankFirstInPlace extends Transform {
  readonly kind = "BlankFirstInPlace";
  private done = false;
  describe(): string {
    return "blank the first value of x in place";
  }
  paramsJSON(): ParamJson {
    return {};
  }
  stateJSON(): ParamJson | null {
    return this.done ? {} : null;
  }
  loadState(): void {
    this.done = true;
  }
  protected learn(): void {
    this.done = true;
  }
  protected apply(table: ColumnTable): ColumnTable {
    (table.column("x") as unknown as NumericColumn).values[0] = NaN;
    return table;
  }
}

describe("lib/data step facts: missing values before and after each step", () => {
  const csv = "x,y,s,t\n1,,a,0\n,2,,1\n3,5,b,0\n4,,a,1\n,7,c,0\n";

  it("match a count made from the values, for every step of a chain that fills, scales and encodes", () => {
    let t = fromCSVText(csv);
    const steps: Transform[] = [
      new Impute({ strategy: "median", columns: ["x"] }),
      new MinMaxScaler({ columns: ["x", "y"] }),
      new OneHotEncoder({ columns: ["s"], handleMissing: "all_zero" }),
      new LabelEncoder({ column: "t" }),
      new Impute({ strategy: "mean", columns: ["y"] }),
    ];
    for (const step of steps) {
      const before = countedByHand(t);
      const out = step.fitTransform(t);
      assert.deepEqual(step.facts!.missingIn, before, `${step.kind}: missingIn`);
      assert.deepEqual(step.facts!.missingOut, countedByHand(out), `${step.kind}: missingOut`);
      t = out;
    }
    assert.deepEqual(countedByHand(t), {}, "every gap filled at the end");
  });

  it("count what a user-defined step returns, even when it wrote into its input's columns in place", () => {
    const t = makeTable({
      x: new NumericColumn(Float64Array.from([1, 2, 3])),
      s: new DictColumn(Int32Array.from([0, -1, 0]), ["a"]),
    });
    const step = new BlankFirstInPlace();
    const out = step.fitTransform(t);
    assert.deepEqual(step.facts!.missingIn, { s: 1 });
    assert.deepEqual(step.facts!.missingOut, { x: 1, s: 1 });
    assert.deepEqual(countedByHand(out), { x: 1, s: 1 });
  });

  it("missingCount reads NaN in float typed columns and finds none in integer ones (which cannot hold NaN)", () => {
    const t = aq.table({
      f64: Float64Array.from([1, NaN, 3]),
      f32: Float32Array.from([NaN, NaN, 1]),
      u8: Uint8Array.from([0, 1, 0]),
      i32: Int32Array.from([5, -1, 7]),
    });
    assert.equal(missingCount(t, "f64"), 1);
    assert.equal(missingCount(t, "f32"), 2);
    assert.equal(missingCount(t, "u8"), 0);
    assert.equal(missingCount(t, "i32"), 0);
  });

  it("missingCount counts NaN and nulls of a numeric column, and never counts ±Infinity as missing", () => {
    const count = (values: number[]) =>
      missingCount(makeTable({ v: NumericColumn.fromNaN(Float64Array.from(values)) }), "v");
    assert.equal(count([1, 2.5, -0, 0]), 0);
    assert.equal(count([Infinity, 1, -Infinity]), 0);
    assert.equal(count([Infinity, NaN, -Infinity, NaN]), 2);
    assert.equal(count([NaN]), 1);
    assert.equal(count([1e308, 1e308, -1e308]), 0, "large finite values (whose sum overflows) are not missing");
    assert.equal(count([]), 0);
  });
});
