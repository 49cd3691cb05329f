/**
 * labelIssues: a confident-learning check (Northcutt et al., 2021) of given labels against out-of-fold predicted
 * probabilities. A row is flagged when the model confidently prefers another class: its probability for that class
 * reaches the class's threshold (the mean probability of the class among rows labeled with it) and beats the given one.
 * It takes the probabilities as input, so any model (and cross-validation) can produce them.
 */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";
import { Category, compareCategories } from "./columns";

/** One suspected label error. */
export interface LabelIssue {
  row: number;
  given: Category;
  /** The class the model confidently prefers. */
  suggested: Category;
  /** Out-of-fold probability of the given label (low = more suspicious). */
  selfConfidence: number;
  /** Out-of-fold probability of the suggested class. */
  confidence: number;
}

/** Result of {@link labelIssues}. */
export class LabelIssuesReport {
  constructor(
    readonly classes: readonly Category[],
    /** Per-class confidence thresholds. */
    readonly thresholds: readonly number[],
    /** Flagged rows, most suspicious first. */
    readonly issues: readonly LabelIssue[],
    readonly checked: number,
  ) {}

  get flagged(): number {
    return this.issues.length;
  }

  /** Row indices of the flagged rows. */
  get rows(): number[] {
    return this.issues.map((i) => i.row);
  }

  toString(): string {
    return (
      `Label issues: ${this.flagged} of ${this.checked} rows flagged (${((100 * this.flagged) / Math.max(1, this.checked)).toFixed(2)}%)\n` +
      this.issues
        .slice(0, 20)
        .map(
          (i) =>
            `  row ${i.row}: labeled ${String(i.given)} (p=${i.selfConfidence.toFixed(3)}), model says ${String(i.suggested)} (p=${i.confidence.toFixed(3)})`,
        )
        .join("\n")
    );
  }

  [DISPLAY](): MimeBundle {
    const rows = this.issues
      .slice(0, 50)
      .map(
        (i) =>
          `<tr><td>${i.row}</td><td>${escapeHtml(String(i.given))}</td><td>${i.selfConfidence.toFixed(3)}</td><td>${escapeHtml(String(i.suggested))}</td><td>${i.confidence.toFixed(3)}</td></tr>`,
      )
      .join("");
    return {
      "text/plain": this.toString(),
      "text/html":
        `<div class="trainlab-label-issues"><b>Label issues</b>: ${this.flagged} of ${this.checked} rows flagged` +
        `${this.flagged > 50 ? " (50 most suspicious shown)" : ""}<table><thead><tr><th>row</th><th>given</th><th>p(given)</th><th>suggested</th><th>p(suggested)</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    };
  }
}

/**
 * Flags rows whose given label disagrees with confident out-of-fold predictions.
 * @param labels given labels, one per row
 * @param probabilities out-of-fold predicted probabilities: rows × classes (nested arrays, or a flat row-major array)
 * @param classes the class of each probability column (default: the sorted distinct labels)
 * @throws Error when shapes disagree, a probability is not a finite number in [0, 1] (naming row and class), or a label is not in `classes`.
 */
export function labelIssues(
  labels: ArrayLike<Category>,
  probabilities: ArrayLike<ArrayLike<number>> | ArrayLike<number>,
  classes?: readonly Category[],
): LabelIssuesReport {
  const n = labels.length;
  const cls = classes ? [...classes] : [...new Set(Array.from(labels))].sort(compareCategories);
  const k = cls.length;
  if (k < 2) throw new Error(`labelIssues needs at least two classes, got ${k}.`);
  const flat = n > 0 && typeof (probabilities as ArrayLike<unknown>)[0] === "number";
  if (flat ? probabilities.length !== n * k : probabilities.length !== n) {
    throw new Error(
      `labelIssues: ${n} labels but probabilities for ${flat ? probabilities.length / k : probabilities.length} rows (${k} classes). Give one probability row per label.`,
    );
  }
  const p = (i: number, j: number): number =>
    flat ? (probabilities as ArrayLike<number>)[i * k + j] : (probabilities as ArrayLike<ArrayLike<number>>)[i][j];
  const index = new Map<Category, number>();
  cls.forEach((c, j) => index.set(c, j));
  const given = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let j = index.get(labels[i]);
    if (j === undefined) j = index.get(String(labels[i]));
    if (j === undefined)
      throw new Error(
        `labelIssues: row ${i} has label ${JSON.stringify(labels[i])}, which is not among the classes [${cls.map((c) => JSON.stringify(c)).join(", ")}].`,
      );
    given[i] = j;
    if (!flat && (probabilities as ArrayLike<ArrayLike<number>>)[i].length !== k)
      throw new Error(
        `labelIssues: probability row ${i} has ${(probabilities as ArrayLike<ArrayLike<number>>)[i].length} values, expected ${k} (one per class).`,
      );
    for (let c = 0; c < k; c++) {
      const v = p(i, c);
      if (!(v >= 0 && v <= 1))
        throw new Error(
          `labelIssues: row ${i}, class ${JSON.stringify(cls[c])}: probability ${v} is not a number in [0, 1].`,
        );
    }
  }
  // Per-class thresholds: mean self-confidence of rows labeled with the class.
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums[given[i]] += p(i, given[i]);
    counts[given[i]]++;
  }
  const thresholds = Array.from(sums, (s, j) => (counts[j] ? s / counts[j] : 1));
  const issues: LabelIssue[] = [];
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestP = -1;
    for (let c = 0; c < k; c++) {
      const v = p(i, c);
      if (v >= thresholds[c] && v > bestP) {
        best = c;
        bestP = v;
      }
    }
    if (best >= 0 && best !== given[i] && bestP > p(i, given[i])) {
      issues.push({
        row: i,
        given: cls[given[i]],
        suggested: cls[best],
        selfConfidence: p(i, given[i]),
        confidence: bestP,
      });
    }
  }
  issues.sort((a, b) => a.selfConfidence - b.selfConfidence || a.row - b.row);
  return new LabelIssuesReport(cls, thresholds, issues, n);
}
