/**
 * The step-2 checklist: its items and statuses ({@link Checklist}, rendered as a table) and {@link buildChecklist},
 * which derives each item from what a fitted pipeline's steps did on the training data and what is recorded about
 * the data (loader, split, diversity check, label issues). Pipeline.checklist() is its public entry.
 */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import {
  ClipOutliers,
  DropDuplicates,
  LabelEncoder,
  MinMaxScaler,
  OneHotEncoder,
  OrdinalEncoder,
  RobustScaler,
  StandardScaler,
  StepFacts,
  Transform,
} from "./transforms";
import type { FitSummary } from "./pipeline";

/** Status of one checklist item. */
export type ChecklistStatus = "done" | "partial" | "todo" | "n/a";

/** One item of the step-2 checklist. */
export interface ChecklistItem {
  item: string;
  status: ChecklistStatus;
  /** What the status is based on. */
  evidence: string;
}

/** Label-quality facts the checklist can use (e.g. the result of labelIssues()). */
export interface LabelCheckFacts {
  checked: number;
  flagged: number;
}

/** The step-2 checklist, derived from a fitted pipeline and its data. Renders as a table. */
export class Checklist {
  constructor(readonly items: ChecklistItem[]) {}

  /** True when every item is done (or not applicable). */
  get complete(): boolean {
    return this.items.every((i) => i.status === "done" || i.status === "n/a");
  }

  toString(): string {
    const mark = { done: "[x]", partial: "[~]", todo: "[ ]", "n/a": "[-]" } as const;
    return this.items.map((i) => `${mark[i.status]} ${i.item}: ${i.evidence}`).join("\n");
  }

  toJSON(): ChecklistItem[] {
    return this.items;
  }

  [DISPLAY](): MimeBundle {
    // Symbols every text font has (emoji are boxes where no emoji font is installed).
    const icon = {
      done: `<span style="color:#1a7f37">✓</span>`,
      partial: `<span style="color:#9a6700">◐</span>`,
      todo: "☐",
      "n/a": "–",
    } as const;
    const rows = this.items
      .map(
        (i) =>
          `<tr><td>${icon[i.status]}</td><td><b>${escapeHtml(i.item)}</b></td><td>${escapeHtml(i.status)}</td><td>${escapeHtml(i.evidence)}</td></tr>`,
      )
      .join("");
    return {
      "text/plain": this.toString(),
      "text/html": `<table class="trainlab-checklist"><thead><tr><th></th><th>Step 2 checklist</th><th>status</th><th>evidence</th></tr></thead><tbody>${rows}</tbody></table>`,
    };
  }
}

const sumOf = (r: Record<string, number> | undefined): number => Object.values(r ?? {}).reduce((a, b) => a + b, 0);
const perColumn = (r: Record<string, number>): string =>
  Object.entries(r)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

/**
 * What the fitted steps did with the training table's missing values, counted from the tables each step saw and
 * produced (never from the parameters): values Impute filled, values OneHotEncoder turned into all-zero rows, and
 * values other steps dropped (with rows or columns) or introduced.
 */
function missingHandling(steps: readonly Transform[], s: FitSummary): string[] {
  const parts: string[] = [];
  let accounted = 0;
  let perStep = true;
  s.steps.forEach((facts, i) => {
    if (!facts) return;
    const kind = steps[i]?.kind ?? "step";
    const filled = (facts.details.imputed ?? {}) as Record<string, number>;
    const zeros = (facts.details.missingAsZeros ?? {}) as Record<string, number>;
    const nFilled = sumOf(filled);
    const nZeros = sumOf(zeros);
    if (nFilled > 0) parts.push(`${nFilled} missing value(s) filled by ${kind} (${perColumn(filled)})`);
    if (nZeros > 0)
      parts.push(`${nZeros} missing value(s) encoded as all-zero rows by ${kind}, not filled (${perColumn(zeros)})`);
    if (!facts.missingIn || !facts.missingOut) {
      perStep = false;
      accounted += nFilled + nZeros;
      return;
    }
    const other = sumOf(facts.missingIn) - sumOf(facts.missingOut) - nFilled - nZeros;
    if (other > 0) parts.push(`${other} missing value(s) dropped with rows or columns by ${kind}`);
    if (other < 0) parts.push(`${-other} missing value(s) introduced by ${kind}`);
  });
  if (!perStep) {
    // A summary saved before steps recorded their missing counts: attribute the rest to the pipeline as a whole.
    const other = sumOf(s.missingIn) - sumOf(s.missingOut) - accounted;
    if (other > 0) parts.push(`${other} missing value(s) dropped with rows or columns`);
  }
  return parts;
}

/**
 * Derives the step-2 checklist from a fitted pipeline's steps, target and fit summary (see Pipeline.checklist).
 */
export function buildChecklist(
  steps: readonly Transform[],
  target: string | undefined,
  s: FitSummary,
  options: { labels?: LabelCheckFacts; diversity?: { by: string[]; warnings: string[] } },
): Checklist {
  const items: ChecklistItem[] = [];
  const stepsOf = <T extends Transform>(
    cls: abstract new (...a: never[]) => T,
  ): { step: T; facts: StepFacts | null }[] =>
    steps
      .map((step, i) => ({ step, facts: s.steps[i] }))
      .filter((x): x is { step: T; facts: StepFacts | null } => x.step instanceof cls);

  // 1. source
  items.push(
    s.source
      ? {
          item: "source relevant data",
          status: "done",
          evidence: `loaded from ${s.source}${s.skippedLines ? ` (${s.skippedLines} bad line(s) skipped)` : ""}; training data: ${s.rowsIn} rows × ${s.columnsIn.length} columns`,
        }
      : {
          item: "source relevant data",
          status: "partial",
          evidence: `${s.rowsIn} rows × ${s.columnsIn.length} columns given in memory; source not recorded (load with loadCSV/loadTable to record it)`,
        },
  );

  // 2. clean
  const dedupe = stepsOf(DropDuplicates);
  const removed = dedupe.reduce((a, d) => a + Number(d.facts?.details.duplicatesRemoved ?? 0), 0);
  const missingInTotal = Object.values(s.missingIn).reduce((a, b) => a + b, 0);
  const missingLeft = Object.entries(s.missingOut).filter(([, v]) => v > 0);
  const before = s.dedupe;
  const dupOk = dedupe.length > 0 || s.duplicatesIn === 0;
  const missOk = missingLeft.length === 0;
  const dupEvidence = [
    ...(before
      ? [
          `dropDuplicates removed ${before.removed} duplicate row(s) of ${before.rowsIn} from the whole table${s.split ? " before the split" : ""}${before.subset ? ` (by ${before.subset.join(", ")})` : ""}`,
        ]
      : []),
    ...(dedupe.length > 0
      ? [
          `DropDuplicates removed ${removed} duplicate training row(s) (it drops rows at transform time: take labels from the transformed table)`,
        ]
      : []),
  ];
  if (before && s.duplicatesIn > 0 && dedupe.length === 0)
    dupEvidence.push(`${s.duplicatesIn} duplicate training row(s) remain`);
  const missingEvidence = missingInTotal === 0 ? ["no missing values found"] : missingHandling(steps, s);
  if (!missOk)
    missingEvidence.push(`missing values remain in ${missingLeft.map(([k, v]) => `${k} (${v})`).join(", ")}`);
  const cleanEvidence = [
    dupEvidence.length
      ? dupEvidence.join("; ")
      : s.duplicatesIn === 0
        ? "no duplicate rows found"
        : `${s.duplicatesIn} duplicate row(s) not removed`,
    ...missingEvidence,
  ].join("; ");
  items.push({
    item: "clean (duplicates, missing values)",
    status: dupOk && missOk ? "done" : dupOk || missOk ? "partial" : "todo",
    evidence: cleanEvidence,
  });

  // 3. normalize
  const scaled = new Set<string>();
  for (const cls of [MinMaxScaler, StandardScaler, RobustScaler] as const) {
    for (const { facts } of stepsOf(cls as unknown as abstract new (...a: never[]) => Transform)) {
      for (const c of (facts?.details.scaled as string[] | undefined) ?? []) scaled.add(c);
    }
  }
  const encodedOut = new Set<string>();
  const labelCols = new Set<string>(target ? [target] : []);
  for (const { step } of stepsOf(LabelEncoder)) labelCols.add((step as LabelEncoder).column);
  for (const { step, facts } of stepsOf(OneHotEncoder)) {
    const before = new Set(facts?.columnsIn ?? []);
    for (const c of facts?.columnsOut ?? []) if (!before.has(c)) encodedOut.add(c);
    void step;
  }
  for (const { step } of stepsOf(OrdinalEncoder)) {
    if (step instanceof LabelEncoder) continue;
    for (const c of Object.keys((step as OrdinalEncoder).categoriesByColumn)) encodedOut.add(c);
  }
  const numericFeatures = s.numericOut.filter((c) => !labelCols.has(c) && !encodedOut.has(c));
  const unscaled = numericFeatures.filter((c) => !scaled.has(c));
  items.push(
    numericFeatures.length === 0
      ? { item: "normalize numeric features", status: "n/a", evidence: "no numeric feature columns" }
      : {
          item: "normalize numeric features",
          status: unscaled.length === 0 ? "done" : scaled.size > 0 ? "partial" : "todo",
          evidence:
            unscaled.length === 0
              ? `scaled ${numericFeatures.join(", ")}`
              : `not scaled: ${unscaled.join(", ")}${scaled.size ? `; scaled: ${[...scaled].join(", ")}` : ""}`,
        },
  );

  // 4. encode
  const encodedCols = steps.flatMap((st, i) =>
    ((s.steps[i]?.details.encoded as string[] | undefined) ?? []).map((c) => `${c} (${st.kind})`),
  );
  const hadCategorical = encodedCols.length > 0 || s.categoricalOut.length > 0;
  items.push(
    !hadCategorical
      ? { item: "encode categorical variables", status: "n/a", evidence: "no categorical columns" }
      : s.categoricalOut.length === 0
        ? { item: "encode categorical variables", status: "done", evidence: `encoded ${encodedCols.join(", ")}` }
        : {
            item: "encode categorical variables",
            status: encodedCols.length ? "partial" : "todo",
            evidence: `still categorical: ${s.categoricalOut.join(", ")}`,
          },
  );

  // 5. diversity
  const div = options.diversity ?? s.diversity;
  items.push(
    div
      ? {
          item: "ensure diversity",
          status: div.warnings.length === 0 ? "done" : "partial",
          evidence: `diversity checked by ${div.by.join(", ")}${div.warnings.length ? `: ${div.warnings.length} warning(s), e.g. ${div.warnings[0]}` : ": no warnings"}`,
        }
      : {
          item: "ensure diversity",
          status: "todo",
          evidence: "no diversity(table, by) check recorded for this data",
        },
  );

  // 6. label
  const labelColumn = target ?? [...labelCols][0];
  if (options.labels) {
    items.push({
      item: "annotate or label",
      status: "done",
      evidence: `labels checked on ${options.labels.checked} rows; ${options.labels.flagged} flagged as possible label errors`,
    });
  } else if (labelColumn && s.columnsIn.includes(labelColumn)) {
    const missingLabels = s.missingIn[labelColumn] ?? 0;
    items.push({
      item: "annotate or label",
      status: "partial",
      evidence: `label column "${labelColumn}" present${missingLabels ? ` (${missingLabels} unlabeled rows)` : ""}; run labelIssues() with out-of-fold predictions to check label quality`,
    });
  } else
    items.push({
      item: "annotate or label",
      status: "todo",
      evidence: "no label column given (Pipeline option target, or a LabelEncoder step)",
    });

  // 7. split
  items.push(
    s.split && s.split.part === "train"
      ? {
          item: "split into train, validation and test",
          status: "done",
          evidence: `${s.split.strategy} split (seed ${s.split.seed}): ${Object.entries(s.split.parts)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}; pipeline fitted on train only`,
        }
      : s.split
        ? {
            item: "split into train, validation and test",
            status: "partial",
            evidence: `pipeline was fitted on the "${s.split.part}" part, not on train`,
          }
        : {
            item: "split into train, validation and test",
            status: "todo",
            evidence:
              "pipeline was fitted on an unsplit table: split first (trainValTestSplit) so statistics come from train only",
          },
  );
  void ClipOutliers;
  return new Checklist(items);
}
