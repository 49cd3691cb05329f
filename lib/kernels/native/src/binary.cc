// Broadcasting float32 binary kernels (binary: Add, Sub, Multiply, RealDiv), per-ISA vectorised along the last axis.
// Stock wasm computes a broadcast operand's index element by element; the transformer's layer normalisation,
// attention scaling and their gradients run many such ops. Results are bit-identical to the cpu backend's (it
// computes each op in double and rounds once to float32, which gives the correctly rounded float32 result for +, -,
// ×, ÷, as here), NaN, ±Inf and -0 included.
#include "kernels.h"
#include "thread_pool.h"

namespace tl {
namespace {

template <int kOp>
TL_INLINE float Apply(float a, float b) {
  if (kOp == 0) return a + b;
  if (kOp == 1) return a - b;
  if (kOp == 2) return a * b;
  return a / b;
}

// One output row of n elements: a and b advance by their last-axis strides (0 or 1 after broadcasting; else any).
template <int kOp>
TL_INLINE void RowT(const float* __restrict a, int64_t sa, const float* __restrict b, int64_t sb, float* __restrict out,
                    int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<kOp>(a[j], b[j]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<kOp>(a[j], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<kOp>(av, b[j]);
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = Apply<kOp>(a[j * sa], b[j * sb]);
  }
}
TL_INLINE void BinaryRowImpl(int op, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  switch (op) {
    case 0: RowT<0>(a, sa, b, sb, out, n); break;
    case 1: RowT<1>(a, sa, b, sb, out, n); break;
    case 2: RowT<2>(a, sa, b, sb, out, n); break;
    default: RowT<3>(a, sa, b, sb, out, n);
  }
}
TL_VERSIONS(BinaryRow, (int op, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n),
            (op, a, sa, b, sb, out, n))

}  // namespace

// binary(heap, aOff, bOff, outOff, op, outShape:Int32Array, aStrides:Int32Array, bStrides:Int32Array):
// out = a op b (op 0 add, 1 sub, 2 mul, 3 div) with a and b broadcast to outShape by their element strides (0 on
// broadcast axes). Rows (the last axis) are split over the pool from 1 MB.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* a = F32(heap, info[1]);
  const float* b = F32(heap, info[2]);
  float* out = F32(heap, info[3]);
  const int op = static_cast<int>(I64(info[4]));
  const std::vector<int64_t> shape = IntList(info[5]), as = IntList(info[6]), bs = IntList(info[7]);
  const size_t r = shape.size();
  int64_t total = 1;
  for (auto s : shape) total *= s;
  if (total == 0) return info.Env().Undefined();
  if (r == 0) {
    BinaryRow(op, a, 0, b, 0, out, 1);
    return info.Env().Undefined();
  }
  const int64_t n = shape[r - 1], rows = total / n;
  ForParts(rows, ElementParts(total, rows), [&](int64_t r0, int64_t r1, size_t) {
    // Offsets of row r0 in a and b (an odometer over the leading axes from there on).
    std::vector<int64_t> idx(r, 0);
    int64_t rem = r0, oa = 0, ob = 0;
    for (size_t d = r - 1; d-- > 0;) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
      oa += idx[d] * as[d];
      ob += idx[d] * bs[d];
    }
    for (int64_t row = r0; row < r1; ++row) {
      BinaryRow(op, a + oa, as[r - 1], b + ob, bs[r - 1], out + row * n, n);
      for (size_t d = r - 1; d-- > 0;) {
        ++idx[d];
        oa += as[d];
        ob += bs[d];
        if (idx[d] < shape[d]) break;
        oa -= as[d] * shape[d];
        ob -= bs[d] * shape[d];
        idx[d] = 0;
      }
    }
  });
  return info.Env().Undefined();
}

}  // namespace tl
