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
 * This file holds the run itself (main); the workloads, the matmul comparison, the PyTorch / numpy side and small
 * statistics helpers live in bench/training/ (not top-level, so that bench/run.js does not take them for benches).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { useBackend } from "../lib/backend";
import { installNativeKernels, nativeAdam, nativeKernelStatus, uninstallNativeKernels } from "../lib/kernels/native";
import { matmulAlternated, matmulGflops } from "./training/matmul";
import { python } from "./training/python";
import { round } from "./training/stats";
import {
  buildCnn,
  buildMlp,
  fitThroughput,
  sequenceThroughput,
  trainThroughput,
  withTfjsLossGradients,
} from "./training/workloads";

const root = path.resolve(__dirname, "..", "..");
const quick = process.argv.includes("quick");
const sequenceOnly = process.argv.includes("sequence");

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
