/**
 * bench/training's matmul workload: 1024² tf.matMul timings (with and without readback) and their comparison
 * against a long-lived numpy worker in finely alternated blocks (see bench/training.ts's header).
 */
import * as tf from "@tensorflow/tfjs";
import { numpyWorker } from "./python";
import { median } from "./stats";

/** The side of the square matrices multiplied. */
export const MATMUL_N = 1024;

/** Times `reps` 1024² tf.matMul products (with dataSync when `readBack`), in ms each. */
export function matmulTimes(reps: number, readBack = true): number[] {
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

/** GFLOP/s of one 1024² product taking `ms` milliseconds. */
export function gflops(ms: number): number {
  return (2 * MATMUL_N ** 3) / (ms / 1000) / 1e9;
}

/** The median GFLOP/s of `reps` 1024² products (with readback when `readBack`). */
export function matmulGflops(reps: number, readBack = true): number {
  return gflops(median(matmulTimes(reps, readBack)));
}
/** The matmul comparison's figures. */
export interface MatmulComparison {
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
export async function matmulAlternated(rounds: number): Promise<MatmulComparison> {
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
