/**
 * Experiment runs: every training or evaluation can leave a record in `runs/<timestamp>-<name>/` with its
 * parameters, per-epoch metrics, final metrics, environment, data fingerprint and model artifacts, written
 * atomically (built in a temporary folder, then renamed into place). `compareRuns()` renders the history.
 *
 *   const run = await recordRun({ name: "mlp-adam", params, history, metrics: { accuracy: 0.97 }, data: { train }, model });
 *   compareRuns({ name: "mlp" })          // table + chart of every "mlp*" run
 *
 * Or as a Keras-style callback that records while training:
 *
 *   const recorder = startRun("mlp-adam", params);
 *   await train(model, data, { callbacks: [recorder] });
 *   await recorder.finish({ metrics, model });
 */
import * as fs from "fs";
import * as path from "path";
import { EnvironmentInfo, environmentInfo } from "./environment";
import { dataFingerprint, Fingerprintable } from "./fingerprint";
import { currentBackend } from "../backend";
import { readableDir, writeDirAtomically } from "../core/files";
import { readRunFile, runPath, runsDir, writeRunFile } from "./run-files";
import { RunComparison } from "./run-comparison";

export { hasRunFile, readRunFile, readRunJson, runPath, runsDir, writeRunFile } from "./run-files";
export { RunComparison } from "./run-comparison";

/** Metric values of one epoch (or of the final evaluation): name to number. */
export type MetricValues = Record<string, number>;

/** Anything that can save itself to a folder (every trainlab estimator, fitted pipelines). */
export interface SavableArtifact {
  save(dir: string): Promise<void> | void;
}

/** What {@link recordRun} stores. */
export interface RunInput {
  /** A short name, e.g. "logreg-l2"; becomes part of the folder name. */
  name: string;
  /** "train", "evaluate", "tune", "validate"... (free text; default "train"). */
  kind?: string;
  /**
   * The hyperparameters and settings that ran, as plain data. With a `history`, the record adds `epochsRun` (and,
   * for a lib/train History, `stopReason` and `bestEpoch`) from the history itself.
   */
  params?: Record<string, unknown>;
  /**
   * Per-epoch metrics: an array of records, a `History` (anything with `history` as
   * `{metric: number[]}` or `epochs` as records), or a tf.js `History` object.
   */
  history?: unknown;
  /** Final metrics, e.g. `{ accuracy: 0.97, macro_f1: 0.96 }`. */
  metrics?: MetricValues;
  /** Datasets to fingerprint, by label. */
  data?: Record<string, Fingerprintable>;
  /** Fingerprints computed elsewhere, by label. */
  dataFingerprints?: Record<string, string>;
  /** A model (or pipeline) saved into `model/` of the run folder. */
  model?: SavableArtifact;
  /** Extra files: name to content (strings and buffers as is, anything else as JSON). */
  artifacts?: Record<string, unknown>;
  notes?: string;
  /** Where runs live: default `$TRAINLAB_RUNS_DIR`, else `runs/` in the project. */
  dir?: string;
}

/** A stored run, as `run.json` holds it. */
export interface RunRecord {
  /** The folder name: `<timestamp>-<name>`. */
  id: string;
  name: string;
  kind: string;
  createdAt: string;
  params: Record<string, unknown>;
  /** One record per epoch, `{ epoch, loss, val_loss, ... }`. */
  history: Array<Record<string, number>>;
  metrics: MetricValues;
  dataFingerprints: Record<string, string>;
  environment: EnvironmentInfo;
  /** Files in the run folder besides run.json, relative to it. */
  artifacts: string[];
  notes?: string;
  /** Absolute path of the run folder (not stored; filled in when read). */
  path?: string;
}

function safeName(name: string): string {
  const cleaned = name
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!cleaned)
    throw new Error(`A run needs a name made of letters, digits, ".", "_" or "-"; got ${JSON.stringify(name)}.`);
  return cleaned.slice(0, 80);
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/:/g, "-").replace(/\./, "-");
}

function finiteNumbers(record: Record<string, unknown>, where: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === "number") out[k] = v;
    else if (v !== undefined && v !== null && typeof v !== "object") {
      const n = Number(v);
      if (Number.isNaN(n)) throw new Error(`${where}: metric "${k}" is ${JSON.stringify(v)}, not a number.`);
      out[k] = n;
    }
  }
  return out;
}

/**
 * Normalises per-epoch metrics from the shapes trainlab and tf.js produce into one record per epoch.
 * @throws Error when the value is not a recognisable history or a metric is not numeric.
 */
export function historyRecords(history: unknown): Array<Record<string, number>> {
  if (history === undefined || history === null) return [];
  const withRows = history as { toRows?: () => unknown };
  if (typeof withRows.toRows === "function") return historyRecords(withRows.toRows());
  let h: unknown = history;
  if (
    typeof h === "object" &&
    h !== null &&
    !Array.isArray(h) &&
    typeof (h as { toJSON?: unknown }).toJSON === "function"
  ) {
    const json = (h as { toJSON(): unknown }).toJSON();
    if (json && typeof json === "object") h = json;
  }
  if (Array.isArray(h))
    return h
      .map((r, i) => ({ epoch: i + 1, ...finiteNumbers(r as Record<string, unknown>, `history epoch ${i + 1}`) }))
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => !Number.isNaN(v))));
  const o = h as Record<string, unknown>;
  if (Array.isArray(o.epochs) && o.epochs.length && typeof o.epochs[0] === "object") return historyRecords(o.epochs);
  if (Array.isArray(o.records)) return historyRecords(o.records);
  if (Array.isArray(o.epochs) && o.metrics && typeof o.metrics === "object") {
    // lib/train's HistoryData: epoch numbers plus {metric: values}.
    const epochNumbers = o.epochs as number[];
    const metrics = o.metrics as Record<string, number[]>;
    return epochNumbers.map((epoch, i) => {
      const row: Record<string, number> = { epoch };
      for (const [k, values] of Object.entries(metrics))
        if (typeof values[i] === "number" && !Number.isNaN(values[i])) row[k] = values[i];
      return row;
    });
  }
  const columns = (o.history && typeof o.history === "object" ? o.history : o) as Record<string, unknown>;
  const names = Object.keys(columns).filter((k) => Array.isArray(columns[k]));
  if (names.length === 0)
    throw new Error("recordRun({history}) needs per-epoch records, a History, or {metric: number[]}.");
  const epochs = Math.max(...names.map((k) => (columns[k] as unknown[]).length));
  const epochNumbers = Array.isArray(o.epoch) ? (o.epoch as number[]) : undefined;
  const records: Array<Record<string, number>> = [];
  for (let e = 0; e < epochs; e++) {
    const row: Record<string, number> = { epoch: epochNumbers ? Number(epochNumbers[e]) + 1 : e + 1 };
    for (const k of names) {
      if (k === "epoch") continue;
      const v = (columns[k] as unknown[])[e];
      if (typeof v === "number") row[k] = v;
    }
    records.push(row);
  }
  return records;
}

/**
 * What the training run itself says about how it ran: the number of epochs it trained and, for a lib/train
 * `History`, why it stopped and the epoch whose weights it kept. Empty when there is no history.
 */
function trainingFacts(history: unknown, records: ReadonlyArray<Record<string, number>>): Record<string, unknown> {
  if (records.length === 0) return {};
  const facts: Record<string, unknown> = { epochsRun: records.length };
  const h = history as { stopReason?: unknown; bestEpoch?: unknown } | null;
  if (h && typeof h === "object" && typeof h.stopReason === "string") {
    facts.stopReason = h.stopReason;
    if (typeof h.bestEpoch === "number") facts.bestEpoch = h.bestEpoch;
  }
  return facts;
}

/**
 * Refuses parameters that contradict the history they are recorded with: a run that trained more epochs than
 * `params.epochs` says did not run with those params (typically a model's default `epochs` spread into the params
 * while `train(..., { epochs })` overrode it).
 * @throws Error naming the run, the recorded value and what the history shows.
 */
function checkParamsAgainstHistory(
  name: string,
  params: Record<string, unknown>,
  records: ReadonlyArray<Record<string, number>>,
): void {
  const epochs = params.epochs;
  if (typeof epochs === "number" && records.length > epochs) {
    throw new Error(
      `recordRun("${name}"): params.epochs is ${epochs} but the history has ${records.length} epochs, so these are not the settings that ran. Record the values passed to train() (or build the model with them), not the model's defaults.`,
    );
  }
  for (const [key, value] of Object.entries(trainingFacts(undefined, records))) {
    if (key in params && params[key] !== value) {
      throw new Error(
        `recordRun("${name}"): params.${key} is ${JSON.stringify(params[key])} but the history shows ${JSON.stringify(value)}.`,
      );
    }
  }
}

function writeArtifact(dir: string, file: string, content: unknown): void {
  if (path.isAbsolute(file) || file.split(/[\\/]/).includes(".."))
    throw new Error(`Artifact name ${JSON.stringify(file)} must be a relative path inside the run folder.`);
  const target = path.join(dir, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (typeof content === "string" || Buffer.isBuffer(content) || content instanceof Uint8Array)
    fs.writeFileSync(target, content);
  else fs.writeFileSync(target, JSON.stringify(content, null, 2));
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel));
    else if (rel !== "run.json") out.push(rel);
  }
  return out;
}

/**
 * Writes a run to `<runs>/<timestamp>-<name>/` atomically: run.json, history.csv, model/ and artifacts.
 * A failure (e.g. the model cannot save) leaves no run folder behind.
 * @throws Error on a bad name, a non-numeric metric, params that contradict the history (more epochs ran than
 * `params.epochs` says), or when saving the model fails (with its message).
 */
export async function recordRun(input: RunInput): Promise<RunRecord> {
  const name = safeName(input.name);
  const root = input.dir ? path.resolve(input.dir) : runsDir();
  fs.mkdirSync(root, { recursive: true });
  const created = new Date();
  let id = `${timestamp(created)}-${name}`;
  const taken = (candidate: string) =>
    fs.existsSync(path.join(root, candidate)) || RUNS_BEING_WRITTEN.has(path.join(root, candidate));
  for (let n = 2; taken(id); n++) id = `${timestamp(created)}-${name}-${n}`;
  const target = path.join(root, id);
  let record: RunRecord | undefined;
  RUNS_BEING_WRITTEN.add(target);
  try {
    await writeDirAtomically(target, async (staging) => writeRunFolder(staging));
  } finally {
    RUNS_BEING_WRITTEN.delete(target);
  }
  return { ...(record as RunRecord), path: target };

  async function writeRunFolder(staging: string): Promise<void> {
    const fingerprints: Record<string, string> = { ...(input.dataFingerprints ?? {}) };
    for (const [label, value] of Object.entries(input.data ?? {})) fingerprints[label] = dataFingerprint(value);
    const history = historyRecords(input.history);
    const params = JSON.parse(JSON.stringify(input.params ?? {})) as Record<string, unknown>;
    checkParamsAgainstHistory(name, params, history);
    const environment = environmentInfo();
    const backend = await currentBackend();
    if (backend) environment.backend = backend.summary();
    if (input.model) {
      try {
        await input.model.save(path.join(staging, "model"));
      } catch (err) {
        throw new Error(`recordRun("${name}"): saving the model failed: ${(err as Error).message}`, { cause: err });
      }
    }
    for (const [file, content] of Object.entries(input.artifacts ?? {})) writeArtifact(staging, file, content);
    if (history.length) {
      const columns = [...new Set(history.flatMap((r) => Object.keys(r)))];
      const csv =
        [
          columns.join(","),
          ...history.map((r) => columns.map((c) => (r[c] === undefined ? "" : String(r[c]))).join(",")),
        ].join("\n") + "\n";
      fs.writeFileSync(path.join(staging, "history.csv"), csv);
    }
    record = {
      id,
      name: input.name,
      kind: input.kind ?? "train",
      createdAt: created.toISOString(),
      params: { ...params, ...trainingFacts(input.history, history) },
      history,
      metrics: finiteNumbers(input.metrics ?? {}, `recordRun("${name}") metrics`),
      dataFingerprints: fingerprints,
      environment,
      artifacts: listFiles(staging),
      notes: input.notes,
    };
    fs.writeFileSync(path.join(staging, "run.json"), JSON.stringify(record, null, 2));
  }
}

/** Run folders this process is writing, so two runs recorded at once never pick the same name. */
const RUNS_BEING_WRITTEN = new Set<string>();

/** Filters for {@link listRuns}. */
export interface RunFilter {
  /** Runs whose name starts with this (or matches this RegExp). */
  name?: string | RegExp;
  kind?: string;
  /** Where runs live (default {@link runsDir}). */
  dir?: string;
  /** Only the last N runs (after filtering). */
  last?: number;
}

/**
 * Reads one run by id (folder name) or path.
 * @throws Error naming the folder when it has no readable run.json.
 */
export function loadRun(idOrPath: string, dir: string = runsDir()): RunRecord {
  const folder = path.isAbsolute(idOrPath) ? idOrPath : path.join(dir, idOrPath);
  const file = path.join(readableDir(folder), "run.json");
  if (!fs.existsSync(file)) throw new Error(`No run at ${folder} (run.json is missing). List runs with listRuns().`);
  try {
    return { ...(JSON.parse(fs.readFileSync(file, "utf8")) as RunRecord), path: folder };
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** The recorded runs, oldest first, optionally filtered. Unfinished (temporary) folders are never listed. */
export function listRuns(filter: RunFilter = {}): RunRecord[] {
  const dir = filter.dir ? path.resolve(filter.dir) : runsDir();
  if (!fs.existsSync(dir)) return [];
  const runs: RunRecord[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".") || !fs.existsSync(path.join(dir, entry.name, "run.json")))
      continue;
    const run = loadRun(entry.name, dir);
    if (filter.kind && run.kind !== filter.kind) continue;
    if (
      filter.name !== undefined &&
      !(typeof filter.name === "string" ? run.name.startsWith(filter.name) : filter.name.test(run.name))
    )
      continue;
    runs.push(run);
  }
  runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return filter.last ? runs.slice(-filter.last) : runs;
}

/**
 * Compares recorded runs: pass runs (or ids), or a filter. Renders a table of params and final metrics
 * (best value in bold) and a chart of `metric` (per epoch when runs have histories).
 * @throws Error when `metric` was never recorded.
 */
export function compareRuns(
  selection: RunFilter | readonly (RunRecord | string)[] = {},
  options: { metric?: string } = {},
): RunComparison {
  const runs = Array.isArray(selection)
    ? (selection as readonly (RunRecord | string)[]).map((r) => (typeof r === "string" ? loadRun(r) : r))
    : listRuns(selection as RunFilter);
  return new RunComparison(runs, options.metric);
}

/** Records one run while training, as a Keras-style callback; {@link finish} writes it. */
export class RunRecorder {
  private readonly epochs: Array<Record<string, number>> = [];
  private readonly startedAt = Date.now();
  constructor(
    readonly name: string,
    readonly params: Record<string, unknown> = {},
    readonly options: Pick<RunInput, "kind" | "dir" | "data" | "dataFingerprints" | "notes"> = {},
  ) {
    safeName(name);
  }

  /**
   * Training-loop hook (trainlab's `Callback`, whose epochs count from 1, as `train()` and every estimator's `fit`
   * call it): records the epoch's logs under that epoch number. For tfjs's own `model.fit` callbacks, whose epochs
   * count from 0, use {@link logEpoch} with `epoch + 1`.
   * @throws Error when a log value is not a finite number.
   */
  onEpochEnd(epoch: number, logs: Record<string, unknown> = {}): void {
    this.epochs.push({ epoch, ...finiteNumbers(logs, `epoch ${epoch}`) });
  }

  /** Records one epoch's metrics directly (1-based epoch). @throws Error when a value is not a finite number. */
  logEpoch(epoch: number, metrics: MetricValues): void {
    this.onEpochEnd(epoch, metrics);
  }

  /** The epochs recorded so far. */
  get history(): ReadonlyArray<Record<string, number>> {
    return this.epochs;
  }

  /** Writes the run with the final metrics, model and artifacts. @throws as {@link recordRun}. */
  finish(final: Pick<RunInput, "metrics" | "model" | "artifacts" | "notes"> = {}): Promise<RunRecord> {
    return recordRun({
      ...this.options,
      ...final,
      name: this.name,
      params: this.params,
      history: this.epochs,
      metrics: { ...(final.metrics ?? {}), seconds: (Date.now() - this.startedAt) / 1000 },
    });
  }
}

/** Starts recording a run; pass the recorder as a training callback and call `finish()`. */
export function startRun(
  name: string,
  params: Record<string, unknown> = {},
  options: Pick<RunInput, "kind" | "dir" | "data" | "dataFingerprints" | "notes"> = {},
): RunRecorder {
  return new RunRecorder(name, params, options);
}

/** The run API in one namespace: `runs.record(...)`, `runs.list()`, `runs.compare()`, `runs.load(id)`, `runs.start(...)`. */
export const runs = {
  record: recordRun,
  write: (name: string, content: unknown): string => writeRunFile(name, content),
  read: (name: string, producer?: string): string => readRunFile(name, producer),
  list: listRuns,
  load: loadRun,
  compare: compareRuns,
  start: startRun,
  dir: runsDir,
  path: runPath,
} as const;
