/**
 * `npm run bench -- models [quick]`: fit time and accuracy of trainlab's random forest (100 trees, 2 worker
 * threads) and histogram gradient boosting (100 rounds) against scikit-learn's RandomForestClassifier(n_jobs=2)
 * and HistGradientBoostingClassifier(max_iter=100, early_stopping=False), measured in the same run on the same
 * seeded 20,000×20 classification set (plus 5,000 test rows), generated here and handed to Python as a CSV.
 * When bench/models-nn.ts exists (lib/models/nn), its `nnThroughput()` figures are included.
 *
 * Writes bench/results/models.json with one `ratio_*` field per comparison (time: trainlab / sklearn, lower is
 * better; accuracy: trainlab / sklearn).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Matrix } from "../lib/data/matrix";
import { HistGradientBoostingClassifier, RandomForestClassifier } from "../lib/models";
import { SeededRandom } from "../lib/models/random";
import { PYTHON, PythonAnchorError, runPythonAnchor } from "./tools/python-anchor";

const root = path.resolve(__dirname, "..", "..");
const quick = process.argv.includes("quick");
const REPEATS = quick ? 1 : 3;
const TRAIN_ROWS = 20_000;
const TEST_ROWS = 5_000;
const FEATURES = 20;

/**
 * A make_classification-like set: 2 classes, each 2 Gaussian clusters at hypercube vertices in 10 informative
 * dimensions, 5 redundant linear combinations, 5 noise features, 1% flipped labels. Seeded.
 */
function makeClassification(rows: number, seed: number): { X: Matrix; y: number[] } {
  const rng = new SeededRandom(seed);
  const informative = 10;
  const redundant = 5;
  const centroids = Array.from({ length: 4 }, () =>
    Array.from({ length: informative }, () => (rng.next() < 0.5 ? -1 : 1)),
  );
  const mix = Array.from({ length: redundant }, () => Array.from({ length: informative }, () => rng.next() * 2 - 1));
  const data = new Float64Array(rows * FEATURES);
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const cluster = i % 4;
    let label = cluster % 2;
    const o = i * FEATURES;
    for (let j = 0; j < informative; j++) data[o + j] = centroids[cluster][j] + rng.normal();
    for (let r = 0; r < redundant; r++) {
      let s = 0;
      for (let j = 0; j < informative; j++) s += mix[r][j] * data[o + j];
      data[o + informative + r] = s;
    }
    for (let j = informative + redundant; j < FEATURES; j++) data[o + j] = rng.normal();
    if (rng.next() < 0.01) label = rng.int(2);
    y.push(label);
  }
  return { X: { data, rows, cols: FEATURES }, y };
}

const PY_SCRIPT = String.raw`
import sys, time, json, statistics
import numpy as np
from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier
import sklearn
d = np.loadtxt(sys.argv[1], delimiter=',')
ntr, reps = int(sys.argv[2]), int(sys.argv[3])
X, y = d[:, :-1], d[:, -1].astype(int)
Xtr, ytr, Xte, yte = X[:ntr], y[:ntr], X[ntr:], y[ntr:]
out = {'sklearn': sklearn.__version__}
for name, make in [('rf', lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0)),
                   ('hgb', lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0))]:
    times = []; cpu = []
    for _ in range(reps):
        m = make(); t = time.perf_counter(); c = time.process_time(); m.fit(Xtr, ytr)
        times.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
    out[name + '_fit_s'] = statistics.median(times); out[name + '_cpu_s'] = statistics.median(cpu); out[name + '_accuracy'] = float(m.score(Xte, yte))
print(json.dumps(out))
`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function accuracy(predicted: (number | string)[], truth: number[]): number {
  let hits = 0;
  predicted.forEach((p, i) => (hits += p === truth[i] ? 1 : 0));
  return hits / truth.length;
}

async function timeFit(
  make: () => RandomForestClassifier | HistGradientBoostingClassifier,
  X: Matrix,
  y: number[],
  Xte: Matrix,
  yte: number[],
) {
  const times: number[] = [];
  const cpu: number[] = [];
  let acc = 0;
  for (let r = 0; r < REPEATS; r++) {
    const model = make();
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await model.fit(X, y, { seed: 0 });
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1e6);
    acc = accuracy(model.predict(Xte), yte);
  }
  return { fit_s: median(times), cpu_s: median(cpu), accuracy: acc };
}

async function main(): Promise<void> {
  const load0 = os.loadavg()[0];
  const all = makeClassification(TRAIN_ROWS + TEST_ROWS, 2026);
  const X: Matrix = { data: all.X.data.subarray(0, TRAIN_ROWS * FEATURES), rows: TRAIN_ROWS, cols: FEATURES };
  const Xte: Matrix = { data: all.X.data.subarray(TRAIN_ROWS * FEATURES), rows: TEST_ROWS, cols: FEATURES };
  const y = all.y.slice(0, TRAIN_ROWS);
  const yte = all.y.slice(TRAIN_ROWS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-bench-models-"));
  const csv = path.join(dir, "classification.csv");
  const lines: string[] = [];
  for (let i = 0; i < all.X.rows; i++)
    lines.push(`${Array.from(all.X.data.subarray(i * FEATURES, (i + 1) * FEATURES)).join(",")},${all.y[i]}`);
  fs.writeFileSync(csv, lines.join("\n") + "\n");

  console.log(
    `models bench: ${TRAIN_ROWS}×${FEATURES} train, ${TEST_ROWS} test, ${REPEATS} repeat(s), median fit time; load average ${load0.toFixed(2)} on ${os.cpus().length} cores`,
  );
  const rf = await timeFit(() => new RandomForestClassifier({ nEstimators: 100, nJobs: 2 }), X, y, Xte, yte);
  // Boosting on one thread and with the histogram worker thread; the faster counts (results are identical).
  const hgb1 = await timeFit(
    () => new HistGradientBoostingClassifier({ maxIter: 100, earlyStopping: false, nJobs: 1 }),
    X,
    y,
    Xte,
    yte,
  );
  const hgb2 = await timeFit(
    () => new HistGradientBoostingClassifier({ maxIter: 100, earlyStopping: false, nJobs: 2 }),
    X,
    y,
    Xte,
    yte,
  );
  const hgb = hgb2.fit_s < hgb1.fit_s ? hgb2 : hgb1;

  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    rows: TRAIN_ROWS,
    features: FEATURES,
    test_rows: TEST_ROWS,
    repeats: REPEATS,
    cpus: os.cpus().length,
    trainlab_rf_fit_s: rf.fit_s,
    trainlab_rf_cpu_s: rf.cpu_s,
    trainlab_rf_accuracy: rf.accuracy,
    trainlab_hgb_fit_s: hgb.fit_s,
    trainlab_hgb_cpu_s: hgb.cpu_s,
    trainlab_hgb_accuracy: hgb.accuracy,
    trainlab_hgb_fit_s_1_thread: hgb1.fit_s,
    trainlab_hgb_fit_s_2_threads: hgb2.fit_s,
    trainlab_hgb_threads_used: hgb === hgb2 ? 2 : 1,
  };
  // sklearn in the default env and in the tuned env (see /work/shared/anchors); the faster of the two is the anchor.
  let sk: Record<string, number | string> | null = null;
  for (const envName of ["default", "tuned"] as const) {
    if (!fs.existsSync(PYTHON)) {
      results.sklearn_missing = `${PYTHON} not found`;
      break;
    }
    let run: Record<string, number | string>;
    try {
      run = runPythonAnchor(PY_SCRIPT, [csv, String(TRAIN_ROWS), String(REPEATS)], {
        label: "python3-sklearn",
        tuned: envName === "tuned",
      });
    } catch (err) {
      if (!(err instanceof PythonAnchorError)) throw err;
      results.sklearn_missing = `python3-sklearn failed: ${err.stderr.trim().split("\n").pop() || err.message}`;
      break;
    }
    for (const key of ["rf", "hgb"]) {
      results[`sklearn_${key}_fit_s_${envName}_env`] = run[`${key}_fit_s`];
      results[`sklearn_${key}_cpu_s_${envName}_env`] = run[`${key}_cpu_s`];
    }
    if (!sk) sk = run;
    else {
      for (const key of ["rf", "hgb"]) {
        sk[`${key}_fit_s`] = Math.min(sk[`${key}_fit_s`] as number, run[`${key}_fit_s`] as number);
        sk[`${key}_cpu_s`] = Math.min(sk[`${key}_cpu_s`] as number, run[`${key}_cpu_s`] as number);
      }
    }
  }
  // Goals of issue 18: the forest at most 0.7× scikit-learn's fit time, boosting at most 1.0×.
  const row = (
    label: string,
    ours: { fit_s: number; cpu_s: number; accuracy: number },
    key: string,
    target: number,
  ): void => {
    if (!sk) {
      console.log(
        `${label}: trainlab ${ours.fit_s.toFixed(3)} s, accuracy ${ours.accuracy.toFixed(4)} (sklearn missing: ${results.sklearn_missing})`,
      );
      return;
    }
    const skTime = sk[`${key}_fit_s`] as number;
    const skAcc = sk[`${key}_accuracy`] as number;
    results[`sklearn_${key}_fit_s`] = skTime;
    results[`sklearn_${key}_accuracy`] = skAcc;
    results[`ratio_${key}_fit_time`] = ours.fit_s / skTime;
    // CPU seconds (all threads) are less distorted than wall time when other jobs share the cores.
    results[`sklearn_${key}_cpu_s`] = sk[`${key}_cpu_s`];
    results[`ratio_${key}_cpu_time`] = ours.cpu_s / (sk[`${key}_cpu_s`] as number);
    results[`ratio_${key}_accuracy`] = ours.accuracy / skAcc;
    results[`${key}_accuracy_diff`] = ours.accuracy - skAcc;
    results[`${key}_target_ratio`] = target;
    results[`${key}_meets_target`] = ours.fit_s <= target * skTime && ours.accuracy >= skAcc - 0.01;
    console.log(
      `${label}: trainlab ${ours.fit_s.toFixed(3)} s vs sklearn ${skTime.toFixed(3)} s → ratio ${(ours.fit_s / skTime).toFixed(2)}× (target ≤ ${target}×); ` +
        `accuracy ${ours.accuracy.toFixed(4)} vs ${skAcc.toFixed(4)} (diff ${(ours.accuracy - skAcc).toFixed(4)}, target ≥ -0.01); ` +
        `CPU seconds ${ours.cpu_s.toFixed(3)} vs ${(sk[`${key}_cpu_s`] as number).toFixed(3)} → ${(ours.cpu_s / (sk[`${key}_cpu_s`] as number)).toFixed(2)}×`,
    );
  };
  if (sk) results.sklearn_version = sk.sklearn;
  row("Random forest, 100 trees (trainlab nJobs 2 / sklearn n_jobs=2)", rf, "rf", 0.7);
  console.log(`(trainlab boosting: 1 thread ${hgb1.fit_s.toFixed(3)} s, 2 threads ${hgb2.fit_s.toFixed(3)} s)`);
  if (sk) {
    results.ratio_hgb_fit_time_1_thread = hgb1.fit_s / (sk.hgb_fit_s as number);
    results.ratio_hgb_fit_time_2_threads = hgb2.fit_s / (sk.hgb_fit_s as number);
  }
  row("Gradient boosting, 100 rounds (HistGradientBoosting, no early stopping)", hgb, "hgb", 1.0);

  const nnBench = path.join(__dirname, "models-nn.js");
  if (fs.existsSync(nnBench)) {
    const { nnThroughput } = (await import(nnBench)) as {
      nnThroughput(options: { quick?: boolean }): Promise<Record<string, number>>;
    };
    const nn = await nnThroughput({ quick });
    for (const [k, v] of Object.entries(nn)) results[k.startsWith("ratio_") ? k : `nn_${k}`] = v;
    console.log("Neural networks:", JSON.stringify(nn));
  } else {
    results.nn_missing = "bench/models-nn.ts (lib/models/nn throughput) not present; see npm run bench -- training";
    console.log(`Neural networks: ${results.nn_missing}`);
  }
  results.load_average_start = load0;
  results.load_average_end = os.loadavg()[0];
  fs.rmSync(dir, { recursive: true, force: true });
  const out = path.join(root, "bench", "results", "models.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(`${out}.tmp`, JSON.stringify(results, null, 2) + "\n");
  fs.renameSync(`${out}.tmp`, out);
  console.log(`wrote ${path.relative(root, out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
