/**
 * `npm run bench -- models-nn [quick]`: training throughput (samples/s) of trainlab's neural estimators on the
 * backend lib/backend chose (wasm here), against PyTorch with 2 threads measured in the same run, once with the
 * default environment and once with the tuned malloc/OpenMP environment (the faster anchor is the bar):
 *
 *   - MLP 784-256-128-10, Adam, batch 128: `mlp({ hiddenUnits: [256, 128] })` trained by lib/train (one epoch);
 *   - MNIST-size CNN (conv3x3x16-relu, maxpool2, conv3x3x32-relu, maxpool2, dense10), Adam, batch 64: `cnn()`;
 *   - both again as a bare tfjs `model.fit` of the same layers (what the estimator must cost nothing over).
 *
 * `nnThroughput()` returns the figures (bench/models.ts imports it); run alone it prints them and writes
 * bench/results/models-nn.json. Every figure is the median of 3 interleaved rounds; every `ratio_*` is trainlab /
 * anchor (higher is better; 1 = parity), `ratio_mlp_vs_torch`/`ratio_cnn_vs_torch` against the faster of torch's two
 * environments, `ratio_*_estimator_vs_bare_fit` against the bare model.fit.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../lib/backend";
import { buildNetwork, cnn, mlp, NEURAL_DEFAULTS } from "../lib/models/nn";
import { makeOptimizer } from "../lib/train/loop";
import { pythonCanImport } from "./tools/python-anchor";
import { python } from "./training/python";

/** Median of `runs` measurements (the machine is shared: single runs are noisy). */
async function median(runs: number, measure: () => number | Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

function syntheticLabels(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) % 2147483648) % 10);
}

/** Samples/s of one epoch of trainlab's estimator (after a short warm-up fit on the same shapes). */
async function trainlabThroughput(what: "mlp" | "cnn", n: number, batch: number): Promise<number> {
  const x =
    what === "mlp"
      ? tf.randomNormal([n, 784], 0, 1, "float32", 1)
      : tf.randomNormal([n, 28, 28, 1], 0, 1, "float32", 1);
  const y = syntheticLabels(n, 2);
  const make = () =>
    what === "mlp"
      ? mlp({ hiddenUnits: [256, 128], optimizer: "adam", learningRate: 1e-3, batchSize: batch, epochs: 1, seed: 0 })
      : cnn({
          filters: [16, 32],
          kernelSize: 3,
          poolSize: 2,
          optimizer: "adam",
          learningRate: 1e-3,
          batchSize: batch,
          epochs: 1,
          seed: 0,
        });
  try {
    const warm = make();
    const xs = x.slice(0, batch * 5);
    await warm.fit(xs as tf.Tensor2D, y.slice(0, batch * 5), { live: "none" });
    xs.dispose();
    warm.dispose();
    const model = make();
    const t0 = performance.now();
    await model.fit(x as tf.Tensor2D, y, { live: "none" });
    const seconds = (performance.now() - t0) / 1000;
    model.dispose();
    return n / seconds;
  } finally {
    x.dispose();
  }
}

/**
 * Samples/s of one epoch of a bare tfjs `model.fit` of the estimator's own layers (`buildNetwork`), compiled with the
 * optimizer the estimator trains with (`makeOptimizer`: the native pack's Adam when it is active) and
 * categorical cross-entropy on one-hot labels, after a 5-batch warm-up of the same model: the raw fit the estimator
 * is measured against (`ratio_*_estimator_vs_bare_fit`).
 */
async function bareFitThroughput(what: "mlp" | "cnn", n: number, batch: number): Promise<number> {
  const shape = what === "mlp" ? [784] : [28, 28, 1];
  const x = tf.randomNormal([n, ...shape], 0, 1, "float32", 1);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(syntheticLabels(n, 2), "int32"), 10).asType("float32"));
  const params =
    what === "mlp"
      ? { ...NEURAL_DEFAULTS.mlp, hiddenUnits: [256, 128] }
      : { ...NEURAL_DEFAULTS.cnn, filters: [16, 32], kernelSize: 3, poolSize: 2 };
  const net = buildNetwork(params, shape, 10);
  const wx = x.slice(0, batch * 5),
    wy = y.slice(0, batch * 5);
  try {
    net.compile({ optimizer: makeOptimizer("adam", 1e-3), loss: "categoricalCrossentropy" });
    await net.fit(wx, wy, { batchSize: batch, epochs: 1, verbose: 0 });
    const t0 = performance.now();
    await net.fit(x, y, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
    return n / ((performance.now() - t0) / 1000);
  } finally {
    tf.dispose([x, y, wx, wy]);
    net.dispose();
  }
}

/**
 * Measures MLP and CNN training throughput of trainlab and PyTorch (2 threads, default and tuned env) in one run.
 * Returns samples/s figures and `ratio_*` fields (trainlab / torch). Torch figures are NaN when it is missing.
 */
export async function nnThroughput(options: { quick?: boolean } = {}): Promise<Record<string, number>> {
  // The native kernel pack, when built, accelerates wasm exactly as `import "trainlab"` would; load it before the
  // backend chain runs so its accelerator hook installs.
  type Pack = { nativeKernelsActive(): boolean; uninstallNativeKernels(): void; installNativeKernels(): unknown };
  let pack: Pack | undefined;
  try {
    pack = (await import("../lib/kernels/native")) as Pack;
  } catch {
    pack = undefined;
  }
  const info = await ensureBackend();
  const loadStart = os.loadavg()[0];
  const nMlp = options.quick ? 5000 : 20000;
  const nCnn = options.quick ? 1000 : 3000;
  const out: Record<string, number> = { loadavg_start: loadStart };
  const runs = options.quick ? 1 : 3;
  const tMlp = options.quick ? 10000 : 60000;
  const tCnn = options.quick ? 2000 : 5000;
  const hasTorch = pythonCanImport("torch");
  if (!hasTorch)
    console.log("python3-torch is missing (/usr/bin/python3 cannot import torch): no PyTorch anchor, ratios are NaN.");
  // PyTorch runs bench/training's MLP and CNN workloads (bench/training/python.ts), the same models as above.
  const torch = (what: "mlp" | "cnn", n: number, batch: number, tuned: boolean) =>
    hasTorch ? python([what, String(n), String(batch)], tuned) : NaN;
  // Interleaved rounds (each round measures every series once), medians per series: the 2 cores are shared, and a
  // burst of other work then hits all series alike instead of one.
  const series: [string, () => number | Promise<number>][] = [
    ["trainlab_mlp_samples_s", () => trainlabThroughput("mlp", nMlp, 128)],
    ["bare_fit_mlp_samples_s", () => bareFitThroughput("mlp", nMlp, 128)],
    ["torch_mlp_default_samples_s", () => torch("mlp", tMlp, 128, false)],
    ["torch_mlp_tuned_samples_s", () => torch("mlp", tMlp, 128, true)],
    ["trainlab_cnn_samples_s", () => trainlabThroughput("cnn", nCnn, 64)],
    ["bare_fit_cnn_samples_s", () => bareFitThroughput("cnn", nCnn, 64)],
    ["torch_cnn_default_samples_s", () => torch("cnn", tCnn, 64, false)],
    ["torch_cnn_tuned_samples_s", () => torch("cnn", tCnn, 64, true)],
  ];
  const measured: Record<string, number[]> = {};
  for (let r = 0; r < runs; r++) for (const [name, measure] of series) (measured[name] ??= []).push(await measure());
  for (const [name] of series) out[name] = await median(runs, () => measured[name].shift() as number);
  // The same estimators on stock wasm (plus lib/kernels/wasm-gradients), when the native pack is what ran above.
  out.native_kernel_pack = pack?.nativeKernelsActive() ? 1 : 0;
  if (pack?.nativeKernelsActive()) {
    pack.uninstallNativeKernels();
    try {
      out.trainlab_mlp_stock_wasm_samples_s = await trainlabThroughput("mlp", Math.min(nMlp, 5000), 128);
      out.trainlab_cnn_stock_wasm_samples_s = await trainlabThroughput("cnn", Math.min(nCnn, 1000), 64);
    } finally {
      pack.installNativeKernels();
    }
  }
  const best = (a: number, b: number) => Math.max(a, b);
  out.ratio_mlp_vs_torch =
    out.trainlab_mlp_samples_s / best(out.torch_mlp_default_samples_s, out.torch_mlp_tuned_samples_s);
  out.ratio_mlp_vs_torch_default = out.trainlab_mlp_samples_s / out.torch_mlp_default_samples_s;
  out.ratio_cnn_vs_torch =
    out.trainlab_cnn_samples_s / best(out.torch_cnn_default_samples_s, out.torch_cnn_tuned_samples_s);
  out.ratio_cnn_vs_torch_default = out.trainlab_cnn_samples_s / out.torch_cnn_default_samples_s;
  out.ratio_mlp_estimator_vs_bare_fit = out.trainlab_mlp_samples_s / out.bare_fit_mlp_samples_s;
  out.ratio_cnn_estimator_vs_bare_fit = out.trainlab_cnn_samples_s / out.bare_fit_cnn_samples_s;
  out.loadavg_end = os.loadavg()[0];
  console.log(`backend: ${info.summary()}`);
  return out;
}

if (require.main === module) {
  (async () => {
    const quick = process.argv.includes("quick");
    const r = await nnThroughput({ quick });
    const f = (v: number) =>
      Number.isFinite(v) ? (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(3)) : "n/a";
    console.log("Neural-network training throughput (samples/s), trainlab on the chosen backend vs PyTorch 2 threads:");
    console.log(
      `  MLP 784-256-128-10, Adam, batch 128: trainlab ${f(r.trainlab_mlp_samples_s)} · torch ${f(r.torch_mlp_default_samples_s)} (default env), ${f(r.torch_mlp_tuned_samples_s)} (tuned env) · ratio ${f(r.ratio_mlp_vs_torch)} (vs default ${f(r.ratio_mlp_vs_torch_default)})`,
    );
    console.log(
      `  CNN conv16-pool-conv32-pool-dense10, Adam, batch 64: trainlab ${f(r.trainlab_cnn_samples_s)} · torch ${f(r.torch_cnn_default_samples_s)} (default env), ${f(r.torch_cnn_tuned_samples_s)} (tuned env) · ratio ${f(r.ratio_cnn_vs_torch)} (vs default ${f(r.ratio_cnn_vs_torch_default)})`,
    );
    const dir = path.resolve(__dirname, "..", "..", "bench", "results");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "models-nn.json");
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(
      tmp,
      JSON.stringify(
        { bench: "models-nn", date: new Date().toISOString(), quick, ...r },
        (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
        2,
      ),
    );
    fs.renameSync(tmp, file);
    console.log(
      `  estimator fit vs a bare tfjs model.fit of the same layers (same optimizer): MLP ${f(r.ratio_mlp_estimator_vs_bare_fit)} (bare ${f(r.bare_fit_mlp_samples_s)}), CNN ${f(r.ratio_cnn_estimator_vs_bare_fit)} (bare ${f(r.bare_fit_cnn_samples_s)}) · load average ${r.loadavg_start.toFixed(1)} → ${r.loadavg_end.toFixed(1)} on ${os.cpus().length} cores`,
    );
    if (r.trainlab_mlp_stock_wasm_samples_s) {
      console.log(
        `  on stock wasm (native kernel pack off): MLP ${f(r.trainlab_mlp_stock_wasm_samples_s)}, CNN ${f(r.trainlab_cnn_stock_wasm_samples_s)} samples/s`,
      );
    }
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
