/**
 * lib/train's callbacks are only the public hook interface (issue 17): a user can write each built-in behaviour --
 * early stopping, a learning-rate schedule, the NaN check, a checkpoint, a progress display -- as a callback of their
 * own and gets the built-in's result; the built-ins import none of the loop's internals. Real tfjs models on iris.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { mlp } from "../../lib/models/nn";
import { Callback, History, Logs, TerminateOnNaN, TrainingControl, progressLine, train } from "../../lib/train";
import { runLoop } from "../../lib/train/loop";
import { SeededRandom } from "../../lib/train/random";
import { iris } from "../models/nn/helpers";
import { callbackSuiteSetup, irisSplit, quiet, weightsOf } from "./callbacks-fixtures";

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
  const scratch = callbackSuiteSetup();

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
      const file = path.join(scratch.dir, "my-checkpoint.json");
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
});
