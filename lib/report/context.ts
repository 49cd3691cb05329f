/**
 * How a notebook tells its HTML report what to put in the header: seed, dataset and its fingerprint,
 * parameters, the backend, package versions and the goal scorecard.
 *
 *   await reportContext({ seed, dataset: "penguins", data: { penguins: table }, params: { epochs } });
 *   await reportContext({ scorecard: goals.check(results) });
 *
 * Each call publishes one `display_data` whose bundle carries {@link REPORT_MIME} (JSON) next to a small HTML
 * card for people reading the notebook. The report runner (lib/report/run-notebooks.ts) reads every such output
 * of the executed notebook, merges them in order (later values win) and renders the header from the result.
 */
import { currentBackend } from "../backend";
import { DISPLAY, MimeBundle, display, escapeHtml } from "../display";
import { environmentInfo, EnvironmentInfo } from "./environment";
import { dataFingerprint, Fingerprintable } from "./fingerprint";

/** The MIME type of report-context outputs. */
export const REPORT_MIME = "application/vnd.trainlab.report+json";

/** One goal's verdict, as a report header shows it. */
export interface ScorecardEntry {
  /** What the goal is, e.g. "species on penguins". */
  goal: string;
  metric?: string;
  /** The target, e.g. 0.95, or a phrase such as "≥ 0.95". */
  target?: number | string;
  /** The measured value; null when it was not measured. */
  measured?: number | string | null;
  /** true = met, false = missed, null = not measured yet. */
  passed: boolean | null;
  detail?: string;
}

/** What a notebook passes to {@link reportContext}. Every field is optional; calls merge. */
export interface ReportContextInput {
  title?: string;
  seed?: number;
  dataset?: string;
  /** Datasets to fingerprint here, by label (tables, matrices, arrays). */
  data?: Record<string, Fingerprintable>;
  /** Fingerprints computed elsewhere, by label (or one unlabelled string). */
  dataFingerprint?: string | Record<string, string>;
  /** The notebook's parameters as they ended up (after injection and fast mode). */
  params?: Record<string, unknown>;
  /** A goal scorecard: `goals.check(...)`'s result, or a list of {@link ScorecardEntry}. */
  scorecard?: unknown;
  /** One paragraph for the header (plain text). */
  notes?: string;
}

/** A report context as published and as the runner reads it back. */
export interface ReportContextData {
  title?: string;
  seed?: number;
  dataset?: string;
  dataFingerprints: Record<string, string>;
  params: Record<string, unknown>;
  scorecard?: ScorecardEntry[];
  backend?: string;
  environment?: EnvironmentInfo;
  notes?: string;
  publishedAt: string;
}

function pick(o: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
}

function toEntry(raw: unknown, index: number): ScorecardEntry {
  if (typeof raw !== "object" || raw === null)
    throw new Error(
      `Scorecard entry ${index} is ${JSON.stringify(raw)}; expected an object with a goal and a pass/fail verdict.`,
    );
  const o = raw as Record<string, unknown>;
  const verdict = pick(o, "passed", "pass", "met", "ok", "status", "verdict");
  let passed: boolean | null;
  if (typeof verdict === "boolean") passed = verdict;
  else if (typeof verdict === "string")
    passed = /^(pass|passed|met|ok|true|yes)$/i.test(verdict)
      ? true
      : /^(fail|failed|missed|false|no)$/i.test(verdict)
        ? false
        : null;
  else passed = null;
  const measured = pick(o, "measured", "value", "actual", "score");
  const target = pick(o, "requirement", "target", "threshold");
  const detail = pick(o, "detail", "details", "reason", "message", "note", "why");
  const comparator = pick(o, "comparator", "operator", "op", "direction");
  const named = pick(o, "goal", "name", "id", "label", "description");
  const goalName = named !== undefined && o.kind === "constraint" ? `constraint: ${String(named)}` : named;
  const task = pick(o, "task");
  const dataset = pick(o, "dataset");
  const metric = pick(o, "metric") ?? (o.kind === "goal" ? o.name : undefined);
  return {
    goal: String(goalName ?? ([task, dataset].filter(Boolean).join(" on ") || `goal ${index + 1}`)),
    metric: metric === undefined ? undefined : String(metric),
    target:
      typeof target === "number"
        ? target
        : target === undefined
          ? undefined
          : typeof comparator === "string"
            ? `${comparator} ${String(target)}`
            : String(target),
    measured:
      typeof measured === "number" || typeof measured === "string" ? measured : measured === null ? null : undefined,
    passed,
    detail: detail === undefined ? undefined : String(detail),
  };
}

/**
 * Turns a scorecard from lib/goals (or any list of goal verdicts) into {@link ScorecardEntry} rows.
 * Accepts an array, an object with `rows`/`entries`/`results`/`goals`, or anything with `toJSON()` giving those.
 * @throws Error when the value has no recognisable list of verdicts.
 */
export function normalizeScorecard(value: unknown): ScorecardEntry[] {
  let v = value;
  for (let depth = 0; depth < 3 && v && typeof v === "object" && !Array.isArray(v); depth++) {
    const o = v as Record<string, unknown>;
    const list = pick(o, "rows", "entries", "results", "goals", "scorecard", "items");
    if (Array.isArray(list)) {
      v = list;
      break;
    }
    if (typeof (o as { toJSON?: unknown }).toJSON === "function") v = (o as { toJSON(): unknown }).toJSON();
    else break;
  }
  if (!Array.isArray(v))
    throw new Error(
      "reportContext({scorecard}) needs goals.check(...)'s result or an array of {goal, passed, measured, target} entries.",
    );
  return v.map(toEntry);
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === "bigint" ? String(v) : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
    ) ?? "null",
  );
}

/** The merged context of several publications, in order (later values win; fingerprints and params merge). */
export function mergeReportContexts(parts: ReportContextData[]): ReportContextData | undefined {
  if (parts.length === 0) return undefined;
  const merged: ReportContextData = { dataFingerprints: {}, params: {}, publishedAt: parts[0].publishedAt };
  for (const p of parts) {
    for (const key of [
      "title",
      "seed",
      "dataset",
      "scorecard",
      "backend",
      "environment",
      "notes",
      "publishedAt",
    ] as const) {
      if (p[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = p[key];
    }
    Object.assign(merged.dataFingerprints, p.dataFingerprints ?? {});
    Object.assign(merged.params, p.params ?? {});
  }
  return merged;
}

/** Renders a scorecard as an HTML table (used by the notebook card and the report header). */
export function scorecardHtml(entries: readonly ScorecardEntry[]): string {
  const fmt = (v: unknown): string =>
    typeof v === "number"
      ? Number.isInteger(v)
        ? String(v)
        : v.toFixed(4)
      : v === null || v === undefined
        ? "–"
        : String(v);
  const rows = entries.map((e) => {
    const status = e.passed === true ? "pass" : e.passed === false ? "fail" : "not measured";
    return `<tr class="goal-${status.replace(" ", "-")}"><td>${escapeHtml(e.goal)}</td><td>${escapeHtml(e.metric ?? "")}</td><td>${escapeHtml(fmt(e.target))}</td><td>${escapeHtml(fmt(e.measured))}</td><td class="verdict">${status === "pass" ? "✔ pass" : status === "fail" ? "✘ fail" : "– not measured"}</td><td>${escapeHtml(e.detail ?? "")}</td></tr>`;
  });
  return `<table class="trainlab-scorecard"><thead><tr><th>goal</th><th>metric</th><th>target</th><th>measured</th><th>verdict</th><th>detail</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** A published report context; displays as a small card in the notebook. */
export class ReportContext {
  constructor(readonly data: ReportContextData) {}

  toJSON(): ReportContextData {
    return this.data;
  }

  toString(): string {
    const d = this.data;
    const parts = [
      d.seed !== undefined ? `seed ${d.seed}` : "",
      d.dataset ? `dataset ${d.dataset}` : "",
      d.backend ? `backend ${d.backend}` : "",
      ...Object.entries(d.dataFingerprints).map(([k, v]) => `${k} ${v}`),
    ].filter(Boolean);
    const card = d.scorecard ? ` · goals: ${d.scorecard.filter((e) => e.passed).length}/${d.scorecard.length} met` : "";
    return `Report context: ${parts.join(" · ")}${card}`;
  }

  [DISPLAY](): MimeBundle {
    const d = this.data;
    const rows: [string, string][] = [];
    if (d.title) rows.push(["title", d.title]);
    if (d.seed !== undefined) rows.push(["seed", String(d.seed)]);
    if (d.dataset) rows.push(["dataset", d.dataset]);
    for (const [k, v] of Object.entries(d.dataFingerprints)) rows.push([`fingerprint (${k})`, v]);
    if (d.backend) rows.push(["backend", d.backend]);
    if (Object.keys(d.params).length)
      rows.push([
        "parameters",
        Object.entries(d.params)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(", "),
      ]);
    const table = `<table class="trainlab-context">${rows.map(([k, v]) => `<tr><th style="text-align:left">${escapeHtml(k)}</th><td style="text-align:left"><code>${escapeHtml(v)}</code></td></tr>`).join("")}</table>`;
    const html = `<div class="trainlab-report-context"><b>Recorded for the report</b>${rows.length ? table : ""}${d.scorecard ? scorecardHtml(d.scorecard) : ""}</div>`;
    return { "text/plain": this.toString(), "text/html": html, [REPORT_MIME]: jsonSafe(d) };
  }
}

/**
 * Builds the context (fingerprinting `data`, reading the backend and environment) without publishing it.
 * @throws Error when `scorecard` is not a recognisable scorecard.
 */
export async function buildReportContext(input: ReportContextInput): Promise<ReportContext> {
  const fingerprints: Record<string, string> = {};
  if (typeof input.dataFingerprint === "string") fingerprints[input.dataset ?? "data"] = input.dataFingerprint;
  else Object.assign(fingerprints, input.dataFingerprint ?? {});
  for (const [label, value] of Object.entries(input.data ?? {})) fingerprints[label] = dataFingerprint(value);
  const backend = await currentBackend();
  const environment = environmentInfo();
  if (backend) environment.backend = backend.summary();
  return new ReportContext({
    title: input.title,
    seed: input.seed,
    dataset: input.dataset,
    dataFingerprints: fingerprints,
    params: (jsonSafe(input.params ?? {}) as Record<string, unknown>) ?? {},
    scorecard: input.scorecard === undefined ? undefined : normalizeScorecard(input.scorecard),
    backend: backend?.summary(),
    environment,
    notes: input.notes,
    publishedAt: new Date().toISOString(),
  });
}

/**
 * Publishes facts for the notebook's HTML report header (seed, data fingerprints, parameters, scorecard...).
 * Call it as often as you like; the runner merges the calls in order. Outside a kernel it prints a summary line.
 * @throws Error when `scorecard` is not a recognisable scorecard.
 */
export async function reportContext(input: ReportContextInput): Promise<void> {
  display(await buildReportContext(input));
}
