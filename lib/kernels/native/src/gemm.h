// Matrix products: Sgemm (OpenBLAS, split over the pool) and the fused bias + activation epilogue that matmul
// and conv2d share.
#ifndef TRAINLAB_NATIVE_GEMM_H
#define TRAINLAB_NATIVE_GEMM_H

#include "common.h"

namespace tl {

// cblas_sgemm (row-major, C = op(A)·op(B) + beta·C), split over the pool when `parallel` (see gemm.cc).
void Sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc, bool parallel);

// Iterates over a tensor of `shape` (rank r) and yields the flat offset into a broadcast operand
// whose per-dimension strides are `strides` (0 on broadcast dimensions).
struct Broadcast {
  std::vector<int64_t> shape, strides;
  bool row_only = false;   // operand varies only along the last dim with stride 1
  bool scalar = false;     // operand is a single value
  bool full = false;       // operand has the same layout as the output
  void Init(const std::vector<int64_t>& s, const std::vector<int64_t>& st) {
    shape = s; strides = st;
    size_t r = shape.size();
    scalar = std::all_of(strides.begin(), strides.end(), [](int64_t x) { return x == 0; });
    row_only = r > 0 && strides[r - 1] == 1;
    for (size_t i = 0; i + 1 < r && row_only; ++i) if (strides[i] != 0) row_only = false;
    if (r > 0 && shape[r - 1] == 1) row_only = false;
    full = true;
    int64_t expect = 1;
    for (size_t i = r; i-- > 0;) {
      if (shape[i] != 1 && strides[i] != expect) full = false;
      expect *= shape[i];
    }
  }
  // Materialises the operand's offsets for every output element when no fast path applies.
  template <typename F>
  void ForEach(int64_t total, F&& f) const {
    size_t r = shape.size();
    std::vector<int64_t> idx(r, 0);
    int64_t off = 0;
    for (int64_t e = 0; e < total; ++e) {
      f(e, off);
      for (size_t d = r; d-- > 0;) {
        idx[d]++; off += strides[d];
        if (idx[d] < shape[d]) break;
        off -= strides[d] * shape[d]; idx[d] = 0;
      }
    }
  }
};

// Adds a broadcast bias and applies the activation over `out` (shape `shape`).
void Epilogue(float* out, const std::vector<int64_t>& shape, const float* bias, const Broadcast& bb,
              int act, float alpha, const float* prelu, const Broadcast& pb);
// A Broadcast read from JS (shape, strides: Int32Arrays); an empty one when `shape` is not a typed array.
Broadcast ReadBroadcast(const Napi::Value& shape, const Napi::Value& strides);
}  // namespace tl

#endif  // TRAINLAB_NATIVE_GEMM_H
