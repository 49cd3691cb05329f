/**
 * lib/train's built-in callbacks (issue 17), one by one: EarlyStopping, ModelCheckpoint, LearningRateScheduler,
 * TerminateOnNaN and LiveProgress, each through the public hook interface. Real tfjs models on iris.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { mlp } from "../../lib/models/nn";
import {
  Callback,
  EarlyStopping,
  LearningRateScheduler,
  LiveProgress,
  ModelCheckpoint,
  evaluateLoss,
  hasCheckpoint,
  train,
} from "../../lib/train";
import { iris } from "../models/nn/helpers";
import { callbackSuiteSetup, irisSplit, quiet, weightsOf } from "./callbacks-fixtures";

describe("training callbacks", function () {
  this.timeout(120000);
  const scratch = callbackSuiteSetup();

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
      const dir = path.join(scratch.dir, "ckpt-every");
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
      const dir = path.join(scratch.dir, "ckpt-legacy");
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
});
