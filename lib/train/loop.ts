/**
 * The training loop behind `train()` and every neural estimator's `fit`: mini-batch gradient descent over tfjs
 * tensors with a seeded validation split, seeded shuffling and dropout, L2, validation after each epoch, a stop after
 * the current batch on interrupt, and Keras-style callback hooks. Everything else a run does (early stopping,
 * checkpoints, learning-rate schedules, the NaN check, the live view) is a callback on those hooks
 * (lib/train/callbacks).
 */
import * as tf from "@tensorflow/tfjs";
import { interruptSignal } from "../display";
import { registerWasmGradientKernels } from "../kernels/wasm-gradients";
import { History, Logs } from "./history";
import { LossKind, lossAndMetric, metricName, evaluateLoss } from "./losses";
import { OptimizerName, disposeOptimizer, fusedStepFor, makeOptimizer, setOptimizerLearningRate } from "./optimizers";
import { SeededRandom, withSeededRandom } from "./random";
import type { Callback, RunParams, TrainingControl } from "./callback";

// Where tests and benches import it from (the optimizers live in ./optimizers).
export { makeOptimizer };

/** Everything the loop needs: the network, tensors and the loss. Tensors stay owned by the caller. */
export interface LoopTask {
  net: tf.LayersModel;
  x: tf.Tensor;
  y: tf.Tensor;
  xVal?: tf.Tensor;
  yVal?: tf.Tensor;
  loss: LossKind;
  /** Multiplies reported MSE (and its square root MAE) to undo target scaling. */
  lossScale?: number;
  rng: SeededRandom;
  /** One line that opens the run. */
  summary?: string;
}

/** Resolved numeric settings of a run. */
export interface LoopSettings {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  l2: number;
  validationSplit: number;
}

/** How the loop runs, beside its settings. */
export interface LoopOptions {
  /** Called in list order at each hook. */
  callbacks?: readonly Callback[];
  /** Stops the run after the current batch; defaults to the kernel's interrupt signal. */
  signal?: AbortSignal;
  /** Shuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Let a dense softmax classifier with the native pack's Adam take its fused step (default true). */
  fusedStep?: boolean;
}

/** The training and validation tensors of a run. */
interface RunData {
  x: tf.Tensor;
  y: tf.Tensor;
  xVal?: tf.Tensor;
  yVal?: tf.Tensor;
}

/** `task`'s tensors, or a seeded split of its samples into training and validation (new tensors go to `owned`). */
function splitData(task: LoopTask, split: number, owned: tf.Tensor[]): RunData {
  if (task.xVal || split <= 0) return { x: task.x, y: task.y, xVal: task.xVal, yVal: task.yVal };
  if (split >= 1) throw new Error(`validationSplit must be in [0, 1), got ${split}.`);
  const n = task.x.shape[0];
  const nVal = Math.round(n * split);
  if (nVal < 1 || n - nVal < 1) {
    throw new Error(`validationSplit ${split} of ${n} samples leaves an empty training or validation set.`);
  }
  const perm = task.rng.permutation(n);
  const valIdx = tf.tensor1d(perm.subarray(0, nVal), "int32");
  const trainIdx = tf.tensor1d(perm.subarray(nVal), "int32");
  const parts = {
    xVal: tf.gather(task.x, valIdx),
    yVal: tf.gather(task.y, valIdx),
    x: tf.gather(task.x, trainIdx),
    y: tf.gather(task.y, trainIdx),
  };
  owned.push(valIdx, trainIdx, parts.xVal, parts.yVal, parts.x, parts.y);
  return parts;
}

/** One tfjs step on the rows `idx`: forward (seeded dropout), loss plus L2 on `kernels`, backward, update. */
function tfjsStep(
  task: LoopTask,
  x: tf.Tensor,
  y: tf.Tensor,
  idx: Int32Array,
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  kernels: tf.Variable[],
  l2: number,
): { loss: number; metric: number } {
  let metricT: tf.Scalar | undefined;
  const lossT = tf.tidy(() => {
    const idxT = tf.tensor1d(idx, "int32");
    const xb = tf.gather(x, idxT);
    const yb = tf.gather(y, idxT);
    return optimizer.minimize(
      () => {
        const pred = withSeededRandom(task.rng, () => task.net.apply(xb, { training: true }) as tf.Tensor);
        const r = lossAndMetric(task.loss, yb, pred);
        metricT = tf.keep(r.metric);
        if (kernels.length === 0) return r.loss;
        return tf.add(r.loss, tf.mul(l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k)))))) as tf.Scalar;
      },
      true,
      vars,
    ) as tf.Scalar;
  });
  const loss = lossT.dataSync()[0];
  const metric = metricT!.dataSync()[0];
  tf.dispose([lossT, metricT!]);
  return { loss, metric };
}

/**
 * Runs the loop: for each epoch, the batches (each followed by `onBatchEnd`), then validation, the History's record
 * and `onEpochEnd`. Stops after the current batch when a callback calls `stop()` or the signal aborts (an interrupted
 * epoch is not recorded; the History says `interrupted`). Returns the History; the network keeps its weights.
 * First registers the gradient kernels stock wasm lacks (conv filters, depthwise convs, embeddings; idempotent).
 * @throws Error on bad settings (non-positive epochs/batch size, a split that leaves no samples), and whatever a
 *   callback throws (after every callback's `onTrainError`).
 */
export async function runLoop(task: LoopTask, settings: LoopSettings, options: LoopOptions = {}): Promise<History> {
  registerWasmGradientKernels();
  const { net, rng } = task;
  const { epochs, batchSize } = settings;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a positive integer, got ${epochs}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  }
  const owned: tf.Tensor[] = [];
  const { x, y, xVal, yVal } = splitData(task, settings.validationSplit, owned);
  const n = x.shape[0];
  if (n < 1) {
    tf.dispose(owned);
    throw new Error("No training samples: the training set is empty.");
  }
  const nVal = xVal && yVal ? xVal.shape[0] : 0;
  const metric = metricName(task.loss);
  const scale = task.lossScale ?? 1;
  const report = (loss: number, m: number, prefix = ""): Logs => ({
    [`${prefix}loss`]: task.loss === "mse" ? loss * scale : loss,
    [`${prefix}${metric}`]: task.loss === "mse" ? m * Math.sqrt(scale) : m,
  });

  let optimizer: tf.Optimizer;
  try {
    optimizer = makeOptimizer(settings.optimizer, settings.learningRate, settings.momentum);
  } catch (err) {
    tf.dispose(owned);
    throw err;
  }
  const history = new History();
  history.monitor = nVal > 0 ? "val_loss" : "loss";
  const batches = Math.ceil(n / batchSize);
  const params: RunParams = Object.freeze({
    ...settings,
    batches,
    samples: n,
    validationSamples: nVal,
    metrics: Object.freeze(nVal > 0 ? ["loss", metric, "val_loss", `val_${metric}`] : ["loss", metric]),
    summary:
      task.summary ??
      `Training ${n} samples${nVal > 0 ? `, validating on ${nVal}` : ""}, ${epochs} epochs, batch ${batchSize}`,
  });
  const callbacks: readonly Callback[] = Object.freeze([...(options.callbacks ?? [])]);
  let learningRate = settings.learningRate;
  let startEpoch = 1;
  let begun = false;
  let stopRequested = false;
  const control: TrainingControl = {
    network: net,
    params,
    history,
    optimizer,
    random: rng,
    callbacks,
    get learningRate() {
      return learningRate;
    },
    setLearningRate(lr: number) {
      learningRate = lr;
      setOptimizerLearningRate(optimizer, lr);
    },
    resumeAfter(epoch: number) {
      if (begun) throw new Error("resumeAfter() works only in onTrainBegin, before the first epoch.");
      if (!Number.isInteger(epoch) || epoch < 0) {
        throw new Error(`resumeAfter() needs the last finished epoch (an integer >= 0), got ${epoch}.`);
      }
      startEpoch = epoch + 1;
    },
    stop() {
      stopRequested = true;
    },
    get stopRequested() {
      return stopRequested;
    },
  };
  const signal = options.signal ?? interruptSignal();
  const started = Date.now();
  let samplesSeen = 0;
  let lastYield = Date.now();
  let interrupted = false;
  const timing = () => {
    history.seconds = (Date.now() - started) / 1000;
    history.samplesPerSecond = samplesSeen / Math.max(history.seconds, 1e-6);
  };

  try {
    try {
      for (const cb of callbacks) await cb.onTrainBegin?.({}, control);
      begun = true;
      const fused =
        options.fusedStep === false ? undefined : fusedStepFor(net, task.loss, x, y, optimizer, settings.l2, owned);
      history.fusedStep = fused !== undefined;
      const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
      // L2 applies to kernels/embeddings (rank >= 2), not to biases or normalisation scales.
      const kernels = settings.l2 > 0 ? vars.filter((w) => w.shape.length >= 2) : [];
      for (let epoch = startEpoch; epoch <= epochs && !stopRequested && !interrupted; epoch++) {
        for (const cb of callbacks) await cb.onEpochBegin?.(epoch, { lr: learningRate }, control);
        const lr = learningRate;
        const perm = options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
        let lossSum = 0;
        let metricSum = 0;
        let seen = 0;
        for (let b = 0; b < batches; b++) {
          const idx = perm.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
          let r: { loss: number; metric: number };
          if (fused) {
            const step = fused.step(perm, b * batchSize, idx.length);
            r = { loss: step.loss, metric: step.correct / idx.length };
          } else {
            r = tfjsStep(task, x, y, idx, optimizer, vars, kernels, settings.l2);
          }
          lossSum += r.loss * idx.length;
          metricSum += r.metric * idx.length;
          seen += idx.length;
          samplesSeen += idx.length;
          const batchLogs = report(lossSum / seen, metricSum / seen);
          for (const cb of callbacks) await cb.onBatchEnd?.(b + 1, { ...batchLogs, size: idx.length }, control);
          if (Date.now() - lastYield > 50) {
            // Let the event loop run: the kernel delivers interrupts and flushes displays between batches.
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = Date.now();
          }
          if (signal?.aborted) {
            interrupted = true;
            break;
          }
          if (stopRequested) break;
        }
        if (interrupted && seen < n) break; // a partial epoch is not recorded
        const logs: Logs = report(lossSum / seen, metricSum / seen);
        if (xVal && yVal) {
          const v = evaluateLoss(net, task.loss, xVal, yVal);
          Object.assign(logs, report(v.loss, v.metric, "val_"));
        }
        history.record(epoch, logs, lr);
        for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, control);
      }
      timing();
      if (interrupted) history.stopReason = "interrupted";
      else if (stopRequested && history.stopReason === "completed") history.stopReason = "callback";
      const endLogs: Logs = {};
      for (const [k, v] of Object.entries(history.metrics)) endLogs[k] = v[v.length - 1];
      // Inside the try: when one onTrainEnd throws, the callbacks after it still get onTrainError to free and restore.
      for (const cb of callbacks) await cb.onTrainEnd?.(endLogs, control);
    } catch (err) {
      timing();
      for (const cb of callbacks) {
        try {
          await cb.onTrainError?.(err, control);
        } catch {
          // The run's own error is the one to report.
        }
      }
      throw err;
    }
  } finally {
    disposeOptimizer(optimizer);
    tf.dispose(owned);
  }
  return history;
}
