/**
 * lib/train: the training loop's promises — callbacks in Keras order, early stopping that restores the best
 * weights, resumable checkpoints, interrupt that leaves a usable model, learning-rate schedules, no tensor leak,
 * and the live chart updated in place through the kernel bridge.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../lib/backend";
import { BRIDGE, DISPLAY, KernelBridge, MimeBundle, PublishOptions } from "../../lib/display";
import { mlp } from "../../lib/models/nn";
import { Callback, History, evaluateLoss, scheduledLearningRate, train } from "../../lib/train";
import { iris, standardize } from "../models/nn/helpers";

const quiet = { live: "none" as const };

/** A stand-in for the kernel's bridge that records what the library publishes. */
class RecordingBridge implements KernelBridge {
  messages: { bundle: MimeBundle; options?: PublishOptions }[] = [];
  controller = new AbortController();
  publish(bundle: MimeBundle, options?: PublishOptions): void {
    this.messages.push({ bundle, options });
  }
  clearOutput(): void {}
  signal(): AbortSignal {
    return this.controller.signal;
  }
}

function withBridge<T>(bridge: KernelBridge, fn: () => Promise<T>): Promise<T> {
  (globalThis as Record<symbol, unknown>)[BRIDGE] = bridge;
  return fn().finally(() => delete (globalThis as Record<symbol, unknown>)[BRIDGE]);
}

/** Noisy two-class data that an over-sized MLP overfits. */
function noisy(n: number, seed: number): { X: number[][]; y: number[] } {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: 10 }, () => r() * 2 - 1);
    X.push(row);
    y.push(row[0] + 0.8 * (r() * 2 - 1) > 0 ? 1 : 0);
  }
  return { X, y };
}

describe("train()", function () {
  this.timeout(120000);
  let tmp: string;
  before(async () => {
    // Train on the backend the chain chose, even if an earlier test switched tfjs to another one.
    await tf.setBackend((await ensureBackend()).tfName);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-train-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("calls Keras-style callbacks in order and records per-epoch metrics in a History", async () => {
    const { X, y } = iris();
    const events: string[] = [];
    const cb: Callback = {
      onTrainBegin: () => void events.push("trainBegin"),
      onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
      onBatchEnd: (b) => void events.push(`batch ${b}`),
      onEpochEnd: (e, logs) => void events.push(`epochEnd ${e} ${Object.keys(logs).join(",")}`),
      onTrainEnd: () => void events.push("trainEnd"),
    };
    const model = mlp({ hiddenUnits: [8], seed: 1 });
    const history = await train(
      model,
      { x: X, y },
      { ...quiet, epochs: 2, batchSize: 75, validationSplit: 0.2, callbacks: [cb] },
    );
    assert.deepEqual(events, [
      "trainBegin",
      "epochBegin 1",
      "batch 1",
      "batch 2",
      "epochEnd 1 loss,acc,val_loss,val_acc",
      "epochBegin 2",
      "batch 1",
      "batch 2",
      "epochEnd 2 loss,acc,val_loss,val_acc",
      "trainEnd",
    ]);
    assert.ok(history instanceof History);
    assert.deepEqual(history.epochs, [1, 2]);
    assert.equal(history.metrics.val_acc.length, 2);
    assert.equal(history.stopReason, "completed");
    assert.ok(model.fitted);
    const bundle = history[DISPLAY]();
    assert.ok(bundle["application/vnd.plotly.v1+json"]);
    assert.match(String(bundle["text/html"]), /trainlab-history/);
    model.dispose();
  });

  it("continues a fitted model (warm start) and can stop from a callback", async () => {
    const { X, y } = iris();
    const model = await mlp({ hiddenUnits: [8], epochs: 3, seed: 2 }).fit(X, y, quiet);
    const before = model.history!.last("loss")!;
    const h = await train(model, { x: X, y }, { ...quiet, epochs: 5 });
    assert.ok(h.metrics.loss[0] < before + 1e-6, "warm start continues from the trained weights");
    const stopper: Callback = {
      onEpochEnd: (epoch, _logs, control) => {
        if (epoch === 2) control.stop();
      },
    };
    const h2 = await train(model, { x: X, y }, { ...quiet, epochs: 10, callbacks: [stopper] });
    assert.deepEqual(h2.epochs, [1, 2]);
    assert.equal(h2.stopReason, "callback");
    model.dispose();
  });

  it("stops early on the monitored metric and restores the best epoch's weights", async () => {
    const data = noisy(300, 7);
    const val = noisy(150, 8);
    const model = mlp({ hiddenUnits: [128, 128], epochs: 60, batchSize: 16, learningRate: 0.01, seed: 3 });
    const history = await train(
      model,
      { x: data.X, y: data.y },
      {
        ...quiet,
        validationData: { x: val.X, y: val.y },
        earlyStopping: { monitor: "val_loss", patience: 3 },
      },
    );
    assert.equal(history.stopReason, "early-stopping");
    const losses = history.metrics.val_loss;
    const best = losses.indexOf(Math.min(...losses));
    assert.equal(history.bestEpoch, history.epochs[best]);
    assert.ok(history.epochs.length === best + 1 + 3, "stops patience epochs after the best one");
    const xVal = tf.tensor2d(val.X);
    const yVal = tf.tensor1d(val.y, "int32");
    const now = evaluateLoss(model.network!, "sparse-categorical", xVal, yVal).loss;
    tf.dispose([xVal, yVal]);
    assert.ok(Math.abs(now - losses[best]) < 1e-5, `restored val_loss ${now} vs best ${losses[best]}`);
    assert.equal(history.hint().kind, "overfitting");
    model.dispose();
  });

  it("writes resumable checkpoints: a resumed run ends exactly where an uninterrupted one does", async () => {
    const { X, y } = iris();
    const params = { hiddenUnits: [8], batchSize: 16, learningRate: 0.01, seed: 4, validationSplit: 0.2 };
    const full = await mlp(params).fit(X, y, { ...quiet, epochs: 4 });
    const dir = path.join(tmp, "ckpt");
    const first = await mlp(params).fit(X, y, { ...quiet, epochs: 2, checkpoint: { dir, every: 1 } });
    assert.ok(fs.existsSync(path.join(dir, "model.json")) && fs.existsSync(path.join(dir, "trainstate.json")));
    const resumed = await mlp(params).fit(X, y, { ...quiet, epochs: 4, checkpoint: { dir, every: 2 } });
    assert.deepEqual(resumed.history!.epochs, [1, 2, 3, 4]);
    for (const key of ["loss", "val_loss", "acc"]) {
      full.history!.metrics[key].forEach((v, i) =>
        assert.ok(
          Math.abs(v - resumed.history!.metrics[key][i]) < 1e-5,
          `${key}[${i}]: ${v} vs ${resumed.history!.metrics[key][i]}`,
        ),
      );
    }
    for (const m of [full, first, resumed]) m.dispose();
  });

  it("a resumed run with early stopping keeps the best weights saved in the checkpoint", async () => {
    const data = noisy(300, 7);
    const val = noisy(150, 8);
    const params = { hiddenUnits: [128, 128], batchSize: 16, learningRate: 0.01, seed: 3 };
    const opts = { ...quiet, validationData: { x: val.X, y: val.y }, earlyStopping: { patience: 3 } };
    const full = await mlp(params).fit(data.X, data.y, { ...opts, epochs: 60 });
    const dir = path.join(tmp, "ckpt-es");
    const part = await mlp(params).fit(data.X, data.y, {
      ...opts,
      epochs: full.history!.bestEpoch! + 1,
      checkpoint: { dir },
    });
    const resumed = await mlp(params).fit(data.X, data.y, { ...opts, epochs: 60, checkpoint: { dir } });
    assert.equal(resumed.history!.bestEpoch, full.history!.bestEpoch);
    assert.deepEqual(resumed.predictProba(val.X.slice(0, 5)), full.predictProba(val.X.slice(0, 5)));
    for (const m of [full, part, resumed]) m.dispose();
  });

  it("diagnoses over- and underfitting from the curves", () => {
    const h = (loss: number[], val: number[], acc?: number[]) => {
      const history = new History();
      loss.forEach((l, i) =>
        history.record(i + 1, { loss: l, ...(acc ? { acc: acc[i] } : {}), val_loss: val[i] }, 0.001),
      );
      return history.hint().kind;
    };
    assert.equal(h([1, 0.6, 0.4, 0.3, 0.2, 0.1], [1, 0.7, 0.6, 0.7, 0.8, 0.9]), "overfitting");
    assert.equal(h([1, 0.99, 0.98, 0.98], [1, 0.99, 0.99, 0.99]), "underfitting");
    assert.equal(h([1, 0.8, 0.7, 0.6], [1, 0.8, 0.7, 0.6], [0.5, 0.6, 0.62, 0.65]), "underfitting");
    assert.equal(h([1, 0.6, 0.4, 0.3], [1, 0.6, 0.42, 0.32]), "still-improving");
    assert.equal(h([1, 0.3, 0.2, 0.2, 0.2], [1, 0.32, 0.22, 0.22, 0.22]), "good-fit");
    assert.equal(
      h([0.2, 0.02, 0.01, 0.01, 0.01], [0.2, 0.02, 0.01, 0.01, 0.014]),
      "good-fit",
      "tiny wobbles are not overfitting",
    );
  });

  it("after early stopping, the hint names the best epoch and never suggests more epochs", () => {
    const stopped = (loss: number[], val: number[], options: { acc?: number[]; bestEpoch: number | null }) => {
      const history = new History();
      loss.forEach((l, i) =>
        history.record(i + 1, { loss: l, ...(options.acc ? { acc: options.acc[i] } : {}), val_loss: val[i] }, 0.001),
      );
      history.stopReason = "early-stopping";
      history.bestEpoch = options.bestEpoch;
      return history.hint();
    };
    // 04-train's regularised MLP: validation loss bottomed out at epoch 4 and wobbled up a little for 10 epochs
    // (patience) while the training loss kept falling by more than 5% over the last epochs.
    const loss = [0.9, 0.45, 0.25, 0.15, 0.13, 0.11, 0.1, 0.09, 0.085, 0.08, 0.07, 0.065, 0.06, 0.055];
    const val = [0.7, 0.2, 0.03, 0.005, 0.006, 0.008, 0.007, 0.01, 0.009, 0.012, 0.011, 0.013, 0.014, 0.0156];
    const completed = new History();
    loss.forEach((l, i) => completed.record(i + 1, { loss: l, val_loss: val[i] }, 0.001));
    assert.equal(
      completed.hint().kind,
      "still-improving",
      "the same curves without early stopping: training loss is still falling",
    );
    const restored = stopped(loss, val, { bestEpoch: 4 });
    assert.equal(restored.kind, "good-fit");
    assert.doesNotMatch(restored.message, /more epochs may help|train longer/i);
    assert.match(
      restored.message,
      /val_loss was best at epoch 4 and did not improve over the next 10 epoch\(s\) while training loss kept falling/,
    );
    assert.match(restored.message, /the weights of epoch 4 were restored\. More epochs would not help/);
    // without restoreBestWeights the best epoch comes from the monitored curve, and the hint says how to keep it
    const kept = stopped(loss, val, { bestEpoch: null });
    assert.match(kept.message, /best at epoch 4/);
    assert.match(kept.message, /restoreBestWeights: true/);
    // a model that stopped on a plateau without learning is underfitting, and more epochs are not the remedy
    const flat = stopped([1.1, 1.05, 1.04, 1.06, 1.05], [1.1, 1.06, 1.07, 1.08, 1.07], {
      acc: [0.33, 0.4, 0.41, 0.4, 0.41],
      bestEpoch: 2,
    });
    assert.equal(flat.kind, "underfitting");
    assert.match(flat.message, /val_loss stopped improving after epoch 2, so more epochs would not help/);
    assert.doesNotMatch(flat.message, /train longer/i);
    // a real rise in validation loss is still called overfitting, with the stop and restore said
    const over = stopped([1, 0.6, 0.4, 0.3, 0.2, 0.1], [1, 0.5, 0.6, 0.7, 0.8, 0.9], { bestEpoch: 2 });
    assert.equal(over.kind, "overfitting");
    assert.match(
      over.message,
      /caught by early stopping.*the weights of epoch 2 were restored; more epochs would not help/,
    );
  });

  it("a regularised MLP stopped early on real data gets a hint that agrees with the stop", async () => {
    const { X, y } = iris();
    const rows = Array.from({ length: X.length }, (_, i) => i);
    const valRows = rows.filter((i) => i % 5 === 0);
    const trainRows = rows.filter((i) => i % 5 !== 0);
    const model = mlp({ hiddenUnits: [64, 64], dropout: 0.3, l2: 1e-3, learningRate: 0.01, seed: 42 });
    const history = await train(
      model,
      { x: trainRows.map((i) => X[i]), y: trainRows.map((i) => y[i]) },
      {
        ...quiet,
        epochs: 200,
        batchSize: 16,
        seed: 42,
        validationData: { x: valRows.map((i) => X[i]), y: valRows.map((i) => y[i]) },
        earlyStopping: { monitor: "val_loss", patience: 10, restoreBestWeights: true },
      },
    );
    assert.equal(history.stopReason, "early-stopping");
    const hint = history.hint();
    assert.doesNotMatch(hint.message, /more epochs may help|train longer/i);
    assert.match(hint.message, new RegExp(`epoch ${history.bestEpoch}\\b`));
    assert.match(hint.message, new RegExp(`the weights of epoch ${history.bestEpoch} were restored`));
    model.dispose();
  });

  it("stops after the current batch on an aborted signal; the model stays usable", async () => {
    const { X, y } = iris();
    const controller = new AbortController();
    let batches = 0;
    const counter: Callback = {
      onBatchEnd: () => {
        if (++batches === 3) controller.abort();
      },
    };
    const model = await mlp({ hiddenUnits: [8], epochs: 50, batchSize: 10, seed: 5 }).fit(X, y, {
      ...quiet,
      signal: controller.signal,
      callbacks: [counter],
    });
    assert.equal(batches, 3);
    assert.equal(model.history!.stopReason, "interrupted");
    assert.ok(model.fitted);
    assert.equal(model.predict(X).length, 150);
    model.dispose();
  });

  it("applies learning-rate schedules and the SGD/momentum/Adam optimizers", async () => {
    assert.equal(scheduledLearningRate({ type: "step", every: 2, factor: 0.5 }, 3, 0.1, 10), 0.05);
    assert.ok(Math.abs(scheduledLearningRate({ type: "exponential", decay: 0.9 }, 3, 0.1, 10) - 0.081) < 1e-12);
    assert.equal(scheduledLearningRate({ type: "cosine" }, 10, 0.1, 10), 0);
    const { X, y } = iris();
    for (const optimizer of ["sgd", "momentum", "adam"] as const) {
      const model = mlp({ hiddenUnits: [8], optimizer, learningRate: 0.05, seed: 6 });
      const h = await train(
        model,
        { x: X, y },
        { ...quiet, epochs: 4, schedule: { type: "step", every: 2, factor: 0.5 } },
      );
      assert.deepEqual(h.learningRates, [0.05, 0.05, 0.025, 0.025]);
      assert.ok(h.metrics.loss[3] < h.metrics.loss[0], `${optimizer} lowers the loss`);
      model.dispose();
    }
    const withL2 = mlp({ hiddenUnits: [8], l2: 0.01, seed: 6 });
    const h = await train(withL2, { x: X, y }, { ...quiet, epochs: 1 });
    const plain = mlp({ hiddenUnits: [8], seed: 6 });
    const h0 = await train(plain, { x: X, y }, { ...quiet, epochs: 1 });
    assert.ok(h.metrics.loss[0] > h0.metrics.loss[0], "the L2 penalty adds to the loss");
    withL2.dispose();
    plain.dispose();
  });

  it("trains a plain tfjs LayersModel given tensors and a loss", async () => {
    const { X, y } = iris();
    const codes = y.map((s) => ["setosa", "versicolor", "virginica"].indexOf(s));
    const net = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }),
        tf.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    const x = tf.tensor2d(X);
    const t = tf.tensor1d(codes, "int32");
    await assert.rejects(() => train(net, { x, y: t }, quiet), /needs options.loss/);
    const h = await train(
      net,
      { x, y: t },
      { ...quiet, loss: "sparseCategoricalCrossentropy", epochs: 30, learningRate: 0.02, seed: 1 },
    );
    assert.ok(h.last("acc")! > 0.85, `acc ${h.last("acc")}`);
    tf.dispose([x, t]);
    net.dispose();
  });

  it("leaks no tensors across repeated training (fit, warm train, checkpoints, early stopping)", async () => {
    const { X, y } = iris();
    const model = mlp({ hiddenUnits: [8], dropout: 0.2, epochs: 2, seed: 7, validationSplit: 0.2 });
    await model.fit(X, y, quiet);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await train(
        model,
        { x: X, y },
        {
          ...quiet,
          epochs: 2,
          earlyStopping: { patience: 1 },
          checkpoint: { dir: path.join(tmp, "leak"), every: 1, resume: false },
        },
      );
      await model.fit(X, y, quiet);
      model.predictProba(X);
      counts.push(tf.memory().numTensors);
    }
    assert.equal(new Set(counts).size, 1, `tensor counts ${counts}`);
    model.dispose();
  });

  it("in a kernel: one chart updated in place (throttled, issue 14), a progress line, and the final chart carrying plotly.js", async () => {
    const bridge = new RecordingBridge();
    const { X, y } = iris();
    const model = mlp({ hiddenUnits: [8], epochs: 3, seed: 8, validationSplit: 0.2 });
    await withBridge(bridge, () => model.fit(X, y));
    const shown = bridge.messages.filter((m) => !m.options?.update);
    assert.equal(shown.length, 2, "one chart and one progress line");
    const chartId = shown[0].options!.displayId!;
    const progressId = shown[1].options!.displayId!;
    const chartUpdates = bridge.messages.filter(
      (m) => m.options?.update && m.options.displayId === chartId && "application/vnd.plotly.v1+json" in m.bundle,
    );
    // (Each figure update follows an update to its text alone, which makes JupyterLab redraw: see lib/display.ts.)
    // A run this short ends before a redraw is due (every 4 s): the chart is drawn once, on its final state
    // (tests/viz/live-updates.test.ts checks the throttle with a clock).
    assert.equal(chartUpdates.length, 1, "only the final chart");
    assert.match(String(shown[0].bundle["text/plain"]), /the chart appears after the first epoch/);
    const final = chartUpdates[chartUpdates.length - 1].bundle;
    const fig = final["application/vnd.plotly.v1+json"] as { data: { name: string; x: number[] }[] };
    assert.deepEqual(fig.data.map((t) => t.name).sort(), ["acc", "loss", "val_acc", "val_loss"]);
    assert.deepEqual(fig.data[0].x, [1, 2, 3]);
    const firstHasPlotly = String(chartUpdates[0].bundle["text/html"]).includes("data-trainlab-plotly");
    assert.equal(String(final["text/html"]).includes("data-trainlab-plotly"), firstHasPlotly);
    const progress = bridge.messages
      .filter((m) => m.options?.displayId === progressId)
      .map((m) => String(m.bundle["text/plain"]));
    assert.ok(
      progress.some((line) => /epoch \d\/3 .*samples\/s · ETA/.test(line)),
      progress.join("\n"),
    );
    assert.match(progress[progress.length - 1], /^done: 3 epoch/);
    model.dispose();
  });

  it("in a kernel: an interrupt stops trainlab's loop and plain tfjs model.fit after the current batch", async () => {
    const bridge = new RecordingBridge();
    const { X, y } = iris();
    const model = mlp({ hiddenUnits: [8], epochs: 100, batchSize: 10, seed: 9 });
    const stopAt: Callback = {
      onBatchEnd: (b) => {
        if (b === 2) bridge.controller.abort();
      },
    };
    await withBridge(bridge, () => model.fit(X, y, { callbacks: [stopAt] }));
    assert.equal(model.history!.stopReason, "interrupted");
    assert.equal(model.predict(X).length, 150);
    model.dispose();

    const bridge2 = new RecordingBridge();
    const net = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: "softmax", inputShape: [4] })] });
    net.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
    const x = tf.tensor2d(standardize(X));
    const t = tf.tensor1d(
      y.map((s) => ["setosa", "versicolor", "virginica"].indexOf(s)),
      "float32",
    );
    const seen: number[] = [];
    const h = await withBridge(bridge2, () =>
      net.fit(x, t, {
        epochs: 20,
        batchSize: 10,
        verbose: 0,
        callbacks: {
          onBatchEnd: async (b) => {
            seen.push(b);
            if (seen.length === 2) bridge2.controller.abort();
          },
        },
      }),
    );
    assert.equal(seen.length, 2, "fit stopped after the batch that saw the interrupt");
    assert.equal(h.epoch.length, 1);
    tf.dispose([x, t]);
    net.dispose();
  });
});
