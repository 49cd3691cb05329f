// Max pooling (maxPool) and its gradient (maxPoolGrad), NHWC, per-ISA vectorised over channels.
#include "conv_geom.h"
#include "kernels.h"
#include "thread_pool.h"

namespace tl {

// One block of W channels of MaxPoolGrad: finds each channel's first maximum over the taps with
// branch-free masks (vectorises; random data made the branchy version mispredict) and routes dy there.
template <int W>
inline void PoolGradBlock(const float* xn, const int64_t* taps, int64_t T, int64_t c0, const float* d, float* dxn) {
  float bv[W];
  int32_t bi[W];
  const float* p0 = xn + taps[0] + c0;
  for (int c = 0; c < W; ++c) { bv[c] = p0[c]; bi[c] = 0; }
  for (int64_t t = 1; t < T; ++t) {
    const float* px = xn + taps[t] + c0;
    const int32_t ti = static_cast<int32_t>(t);
    for (int c = 0; c < W; ++c) {  // strict > keeps the first maximum
      const float v = px[c];
      const int32_t m = -static_cast<int32_t>(v > bv[c]);
      bi[c] = (bi[c] & ~m) | (ti & m);
      bv[c] = v > bv[c] ? v : bv[c];
    }
  }
  for (int c = 0; c < W; ++c) dxn[taps[bi[c]] + c0 + c] += d[c0 + c];
}

// Non-overlapping windows (kernel == stride, no padding or dilation) inside the input, as in the usual 2x2/2
// pooling: every input element is in at most one window, so the tap offsets are the same for every window, and
// MaxPoolGrad writes each element once (dy at its window's first maximum, 0 elsewhere) without a memset pass
// or read-modify-write scatter.
bool PoolTiles(const ConvGeom& g) {
  return g.KH == g.sh && g.KW == g.sw && g.pt == 0 && g.pl == 0 && g.dh == 1 && g.dw == 1 && g.KH > 0 && g.KW > 0 &&
         g.OH * g.KH <= g.H && g.OW * g.KW <= g.W;
}

// Offsets of a window's taps from its top-left element (row-major over the window), for PoolTiles geometries.
std::vector<int64_t> TileTaps(const ConvGeom& g, int64_t C) {
  std::vector<int64_t> taps;
  for (int64_t ky = 0; ky < g.KH; ++ky)
    for (int64_t kx = 0; kx < g.KW; ++kx) taps.push_back((ky * g.W + kx) * C);
  return taps;
}

// One window, 16 channels at c0: the first maximum's tap per channel (strict >, so ties and NaNs keep the
// earlier tap), then dy there and 0 at the window's other taps.
TL_INLINE void PoolGradTile16(const float* xw, float* dxw, const int64_t* taps, int64_t T, int64_t c0, const float* d) {
  v16f best = *reinterpret_cast<const v16f*>(xw + taps[0] + c0);
  v16i at = v16i{};
  for (int64_t t = 1; t < T; ++t) {
    const v16f v = *reinterpret_cast<const v16f*>(xw + taps[t] + c0);
    const v16i more = v > best;  // -1 where greater
    at = (at & ~more) | (static_cast<int32_t>(t) & more);
    best = more ? v : best;
  }
  const v16f dv = *reinterpret_cast<const v16f*>(d + c0);
  for (int64_t t = 0; t < T; ++t) {
    const v16i here = at == static_cast<int32_t>(t);
    *reinterpret_cast<v16f*>(dxw + taps[t] + c0) = here ? dv : v16f{};
  }
}
TL_INLINE void PoolGradTile1(const float* xw, float* dxw, const int64_t* taps, int64_t T, int64_t c, const float* d) {
  float best = xw[taps[0] + c];
  int64_t at = 0;
  for (int64_t t = 1; t < T; ++t) if (xw[taps[t] + c] > best) { best = xw[taps[t] + c]; at = t; }
  for (int64_t t = 0; t < T; ++t) dxw[taps[t] + c] = t == at ? d[c] : 0.f;
}

TL_INLINE void MaxPoolGradTilesImpl(const float* x, const float* dy, float* dx, const ConvGeom& g) {
  const int64_t C = g.Ci;
  constexpr int64_t CB = 16;
  const std::vector<int64_t> taps = TileTaps(g, C);
  const int64_t T = static_cast<int64_t>(taps.size());
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.H * g.W * C;
    float* dxn = dx + n * g.H * g.W * C;
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        const int64_t base = (oy * g.KH * g.W + ox * g.KW) * C;
        const float* d = dy + ((n * g.OH + oy) * g.OW + ox) * C;
        int64_t c0 = 0;
        for (; c0 + CB <= C; c0 += CB) PoolGradTile16(xn + base, dxn + base, taps.data(), T, c0, d);
        for (; c0 < C; ++c0) PoolGradTile1(xn + base, dxn + base, taps.data(), T, c0, d);
      }
      // Columns right of the last window get no gradient.
      for (int64_t ky = 0; ky < g.KH; ++ky) {
        float* row = dxn + ((oy * g.KH + ky) * g.W + g.OW * g.KW) * C;
        std::fill(row, row + (g.W - g.OW * g.KW) * C, 0.f);
      }
    }
    // Rows below the last window neither.
    std::fill(dxn + g.OH * g.KH * g.W * C, dxn + g.H * g.W * C, 0.f);
  }
}
TL_VERSIONS(MaxPoolGradTiles, (const float* x, const float* dy, float* dx, const ConvGeom& g), (x, dy, dx, g))

// One part of MaxPoolGrad: images [0, g.N) of x, dy and dx (already offset to the part's first image).
void MaxPoolGradImages(const float* x, const float* dy, float* dx, const ConvGeom& g) {
  const int64_t C = g.Ci;
  if (C > 0 && PoolTiles(g)) {
    MaxPoolGradTiles(x, dy, dx, g);
    return;
  }
  std::memset(dx, 0, sizeof(float) * g.N * g.H * g.W * C);
  if (C == 0) return;
  constexpr int64_t CB = 16;
  std::vector<int64_t> taps;
  taps.reserve(g.KH * g.KW);
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.H * g.W * C;
    float* dxn = dx + n * g.H * g.W * C;
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      int64_t ky0, ky1;
      TapRange(oy, g.sh, g.pt, g.dh, g.KH, g.H, ky0, ky1);
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        int64_t kx0, kx1;
        TapRange(ox, g.sw, g.pl, g.dw, g.KW, g.W, kx0, kx1);
        taps.clear();
        for (int64_t ky = ky0; ky < ky1; ++ky)
          for (int64_t kx = kx0; kx < kx1; ++kx)
            taps.push_back(((oy * g.sh - g.pt + ky * g.dh) * g.W + (ox * g.sw - g.pl + kx * g.dw)) * C);
        if (taps.empty()) continue;
        const int64_t T = static_cast<int64_t>(taps.size());
        const float* d = dy + ((n * g.OH + oy) * g.OW + ox) * C;
        int64_t c0 = 0;
        for (; c0 + CB <= C; c0 += CB) PoolGradBlock<CB>(xn, taps.data(), T, c0, d, dxn);
        for (; c0 < C; ++c0) PoolGradBlock<1>(xn, taps.data(), T, c0, d, dxn);
      }
    }
  }
}

// maxPoolGrad(heap, xOff, dyOff, dxOff, geom): NHWC; each dy goes to the first maximum of its window
// (padding excluded), as the tfjs cpu backend does. Co = Ci = channels in geom. Channels are processed in
// blocks of 16 held in registers; the tap index (not the heap offset) is tracked per channel.
// Images are split over the pool from 1 MB.
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* dy = F32(heap, info[2]);
  float* dx = F32(heap, info[3]);
  ConvGeom g = ReadGeom(info[4]);
  const int64_t in = g.H * g.W * g.Ci, out = g.OH * g.OW * g.Ci;
  ForParts(g.N, ElementParts(g.N * in, g.N), [&](int64_t n0, int64_t n1, size_t) {
    MaxPoolGradImages(x + n0 * in, dy + n0 * out, dx + n0 * in, Images(g, n1 - n0));
  });
  return info.Env().Undefined();
}

template <int W>
TL_INLINE void PoolFwdBlock(const float* xn, const int64_t* taps, int64_t T, int64_t c0, float* yo) {
  float bv[W];
  for (int c = 0; c < W; ++c) bv[c] = -INFINITY;
  for (int64_t t = 0; t < T; ++t) {
    const float* px = xn + taps[t] + c0;
    for (int c = 0; c < W; ++c) bv[c] = px[c] > bv[c] ? px[c] : bv[c];
  }
  for (int c = 0; c < W; ++c) yo[c0 + c] = bv[c];
}

TL_INLINE void MaxPoolTilesImpl(const float* x, float* y, const ConvGeom& g) {
  const int64_t C = g.Ci;
  constexpr int64_t CB = 16;
  const std::vector<int64_t> taps = TileTaps(g, C);
  const int64_t T = static_cast<int64_t>(taps.size());
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.H * g.W * C;
    for (int64_t oy = 0; oy < g.OH; ++oy)
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        const float* xw = xn + (oy * g.KH * g.W + ox * g.KW) * C;
        float* yo = y + ((n * g.OH + oy) * g.OW + ox) * C;
        int64_t c0 = 0;
        for (; c0 + CB <= C; c0 += CB) PoolFwdBlock<CB>(xw, taps.data(), T, c0, yo);
        for (; c0 < C; ++c0) PoolFwdBlock<1>(xw, taps.data(), T, c0, yo);
      }
  }
}
TL_VERSIONS(MaxPoolTiles, (const float* x, float* y, const ConvGeom& g), (x, y, g))

// One part of MaxPool: images [0, g.N) of x and y (already offset to the part's first image).
void MaxPoolImages(const float* x, float* y, const ConvGeom& g) {
  const int64_t C = g.Ci;
  if (PoolTiles(g)) {
    MaxPoolTiles(x, y, g);
    return;
  }
  constexpr int64_t CB = 16;
  std::vector<int64_t> taps;
  taps.reserve(g.KH * g.KW);
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.H * g.W * C;
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      int64_t ky0, ky1;
      TapRange(oy, g.sh, g.pt, g.dh, g.KH, g.H, ky0, ky1);
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        int64_t kx0, kx1;
        TapRange(ox, g.sw, g.pl, g.dw, g.KW, g.W, kx0, kx1);
        float* yo = y + ((n * g.OH + oy) * g.OW + ox) * C;
        taps.clear();
        for (int64_t ky = ky0; ky < ky1; ++ky)
          for (int64_t kx = kx0; kx < kx1; ++kx)
            taps.push_back(((oy * g.sh - g.pt + ky * g.dh) * g.W + (ox * g.sw - g.pl + kx * g.dw)) * C);
        const int64_t T = static_cast<int64_t>(taps.size());
        int64_t c0 = 0;
        for (; c0 + CB <= C; c0 += CB) PoolFwdBlock<CB>(xn, taps.data(), T, c0, yo);
        for (; c0 < C; ++c0) PoolFwdBlock<1>(xn, taps.data(), T, c0, yo);
      }
    }
  }
}

// maxPool(heap, xOff, yOff, geom): NHWC max pooling, padding excluded; y = -inf for a window with no valid
// tap, and NaNs are skipped (a NaN never compares greater), as the tfjs cpu backend's pool does.
// Images are split over the pool from 1 MB.
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  float* y = F32(heap, info[2]);
  ConvGeom g = ReadGeom(info[3]);
  if (g.Ci == 0) return info.Env().Undefined();
  const int64_t in = g.H * g.W * g.Ci, out = g.OH * g.OW * g.Ci;
  ForParts(g.N, ElementParts(g.N * in, g.N), [&](int64_t n0, int64_t n1, size_t) {
    MaxPoolImages(x + n0 * in, y + n0 * out, Images(g, n1 - n0));
  });
  return info.Env().Undefined();
}
}  // namespace tl
