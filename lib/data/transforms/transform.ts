/**
 * The Transform base class with scikit-learn's contract: `fit(train)` learns state from the training split only,
 * `transform(table)` applies that state to any split, parameters are plain data, and `toJSON()`/`transformFromJSON()`
 * round-trip the fitted state exactly. All work happens on typed columns (Float64Array + NaN for missing,
 * dictionary codes for categories), never on row objects. Also here: the registry of transform kinds, and the
 * column helpers every step shares. Each built-in step lives in its own file beside this one.
 */
import type { ColumnTable } from "arquero";
import type { FeatureInput } from "../matrix";
import { asTable, columnKind, materialize, missingCount } from "../columns";
import { inheritProvenance } from "../provenance";
import type { JsonValue } from "../../core/json";

/** Plain-JSON value (lib/core's one JSON type). */
export type ParamJson = JsonValue;

/** The serialized form of a transform: its kind, parameters and fitted state. */
export interface TransformJSON {
  kind: string;
  params: ParamJson;
  state: ParamJson | null;
}

/** What a fitted step did to the training data (used by pipeline.checklist()). */
export interface StepFacts {
  rowsIn: number;
  rowsOut: number;
  columnsIn: string[];
  columnsOut: string[];
  /** Step-specific counts, e.g. { duplicatesRemoved: 12 } or { imputed: { age: 3 } }. */
  details: Record<string, ParamJson>;
  /** Missing values per column in the step's input and output (columns with none left out), counted from the tables. */
  missingIn?: Record<string, number>;
  missingOut?: Record<string, number>;
}

/**
 * Missing values per column (columns without any left out). With `known` (the counts of another table), a column that
 * is the very same storage object in both unfiltered tables reuses its count instead of scanning it again: a step's
 * output shares every column it did not change with its input.
 */
function missingByColumn(
  table: ColumnTable,
  known?: { table: ColumnTable; counts: Record<string, number> },
): Record<string, number> {
  const out: Record<string, number> = {};
  const isView = (t: ColumnTable) => t.isFiltered() || t.isOrdered();
  const reuse = known !== undefined && !isView(table) && !isView(known.table);
  const before = reuse ? new Set(known.table.columnNames()) : null;
  for (const n of table.columnNames()) {
    const m =
      before !== null && before.has(n) && known!.table.column(n) === table.column(n)
        ? (known!.counts[n] ?? 0)
        : missingCount(table, n);
    if (m > 0) out[n] = m;
  }
  return out;
}

/** The fit/transform contract every step of a {@link Pipeline} follows. */
export abstract class Transform {
  /** The class name, used for serialization. */
  abstract readonly kind: string;
  /** What fit() did on the training data, once fitted. */
  facts: StepFacts | null = null;

  /** True once fit() has run (or the state was restored from JSON). */
  get fitted(): boolean {
    return this.stateJSON() !== null;
  }

  /**
   * Learns state from the training table only (a Matrix or nested arrays are read as numeric columns x0, x1, ...).
   * `y` is accepted for scikit-learn compatibility and ignored. Every call relearns from scratch. Returns this.
   */
  fit(table: ColumnTable | FeatureInput, _y?: unknown): this {
    this.learn(materialize(asTable(table)));
    return this;
  }

  /** An unfitted copy with the same parameters. */
  clone(): Transform {
    return transformFromJSON({ kind: this.kind, params: this.paramsJSON(), state: null });
  }

  /**
   * Applies the learned state.
   * @throws Error when called before fit(), or when a column the step needs is missing.
   */
  transform(input: ColumnTable | FeatureInput): ColumnTable {
    if (!this.fitted) throw new Error(`${this.kind}: call fit(trainTable) before transform().`);
    const table = asTable(input);
    return inheritProvenance(this.apply(materialize(table)), table);
  }

  /** fit(table) then transform(table), recording what the step did. */
  fitTransform(table: ColumnTable | FeatureInput, _y?: unknown): ColumnTable {
    const input = materialize(asTable(table));
    const missingIn = missingByColumn(input); // before the step runs, whatever it does to its input
    this.learn(input);
    const out = this.transform(input);
    // Built-in steps never write into their input's columns, so a column they pass through keeps its count.
    const missingOut = missingByColumn(
      out,
      PURE_STEPS.has(this.constructor) ? { table: input, counts: missingIn } : undefined,
    );
    this.facts = {
      rowsIn: input.numRows(),
      rowsOut: out.numRows(),
      columnsIn: input.columnNames(),
      columnsOut: out.columnNames(),
      details: this.describeFit(input, out, { missingIn, missingOut }),
      missingIn,
      missingOut,
    };
    return out;
  }

  /** True when transform() returns exactly one output row per input row, in order (every step but DropDuplicates). */
  get preservesRows(): boolean {
    return true;
  }

  /** The serialized step: kind, params and fitted state. */
  toJSON(): TransformJSON {
    return { kind: this.kind, params: this.paramsJSON(), state: this.stateJSON() };
  }

  /** One line saying what the step does (for the pipeline diagram). */
  abstract describe(): string;
  /** The parameters as plain JSON. */
  abstract paramsJSON(): ParamJson;
  /** The fitted state as plain JSON, or null before fit. */
  abstract stateJSON(): ParamJson | null;
  /** Restores state from {@link stateJSON} output. */
  abstract loadState(state: ParamJson): void;
  protected abstract learn(table: ColumnTable): void;
  protected abstract apply(table: ColumnTable): ColumnTable;
  /** What fit did, for `facts.details`; `counts` are the missing values per column of input and output (absent = 0). */
  protected describeFit(
    _input: ColumnTable,
    _output: ColumnTable,
    _counts: { missingIn: Record<string, number>; missingOut: Record<string, number> },
  ): Record<string, ParamJson> {
    return {};
  }
}

export function requireColumns(kind: string, table: ColumnTable, names: readonly string[]): void {
  const have = new Set(table.columnNames());
  for (const n of names) {
    if (!have.has(n))
      throw new Error(
        `${kind}: column "${n}" is not in the table. Columns: ${table.columnNames().join(", ") || "(none)"}.`,
      );
  }
}

export function numericColumnsOf(table: ColumnTable): string[] {
  return table.columnNames().filter((n) => columnKind(table, n) === "number");
}
export function categoricalColumnsOf(table: ColumnTable): string[] {
  return table.columnNames().filter((n) => {
    const k = columnKind(table, n);
    return k === "string" || k === "boolean";
  });
}

// ----------------------------------------------------------------------------------------- registry

type TransformFactory = (params: ParamJson) => Transform;
const REGISTRY: Record<string, TransformFactory> = {};

/** The built-in step classes: their apply() writes new arrays and never changes the input table's columns. */
const PURE_STEPS = new Set<unknown>();

/**
 * Registers a built-in step class under its kind (each built-in's file does this right after the class, so a class
 * is never loaded without its registration). Not part of the public API: custom steps use {@link registerTransform}.
 */
export function registerBuiltInTransform<T extends Transform>(
  kind: string,
  cls: abstract new (...args: never[]) => T,
  factory: (params: ParamJson) => T,
): void {
  REGISTRY[kind] = factory;
  PURE_STEPS.add(cls);
}

/**
 * Rebuilds a transform (with its fitted state) from {@link Transform.toJSON} output.
 * @throws Error for an unknown kind.
 */
export function transformFromJSON(json: TransformJSON): Transform {
  const make = REGISTRY[json.kind];
  if (!make) throw new Error(`Unknown transform kind "${json.kind}". Known: ${Object.keys(REGISTRY).join(", ")}.`);
  const t = make(json.params);
  if (json.state !== null && json.state !== undefined) t.loadState(json.state);
  return t;
}

/** Registers a custom transform kind so pipelines containing it can be deserialized. */
export function registerTransform(kind: string, factory: (params: ParamJson) => Transform): void {
  REGISTRY[kind] = factory;
}
