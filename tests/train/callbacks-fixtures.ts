/**
 * Shared fixtures of the training-callback specifications (tests/train/callbacks*.test.ts): quiet training options,
 * iris cut into training and validation rows, and a network's weights as plain arrays.
 */
import * as tf from "@tensorflow/tfjs";
import { iris } from "../models/nn/helpers";

/** Train options that print nothing. */
export const quiet = { live: "none" as const };

/** Iris cut into 120 training and 30 validation rows (every fifth row validates). */
export function irisSplit(): { X: number[][]; y: string[]; Xval: number[][]; yval: string[] } {
  const { X, y } = iris();
  const val = (i: number) => i % 5 === 0;
  return {
    X: X.filter((_, i) => !val(i)),
    y: y.filter((_, i) => !val(i)),
    Xval: X.filter((_, i) => val(i)),
    yval: y.filter((_, i) => val(i)),
  };
}

/** The network's weights as plain arrays. */
export function weightsOf(net: tf.LayersModel): number[][] {
  return net.getWeights().map((w) => Array.from(w.dataSync()));
}
