/**
 * `ModelCheckpoint`: the callback that writes a resumable checkpoint (weights, optimizer state, random state,
 * History and the state of the other callbacks) every few epochs, and resumes a run from it.
 */
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { History, HistoryData, Logs } from "../history";
import {
  readLayersModel,
  readNamedTensors,
  writeDirAtomically,
  writeLayersModel,
  writeNamedTensors,
} from "../checkpoint";
import type { Callback, TrainingControl } from "../callback";
import { readableDir } from "../../core/files";

/** Checkpoints: every `every` epochs the model, optimizer state, RNG state and history go to `dir`. */
export interface CheckpointOptions {
  dir: string;
  /** Epochs between checkpoints (default 1). */
  every?: number;
  /** Continue from the checkpoint in `dir` when there is one (default true). */
  resume?: boolean;
}

/** Options of a {@link ModelCheckpoint}: where and how often, and extra files for each checkpoint. */
export interface ModelCheckpointOptions extends CheckpointOptions {
  /** Writes extra files into each checkpoint's (temporary) directory, e.g. an estimator's params. */
  saveExtra?: (dir: string) => Promise<void>;
}

const STATE_FILE = "trainstate.json";

/** trainstate.json: where the run was, and the JSON state of the callbacks that keep one. */
interface SavedState {
  epoch: number;
  rngState: number;
  history: HistoryData;
  settings: Record<string, number | string>;
  optimizer: string;
  /** Each stateful callback's data by its `checkpointKey`; its tensors are in `<key>.bin` / `<key>.json`. */
  callbacks?: Record<string, unknown>;
  /** Early stopping's state in checkpoints written before callbacks kept their own (now `callbacks.best`). */
  best?: unknown;
  /** Names of the trainable variables, in order, when the checkpoint was written. */
  variableNames?: string[];
}

/** True when `dir` holds a training checkpoint. */
export function hasCheckpoint(saved: string): boolean {
  const dir = readableDir(saved);
  return fs.existsSync(path.join(dir, STATE_FILE)) && fs.existsSync(path.join(dir, "model.json"));
}

/**
 * Writes a checkpoint to `dir` every `every` epochs and at the last epoch, atomically (the old one stays whole
 * until the new one replaces it): the network (tfjs Layers format), the optimizer's state, the random generator's
 * state, the History and the state of every callback with a `checkpointKey`. With `resume` (default) a run whose
 * `dir` holds a checkpoint starts from it, so a resumed run ends exactly where an uninterrupted one does (like
 * Keras's `ModelCheckpoint` and `BackupAndRestore` together). `train`'s `checkpoint` option adds one.
 * @throws Error from `onTrainBegin` when the checkpoint was written by another architecture, two callbacks keep
 *   their state under one key (or a key its own files use), or a callback whose state it keeps comes after it in
 *   the list, and from `onEpochEnd` when it cannot be written.
 */
export class ModelCheckpoint implements Callback {
  private readonly options: ModelCheckpointOptions;

  /** @throws Error on an empty dir or an `every` below 1. */
  constructor(options: ModelCheckpointOptions) {
    if (!options.dir) throw new Error("ModelCheckpoint needs a dir to write checkpoints to.");
    if (options.every !== undefined && !(options.every >= 1)) {
      throw new Error(`Checkpoint every must be >= 1 epoch, got ${options.every}.`);
    }
    this.options = { ...options };
  }

  async onTrainBegin(_logs: Logs, control: TrainingControl): Promise<void> {
    checkStateKeys(control.callbacks);
    // A stateful callback after this one would change its state after the checkpoint took it (Keras order).
    const at = control.callbacks.indexOf(this);
    const later = at < 0 ? [] : control.callbacks.slice(at + 1).filter((cb) => cb.checkpointKey && cb.checkpointState);
    if (later.length > 0) {
      const names = later.map((cb) => `${cb.constructor.name} ("${cb.checkpointKey}")`).join(", ");
      throw new Error(
        `ModelCheckpoint comes before ${names} in callbacks: each checkpoint would keep their state ` +
          `from the epoch before, and a resumed run would not end where an uninterrupted one does. ` +
          `Put ModelCheckpoint after ${later.length === 1 ? "it" : "them"}.`,
      );
    }
    const dir = readableDir(this.options.dir);
    if ((this.options.resume ?? true) && hasCheckpoint(dir)) await this.resume(dir, control);
  }

  async onEpochEnd(epoch: number, _logs: Logs, control: TrainingControl): Promise<void> {
    if (epoch % Math.max(1, this.options.every ?? 1) !== 0 && epoch !== control.params.epochs) return;
    const stateful = control.callbacks.filter((cb) => cb.checkpointKey && cb.checkpointState);
    const states = stateful.map((cb) => ({ key: cb.checkpointKey!, ...cb.checkpointState!(control) }));
    const p = control.params;
    const state: SavedState = {
      epoch,
      rngState: control.random.getState(),
      history: control.history.toJSON(),
      settings: {
        epochs: p.epochs,
        batchSize: p.batchSize,
        optimizer: p.optimizer,
        learningRate: p.learningRate,
        momentum: p.momentum,
        l2: p.l2,
        validationSplit: p.validationSplit,
      },
      optimizer: p.optimizer,
      callbacks: Object.fromEntries(states.map((s) => [s.key, s.data])),
      variableNames: trainableVariables(control.network).map((v) => v.name),
    };
    const optimizerWeights = await control.optimizer.getWeights();
    try {
      await writeDirAtomically(this.options.dir, async (tmp) => {
        await writeLayersModel(control.network, tmp);
        await writeNamedTensors(tmp, "optimizer", optimizerWeights);
        for (const s of states) {
          if (s.tensors.length === 0) continue;
          await writeNamedTensors(
            tmp,
            s.key,
            s.tensors.map((tensor, i) => ({ name: `${s.key}_${i}`, tensor })),
          );
        }
        fs.writeFileSync(path.join(tmp, STATE_FILE), JSON.stringify(state, null, 1));
        await this.options.saveExtra?.(tmp);
      });
    } finally {
      // getWeights returns the optimizer's own variables except the iteration count scalar, which it creates.
      tf.dispose(optimizerWeights.filter((w) => w.name === "iter").map((w) => w.tensor));
    }
  }

  /** Loads weights, optimizer state, random state, History and callback states, and moves the run past the epoch. */
  private async resume(dir: string, control: TrainingControl): Promise<void> {
    const net = control.network;
    const state = JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), "utf8")) as SavedState;
    const saved = await readLayersModel(dir);
    try {
      const weights = saved.getWeights();
      const current = net.getWeights();
      if (weights.length !== current.length || weights.some((w, i) => w.shape.join() !== current[i].shape.join())) {
        throw new Error(
          `Checkpoint in ${dir} was written by a different architecture: ` + `delete it or use another checkpoint dir.`,
        );
      }
      net.setWeights(weights);
    } finally {
      saved.dispose();
    }
    if (fs.existsSync(path.join(dir, "optimizer.json"))) {
      // Optimizer slots may be keyed by variable name ("<var>/m"); this model's variables have new names.
      const vars = trainableVariables(net);
      const renames = (state.variableNames ?? [])
        .map((old, i) => [old, vars[i]?.name] as const)
        .sort((a, b) => b[0].length - a[0].length);
      const named = readNamedTensors(dir, "optimizer").map((t) => {
        const hit = renames.find(([old]) => t.name === old || t.name.startsWith(`${old}/`));
        return hit && hit[1] ? { name: hit[1] + t.name.slice(hit[0].length), tensor: t.tensor } : t;
      });
      // Prime the optimizer's slots, then overwrite them with the saved state.
      await control.optimizer.setWeights(named);
      tf.dispose(named.map((t) => t.tensor));
    }
    control.random.setState(state.rngState);
    Object.assign(control.history, History.fromJSON(state.history));
    const datas = state.callbacks ?? (state.best !== undefined ? { best: state.best } : {});
    for (const cb of control.callbacks) {
      const key = cb.checkpointKey;
      if (!key || !cb.restoreCheckpointState || !(key in datas)) continue;
      const hasTensors = fs.existsSync(path.join(dir, `${key}.json`));
      const tensors = hasTensors ? readNamedTensors(dir, key).map((t) => t.tensor) : [];
      cb.restoreCheckpointState({ data: datas[key], tensors }, control);
    }
    control.resumeAfter(state.epoch);
  }
}

/** Files a checkpoint writes itself: a callback's `<key>.json`/`<key>.bin` must not overwrite them. */
const OWN_FILES = ["model", "weights", "optimizer", "trainstate", "trainlab-params"];

/** @throws Error when two callbacks share a `checkpointKey` or one uses a name of the checkpoint's own files. */
function checkStateKeys(callbacks: readonly Callback[]): void {
  const seen = new Set<string>();
  for (const cb of callbacks) {
    const key = cb.checkpointKey;
    if (!key || !cb.checkpointState) continue;
    if (seen.has(key)) {
      throw new Error(
        `ModelCheckpoint: two callbacks keep their checkpoint state under the key "${key}", so one ` +
          `would overwrite the other's: give one of them another checkpointKey, or pass only one of them.`,
      );
    }
    if (OWN_FILES.includes(key)) {
      throw new Error(
        `ModelCheckpoint: a callback's checkpointKey "${key}" names a file the checkpoint writes ` +
          `itself (${OWN_FILES.join(", ")}): choose another key.`,
      );
    }
    seen.add(key);
  }
}

/** The network's trainable variables, in order (the ones the optimizer keeps slots for). */
function trainableVariables(net: tf.LayersModel): tf.Variable[] {
  return net.trainableWeights.map((w) => w.read() as tf.Variable);
}
