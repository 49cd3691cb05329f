/**
 * lib/train's built-in callbacks (issue 17): early stopping, checkpoints, learning-rate schedules, the NaN check and
 * the live view are callbacks on the public hook interface, each one a user could have written; the loop is only the
 * loop. Real tfjs models on iris.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../lib/backend";
import { mlp } from "../../lib/models/nn";
import {
  Callback,
  EarlyStopping,
  History,
  LearningRateScheduler,
  LiveProgress,
  Logs,
  ModelCheckpoint,
  TerminateOnNaN,
  TrainingControl,
  evaluateLoss,
  hasCheckpoint,
  progressLine,
  train,
} from "../../lib/train";
import { runLoop } from "../../lib/train/loop";
import { SeededRandom } from "../../lib/train/random";
import { iris } from "../models/nn/helpers";

const quiet = { live: "none" as const };

/** Iris cut into 120 training and 30 validation rows (every fifth row validates). */
function irisSplit(): { X: number[][]; y: string[]; Xval: number[][]; yval: string[] } {
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
function weightsOf(net: tf.LayersModel): number[][] {
  return net.getWeights().map((w) => Array.from(w.dataSync()));
}

// ---- Each built-in behaviour, written by a user with nothing but the public hook interface ----

/** A user's early stopping: patience on val_loss, best weights restored at the end. */
class MyEarlyStopping implements Callback {
  private best = Infinity;
  private bestEpoch = 0;
  private wait = 0;
  private weights: tf.Tensor[] = [];
  constructor(private readonly patience: number) {}
  onEpochEnd(epoch: number, logs: Logs, control: TrainingControl): void {
    if (logs.val_loss < this.best) {
      this.best = logs.val_loss;
      this.bestEpoch = epoch;
      this.wait = 0;
      tf.dispose(this.weights);
      this.weights = control.network.getWeights().map((w) => w.clone());
    } else if (++this.wait >= this.patience) {
      control.history.stopReason = "early-stopping";
      control.stop();
    }
  }
  onTrainEnd(_logs: Logs, control: TrainingControl): void {
    // Always: after an interrupt mid-epoch the network has moved on even when the best epoch is the last recorded.
    control.network.setWeights(this.weights);
    control.history.bestEpoch = this.bestEpoch;
    tf.dispose(this.weights);
  }
}

/** A user's learning-rate schedule: halve the rate every epoch. */
const myHalving: Callback = {
  onEpochBegin: (epoch, _logs, control) => control.setLearningRate(control.params.learningRate * 0.5 ** (epoch - 1)),
};

/** A user's NaN check, Keras-style: stop (rather than throw) when the loss is no longer finite. */
class MyTerminateOnNaN implements Callback {
  stoppedAt?: number;
  onBatchEnd(batch: number, logs: Logs, control: TrainingControl): void {
    if (!Number.isFinite(logs.loss) && this.stoppedAt === undefined) {
      this.stoppedAt = batch;
      control.stop();
    }
  }
}

/** A user's checkpoint in one JSON file: weights, optimizer state, random state, History; resumes from it. */
class MyCheckpoint implements Callback {
  constructor(private readonly file: string) {}
  async onTrainBegin(_logs: Logs, control: TrainingControl): Promise<void> {
    if (!fs.existsSync(this.file)) return;
    const saved = JSON.parse(fs.readFileSync(this.file, "utf8"));
    const weights = saved.weights.map((w: { shape: number[]; values: number[] }) => tf.tensor(w.values, w.shape));
    control.network.setWeights(weights);
    const slots = saved.optimizer.map((w: { name: string; shape: number[]; values: number[] }) => ({
      name: w.name,
      tensor: tf.tensor(w.values, w.shape),
    }));
    await control.optimizer.setWeights(slots);
    tf.dispose([...weights, ...slots.map((w: { tensor: tf.Tensor }) => w.tensor)]);
    control.random.setState(saved.random);
    Object.assign(control.history, History.fromJSON(saved.history));
    control.resumeAfter(saved.epoch);
  }
  async onEpochEnd(epoch: number, _logs: Logs, control: TrainingControl): Promise<void> {
    const optimizer = await control.optimizer.getWeights();
    fs.writeFileSync(
      this.file,
      JSON.stringify({
        epoch,
        random: control.random.getState(),
        history: control.history.toJSON(),
        weights: control.network.getWeights().map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) })),
        optimizer: optimizer.map((w) => ({
          name: w.name,
          shape: w.tensor.shape,
          values: Array.from(w.tensor.dataSync()),
        })),
      }),
    );
    tf.dispose(optimizer.map((w) => w.tensor));
  }
}

/** A user's progress display: the library's progress line after every epoch. */
class MyProgress implements Callback {
  lines: string[] = [];
  onTrainBegin(_logs: Logs, control: TrainingControl): void {
    this.lines.push(control.params.summary);
  }
  onEpochEnd(epoch: number, logs: Logs, control: TrainingControl): void {
    const p = control.params;
    this.lines.push(
      progressLine({
        epoch,
        epochs: p.epochs,
        batch: p.batches,
        batches: p.batches,
        samplesPerSecond: 1,
        etaSeconds: 0,
        logs,
      }),
    );
  }
}

describe("training callbacks", function () {
  this.timeout(120000);
  let tmp: string;
  before(async () => {
    await tf.setBackend((await ensureBackend()).tfName);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-callbacks-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe("a user can write each built-in behaviour as a callback of their own", () => {
    it("early stopping: the same epochs, best epoch and restored weights as the built-in", async () => {
      const d = irisSplit();
      const params = { hiddenUnits: [64, 64], epochs: 60, batchSize: 16, learningRate: 0.01, seed: 3 };
      const options = { ...quiet, validationData: { x: d.Xval, y: d.yval } };
      const builtIn = mlp(params);
      const a = await train(builtIn, { x: d.X, y: d.y }, { ...options, earlyStopping: { patience: 3 } });
      const mine = mlp(params);
      const b = await train(mine, { x: d.X, y: d.y }, { ...options, callbacks: [new MyEarlyStopping(3)] });
      assert.equal(a.stopReason, "early-stopping");
      assert.ok(a.epochs.length < 60, `stopped after ${a.epochs.length} epochs`);
      assert.deepEqual(b.epochs, a.epochs);
      assert.equal(b.stopReason, a.stopReason);
      assert.equal(b.bestEpoch, a.bestEpoch);
      assert.deepEqual(weightsOf(mine.network!), weightsOf(builtIn.network!));
      builtIn.dispose();
      mine.dispose();
    });

    it("a learning-rate schedule: the same rates and losses as the built-in exponential schedule", async () => {
      const { X, y } = iris();
      const params = {
        hiddenUnits: [8],
        optimizer: "sgd" as const,
        learningRate: 0.2,
        epochs: 4,
        batchSize: 30,
        seed: 2,
      };
      const a = await train(mlp(params), { x: X, y }, { ...quiet, schedule: { type: "exponential", decay: 0.5 } });
      const b = await train(mlp(params), { x: X, y }, { ...quiet, callbacks: [myHalving] });
      assert.deepEqual(a.learningRates, [0.2, 0.1, 0.05, 0.025]);
      assert.deepEqual(b.learningRates, a.learningRates);
      assert.deepEqual(b.metrics.loss, a.metrics.loss);
    });

    it("a NaN check: a user's callback sees the diverged loss and stops the run", async () => {
      const { X, y } = iris();
      const x = tf.tensor2d(X.map((r) => r.map((v) => v * 1e3)));
      const t = tf.tensor2d(
        y.map((s) => [s.length * 1e6]),
        [y.length, 1],
      );
      const regression = () => tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] })] });
      const settings = {
        epochs: 20,
        batchSize: 10,
        optimizer: "sgd" as const,
        learningRate: 10,
        momentum: 0,
        l2: 0,
        validationSplit: 0,
      };
      const mine = new MyTerminateOnNaN();
      const net1 = regression();
      const h = await runLoop({ net: net1, x, y: t, loss: "mse", rng: new SeededRandom(1) }, settings, {
        callbacks: [mine],
      });
      assert.ok(mine.stoppedAt !== undefined, "the loss diverged and the user's callback saw it");
      assert.equal(h.stopReason, "callback");
      const net2 = regression();
      await assert.rejects(
        () =>
          runLoop({ net: net2, x, y: t, loss: "mse", rng: new SeededRandom(1) }, settings, {
            callbacks: [new TerminateOnNaN()],
          }),
        /Training diverged: the loss became (NaN|Infinity) at epoch \d+, batch \d+/,
      );
      tf.dispose([x, t]);
      net1.dispose();
      net2.dispose();
    });

    it("a checkpoint: a run resumed from the user's file ends exactly where an uninterrupted one does", async () => {
      const { X, y } = iris();
      const params = {
        hiddenUnits: [8],
        optimizer: "sgd" as const,
        batchSize: 16,
        learningRate: 0.05,
        seed: 4,
        validationSplit: 0.2,
      };
      const full = await mlp(params).fit(X, y, { ...quiet, epochs: 4 });
      const file = path.join(tmp, "my-checkpoint.json");
      await mlp(params).fit(X, y, { ...quiet, epochs: 2, callbacks: [new MyCheckpoint(file)] });
      const trained: number[] = [];
      const resumed = await mlp(params).fit(X, y, {
        ...quiet,
        epochs: 4,
        callbacks: [new MyCheckpoint(file), { onEpochBegin: (e) => void trained.push(e) }],
      });
      assert.deepEqual(trained, [3, 4], "only the epochs after the checkpoint ran");
      assert.deepEqual(resumed.history!.epochs, [1, 2, 3, 4]);
      for (const key of ["loss", "acc", "val_loss"]) {
        full.history!.metrics[key].forEach((v, i) =>
          assert.ok(
            Math.abs(v - resumed.history!.metrics[key][i]) < 1e-5,
            `${key}[${i}]: ${v} vs ${resumed.history!.metrics[key][i]}`,
          ),
        );
      }
      full.dispose();
      resumed.dispose();
    });

    it("a progress display: the run's summary and one line per epoch", async () => {
      const { X, y } = iris();
      const mine = new MyProgress();
      await train(mlp({ hiddenUnits: [8], epochs: 3, seed: 1 }), { x: X, y }, { ...quiet, callbacks: [mine] });
      assert.equal(mine.lines.length, 4);
      assert.match(mine.lines[0], /^MLPClassifier: 150 samples, 3 epochs/);
      assert.match(mine.lines[3], /^epoch 3\/3 · batch 5\/5 · .* · loss \d/);
    });

    it("the built-ins reach the run only through the hook interface (no import of the loop's modules)", () => {
      const dir = path.join(__dirname, "..", "..", "..", "lib", "train", "callbacks");
      const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts"));
      assert.ok(files.length >= 6, `callback sources: ${files.join(", ")}`);
      for (const file of files) {
        const source = fs.readFileSync(path.join(dir, file), "utf8");
        const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
        const private_ = imports.filter((s) => /^\.\.\/(loop|options|optimizers|random|train)$/.test(s));
        assert.deepEqual(private_, [], `${file} imports the loop's internals`);
      }
    });
  });

  describe("EarlyStopping", () => {
    it("monitors a metric another callback adds to the epoch's logs, and restores the best epoch's weights", async () => {
      const d = irisSplit();
      // The user's metric, and the weights of the epoch where it was lowest so far (the same rule: strictly lower).
      const errors: number[] = [];
      let weightsAtBest: number[][] = [];
      let bestEpoch = 0;
      const addError: Callback = {
        onEpochEnd: (epoch, logs, control) => {
          logs.val_error = 1 - logs.val_acc;
          if (errors.every((e) => logs.val_error < e)) {
            bestEpoch = epoch;
            weightsAtBest = weightsOf(control.network);
          }
          errors.push(logs.val_error);
        },
      };
      const model = mlp({ hiddenUnits: [16], epochs: 40, batchSize: 16, learningRate: 0.02, seed: 5 });
      const h = await train(
        model,
        { x: d.X, y: d.y },
        {
          ...quiet,
          validationData: { x: d.Xval, y: d.yval },
          callbacks: [addError, new EarlyStopping({ monitor: "val_error", patience: 4 })],
        },
      );
      assert.equal(h.monitor, "val_error");
      assert.equal(h.stopReason, "early-stopping");
      assert.equal(h.bestEpoch, bestEpoch);
      assert.equal(h.epochs.length, bestEpoch + 4, "stops patience epochs after the best one");
      assert.deepEqual(weightsOf(model.network!), weightsAtBest);
      model.dispose();
    });

    it("puts back the best weights when the run fails later", async () => {
      const d = irisSplit();
      const net = tf.sequential({
        layers: [
          tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }),
          tf.layers.dense({ units: 3, activation: "softmax" }),
        ],
      });
      const names = ["setosa", "versicolor", "virginica"];
      const [x, t, xv, tv] = [
        tf.tensor2d(d.X),
        tf.tensor1d(
          d.y.map((s) => names.indexOf(s)),
          "int32",
        ),
        tf.tensor2d(d.Xval),
        tf.tensor1d(
          d.yval.map((s) => names.indexOf(s)),
          "int32",
        ),
      ];
      const valLosses: number[] = [];
      const failAt6: Callback = {
        onEpochEnd: (e, logs) => {
          valLosses.push(logs.val_loss);
          if (e === 6) throw new Error("disk full");
        },
      };
      await assert.rejects(
        () =>
          train(
            net,
            { x, y: t },
            {
              ...quiet,
              loss: "sparse-categorical",
              epochs: 20,
              learningRate: 0.05,
              seed: 1,
              validationData: { x: xv, y: tv },
              callbacks: [new EarlyStopping({ patience: 50 }), failAt6],
            },
          ),
        /disk full/,
      );
      const now = evaluateLoss(net, "sparse-categorical", xv, tv).loss;
      assert.ok(
        Math.abs(now - Math.min(...valLosses)) < 1e-5,
        `val_loss now ${now}, best ${Math.min(...valLosses)} of ${valLosses}`,
      );
      tf.dispose([x, t, xv, tv]);
      net.dispose();
    });

    it("says what is wrong: a validation metric without validation data, a metric that is not in the logs", async () => {
      const { X, y } = iris();
      await assert.rejects(
        () =>
          train(mlp({ epochs: 2 }), { x: X, y }, { ...quiet, callbacks: [new EarlyStopping({ monitor: "val_acc" })] }),
        /monitors "val_acc" but there is no validation data: pass validationSplit or validationData/,
      );
      await assert.rejects(
        () => train(mlp({ epochs: 2 }), { x: X, y }, { ...quiet, earlyStopping: { monitor: "f1" } }),
        /monitors "f1", which is not among the metrics: loss, acc/,
      );
      assert.throws(() => new EarlyStopping({ patience: -1 }), /patience must be >= 0/);
    });
  });

  describe("ModelCheckpoint", () => {
    it("writes every `every` epochs and at the last, and a resumed run trains only the epochs after it", async () => {
      const { X, y } = iris();
      const dir = path.join(tmp, "ckpt-every");
      const params = { hiddenUnits: [8], batchSize: 16, learningRate: 0.01, seed: 4, validationSplit: 0.2 };
      const written: number[] = [];
      const watch: Callback = {
        onEpochEnd: () => {
          if (hasCheckpoint(dir))
            written.push(JSON.parse(fs.readFileSync(path.join(dir, "trainstate.json"), "utf8")).epoch);
        },
      };
      const first = await mlp(params).fit(X, y, {
        ...quiet,
        epochs: 5,
        callbacks: [new ModelCheckpoint({ dir, every: 2 }), watch],
      });
      assert.deepEqual([...new Set(written)], [2, 4, 5]);
      const full = await mlp(params).fit(X, y, { ...quiet, epochs: 7 });
      const trained: number[] = [];
      const resumed = await mlp(params).fit(X, y, {
        ...quiet,
        epochs: 7,
        callbacks: [{ onEpochBegin: (e) => void trained.push(e) }, new ModelCheckpoint({ dir })],
      });
      assert.deepEqual(trained, [6, 7]);
      full.history!.metrics.val_loss.forEach((v, i) =>
        assert.ok(Math.abs(v - resumed.history!.metrics.val_loss[i]) < 1e-5, `val_loss[${i}]`),
      );
      await assert.rejects(
        () => mlp({ ...params, hiddenUnits: [4] }).fit(X, y, { ...quiet, epochs: 7, checkpoint: { dir } }),
        /written by a different architecture/,
      );
      for (const m of [first, full, resumed]) m.dispose();
    });

    it("keeps the state of the callbacks that have one, and reads early stopping's from checkpoints written before", async () => {
      const d = irisSplit();
      const params = { hiddenUnits: [64, 64], batchSize: 16, learningRate: 0.01, seed: 3 };
      const opts = { ...quiet, validationData: { x: d.Xval, y: d.yval }, earlyStopping: { patience: 3 } };
      const full = await mlp(params).fit(d.X, d.y, { ...opts, epochs: 60 });
      assert.equal(full.history!.stopReason, "early-stopping");
      const dir = path.join(tmp, "ckpt-legacy");
      (
        await mlp(params).fit(d.X, d.y, { ...opts, epochs: full.history!.bestEpoch! + 1, checkpoint: { dir } })
      ).dispose();
      const stateFile = path.join(dir, "trainstate.json");
      const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
      assert.equal(state.callbacks.best.epoch, full.history!.bestEpoch);
      // The format before callbacks kept their own state: early stopping's at the top level.
      state.best = state.callbacks.best;
      delete state.callbacks;
      fs.writeFileSync(stateFile, JSON.stringify(state));
      const resumed = await mlp(params).fit(d.X, d.y, { ...opts, epochs: 60, checkpoint: { dir } });
      assert.equal(resumed.history!.bestEpoch, full.history!.bestEpoch);
      assert.deepEqual(resumed.history!.epochs, full.history!.epochs);
      assert.deepEqual(resumed.predictProba(d.Xval.slice(0, 5)), full.predictProba(d.Xval.slice(0, 5)));
      full.dispose();
      resumed.dispose();
    });
  });

  describe("LearningRateScheduler", () => {
    it("sets the optimizer's rate each epoch: a zero rate leaves the weights where they are", async () => {
      const { X, y } = iris();
      const model = await mlp({ hiddenUnits: [8], optimizer: "sgd", epochs: 1, seed: 6 }).fit(X, y, quiet);
      const before = weightsOf(model.network!);
      const seen: number[] = [];
      const h = await train(
        model,
        { x: X, y },
        {
          ...quiet,
          epochs: 3,
          callbacks: [new LearningRateScheduler(() => 0), { onEpochBegin: (_e, logs) => void seen.push(logs.lr) }],
        },
      );
      assert.deepEqual(h.learningRates, [0, 0, 0]);
      assert.deepEqual(seen, [0, 0, 0], "later callbacks see the scheduled rate");
      assert.deepEqual(weightsOf(model.network!), before);
      await assert.rejects(
        () => train(model, { x: X, y }, { ...quiet, epochs: 2, schedule: (epoch) => (epoch === 2 ? Number.NaN : 0.1) }),
        /schedule gave NaN for epoch 2/,
      );
      model.dispose();
    });
  });

  describe("TerminateOnNaN", () => {
    it("ends a diverging run with an error naming the epoch and batch, before any other callback sees the loss", async () => {
      const { X } = iris();
      const losses: number[] = [];
      const net = mlp({
        task: "regression",
        hiddenUnits: [32],
        optimizer: "sgd",
        learningRate: 10,
        epochs: 30,
        batchSize: 16,
        seed: 1,
      });
      const wide = X.map((r) => r.map((v) => v * 100));
      await assert.rejects(
        () =>
          train(
            net,
            { x: wide, y: X.map((r) => r[0]) },
            { ...quiet, callbacks: [{ onBatchEnd: (_b, logs) => void losses.push(logs.loss) }] },
          ),
        /Training diverged: the loss became (NaN|Infinity) at epoch \d+, batch \d+\. Lower the learning rate/,
      );
      assert.ok(losses.every(Number.isFinite), "no callback after it saw a non-finite loss");
    });
  });

  describe("LiveProgress", () => {
    it("prints the summary, epoch lines and a closing line saying how the run ended", async () => {
      const d = irisSplit();
      const lines: string[] = [];
      const live = new LiveProgress({ mode: "lines", log: (line) => lines.push(line), timing: { lineIntervalMs: 0 } });
      const h = await train(
        mlp({ hiddenUnits: [16], epochs: 60, batchSize: 16, learningRate: 0.05, seed: 2 }),
        { x: d.X, y: d.y },
        {
          ...quiet,
          validationData: { x: d.Xval, y: d.yval },
          callbacks: [new EarlyStopping({ patience: 2 }), live],
        },
      );
      assert.equal(h.stopReason, "early-stopping");
      assert.match(lines[0], /^MLPClassifier: 120 samples, 60 epochs, batch 16/);
      assert.equal(lines.length, 1 + h.epochs.length + 1);
      assert.match(
        lines[1],
        /^epoch 1\/60 {2}loss=\d\.\d+ acc=\d\.\d+ val_loss=\d\.\d+ val_acc=\d\.\d+ {2}\d+ samples\/s {2}ETA/,
      );
      assert.match(
        lines[lines.length - 1],
        new RegExp(`^stopped early, best epoch ${h.bestEpoch}: ${h.epochs.length} epoch\\(s\\) in \\d+\\.\\d s`),
      );
      assert.ok(lines[lines.length - 1].endsWith(h.hint().message), "it closes with the fit hint");
    });
  });

  describe("what the train options' callbacks did before they were callbacks, they still do", () => {
    const names = ["setosa", "versicolor", "virginica"];
    /** An unfitted iris network with its training and validation tensors (the caller disposes them). */
    function irisNet(): { net: tf.Sequential; data: tf.Tensor[] } {
      const d = irisSplit();
      const net = tf.sequential({
        layers: [
          tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }),
          tf.layers.dense({ units: 3, activation: "softmax" }),
        ],
      });
      const data = [
        tf.tensor2d(d.X),
        tf.tensor1d(
          d.y.map((s) => names.indexOf(s)),
          "int32",
        ),
        tf.tensor2d(d.Xval),
        tf.tensor1d(
          d.yval.map((s) => names.indexOf(s)),
          "int32",
        ),
      ];
      return { net, data };
    }

    for (const ending of ["an interrupt", "an error"] as const) {
      it(`early stopping puts back the best epoch's weights when ${ending} comes mid-epoch right after the best epoch`, async () => {
        const {
          net,
          data: [x, t, xv, tv],
        } = irisNet();
        const abort = new AbortController();
        let bestVal = Infinity;
        let bestEpoch = 0;
        let atBest: number[][] = [];
        // Ends the run at batch 2 of the first epoch that follows a new best val_loss (early stopping's best epoch).
        const ender: Callback = {
          onEpochEnd: (e, logs, control) => {
            if (logs.val_loss < bestVal) [bestVal, bestEpoch, atBest] = [logs.val_loss, e, weightsOf(control.network)];
          },
          onBatchEnd: (b) => {
            if (bestEpoch > 0 && b === 2) {
              if (ending === "an error") throw new Error("disk full");
              abort.abort();
            }
          },
        };
        const run = train(
          net,
          { x, y: t },
          {
            ...quiet,
            loss: "sparse-categorical",
            epochs: 20,
            batchSize: 16,
            learningRate: 0.01,
            seed: 1,
            validationData: { x: xv, y: tv },
            earlyStopping: { patience: 50 },
            callbacks: [ender],
            signal: abort.signal,
          },
        );
        if (ending === "an error") await assert.rejects(run, /disk full/);
        else {
          const h = await run;
          assert.equal(h.stopReason, "interrupted");
          assert.equal(h.bestEpoch, bestEpoch);
          assert.equal(h.epochs[h.epochs.length - 1], bestEpoch, "the best epoch is the last recorded one");
        }
        assert.deepEqual(
          weightsOf(net),
          atBest,
          "the network holds the best epoch's weights, not those of the unfinished epoch",
        );
        tf.dispose([x, t, xv, tv]);
        net.dispose();
      });
    }

    it("your onTrainEnd sees the weights train() returns and the best epoch; your onTrainBegin sees a resumed run", async () => {
      const { X, y } = iris();
      const params = { hiddenUnits: [8], seed: 2, validationSplit: 0.2, learningRate: 0.05 };
      let atEnd: number[][] = [];
      let bestAtEnd: number | null | undefined;
      const model = await mlp({ ...params, epochs: 60 }).fit(X, y, {
        ...quiet,
        earlyStopping: { patience: 3 },
        callbacks: [
          {
            onTrainEnd: (_logs, control) => {
              atEnd = weightsOf(control.network);
              bestAtEnd = control.history.bestEpoch;
            },
          },
        ],
      });
      const h = model.history!;
      assert.equal(h.stopReason, "early-stopping");
      assert.notEqual(h.bestEpoch, h.epochs[h.epochs.length - 1], "the run went on past its best epoch");
      assert.equal(bestAtEnd, h.bestEpoch);
      assert.deepEqual(atEnd, weightsOf(model.network!));
      model.dispose();

      const dir = path.join(tmp, "ckpt-begin");
      const first = await mlp({ ...params, epochs: 3 }).fit(X, y, { ...quiet, checkpoint: { dir } });
      let seen: { epochs: number; weights: number[][] } | undefined;
      const resumed = await mlp({ ...params, epochs: 4 }).fit(X, y, {
        ...quiet,
        checkpoint: { dir },
        callbacks: [
          {
            onTrainBegin: (_logs, control) => {
              seen = { epochs: control.history.epochs.length, weights: weightsOf(control.network) };
            },
          },
        ],
      });
      assert.deepEqual(seen, { epochs: 3, weights: weightsOf(first.network!) });
      first.dispose();
      resumed.dispose();
    });

    it("a callback whose onTrainEnd throws leaves no early-stopping copies behind and the best weights in place", async () => {
      const {
        net,
        data: [x, t, xv, tv],
      } = irisNet();
      const before = tf.memory().numTensors;
      const valLosses: number[] = [];
      const failing: Callback = {
        onEpochEnd: (_e, logs) => void valLosses.push(logs.val_loss),
        onTrainEnd: () => {
          throw new Error("report failed");
        },
      };
      await assert.rejects(
        () =>
          train(
            net,
            { x, y: t },
            {
              ...quiet,
              loss: "sparse-categorical",
              epochs: 60,
              learningRate: 0.05,
              seed: 1,
              validationData: { x: xv, y: tv },
              callbacks: [failing, new EarlyStopping({ patience: 2 })],
            },
          ),
        /report failed/,
      );
      assert.equal(tf.memory().numTensors, before, "tensors left behind");
      const now = evaluateLoss(net, "sparse-categorical", xv, tv).loss;
      assert.ok(
        Math.abs(now - Math.min(...valLosses)) < 1e-5,
        `val_loss now ${now}, best ${Math.min(...valLosses)} of ${valLosses}`,
      );
      tf.dispose([x, t, xv, tv]);
      net.dispose();
    });

    it("a checkpoint refuses two callbacks that would keep their state under one key", async () => {
      const d = irisSplit();
      const dir = path.join(tmp, "ckpt-keys");
      await assert.rejects(
        () =>
          mlp({ hiddenUnits: [8], epochs: 2, seed: 1 }).fit(d.X, d.y, {
            ...quiet,
            validationData: { x: d.Xval, y: d.yval },
            checkpoint: { dir },
            earlyStopping: { patience: 2 },
            callbacks: [new EarlyStopping({ monitor: "val_acc", patience: 4 })],
          }),
        /two callbacks keep their checkpoint state under the key "best"/,
      );
      assert.equal(hasCheckpoint(dir), false);
    });

    it("a checkpoint placed before a callback whose state it keeps says to put it after (else it saves the epoch before)", async () => {
      const d = irisSplit();
      const dir = path.join(tmp, "ckpt-order");
      await assert.rejects(
        () =>
          mlp({ hiddenUnits: [8], epochs: 2, seed: 1 }).fit(d.X, d.y, {
            ...quiet,
            validationData: { x: d.Xval, y: d.yval },
            callbacks: [new ModelCheckpoint({ dir }), new EarlyStopping({ patience: 3 })],
          }),
        /ModelCheckpoint comes before EarlyStopping \("best"\) in callbacks: .* Put ModelCheckpoint after it/,
      );
      assert.equal(hasCheckpoint(dir), false);
    });
  });
});
