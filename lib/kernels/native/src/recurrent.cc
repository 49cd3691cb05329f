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

// tfjs's recurrent activations: 0 hardSigmoid (clip(0.2·x + 0.5, 0, 1)), 1 sigmoid.
TL_INLINE float RecAct(float z, int kind) {
  if (kind == 1) return 1.f / (1.f + std::exp(-z));
  const float y = 0.2f * z + 0.5f;
  return y > 1.f ? 1.f : (y < 0.f ? 0.f : y);  // NaN stays NaN, as tfjs's clipByValue
}
// dy · act'(z) as tfjs's gradients compute it: clipByValue passes dy where 0 <= y <= 1 (inclusive), times 0.2;
// sigmoid's gradient is dy · s · (1 - s).
TL_INLINE float RecActGrad(float dy, float z, int kind) {
  if (kind == 1) {
    const float s = 1.f / (1.f + std::exp(-z));
    return dy * (s * (1.f - s));
  }
  const float y = 0.2f * z + 0.5f;
  return (y >= 0.f && y <= 1.f ? dy : 0.f) * 0.2f;
}

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

// The gradient flowing into step t's hidden state from outside the layer: dh [B, T, U] (returnSequences) or only
// at the last step (dh [B, U]).
TL_INLINE float ExternalDh(const float* dh, bool seq, const Dims& d, int64_t b, int64_t t, int64_t j) {
  if (seq) return dh[(b * d.T + t) * d.U + j];
  return t == d.T - 1 ? dh[b * d.U + j] : 0.f;
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
  for (int64_t t = 0; t < d.T; ++t) {
    // z_t += h_{t-1}·Wr (rows b at stride T·4U; h_{t-1} rows at stride T·U).
    if (t > 0) Sgemm(false, false, d.B, G4, U, hs + (t - 1) * U, hStride, Wr, G4, 1.f, zs + t * G4, zStride, false);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      const float* z = zs + bi * zStride + t * G4;
      const float* cp = t > 0 ? cs + bi * hStride + (t - 1) * U : nullptr;
      float* c = cs + bi * hStride + t * U;
      float* h = hs + bi * hStride + t * U;
      for (int64_t j = 0; j < U; ++j) {
        const float i = RecAct(z[j], kind), f = RecAct(z[U + j], kind), g = std::tanh(z[2 * U + j]);
        const float o = RecAct(z[3 * U + j], kind);
        const float cv = (cp ? f * cp[j] : f * 0.f) + i * g;
        c[j] = cv;
        h[j] = o * std::tanh(cv);
      }
    }
  }
  return info.Env().Undefined();
}

// lstmBackward(heap, xOff, wOff, wrOff, hsOff, csOff, zsOff, dhOff, seq, dxOff, dwOff, dwrOff, dbOff|-1,
//              B, T, F, U, recAct): gradients of the loss with respect to x, W, Wr and b, given dh (see ExternalDh).
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
  float* dhNext = Scratch(1, static_cast<size_t>(2 * d.B * U)).data();  // dh from step t+1, then dc from step t+1
  float* dcNext = dhNext + d.B * U;
  std::fill(dhNext, dhNext + 2 * d.B * U, 0.f);
  for (int64_t t = d.T - 1; t >= 0; --t) {
    for (int64_t bi = 0; bi < d.B; ++bi) {
      const float* z = zs + bi * zStride + t * G4;
      const float* c = cs + bi * hStride + t * U;
      const float* cp = t > 0 ? cs + bi * hStride + (t - 1) * U : nullptr;
      float* dz = dZ + bi * zStride + t * G4;
      float* dhn = dhNext + bi * U;
      float* dcn = dcNext + bi * U;
      for (int64_t j = 0; j < U; ++j) {
        const float dh = ExternalDh(dhExt, seq, d, bi, t, j) + dhn[j];
        const float i = RecAct(z[j], kind), f = RecAct(z[U + j], kind), g = std::tanh(z[2 * U + j]);
        const float o = RecAct(z[3 * U + j], kind), tc = std::tanh(c[j]);
        const float dc = dcn[j] + (dh * o) * (1.f - tc * tc);
        dz[j] = RecActGrad(dc * g, z[j], kind);
        dz[U + j] = RecActGrad(dc * (cp ? cp[j] : 0.f), z[U + j], kind);
        dz[2 * U + j] = (dc * i) * (1.f - g * g);
        dz[3 * U + j] = RecActGrad(dh * tc, z[3 * U + j], kind);
        dcn[j] = dc * f;
      }
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
  for (int64_t t = 0; t < d.T; ++t) {
    const float* hPrev = t > 0 ? hs + (t - 1) * U : nullptr;
    if (hPrev) Sgemm(false, false, d.B, 2 * U, U, hPrev, hStride, Wr, G3, 1.f, zs + t * G3, zStride, false);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      const float* z = zs + bi * zStride + t * G3;
      for (int64_t j = 0; j < U; ++j) rh[bi * U + j] = hPrev ? RecAct(z[U + j], kind) * hPrev[bi * hStride + j] : 0.f;
    }
    if (hPrev) Sgemm(false, false, d.B, U, U, rh, U, Wr + 2 * U, G3, 1.f, zs + t * G3 + 2 * U, zStride, false);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      const float* z = zs + bi * zStride + t * G3;
      float* h = hs + bi * hStride + t * U;
      for (int64_t j = 0; j < U; ++j) {
        const float zg = RecAct(z[j], kind), hh = std::tanh(z[2 * U + j]);
        const float hp = hPrev ? hPrev[bi * hStride + j] : 0.f;
        h[j] = zg * hp + (1.f - zg) * hh;
      }
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
    for (int64_t bi = 0; bi < d.B; ++bi) {
      const float* z = zs + bi * zStride + t * G3;
      const float* hPrev = hp + bi * hStride + t * U;
      float* dz = dZ + bi * zStride + t * G3;
      for (int64_t j = 0; j < U; ++j) {
        const float dh = ExternalDh(dhExt, seq, d, bi, t, j) + dhNext[bi * U + j];
        const float zg = RecAct(z[j], kind), hh = std::tanh(z[2 * U + j]);
        dhTot[bi * U + j] = dh;
        dz[j] = RecActGrad(dh * hPrev[j] - dh * hh, z[j], kind);
        dz[2 * U + j] = (dh * (1.f - zg)) * (1.f - hh * hh);
        rhAll[bi * hStride + t * U + j] = RecAct(z[U + j], kind) * hPrev[j];
      }
    }
    // d(r∘h) = dz_h·Wr_hᵀ
    Sgemm(false, true, d.B, U, U, dZ + t * G3 + 2 * U, zStride, Wr + 2 * U, G3, 0.f, dRh, U, false);
    for (int64_t bi = 0; bi < d.B; ++bi) {
      const float* z = zs + bi * zStride + t * G3;
      const float* hPrev = hp + bi * hStride + t * U;
      float* dz = dZ + bi * zStride + t * G3;
      for (int64_t j = 0; j < U; ++j) {
        const float r = RecAct(z[U + j], kind), drh = dRh[bi * U + j];
        dz[U + j] = RecActGrad(drh * hPrev[j], z[U + j], kind);
        dhNext[bi * U + j] = dhTot[bi * U + j] * RecAct(z[j], kind) + drh * r;
      }
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
