// The fused dense-MLP training step (mlpStep: forward, softmax cross-entropy, backward, Adam in one call) and
// the softmaxCrossEntropy loss kernel.
#include "gemm.h"
#include "kernels.h"
#include "optimizers.h"

namespace tl {

// MLP step elementwise passes (vectorised clones): Z = act(Z + b) per row; dA *= act'(A); gb = column sums of G.
TL_INLINE void BiasActRowsImpl(float* __restrict Z, const float* __restrict b, int64_t rows, int64_t n, int act) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict z = Z + r * n;
    if (b) {
      if (act == kRelu) { for (int64_t j = 0; j < n; ++j) { const float v = z[j] + b[j]; z[j] = v > 0.f ? v : 0.f; } }
      else for (int64_t j = 0; j < n; ++j) z[j] += b[j];
    } else if (act == kRelu) {
      for (int64_t j = 0; j < n; ++j) z[j] = z[j] > 0.f ? z[j] : 0.f;
    }
  }
}
TL_VERSIONS(BiasActRows, (float* Z, const float* b, int64_t rows, int64_t n, int act), (Z, b, rows, n, act))
TL_INLINE void ReluMaskImpl(float* __restrict dA, const float* __restrict A, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dA[i] *= A[i] > 0.f ? 1.f : 0.f;  // dy * step(x), NaN-propagating like tfjs
}
TL_VERSIONS(ReluMask, (float* dA, const float* A, int64_t n), (dA, A, n))
TL_INLINE void ColumnSumsImpl(const float* __restrict G, int64_t rows, int64_t n, float* __restrict out) {
  for (int64_t j = 0; j < n; ++j) out[j] = 0.f;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict g = G + r * n;
    for (int64_t j = 0; j < n; ++j) out[j] += g[j];
  }
}
TL_VERSIONS(ColumnSums, (const float* G, int64_t rows, int64_t n, float* out), (G, rows, n, out))

// mlpStep(heap, xOff, yOff, rows:Int32Array|null, rowStart, batch, layers:Float64Array[wOff,bOff|-1,in,out,act]*L,
//         slots:Float64Array[mW,vW,mB|-1,vB|-1]*L, lr, beta1, beta2, eps, accBeta1, accBeta2[, l2[, out:Float64Array(2)]])
//         -> mean loss
// With l2 > 0 the loss gains l2 * sum(W^2) over the kernels (not biases) and their gradients 2 * l2 * W, as lib/train
// adds it. `out`, when given, receives [mean loss incl. the penalty, number of rows whose argmax matches the label's].
// One fused training step of a dense MLP with softmax + categorical cross-entropy and Adam, in place on the
// wasm heap: forward, backward and update without any tfjs tensor. Rows come from x/y either by index
// (rows[rowStart..rowStart+batch)) or contiguously from rowStart. Hidden activations: 0 linear, 1 relu,
// 6 sigmoid, 7 tanh; the last layer is softmax (act 8). The loss clips probabilities to [1e-7, 1-1e-7] like
// tfjs's categoricalCrossentropy; the gradient is the exact softmax-CE gradient (p - y) / batch.
Napi::Value MlpStep(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* X = F32(heap, info[1]);
  const float* Y = F32(heap, info[2]);
  const bool byIndex = info[3].IsTypedArray();
  Napi::Int32Array rows = byIndex ? info[3].As<Napi::Int32Array>() : Napi::Int32Array();
  const int64_t rowStart = I64(info[4]), B = I64(info[5]);
  Napi::Float64Array Ls = info[6].As<Napi::Float64Array>(), Ss = info[7].As<Napi::Float64Array>();
  const float lr = static_cast<float>(D(info[8])), b1 = static_cast<float>(D(info[9])), b2 = static_cast<float>(D(info[10])),
              eps = static_cast<float>(D(info[11]));
  const float c1 = static_cast<float>(1.0 / (1.0 - D(info[12]))), c2 = static_cast<float>(1.0 / (1.0 - D(info[13])));
  const float l2 = info.Length() > 14 && info[14].IsNumber() ? static_cast<float>(D(info[14])) : 0.f;
  const size_t L = Ls.ElementLength() / 5;
  struct Layer { float* W; float* b; int64_t in, out; int act; float *mW, *vW, *mB, *vB; };
  std::vector<Layer> ls(L);
  for (size_t l = 0; l < L; ++l) {
    Layer& y = ls[l];
    y.W = reinterpret_cast<float*>(heap + static_cast<size_t>(Ls[l * 5]));
    y.b = Ls[l * 5 + 1] >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(Ls[l * 5 + 1])) : nullptr;
    y.in = static_cast<int64_t>(Ls[l * 5 + 2]); y.out = static_cast<int64_t>(Ls[l * 5 + 3]); y.act = static_cast<int>(Ls[l * 5 + 4]);
    y.mW = reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4]));
    y.vW = reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4 + 1]));
    y.mB = Ss[l * 4 + 2] >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4 + 2])) : nullptr;
    y.vB = Ss[l * 4 + 3] >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4 + 3])) : nullptr;
  }
  const int64_t in0 = ls[0].in, C = ls[L - 1].out;
  static thread_local std::vector<std::vector<float>> acts;
  static thread_local std::vector<float> ybuf, gbuf, dabuf, gw, gb;
  acts.resize(L + 1);
  // Input rows (copied only when gathered by index).
  const float* A0 = X + rowStart * in0;
  const float* Yb = Y + rowStart * C;
  if (byIndex) {
    acts[0].resize(B * in0);
    ybuf.resize(B * C);
    for (int64_t r = 0; r < B; ++r) {
      const int64_t src = rows[rowStart + r];
      std::memcpy(acts[0].data() + r * in0, X + src * in0, sizeof(float) * in0);
      std::memcpy(ybuf.data() + r * C, Y + src * C, sizeof(float) * C);
    }
    A0 = acts[0].data(); Yb = ybuf.data();
  }
  // Forward.
  const float* prev = A0;
  for (size_t l = 0; l < L; ++l) {
    const Layer& y = ls[l];
    acts[l + 1].resize(B * y.out);
    float* Z = acts[l + 1].data();
    Sgemm(false, false, B, y.out, y.in, prev, y.in, y.W, y.out, 0.f, Z, y.out, Parallel(static_cast<double>(B) * y.in * y.out, B, y.out));
    const int64_t n = B * y.out;
    BiasActRows(Z, y.b, B, y.out, y.act == kRelu ? kRelu : kLinear);
    switch (y.act) {
      case kRelu: break;
      case 6: for (int64_t i = 0; i < n; ++i) Z[i] = 1.f / (1.f + std::exp(-Z[i])); break;
      case 7: for (int64_t i = 0; i < n; ++i) Z[i] = std::tanh(Z[i]); break;
      default: break;
    }
    prev = Z;
  }
  // Softmax + cross-entropy; G = (p * sum(y) - y) / B.
  gbuf.resize(B * C);
  float* G = gbuf.data();
  double loss = 0.0, penalty = 0.0;
  int64_t correct = 0;
  {
    float* Z = acts[L].data();
    for (int64_t r = 0; r < B; ++r) {
      float* z = Z + r * C;
      const float* yr = Yb + r * C;
      float mx = -INFINITY;
      int64_t zArg = 0, yArg = 0;  // first maximum, as tf.argMax picks
      for (int64_t c = 0; c < C; ++c) {
        if (z[c] > mx) { mx = z[c]; zArg = c; }
        if (yr[c] > yr[yArg]) yArg = c;
      }
      correct += zArg == yArg;
      double se = 0.0;
      for (int64_t c = 0; c < C; ++c) se += std::exp(static_cast<double>(z[c] - mx));
      double ys = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const double p = std::exp(static_cast<double>(z[c] - mx)) / se;
        const double pc = std::min(std::max(p, 1e-7), 1.0 - 1e-7);
        loss -= yr[c] * std::log(pc);
        ys += yr[c];
        z[c] = static_cast<float>(p);
      }
      for (int64_t c = 0; c < C; ++c) G[r * C + c] = static_cast<float>((z[c] * ys - yr[c]) / static_cast<double>(B));
    }
  }
  // Backward + Adam, last layer first (each W is updated after its own use in dA).
  for (size_t li = L; li-- > 0;) {
    const Layer& y = ls[li];
    const float* Ain = li == 0 ? A0 : acts[li].data();
    gw.resize(y.in * y.out);
    Sgemm(true, false, y.in, y.out, B, Ain, y.in, G, y.out, 0.f, gw.data(), y.out, Parallel(static_cast<double>(B) * y.in * y.out, y.in, y.out));
    if (y.b) {
      gb.resize(y.out);
      ColumnSums(G, B, y.out, gb.data());
    }
    if (li > 0) {
      dabuf.resize(B * y.in);
      float* dA = dabuf.data();
      Sgemm(false, true, B, y.in, y.out, G, y.out, y.W, y.out, 0.f, dA, y.in, Parallel(static_cast<double>(B) * y.in * y.out, B, y.in));
      const int act = ls[li - 1].act;
      const int64_t n = B * y.in;
      if (act == kRelu) ReluMask(dA, Ain, n);
      else if (act == 6) for (int64_t i = 0; i < n; ++i) dA[i] *= Ain[i] * (1.f - Ain[i]);
      else if (act == 7) for (int64_t i = 0; i < n; ++i) dA[i] *= 1.f - Ain[i] * Ain[i];
    }
    if (l2 > 0.f) {
      const int64_t n = y.in * y.out;
      float* g = gw.data();
      double sq = 0.0;
      for (int64_t i = 0; i < n; ++i) { sq += static_cast<double>(y.W[i]) * y.W[i]; g[i] += 2.f * l2 * y.W[i]; }
      penalty += l2 * sq;
    }
    AdamApply(y.W, gw.data(), y.mW, y.vW, y.in * y.out, lr, b1, b2, eps, c1, c2);
    if (y.b) AdamApply(y.b, gb.data(), y.mB, y.vB, y.out, lr, b1, b2, eps, c1, c2);
    if (li > 0) { gbuf.swap(dabuf); G = gbuf.data(); }
  }
  const double meanLoss = loss / static_cast<double>(B) + penalty;
  if (info.Length() > 15 && info[15].IsTypedArray()) {
    Napi::Float64Array out = info[15].As<Napi::Float64Array>();
    out[0] = meanLoss;
    out[1] = static_cast<double>(correct);
  }
  return Napi::Number::New(info.Env(), meanLoss);
}

// softmaxCrossEntropy(heap, logitsOff, labelsOff, lossOff, gradOff|-1, rows, classes):
// loss[r] = -sum_c labels[r,c] * log_softmax(logits[r])_c; grad[r,c] = softmax - labels (scaled later in JS).
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* z = F32(heap, info[1]);
  const float* y = F32(heap, info[2]);
  float* loss = F32(heap, info[3]);
  double gradOff = D(info[4]);
  float* grad = gradOff >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(gradOff)) : nullptr;
  int64_t rows = I64(info[5]), C = I64(info[6]);
  for (int64_t r = 0; r < rows; ++r) {
    const float* zr = z + r * C;
    const float* yr = y + r * C;
    float mx = -INFINITY;
    for (int64_t c = 0; c < C; ++c) mx = std::max(mx, zr[c]);
    double se = 0.0;
    for (int64_t c = 0; c < C; ++c) se += std::exp(static_cast<double>(zr[c] - mx));
    double lse = std::log(se) + mx, l = 0.0, ysum = 0.0;
    for (int64_t c = 0; c < C; ++c) { l -= yr[c] * (zr[c] - lse); ysum += yr[c]; }
    loss[r] = static_cast<float>(l);
    if (grad) {
      float* gr = grad + r * C;
      for (int64_t c = 0; c < C; ++c) gr[c] = static_cast<float>(ysum * std::exp(zr[c] - lse) - yr[c]);
    }
  }
  return info.Env().Undefined();
}
}  // namespace tl
