// Optimizer updates in place on the wasm heap, for many variables per call: adam and sgd (with momentum).
#include "kernels.h"
#include "optimizers.h"
#include "thread_pool.h"

namespace tl {

TL_INLINE void AdamApplyImpl(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n,
                      float lr, float b1, float b2, float eps, float c1, float c2) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = b1 * m[i] + (1.f - b1) * gi;
    const float vi = b2 * v[i] + (1.f - b2) * gi * gi;
    m[i] = mi; v[i] = vi;
    p[i] -= lr * (mi * c1) / (std::sqrt(vi * c2) + eps);
  }
}
TL_VERSIONS(AdamApply, (float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps, float c1, float c2), (p, g, m, v, n, lr, b1, b2, eps, c1, c2))

// adam(heap, params:Float64Array[off...], grads, ms, vs, sizes, lr, beta1, beta2, eps, accBeta1, accBeta2)
// In-place tfjs-compatible Adam for many variables in one call.
Napi::Value Adam(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  Napi::Float64Array P = info[1].As<Napi::Float64Array>(), G = info[2].As<Napi::Float64Array>(),
                     Ms = info[3].As<Napi::Float64Array>(), Vs = info[4].As<Napi::Float64Array>(),
                     S = info[5].As<Napi::Float64Array>();
  const float lr = static_cast<float>(D(info[6])), b1 = static_cast<float>(D(info[7])), b2 = static_cast<float>(D(info[8])),
              eps = static_cast<float>(D(info[9]));
  const float c1 = static_cast<float>(1.0 / (1.0 - D(info[10]))), c2 = static_cast<float>(1.0 / (1.0 - D(info[11])));
  const size_t count = P.ElementLength();
  int64_t total = 0;
  for (size_t k = 0; k < count; ++k) total += static_cast<int64_t>(S[k]);
  // Each part updates its share of every variable (element-wise, so the split does not change any value). A
  // square root and a division per element make Adam worth splitting from a quarter of the memory-bound threshold.
  const int64_t parts = ElementParts(total * 4, g_max_threads);
  ForParts(parts, parts, [&](int64_t p0, int64_t p1, size_t) {
    for (size_t k = 0; k < count; ++k) {
      const int64_t n = static_cast<int64_t>(S[k]), lo = n * p0 / parts, hi = n * p1 / parts;
      if (hi <= lo) continue;
      float* p = reinterpret_cast<float*>(heap + static_cast<size_t>(P[k])) + lo;
      const float* g = reinterpret_cast<const float*>(heap + static_cast<size_t>(G[k])) + lo;
      float* m = reinterpret_cast<float*>(heap + static_cast<size_t>(Ms[k])) + lo;
      float* v = reinterpret_cast<float*>(heap + static_cast<size_t>(Vs[k])) + lo;
      AdamApply(p, g, m, v, hi - lo, lr, b1, b2, eps, c1, c2);
    }
  });
  return info.Env().Undefined();
}

// sgd(heap, params, grads, accums|null, sizes, lr, momentum, nesterov): plain SGD when accums is null,
// else tfjs MomentumOptimizer: a = momentum*a + g; p -= lr * (nesterov ? g + momentum*a : a).
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  Napi::Float64Array P = info[1].As<Napi::Float64Array>(), G = info[2].As<Napi::Float64Array>(), S = info[4].As<Napi::Float64Array>();
  bool hasAcc = info[3].IsTypedArray();
  const float lr = static_cast<float>(D(info[5])), mom = static_cast<float>(D(info[6]));
  bool nesterov = B(info[7]);
  for (size_t k = 0; k < P.ElementLength(); ++k) {
    float* p = reinterpret_cast<float*>(heap + static_cast<size_t>(P[k]));
    const float* g = reinterpret_cast<const float*>(heap + static_cast<size_t>(G[k]));
    int64_t n = static_cast<int64_t>(S[k]);
    if (!hasAcc) {
      for (int64_t i = 0; i < n; ++i) p[i] -= lr * g[i];
    } else {
      float* a = reinterpret_cast<float*>(heap + static_cast<size_t>(info[3].As<Napi::Float64Array>()[k]));
      for (int64_t i = 0; i < n; ++i) {
        float ai = mom * a[i] + g[i];
        a[i] = ai;
        p[i] -= lr * (nesterov ? g[i] + mom * ai : ai);
      }
    }
  }
  return info.Env().Undefined();
}
}  // namespace tl
