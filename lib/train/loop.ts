/**
 * The training loop behind `train()` and every neural estimator's `fit`: mini-batch gradient descent over tfjs
 * tensors with validation, optimizers, learning-rate schedules, L2, Keras-style callbacks, early stopping with
 * best-weight restore, resumable checkpoints, seeded reproducibility, interrupt handling and a live chart.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import "../kernels/wasm-gradients";
import { interruptSignal } from "../display";
import { History, HistoryData, Logs, formatMetric, monitorMode } from "./history";
import { LiveMode, LiveView } from "./live";
import { SeededRandom, withSeededRandom } from "./random";
import { readLayersModel, readNamedTensors, writeDirAtomically, writeLayersModel, writeNamedTensors } from "./checkpoint";
import * as nativePack from "../kernels/native";
import type { FusedMLPStep } from "../kernels/native";

/** Optimizers trainlab builds by name. */
export type OptimizerName = "sgd" | "momentum" | "adam" | "rmsprop";

/** A learning-rate schedule: by name (epochs count from 1) or a function of epoch and base rate. */
export type LearningRateSchedule =
  | { type: "constant" }
  | { type: "step"; every: number; factor: number }
  | { type: "exponential"; decay: number }
  | { type: "cosine"; minLearningRate?: number }
  | ((epoch: number, baseLearningRate: number) => number);

/** Lets a callback stop the run (like Keras's `model.stopTraining = true`). */
export interface TrainingControl {
  /** The network being trained. */
  readonly network: tf.LayersModel;
  /** Asks the loop to stop after the current batch. */
  stop(): void;
}

/** Keras-style callbacks. Every hook is optional and may be async. */
export interface Callback {
  onTrainBegin?(logs: Logs, control: TrainingControl): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  onTrainEnd?(logs: Logs, control: TrainingControl): void | Promise<void>;
}

/** Early stopping: stop when `monitor` has not improved for `patience` epochs. */
export interface EarlyStoppingOptions {
  /** Metric to watch (default `val_loss`, or `loss` without validation). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Whether smaller or larger is better (default: `max` for acc/accuracy/r2 metrics, else `min`). */
  mode?: "min" | "max" | "auto";
  /** Put back the weights of the best epoch at the end (default true). */
  restoreBestWeights?: boolean;
}

/** Checkpoints: every `every` epochs the model, optimizer state, RNG state and history go to `dir`. */
export interface CheckpointOptions {
  dir: string;
  /** Epochs between checkpoints (default 1). */
  every?: number;
  /** Continue from the checkpoint in `dir` when there is one (default true). */
  resume?: boolean;
}

/** Options of a training run. Unset fields come from the model's hyperparameters. */
export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  optimizer?: OptimizerName;
  learningRate?: number;
  /** Momentum for the `momentum` optimizer (default 0.9). */
  momentum?: number;
  schedule?: LearningRateSchedule;
  /** L2 penalty on the kernels (weights, not biases). */
  l2?: number;
  /** Fraction of the training samples held out (seeded shuffle) for validation; ignored with `validationData`. */
  validationSplit?: number;
  /** Explicit validation samples, in the same forms as the training data. */
  validationData?: { x: unknown; y?: unknown };
  /** Shuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Seed for weight init, shuffling, splitting and dropout: same seed, same metrics. */
  seed?: number;
  callbacks?: Callback[];
  /** Early stopping (true = defaults). */
  earlyStopping?: boolean | EarlyStoppingOptions;
  checkpoint?: CheckpointOptions;
  /** Live display: chart in a kernel, epoch lines outside (default `auto`). */
  live?: LiveMode;
  /** Title of the live chart. */
  title?: string;
  /** Stops the run after the current batch; defaults to the kernel's interrupt signal. */
  signal?: AbortSignal;
  /**
   * Let a dense softmax classifier trained with Adam (no dropout) take the native kernel pack's fused step: one
   * native call per batch, same maths (default true; false forces the tfjs path).
   */
  fusedStep?: boolean;
}

/** How the loss is computed from the network output. */
export type LossKind = "sparse-categorical" | "categorical" | "binary" | "mse";

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
  /** Extra files to put in each checkpoint (e.g. the estimator's params), written into the temp dir. */
  saveExtra?: (dir: string) => Promise<void>;
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

const STATE_FILE = "trainstate.json";

/** The native kernel pack's fused optimizers, when the pack is active on the current (wasm) backend. */
function activeNativePack(): typeof nativePack | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  return nativePack.nativeKernelsActive() ? nativePack : undefined;
}

/**
 * Builds an optimizer by name: tfjs's, or the native kernel pack's fused equivalent (same update rule) when that
 * pack is active on wasm. @throws Error on an unknown name.
 */
export function makeOptimizer(name: OptimizerName, learningRate: number, momentum = 0.9): tf.Optimizer {
  const pack = name === "rmsprop" ? undefined : activeNativePack();
  if (pack) {
    if (name === "adam") return pack.nativeAdam(learningRate);
    if (name === "sgd") return pack.nativeSGD(learningRate, 0);
    if (name === "momentum") return pack.nativeSGD(learningRate, momentum);
  }
  switch (name) {
    case "sgd": return tf.train.sgd(learningRate);
    case "momentum": return tf.train.momentum(learningRate, momentum);
    case "adam": return tf.train.adam(learningRate);
    case "rmsprop": return tf.train.rmsprop(learningRate);
    default: throw new Error(`Unknown optimizer "${String(name)}". Use one of: sgd, momentum, adam, rmsprop.`);
  }
}

/**
 * The native pack's fused step for this run when the network is a dense softmax classifier, the optimizer its
 * Adam and the pack is active; else undefined (the loop then runs tfjs ops). One-hot labels it makes go to `owned`.
 */
function fusedStepFor(task: LoopTask, x: tf.Tensor, y: tf.Tensor, optimizer: tf.Optimizer, l2: number, owned: tf.Tensor[]): FusedMLPStep | undefined {
  if (task.loss !== "sparse-categorical" && task.loss !== "categorical") return undefined;
  const pack = activeNativePack();
  if (!pack || typeof pack.fusedMLPStep !== "function") return undefined;
  const classes = task.net.outputs[0].shape[task.net.outputs[0].shape.length - 1];
  if (typeof classes !== "number") return undefined;
  const yOneHot = tf.tidy(() => task.loss === "categorical"
    ? tf.cast(y, "float32")
    : tf.oneHot(tf.cast(tf.reshape(y, [-1]), "int32") as tf.Tensor1D, classes).asType("float32"));
  const step = pack.fusedMLPStep(task.net, x, yOneHot, optimizer, l2);
  if (typeof step === "string") {
    yOneHot.dispose();
    return undefined;
  }
  owned.push(yOneHot);
  return step;
}

/**
 * Frees an optimizer's tensors. tfjs 4.22's MomentumOptimizer.dispose forgets the learning-rate scalar its SGD base
 * keeps (`c`), so without this every momentum run would leave one tensor behind.
 */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (c instanceof tf.Tensor && !c.isDisposed) c.dispose();
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === "function") o.setLearningRate(lr); // SGD and momentum keep a cached scalar
  else o.learningRate = lr;
}

/** The learning rate of `epoch` (1-based) under a schedule. @throws Error on a malformed schedule. */
export function scheduledLearningRate(schedule: LearningRateSchedule | undefined, epoch: number, base: number, epochs: number): number {
  if (!schedule) return base;
  if (typeof schedule === "function") return schedule(epoch, base);
  switch (schedule.type) {
    case "constant": return base;
    case "step": return base * Math.pow(schedule.factor, Math.floor((epoch - 1) / Math.max(1, schedule.every)));
    case "exponential": return base * Math.pow(schedule.decay, epoch - 1);
    case "cosine": {
      const min = schedule.minLearningRate ?? 0;
      return min + 0.5 * (base - min) * (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, epochs - 1)));
    }
    default: throw new Error(`Unknown learning-rate schedule ${JSON.stringify(schedule)}: use constant, step, exponential, cosine or a function.`);
  }
}

function lossAndMetric(kind: LossKind, y: tf.Tensor, pred: tf.Tensor): { loss: tf.Scalar; metric: tf.Scalar } {
  switch (kind) {
    case "sparse-categorical": {
      const classes = pred.shape[pred.shape.length - 1] as number;
      const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(y, "int32") as tf.Tensor1D, classes), pred), -1);
      const loss = tf.neg(tf.mean(tf.log(tf.clipByValue(picked, 1e-7, 1)))) as tf.Scalar;
      const metric = tf.mean(tf.cast(tf.equal(tf.argMax(pred, -1), tf.cast(y, "int32")), "float32")) as tf.Scalar;
      return { loss, metric };
    }
    case "categorical": {
      const p = tf.clipByValue(pred, 1e-7, 1);
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
      const metric = tf.mean(tf.cast(tf.equal(tf.argMax(pred, -1), tf.argMax(y, -1)), "float32")) as tf.Scalar;
      return { loss, metric };
    }
    case "binary": {
      const p = tf.clipByValue(pred, 1e-7, 1 - 1e-7);
      const yy = tf.reshape(y, p.shape);
      const loss = tf.neg(tf.mean(tf.add(tf.mul(yy, tf.log(p)), tf.mul(tf.sub(1, yy), tf.log(tf.sub(1, p)))))) as tf.Scalar;
      const metric = tf.mean(tf.cast(tf.equal(tf.greater(p, 0.5), tf.greater(yy, 0.5)), "float32")) as tf.Scalar;
      return { loss, metric };
    }
    case "mse": {
      const yy = tf.reshape(y, pred.shape);
      return { loss: tf.mean(tf.squaredDifference(pred, yy)) as tf.Scalar, metric: tf.mean(tf.abs(tf.sub(pred, yy))) as tf.Scalar };
    }
  }
}

/** The name of the second metric the loop reports for a loss: `acc` or `mae`. */
export function metricName(kind: LossKind): "acc" | "mae" {
  return kind === "mse" ? "mae" : "acc";
}

function isBetter(mode: "min" | "max", value: number, best: number, minDelta: number): boolean {
  return mode === "min" ? value < best - minDelta : value > best + minDelta;
}

/** Evaluates loss and metric over a dataset in batches (no dropout). */
export function evaluateLoss(net: tf.LayersModel, kind: LossKind, x: tf.Tensor, y: tf.Tensor, batchSize = 512): { loss: number; metric: number } {
  const n = x.shape[0];
  let loss = 0;
  let metric = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [l, m] = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const yb = tf.slice(y, start, size);
      const pred = net.apply(xb, { training: false }) as tf.Tensor;
      const r = lossAndMetric(kind, yb, pred);
      return [r.loss.dataSync()[0], r.metric.dataSync()[0]];
    });
    loss += l * size;
    metric += m * size;
  }
  return { loss: loss / n, metric: metric / n };
}

function kernelWeights(net: tf.LayersModel): tf.Variable[] {
  // L2 applies to kernels/embeddings (rank >= 2), not to biases or normalisation scales.
  return net.trainableWeights.filter((w) => w.shape.length >= 2).map((w) => w.read() as tf.Variable);
}

interface SavedState {
  epoch: number;
  rngState: number;
  history: HistoryData;
  settings: LoopSettings;
  optimizer: OptimizerName;
  best: { value: number; epoch: number; wait: number } | null;
  /** Names of the trainable variables, in order, when the checkpoint was written. */
  variableNames?: string[];
}

/** True when `dir` holds a training checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, STATE_FILE)) && fs.existsSync(path.join(dir, "model.json"));
}

/**
 * Runs the loop. Returns the History; the network keeps the trained (or restored best) weights.
 * @throws Error on bad settings (non-positive epochs/batch size, a split that leaves no samples) or NaN loss.
 */
export async function runLoop(task: LoopTask, settings: LoopSettings, options: TrainOptions): Promise<History> {
  const { net, rng } = task;
  const { epochs, batchSize } = settings;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a positive integer, got ${epochs}.`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  const owned: tf.Tensor[] = [];
  let x = task.x;
  let y = task.y;
  let xVal = task.xVal;
  let yVal = task.yVal;
  if (!xVal && settings.validationSplit > 0) {
    if (settings.validationSplit >= 1) throw new Error(`validationSplit must be in [0, 1), got ${settings.validationSplit}.`);
    const n = x.shape[0];
    const nVal = Math.round(n * settings.validationSplit);
    if (nVal < 1 || n - nVal < 1) throw new Error(`validationSplit ${settings.validationSplit} of ${n} samples leaves an empty training or validation set.`);
    const perm = rng.permutation(n);
    const valIdx = tf.tensor1d(perm.subarray(0, nVal), "int32");
    const trainIdx = tf.tensor1d(perm.subarray(nVal), "int32");
    xVal = tf.gather(x, valIdx);
    yVal = tf.gather(y, valIdx);
    x = tf.gather(task.x, trainIdx);
    y = tf.gather(task.y, trainIdx);
    owned.push(valIdx, trainIdx, xVal, yVal, x, y);
  }
  const n = x.shape[0];
  if (n < 1) throw new Error("No training samples: the training set is empty.");
  const hasVal = Boolean(xVal && yVal);
  const metric = metricName(task.loss);
  const scale = task.lossScale ?? 1;
  const report = (loss: number, m: number, prefix = ""): Logs => ({
    [`${prefix}loss`]: task.loss === "mse" ? loss * scale : loss,
    [`${prefix}${metric}`]: task.loss === "mse" ? m * Math.sqrt(scale) : m,
  });

  const es: (Required<EarlyStoppingOptions> & { mode: "min" | "max" }) | null = options.earlyStopping
    ? (() => {
        const o = options.earlyStopping === true ? {} : options.earlyStopping;
        const monitor = o.monitor ?? (hasVal ? "val_loss" : "loss");
        const mode: "min" | "max" = !o.mode || o.mode === "auto" ? monitorMode(monitor) : o.mode;
        return { monitor, patience: o.patience ?? 5, minDelta: o.minDelta ?? 0, mode, restoreBestWeights: o.restoreBestWeights ?? true };
      })()
    : null;
  if (es && es.monitor.startsWith("val_") && !hasVal) {
    throw new Error(`Early stopping monitors "${es.monitor}" but there is no validation data: pass validationSplit or validationData, or monitor "loss".`);
  }

  const optimizer = makeOptimizer(settings.optimizer, settings.learningRate, settings.momentum);
  const history = new History();
  history.monitor = es?.monitor ?? (hasVal ? "val_loss" : "loss");
  let startEpoch = 1;
  let best: { value: number; epoch: number; wait: number } | null = null;
  let bestWeights: tf.Tensor[] | null = null;

  const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const ckpt = options.checkpoint;
  if (ckpt && (ckpt.resume ?? true) && hasCheckpoint(ckpt.dir)) {
    const state = JSON.parse(fs.readFileSync(path.join(ckpt.dir, STATE_FILE), "utf8")) as SavedState;
    const saved = await readLayersModel(ckpt.dir);
    try {
      const weights = saved.getWeights();
      if (weights.length !== net.getWeights().length || weights.some((w, i) => w.shape.join() !== net.getWeights()[i].shape.join())) {
        throw new Error(`Checkpoint in ${ckpt.dir} was written by a different architecture: delete it or use another checkpoint dir.`);
      }
      net.setWeights(weights);
    } finally {
      saved.dispose();
    }
    if (fs.existsSync(path.join(ckpt.dir, "optimizer.json"))) {
      // Optimizer slots may be keyed by variable name ("<var>/m"); this model's variables have new names.
      const renames = (state.variableNames ?? []).map((old, i) => [old, vars[i]?.name] as const).sort((a, b) => b[0].length - a[0].length);
      const named = readNamedTensors(ckpt.dir, "optimizer").map((t) => {
        const hit = renames.find(([old]) => t.name === old || t.name.startsWith(`${old}/`));
        return hit && hit[1] ? { name: hit[1] + t.name.slice(hit[0].length), tensor: t.tensor } : t;
      });
      // Prime the optimizer's slots, then overwrite them with the saved state.
      await optimizer.setWeights(named);
      tf.dispose(named.map((t) => t.tensor));
    }
    rng.setState(state.rngState);
    Object.assign(history, History.fromJSON(state.history));
    best = state.best;
    startEpoch = state.epoch + 1;
    if (es && best && es.restoreBestWeights) {
      bestWeights = fs.existsSync(path.join(ckpt.dir, "best.json"))
        ? readNamedTensors(ckpt.dir, "best").map((t) => t.tensor)
        : net.getWeights().map((w) => w.clone());
    }
  }

  let stopRequested = false;
  const control: TrainingControl = { network: net, stop: () => (stopRequested = true) };
  const callbacks = options.callbacks ?? [];
  const signal = options.signal ?? interruptSignal();
  const live = new LiveView(options.live ?? "auto", options.title ?? "Training");
  const fused = options.fusedStep === false ? undefined : fusedStepFor(task, x, y, optimizer, settings.l2, owned);
  history.fusedStep = fused !== undefined;
  const batches = Math.ceil(n / batchSize);
  const kernels = settings.l2 > 0 ? kernelWeights(net) : [];
  const started = Date.now();
  let samplesSeen = 0;
  let lastYield = Date.now();
  let interrupted = false;
  const totalEpochs = epochs;

  live.begin(history, task.summary ?? `Training ${n} samples${hasVal ? `, validating on ${xVal!.shape[0]}` : ""}, ${totalEpochs} epochs, batch ${batchSize}`);
  for (const cb of callbacks) await cb.onTrainBegin?.({}, control);
  try {
    for (let epoch = startEpoch; epoch <= totalEpochs && !stopRequested && !interrupted; epoch++) {
      const lr = scheduledLearningRate(options.schedule, epoch, settings.learningRate, totalEpochs);
      setLearningRate(optimizer, lr);
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, { lr }, control);
      const perm = options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
      let lossSum = 0;
      let metricSum = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        const idx = perm.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        let lossValue: number;
        let metricValue: number;
        if (fused) {
          const r = fused.step(perm, b * batchSize, idx.length);
          lossValue = r.loss;
          metricValue = r.correct / idx.length;
        } else {
          let metricT: tf.Scalar | undefined;
          const lossT = tf.tidy(() => {
            const idxT = tf.tensor1d(idx, "int32");
            const xb = tf.gather(x, idxT);
            const yb = tf.gather(y, idxT);
            return optimizer.minimize(() => {
              const pred = withSeededRandom(rng, () => net.apply(xb, { training: true }) as tf.Tensor);
              const r = lossAndMetric(task.loss, yb, pred);
              metricT = tf.keep(r.metric);
              if (kernels.length === 0) return r.loss;
              return tf.add(r.loss, tf.mul(settings.l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k)))))) as tf.Scalar;
            }, true, vars) as tf.Scalar;
          });
          lossValue = lossT.dataSync()[0];
          metricValue = metricT!.dataSync()[0];
          tf.dispose([lossT, metricT!]);
        }
        if (!Number.isFinite(lossValue)) {
          throw new Error(`Training diverged: the loss became ${lossValue} at epoch ${epoch}, batch ${b + 1}. Lower the learning rate, scale the features, or check the data for extreme values.`);
        }
        lossSum += lossValue * idx.length;
        metricSum += metricValue * idx.length;
        seen += idx.length;
        samplesSeen += idx.length;
        const elapsed = (Date.now() - started) / 1000;
        const rate = samplesSeen / Math.max(elapsed, 1e-6);
        const remaining = (totalEpochs - epoch) * n + (n - seen);
        const batchLogs = report(lossSum / seen, metricSum / seen);
        for (const cb of callbacks) await cb.onBatchEnd?.(b + 1, { ...batchLogs, size: idx.length }, control);
        live.batch({ epoch, epochs: totalEpochs, batch: b + 1, batches, samplesPerSecond: rate, etaSeconds: remaining / rate, logs: batchLogs });
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
      if (hasVal) {
        const v = evaluateLoss(net, task.loss, xVal!, yVal!);
        Object.assign(logs, report(v.loss, v.metric, "val_"));
      }
      history.record(epoch, logs, lr);
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, control);
      const elapsed = (Date.now() - started) / 1000;
      const rate = samplesSeen / Math.max(elapsed, 1e-6);
      live.epoch(history, { epoch, epochs: totalEpochs, batch: batches, batches, samplesPerSecond: rate, etaSeconds: ((totalEpochs - epoch) * n) / rate, logs });

      if (es) {
        const value = logs[es.monitor];
        if (value === undefined) throw new Error(`Early stopping monitors "${es.monitor}", which is not among the metrics: ${Object.keys(logs).join(", ")}.`);
        if (!best || isBetter(es.mode, value, best.value, es.minDelta)) {
          best = { value, epoch, wait: 0 };
          if (es.restoreBestWeights) {
            tf.dispose(bestWeights ?? []);
            bestWeights = net.getWeights().map((w) => w.clone());
          }
        } else if (++best.wait >= es.patience) {
          history.stopReason = "early-stopping";
          stopRequested = true;
        }
      }
      if (ckpt && (epoch % Math.max(1, ckpt.every ?? 1) === 0 || epoch === totalEpochs)) {
        const state: SavedState = {
          epoch, rngState: rng.getState(), history: history.toJSON(), settings, optimizer: settings.optimizer, best, variableNames: vars.map((v) => v.name),
        };
        const optimizerWeights = await optimizer.getWeights();
        await writeDirAtomically(ckpt.dir, async (tmp) => {
          await writeLayersModel(net, tmp);
          await writeNamedTensors(tmp, "optimizer", optimizerWeights);
          if (bestWeights) await writeNamedTensors(tmp, "best", bestWeights.map((tensor, i) => ({ name: `best_${i}`, tensor })));
          fs.writeFileSync(path.join(tmp, STATE_FILE), JSON.stringify(state, null, 1));
          await task.saveExtra?.(tmp);
        });
        // getWeights returns the optimizer's own variables except the iteration count scalar, which it creates.
        tf.dispose(optimizerWeights.filter((w) => w.name === "iter").map((w) => w.tensor));
      }
    }
  } finally {
    if (interrupted) history.stopReason = "interrupted";
    else if (stopRequested && history.stopReason === "completed") history.stopReason = "callback";
    if (es && best && es.restoreBestWeights && bestWeights) {
      if (best.epoch !== history.epochs[history.epochs.length - 1]) net.setWeights(bestWeights);
      history.bestEpoch = best.epoch;
    }
    tf.dispose(bestWeights ?? []);
    disposeOptimizer(optimizer);
    tf.dispose(owned);
    history.seconds = (Date.now() - started) / 1000;
    history.samplesPerSecond = samplesSeen / Math.max(history.seconds, 1e-6);
  }
  const endLogs: Logs = {};
  for (const [k, v] of Object.entries(history.metrics)) endLogs[k] = v[v.length - 1];
  for (const cb of callbacks) await cb.onTrainEnd?.(endLogs, control);
  const reason = history.stopReason === "completed" ? "done" : history.stopReason === "early-stopping" ? `stopped early, best epoch ${history.bestEpoch}` : history.stopReason;
  live.end(history, `${reason}: ${history.epochs.length} epoch(s) in ${history.seconds.toFixed(1)} s, ${Math.round(history.samplesPerSecond)} samples/s · ` +
    Object.entries(endLogs).map(([k, v]) => `${k} ${formatMetric(v)}`).join(" · ") + ` · ${history.hint().message}`);
  return history;
}
