/**
 * slices: the metric per subgroup (island, sex...) with bootstrap confidence intervals, and a flag on every
 * group whose gap to the rest of the data is statistically significant.
 */
import type { FeatureInput, TargetInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import {
  MetricInput,
  ValidationResult,
  Value,
  Verdict,
  fmt,
  hasProba,
  htmlTable,
  readInputs,
  resolveMetric,
  scorePredictions,
  verdictCell,
  worstVerdict,
} from "./common";
import { SeededRandom, percentileInterval, quantile } from "./stats";
import { PROPORTION_METRICS, newcombeInterval, twoProportionPValue, wilsonInterval } from "../evaluate/intervals";
import { getScorer } from "../evaluate/scoring";

/** Options of {@link slices}. */
export interface SlicesOptions {
  /**
   * The grouping: a column of X (when X is a table: the model then gets the whole table, as a Pipeline that
   * selects its columns expects) or one group label per row (e.g. `testTable.array("island")`).
   */
  by: string | ArrayLike<Value | null | undefined>;
  /** Default: accuracy (classifiers), R² (regressors). */
  metric?: MetricInput;
  /** Bootstrap resamples (default 1000). */
  bootstrap?: number;
  /** Significance level of the intervals and gap tests (default 0.05; Bonferroni-corrected over groups for the gaps). */
  alpha?: number;
  seed?: number;
  /** A significant gap at least this large fails (default 0.1); smaller significant gaps warn. */
  maxGap?: number;
  /** Groups smaller than this are reported but not tested: their verdict is "untested", never pass (default 10). */
  minSize?: number;
  /** A numeric grouping with more than 10 distinct values is cut into this many quantile bins (default 4). */
  bins?: number;
}

/** One subgroup's numbers. */
export interface SliceRow {
  group: string;
  size: number;
  value: number;
  /** Interval of the metric in this group: Wilson's for accuracy, the bootstrap percentile interval otherwise. */
  ci: [number, number];
  /** Group minus the rest of the data (positive = the group scores higher). */
  gap: number;
  /** Interval of the gap at the Bonferroni-corrected level: Newcombe's for accuracy, the bootstrap's otherwise. */
  gapCi: [number, number];
  /** Two-sided p-value of the gap (uncorrected): the two-proportion z-test for accuracy, the bootstrap's otherwise. */
  pValue: number;
  /** True when the corrected interval of the gap excludes 0. */
  significant: boolean;
  verdict: Verdict;
}

/** The metric per subgroup. */
export class SlicesResult extends ValidationResult {
  readonly title: string;
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly metric: string,
    readonly greaterIsBetter: boolean,
    readonly overall: number,
    readonly groups: SliceRow[],
    readonly alpha: number,
  ) {
    super();
    this.title = `Slices: ${metric} per subgroup`;
    this.verdict = worstVerdict(groups.map((g) => g.verdict));
    const flagged = groups.filter((g) => g.verdict === "warn" || g.verdict === "fail");
    const tested = groups.filter((g) => g.verdict !== "untested").length;
    this.reasons =
      flagged.length === 0
        ? [
            tested === 0
              ? `No subgroup is large enough to test.`
              : `No tested subgroup's ${metric} differs significantly from the rest (α = ${alpha} family-wise, Bonferroni over ${groups.length} groups).`,
          ]
        : flagged.map(
            (g) =>
              `${g.group} (n = ${g.size}): ${metric} ${fmt(g.value)} vs ${fmt(g.value - g.gap)} for the rest, a significant gap of ${fmt(g.gap)} (p ≈ ${fmt(g.pValue)}).`,
          );
    const sorted = groups.slice();
    this.figures = [
      new Figure({
        data: [
          {
            type: "bar",
            name: metric,
            x: sorted.map((g) => g.group),
            y: sorted.map((g) => g.value),
            error_y: {
              type: "data",
              symmetric: false,
              array: sorted.map((g) => g.ci[1] - g.value),
              arrayminus: sorted.map((g) => g.value - g.ci[0]),
              visible: true,
            },
            marker: {
              color: sorted.map((g) =>
                g.verdict === "fail"
                  ? "#cf222e"
                  : g.verdict === "warn"
                    ? "#d4a72c"
                    : g.verdict === "untested"
                      ? "#afb8c1"
                      : "#4c78a8",
              ),
            },
            customdata: sorted.map((g) => g.size),
            hovertemplate: "%{x}<br>" + metric + " %{y:.4f}<br>n = %{customdata}<extra></extra>",
          },
          {
            type: "scatter",
            mode: "lines",
            name: "overall",
            x: sorted.map((g) => g.group),
            y: sorted.map(() => overall),
            line: { dash: "dash", color: "#555" },
          },
        ],
        layout: {
          title: { text: `${metric} per subgroup (bars: ${Math.round((1 - alpha) * 100)}% CI)` },
          yaxis: { title: { text: metric } },
          xaxis: { title: { text: "group" } },
        },
      }),
    ];
  }

  measurements(): Measurements {
    const worst = this.groups.reduce(
      (w, g) => (this.greaterIsBetter ? Math.min(w, g.value) : Math.max(w, g.value)),
      this.greaterIsBetter ? Infinity : -Infinity,
    );
    return {
      [`worst_slice_${this.metric}`]: worst,
      max_slice_gap: Math.max(0, ...this.groups.map((g) => Math.abs(g.gap))),
    };
  }

  protected tableHtml(): string {
    const pct = Math.round((1 - this.alpha) * 100);
    return (
      htmlTable(
        ["group", "n", this.metric, `${pct}% CI`, "gap vs rest", "p-value", "verdict"],
        this.groups.map((g) => [
          g.group,
          String(g.size),
          fmt(g.value),
          `[${fmt(g.ci[0])}, ${fmt(g.ci[1])}]`,
          fmt(g.gap),
          fmt(g.pValue),
          verdictCell(g.verdict),
        ]),
      ) + `<p>overall ${this.metric}: ${fmt(this.overall)}</p>`
    );
  }
}

/** Group names: the values as text, or quantile bins "[lo, hi)" for a numeric grouping with many distinct values. */
function groupLabels(raw: unknown[], bins: number): string[] {
  const missing = (v: unknown): boolean =>
    v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v));
  const numbers = raw.filter((v) => !missing(v));
  const numeric = numbers.length > 0 && numbers.every((v) => typeof v === "number");
  if (!numeric || new Set(numbers).size <= 10) return raw.map((v) => (missing(v) ? "(missing)" : String(v)));
  const values = numbers as number[];
  const edges = Array.from(new Set(Array.from({ length: bins - 1 }, (_, b) => quantile(values, (b + 1) / bins)))).sort(
    (a, b) => a - b,
  );
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const bounds = [lo, ...edges, hi];
  const name = (k: number): string =>
    `${k + 1}. [${fmt(bounds[k], 2)}, ${fmt(bounds[k + 1], 2)}${k === bounds.length - 2 ? "]" : ")"}`;
  return raw.map((v) => {
    if (missing(v)) return "(missing)";
    let k = 0;
    while (k < edges.length && (v as number) >= edges[k]) k++;
    return name(k);
  });
}

/**
 * Scores a fitted model per subgroup, with confidence intervals (Wilson for accuracy, the percentile bootstrap for
 * other metrics); a group is flagged when the interval of (group − rest) at α / number-of-groups (Newcombe's for
 * accuracy, bootstrap otherwise) excludes zero.
 * @throws Error when `by` names no column of X, has the wrong length, or there is only one group.
 */
export function slices(model: Estimator, X: FeatureInput, y: TargetInput, options: SlicesOptions): SlicesResult {
  const { frame, truth } = readInputs(model, X, y, "slices");
  if (options === undefined || options.by === undefined)
    throw new Error('slices: pass {by: "column"} or {by: groupLabels} to say how to split the rows.');
  const raw: unknown[] =
    typeof options.by === "string"
      ? frame.values(frame.columnIndex(options.by))
      : Array.from(options.by as ArrayLike<unknown>);
  const labels = groupLabels(raw, options.bins ?? 4);
  if (labels.length !== frame.rows)
    throw new Error(`slices: "by" has ${labels.length} labels but X has ${frame.rows} rows.`);
  const scorer = resolveMetric(options.metric, model);
  const pred = model.predict(frame.input);
  const proba = scorer.needsProba && hasProba(model) ? model.predictProba(frame.input) : undefined;
  const score = (idx: number[]): number => {
    try {
      return scorePredictions(
        scorer,
        model,
        idx.map((i) => truth[i]),
        idx.map((i) => pred[i]),
        proba ? idx.map((i) => proba[i]) : undefined,
      );
    } catch {
      return NaN; // e.g. ROC AUC on a resample holding one class
    }
  };
  const all = Array.from({ length: frame.rows }, (_, i) => i);
  const overall = score(all);
  const names = Array.from(new Set(labels)).sort();
  if (names.length < 2)
    throw new Error(`slices: every row is in group "${names[0]}"; slicing needs at least two groups.`);
  const B = options.bootstrap ?? 1000;
  const alpha = options.alpha ?? 0.05;
  const maxGap = options.maxGap ?? 0.1;
  const minSize = options.minSize ?? 10;
  const corrected = alpha / names.length;
  const rng = new SeededRandom(options.seed ?? 0);
  const proportion = PROPORTION_METRICS.includes(scorer.name) && scorer === getScorer(scorer.name);
  const resample = (idx: number[]): number[] => idx.map(() => idx[rng.int(idx.length)]);
  const groups: SliceRow[] = names.map((group) => {
    const inside = all.filter((i) => labels[i] === group);
    const rest = all.filter((i) => labels[i] !== group);
    const value = score(inside);
    const gap = value - score(rest);
    const boot: number[] = [];
    const gaps: number[] = [];
    for (let b = 0; b < B; b++) {
      const g = score(resample(inside));
      boot.push(g);
      gaps.push(g - score(resample(rest)));
    }
    const finiteGaps = gaps.filter(Number.isFinite);
    const below = finiteGaps.filter((d) => d <= 0).length / Math.max(1, finiteGaps.length);
    const above = finiteGaps.filter((d) => d >= 0).length / Math.max(1, finiteGaps.length);
    let pValue = Math.min(1, 2 * Math.min(below, above));
    let gapCi = percentileInterval(gaps, corrected);
    let ci = percentileInterval(boot, alpha);
    if (proportion && Number.isFinite(value) && Number.isFinite(gap)) {
      // Accuracy is k correct of n: Wilson for the group and Newcombe for the gap, which keep their width when a group
      // is all correct (a bootstrap of 15 correct rows is 15 correct rows every time: the degenerate `1 [1, 1]`).
      const k = Math.round(value * inside.length);
      const kRest = Math.round((value - gap) * rest.length);
      const w = wilsonInterval(k, inside.length, 1 - alpha);
      ci = [w.lower, w.upper];
      gapCi = newcombeInterval(k, inside.length, kRest, rest.length, 1 - corrected);
      pValue = twoProportionPValue(k, inside.length, kRest, rest.length);
    }
    // A group too small, or where the metric cannot be computed (e.g. ROC AUC on a group holding one class), is not tested.
    const tested =
      inside.length >= minSize && Number.isFinite(gap) && Number.isFinite(gapCi[0]) && Number.isFinite(gapCi[1]);
    const significant = tested && (gapCi[0] > 0 || gapCi[1] < 0);
    const worse = scorer.greaterIsBetter ? gap < 0 : gap > 0;
    const verdict: Verdict = !tested
      ? "untested"
      : significant && worse
        ? Math.abs(gap) >= maxGap
          ? "fail"
          : "warn"
        : "pass";
    return { group, size: inside.length, value, ci, gap, gapCi, pValue, significant, verdict };
  });
  const result = new SlicesResult(scorer.name, scorer.greaterIsBetter, overall, groups, alpha);
  const small = groups.filter((g) => g.size < minSize);
  if (small.length)
    result.reasons.push(
      `Too small to test (n < ${minSize}): ${small.map((g) => g.group).join(", ")}; their numbers are shown but not judged.`,
    );
  const unscorable = groups.filter((g) => g.size >= minSize && g.verdict === "untested");
  if (unscorable.length)
    result.reasons.push(
      `Not testable (${scorer.name} cannot be computed on the group or its resamples): ${unscorable.map((g) => g.group).join(", ")}.`,
    );
  return result;
}
