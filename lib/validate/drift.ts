/**
 * drift: per feature, the population stability index and the two-sample Kolmogorov–Smirnov test between a
 * reference table (training data) and a current one (production data), with a verdict per feature.
 */
import type { FeatureInput } from "../data/matrix";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import { Frame, ValidationResult, Verdict, fmt, htmlTable, verdictCell, worstVerdict } from "./common";
import { ks2samp, psi, psiPValue } from "./stats";

/** Options of {@link drift}. */
export interface DriftOptions {
  /** Columns to compare (default: every column present in both). */
  columns?: string[];
  /** Equal-frequency bins of the reference for PSI (default 10). */
  bins?: number;
  /** Significance level of the KS and PSI tests (default 0.05, Bonferroni-corrected over the features compared). */
  alpha?: number;
  /** PSI at or above this warns (default 0.1). */
  psiWarn?: number;
  /** PSI at or above this is drift (default 0.25). */
  psiFail?: number;
  /** A significant KS statistic at or above this is drift even when PSI is low (default 0.1). */
  ksFail?: number;
}

/** One feature's drift numbers. */
export interface DriftRow {
  feature: string;
  kind: "numeric" | "categorical";
  psi: number;
  /**
   * How likely a PSI this large is from sampling noise alone (PSI·nm/(n+m) ~ χ² with bins − 1 degrees of freedom):
   * with small samples a PSI of 0.1–0.2 is common even without drift.
   */
  psiPValue: number;
  /** KS statistic and p-value (numeric features only). */
  ks: number | null;
  pValue: number | null;
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

  constructor(readonly features: DriftRow[], readonly referenceRows: number, readonly currentRows: number, psiWarn: number, psiFail: number) {
    super();
    this.verdict = worstVerdict(features.map((f) => f.verdict));
    const drifted = features.filter((f) => f.verdict === "fail");
    const watch = features.filter((f) => f.verdict === "warn");
    this.reasons = [
      drifted.length ? `Drifted: ${drifted.map((f) => f.feature).join(", ")}: retrain or investigate the data pipeline.` : "No feature has drifted.",
      ...(watch.length ? [`Watch: ${watch.map((f) => f.feature).join(", ")}.`] : []),
      `${referenceRows} reference rows vs ${currentRows} current rows; PSI ≥ ${psiWarn} warns, ≥ ${psiFail} is drift.`,
    ];
    this.figures = [
      new Figure({
        data: [
          {
            type: "bar", name: "PSI", x: features.map((f) => f.feature), y: features.map((f) => f.psi),
            marker: { color: features.map((f) => (f.verdict === "fail" ? "#cf222e" : f.verdict === "warn" ? "#d4a72c" : "#4c78a8")) },
          },
          { type: "scatter", mode: "lines", name: `warn (${psiWarn})`, x: features.map((f) => f.feature), y: features.map(() => psiWarn), line: { dash: "dot", color: "#d4a72c" } },
          { type: "scatter", mode: "lines", name: `drift (${psiFail})`, x: features.map((f) => f.feature), y: features.map(() => psiFail), line: { dash: "dash", color: "#cf222e" } },
        ],
        layout: { title: { text: "Population stability index per feature" }, yaxis: { title: { text: "PSI" } } },
      }),
    ];
  }

  /** The row of one feature. @throws Error when it was not compared. */
  feature(name: string): DriftRow {
    const row = this.features.find((f) => f.feature === name);
    if (!row) throw new Error(`Feature "${name}" was not compared. Compared: ${this.features.map((f) => f.feature).join(", ")}.`);
    return row;
  }

  measurements(): Measurements {
    return { max_psi: Math.max(...this.features.map((f) => f.psi)), drifted_features: this.features.filter((f) => f.verdict === "fail").length };
  }

  protected tableHtml(): string {
    return htmlTable(
      ["feature", "kind", "PSI", "PSI p-value", "KS statistic", "KS p-value", "missing (ref → cur)", "verdict", "note"],
      this.features.map((f) => [f.feature, f.kind, fmt(f.psi), fmt(f.psiPValue), fmt(f.ks), fmt(f.pValue), `${f.referenceMissing} → ${f.currentMissing}`, verdictCell(f.verdict), f.note]),
    );
  }
}

function categoricalPsi(reference: unknown[], current: unknown[], floor = 1e-4): number {
  const share = (values: unknown[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const v of values) m.set(String(v), (m.get(String(v)) ?? 0) + 1 / values.length);
    return m;
  };
  const e = share(reference);
  const a = share(current);
  let total = 0;
  for (const key of new Set([...e.keys(), ...a.keys()])) {
    const pe = Math.max(e.get(key) ?? 0, floor);
    const pa = Math.max(a.get(key) ?? 0, floor);
    total += (pa - pe) * Math.log(pa / pe);
  }
  return total;
}

/**
 * Compares the distribution of every shared feature between a reference and a current table (or matrices):
 * numeric features get PSI over the reference's deciles and the two-sample KS test (exact p-values as scipy),
 * categorical ones PSI over their categories. Missing values are counted, not compared.
 * A shift is significant when the KS test or the PSI's χ² approximation rejects "same distribution" at α (Bonferroni
 * over features). Verdict per feature: drift when significant and PSI ≥ psiFail or KS ≥ ksFail; warn when significant
 * otherwise, or when PSI ≥ psiWarn with an uncorrected PSI p-value < α; else stable.
 * @throws Error when a requested column is missing from either side or no column is shared.
 */
export function drift(reference: FeatureInput, current: FeatureInput, options: DriftOptions = {}): DriftResult {
  const ref = Frame.from(reference);
  const cur = Frame.from(current);
  const columns = options.columns ?? ref.columns.filter((c) => cur.columns.includes(c));
  if (columns.length === 0) throw new Error(`drift: the tables share no column. Reference: ${ref.columns.join(", ")}; current: ${cur.columns.join(", ")}.`);
  const rawAlpha = options.alpha ?? 0.05;
  const alpha = rawAlpha / columns.length;
  const psiWarn = options.psiWarn ?? 0.1;
  const psiFail = options.psiFail ?? 0.25;
  const ksFail = options.ksFail ?? 0.1;
  const rows = columns.map((name): DriftRow => {
    const jr = ref.columnIndex(name);
    const jc = cur.columnIndex(name);
    const isMissing = (v: unknown): boolean => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
    if (ref.numeric[jr] && cur.numeric[jc]) {
      const a = ref.numbers(jr);
      const b = cur.numbers(jc);
      const fa = a.filter(Number.isFinite);
      const fb = b.filter(Number.isFinite);
      if (fa.length === 0 || fb.length === 0) {
        return { feature: name, kind: "numeric", psi: NaN, psiPValue: NaN, ks: null, pValue: null, referenceMissing: a.length - fa.length, currentMissing: b.length - fb.length, verdict: "fail", note: "no values on one side" };
      }
      const result = psi(fa, fb, { bins: options.bins ?? 10 });
      const p = result.psi;
      const pp = psiPValue(p, result.expected.length, fa.length, fb.length);
      const ks = ks2samp(fa, fb);
      const significant = ks.pValue < alpha || pp < alpha;
      const verdict: Verdict = significant && (p >= psiFail || ks.statistic >= ksFail) ? "fail" : significant || (p >= psiWarn && pp < rawAlpha) ? "warn" : "pass";
      const note = verdict === "fail" ? "distribution shifted" : verdict === "warn" ? (significant ? "small but significant shift" : "moderate PSI") : p >= psiWarn ? "PSI within sampling noise" : "stable";
      return { feature: name, kind: "numeric", psi: p, psiPValue: pp, ks: ks.statistic, pValue: ks.pValue, referenceMissing: a.length - fa.length, currentMissing: b.length - fb.length, verdict, note };
    }
    const a = ref.values(jr);
    const b = cur.values(jc);
    const fa = a.filter((v) => !isMissing(v));
    const fb = b.filter((v) => !isMissing(v));
    const p = fa.length && fb.length ? categoricalPsi(fa, fb) : NaN;
    const categories = new Set([...fa, ...fb].map(String)).size;
    const pp = Number.isFinite(p) ? psiPValue(p, categories, fa.length, fb.length) : NaN;
    const significant = !(pp >= alpha);
    const verdict: Verdict = !Number.isFinite(p) || (significant && p >= psiFail) ? "fail" : significant || (p >= psiWarn && pp < rawAlpha) ? "warn" : "pass";
    const note = verdict === "fail" ? "category shares shifted" : verdict === "warn" ? "moderate PSI" : p >= psiWarn ? "PSI within sampling noise" : "stable";
    return { feature: name, kind: "categorical", psi: p, psiPValue: pp, ks: null, pValue: null, referenceMissing: a.length - fa.length, currentMissing: b.length - fb.length, verdict, note };
  });
  return new DriftResult(rows, ref.rows, cur.rows, psiWarn, psiFail);
}
