/**
 * Fused recurrent layers on the native pack (lib/kernels/native/recurrent.ts, src/recurrent.cc): tf.layers.lstm and
 * tf.layers.gru run each sequence as one kernel forward and one backward, and give what tfjs's own cells give on the
 * cpu backend: outputs, gradients for the input and every weight, NaN/±Inf/-0 and hard-sigmoid boundary inputs,
 * and training curves. Tolerances as in helpers.ts (float32 sums in another order).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { fusedRecurrentRejection, nativeAdam } from "../../lib/kernels/native";
import { assertClose, rand, usePackOnWasm } from "./helpers";

type Kind = "lstm" | "gru";
interface RecurrentCase {
  kind: Kind;
  returnSequences: boolean;
  recurrentActivation: "hardSigmoid" | "sigmoid";
  useBias: boolean;
}

/** A layer of `kind` with deterministic weights (scaled by `scale`), built for `shape`. */
function makeLayer(
  c: RecurrentCase,
  units: number,
  shape: number[],
  scale = 0.5,
  weights?: tf.Tensor[],
): tf.layers.Layer {
  const cfg = {
    units,
    returnSequences: c.returnSequences,
    recurrentActivation: c.recurrentActivation,
    useBias: c.useBias,
  };
  const layer = c.kind === "lstm" ? tf.layers.lstm(cfg) : tf.layers.gru(cfg);
  tf.tidy(() => layer.apply(tf.zeros(shape)) as tf.Tensor);
  layer.setWeights(
    weights ??
      layer.getWeights().map((w, i) =>
        tf.tensor(
          rand(w.size, 7 + i).map((v) => v * scale),
          w.shape,
        ),
      ),
  );
  return layer;
}

/** Output, gradients (input first, then each weight) and the kernels the forward pass ran, on `backend`. */
async function evaluate(
  backend: "cpu" | "wasm",
  c: RecurrentCase,
  units: number,
  xv: Float32Array,
  shape: number[],
  weights?: (layer: tf.layers.Layer) => tf.Tensor[],
): Promise<{ y: Float32Array; grads: Float32Array[]; kernels: string[] }> {
  await tf.setBackend(backend);
  const layer = makeLayer(c, units, shape);
  if (weights) layer.setWeights(weights(layer));
  const x = tf.tensor(xv, shape);
  const lossOf = (xx: tf.Tensor) => {
    const y = layer.apply(xx) as tf.Tensor;
    return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape)))) as tf.Scalar;
  };
  const profile = await tf.profile(() => tf.variableGrads(() => lossOf(x)).value);
  const y = Float32Array.from((layer.apply(x) as tf.Tensor).dataSync());
  const gx = Float32Array.from(tf.grad(lossOf)(x).dataSync());
  const { grads } = tf.variableGrads(
    () => lossOf(x),
    layer.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const gw = layer.trainableWeights.map((w) => Float32Array.from(grads[(w.read() as tf.Variable).name].dataSync()));
  tf.dispose([x, ...Object.values(grads)]);
  layer.dispose();
  return { y, grads: [gx, ...gw], kernels: profile.kernelNames };
}

/** Same NaN and ±Inf positions exactly, finite values within the tolerance. */
function assertSameNonFinite(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (!Number.isFinite(e) || !Number.isFinite(a))
      assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}[${i}]: ${a}, expected ${e}`);
  }
  assertClose(
    actual.map((v) => (Number.isFinite(v) ? v : 0)),
    expected.map((v) => (Number.isFinite(v) ? v : 0)),
    what,
  );
}

const CASES: RecurrentCase[] = [];
for (const kind of ["lstm", "gru"] as const)
  for (const returnSequences of [false, true]) {
    for (const recurrentActivation of ["hardSigmoid", "sigmoid"] as const)
      for (const useBias of [true, false]) {
        CASES.push({ kind, returnSequences, recurrentActivation, useBias });
      }
  }

describe("native kernel pack (lib/kernels/native): fused LSTM and GRU layers", function () {
  this.timeout(120000);
  usePackOnWasm();

  it("run as one kernel forward and one backward, and match tfjs's cells on the cpu backend (outputs and all gradients)", async () => {
    for (const c of CASES) {
      for (const [shape, units] of [
        [[3, 5, 4], 6],
        [[2, 2, 3], 17],
        [[5, 12, 1], 2],
      ] as Array<[number[], number]>) {
        const xv = rand(shape[0] * shape[1] * shape[2], 3).map((v) => v * 3);
        const ours = await evaluate("wasm", c, units, xv, shape),
          ref = await evaluate("cpu", c, units, xv, shape);
        const what = `${JSON.stringify(c)} ${JSON.stringify(shape)}x${units}`;
        const fused = c.kind === "lstm" ? "TrainlabLSTM" : "TrainlabGRU";
        assert.ok(
          ours.kernels.includes(fused) && ours.kernels.includes(`${fused}Grad`),
          `${what}: ran ${ours.kernels.join(", ")}`,
        );
        assert.ok(!ours.kernels.includes("Tanh"), `${what}: no per-step cell ops`);
        assertClose(ours.y, ref.y, `${what} output`);
        ours.grads.forEach((g, i) => assertClose(g, ref.grads[i], `${what} gradient ${i}`));
      }
    }
  });

  it("give tfjs's results for NaN, ±Inf and -0 inputs, and its hard-sigmoid gradient at the clip boundaries (±2.5)", async () => {
    // One feature, one unit, every input weight 1, recurrent weights 0 and no bias: each gate's pre-activation is the
    // input itself, so the edge values reach the activations exactly. One sequence (row) per edge value, at step 1.
    const edges = [NaN, Infinity, -Infinity, -0, 0, 2.5, -2.5, 2.4999, 1e30, -1e30];
    const T = 3,
      shape = [edges.length, T, 1];
    const xv = new Float32Array(edges.length * T);
    edges.forEach((v, b) => {
      xv[b * T] = 0.3;
      xv[b * T + 1] = v;
      xv[b * T + 2] = -0.7;
    });
    for (const c of CASES) {
      const weights = (layer: tf.layers.Layer) =>
        layer.getWeights().map((w, i) => (i === 0 ? tf.onesLike(w) : tf.zerosLike(w)));
      const ours = await evaluate("wasm", c, 1, xv, shape, weights),
        ref = await evaluate("cpu", c, 1, xv, shape, weights);
      const what = JSON.stringify(c);
      assert.ok(ours.kernels.includes(c.kind === "lstm" ? "TrainlabLSTM" : "TrainlabGRU"), what);
      assertSameNonFinite(ours.y, ref.y, `${what} output`);
      ours.grads.forEach((g, i) => assertSameNonFinite(g, ref.grads[i], `${what} gradient ${i}`));
    }
  });

  it("do the same with the AVX2 and baseline builds of their loops (TRAINLAB_NATIVE_ISA, in child processes)", () => {
    // The cell loops are compiled per ISA (src/common.h's TL_VERSIONS); this machine runs the best one. Re-run the two
    // tests above in child processes capped at the others.
    const mocha = require.resolve("mocha/bin/mocha.js");
    const hooks = path.resolve(__dirname, "..", "hooks.js");
    for (const cap of ["avx2", "baseline"]) {
      const r = spawnSync(
        process.execPath,
        [
          mocha,
          "--no-config",
          "--require",
          hooks,
          "--exit",
          "--grep",
          "match tfjs's cells on the cpu backend|NaN, ±Inf",
          __filename,
        ],
        {
          encoding: "utf8",
          cwd: path.resolve(__dirname, "..", "..", ".."),
          env: { ...process.env, TRAINLAB_NATIVE_ISA: cap },
        },
      );
      assert.equal(r.status, 0, `TRAINLAB_NATIVE_ISA=${cap}:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /2 passing/, `TRAINLAB_NATIVE_ISA=${cap}: ${r.stdout}`);
    }
  });

  it("train a sequence classifier to the same loss as tfjs's cells on the cpu backend, epoch by epoch", async () => {
    const n = 96,
      T = 10,
      F = 3;
    const xv = rand(n * T * F, 21);
    const labels = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let t = 0; t < T; t++) s += xv[(i * T + t) * F] * (t + 1);
      return s > 0 ? 1 : 0;
    });
    for (const kind of ["lstm", "gru"] as const) {
      const curves: Record<string, number[]> = {};
      for (const backend of ["wasm", "cpu"] as const) {
        await tf.setBackend(backend);
        const model = tf.sequential();
        model.add(
          kind === "lstm"
            ? tf.layers.lstm({ units: 16, inputShape: [T, F] })
            : tf.layers.gru({ units: 16, inputShape: [T, F] }),
        );
        model.add(tf.layers.dense({ units: 2, activation: "softmax" }));
        model.setWeights(
          model.getWeights().map((w, i) =>
            tf.tensor(
              rand(w.size, 31 + i).map((v) => v * 0.4),
              w.shape,
            ),
          ),
        );
        model.compile({
          optimizer: backend === "wasm" ? nativeAdam(0.01) : tf.train.adam(0.01),
          loss: "categoricalCrossentropy",
        });
        const x = tf.tensor3d(xv, [n, T, F]),
          y = tf.oneHot(tf.tensor1d(labels, "int32"), 2).asType("float32");
        const h = await model.fit(x, y, { epochs: 8, batchSize: 32, shuffle: false, verbose: 0 });
        curves[backend] = h.history.loss as number[];
        if (backend === "wasm") assert.equal(fusedRecurrentRejection(model.layers[0]), undefined);
        tf.dispose([x, y]);
        model.dispose();
      }
      const [ours, ref] = [curves.wasm, curves.cpu];
      assert.ok(ref[ref.length - 1] < ref[0] * 0.9, `${kind}: the reference learns (${ref.join(", ")})`);
      ours.forEach((l, i) =>
        assert.ok(
          Math.abs(l - ref[i]) <= 1e-3 * Math.abs(ref[i]) + 1e-5,
          `${kind} epoch ${i}: loss ${l} on the pack, ${ref[i]} on cpu`,
        ),
      );
    }
  });

  it("leave no tensors behind across repeated training and prediction", async () => {
    await tf.setBackend("wasm");
    for (const kind of ["lstm", "gru"] as const) {
      const model = tf.sequential();
      model.add(
        kind === "lstm"
          ? tf.layers.lstm({ units: 8, inputShape: [6, 2], returnSequences: true })
          : tf.layers.gru({ units: 8, inputShape: [6, 2], returnSequences: true }),
      );
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ units: 2, activation: "softmax" }));
      model.compile({ optimizer: nativeAdam(0.01), loss: "categoricalCrossentropy" });
      const x = tf.tensor3d(rand(40 * 12, 5), [40, 6, 2]),
        y = tf.oneHot(
          tf.tensor1d(
            Array.from({ length: 40 }, (_, i) => i % 2),
            "int32",
          ),
          2,
        );
      await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
      tf.dispose(model.predict(x) as tf.Tensor);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
        tf.dispose(model.predict(x) as tf.Tensor);
      }
      assert.equal(tf.memory().numTensors, before, kind);
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it("leave what they do not fuse to tfjs's cells, and say why (dropout, other activations, goBackwards, other backends)", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor3d(rand(2 * 4 * 3, 9), [2, 4, 3]);
    const layers: Array<[tf.layers.Layer, RegExp]> = [
      [tf.layers.lstm({ units: 4, dropout: 0.2 }), /dropout/],
      [tf.layers.gru({ units: 4, activation: "relu" }), /activation other than tanh/],
      [tf.layers.lstm({ units: 4, goBackwards: true }), /goBackwards/],
      [tf.layers.gru({ units: 4, returnState: true }), /returnState/],
    ];
    for (const [layer, why] of layers) {
      layer.apply(x);
      const kernels = (await tf.profile(() => layer.apply(x) as tf.Tensor)).kernelNames;
      assert.ok(
        !kernels.some((k) => k.startsWith("Trainlab")),
        `${layer.name} should run tfjs's cell: ${kernels.join(", ")}`,
      );
      assert.match(fusedRecurrentRejection(layer) ?? "", why);
      layer.dispose();
    }
    await tf.setBackend("cpu");
    const lstm = tf.layers.lstm({ units: 4 });
    assert.match(fusedRecurrentRejection(lstm) ?? "", /not active on wasm/);
    await tf.setBackend("wasm");
    x.dispose();
  });
});
