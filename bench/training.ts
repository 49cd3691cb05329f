/**
 * `npm run bench -- training [quick]`: training throughput of tfjs on stock wasm, on wasm + trainlab's native
 * kernel pack, and of PyTorch (2 threads; default env and the tuned env) measured in the same run.
 *
 *   - MLP 784-256-128-10, Adam, batch 128 and 512, one epoch of synthetic data via model.fit (samples/s); on the pack
 *     also with tfjs's own gradients for the loss path (setNativeLossGradients(false)), for before/after in one run;
 *   - MNIST-size CNN: conv3x3x16-relu, maxpool2, conv3x3x32-relu, maxpool2, dense10; Adam, batch 64 (samples/s);
 *   - 1024² float32 matmul (GFLOP/s) against numpy, with the result read back (dataSync, as the anchor
 *     bench_matmul.js does) and without (like numpy's `a @ b`, which leaves the product in memory);
 *   - the MLP again through lib/train's `train()`, the loop trainlab users call: with the native pack it takes the
 *     fused step (one native call per batch) for dense softmax classifiers;
 *   - sequence models at the tutorials' sizes (50 steps of 8 features, 2 classes, Adam, batch 64), built by trainlab's
 *     own `buildNetwork` (what `rnn()` and `transformer()` train): LSTM and GRU with 64 units against PyTorch's
 *     `nn.LSTM` / `nn.GRU` (last hidden state -> linear), and the transformer encoder (dModel 32, 4 heads, ff 64, one
 *     post-norm block, learned positions, mean pooling) against `nn.TransformerEncoder` of the same shape.
 *     `npm run bench -- training sequence` runs only these (and merges them into the existing results file). The
 *     LSTM and GRU are also timed with the pack's fused recurrent kernels off (tfjs's cells, op by op), in the same run.
 * Native and Python figures are medians of 3 interleaved rounds (the 2 cores are shared with other work). The
 * matmul, whose speed on this VM drifts by ±30% within seconds, alternates finer: 16 rounds of three blocks of 10
 * products (tfjs with readback, tfjs without, and one long-lived numpy process; reversed in odd rounds), with a
 * 250 ms pause after each block so that the other process's idle BLAS threads have stopped spinning. GFLOP/s are
 * from the medians over all blocks; each ratio is the median over rounds of that round's ratio of medians (its
 * blocks lie within about a second of each other, so the machine's drift mostly cancels).
 * Both sides are measured in their steady state. numpy frees each product at once and its next one reuses the
 * memory; a tfjs readback's buffer is freed only when V8's GC collects it, so the first ~30 such readbacks in a process
 * land on fresh pages (1,024 page faults for 4 MB, about 1.3 ms on this VM) until GC returns earlier buffers to
 * malloc. The tfjs side therefore warms up with 40 products, whose figure is reported as `native_first_40`.
 *
 * Writes bench/results/training.json with one `ratio_*` field per comparison. Stock wasm cannot train the CNN
 * by itself (no Conv2DBackpropFilter): it runs with lib/kernels/wasm-gradients' JS fallback for that kernel.
 */
import { spawn, spawnSync } from "child_process";
import * as readline from "readline";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { useBackend } from "../lib/backend";
import {
  installNativeKernels,
  nativeAdam,
  nativeKernelStatus,
  setFusedRecurrent,
  setNativeLossGradients,
  uninstallNativeKernels,
} from "../lib/kernels/native";
import { train } from "../lib/train";
import { buildNetwork, NEURAL_DEFAULTS } from "../lib/models/nn";

const root = path.resolve(__dirname, "..", "..");
const quick = process.argv.includes("quick");
const sequenceOnly = process.argv.includes("sequence");
const PY = "/usr/bin/python3";
const TUNED_ENV = {
  GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295",
  OMP_WAIT_POLICY: "passive",
};

const PY_SCRIPT = String.raw`
import sys, time, json
what = sys.argv[1]
if what == 'numpy':
    # A long-lived worker: each line read from stdin is a number of products to time; it answers with their seconds.
    import numpy as np
    n = 1024; rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32); b = rng.random((n, n), dtype=np.float32)
    for _ in range(3): a @ b
    print('ready', flush=True)
    for line in sys.stdin:
        ts = []
        for _ in range(int(line)):
            t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
        print(json.dumps(ts), flush=True)
    sys.exit(0)
import torch, torch.nn as nn
torch.set_num_threads(2); torch.manual_seed(0)
N, B = int(sys.argv[2]), int(sys.argv[3])
if what == 'mlp':
    X = torch.randn(N, 784); y = torch.randint(0, 10, (N,))
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
elif what in ('lstm', 'gru'):
    X = torch.randn(N, 50, 8); y = torch.randint(0, 2, (N,))
    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = (nn.LSTM if what == 'lstm' else nn.GRU)(8, 64, batch_first=True); self.out = nn.Linear(64, 2)
        def forward(self, x):
            return self.out(self.rnn(x)[0][:, -1])
    model = Recurrent()
elif what == 'transformer':
    X = torch.randn(N, 50, 8); y = torch.randint(0, 2, (N,))
    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(8, 32); self.pos = nn.Parameter(torch.zeros(1, 50, 32))
            self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True), 1)
            self.out = nn.Linear(32, 2)
        def forward(self, x):
            return self.out(self.enc(self.inp(x) + self.pos).mean(1))
    model = Encoder()
else:
    X = torch.randn(N, 1, 28, 28); y = torch.randint(0, 10, (N,))
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(800, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3); lossf = nn.CrossEntropyLoss()
def step(xb, yb):
    opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step(); return loss
for i in range(5): step(X[i*B:(i+1)*B], y[i*B:(i+1)*B])
t0 = time.perf_counter(); perm = torch.randperm(N)
for i in range(0, N, B):
    idx = perm[i:i+B]; loss = step(X[idx], y[idx])
loss.item(); dt = time.perf_counter() - t0
print(json.dumps({'samples_s': N / dt}))
`;

function python(args: string[], tuned: boolean): number {
  const file = path.join(os.tmpdir(), `trainlab-bench-training-${process.pid}.py`);
  fs.writeFileSync(file, PY_SCRIPT);
  const env = { ...process.env, ...(tuned ? TUNED_ENV : {}) };
  const r = spawnSync(PY, [file, ...args], { env, encoding: "utf8", timeout: 600000 });
  fs.rmSync(file, { force: true });
  if (r.status !== 0) throw new Error(`python ${args.join(" ")} failed: ${r.stderr || r.error?.message}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { samples_s?: number; gflops?: number };
  return out.samples_s ?? out.gflops ?? NaN;
}

function buildMlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 256, activation: "relu", inputShape: [784] }),
      tf.layers.dense({ units: 128, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

function buildCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

/** The tutorials' sequence shape: 50 steps of 8 features, 2 classes. */
const SEQUENCE_SHAPE = [50, 8];

/** trainlab's own sequence networks (what `rnn()` / `transformer()` build), at the sizes the header names. */
const sequenceBuilders: Record<"lstm" | "gru" | "transformer", () => tf.Sequential> = {
  lstm: () => buildNetwork({ ...NEURAL_DEFAULTS.rnn, cell: "lstm", units: 64 }, SEQUENCE_SHAPE, 2),
  gru: () => buildNetwork({ ...NEURAL_DEFAULTS.rnn, cell: "gru", units: 64 }, SEQUENCE_SHAPE, 2),
  transformer: () => buildNetwork({ ...NEURAL_DEFAULTS.transformer, maxLength: 50 }, SEQUENCE_SHAPE, 2),
};

/** One sequence model's figures: samples/s (medians of interleaved rounds) and ratios against tuned PyTorch. */
interface SequenceFigures {
  native: number;
  torch_tuned: number;
  ratio_vs_torch_tuned: number;
  /** LSTM and GRU only: the same model on the pack with the fused recurrent kernels off (tfjs's cells, op by op). */
  native_unfused?: number;
  ratio_unfused_vs_torch_tuned?: number;
  runs: { native: number[]; torch_tuned: number[]; native_unfused?: number[] };
}

/**
 * Samples per second of each sequence model on the native pack and in tuned PyTorch, medians of `rounds` interleaved
 * rounds. For the LSTM and GRU each round also times the per-cell path (setFusedRecurrent(false): the state before
 * the fused kernels) on a quarter of the samples, so before and after come from the same run.
 */
async function sequenceThroughput(n: number, rounds: number): Promise<Record<string, SequenceFigures>> {
  const out: Record<string, SequenceFigures> = {};
  for (const name of Object.keys(sequenceBuilders) as Array<keyof typeof sequenceBuilders>) {
    const native: number[] = [],
      torchTuned: number[] = [],
      unfused: number[] = [];
    const recurrent = name !== "transformer";
    for (let r = 0; r < rounds; r++) {
      native.push(await fitThroughput(sequenceBuilders[name], SEQUENCE_SHAPE, n, 64, () => nativeAdam(1e-3), 2));
      torchTuned.push(python([name, String(n), "64"], true));
      if (recurrent) {
        const previous = setFusedRecurrent(false);
        try {
          unfused.push(
            await fitThroughput(
              sequenceBuilders[name],
              SEQUENCE_SHAPE,
              Math.max(512, n / 4),
              64,
              () => nativeAdam(1e-3),
              2,
            ),
          );
        } finally {
          setFusedRecurrent(previous);
        }
      }
    }
    out[name] = {
      native: round(median(native)),
      torch_tuned: round(median(torchTuned)),
      ratio_vs_torch_tuned: round(median(native) / median(torchTuned), 3),
      ...(recurrent
        ? {
            native_unfused: round(median(unfused)),
            ratio_unfused_vs_torch_tuned: round(median(unfused) / median(torchTuned), 3),
          }
        : {}),
      runs: { native, torch_tuned: torchTuned, ...(recurrent ? { native_unfused: unfused } : {}) },
    };
  }
  return out;
}

/** Runs `f` with tfjs's own gradients for the loss path instead of the pack's (the state before they existed). */
async function withTfjsLossGradients<T>(f: () => Promise<T>): Promise<T> {
  const previous = setNativeLossGradients(false);
  try {
    return await f();
  } finally {
    setNativeLossGradients(previous);
  }
}

/** One epoch of model.fit over N synthetic samples after a 5-batch warm-up; samples per second. */
async function fitThroughput(
  build: () => tf.Sequential,
  inputShape: number[],
  n: number,
  batch: number,
  optimizer: () => tf.Optimizer,
  classes = 10,
): Promise<number> {
  const x = tf.randomNormal([n, ...inputShape], 0, 1, "float32", 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([n], 0, classes, "int32", 2), classes).asType("float32"));
  const model = build();
  model.compile({ optimizer: optimizer(), loss: "categoricalCrossentropy" });
  const wx = x.slice(0, 5 * batch),
    wy = y.slice(0, 5 * batch);
  await model.fit(wx, wy, { batchSize: batch, epochs: 1, verbose: 0 });
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
  const dt = (performance.now() - t0) / 1000;
  tf.dispose([x, y, wx, wy]);
  model.dispose();
  return n / dt;
}

const MATMUL_N = 1024;

/** Times `reps` 1024² tf.matMul products (with dataSync when `readBack`), in ms each. */
function matmulTimes(reps: number, readBack = true): number[] {
  const n = MATMUL_N;
  const a = tf.randomUniform([n, n], 0, 1, "float32", 1),
    b = tf.randomUniform([n, n], 0, 1, "float32", 2);
  // (tf.tidy must not return the typed array: tidy walks every element of what it returns.)
  const once = () => {
    const c = tf.matMul(a, b);
    if (readBack) c.dataSync();
    c.dispose();
  };
  for (let i = 0; i < 2; i++) once();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    once();
    ts.push(performance.now() - t);
  }
  tf.dispose([a, b]);
  return ts;
}

function median(v: number[]): number {
  return [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
}

function gflops(ms: number): number {
  return (2 * MATMUL_N ** 3) / (ms / 1000) / 1e9;
}

function matmulGflops(reps: number, readBack = true): number {
  return gflops(median(matmulTimes(reps, readBack)));
}

/** A long-lived numpy process (the PY_SCRIPT "numpy" worker): `time(k)` runs k 1024² products, returns their ms. */
async function numpyWorker(): Promise<{ time: (k: number) => Promise<number[]>; close: () => void }> {
  const file = path.join(os.tmpdir(), `trainlab-bench-numpy-${process.pid}.py`);
  fs.writeFileSync(file, PY_SCRIPT);
  const child = spawn(PY, [file, "numpy"], { env: process.env, stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  const failed = new Promise<never>((_, reject) =>
    child.on("exit", (code) => reject(new Error(`the numpy worker exited (${code})`))),
  );
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else lines.push(line);
  });
  const next = () =>
    Promise.race([
      failed,
      lines.length ? Promise.resolve(lines.shift() as string) : new Promise<string>((r) => (waiting = r)),
    ]);
  try {
    if ((await next()) !== "ready") throw new Error("the numpy worker did not start");
  } finally {
    fs.rmSync(file, { force: true });
  }
  return {
    time: async (k) => {
      child.stdin.write(`${k}\n`);
      return (JSON.parse(await next()) as number[]).map((sec) => sec * 1000);
    },
    close: () => {
      failed.catch(() => undefined);
      child.stdin.end();
    },
  };
}

interface MatmulComparison {
  /** GFLOP/s from the median time over all blocks. */
  read: number;
  noRead: number;
  numpy: number;
  readFirst40: number;
  /** Medians over the rounds of numpy's median time / tfjs's median time, each pair measured within ~1 s. */
  ratioRead: number;
  ratioNoRead: number;
  rounds: number;
}

/** Matmul GFLOP/s of tfjs (with and without readback) and numpy, from finely alternated blocks (see the header). */
async function matmulAlternated(rounds: number): Promise<MatmulComparison> {
  const readFirst40 = gflops(median(matmulTimes(40, true)));
  const np = await numpyWorker();
  const pause = () => new Promise((r) => setTimeout(r, 250));
  const read: number[] = [],
    noRead: number[] = [],
    numpy: number[] = [];
  const ratioRead: number[] = [],
    ratioNoRead: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      // Odd rounds run the blocks in reverse order, so a steady drift of the machine's speed favours neither side.
      const blocks: Array<() => Promise<number[]>> = [
        async () => matmulTimes(10, true),
        async () => matmulTimes(10, false),
        () => np.time(10),
      ];
      const order = i % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
      const got: number[][] = [[], [], []];
      for (const k of order) {
        got[k] = await blocks[k]();
        await pause();
      }
      read.push(...got[0]);
      noRead.push(...got[1]);
      numpy.push(...got[2]);
      ratioRead.push(median(got[2]) / median(got[0]));
      ratioNoRead.push(median(got[2]) / median(got[1]));
    }
  } finally {
    np.close();
  }
  return {
    read: gflops(median(read)),
    noRead: gflops(median(noRead)),
    numpy: gflops(median(numpy)),
    readFirst40,
    ratioRead: median(ratioRead),
    ratioNoRead: median(ratioNoRead),
    rounds,
  };
}

/** lib/train's train() (Adam, shuffled, no live display) on the same MLP and data as fitThroughput. */
async function trainThroughput(n: number, batch: number): Promise<number> {
  const x = tf.randomNormal([n, 784], 0, 1, "float32", 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([n], 0, 10, "int32", 2), 10).asType("float32"));
  const model = buildMlp();
  const options = {
    loss: "categoricalCrossentropy" as const,
    optimizer: "adam" as const,
    learningRate: 1e-3,
    batchSize: batch,
    epochs: 1,
    live: "none" as const,
    seed: 1,
  };
  const wx = x.slice(0, 5 * batch),
    wy = y.slice(0, 5 * batch);
  await train(model, { x: wx, y: wy }, options);
  const t0 = performance.now();
  const history = await train(model, { x, y }, options);
  const dt = (performance.now() - t0) / 1000;
  if (!history.fusedStep) throw new Error("train() did not take the native fused step for the MLP");
  tf.dispose([x, y, wx, wy]);
  model.dispose();
  return n / dt;
}

function round(v: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

async function main(): Promise<void> {
  try {
    // Stock wasm lacks Conv2DBackpropFilter; lib/kernels/wasm-gradients' JS fallback (registered before the native
    // pack, which overrides it and restores it when uninstalled) lets the stock CNN train.
    await import("../lib/kernels/wasm-gradients");
  } catch {
    /* stock CNN then reports NaN */
  }
  await useBackend("wasm");
  const status = nativeKernelStatus();
  if (!status.active) throw new Error(`the native kernel pack is off: ${status.reason}. ${status.fix}`);
  const load0 = os.loadavg()[0];
  const nSequence = quick ? 1024 : 4096;
  const outDir = path.join(root, "bench", "results");
  const file = path.join(outDir, "training.json");
  const writeResults = (result: object) => {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2) + "\n");
    fs.renameSync(`${file}.tmp`, file);
    console.log(`wrote ${path.relative(root, file)}`);
  };
  if (sequenceOnly) {
    console.log("sequence models on the native pack and in PyTorch (tuned env), interleaved ...");
    const sequence = await sequenceThroughput(nSequence, quick ? 1 : 3);
    console.table(
      Object.fromEntries(
        Object.entries(sequence).map(([k, v]) => [
          `${k} samples/s`,
          {
            native: v.native,
            unfused: v.native_unfused,
            torch_tuned: v.torch_tuned,
            ratio_vs_tuned: v.ratio_vs_torch_tuned,
            unfused_ratio: v.ratio_unfused_vs_torch_tuned,
          },
        ]),
      ),
    );
    const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
    writeResults({
      ...previous,
      sequence: {
        date: new Date().toISOString(),
        samples: nSequence,
        loadavg_start: round(load0, 2),
        loadavg_end: round(os.loadavg()[0], 2),
        ...sequence,
      },
      ratio_lstm_native_vs_torch_tuned: sequence.lstm.ratio_vs_torch_tuned,
      ratio_gru_native_vs_torch_tuned: sequence.gru.ratio_vs_torch_tuned,
      ratio_transformer_native_vs_torch_tuned: sequence.transformer.ratio_vs_torch_tuned,
    });
    return;
  }
  const nMlp = quick ? 6000 : 30000,
    nCnn = quick ? 1000 : 5000,
    nCnnStock = quick ? 256 : 1000;
  const log = (s: string) => console.log(s);

  // --- tfjs: stock wasm (native pack uninstalled), then the native pack -----------------------------------
  uninstallNativeKernels();
  log("stock wasm ...");
  const stock = {
    matmul: matmulGflops(quick ? 5 : 15),
    mlp128: await fitThroughput(buildMlp, [784], Math.min(nMlp, 15000), 128, () => tf.train.adam(1e-3)),
    mlp512: await fitThroughput(buildMlp, [784], Math.min(nMlp, 15000), 512, () => tf.train.adam(1e-3)),
    cnn: NaN,
  };
  try {
    stock.cnn = await fitThroughput(buildCnn, [28, 28, 1], nCnnStock, 64, () => tf.train.adam(1e-3));
  } catch (err) {
    log(`stock wasm CNN cannot train: ${(err as Error).message}`);
  }
  installNativeKernels();
  log("native kernel pack and PyTorch, interleaved ...");
  // Each round measures every workload once on the native pack and once in each PyTorch env, back to back, so
  // both sides see the same load on the shared cores; figures are medians over the rounds.
  const R = quick ? 1 : 3;
  const runs: Record<string, () => Promise<number> | number> = {
    mlp128: () => fitThroughput(buildMlp, [784], nMlp, 128, () => nativeAdam(1e-3)),
    mlp128_tfjs_loss_grads: () =>
      withTfjsLossGradients(() => fitThroughput(buildMlp, [784], nMlp, 128, () => nativeAdam(1e-3))),
    train128: () => trainThroughput(nMlp, 128),
    torch_mlp128_tuned: () => python(["mlp", String(nMlp), "128"], true),
    torch_mlp128_default: () => python(["mlp", String(nMlp), "128"], false),
    mlp512: () => fitThroughput(buildMlp, [784], nMlp, 512, () => nativeAdam(1e-3)),
    mlp512_tfjs_loss_grads: () =>
      withTfjsLossGradients(() => fitThroughput(buildMlp, [784], nMlp, 512, () => nativeAdam(1e-3))),
    train512: () => trainThroughput(nMlp, 512),
    torch_mlp512_tuned: () => python(["mlp", String(nMlp), "512"], true),
    torch_mlp512_default: () => python(["mlp", String(nMlp), "512"], false),
    cnn: () => fitThroughput(buildCnn, [28, 28, 1], nCnn, 64, () => nativeAdam(1e-3)),
    torch_cnn_tuned: () => python(["cnn", String(nCnn), "64"], true),
    torch_cnn_default: () => python(["cnn", String(nCnn), "64"], false),
  };
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < R; round++) {
    for (const [name, run] of Object.entries(runs)) (samples[name] ??= []).push(await run());
  }
  const med = (name: string) => [...samples[name]].sort((p, q) => p - q)[Math.floor(samples[name].length / 2)];
  const native = {
    mlp128_tfjs_loss_grads: med("mlp128_tfjs_loss_grads"),
    mlp512_tfjs_loss_grads: med("mlp512_tfjs_loss_grads"),
    mlp128: med("mlp128"),
    mlp512: med("mlp512"),
    train128: med("train128"),
    train512: med("train512"),
    cnn: med("cnn"),
    mlp128_tfAdam: await fitThroughput(buildMlp, [784], nMlp, 128, () => tf.train.adam(1e-3)),
  };
  const torch = {
    mlp128_tuned: med("torch_mlp128_tuned"),
    mlp128_default: med("torch_mlp128_default"),
    mlp512_tuned: med("torch_mlp512_tuned"),
    mlp512_default: med("torch_mlp512_default"),
    cnn_tuned: med("torch_cnn_tuned"),
    cnn_default: med("torch_cnn_default"),
  };
  // The matmul alternates tfjs and numpy in small blocks (see the header). "No readback" is like numpy's `a @ b`,
  // which leaves the product in memory; with readback, dataSync copies the 4 MB product into a new JS buffer.
  const alternated = await matmulAlternated(quick ? 4 : 16);
  const numpy = alternated.numpy;
  const nativeMatmul = {
    matmul: alternated.read,
    matmulNoReadback: alternated.noRead,
    first40: alternated.readFirst40,
  };
  log("sequence models ...");
  const sequence = await sequenceThroughput(nSequence, R);
  const load1 = os.loadavg()[0];

  const result = {
    bench: "training",
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      loadavg_start: round(load0, 2),
      loadavg_end: round(load1, 2),
    },
    native: {
      blas: status.blas,
      maxThreads: status.maxThreads,
      OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null,
    },
    samples: { mlp: nMlp, cnn: nCnn, cnn_stock: nCnnStock },
    mlp128_samples_s: {
      stock_wasm: round(stock.mlp128),
      native: round(native.mlp128),
      native_tfjs_loss_grads: round(native.mlp128_tfjs_loss_grads),
      native_tf_adam: round(native.mlp128_tfAdam),
      native_train: round(native.train128),
      torch_tuned: round(torch.mlp128_tuned),
      torch_default: round(torch.mlp128_default),
    },
    mlp512_samples_s: {
      stock_wasm: round(stock.mlp512),
      native: round(native.mlp512),
      native_tfjs_loss_grads: round(native.mlp512_tfjs_loss_grads),
      native_train: round(native.train512),
      torch_tuned: round(torch.mlp512_tuned),
      torch_default: round(torch.mlp512_default),
    },
    cnn_samples_s: {
      stock_wasm_js_filter_grad: round(stock.cnn),
      native: round(native.cnn),
      torch_tuned: round(torch.cnn_tuned),
      torch_default: round(torch.cnn_default),
    },
    matmul1024_gflops: {
      stock_wasm: round(stock.matmul, 1),
      native: round(nativeMatmul.matmul, 1),
      native_no_readback: round(nativeMatmul.matmulNoReadback, 1),
      native_first_40: round(nativeMatmul.first40, 1),
      numpy: round(numpy, 1),
    },
    ratio_mlp128_native_vs_torch_tuned: round(native.mlp128 / torch.mlp128_tuned, 3),
    ratio_mlp128_native_vs_torch_default: round(native.mlp128 / torch.mlp128_default, 3),
    ratio_mlp128_native_vs_stock_wasm: round(native.mlp128 / stock.mlp128, 2),
    ratio_mlp128_train_vs_torch_tuned: round(native.train128 / torch.mlp128_tuned, 3),
    ratio_mlp128_train_vs_torch_default: round(native.train128 / torch.mlp128_default, 3),
    ratio_mlp512_train_vs_torch_tuned: round(native.train512 / torch.mlp512_tuned, 3),
    ratio_mlp512_native_vs_torch_tuned: round(native.mlp512 / torch.mlp512_tuned, 3),
    ratio_mlp512_native_vs_torch_default: round(native.mlp512 / torch.mlp512_default, 3),
    ratio_mlp512_native_vs_stock_wasm: round(native.mlp512 / stock.mlp512, 2),
    // model.fit with the pack's loss-path gradients (Softmax, ClipByValue, Log, RealDiv) over tfjs's own, same run.
    ratio_mlp128_native_vs_tfjs_loss_grads: round(native.mlp128 / native.mlp128_tfjs_loss_grads, 3),
    ratio_mlp512_native_vs_tfjs_loss_grads: round(native.mlp512 / native.mlp512_tfjs_loss_grads, 3),
    ratio_cnn_native_vs_torch_tuned: round(native.cnn / torch.cnn_tuned, 3),
    ratio_cnn_native_vs_torch_default: round(native.cnn / torch.cnn_default, 3),
    ratio_cnn_native_vs_stock_wasm: round(native.cnn / stock.cnn, 2),
    ratio_matmul_native_vs_numpy: round(alternated.ratioRead, 3),
    ratio_matmul_native_no_readback_vs_numpy: round(alternated.ratioNoRead, 3),
    // (The same ratios from the pooled medians instead of round by round; these move with the machine's drift.)
    ratio_matmul_pooled: {
      native_vs_numpy: round(nativeMatmul.matmul / numpy, 3),
      native_no_readback_vs_numpy: round(nativeMatmul.matmulNoReadback / numpy, 3),
    },
    matmul_rounds: alternated.rounds,
    sequence: { samples: nSequence, ...sequence },
    ratio_lstm_native_vs_torch_tuned: sequence.lstm.ratio_vs_torch_tuned,
    ratio_gru_native_vs_torch_tuned: sequence.gru.ratio_vs_torch_tuned,
    ratio_transformer_native_vs_torch_tuned: sequence.transformer.ratio_vs_torch_tuned,
    ratio_matmul_native_vs_stock_wasm: round(nativeMatmul.matmul / stock.matmul, 2),
    targets: {
      mlp128_vs_torch_tuned: 1.0,
      cnn_vs_torch_tuned: 0.5,
      matmul_vs_numpy: 0.9,
      lstm_gru_transformer_vs_torch_tuned: 1.0,
    },
    runs: samples,
    note: "2 shared cores; other processes may have been running (see loadavg). Native and torch figures are medians of 3 interleaved rounds in this same run (every round's value is in runs).",
  };
  console.table({
    "MLP b128 samples/s": {
      stock: result.mlp128_samples_s.stock_wasm,
      native: result.mlp128_samples_s.native,
      torch_tuned: result.mlp128_samples_s.torch_tuned,
      torch_default: result.mlp128_samples_s.torch_default,
      ratio_vs_tuned: result.ratio_mlp128_native_vs_torch_tuned,
    },
    "MLP b128 train()": {
      native: result.mlp128_samples_s.native_train,
      torch_tuned: result.mlp128_samples_s.torch_tuned,
      ratio_vs_tuned: result.ratio_mlp128_train_vs_torch_tuned,
    },
    "MLP b512 train()": {
      native: result.mlp512_samples_s.native_train,
      torch_tuned: result.mlp512_samples_s.torch_tuned,
      ratio_vs_tuned: result.ratio_mlp512_train_vs_torch_tuned,
    },
    "MLP b512 samples/s": {
      stock: result.mlp512_samples_s.stock_wasm,
      native: result.mlp512_samples_s.native,
      torch_tuned: result.mlp512_samples_s.torch_tuned,
      torch_default: result.mlp512_samples_s.torch_default,
      ratio_vs_tuned: result.ratio_mlp512_native_vs_torch_tuned,
    },
    "CNN b64 samples/s": {
      stock: result.cnn_samples_s.stock_wasm_js_filter_grad,
      native: result.cnn_samples_s.native,
      torch_tuned: result.cnn_samples_s.torch_tuned,
      torch_default: result.cnn_samples_s.torch_default,
      ratio_vs_tuned: result.ratio_cnn_native_vs_torch_tuned,
    },
    "matmul 1024 GFLOP/s": {
      stock: result.matmul1024_gflops.stock_wasm,
      native: result.matmul1024_gflops.native,
      numpy: result.matmul1024_gflops.numpy,
      ratio_vs_numpy: result.ratio_matmul_native_vs_numpy,
    },
    "matmul, no dataSync": {
      native: result.matmul1024_gflops.native_no_readback,
      numpy: result.matmul1024_gflops.numpy,
      ratio_vs_numpy: result.ratio_matmul_native_no_readback_vs_numpy,
    },
    ...Object.fromEntries(
      Object.entries(sequence).map(([k, v]) => [
        `${k} b64 samples/s`,
        { native: v.native, torch_tuned: v.torch_tuned, ratio_vs_tuned: v.ratio_vs_torch_tuned },
      ]),
    ),
  });
  writeResults(result);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
