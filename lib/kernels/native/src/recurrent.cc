// Fused recurrent layers: a whole LSTM or GRU sequence (forward, and backward through time) in one call each,
// with tfjs-layers' exact cell semantics (gate order, hard-sigmoid or sigmoid recurrent activation, tanh).
//
// Stock tfjs runs a cell as ~15 small ops per timestep and ~40 more in its gradient: about 7,000 kernel dispatches
// per batch of a 50-step LSTM, each costing more in JS than its math. Here the input projection of all timesteps is
// one GEMM, each timestep is one small GEMM (h·Wr) plus a fused element-wise pass, and the backward pass computes the
// weight gradients as three GEMMs over all timesteps at the end.
//
// Layouts (row-major, batch-major like the layer's input): x [B, T, F], W [F, G·U], Wr [U, G·U], b [G·U] with G = 4
// (LSTM gates i, f, c, o) or 3 (GRU gates z, r, h). Saved for the backward pass: hs [B, T, U] (every hidden state),
// for the LSTM cs [B, T, U] (cell states) and zs [B, T, 4U] (gate pre-activations, bias included); for the GRU
// zs [B, T, 3U] (x·W + b, with h·Wr added for z and r; the h gate's part is x·W + b + (r∘h)·Wr[:, 2U:]).
#include "gemm.h"
#include "kernels.h"

namespace tl {
namespace {

// exp for float that the compiler vectorises (no libm call): Cephes' range reduction and degree-6 polynomial,
// relative error below 2e-7. Arguments are clamped to [-87, 88] (callers only use it inside sigmoid and tanh, where
// that changes nothing at float precision); NaN gives NaN.
TL_INLINE float VExp(float x) {
  const float xs = x != x ? 0.f : std::min(std::max(x, -87.f), 88.f);
  // n = round(x / ln 2) by the 1.5·2^23 trick (no floor call, so the loop stays vectorisable; |x / ln 2| < 128).
  const float fx = (xs * 1.44269504088896341f + 12582912.f) - 12582912.f;
  float r = xs - fx * 0.693359375f;
  r = r - fx * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t bits = (static_cast<int32_t>(fx) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x != x ? x : p * scale;
}
// tanh for float, vectorisable: 1 - 2 / (exp(2|x|) + 1) with the sign of x, and its Taylor series below |x| = 0.05
// (where the first form cancels); absolute error below 1e-7. NaN stays NaN, -0 stays -0, ±Inf gives ±1.
TL_INLINE float VTanh(float x) {
  const float ax = std::fabs(x), a = ax != ax ? ax : std::min(ax, 9.f);
  const float big = 1.f - 2.f / (VExp(2.f * a) + 1.f);
  const float a2 = a * a;
  const float small = a * (1.f + a2 * (-1.f / 3 + a2 * (2.f / 15 + a2 * (-17.f / 315))));
  return std::copysign(a < 0.05f ? small : big, x);
}

// tfjs's recurrent activations: 0 hardSigmoid (clip(0.2·x + 0.5, 0, 1)), 1 sigmoid.
template <int kKind>
TL_INLINE float RecAct(float z) {
  if (kKind == 1) return 1.f / (1.f + VExp(-z));
  const float y = 0.2f * z + 0.5f;
  return y > 1.f ? 1.f : (y < 0.f ? 0.f : y);  // NaN stays NaN, as tfjs's clipByValue
}
// dy · act'(z) as tfjs's gradients compute it: clipByValue passes dy where 0 <= y <= 1 (inclusive), times 0.2;
// sigmoid's gradient is dy · s · (1 - s).
template <int kKind>
TL_INLINE float RecActGrad(float dy, float z) {
  if (kKind == 1) {
    const float s = 1.f / (1.f + VExp(-z));
    return dy * (s * (1.f - s));
  }
  // (0.2·z is rounded before adding 0.5, as tfjs does: a fused multiply-add would move the clip boundaries ±2.5.
  // Using the product in the test too keeps GCC from contracting it into an FMA.)
  const float p = 0.2f * z, y = p + 0.5f;
  return (y >= 0.f && y <= 1.f && p == p ? dy : 0.f) * 0.2f;
}

// One LSTM step's gates for one row: c = f·c_prev + i·g, h = o·tanh(c) (z: the row's 4U pre-activations).
template <int kKind>
TL_INLINE void LstmRowT(const float* __restrict z, const float* __restrict cp, float* __restrict c, float* __restrict h,
                        int64_t U) {
  for (int64_t j = 0; j < U; ++j) {
    const float i = RecAct<kKind>(z[j]), f = RecAct<kKind>(z[U + j]), g = VTanh(z[2 * U + j]), o = RecAct<kKind>(z[3 * U + j]);
    const float cv = f * cp[j] + i * g;
    c[j] = cv;
    h[j] = o * VTanh(cv);
  }
}
TL_INLINE void LstmRowImpl(const float* z, const float* cp, float* c, float* h, int64_t U, int kind) {
  if (kind == 1) LstmRowT<1>(z, cp, c, h, U);
  else LstmRowT<0>(z, cp, c, h, U);
}
TL_VERSIONS(LstmRow, (const float* z, const float* cp, float* c, float* h, int64_t U, int kind), (z, cp, c, h, U, kind))

// One LSTM step's backward for one row: dz (4U) from dh (external + carried), and the carried dc updated in place.
template <int kKind>
TL_INLINE void LstmRowGradT(const float* __restrict z, const float* __restrict c, const float* __restrict cp,
                            const float* __restrict dhIn, float* __restrict dcn, float* __restrict dz, int64_t U) {
  for (int64_t j = 0; j < U; ++j) {
    const float dh = dhIn[j];
    const float i = RecAct<kKind>(z[j]), f = RecAct<kKind>(z[U + j]), g = VTanh(z[2 * U + j]);
    const float o = RecAct<kKind>(z[3 * U + j]), tc = VTanh(c[j]);
    const float dc = dcn[j] + (dh * o) * (1.f - tc * tc);
    dz[j] = RecActGrad<kKind>(dc * g, z[j]);
    dz[U + j] = RecActGrad<kKind>(dc * cp[j], z[U + j]);
    dz[2 * U + j] = (dc * i) * (1.f - g * g);
    dz[3 * U + j] = RecActGrad<kKind>(dh * tc, z[3 * U + j]);
    dcn[j] = dc * f;
  }
}
TL_INLINE void LstmRowGradImpl(const float* z, const float* c, const float* cp, const float* dh, float* dcn, float* dz,
                               int64_t U, int kind) {
  if (kind == 1) LstmRowGradT<1>(z, c, cp, dh, dcn, dz, U);
  else LstmRowGradT<0>(z, c, cp, dh, dcn, dz, U);
}
TL_VERSIONS(LstmRowGrad, (const float* z, const float* c, const float* cp, const float* dh, float* dcn, float* dz, int64_t U,
                          int kind), (z, c, cp, dh, dcn, dz, U, kind))

// GRU step pieces for one row (z: the row's 3U pre-activations): rh = r·h_prev; then h = zg·h_prev + (1 - zg)·hh.
template <int kKind>
TL_INLINE void GruResetT(const float* __restrict z, const float* __restrict hp, float* __restrict rh, int64_t U) {
  for (int64_t j = 0; j < U; ++j) rh[j] = RecAct<kKind>(z[U + j]) * hp[j];
}
TL_INLINE void GruResetImpl(const float* z, const float* hp, float* rh, int64_t U, int kind) {
  if (kind == 1) GruResetT<1>(z, hp, rh, U);
  else GruResetT<0>(z, hp, rh, U);
}
TL_VERSIONS(GruReset, (const float* z, const float* hp, float* rh, int64_t U, int kind), (z, hp, rh, U, kind))
template <int kKind>
TL_INLINE void GruRowT(const float* __restrict z, const float* __restrict hp, float* __restrict h, int64_t U) {
  for (int64_t j = 0; j < U; ++j) {
    const float zg = RecAct<kKind>(z[j]), hh = VTanh(z[2 * U + j]);
    h[j] = zg * hp[j] + (1.f - zg) * hh;
  }
}
TL_INLINE void GruRowImpl(const float* z, const float* hp, float* h, int64_t U, int kind) {
  if (kind == 1) GruRowT<1>(z, hp, h, U);
  else GruRowT<0>(z, hp, h, U);
}
TL_VERSIONS(GruRow, (const float* z, const float* hp, float* h, int64_t U, int kind), (z, hp, h, U, kind))

// GRU backward, first half for one row: dz_z, dz_h, r·h_prev (saved for dWr) and the total dh (kept for the second half).
template <int kKind>
TL_INLINE void GruRowGradAT(const float* __restrict z, const float* __restrict hp, const float* __restrict dhIn,
                            float* __restrict dz, float* __restrict rh, int64_t U) {
  for (int64_t j = 0; j < U; ++j) {
    const float dh = dhIn[j];
    const float zg = RecAct<kKind>(z[j]), hh = VTanh(z[2 * U + j]);
    dz[j] = RecActGrad<kKind>(dh * hp[j] - dh * hh, z[j]);
    dz[2 * U + j] = (dh * (1.f - zg)) * (1.f - hh * hh);
    rh[j] = RecAct<kKind>(z[U + j]) * hp[j];
  }
}
TL_INLINE void GruRowGradAImpl(const float* z, const float* hp, const float* dh, float* dz, float* rh, int64_t U, int kind) {
  if (kind == 1) GruRowGradAT<1>(z, hp, dh, dz, rh, U);
  else GruRowGradAT<0>(z, hp, dh, dz, rh, U);
}
TL_VERSIONS(GruRowGradA, (const float* z, const float* hp, const float* dh, float* dz, float* rh, int64_t U, int kind),
            (z, hp, dh, dz, rh, U, kind))
// Second half: dz_r from d(r·h_prev), and dh_prev's direct part dh·zg + d(r·h_prev)·r (the GEMM adds the rest).
template <int kKind>
TL_INLINE void GruRowGradBT(const float* __restrict z, const float* __restrict hp, const float* __restrict dh,
                            const float* __restrict drh, float* __restrict dz, float* __restrict dhn, int64_t U) {
  for (int64_t j = 0; j < U; ++j) {
    const float r = RecAct<kKind>(z[U + j]);
    dz[U + j] = RecActGrad<kKind>(drh[j] * hp[j], z[U + j]);
    dhn[j] = dh[j] * RecAct<kKind>(z[j]) + drh[j] * r;
  }
}
TL_INLINE void GruRowGradBImpl(const float* z, const float* hp, const float* dh, const float* drh, float* dz, float* dhn,
                               int64_t U, int kind) {
  if (kind == 1) GruRowGradBT<1>(z, hp, dh, drh, dz, dhn, U);
  else GruRowGradBT<0>(z, hp, dh, drh, dz, dhn, U);
}
TL_VERSIONS(GruRowGradB, (const float* z, const float* hp, const float* dh, const float* drh, float* dz, float* dhn,
                          int64_t U, int kind), (z, hp, dh, drh, dz, dhn, U, kind))

struct Dims {
  int64_t B, T, F, U;
};

Dims ReadDims(const Napi::CallbackInfo& info, int first) {
  return Dims{I64(info[first]), I64(info[first + 1]), I64(info[first + 2]), I64(info[first + 3])};
}

// zs = x·W (+ b), all timesteps at once: [B·T, F] × [F, G·U].
void InputProjection(const float* x, const float* W, const float* b, float* zs, const Dims& d, int64_t G) {
  const int64_t rows = d.B * d.T, cols = G * d.U;
  if (d.F > 0) {
    Sgemm(false, false, rows, cols, d.F, x, d.F, W, cols, 0.f, zs, cols, Parallel(double(rows) * cols * d.F));
  } else {
    std::fill(zs, zs + rows * cols, 0.f);
  }
  if (b)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j) zs[r * cols + j] += b[j];
}

// dx = dZ·Wᵀ, dW = xᵀ·dZ, db = column sums of dZ (over all B·T rows).
void InputGradients(const float* x, const float* W, const float* dZ, float* dx, float* dW, float* db, const Dims& d,
                    int64_t G) {
  const int64_t rows = d.B * d.T, cols = G * d.U;
  if (d.F > 0) {
    Sgemm(false, true, rows, d.F, cols, dZ, cols, W, cols, 0.f, dx, d.F, Parallel(double(rows) * cols * d.F));
    Sgemm(true, false, d.F, cols, rows, x, d.F, dZ, cols, 0.f, dW, cols, Parallel(double(rows) * cols * d.F));
  }
  if (db) {
    std::vector<double> sums(static_cast<size_t>(cols), 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j) sums[j] += dZ[r * cols + j];
    for (int64_t j = 0; j < cols; ++j) db[j] = static_cast<float>(sums[j]);
  }
}

// Hidden states shifted by one step: hp[b, t] = hs[b, t - 1], hp[b, 0] = 0 (the initial state).
void Shifted(const float* hs, float* hp, const Dims& d) {
  for (int64_t b = 0; b < d.B; ++b) {
    float* dst = hp + b * d.T * d.U;
    std::fill(dst, dst + d.U, 0.f);
    if (d.T > 1) std::memcpy(dst + d.U, hs + b * d.T * d.U, sizeof(float) * (d.T - 1) * d.U);
  }
}

// dhTot[b] = the gradient flowing into step t's hidden state from outside the layer (dh [B, T, U] with
// returnSequences, else dh [B, U] at the last step only) + the one carried back from step t + 1 (dhNext).
void TotalDh(const float* dh, bool seq, const Dims& d, int64_t t, const float* dhNext, float* dhTot) {
  for (int64_t b = 0; b < d.B; ++b) {
    const float* ext = seq ? dh + (b * d.T + t) * d.U : (t == d.T - 1 ? dh + b * d.U : nullptr);
    for (int64_t j = 0; j < d.U; ++j) dhTot[b * d.U + j] = (ext ? ext[j] : 0.f) + dhNext[b * d.U + j];
  }
}

}  // namespace

// lstmForward(heap, xOff, wOff, wrOff, bOff|-1, hsOff, csOff, zsOff, B, T, F, U, recAct)
Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* W = F32(heap, info[2]);
  const float* Wr = F32(heap, info[3]);
  const float* b = D(info[4]) >= 0 ? F32(heap, info[4]) : nullptr;
  float* hs = F32(heap, info[5]);
  float* cs = F32(heap, info[6]);
  float* zs = F32(heap, info[7]);
  const Dims d = ReadDims(info, 8);
  const int kind = static_cast<int>(I64(info[12]));
  const int64_t U = d.U, G4 = 4 * U, zStride = d.T * G4, hStride = d.T * U;
  if (d.B * d.T * U == 0) return info.Env().Undefined();
  InputProjection(x, W, b, zs, d, 4);
  std::vector<float> zero(static_cast<size_t>(U), 0.f);  // c_{-1}
  for (int64_t t = 0; t < d.T; ++t) {
    // z_t += h_{t-1}·Wr (rows b at stride T·4U; h_{t-1} rows at stride T·U).
    if (t > 0) Sgemm(false, false, d.B, G4, U, hs + (t - 1) * U, hStride, Wr, G4, 1.f, zs + t * G4, zStride, false);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      LstmRow(zs + bi * zStride + t * G4, t > 0 ? cs + bi * hStride + (t - 1) * U : zero.data(), cs + bi * hStride + t * U,
              hs + bi * hStride + t * U, U, kind);
    }
  }
  return info.Env().Undefined();
}

// lstmBackward(heap, xOff, wOff, wrOff, hsOff, csOff, zsOff, dhOff, seq, dxOff, dwOff, dwrOff, dbOff|-1,
//              B, T, F, U, recAct): gradients of the loss with respect to x, W, Wr and b, given dh (see TotalDh).
Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* W = F32(heap, info[2]);
  const float* Wr = F32(heap, info[3]);
  const float* hs = F32(heap, info[4]);
  const float* cs = F32(heap, info[5]);
  const float* zs = F32(heap, info[6]);
  const float* dhExt = F32(heap, info[7]);
  const bool seq = B(info[8]);
  float* dx = F32(heap, info[9]);
  float* dW = F32(heap, info[10]);
  float* dWr = F32(heap, info[11]);
  float* db = D(info[12]) >= 0 ? F32(heap, info[12]) : nullptr;
  const Dims d = ReadDims(info, 13);
  const int kind = static_cast<int>(I64(info[17]));
  const int64_t U = d.U, G4 = 4 * U, zStride = d.T * G4, hStride = d.T * U;
  if (d.B * d.T * U == 0) {
    std::fill(dx, dx + d.B * d.T * d.F, 0.f);
    std::fill(dW, dW + d.F * G4, 0.f);
    std::fill(dWr, dWr + U * G4, 0.f);
    if (db) std::fill(db, db + G4, 0.f);
    return info.Env().Undefined();
  }
  float* dZ = Scratch(0, static_cast<size_t>(d.B * zStride)).data();
  // dh carried from step t+1, dc carried from step t+1, dh total at step t, and zeros (c_{-1}).
  float* work = Scratch(1, static_cast<size_t>(4 * d.B * U)).data();
  float* dhNext = work;
  float* dcNext = work + d.B * U;
  float* dhTot = work + 2 * d.B * U;
  float* zero = work + 3 * d.B * U;
  std::fill(work, work + 4 * d.B * U, 0.f);
  for (int64_t t = d.T - 1; t >= 0; --t) {
    TotalDh(dhExt, seq, d, t, dhNext, dhTot);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      LstmRowGrad(zs + bi * zStride + t * G4, cs + bi * hStride + t * U, t > 0 ? cs + bi * hStride + (t - 1) * U : zero,
                  dhTot + bi * U, dcNext + bi * U, dZ + bi * zStride + t * G4, U, kind);
    }
    // dh_{t-1} = dz_t·Wrᵀ
    if (t > 0) Sgemm(false, true, d.B, U, G4, dZ + t * G4, zStride, Wr, G4, 0.f, dhNext, U, false);
  }
  float* hp = Scratch(2, static_cast<size_t>(d.B * hStride)).data();
  Shifted(hs, hp, d);
  Sgemm(true, false, U, G4, d.B * d.T, hp, U, dZ, G4, 0.f, dWr, G4, Parallel(double(d.B) * d.T * U * G4));
  InputGradients(x, W, dZ, dx, dW, db, d, 4);
  return info.Env().Undefined();
}

// gruForward(heap, xOff, wOff, wrOff, bOff|-1, hsOff, zsOff, B, T, F, U, recAct), tfjs's GRUCell:
// z = ra(xz + h·Wr_z), r = ra(xr + h·Wr_r), hh = tanh(xh + (r∘h)·Wr_h), h' = z∘h + (1 - z)∘hh.
Napi::Value GruForward(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* W = F32(heap, info[2]);
  const float* Wr = F32(heap, info[3]);
  const float* b = D(info[4]) >= 0 ? F32(heap, info[4]) : nullptr;
  float* hs = F32(heap, info[5]);
  float* zs = F32(heap, info[6]);
  const Dims d = ReadDims(info, 7);
  const int kind = static_cast<int>(I64(info[11]));
  const int64_t U = d.U, G3 = 3 * U, zStride = d.T * G3, hStride = d.T * U;
  if (d.B * d.T * U == 0) return info.Env().Undefined();
  InputProjection(x, W, b, zs, d, 3);
  float* rh = Scratch(0, static_cast<size_t>(d.B * U)).data();
  std::vector<float> zero(static_cast<size_t>(U), 0.f);  // h_{-1}
  for (int64_t t = 0; t < d.T; ++t) {
    if (t > 0) {
      const float* hPrev = hs + (t - 1) * U;
      Sgemm(false, false, d.B, 2 * U, U, hPrev, hStride, Wr, G3, 1.f, zs + t * G3, zStride, false);
      for (int64_t bi = 0; bi < d.B; ++bi) GruReset(zs + bi * zStride + t * G3, hPrev + bi * hStride, rh + bi * U, U, kind);
      Sgemm(false, false, d.B, U, U, rh, U, Wr + 2 * U, G3, 1.f, zs + t * G3 + 2 * U, zStride, false);
    }
    for (int64_t bi = 0; bi < d.B; ++bi) {
      GruRow(zs + bi * zStride + t * G3, t > 0 ? hs + bi * hStride + (t - 1) * U : zero.data(), hs + bi * hStride + t * U, U, kind);
    }
  }
  return info.Env().Undefined();
}

// gruBackward(heap, xOff, wOff, wrOff, hsOff, zsOff, dhOff, seq, dxOff, dwOff, dwrOff, dbOff|-1, B, T, F, U, recAct)
Napi::Value GruBackward(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* W = F32(heap, info[2]);
  const float* Wr = F32(heap, info[3]);
  const float* hs = F32(heap, info[4]);
  const float* zs = F32(heap, info[5]);
  const float* dhExt = F32(heap, info[6]);
  const bool seq = B(info[7]);
  float* dx = F32(heap, info[8]);
  float* dW = F32(heap, info[9]);
  float* dWr = F32(heap, info[10]);
  float* db = D(info[11]) >= 0 ? F32(heap, info[11]) : nullptr;
  const Dims d = ReadDims(info, 12);
  const int kind = static_cast<int>(I64(info[16]));
  const int64_t U = d.U, G3 = 3 * U, zStride = d.T * G3, hStride = d.T * U;
  if (d.B * d.T * U == 0) {
    std::fill(dx, dx + d.B * d.T * d.F, 0.f);
    std::fill(dW, dW + d.F * G3, 0.f);
    std::fill(dWr, dWr + U * G3, 0.f);
    if (db) std::fill(db, db + G3, 0.f);
    return info.Env().Undefined();
  }
  float* dZ = Scratch(0, static_cast<size_t>(d.B * zStride)).data();
  float* hp = Scratch(1, static_cast<size_t>(2 * d.B * hStride)).data();  // h_{t-1} per step, then r∘h_{t-1}
  float* rhAll = hp + d.B * hStride;
  float* work = Scratch(2, static_cast<size_t>(3 * d.B * U)).data();  // dh carried, d(r∘h), dh total
  float* dhNext = work;
  float* dRh = work + d.B * U;
  float* dhTot = work + 2 * d.B * U;
  Shifted(hs, hp, d);
  std::fill(dhNext, dhNext + d.B * U, 0.f);
  for (int64_t t = d.T - 1; t >= 0; --t) {
    TotalDh(dhExt, seq, d, t, dhNext, dhTot);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      GruRowGradA(zs + bi * zStride + t * G3, hp + bi * hStride + t * U, dhTot + bi * U, dZ + bi * zStride + t * G3,
                  rhAll + bi * hStride + t * U, U, kind);
    }
    // d(r∘h) = dz_h·Wr_hᵀ
    Sgemm(false, true, d.B, U, U, dZ + t * G3 + 2 * U, zStride, Wr + 2 * U, G3, 0.f, dRh, U, false);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      GruRowGradB(zs + bi * zStride + t * G3, hp + bi * hStride + t * U, dhTot + bi * U, dRh + bi * U,
                  dZ + bi * zStride + t * G3, dhNext + bi * U, U, kind);
    }
    // dh_{t-1} += [dz_z, dz_r]·Wr_zrᵀ
    if (t > 0) Sgemm(false, true, d.B, U, 2 * U, dZ + t * G3, zStride, Wr, G3, 1.f, dhNext, U, false);
  }
  const bool par = Parallel(double(d.B) * d.T * U * G3);
  Sgemm(true, false, U, 2 * U, d.B * d.T, hp, U, dZ, G3, 0.f, dWr, G3, par);
  Sgemm(true, false, U, U, d.B * d.T, rhAll, U, dZ + 2 * U, G3, 0.f, dWr + 2 * U, G3, par);
  InputGradients(x, W, dZ, dx, dW, db, d, 3);
  return info.Env().Undefined();
}

}  // namespace tl
