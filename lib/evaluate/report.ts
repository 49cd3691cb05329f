/**
 * scikit-learn's `classification_report`: precision, recall, F1 and support per class plus averages, as a table.
 */
import type { TargetInput } from "../data/matrix";
import { DISPLAY, MimeBundle } from "../display";
import { accuracy, perClassScores, precisionRecallF } from "../metrics/classification";
import { Label, readLabels, uniqueLabels } from "../metrics/labels";
import { ResultTable } from "./table";

/** One row of a classification report. */
export interface ReportRow {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The report as data, plus a rendered table. */
export class ClassificationReport {
  /** Per class, keyed by the class's display name. */
  readonly perClass: { name: string; label: Label; scores: ReportRow }[];
  /** Accuracy, when every class is included (otherwise `microAvg` is set). */
  readonly accuracy?: number;
  readonly microAvg?: ReportRow;
  readonly macroAvg: ReportRow;
  readonly weightedAvg: ReportRow;
  readonly digits: number;

  constructor(parts: Omit<ClassificationReport, "table" | "toJSON" | "toString" | typeof DISPLAY>) {
    this.perClass = parts.perClass;
    this.accuracy = parts.accuracy;
    this.microAvg = parts.microAvg;
    this.macroAvg = parts.macroAvg;
    this.weightedAvg = parts.weightedAvg;
    this.digits = parts.digits;
  }

  /** The report as a table: one row per class, then accuracy (or micro avg), macro avg and weighted avg. */
  table(): ResultTable {
    const total = this.macroAvg.support;
    const row = (name: string, r: ReportRow): Record<string, number | string> => ({
      "": name,
      precision: r.precision,
      recall: r.recall,
      "f1-score": r.f1,
      support: r.support,
    });
    const rows: Record<string, number | string | null>[] = this.perClass.map((c) => row(c.name, c.scores));
    if (this.accuracy !== undefined)
      rows.push({ "": "accuracy", precision: null, recall: null, "f1-score": this.accuracy, support: total });
    if (this.microAvg) rows.push(row("micro avg", this.microAvg));
    rows.push(row("macro avg", this.macroAvg), row("weighted avg", this.weightedAvg));
    return new ResultTable(["", "precision", "recall", "f1-score", "support"], rows, {
      title: "Classification report",
      digits: this.digits,
      formats: { precision: "float", recall: "float", "f1-score": "float", support: "int" },
    });
  }

  /** Same keys as scikit-learn's `classification_report(output_dict=True)`. */
  toJSON(): Record<string, ReportRow | number> {
    const out: Record<string, ReportRow | number> = {};
    for (const c of this.perClass) out[c.name] = c.scores;
    if (this.accuracy !== undefined) out.accuracy = this.accuracy;
    if (this.microAvg) out["micro avg"] = this.microAvg;
    out["macro avg"] = this.macroAvg;
    out["weighted avg"] = this.weightedAvg;
    return out;
  }

  toString(): string {
    return this.table().toString();
  }

  [DISPLAY](): MimeBundle {
    return this.table()[DISPLAY]();
  }
}

/**
 * Precision, recall, F1 and support per class with accuracy, macro and weighted averages (scikit-learn's
 * `classification_report`). `targetNames` renames the classes in `labels` order.
 * @throws Error on empty or mismatched inputs, or `targetNames` of the wrong length.
 */
export function classificationReport(
  yTrue: TargetInput,
  yPred: TargetInput,
  options: { labels?: readonly Label[]; targetNames?: readonly string[]; digits?: number } = {},
): ClassificationReport {
  const t = readLabels(yTrue, "y_true");
  const p = readLabels(yPred, "y_pred");
  const present = uniqueLabels(t, p);
  const labels = options.labels ? options.labels.slice() : present;
  if (options.targetNames && options.targetNames.length !== labels.length) {
    throw new Error(
      `Number of classes, ${labels.length}, does not match size of targetNames, ${options.targetNames.length}.`,
    );
  }
  const scores = perClassScores(t, p, { labels });
  const perClass = labels.map((label, i) => ({
    name: options.targetNames ? options.targetNames[i] : String(label),
    label,
    scores: {
      precision: scores.precision[i],
      recall: scores.recall[i],
      f1: scores.fscore[i],
      support: scores.support[i],
    },
  }));
  const support = scores.support.reduce((a, b) => a + b, 0);
  const avg = (average: "micro" | "macro" | "weighted"): ReportRow => {
    const r = precisionRecallF(t, p, { average, labels });
    return { precision: r.precision, recall: r.recall, f1: r.fscore, support };
  };
  const microIsAccuracy =
    !options.labels || (labels.length === present.length && present.every((l) => labels.includes(l)));
  return new ClassificationReport({
    perClass,
    accuracy: microIsAccuracy ? accuracy(t, p) : undefined,
    microAvg: microIsAccuracy ? undefined : avg("micro"),
    macroAvg: avg("macro"),
    weightedAvg: avg("weighted"),
    digits: options.digits ?? 2,
  });
}
