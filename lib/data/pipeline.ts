/**
 * A Pipeline chains transforms: fit() fits each step on the output of the previous one, on the training split only;
 * transform() applies the fitted chain to any split. It serializes to JSON and back with identical output, renders as
 * a diagram of its steps, and derives the step-2 checklist from what it and the data actually did.
 */
import type { ColumnTable } from "arquero";
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { asTable, columnKind, materialize, missingCount } from "./columns";
import type { FeatureInput } from "./matrix";
import { DedupeInfo, provenance } from "./provenance";
import { StepFacts, Transform, TransformJSON, countDuplicates, transformFromJSON } from "./transforms";
import { Checklist, LabelCheckFacts, buildChecklist } from "./checklist";

export { Checklist, ChecklistItem, ChecklistStatus, LabelCheckFacts } from "./checklist";

/** The serialized form of a {@link Pipeline}. */
export interface PipelineJSON {
  kind: "Pipeline";
  version: 1;
  target?: string;
  steps: TransformJSON[];
  /** What fit() saw (for the checklist after a round trip). */
  fitSummary?: FitSummary | null;
}

/** Facts about the training data gathered by Pipeline.fit(). */
export interface FitSummary {
  rowsIn: number;
  columnsIn: string[];
  duplicatesIn: number;
  missingIn: Record<string, number>;
  rowsOut: number;
  columnsOut: string[];
  missingOut: Record<string, number>;
  categoricalOut: string[];
  numericOut: string[];
  source?: string;
  skippedLines?: number;
  split?: { part: string; strategy: string; parts: Record<string, number>; seed: number };
  diversity?: { by: string[]; warnings: string[] };
  /** The deduplication of the whole table before the split (dropDuplicates), when one was recorded. */
  dedupe?: DedupeInfo;
  steps: (StepFacts | null)[];
}

/** Options of a {@link Pipeline}. */
export interface PipelineOptions {
  /** The label column (kept out of the "normalize" check; its classes are checked by the "label" item). */
  target?: string;
}

/** A chain of transforms fitted on the training split only. */
export class Pipeline {
  readonly steps: Transform[];
  readonly target: string | undefined;
  private summary: FitSummary | null = null;

  constructor(steps: Transform[], options: PipelineOptions = {}) {
    steps.forEach((s, i) => {
      if (!(s instanceof Transform))
        throw new Error(`Pipeline step ${i} is not a transform (it has no fit/transform).`);
    });
    this.steps = steps;
    this.target = options.target;
  }

  /** True once fit() ran (or a fitted pipeline was loaded from JSON). */
  get fitted(): boolean {
    return this.steps.every((s) => s.fitted);
  }

  /**
   * True when transform() returns one output row per input row, in order: no step drops rows. A pipeline that runs
   * on new, unlabelled data (whose predictions are matched back to the input rows or to labels kept elsewhere) must be.
   */
  get preservesRows(): boolean {
    return this.steps.every((s) => s.preservesRows);
  }

  /** Fits every step in order on the training table. Returns this. @throws as {@link fitTransform}. */
  fit(train: ColumnTable | FeatureInput, y?: unknown): this {
    this.fitTransform(train, y);
    return this;
  }

  /** An unfitted copy with the same steps and parameters (cross-validation refits one per fold). */
  clone(): Pipeline {
    return new Pipeline(
      this.steps.map((s) => s.clone()),
      { target: this.target },
    );
  }

  /**
   * Fits on the training table and returns it transformed. A Matrix or nested arrays are read as columns x0, x1, ....
   * @throws Error when `target` is not a column of the table and no labels `y` are given beside it (a misspelt
   *   target would otherwise be ignored), or a step's error.
   */
  fitTransform(trainInput: ColumnTable | FeatureInput, y?: unknown): ColumnTable {
    const train = asTable(trainInput);
    const input = materialize(train);
    if (this.target !== undefined && y === undefined && !input.columnNames().includes(this.target)) {
      throw new Error(
        `Pipeline: the target ${JSON.stringify(this.target)} is not a column of the training table (columns: ${input.columnNames().join(", ") || "none"}). ` +
          `Fix the name in new Pipeline(steps, { target }), or pass the labels beside a features-only table as fit(X, y).`,
      );
    }
    const missingIn: Record<string, number> = {};
    for (const n of input.columnNames()) missingIn[n] = missingCount(input, n);
    let t = input;
    for (const step of this.steps) t = step.fitTransform(t);
    const prov = provenance(train);
    const missingOut: Record<string, number> = {};
    for (const n of t.columnNames()) missingOut[n] = missingCount(t, n);
    this.summary = {
      rowsIn: input.numRows(),
      columnsIn: input.columnNames(),
      duplicatesIn: countDuplicates(input),
      missingIn,
      rowsOut: t.numRows(),
      columnsOut: t.columnNames(),
      missingOut,
      categoricalOut: t.columnNames().filter((n) => ["string", "boolean", "other", "date"].includes(columnKind(t, n))),
      numericOut: t.columnNames().filter((n) => columnKind(t, n) === "number"),
      source: prov.load?.source,
      skippedLines: prov.load?.skippedLines,
      split: prov.split,
      diversity: prov.diversity,
      dedupe: prov.dedupe,
      steps: this.steps.map((s) => s.facts),
    };
    return t;
  }

  /**
   * Applies the fitted steps in order.
   * @throws Error when the pipeline is not fitted, or a step's error (e.g. an unseen category), prefixed with the step.
   */
  transform(input: ColumnTable | FeatureInput): ColumnTable {
    if (!this.fitted) throw new Error("Pipeline: call fit(trainTable) before transform().");
    let t = asTable(input);
    this.steps.forEach((step, i) => {
      try {
        t = step.transform(t);
      } catch (e) {
        throw new Error(`Pipeline step ${i + 1} (${step.kind}): ${(e as Error).message}`, { cause: e });
      }
    });
    return t;
  }

  /** The serialized pipeline (parameters and fitted state of every step). */
  toJSON(): PipelineJSON {
    return {
      kind: "Pipeline",
      version: 1,
      target: this.target,
      steps: this.steps.map((s) => s.toJSON()),
      fitSummary: this.summary,
    };
  }

  /** The pipeline as a JSON string. */
  serialize(): string {
    return JSON.stringify(this.toJSON());
  }

  /**
   * Rebuilds a pipeline (fitted state included) from toJSON() output or its string.
   * @throws Error when the JSON is not a trainlab pipeline.
   */
  static fromJSON(json: PipelineJSON | string): Pipeline {
    const obj = (typeof json === "string" ? JSON.parse(json) : json) as PipelineJSON;
    if (!obj || obj.kind !== "Pipeline" || !Array.isArray(obj.steps))
      throw new Error(`Not a serialized trainlab Pipeline (expected { kind: "Pipeline", steps: [...] }).`);
    const p = new Pipeline(obj.steps.map(transformFromJSON), { target: obj.target });
    p.summary = obj.fitSummary ?? null;
    p.steps.forEach((s, i) => (s.facts = obj.fitSummary?.steps[i] ?? null));
    return p;
  }

  /**
   * The step-2 checklist with each item's status derived from what this pipeline did on the training data and what
   * is recorded about the data (loader, split, diversity check). Pass `labels` (e.g. from labelIssues) to cover labeling.
   * @throws Error when the pipeline has not been fitted.
   */
  checklist(options: { labels?: LabelCheckFacts; diversity?: { by: string[]; warnings: string[] } } = {}): Checklist {
    const s = this.summary;
    if (!s)
      throw new Error("Pipeline.checklist(): fit the pipeline first; the checklist is derived from what fit() did.");
    return buildChecklist(this.steps, this.target, s, options);
  }

  toString(): string {
    return (
      `Pipeline${this.fitted ? " (fitted)" : ""}:\n` +
      this.steps.map((s, i) => `  ${i + 1}. ${s.kind}: ${s.describe()}`).join("\n")
    );
  }

  [DISPLAY](): MimeBundle {
    const boxes = this.steps
      .map((s, i) => {
        const f = this.summary?.steps[i];
        const facts = f
          ? `${f.rowsIn}→${f.rowsOut} rows, ${f.columnsIn.length}→${f.columnsOut.length} cols`
          : s.fitted
            ? "fitted"
            : "not fitted";
        return (
          `<div style="display:inline-block;vertical-align:top;border:1px solid #888;border-radius:6px;padding:6px 10px;margin:4px;min-width:120px;background:${s.fitted ? "#eef7ee" : "#f6f6f6"}">` +
          `<div style="font-weight:bold">${i + 1}. ${escapeHtml(s.kind)}</div><div style="font-size:90%">${escapeHtml(s.describe())}</div>` +
          `<div style="font-size:80%;color:#555">${escapeHtml(facts)}</div></div>`
        );
      })
      .join(`<span style="display:inline-block;vertical-align:top;margin-top:18px">→</span>`);
    const rows = this.steps
      .map(
        (s, i) =>
          `<tr><td>${i + 1}</td><td>${escapeHtml(s.kind)}</td><td><code>${escapeHtml(JSON.stringify(s.paramsJSON()))}</code></td><td>${s.fitted ? "yes" : "no"}</td></tr>`,
      )
      .join("");
    return {
      "text/plain": this.toString(),
      "text/html":
        `<div class="trainlab-pipeline"><div><b>Pipeline</b>${this.target ? ` (target: ${escapeHtml(this.target)})` : ""}</div><div>${boxes}</div>` +
        `<table><thead><tr><th>#</th><th>step</th><th>params</th><th>fitted</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    };
  }
}
