/**
 * bench/training's model workloads: the MLP, CNN and sequence networks it trains, and their throughput through
 * model.fit and lib/train's train() (samples per second), the sequence models also against tuned PyTorch.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeAdam, setFusedRecurrent, setNativeLossGradients } from "../../lib/kernels/native";
import { train } from "../../lib/train";
import { buildNetwork, NEURAL_DEFAULTS } from "../../lib/models/nn";
import { python } from "./python";
import { median, round } from "./stats";

/** The MLP 784-256-128-10. */
export function buildMlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 256, activation: "relu", inputShape: [784] }),
      tf.layers.dense({ units: 128, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

/** The MNIST-size CNN (see bench/training.ts's header). */
export function buildCnn(): tf.Sequential {
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
export const SEQUENCE_SHAPE = [50, 8];

/** trainlab's own sequence networks (what `rnn()` / `transformer()` build), at the sizes the header names. */
export const sequenceBuilders: Record<"lstm" | "gru" | "transformer", () => tf.Sequential> = {
  lstm: () => buildNetwork({ ...NEURAL_DEFAULTS.rnn, cell: "lstm", units: 64 }, SEQUENCE_SHAPE, 2),
  gru: () => buildNetwork({ ...NEURAL_DEFAULTS.rnn, cell: "gru", units: 64 }, SEQUENCE_SHAPE, 2),
  transformer: () => buildNetwork({ ...NEURAL_DEFAULTS.transformer, maxLength: 50 }, SEQUENCE_SHAPE, 2),
};

/** One sequence model's figures: samples/s (medians of interleaved rounds) and ratios against tuned PyTorch. */
export interface SequenceFigures {
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
export async function sequenceThroughput(n: number, rounds: number): Promise<Record<string, SequenceFigures>> {
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
export async function withTfjsLossGradients<T>(f: () => Promise<T>): Promise<T> {
  const previous = setNativeLossGradients(false);
  try {
    return await f();
  } finally {
    setNativeLossGradients(previous);
  }
}

/** One epoch of model.fit over N synthetic samples after a 5-batch warm-up; samples per second. */
export async function fitThroughput(
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
/** lib/train's train() (Adam, shuffled, no live display) on the same MLP and data as fitThroughput. */
export async function trainThroughput(n: number, batch: number): Promise<number> {
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
