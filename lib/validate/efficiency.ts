/**
 * efficiency: prediction latency (p50, p95) for one row with distribution-free confidence intervals, batch
 * throughput, saved model size and parameter count.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { FeatureInput } from "../data/matrix";
import type { Estimator } from "../models/estimator";
import { Figure } from "../viz/figure";
import type { Measurements } from "../goals";
import { Frame, ValidationResult, Verdict, checkModel, fmt, htmlTable } from "./common";
import { differentiableForward } from "./adversarial";
import { QuantileInterval, quantile, quantileInterval } from "./stats";

/** Options of {@link efficiency}. */
export interface EfficiencyOptions {
  /** Single-row predictions timed (default 200). */
  repeats?: number;
  /** Untimed calls first, to warm caches and JIT (default 5). */
  warmup?: number;
  /** Full-batch predictions timed for throughput (default 5). */
  batchRepeats?: number;
  /**
   * Limit on the p95 single-row latency: FAIL when the p95's lower confidence bound is above it, PASS when its upper
   * bound is within it, WARN (inconclusive) in between, "untested" when too few timings bound the p95 (fewer than
   * 59 at α = 0.05).
   */
  maxLatencyMs?: number;
  /** Limits on exact measurements: above the limit fails. */
  maxModelBytes?: number;
  maxParameters?: number;
  /**
   * One-sided error rate of the latency verdict (default 0.05): a model whose true p95 is at the limit FAILs at most
   * this often, and one whose true p95 is above it PASSes at most this often.
   */
  alpha?: number;
  /** The clock, in ms (default: process.hrtime); tests inject one to check the statistics without timing anything. */
  clock?: () => number;
}

/** Speed and size of a model. */
export class EfficiencyResult extends ValidationResult {
  readonly title: string;
  readonly verdict: Verdict;
  readonly reasons: string[];
  readonly figures: Figure[];

  constructor(
    readonly model: string,
    /** Single-row latencies in ms, in call order. */
    readonly latenciesMs: number[],
    readonly latencyP50Ms: number,
    readonly latencyP95Ms: number,
    /** Rows per second when predicting the whole batch at once. */
    readonly throughput: number,
    readonly batchRows: number,
    /** Bytes of the saved model (`model.save`), or NaN when it could not be saved. */
    readonly modelBytes: number,
    /** Trainable numbers (tfjs weights, or numbers in the saved state), or NaN when unknown. */
    readonly parameters: number,
    limits: EfficiencyOptions,
    notes: string[],
    /** Distribution-free interval of the p95 latency (one-sided bounds at `alpha`). */
    readonly p95Interval: QuantileInterval = quantileInterval(latenciesMs, 0.95, limits.alpha ?? 0.05),
    /** Distribution-free 95% interval of the median latency (each bound one-sided at 0.025). */
    readonly p50Interval: QuantileInterval = quantileInterval(latenciesMs, 0.5, 0.025),
  ) {
    super();
    this.title = `Efficiency of ${model}`;
    const bounds = (ci: QuantileInterval): string =>
      `${ci.lower === null ? "…" : fmt(ci.lower, 3)}–${ci.upper === null ? "…" : fmt(ci.upper, 3)}`;
    const reasons = [
      `One row (${latenciesMs.length} timings): p50 ${fmt(latencyP50Ms, 3)} ms (95% CI ${bounds(p50Interval)}), p95 ${fmt(latencyP95Ms, 3)} ms ` +
        `(bounds at ${fmt(1 - p95Interval.alpha, 3)}: ${bounds(p95Interval)}); batch of ${batchRows}: ${fmt(Math.round(throughput))} rows/s.`,
      `Saved size ${Number.isFinite(modelBytes) ? `${fmt(modelBytes)} bytes` : "unknown"}, ${Number.isFinite(parameters) ? `${fmt(parameters)} parameters` : "parameter count unknown"}.`,
      ...notes,
    ];
    let verdict: Verdict = "pass";
    const check = (value: number, limit: number | undefined, what: string): void => {
      if (limit === undefined) return;
      if (!Number.isFinite(value)) {
        verdict = verdict === "fail" ? "fail" : "warn";
        reasons.push(`${what} could not be measured (limit ${fmt(limit)}).`);
      } else if (value > limit) {
        verdict = "fail";
        reasons.push(`${what} ${fmt(value)} exceeds the limit ${fmt(limit)}.`);
      } else reasons.push(`${what} ${fmt(value)} is within the limit ${fmt(limit)}.`);
    };
    const limit = limits.maxLatencyMs;
    if (limit !== undefined) {
      const { lower, upper } = p95Interval;
      const a = p95Interval.alpha;
      if (lower !== null && lower > limit) {
        verdict = "fail";
        reasons.push(
          `p95 latency is above the limit ${fmt(limit)} ms: even its lower bound ${fmt(lower, 3)} ms is (one-sided α = ${a}).`,
        );
      } else if (upper === null) {
        if (verdict === "pass") verdict = "untested";
        reasons.push(
          `p95 latency is not tested against the limit ${fmt(limit)} ms: ${latenciesMs.length} timings cannot bound a p95 at α = ${a} ` +
            `(need at least ${Math.ceil(Math.log(a) / Math.log(0.95))}; pass repeats).`,
        );
      } else if (upper <= limit) {
        reasons.push(
          `p95 latency is within the limit ${fmt(limit)} ms: its upper bound ${fmt(upper, 3)} ms is (one-sided α = ${a}).`,
        );
      } else {
        if (verdict === "pass" || verdict === "untested") verdict = "warn";
        reasons.push(
          `Inconclusive: the limit ${fmt(limit)} ms lies between the p95's bounds ${bounds(p95Interval)} ms; time more repeats, or on a quieter machine.`,
        );
      }
    }
    check(modelBytes, limits.maxModelBytes, "model size (bytes)");
    check(parameters, limits.maxParameters, "parameter count");
    this.verdict = verdict;
    this.reasons = reasons;
    this.figures = [
      new Figure({
        data: [{ type: "histogram", name: "latency", x: latenciesMs, nbinsx: 40 }],
        layout: {
          title: { text: `Single-row prediction latency (${model})` },
          xaxis: { title: { text: "ms" } },
          yaxis: { title: { text: "calls" } },
        },
      }),
    ];
  }

  measurements(): Measurements {
    return {
      latencyMs: this.latencyP95Ms,
      latencyP50Ms: this.latencyP50Ms,
      latencyP95Ms: this.latencyP95Ms,
      throughput: this.throughput,
      modelBytes: Number.isFinite(this.modelBytes) ? this.modelBytes : undefined,
      parameters: Number.isFinite(this.parameters) ? this.parameters : undefined,
    };
  }

  protected tableHtml(): string {
    return htmlTable(
      ["measure", "value"],
      [
        [
          "latency p50 (one row)",
          `${fmt(this.latencyP50Ms, 3)} ms (95% CI ${this.p50Interval.lower === null ? "…" : fmt(this.p50Interval.lower, 3)} – ${this.p50Interval.upper === null ? "…" : fmt(this.p50Interval.upper, 3)})`,
        ],
        [
          "latency p95 (one row)",
          `${fmt(this.latencyP95Ms, 3)} ms (bounds ${this.p95Interval.lower === null ? "…" : fmt(this.p95Interval.lower, 3)} – ${this.p95Interval.upper === null ? "…" : fmt(this.p95Interval.upper, 3)})`,
        ],
        [`throughput (batch of ${this.batchRows})`, `${fmt(Math.round(this.throughput))} rows/s`],
        ["model size (saved)", Number.isFinite(this.modelBytes) ? `${fmt(this.modelBytes)} bytes` : "—"],
        ["parameters", fmt(this.parameters)],
      ],
    );
  }
}

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

/**
 * Counts the numbers a saved model stores (except scalar counts such as nIter): the parameter count of a classical model. Understands trainlab's
 * `model.json` (state with `{$array, length}` references into weights.bin), tfjs's `model.json` (weightSpecs
 * shapes) and plain JSON state; a `.bin` file no manifest describes counts as float32 values.
 */
function countSavedNumbers(dir: string): number {
  let total = 0;
  let binsDescribed = false;
  const bins: number[] = [];
  const walk = (v: unknown, key: string): void => {
    if (
      /^(params|hyperparameters|version|format|name|kind|columns|classes|savedAt|featureNames|history|seed)$/i.test(key)
    )
      return;
    // Scalar bookkeeping counts (nIter, nFeatures, nClasses...) are not parameters.
    if (typeof v === "number") {
      if (!/^n[A-Z]/.test(key)) total++;
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, ""));
    else if (v && typeof v === "object") {
      const ref = v as { $array?: unknown; length?: unknown };
      if (typeof ref.$array === "string" && typeof ref.length === "number") total += ref.length;
      else for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  const visit = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const p = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(p);
      else if (entry.name.endsWith(".bin")) bins.push(fs.statSync(p).size);
      else if (entry.name.endsWith(".json")) {
        let json: unknown;
        try {
          json = JSON.parse(fs.readFileSync(p, "utf8"));
        } catch {
          continue; // not JSON state
        }
        const manifest = json as { format?: unknown; state?: unknown; weightSpecs?: { shape: number[] }[] };
        if (manifest.format === "trainlab-model") {
          walk(manifest.state, "state");
          binsDescribed = true;
        } else if (Array.isArray(manifest.weightSpecs)) {
          for (const spec of manifest.weightSpecs) total += spec.shape.reduce((a, b) => a * b, 1);
          binsDescribed = true;
        } else walk(json, "");
      }
    }
  };
  visit(dir);
  if (!binsDescribed) for (const bytes of bins) total += bytes / 4;
  return total;
}

/**
 * Times a fitted model: `repeats` single-row predictions (p50 and p95 latency, in ms) and whole-batch predictions
 * (throughput, rows/s); saves it to a temporary folder to measure its size; counts its parameters (tfjs: the
 * network's weights; classical: the numbers in its saved state, or `parameterCount()` when the model has one).
 * Latency is judged against `maxLatencyMs` with distribution-free bounds of the p95 (see the option), treating the
 * timings as independent draws: a machine whose load changes during the run breaks that, and no statistics can
 * tell a slow model from a busy machine.
 * @throws Error on an unfitted model, empty X or a bad alpha.
 */
export async function efficiency(
  model: Estimator,
  X: FeatureInput,
  options: EfficiencyOptions = {},
): Promise<EfficiencyResult> {
  checkModel(model, "efficiency");
  const frame = Frame.from(X);
  if (frame.rows === 0) throw new Error("efficiency: X is empty; pass some rows to time predictions on.");
  const repeats = options.repeats ?? 200;
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 0.5)) throw new Error(`efficiency: alpha must be in (0, 0.5), got ${alpha}.`);
  const clock = options.clock ?? ((): number => Number(process.hrtime.bigint()) / 1e6);
  const warmup = options.warmup ?? 5;
  const singles = Array.from({ length: Math.min(frame.rows, 64) }, (_, i) => frame.take([i]));
  for (let k = 0; k < warmup; k++) model.predict(singles[k % singles.length]);
  const latencies: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const input = singles[k % singles.length];
    const t0 = clock();
    model.predict(input);
    latencies.push(clock() - t0);
  }
  model.predict(frame.input);
  const batchTimes: number[] = [];
  for (let k = 0; k < (options.batchRepeats ?? 5); k++) {
    const t0 = clock();
    model.predict(frame.input);
    batchTimes.push((clock() - t0) / 1e3);
  }
  const batchSeconds = quantile(batchTimes, 0.5);
  const notes: string[] = [];
  let modelBytes = NaN;
  let parameters = NaN;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-efficiency-"));
  try {
    const target = path.join(dir, "model");
    await model.save(target);
    modelBytes = dirSize(target);
    parameters = countSavedNumbers(target);
  } catch (err) {
    notes.push(`Could not save the model to measure its size: ${(err as Error).message.split("\n")[0]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const m = model as {
    parameterCount?: () => number;
    model?: { countParams?: () => number };
    network?: { countParams?: () => number };
  };
  if (typeof m.parameterCount === "function") parameters = m.parameterCount();
  else if (differentiableForward(model) && (m.model?.countParams || m.network?.countParams))
    parameters = (m.model?.countParams ?? m.network?.countParams)?.call(m.model ?? m.network) as number;
  return new EfficiencyResult(
    model.name,
    latencies,
    quantile(latencies, 0.5),
    quantile(latencies, 0.95),
    frame.rows / batchSeconds,
    frame.rows,
    modelBytes,
    parameters,
    options,
    notes,
  );
}
