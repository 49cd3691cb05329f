/**
 * checkEstimator: scikit-learn's `check_estimator` for trainlab. Runs the estimator contract's checks on one
 * estimator (fit returns the model, params round-trip, NotFittedError before fit, ValidationError on bad labels,
 * features and lengths, seeded determinism, label types kept, save → load identical, corrupt weight files refused
 * naming the file, no tfjs tensor leak), and finds every estimator a module exports ({@link discoverEstimators}).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { NotFittedError, ValidationError } from "../core/validation";
import { ESTIMATOR_FACTORY, Estimator, Params } from "./estimator";
import { loadModel } from "./load";

/** Real data the checks fit on: plain rows and a target (class labels for classifiers, numbers for regressors). */
export interface CheckData {
  X: number[][];
  /** Ignored by clusterers (may be omitted). */
  y?: (number | string)[];
}

/** The outcome of one check. */
export interface EstimatorCheckResult {
  check: string;
  status: "pass" | "fail" | "not applicable";
  detail: string;
}

/** Builds an unfitted estimator, optionally with some params changed. */
export type MakeEstimator = (params?: Params) => Estimator;

/** An estimator found by {@link discoverEstimators}: the export it came from and how to build it. */
export interface DiscoveredEstimator {
  /** The export name, with the variant for factories (e.g. `mlp({"task":"regression"})`). */
  exportName: string;
  /** The estimator's own name (e.g. `MLPRegressor`). */
  name: string;
  kind: Estimator["kind"];
  make: MakeEstimator;
}

function isEstimator(x: unknown): x is Estimator {
  const e = x as Estimator;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.fit === "function" &&
    typeof e.predict === "function" &&
    typeof e.getParams === "function" &&
    typeof e.withParams === "function" &&
    typeof e.save === "function" &&
    typeof e.kind === "string"
  );
}

/**
 * Every estimator a module exports (pass `import * as trainlab from "trainlab"`): classes whose prototype has the
 * estimator methods and that build with no arguments, and factories marked with `markEstimatorFactory`, one entry
 * per variant. Classes with the estimator methods that need constructor arguments are listed in `unconstructible`,
 * so a caller can assert they are only the known bases.
 */
export function discoverEstimators(exports: Record<string, unknown>): {
  estimators: DiscoveredEstimator[];
  unconstructible: string[];
} {
  const estimators: DiscoveredEstimator[] = [];
  const unconstructible: string[] = [];
  for (const [exportName, value] of Object.entries(exports)) {
    if (typeof value !== "function") continue;
    const variants = (value as { [ESTIMATOR_FACTORY]?: readonly Params[] })[ESTIMATOR_FACTORY];
    if (variants) {
      for (const variant of variants) {
        const make: MakeEstimator = (params = {}) => (value as (p: Params) => Estimator)({ ...variant, ...params });
        const sample = make();
        estimators.push({
          exportName: `${exportName}(${JSON.stringify(variant)})`,
          name: sample.name,
          kind: sample.kind,
          make,
        });
      }
      continue;
    }
    const proto = (value as { prototype?: Record<string, unknown> }).prototype;
    if (!proto || !/^class\b/.test(Function.prototype.toString.call(value))) continue;
    if (typeof proto.fit !== "function" || typeof proto.predict !== "function") continue;
    const Ctor = value as new (params?: Params) => Estimator;
    let sample: Estimator;
    try {
      sample = new Ctor();
    } catch {
      unconstructible.push(exportName);
      continue;
    }
    if (!isEstimator(sample)) continue;
    estimators.push({ exportName, name: sample.name, kind: sample.kind, make: (params = {}) => new Ctor(params) });
  }
  return { estimators, unconstructible };
}

async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

function describeError(err: unknown): string {
  if (err === undefined) return "no error was thrown";
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function disposeIfPossible(model: unknown): void {
  const d = (model as { dispose?: () => void }).dispose;
  if (typeof d === "function") d.call(model);
}

/** Predictions plus probabilities (classifiers), as one comparable value. */
function outputsOf(model: Estimator, X: number[][]): unknown {
  const pred = model.predict(X);
  const proba =
    model.kind === "classifier" && typeof (model as { predictProba?: unknown }).predictProba === "function"
      ? (model as unknown as { predictProba(X: number[][]): number[][] }).predictProba(X)
      : null;
  return { pred, proba };
}

/** The binary files a saved model directory holds (its weights), relative names. */
function binaryFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".bin"))
    .sort();
}

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

/**
 * Runs the estimator checks on the estimators `make` builds, fitting on `data` (real data, a few hundred rows).
 * Returns one result per check; it throws only on an error outside the checks.
 * `seed` is the fit seed of the determinism checks (default 7).
 */
export async function checkEstimator(
  make: MakeEstimator,
  data: CheckData,
  options: { seed?: number } = {},
): Promise<EstimatorCheckResult[]> {
  const results: EstimatorCheckResult[] = [];
  const seed = options.seed ?? 7;
  const { X } = data;
  const y = data.y;
  const probe = make();
  const kind = probe.kind;
  const supervised = kind !== "clusterer";
  if (supervised && (!y || y.length !== X.length))
    throw new Error(`checkEstimator(${probe.name}): data.y must have one value per row of data.X.`);
  const record = (check: string, ok: boolean, detail: string) =>
    results.push({ check, status: ok ? "pass" : "fail", detail });
  const na = (check: string, detail: string) => results.push({ check, status: "not applicable", detail });
  const expectError = async (
    check: string,
    type: typeof ValidationError | typeof NotFittedError,
    fn: () => unknown,
    pattern?: RegExp,
  ) => {
    const err = await errorOf(fn);
    const ok = err instanceof type && (!pattern || pattern.test((err as Error).message));
    record(
      check,
      ok,
      ok
        ? (err as Error).message
        : `expected ${type.name}${pattern ? ` matching ${pattern}` : ""}, got ${describeError(err)}`,
    );
  };
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-check-"));
  const fitted: Estimator[] = [];
  try {
    // fit returns the model
    const model = make();
    const returned = await model.fit(X, y, { seed });
    fitted.push(model);
    record(
      "fit returns the model",
      returned === model && model.fitted,
      returned === model
        ? model.fitted
          ? "fit returned the same object, now fitted"
          : "fitted is still false after fit"
        : "fit returned another object",
    );

    // params
    const params = probe.getParams();
    const copy = probe.withParams({});
    const again = probe.withParams(params);
    const paramsOk =
      sameJson(JSON.parse(JSON.stringify(params)), params) &&
      sameJson(copy.getParams(), params) &&
      sameJson(again.getParams(), params) &&
      copy !== probe &&
      !copy.fitted;
    record(
      "getParams/withParams round-trip",
      paramsOk,
      paramsOk
        ? `${Object.keys(params).length} params survive JSON and withParams`
        : `getParams ${JSON.stringify(params)} vs withParams copy ${JSON.stringify(copy.getParams())}`,
    );
    const fittedCopy = model.withParams({});
    record(
      "withParams on a fitted model gives an unfitted copy",
      !fittedCopy.fitted,
      fittedCopy.fitted ? "the copy says it is fitted" : "unfitted",
    );

    // not fitted
    await expectError("predict before fit throws NotFittedError", NotFittedError, () => make().predict(X));
    await expectError("save before fit throws NotFittedError", NotFittedError, () =>
      make().save(path.join(tmpRoot, "unfitted")),
    );

    // labels
    if (supervised && y) {
      const withAt = (v: unknown) => y.map((t, i) => (i === 1 ? v : t)) as (number | string)[];
      await expectError(
        "null in y gives ValidationError",
        ValidationError,
        () => make().fit(X, withAt(null), { seed }),
        /y\[1\]|row 1/,
      );
      await expectError(
        "NaN in y gives ValidationError",
        ValidationError,
        () => make().fit(X, withAt(Number.NaN), { seed }),
        /y\[1\]|row 1/,
      );
      await expectError(
        "X/y length mismatch gives ValidationError",
        ValidationError,
        () => make().fit(X, y.slice(0, -1), { seed }),
        new RegExp(`${X.length} rows but y has ${X.length - 1}`),
      );
    } else {
      for (const c of [
        "null in y gives ValidationError",
        "NaN in y gives ValidationError",
        "X/y length mismatch gives ValidationError",
      ])
        na(c, "clusterers take no target");
    }
    if (kind === "classifier" && y) {
      const codes = new Map<number | string, number>(Array.from(new Set(y)).map((c, i) => [c, i]));
      const fractional = y.map((v) => (codes.get(v) as number) + 0.5);
      await expectError(
        "fractional labels give ValidationError suggesting a regressor",
        ValidationError,
        () => make().fit(X, fractional, { seed }),
        /regressor/,
      );
      await expectError(
        "a single class gives ValidationError",
        ValidationError,
        () =>
          make().fit(
            X,
            y.map(() => y[0]),
            { seed },
          ),
        /one class/,
      );
      const names = y.map((v) => `class ${v}`);
      const named = await make().fit(X, names, { seed });
      fitted.push(named);
      const predNamed = named.predict(X.slice(0, 20));
      const numeric = y.map((v) => codes.get(v) as number);
      const coded = await make().fit(X, numeric, { seed });
      fitted.push(coded);
      const predCoded = coded.predict(X.slice(0, 20));
      const typesOk =
        predNamed.every((p) => typeof p === "string" && names.includes(p)) &&
        predCoded.every((p) => typeof p === "number" && numeric.includes(p));
      record(
        "predictions keep the label type given (strings stay strings, numbers numbers)",
        typesOk,
        typesOk
          ? "string and integer labels round-trip"
          : `got ${JSON.stringify(predNamed.slice(0, 3))} and ${JSON.stringify(predCoded.slice(0, 3))}`,
      );
      const predAll = named.predict(X);
      const expected = predAll.filter((p, i) => p === names[i]).length / names.length;
      const identityOk = named.score(X, names) === expected && coded.score(X, numeric.map(String)) === 0;
      record(
        "score compares labels by identity (===), as the metrics do",
        identityOk,
        identityOk
          ? `accuracy ${expected}; labels "0" and 0 are different classes`
          : "score disagrees with === on the predictions",
      );
    } else {
      for (const c of [
        "fractional labels give ValidationError suggesting a regressor",
        "a single class gives ValidationError",
        "predictions keep the label type given (strings stay strings, numbers numbers)",
        "score compares labels by identity (===), as the metrics do",
      ]) {
        na(c, kind === "regressor" ? "regressors take numeric targets" : "clusterers take no target");
      }
    }
    if (kind === "regressor" && y) {
      await expectError(
        "string targets give ValidationError",
        ValidationError,
        () =>
          make().fit(
            X,
            y.map((v, i) => (i === 2 ? "high" : v)),
            { seed },
          ),
        /row 2/,
      );
    } else na("string targets give ValidationError", "only regressors need numeric targets");

    // features
    const badX = (v: unknown) =>
      X.map((row, i) => (i === 2 ? row.map((x, j) => (j === 1 ? v : x)) : row)) as number[][];
    await expectError(
      "NaN in X gives ValidationError naming row and column",
      ValidationError,
      () => make().fit(badX(Number.NaN), y, { seed }),
      /row 2, column 1/i,
    );
    await expectError(
      "null in X gives ValidationError naming row and column",
      ValidationError,
      () => make().fit(badX(null), y, { seed }),
      /row 2, column 1/i,
    );
    await expectError("predict with another column count gives ValidationError", ValidationError, () =>
      model.predict(X.map((r) => r.slice(1))),
    );

    // determinism
    const first = outputsOf(model, X);
    const twin = await make().fit(X, y, { seed });
    fitted.push(twin);
    record(
      "the same seed gives the same model",
      sameJson(outputsOf(twin, X), first),
      "predictions (and probabilities) compared exactly",
    );
    const clone = await model.withParams(model.getParams()).fit(X, y, { seed });
    fitted.push(clone);
    record(
      "a withParams(getParams()) copy fits to the same model",
      sameJson(outputsOf(clone, X), first),
      "the params hold every setting that shapes the model",
    );
    const d1 = await make().fit(X, y);
    const d2 = await make().fit(X, y);
    fitted.push(d1, d2);
    record(
      "fits without a seed are reproducible (default seed)",
      sameJson(outputsOf(d1, X), outputsOf(d2, X)),
      "two fits with no seed compared exactly",
    );

    // save → load
    const saved = path.join(tmpRoot, "model");
    await model.save(saved);
    const loaded = await loadModel(saved);
    fitted.push(loaded);
    const same = loaded.name === model.name && sameJson(outputsOf(loaded, X), first);
    record(
      "save → loadModel gives identical predictions",
      same,
      same ? `${loaded.name} restored` : `loaded ${loaded.name}, predictions differ`,
    );

    // corrupt weight files
    const bins = binaryFiles(saved);
    if (bins.length === 0) {
      for (const c of [
        "a truncated weights file is refused, naming it",
        "an empty weights file is refused, naming it",
        "a missing weights file is refused, naming it",
      ])
        na(c, "the model saves no binary file");
    }
    for (const bin of bins) {
      const size = fs.statSync(path.join(saved, bin)).size;
      const damages: [string, (file: string) => void][] = [
        ["truncated", (f) => fs.truncateSync(f, Math.floor(size / 2))],
        ["empty", (f) => fs.truncateSync(f, 0)],
        ["missing", (f) => fs.rmSync(f)],
      ];
      for (const [what, damage] of damages) {
        const check = `a${what === "empty" ? "n" : ""} ${what} ${bin} is refused, naming it`;
        if (size === 0 && what !== "missing") {
          na(check, `${bin} is empty when saved`);
          continue;
        }
        const broken = path.join(tmpRoot, `broken-${what}-${bin}`);
        copyDir(saved, broken);
        damage(path.join(broken, bin));
        let loadedBroken: Estimator | undefined;
        const err = await errorOf(async () => {
          loadedBroken = await loadModel(broken);
        });
        if (loadedBroken) fitted.push(loadedBroken);
        const message = err instanceof Error ? err.message : "";
        const ok = message.includes(path.join(broken, bin));
        record(
          check,
          ok,
          ok ? message : `expected an error naming ${path.join(broken, bin)}, got ${describeError(err)}`,
        );
      }
    }

    // tensor leak: a full cycle after the warm-up above
    const before = tf.memory().numTensors;
    const cycle = await make().fit(X, y, { seed });
    cycle.predict(X);
    outputsOf(cycle, X);
    if (supervised && y) cycle.score(X, y);
    const leakDir = path.join(tmpRoot, "leak");
    await cycle.save(leakDir);
    const reloaded = await loadModel(leakDir);
    reloaded.predict(X);
    disposeIfPossible(cycle);
    disposeIfPossible(reloaded);
    const after = tf.memory().numTensors;
    record(
      "no tfjs tensor leak (fit, predict, score, save, load, dispose)",
      after === before,
      `${before} tensors before, ${after} after`,
    );
  } finally {
    fitted.forEach(disposeIfPossible);
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  }
  return results;
}
