/**
 * drift: per feature, the population stability index and the two-sample Kolmogorov–Smirnov test between a
 * reference table (training data) and a current one (production data), with a verdict per feature.
 */
import type { FeatureInput } from "../data/matrix";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import { Frame, ValidationResult, Verdict, fmt, htmlTable, verdictCell, worstVerdict } from "./common";
import { SeededRandom, fisherExact, holmAdjust, ks2samp, psi } from "./stats";

/** Options of {@link drift}. */
export interface DriftOptions {
  /** Columns to compare (default: every column present in both). */
  columns?: string[];
  /** Equal-frequency bins of the reference for PSI (default 10). */
  bins?: number;
  /**
   * Family-wise significance level (default 0.05): when nothing drifted, the chance that *any* compared feature is
   * flagged (WARN or FAIL) is at most α. Each feature is tested (KS for numbers, a permutation test for categories)
   * and the p-values are Holm-adjusted over the features compared.
   */
  alpha?: number;
  /** PSI at or above this is reported as moderate (default 0.1); on its own it never raises an alarm. */
  psiWarn?: number;
  /** A significant shift with PSI at or above this is drift (FAIL; default 0.25); smaller significant shifts WARN. */
  psiFail?: number;
  /** A significant shift with a KS statistic at or above this is drift even when PSI is low (default 0.1). */
  ksFail?: number;
  /** Random permutations of the categorical test (default: enough to reach α / features, at least 999). */
  permutations?: number;
  /** Seed of the permutation test (default 0). */
  seed?: number;
}

/** One feature's drift numbers. */
export interface DriftRow {
  feature: string;
  kind: "numeric" | "categorical";
  /** Population stability index (bin counts smoothed by 0.5, so an empty bin does not add ~0.69 on small samples). An effect size, not a test. */
  psi: number;
  /** The feature's test: two-sample KS (numeric) or a permutation test of the χ² statistic of category counts (categorical). */
  test: "ks" | "permutation-chi2";
  /** KS statistic (numeric features only). */
  ks: number | null;
  /** The distribution test's p-value for this feature alone (missing values left out). */
  pValue: number;
  /** Fisher's exact test of the share of missing values (null when neither side has any). */
  missingPValue: number | null;
  /**
   * Holm-adjusted p-value over the features compared, of the feature's p-value (with missing values on either side:
   * twice the smaller of pValue and missingPValue, Bonferroni within the feature). Flagged when below α.
   */
  adjustedPValue: number;
  /** adjustedPValue < α. */
  significant: boolean;
  referenceMissing: number;
  currentMissing: number;
  verdict: Verdict;
  /** Why, in words: "stable", "shifted", ... */
  note: string;
}

/** Drift per feature. */
export class DriftResult extends ValidationResult {
  readonly title = "Data drift (reference vs current)";
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly features: DriftRow[],
    readonly referenceRows: number,
    readonly currentRows: number,
    psiWarn: number,
    psiFail: number,
    /** The family-wise significance level. */
    readonly alpha: number = 0.05,
  ) {
    super();
    this.verdict = worstVerdict(features.map((f) => f.verdict));
    const drifted = features.filter((f) => f.verdict === "fail");
    const watch = features.filter((f) => f.verdict === "warn");
    this.reasons = [
      drifted.length
        ? `Drifted: ${drifted.map((f) => f.feature).join(", ")}: retrain or investigate the data pipeline.`
        : "No feature has drifted.",
      ...(watch.length ? [`Watch: ${watch.map((f) => f.feature).join(", ")}.`] : []),
      `${referenceRows} reference rows vs ${currentRows} current rows. A feature is flagged only when its shift is significant at a family-wise α = ${alpha} (Holm over ${features.length} feature(s)): without drift, any alarm at most ${Math.round(alpha * 1000) / 10}% of the time. A significant shift with PSI ≥ ${psiFail} (or KS ≥ the drift threshold) is drift, a smaller one warns.`,
    ];
    this.figures = [
      new Figure({
        data: [
          {
            type: "bar",
            name: "PSI",
            x: features.map((f) => f.feature),
            y: features.map((f) => f.psi),
            marker: {
              color: features.map((f) =>
                f.verdict === "fail" ? "#cf222e" : f.verdict === "warn" ? "#d4a72c" : "#4c78a8",
              ),
            },
            // The lines are PSI levels, not verdicts: a bar above them that the test did not find significant says so,
            // so the chart never reads as drift where the verdict is pass.
            text: features.map((f) =>
              f.verdict === "fail"
                ? "drift"
                : f.verdict === "warn"
                  ? "watch"
                  : f.psi >= psiWarn
                    ? "not significant"
                    : "",
            ),
            textposition: "outside",
            // The label of the tallest bar sits above the plot area: drawn there, not clipped.
            cliponaxis: false,
          },
          {
            type: "scatter",
            mode: "lines",
            name: `moderate PSI (${psiWarn})`,
            x: features.map((f) => f.feature),
            y: features.map(() => psiWarn),
            line: { dash: "dot", color: "#d4a72c" },
          },
          {
            type: "scatter",
            mode: "lines",
            name: `drift if significant (PSI ${psiFail})`,
            x: features.map((f) => f.feature),
            y: features.map(() => psiFail),
            line: { dash: "dash", color: "#cf222e" },
          },
        ],
        layout: { title: { text: "Population stability index per feature" }, yaxis: { title: { text: "PSI" } } },
      }),
    ];
  }

  /** The row of one feature. @throws Error when it was not compared. */
  feature(name: string): DriftRow {
    const row = this.features.find((f) => f.feature === name);
    if (!row)
      throw new Error(
        `Feature "${name}" was not compared. Compared: ${this.features.map((f) => f.feature).join(", ")}.`,
      );
    return row;
  }

  measurements(): Measurements {
    return {
      max_psi: Math.max(...this.features.map((f) => f.psi)),
      drifted_features: this.features.filter((f) => f.verdict === "fail").length,
    };
  }

  protected tableHtml(): string {
    return htmlTable(
      [
        "feature",
        "kind",
        "PSI",
        "KS statistic",
        "test",
        "p-value",
        "missing (ref → cur)",
        "missing p-value",
        "Holm-adjusted p",
        "verdict",
        "note",
      ],
      this.features.map((f) => [
        f.feature,
        f.kind,
        fmt(f.psi),
        fmt(f.ks),
        f.test === "ks" ? "KS" : "permutation χ²",
        fmt(f.pValue),
        `${f.referenceMissing} → ${f.currentMissing}`,
        fmt(f.missingPValue),
        fmt(f.adjustedPValue),
        verdictCell(f.verdict),
        f.note,
      ]),
    );
  }
}

/** PSI of category shares, each count smoothed by 0.5 (an absent category gives a large, finite PSI). */
function categoricalPsi(refCounts: readonly number[], curCounts: readonly number[]): number {
  const k = refCounts.length;
  const n = refCounts.reduce((a, b) => a + b, 0);
  const m = curCounts.reduce((a, b) => a + b, 0);
  let total = 0;
  for (let c = 0; c < k; c++) {
    const pe = (refCounts[c] + 0.5) / (n + 0.5 * k);
    const pa = (curCounts[c] + 0.5) / (m + 0.5 * k);
    total += (pa - pe) * Math.log(pa / pe);
  }
  return total;
}

/** Pearson's χ² statistic of the 2 × k table of reference and current counts (categories seen in neither side skipped). */
function chi2Statistic(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>, n: number, m: number): number {
  let total = 0;
  for (let c = 0; c < refCounts.length; c++) {
    const col = refCounts[c] + curCounts[c];
    if (col === 0) continue;
    const er = (col * n) / (n + m);
    const ec = (col * m) / (n + m);
    total += (refCounts[c] - er) ** 2 / er + (curCounts[c] - ec) ** 2 / ec;
  }
  return total;
}

/**
 * Permutation p-value of "both samples come from one distribution" for category codes: the χ² statistic of the
 * observed split against `permutations` random re-splits of the pooled values; (1 + #{as large}) / (1 + permutations),
 * which is a valid p-value whatever the sample sizes.
 */
function permutationPValue(codes: Int32Array, n: number, k: number, permutations: number, rng: SeededRandom): number {
  const m = codes.length - n;
  const total = new Float64Array(k);
  for (const c of codes) total[c]++;
  const cur = new Float64Array(k);
  for (let i = n; i < codes.length; i++) cur[codes[i]]++;
  const ref = total.map((t, c) => t - cur[c]);
  const observed = chi2Statistic(ref, cur, n, m);
  const pool = Int32Array.from(codes);
  let asLarge = 0;
  for (let b = 0; b < permutations; b++) {
    cur.fill(0);
    // A partial Fisher–Yates shuffle draws the m current rows.
    for (let i = 0; i < m; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      cur[pool[i]]++;
    }
    for (let c = 0; c < k; c++) ref[c] = total[c] - cur[c];
    if (chi2Statistic(ref, cur, n, m) >= observed - 1e-9 * Math.max(1, observed)) asLarge++;
  }
  return (1 + asLarge) / (1 + permutations);
}

/**
 * Compares the distribution of every shared feature between a reference and a current table (or matrices).
 * Numeric features: the two-sample KS test (exact p-values as scipy) and PSI over the reference's deciles.
 * Categorical ones: a permutation test of the χ² statistic of category counts, and PSI over the categories.
 * The share of missing values is compared by Fisher's exact test. The p-values are Holm-adjusted over the features, so on data without
 * drift the chance of any alarm is at most `alpha` (default 0.05). PSI and KS are effect sizes: a significant shift
 * fails when PSI ≥ psiFail or KS ≥ ksFail and warns otherwise; a large PSI that is not significant (small samples)
 * passes with the note "PSI within sampling noise".
 * @throws Error when a requested column is missing from either side or no column is shared.
 */
export function drift(reference: FeatureInput, current: FeatureInput, options: DriftOptions = {}): DriftResult {
  const ref = Frame.from(reference);
  const cur = Frame.from(current);
  const columns = options.columns ?? ref.columns.filter((c) => cur.columns.includes(c));
  if (columns.length === 0)
    throw new Error(
      `drift: the tables share no column. Reference: ${ref.columns.join(", ")}; current: ${cur.columns.join(", ")}.`,
    );
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`drift: alpha must be between 0 and 1, got ${alpha}.`);
  const psiWarn = options.psiWarn ?? 0.1;
  const psiFail = options.psiFail ?? 0.25;
  const ksFail = options.ksFail ?? 0.1;
  const permutations = options.permutations ?? Math.min(20000, Math.max(999, Math.ceil((20 * columns.length) / alpha)));
  const rng = new SeededRandom(options.seed ?? 0);
  const isMissing = (v: unknown): boolean =>
    v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
  type Measured = Omit<DriftRow, "adjustedPValue" | "significant" | "verdict" | "note" | "missingPValue"> & {
    empty: boolean;
    rows: [number, number];
  };
  const partial = columns.map((name): Measured => {
    const jr = ref.columnIndex(name);
    const jc = cur.columnIndex(name);
    if (ref.numeric[jr] && cur.numeric[jc]) {
      const a = ref.numbers(jr);
      const b = cur.numbers(jc);
      const fa = a.filter(Number.isFinite);
      const fb = b.filter(Number.isFinite);
      const missing = {
        referenceMissing: a.length - fa.length,
        currentMissing: b.length - fb.length,
        rows: [a.length, b.length] as [number, number],
      };
      if (fa.length === 0 || fb.length === 0)
        return { feature: name, kind: "numeric", test: "ks", psi: NaN, ks: null, pValue: NaN, ...missing, empty: true };
      const ks = ks2samp(fa, fb);
      return {
        feature: name,
        kind: "numeric",
        test: "ks",
        psi: psi(fa, fb, { bins: options.bins ?? 10, smoothing: 0.5 }).psi,
        ks: ks.statistic,
        pValue: ks.pValue,
        ...missing,
        empty: false,
      };
    }
    const a = ref.values(jr);
    const b = cur.values(jc);
    const fa = a.filter((v) => !isMissing(v)).map(String);
    const fb = b.filter((v) => !isMissing(v)).map(String);
    const missing = {
      referenceMissing: a.length - fa.length,
      currentMissing: b.length - fb.length,
      rows: [a.length, b.length] as [number, number],
    };
    if (fa.length === 0 || fb.length === 0)
      return {
        feature: name,
        kind: "categorical",
        test: "permutation-chi2",
        psi: NaN,
        ks: null,
        pValue: NaN,
        ...missing,
        empty: true,
      };
    const index = new Map<string, number>();
    for (const v of [...fa, ...fb]) if (!index.has(v)) index.set(v, index.size);
    const codes = Int32Array.from([...fa, ...fb], (v) => index.get(v) as number);
    const refCounts = new Array<number>(index.size).fill(0);
    const curCounts = new Array<number>(index.size).fill(0);
    for (const v of fa) refCounts[index.get(v) as number]++;
    for (const v of fb) curCounts[index.get(v) as number]++;
    const pValue = index.size < 2 ? 1 : permutationPValue(codes, fa.length, index.size, permutations, rng);
    return {
      feature: name,
      kind: "categorical",
      test: "permutation-chi2",
      psi: categoricalPsi(refCounts, curCounts),
      ks: null,
      pValue,
      ...missing,
      empty: false,
    };
  });
  // Missing values: Fisher's exact test of their share, combined with the distribution test (Bonferroni within the feature).
  const missingP = partial.map((r) =>
    r.referenceMissing + r.currentMissing > 0
      ? fisherExact(r.referenceMissing, r.rows[0] - r.referenceMissing, r.currentMissing, r.rows[1] - r.currentMissing)
      : null,
  );
  const featureP = partial.map((r, i) =>
    missingP[i] === null
      ? r.pValue
      : Math.min(1, 2 * Math.min(Number.isNaN(r.pValue) ? 1 : r.pValue, missingP[i] as number)),
  );
  const adjusted = holmAdjust(featureP);
  const rows = partial.map(({ empty, rows: sizes, ...r }, i): DriftRow => {
    const missingPValue = missingP[i];
    if (empty)
      return {
        ...r,
        missingPValue,
        adjustedPValue: NaN,
        significant: true,
        verdict: "fail",
        note: "no values on one side",
      };
    const significant = adjusted[i] < alpha;
    const missingShift = Math.abs(r.currentMissing / sizes[1] - r.referenceMissing / sizes[0]);
    const byMissing = missingPValue !== null && missingPValue < r.pValue;
    const large = r.psi >= psiFail || (r.ks !== null && r.ks >= ksFail) || (byMissing && missingShift >= 0.1);
    const verdict: Verdict = significant ? (large ? "fail" : "warn") : "pass";
    const what = byMissing
      ? `share of missing values changed by ${fmt(missingShift)}`
      : r.kind === "numeric"
        ? "distribution shifted"
        : "category shares shifted";
    const note =
      verdict === "fail"
        ? what
        : verdict === "warn"
          ? `small but significant shift${byMissing ? " in missing values" : ""}`
          : r.psi >= psiWarn
            ? "PSI within sampling noise"
            : "stable";
    return { ...r, missingPValue, adjustedPValue: adjusted[i], significant, verdict, note };
  });
  return new DriftResult(rows, ref.rows, cur.rows, psiWarn, psiFail, alpha);
}
