// Matrix products: Sgemm over OpenBLAS, the broadcast bias + activation epilogue, and the matmul entry point
// (tfjs _FusedMatMul / BatchMatMul).
#include "gemm.h"
#include "kernels.h"
#include "thread_pool.h"

namespace tl {

// cblas_sgemm (row-major, C = op(A)·op(B) + beta·C). When `parallel` and the pack has two threads (this machine's
// case, where it was measured as fast as OpenBLAS's own two threads), it is split into a block of rows (or, for a
// wide C, of columns) per thread over the pool; blocks are multiples of 16 rows/columns (whole kernel tiles). With
// more threads, OpenBLAS's own threading runs it instead: it packs each panel of B once for all threads, while
// every block of a split packs all of B again, which grows with the thread count. (OpenBLAS is set back to one
// thread at once, so GEMMs inside pool tasks never nest threads.) Call with `parallel` only from a JS thread.
void Sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc, bool parallel) {
  const CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
  const bool byRows = M >= N;
  const int64_t along = byRows ? M : N;
  const int64_t parts = parallel ? std::min<int64_t>(g_max_threads, along / 16) : 1;
  if (parts < 2) {
    cblas_sgemm(CblasRowMajor, opA, opB, M, N, K, 1.f, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (g_max_threads > 2) {
    openblas_set_num_threads(g_max_threads);
    cblas_sgemm(CblasRowMajor, opA, opB, M, N, K, 1.f, A, lda, B, ldb, beta, C, ldc);
    openblas_set_num_threads(1);
    return;
  }
  const int64_t block = (along / parts + 15) / 16 * 16;
  WorkerPool::Get().Run(static_cast<size_t>((along + block - 1) / block), [&](size_t i) {
    const int64_t lo = static_cast<int64_t>(i) * block, len = std::min(block, along - lo);
    if (byRows) {
      cblas_sgemm(CblasRowMajor, opA, opB, len, N, K, 1.f, A + (ta ? lo : lo * lda), lda, B, ldb, beta, C + lo * ldc, ldc);
    } else {
      cblas_sgemm(CblasRowMajor, opA, opB, M, len, K, 1.f, A, lda, B + (tb ? lo * ldb : lo), ldb, beta, C + lo, ldc);
    }
  });
}

inline float ApplyAct(float v, int act, float alpha, float preluW) {
  switch (act) {
    case kRelu: return v > 0.f ? v : 0.f;
    case kRelu6: return std::min(std::max(v, 0.f), 6.f);
    case kElu: return v > 0.f ? v : std::expm1(v);
    case kLeaky: return v >= 0.f ? v : alpha * v;   // tfjs: leakyRelu keeps x where x >= 0
    case kPrelu: return v > 0.f ? v : preluW * v;   // tfjs: prelu uses x where x > 0
    case kSigmoid: return 1.f / (1.f + std::exp(-v));
    default: return v;
  }
}

// Adds a broadcast bias and applies the activation over `out` (shape `shape`).
void Epilogue(float* out, const std::vector<int64_t>& shape, const float* bias, const Broadcast& bb,
              int act, float alpha, const float* prelu, const Broadcast& pb) {
  int64_t total = 1;
  for (auto s : shape) total *= s;
  if (total == 0) return;
  int64_t n = shape.empty() ? 1 : shape.back();
  if (bias) {
    if (bb.row_only) {
      for (int64_t i = 0; i < total; i += n) {
        float* o = out + i;
        for (int64_t j = 0; j < n; ++j) o[j] += bias[j];
      }
    } else if (bb.scalar) {
      float b0 = bias[0];
      for (int64_t i = 0; i < total; ++i) out[i] += b0;
    } else if (bb.full) {
      for (int64_t i = 0; i < total; ++i) out[i] += bias[i];
    } else {
      bb.ForEach(total, [&](int64_t e, int64_t off) { out[e] += bias[off]; });
    }
  }
  switch (act) {
    case kLinear: return;
    case kRelu:
      for (int64_t i = 0; i < total; ++i) out[i] = out[i] > 0.f ? out[i] : 0.f;
      return;
    case kPrelu:
      if (pb.row_only) {
        for (int64_t i = 0; i < total; i += n)
          for (int64_t j = 0; j < n; ++j) out[i + j] = ApplyAct(out[i + j], act, alpha, prelu[j]);
      } else if (pb.full) {
        for (int64_t i = 0; i < total; ++i) out[i] = ApplyAct(out[i], act, alpha, prelu[i]);
      } else {
        pb.ForEach(total, [&](int64_t e, int64_t off) { out[e] = ApplyAct(out[e], act, alpha, prelu[off]); });
      }
      return;
    default:
      for (int64_t i = 0; i < total; ++i) out[i] = ApplyAct(out[i], act, alpha, 0.f);
  }
}

Broadcast ReadBroadcast(const Napi::Value& shape, const Napi::Value& strides) {
  Broadcast b;
  if (shape.IsTypedArray()) b.Init(IntList(shape), IntList(strides));
  return b;
}

// matmul(heap, aOff, bOff, outOff, M, N, K, transA, transB, aBatchIdx:Int32Array|null, bBatchIdx|null, batch,
//        aBatchStride, bBatchStride, biasOff|-1, biasShape, biasStrides, act, alpha, preluOff|-1, preluShape, preluStrides, outShape)
// Batch broadcasting is resolved in JS into per-output-batch indices into a and b.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* a = F32(heap, info[1]);
  const float* b = F32(heap, info[2]);
  float* c = F32(heap, info[3]);
  int64_t M = I64(info[4]), N = I64(info[5]), K = I64(info[6]);
  bool ta = B(info[7]), tb = B(info[8]);
  int64_t batch = I64(info[11]);
  int64_t sa = I64(info[12]), sb = I64(info[13]);
  std::vector<int64_t> aIdx, bIdx;
  if (info[9].IsTypedArray()) aIdx = IntList(info[9]);
  if (info[10].IsTypedArray()) bIdx = IntList(info[10]);
  int64_t lda = ta ? M : K, ldb = tb ? K : N;
  // (Only the size rule here: in model.fit, two threads for the wide layers measured slower, as JS work between
  // kernels kept the second core's worker spinning; the fused mlpStep below gains from them.)
  const bool parallel = Parallel(static_cast<double>(M) * N * K * batch);
  auto one = [&](int64_t i, bool split) {
    const int64_t ia = aIdx.empty() ? i : aIdx[i], ib = bIdx.empty() ? i : bIdx[i];
    Sgemm(ta, tb, M, N, K, a + ia * sa, lda, b + ib * sb, ldb, 0.f, c + i * M * N, N, split);
  };
  if (K == 0) {
    std::fill(c, c + batch * M * N, 0.f);
  } else if (!ta && batch > 1 && aIdx.empty() && !bIdx.empty() &&
             std::all_of(bIdx.begin(), bIdx.end(), [](int64_t x) { return x == 0; })) {
    // a's batches are contiguous and all share b[0]: one tall GEMM.
    Sgemm(false, tb, batch * M, N, K, a, lda, b, ldb, 0.f, c, N, parallel);
  } else if (parallel && batch >= g_max_threads) {
    WorkerPool::Get().Run(static_cast<size_t>(batch), [&](size_t i) { one(static_cast<int64_t>(i), false); });
  } else {
    for (int64_t i = 0; i < batch; ++i) one(i, parallel);
  }
  if (info.Length() > 14) {
    double biasOff = D(info[14]);
    int act = static_cast<int>(I64(info[17]));
    double preluOff = D(info[19]);
    if (biasOff >= 0 || act != kLinear) {
      std::vector<int64_t> outShape = IntList(info[22]);
      Broadcast bb = biasOff >= 0 ? ReadBroadcast(info[15], info[16]) : Broadcast();
      Broadcast pb = preluOff >= 0 ? ReadBroadcast(info[20], info[21]) : Broadcast();
      const float* bias = biasOff >= 0 ? reinterpret_cast<const float*>(heap + static_cast<size_t>(biasOff)) : nullptr;
      const float* prelu = preluOff >= 0 ? reinterpret_cast<const float*>(heap + static_cast<size_t>(preluOff)) : nullptr;
      if (act == kPrelu && !prelu) throw Napi::Error::New(info.Env(), "prelu activation needs preluActivationWeights");
      Epilogue(c, outShape, bias, bb, act, static_cast<float>(D(info[18])), prelu, pb);
    }
  }
  return info.Env().Undefined();
}
}  // namespace tl
