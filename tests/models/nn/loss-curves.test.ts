/**
 * Speed work on the neural estimators must not change what they learn: short seeded trainings (iris and cars from
 * the bundled datasets, a slice of MNIST) give the same per-epoch losses and metrics as the estimators did before
 * that work, within float tolerance. The curves were recorded from the code as it was before (commit named in the
 * fixture) by running this file with `TRAINLAB_WRITE_LOSS_CURVES=1`; they cover every input path (tensor, nested
 * arrays, a table), the fused native step and the tfjs step, dropout's seeded masks, a validation split and a
 * regression target's scaling.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../../lib/backend";
// As `import "trainlab"` does: the native kernel pack (when built) accelerates wasm, and mlp takes its fused step.
import "../../../lib/kernels/native";
import { cnn, mlp } from "../../../lib/models/nn";
import type { History } from "../../../lib/train/history";
import { cars, iris, irisHeldOut, mnistSplit } from "./helpers";

const FIXTURE = path.join(__dirname, "..", "..", "..", "..", "tests", "models", "nn", "fixtures", "loss-curves.json");
const WRITE = process.env.TRAINLAB_WRITE_LOSS_CURVES === "1";
/**
 * Float tolerance: the same maths may round differently on another machine's BLAS or backend (the native pack's
 * threads, stock wasm, cpu), and a few epochs of Adam carry that rounding forward. A changed batch order, seed use,
 * loss or scaling moves these curves by 1e-2 or more.
 */
const TOLERANCE = 2e-4;

type Curves = Record<string, number[]>;
interface Fixture {
  note: string;
  backend: string;
  cases: Record<string, Curves>;
}

const quiet = { live: "none" as const };

/** The run's per-epoch metrics (loss, acc or mae, and their val_ twins). */
function curves(history: History | null): Curves {
  assert.ok(history, "fit recorded a history");
  return Object.fromEntries(Object.entries(history.metrics).map(([k, v]) => [k, v.slice()]));
}

/** Each named seeded training, as the estimators' users run them. */
const CASES: Record<string, () => Promise<Curves>> = {
  "mlp iris, nested arrays, fused step when available": async () => {
    const d = iris();
    const m = await mlp({ hiddenUnits: [16], epochs: 4, batchSize: 16, learningRate: 0.01, seed: 3 }).fit(
      d.X,
      d.y,
      quiet,
    );
    const c = curves(m.history);
    m.dispose();
    return c;
  },
  "mlp iris, a float32 tensor, tfjs step": async () => {
    const d = iris();
    const x = tf.tensor2d(d.X);
    try {
      const m = await mlp({ hiddenUnits: [16, 8], epochs: 4, batchSize: 16, learningRate: 0.01, seed: 4 }).fit(x, d.y, {
        ...quiet,
        fusedStep: false,
      });
      const c = curves(m.history);
      m.dispose();
      return c;
    } finally {
      x.dispose();
    }
  },
  "mlp iris, a table, dropout and a validation split": async () => {
    const d = irisHeldOut();
    const m = await mlp({
      hiddenUnits: [16],
      dropout: 0.2,
      epochs: 4,
      batchSize: 8,
      validationSplit: 0.25,
      seed: 5,
    }).fit(d.Xtrain, d.ytrain, quiet);
    const c = curves(m.history);
    m.dispose();
    return c;
  },
  "mlp regressor on cars, momentum, l2, validation split": async () => {
    const d = cars();
    const m = await mlp({
      task: "regression",
      hiddenUnits: [16],
      epochs: 4,
      batchSize: 32,
      optimizer: "momentum",
      learningRate: 0.01,
      l2: 1e-3,
      validationSplit: 0.2,
      seed: 6,
    }).fit(d.X, d.y, quiet);
    const c = curves(m.history);
    m.dispose();
    return c;
  },
  "cnn on 256 MNIST images (a 4-D tensor), Adam": async () => {
    const s = mnistSplit(256, 1);
    try {
      const m = await cnn({ filters: [4, 8], epochs: 2, batchSize: 32, seed: 7 }).fit(s.xTrain, s.yTrain, quiet);
      const c = curves(m.history);
      m.dispose();
      return c;
    } finally {
      tf.dispose([s.xTrain, s.xTest]);
    }
  },
  "cnn on 128 MNIST images as flat rows (a 2-D int32 tensor is cast), dense layer, rmsprop": async () => {
    const s = mnistSplit(128, 1);
    const flat = tf.tidy(() => tf.cast(tf.round(tf.mul(s.xTrain.reshape([128, 784]), 4)), "int32"));
    try {
      const m = await cnn({ filters: [4], denseUnits: 8, optimizer: "rmsprop", epochs: 2, batchSize: 32, seed: 8 }).fit(
        flat,
        s.yTrain,
        quiet,
      );
      const c = curves(m.history);
      m.dispose();
      return c;
    } finally {
      tf.dispose([s.xTrain, s.xTest, flat]);
    }
  },
};

describe("neural estimators' seeded loss curves stay as they were", function () {
  this.timeout(300000);
  let fixture: Fixture | undefined;
  const recorded: Record<string, Curves> = {};
  before(async () => {
    await tf.setBackend((await ensureBackend()).tfName);
    if (!WRITE) fixture = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Fixture;
  });
  after(() => {
    if (!WRITE) return;
    fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
    const out: Fixture = {
      note: "Per-epoch metrics of tests/models/nn/loss-curves.test.ts's seeded trainings, recorded before the estimators' speed work (issue 18). Regenerate only for an intended change of results: TRAINLAB_WRITE_LOSS_CURVES=1.",
      backend: `${tf.getBackend()}`,
      cases: recorded,
    };
    fs.writeFileSync(FIXTURE, JSON.stringify(out, null, 1) + "\n");
  });

  for (const [name, run] of Object.entries(CASES)) {
    it(`${name}: same per-epoch losses and metrics within ${TOLERANCE}`, async () => {
      const before = tf.memory().numTensors;
      const got = await run();
      assert.equal(tf.memory().numTensors, before, "the training freed every tensor it made");
      if (WRITE) {
        recorded[name] = got;
        return;
      }
      const want = fixture!.cases[name];
      assert.ok(want, `the fixture has a curve for "${name}"`);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), "the same metrics");
      for (const [metric, values] of Object.entries(want)) {
        assert.equal(got[metric].length, values.length, `${metric}: epochs`);
        values.forEach((v, i) => {
          const g = got[metric][i];
          assert.ok(
            Math.abs(g - v) <= TOLERANCE * Math.max(1, Math.abs(v)),
            `${metric} at epoch ${i + 1}: ${g}, pinned ${v}`,
          );
        });
      }
    });
  }
});
