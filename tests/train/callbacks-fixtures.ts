/**
 * Shared fixtures of the training-callback specifications (tests/train/callbacks*.test.ts): quiet training options,
 * iris cut into training and validation rows, and a network's weights as plain arrays.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../lib/backend";
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

/**
 * Registers the set-up every callback suite shares (the chosen training backend, and a temporary folder removed after
 * the suite) in the calling describe; the folder is `scratch.dir` once the suite's `before` has run.
 */
export function callbackSuiteSetup(): { readonly dir: string } {
  const scratch = { dir: "" };
  before(async () => {
    await tf.setBackend((await ensureBackend()).tfName);
    scratch.dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-callbacks-"));
  });
  after(() => fs.rmSync(scratch.dir, { recursive: true, force: true }));
  return scratch;
}
