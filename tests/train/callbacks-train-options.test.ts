/**
 * What train()'s options (earlyStopping, checkpoint, callbacks) did before they became callbacks, they still do
 * (issue 17): best weights put back after an interrupt or error, onTrainBegin/onTrainEnd see the real run, and a
 * checkpoint refuses clashing or misordered callback state. Real tfjs models on iris.
 */
import { strict as assert } from "assert";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { mlp } from "../../lib/models/nn";
import { Callback, EarlyStopping, ModelCheckpoint, evaluateLoss, hasCheckpoint, train } from "../../lib/train";
import { iris } from "../models/nn/helpers";
import { callbackSuiteSetup, irisSplit, quiet, weightsOf } from "./callbacks-fixtures";

describe("training callbacks", function () {
  this.timeout(120000);
  const scratch = callbackSuiteSetup();

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

      const dir = path.join(scratch.dir, "ckpt-begin");
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
      const dir = path.join(scratch.dir, "ckpt-keys");
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
      const dir = path.join(scratch.dir, "ckpt-order");
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
