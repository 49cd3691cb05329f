/**
 * BatchMatMul and _FusedMatMul on the native pack against the cpu backend and a float64 reference.
 * (Tolerances: see helpers.ts.)
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { installNativeKernels, uninstallNativeKernels } from "../../lib/kernels/native";
import { rand, size, on, refMatMul, assertClose, maxAbsDiff, usePackOnWasm } from "./helpers";

describe("native kernel pack (lib/kernels/native): BatchMatMul and _FusedMatMul", function () {
  this.timeout(120000);
  usePackOnWasm();

  const M = 5,
    K = 7,
    N = 3;
  const biasShapes: Array<number[] | null> = [null, [N], [1], [M, N], [M, 1], [1, N]];
  const activations = ["linear", "relu", "relu6", "elu", "leakyrelu", "prelu", "sigmoid"] as const;

  it("matches the cpu backend for every transpose × bias shape × activation", async () => {
    let cases = 0;
    for (const ta of [false, true])
      for (const tb of [false, true])
        for (const biasShape of biasShapes)
          for (const act of activations) {
            const aShape = ta ? [K, M] : [M, K],
              bShape = tb ? [N, K] : [K, N];
            const av = rand(size(aShape), 1),
              bv = rand(size(bShape), 2);
            const biasV = biasShape ? rand(size(biasShape), 3) : null;
            const preluV = rand(N, 4);
            const f = () =>
              tf.fused.matMul({
                a: tf.tensor2d(av, aShape as [number, number]),
                b: tf.tensor2d(bv, bShape as [number, number]),
                transposeA: ta,
                transposeB: tb,
                bias: biasV && biasShape ? tf.tensor(biasV, biasShape) : undefined,
                activation: act,
                preluActivationWeights: act === "prelu" ? tf.tensor1d(preluV) : undefined,
                leakyreluAlpha: 0.13,
              });
            const [ref] = await on("cpu", f);
            const [ours] = await on("wasm", f);
            assertClose(ours, ref, `fused matMul ta=${ta} tb=${tb} bias=${JSON.stringify(biasShape)} ${act}`);
            cases++;
          }
    assert.equal(cases, 2 * 2 * biasShapes.length * activations.length);
  });

  it("broadcasts batch dimensions, including the one-big-GEMM path and odd sizes", async () => {
    const pairs: Array<[number[], number[]]> = [
      [
        [2, 1, 5, 7],
        [3, 7, 4],
      ],
      [
        [5, 7],
        [4, 7, 3],
      ],
      [
        [4, 5, 7],
        [7, 3],
      ],
      [
        [3, 5, 7],
        [1, 7, 3],
      ],
      [
        [2, 3, 5, 7],
        [2, 3, 7, 6],
      ],
      [
        [1, 33, 65],
        [65, 17],
      ],
      [
        [129, 257],
        [257, 1],
      ],
      [
        [1, 1],
        [1, 1],
      ],
    ];
    for (const [aShape, bShape] of pairs)
      for (const ta of [false, true])
        for (const tb of [false, true]) {
          const a = aShape.slice(),
            b = bShape.slice();
          if (ta) [a[a.length - 2], a[a.length - 1]] = [a[a.length - 1], a[a.length - 2]];
          if (tb) [b[b.length - 2], b[b.length - 1]] = [b[b.length - 1], b[b.length - 2]];
          const av = rand(size(a), 5),
            bv = rand(size(b), 6);
          const f = () => tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), ta, tb);
          // The cpu backend only broadcasts when one side's batch is 1 or both are equal ([2,1] x [3] gives the wrong
          // shape there), so the reference is a float64 matmul with numpy's broadcasting.
          const ref = refMatMul(av, aShape, bv, bShape, ta, tb);
          const [ours] = await on("wasm", f);
          if (
            aShape.length <= 3 &&
            bShape.length <= 3 &&
            (aShape.length < 3 || bShape.length < 3 || aShape[0] === bShape[0] || aShape[0] === 1 || bShape[0] === 1)
          ) {
            assertClose((await on("cpu", f))[0], ref, "cpu backend vs float64 reference (sanity)");
          }
          assertClose(ours, ref, `matMul ${JSON.stringify(a)} x ${JSON.stringify(b)} ta=${ta} tb=${tb}`);
        }
  });

  it("handles a bias broadcast over batch dimensions", async () => {
    const av = rand(3 * 4 * 5, 7),
      bv = rand(5 * 6, 8),
      biasV = rand(3 * 1 * 6, 9);
    const f = () =>
      tf.fused.matMul({
        a: tf.tensor(av, [3, 4, 5]) as unknown as tf.Tensor2D,
        b: tf.tensor(bv, [5, 6]) as tf.Tensor2D,
        bias: tf.tensor(biasV, [3, 1, 6]),
        activation: "relu",
      });
    assertClose((await on("wasm", f))[0], (await on("cpu", f))[0], "batched bias");
  });

  it("is right where the stock wasm _FusedMatMul is wrong (transposeB with bias, transposeA with bias, bias of size 1)", async () => {
    const cases = [
      { ta: false, tb: true, bias: [N], act: "linear" as const },
      { ta: true, tb: false, bias: [N], act: "linear" as const },
      { ta: false, tb: false, bias: [1], act: "linear" as const },
    ];
    let stockWrong = 0;
    for (const c of cases) {
      const aShape = c.ta ? [K, M] : [M, K],
        bShape = c.tb ? [N, K] : [K, N];
      const av = rand(size(aShape), 11),
        bv = rand(size(bShape), 12),
        biasV = rand(size(c.bias), 13);
      const f = () =>
        tf.fused.matMul({
          a: tf.tensor2d(av, aShape as [number, number]),
          b: tf.tensor2d(bv, bShape as [number, number]),
          transposeA: c.ta,
          transposeB: c.tb,
          bias: tf.tensor(biasV, c.bias),
          activation: c.act,
        });
      const [ref] = await on("cpu", f);
      const [ours] = await on("wasm", f);
      assertClose(ours, ref, `native fused matMul ${JSON.stringify(c)}`);
      uninstallNativeKernels();
      try {
        const [stock] = await on("wasm", f);
        if (maxAbsDiff(stock, ref) > 1e-3) stockWrong++;
      } finally {
        installNativeKernels();
      }
    }
    // If this fails, tfjs-backend-wasm fixed its _FusedMatMul: the pin can go, the native kernel stays right.
    assert.ok(stockWrong >= 1, "expected the stock wasm _FusedMatMul to be wrong in at least one of these cases");
  });
});
