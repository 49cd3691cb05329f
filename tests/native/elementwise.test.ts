/**
 * Reductions, copies (GatherV2, Slice, Identity, dataSync) and element-wise kernels on the native pack, and the
 * fused softmax cross-entropy, against the cpu backend.
 * (Tolerances: see helpers.ts.)
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import { nativeKernelStatus, nativeSoftmaxCrossEntropy } from "../../lib/kernels/native";
import { rand, size, on, assertClose, usePackOnWasm } from "./helpers";

describe("native kernel pack (lib/kernels/native): reductions, copies and elementwise kernels", function () {
  this.timeout(120000);
  usePackOnWasm();

  it("Sum over leading axes (bias gradient) and trailing axes matches cpu; other axes still work", async () => {
    const xv = rand(4 * 5 * 6, 51);
    for (const [axis, keep] of [
      [0, false],
      [[0, 1], true],
      [2, false],
      [[1, 2], false],
      [1, false],
      [[0, 2], true],
      [-1, true],
    ] as Array<[number | number[], boolean]>) {
      const f = () => tf.sum(tf.tensor(xv, [4, 5, 6]), axis, keep);
      const [ref] = await on("cpu", f),
        [ours] = await on("wasm", f);
      assertClose(ours, ref, `sum axis=${JSON.stringify(axis)} keepDims=${keep}`, 1e-5, 1e-5);
    }
  });

  it("GatherV2 copies rows exactly for every axis, batchDims and dtype, and rejects bad indices", async () => {
    const xv = rand(6 * 4 * 3, 61);
    const cases: Array<[number[], number[], number, number]> = [
      [[6, 12], [5, 0, 5, 2], 0, 0],
      [[6, 4, 3], [3, 1, 1], 1, 0],
      [[6, 4, 3], [2, 0], 2, 0],
      [[6, 4, 3], [0, 3, 2, 1, 2, 0], 1, 1],
    ];
    for (const [shape, idx, axis, batchDims] of cases) {
      const indShape = batchDims ? [6, idx.length / 6 || 1] : [idx.length];
      const idxFull = batchDims ? Array.from({ length: 6 }, (_, i) => idx[i % idx.length] % shape[1]) : idx;
      const f = () =>
        tf.gather(tf.tensor(xv, shape), tf.tensor(idxFull, batchDims ? [6, 1] : indShape, "int32"), axis, batchDims);
      const [ref] = await on("cpu", f),
        [ours] = await on("wasm", f);
      assert.deepEqual(ours, ref, `gather ${JSON.stringify({ shape, idx, axis, batchDims })}`);
    }
    const fi = () =>
      tf.gather(
        tf.tensor(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          [3, 2],
          "int32",
        ),
        tf.tensor1d([2, 0], "int32"),
      );
    assert.deepEqual(Array.from((await on("wasm", fi))[0]), [5, 6, 1, 2]);
    await tf.setBackend("wasm");
    assert.throws(
      () => tf.tidy(() => tf.gather(tf.tensor2d([[1], [2]]), tf.tensor1d([0, 2], "int32")).dataSync()),
      /index value 2/,
    );
  });

  it("Slice copies only the slice, exactly, at every rank and dtype", async () => {
    const shape = [3, 4, 5, 6, 2];
    const xv = rand(size(shape), 71);
    const cases: Array<[number[], number[]]> = [
      [
        [1, 0, 0, 0, 0],
        [1, -1, -1, -1, -1],
      ],
      [
        [0, 1, 2, 3, 0],
        [3, 2, 2, 3, 2],
      ],
      [
        [2, 3, 4, 5, 1],
        [1, 1, 1, 1, 1],
      ],
      [
        [0, 0, 0, 0, 0],
        [3, 4, 5, 6, 2],
      ],
      [
        [1, 0, 1, 0, 0],
        [2, 4, 3, 6, 2],
      ],
    ];
    for (const [begin, sz] of cases) {
      const f = () => tf.slice(tf.tensor(xv, shape), begin, sz);
      const [ref] = await on("cpu", f),
        [ours] = await on("wasm", f);
      assert.deepEqual(ours, ref, `slice begin=${begin} size=${sz}`);
    }
    const f2 = () =>
      tf.slice(
        tf.tensor2d(
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [2, 3],
          "int32",
        ),
        [0, 1],
        [2, 2],
      );
    assert.deepEqual(Array.from((await on("wasm", f2))[0]), [2, 3, 5, 6]);
    await tf.setBackend("wasm");
    const b = tf.tidy(() => tf.slice(tf.tensor1d([true, false, true, true], "bool"), [1], [3]).dataSync());
    assert.deepEqual(Array.from(b), [0, 1, 1]);
  });

  it("Identity (tf.clone) shares the buffer instead of copying it, and each handle disposes independently", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as {
      dataIdMap: { get(id: unknown): { memoryOffset: number; refCount: number } | undefined };
    };
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const c = tf.clone(x);
    assert.equal(
      backend.dataIdMap.get(c.dataId)!.memoryOffset,
      backend.dataIdMap.get(x.dataId)!.memoryOffset,
      "same buffer",
    );
    x.dispose();
    assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3, 4], "the clone outlives the original");
    c.dispose();
    const s = tf.tensor1d(["a", "b"], "string");
    assert.deepEqual(tf.clone(s).dataSync(), ["a", "b"], "string tensors take the stock kernel");
    s.dispose();
  });

  it("dataSync copies a tensor out exactly once, into its own buffer of the right type", async () => {
    await tf.setBackend("wasm");
    const f = tf.tensor2d([
        [1.5, -2],
        [3, NaN],
      ]),
      i = tf.tensor1d([7, -8, 9], "int32"),
      b = tf.tensor1d([true, false, true], "bool"),
      e = tf.zeros([0, 3]);
    const fv = f.dataSync(),
      iv = i.dataSync(),
      bv = b.dataSync();
    assert.ok(fv instanceof Float32Array && iv instanceof Int32Array && bv instanceof Uint8Array);
    assert.deepEqual(Array.from(fv), [1.5, -2, 3, NaN]);
    assert.deepEqual(Array.from(iv), [7, -8, 9]);
    assert.deepEqual(Array.from(bv), [1, 0, 1]);
    assert.equal(e.dataSync().length, 0);
    assert.equal(fv.buffer.byteLength, 16, "not a view of the wasm heap or of a shared pool");
    fv[0] = 100;
    assert.equal(f.dataSync()[0], 1.5, "writing to the copy leaves the tensor alone");
    assert.deepEqual(Array.from(tf.tensor1d(["a", "b"], "string").dataSync()), ["a", "b"]);
    tf.dispose([f, i, b, e]);
  });

  it("Step, relu and relu backward are exact", async () => {
    const xv = rand(1000, 81);
    xv[3] = 0;
    xv[4] = NaN;
    xv[5] = -Infinity;
    xv[6] = Infinity;
    xv[7] = -0;
    const f = () => [
      tf.step(tf.tensor1d(xv), 0.25),
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.tensor1d(rand(1000, 82)))))(tf.tensor1d(xv)),
      tf.relu(tf.tensor1d(xv)),
    ];
    const ref = await on("cpu", f),
      ours = await on("wasm", f);
    assert.deepEqual(ours[0], ref[0]);
    assertClose(ours[1], ref[1], "relu grad", 0, 0);
    // (Same values, NaN included; not the same bits: the cpu backend's relu turns NaN's sign bit on.)
    ours[2].forEach((v, i) => assert.ok(Object.is(v, ref[2][i]), `relu(${xv[i]}) is ${v}, expected ${ref[2][i]}`));
    const ints = () => tf.relu(tf.tensor1d([-3, 0, 4], "int32"));
    assert.deepEqual(Array.from((await on("wasm", ints))[0]), [0, 0, 4]);
  });

  it("fused softmax cross-entropy matches tf.losses.softmaxCrossEntropy (value and gradient)", async () => {
    const zv = rand(7 * 10, 91).map((v) => v * 5),
      yv = new Float32Array(70);
    for (let r = 0; r < 7; r++) yv[r * 10 + ((r * 3) % 10)] = 1;
    const run = (loss: (y: tf.Tensor, z: tf.Tensor) => tf.Scalar) => () => {
      const y = tf.tensor2d(yv, [7, 10]);
      const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => loss(y, z))(tf.tensor2d(zv, [7, 10]));
      return [value, grad];
    };
    const ref = await on(
      "cpu",
      run((y, z) => tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar),
    );
    const ours = await on("wasm", run(nativeSoftmaxCrossEntropy));
    assertClose(ours[0], ref[0], "softmax CE value", 1e-5, 1e-6);
    assertClose(ours[1], ref[1], "softmax CE grad", 1e-4, 1e-6);
  });

  it("Add, Sub, Multiply and RealDiv broadcast like numpy and are bit-identical to the cpu backend, NaN, ±Inf and -0 included", async () => {
    assert.ok(["Add", "Sub", "Multiply", "RealDiv"].every((k) => nativeKernelStatus().kernels.includes(k)));
    const specials = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -3.5e38, 1];
    const values = (n: number, seed: number) =>
      rand(n, seed).map((v, i) => (i % 5 === 0 ? specials[(i / 5) % specials.length] : v * 10));
    const pairs: Array<[number[], number[]]> = [
      [
        [2, 3, 4],
        [2, 3, 4],
      ],
      [[2, 3, 4], [4]],
      [[4], [2, 3, 4]],
      [
        [2, 3, 4],
        [2, 3, 1],
      ],
      [
        [2, 1, 4],
        [3, 1],
      ],
      [[], [2, 3]],
      [
        [5, 1],
        [1, 6],
      ],
      [[2, 3, 4], []],
      [
        [3, 1, 1],
        [1, 5, 7],
      ],
      [[0, 3], [3]],
      [
        [1, 7],
        [1, 7],
      ],
      [[300, 1000], [1000]],
      [
        [300, 1000],
        [300, 1],
      ],
      [
        [4, 2, 50, 50],
        [4, 1, 50, 50],
      ], // (from 1 MB: split over threads)
    ];
    for (const [sa, sb] of pairs) {
      const av = values(size(sa), 41),
        bv = values(size(sb), 42);
      for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
        const run = () => op(tf.tensor(av, sa, "float32"), tf.tensor(bv, sb, "float32"));
        const [ours] = await on("wasm", run),
          [ref] = await on("cpu", run);
        assert.equal(ours.length, ref.length);
        for (let i = 0; i < ref.length; i++) {
          if (!Object.is(ours[i], ref[i]))
            assert.fail(`${op.name} [${sa}] with [${sb}]: element ${i} is ${ours[i]}, expected ${ref[i]}`);
        }
      }
    }
    // Other dtypes still go to stock wasm.
    await tf.setBackend("wasm");
    const product = tf.tidy(() =>
      Array.from(tf.mul(tf.tensor([1, 2, 3], [3], "int32"), tf.tensor([4], [1], "int32")).dataSync()),
    );
    assert.deepEqual(product, [4, 8, 12]);
  });
});
