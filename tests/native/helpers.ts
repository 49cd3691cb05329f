/**
 * Shared by the native kernel pack's tests (tests/native/*.test.ts): deterministic data, a runner that evaluates
 * the same graph on the cpu and wasm backends, a float64 matmul reference and tolerance checks.
 *
 *
 * Tolerances. Every kernel computes in float32 like the cpu backend, but sums in a different order (OpenBLAS
 * blocks and vectorises its dot products; the cpu backend sums left to right), so results differ by rounding only.
 * For a length-K dot product of O(1) values the rounding error is bounded by about K·2⁻²⁴·Σ|aᵢbᵢ|; with K ≤ 150
 * and |aᵢbᵢ| ≲ 1 that is ≲ 1e-5. We allow |ours − ref| ≤ 1e-4 + 1e-4·|ref| (10x headroom). Copies (Gather, Slice)
 * and elementwise kernels (Step, relu backward) must match exactly. The optimizers follow tfjs's formulas with
 * the same float32 operations, so they match tf.train.* to 1e-6 relative after several steps.
 */
import { strict as assert } from "assert";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { useBackend } from "../../lib/backend";
import { installNativeKernels, nativeKernelStatus } from "../../lib/kernels/native";

/** Relative and absolute tolerances for kernels that sum in a different order than the cpu backend. */
export const RTOL = 1e-4,
  ATOL = 1e-4;

/** Deterministic pseudo-random values in [-1, 1). */
export function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) % 4294967296 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) % 4294967296;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** The number of elements of a shape. */
export function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs `f` on a backend and returns the values of what it returns (tensors are disposed). */
export async function on(backend: "cpu" | "wasm", f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

/** float64 batched matmul with numpy broadcasting; shapes are the logical (un-transposed) [.., M, K] and [.., K, N]. */
export function refMatMul(
  av: Float32Array,
  aShape: number[],
  bv: Float32Array,
  bShape: number[],
  ta: boolean,
  tb: boolean,
): Float32Array {
  const M = aShape[aShape.length - 2],
    K = aShape[aShape.length - 1],
    N = bShape[bShape.length - 1];
  const ab = aShape.slice(0, -2),
    bb = bShape.slice(0, -2);
  const r = Math.max(ab.length, bb.length);
  const pa = [...Array(r - ab.length).fill(1), ...ab],
    pb = [...Array(r - bb.length).fill(1), ...bb];
  const ob = pa.map((d, i) => Math.max(d, pb[i]));
  const out = new Float32Array(size(ob) * M * N);
  for (let e = 0; e < size(ob); e++) {
    let rem = e,
      ia = 0,
      ib = 0,
      sa = 1,
      sb = 1;
    for (let d = r - 1; d >= 0; d--) {
      const idx = rem % ob[d];
      rem = Math.floor(rem / ob[d]);
      ia += (pa[d] === 1 ? 0 : idx) * sa;
      sa *= pa[d];
      ib += (pb[d] === 1 ? 0 : idx) * sb;
      sb *= pb[d];
    }
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const x = av[ia * M * K + (ta ? k * M + i : i * K + k)],
            y = bv[ib * K * N + (tb ? j * K + k : k * N + j)];
          acc += x * y;
        }
        out[(e * M + i) * N + j] = acc;
      }
  }
  return out;
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise (NaN matches NaN). */
export function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  what: string,
  rtol = RTOL,
  atol = ATOL,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i],
      a = actual[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

/** The largest element-wise |a − b|. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Makes the enclosing describe run on wasm with the pack active (failing, with the reason, when it is not built). */
export function usePackOnWasm(): void {
  before(async () => {
    await useBackend("wasm");
    const status = nativeKernelStatus();
    assert.ok(
      status.active,
      `the native pack must be built and active on this machine: ${status.reason} — ${status.fix}`,
    );
  });
  after(async () => {
    installNativeKernels();
    await tf.setBackend("wasm");
  });
}
