// Element-wise and reduction kernels: biasAdd, reduceSum, relu, reluGrad, step, clipGrad, softmaxGrad.
#include "kernels.h"
#include "thread_pool.h"

namespace tl {

TL_INLINE void AddRowsImpl(const float* __restrict x, const float* __restrict b, float* __restrict out, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict xr = x + r * n;
    float* __restrict o = out + r * n;
    for (int64_t j = 0; j < n; ++j) o[j] = xr[j] + b[j];
  }
}
TL_VERSIONS(AddRows, (const float* x, const float* b, float* out, int64_t rows, int64_t n), (x, b, out, rows, n))

// biasAdd(heap, xOff, bOff, outOff, rows, n): out[r, j] = x[r, j] + b[j] (a rank-1 operand broadcast over rows).
Napi::Value BiasAdd(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* b = F32(heap, info[2]);
  float* out = F32(heap, info[3]);
  const int64_t rows = I64(info[4]), n = I64(info[5]);
  ForParts(rows, ElementParts(rows * n, rows), [&](int64_t r0, int64_t r1, size_t) {
    AddRows(x + r0 * n, b, out + r0 * n, r1 - r0, n);
  });
  return info.Env().Undefined();
}

// reduceSum(heap, xOff, outOff, outer, inner, mode): mode 0 sums over outer (column sums -> [inner]),
// mode 1 sums over inner (row sums -> [outer]). Accumulates in double for accuracy on long reductions.
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  float* out = F32(heap, info[2]);
  int64_t outer = I64(info[3]), inner = I64(info[4]);
  int mode = static_cast<int>(I64(info[5]));
  const int64_t parts = ElementParts(outer * inner, outer);
  if (mode == 0) {
    // Each part sums its rows; the parts' sums are then added in order (so the result does not depend on timing).
    std::vector<double> sums(static_cast<size_t>(parts * inner), 0.0);
    ForParts(outer, parts, [&](int64_t i0, int64_t i1, size_t p) {
      double* part = sums.data() + p * inner;
      for (int64_t i = i0; i < i1; ++i) {
        const float* r = x + i * inner;
        for (int64_t j = 0; j < inner; ++j) part[j] += r[j];
      }
    });
    for (int64_t j = 0; j < inner; ++j) {
      double total = 0.0;
      for (int64_t p = 0; p < parts; ++p) total += sums[p * inner + j];
      out[j] = static_cast<float>(total);
    }
  } else {
    ForParts(outer, parts, [&](int64_t i0, int64_t i1, size_t) {
      for (int64_t i = i0; i < i1; ++i) {
        const float* r = x + i * inner;
        double s = 0.0;
        for (int64_t j = 0; j < inner; ++j) s += r[j];
        out[i] = static_cast<float>(s);
      }
    });
  }
  return info.Env().Undefined();
}

// reluGrad(heap, dyOff, xOff, outOff, n): out = dy * step(x) (step(NaN) = NaN), branch-free
void ReluGradRange(const float* __restrict dy, const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {  // branch-free so it vectorises; NaN like dy * step(x)
    const float xi = x[i];
    const float s = xi > 0.f ? 1.f : 0.f;  // exactly tfjs's dy * step(x), including inf/NaN propagation
    out[i] = dy[i] * (xi != xi ? xi : s);
  }
}
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* dy = F32(heap, info[1]);
  const float* x = F32(heap, info[2]);
  float* out = F32(heap, info[3]);
  const int64_t n = I64(info[4]);
  ForParts(n, ElementParts(n, n), [&](int64_t lo, int64_t hi, size_t) { ReluGradRange(dy + lo, x + lo, out + lo, hi - lo); });
  return info.Env().Undefined();
}

void ReluRange(const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0.f || x[i] != x[i] ? x[i] : 0.f;  // as tfjs: NaN stays NaN, -0 gives 0
}
// relu(heap, xOff, outOff, n): out = x > 0 ? x : 0 (NaN stays NaN), split over the pool from 1 MB.
Napi::Value Relu(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  float* out = F32(heap, info[2]);
  const int64_t n = I64(info[3]);
  ForParts(n, ElementParts(n, n), [&](int64_t lo, int64_t hi, size_t) { ReluRange(x + lo, out + lo, hi - lo); });
  return info.Env().Undefined();
}
// step(heap, xOff, outOff, n, alpha): out = x > 0 ? 1 : alpha (NaN stays NaN), tfjs Step semantics.
Napi::Value Step(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  float* out = F32(heap, info[2]);
  int64_t n = I64(info[3]);
  float alpha = static_cast<float>(D(info[4]));
  for (int64_t i = 0; i < n; ++i) out[i] = std::isnan(x[i]) ? NAN : (x[i] > 0.f ? 1.f : alpha);
  return info.Env().Undefined();
}
// clipGrad(heap, dyOff, xOff, outOff, n, lo, hi): out = lo <= x <= hi ? dy : 0 (tfjs's ClipByValue gradient,
// where(logicalAnd(x >= lo, x <= hi), dy, zerosLike(dy)); a NaN x gives 0, as there).
Napi::Value ClipGrad(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* dy = F32(heap, info[1]);
  const float* x = F32(heap, info[2]);
  float* out = F32(heap, info[3]);
  const int64_t n = I64(info[4]);
  const float lo = static_cast<float>(D(info[5])), hi = static_cast<float>(D(info[6]));
  ForParts(n, ElementParts(n, n), [&](int64_t a, int64_t b, size_t) {
    for (int64_t i = a; i < b; ++i) out[i] = x[i] >= lo && x[i] <= hi ? dy[i] : 0.f;
  });
  return info.Env().Undefined();
}

// softmaxGrad(heap, dyOff, yOff, outOff, rows, cols): tfjs's Softmax gradient over the last axis, in its order of
// float32 roundings: p = dy * y; s = sum(p) over the row (accumulated in double, as the cpu backend does);
// out = p - s * y.
Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* dy = F32(heap, info[1]);
  const float* y = F32(heap, info[2]);
  float* out = F32(heap, info[3]);
  const int64_t rows = I64(info[4]), cols = I64(info[5]);
  ForParts(rows, ElementParts(rows * cols, rows), [&](int64_t r0, int64_t r1, size_t) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* d = dy + r * cols;
      const float* yr = y + r * cols;
      float* o = out + r * cols;
      double s = 0.0;
      for (int64_t j = 0; j < cols; ++j) {
        const float p = d[j] * yr[j];
        o[j] = p;
        s += p;
      }
      const float sf = static_cast<float>(s);
      for (int64_t j = 0; j < cols; ++j) {
        volatile float t = sf * yr[j];  // rounded to float32 before the subtraction (no fused multiply-add)
        o[j] = o[j] - t;
      }
    }
  });
  return info.Env().Undefined();
}
}  // namespace tl
