// Narrow convolutions (KH*KW*Ci <= 32, e.g. a first layer on 1-channel images): forward pass and filter
// gradient with im2col fused into a register-sized GEMM, compiled per ISA, with fixed-width versions for 16, 32
// and 64 output channels.
#include "conv_smallk.h"

namespace tl {

// y[n, oy, :, :] accumulated tap by tap: for each filter tap (ky, kx, ci), every output pixel of the row gets
// x[n, iy, ix, ci] * filter[ky, kx, ci, :] (a Co-wide vector FMA). The output row stays in L1.
TL_INLINE void SmallKConvForwardImpl(const float* __restrict x, const float* __restrict f, float* __restrict y, const ConvGeom& g) {
  const int64_t Co = g.Co;
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.xs[0];
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      float* yr = y + (n * g.OH + oy) * g.OW * Co;
      std::fill(yr, yr + g.OW * Co, 0.f);
      for (int64_t ky = 0; ky < g.KH; ++ky) {
        const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
        if (iy < 0 || iy >= g.H) continue;
        for (int64_t kx = 0; kx < g.KW; ++kx)
          for (int64_t ci = 0; ci < g.Ci; ++ci) {
            const float* __restrict fk = f + ((ky * g.KW + kx) * g.Ci + ci) * Co;
            const float* xr = xn + iy * g.xs[1] + ci * g.xs[3];
            for (int64_t ox = 0; ox < g.OW; ++ox) {
              const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
              if (ix < 0 || ix >= g.W) continue;
              const float a = xr[ix * g.xs[2]];
              float* __restrict o = yr + ox * Co;
              for (int64_t c = 0; c < Co; ++c) o[c] += a * fk[c];
            }
          }
      }
    }
  }
}
TL_VERSIONS(SmallKConvForward, (const float* x, const float* f, float* y, const ConvGeom& g), (x, f, y, g))

// df = sum over output pixels of im2col_rowᵀ · dy_row, tap by tap; float partial sums per image, accumulated in
// double across images.
TL_INLINE void SmallKConvFilterGradImpl(const float* __restrict x, const float* __restrict dy, float* __restrict df, const ConvGeom& g) {
  const int64_t K = g.KH * g.KW * g.Ci, Co = g.Co, KC = K * Co;
  std::vector<float> part(KC);
  std::vector<double> total(KC, 0.0);
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.xs[0];
    std::fill(part.begin(), part.end(), 0.f);
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      const float* dr = dy + (n * g.OH + oy) * g.OW * Co;
      for (int64_t ky = 0; ky < g.KH; ++ky) {
        const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
        if (iy < 0 || iy >= g.H) continue;
        for (int64_t kx = 0; kx < g.KW; ++kx)
          for (int64_t ci = 0; ci < g.Ci; ++ci) {
            float* __restrict acc = part.data() + ((ky * g.KW + kx) * g.Ci + ci) * Co;
            const float* xr = xn + iy * g.xs[1] + ci * g.xs[3];
            for (int64_t ox = 0; ox < g.OW; ++ox) {
              const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
              if (ix < 0 || ix >= g.W) continue;
              const float a = xr[ix * g.xs[2]];
              const float* __restrict d = dr + ox * Co;
              for (int64_t c = 0; c < Co; ++c) acc[c] += a * d[c];
            }
          }
      }
    }
    for (int64_t i = 0; i < KC; ++i) total[i] += part[i];
  }
  for (int64_t i = 0; i < KC; ++i) df[i] = static_cast<float>(total[i]);
}
TL_VERSIONS(SmallKConvFilterGrad, (const float* x, const float* dy, float* df, const ConvGeom& g), (x, dy, df, g))


// The same two small-K paths with the output channel count CO (16, 32 or 64: typical first-layer widths) known at
// compile time, written with explicit 16-float vectors, and PB output pixels of a row at a time where all their
// horizontal taps are inside the input. Pixel by pixel, a tap is one FMA on a CO-wide accumulator, so one pixel's
// taps form a dependent chain (FMA latency) and the loop control costs as much again; PB independent pixels fill
// the FMA pipes and share the loop overhead and the filter loads. Every output still sums its terms in the same
// order as the generic versions (taps in (ky, kx, ci) order for the forward pass, pixels in (n, oy, ox) order for
// the filter gradient), so results are identical.
template <int CO>
TL_INLINE void SmallKForwardCo(const float* __restrict x, const float* __restrict f, float* __restrict y, const ConvGeom& g) {
  constexpr int V = CO / 16, PB = 8 / V;
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.xs[0];
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      int64_t ky0, ky1;
      TapRange(oy, g.sh, g.pt, g.dh, g.KH, g.H, ky0, ky1);
      float* yr = y + (n * g.OH + oy) * g.OW * CO;
      for (int64_t ox = 0; ox < g.OW;) {
        const bool block = ox + PB <= g.OW && ox * g.sw - g.pl >= 0 && (ox + PB - 1) * g.sw - g.pl + (g.KW - 1) * g.dw < g.W;
        if (block) {
          v16f acc[PB][V];
          for (int p = 0; p < PB; ++p)
            for (int v = 0; v < V; ++v) acc[p][v] = v16f{};
          for (int64_t ky = ky0; ky < ky1; ++ky) {
            const float* xrow = xn + (oy * g.sh - g.pt + ky * g.dh) * g.xs[1];
            for (int64_t kx = 0; kx < g.KW; ++kx) {
              const float* xp = xrow + (ox * g.sw - g.pl + kx * g.dw) * g.xs[2];
              const float* fk = f + (ky * g.KW + kx) * g.Ci * CO;
              for (int64_t ci = 0; ci < g.Ci; ++ci) {
                v16f fv[V];
                for (int v = 0; v < V; ++v) fv[v] = reinterpret_cast<const v16f*>(fk + ci * CO)[v];
                const float* xc = xp + ci * g.xs[3];
                for (int p = 0; p < PB; ++p) {
                  const float a = xc[p * g.sw * g.xs[2]];
                  for (int v = 0; v < V; ++v) acc[p][v] += a * fv[v];
                }
              }
            }
          }
          for (int p = 0; p < PB; ++p)
            for (int v = 0; v < V; ++v) reinterpret_cast<v16f*>(yr + (ox + p) * CO)[v] = acc[p][v];
          ox += PB;
          continue;
        }
        int64_t kx0, kx1;
        TapRange(ox, g.sw, g.pl, g.dw, g.KW, g.W, kx0, kx1);
        v16f acc[V];
        for (int v = 0; v < V; ++v) acc[v] = v16f{};
        for (int64_t ky = ky0; ky < ky1; ++ky) {
          const float* xrow = xn + (oy * g.sh - g.pt + ky * g.dh) * g.xs[1];
          for (int64_t kx = kx0; kx < kx1; ++kx) {
            const float* xp = xrow + (ox * g.sw - g.pl + kx * g.dw) * g.xs[2];
            const float* fk = f + (ky * g.KW + kx) * g.Ci * CO;
            for (int64_t ci = 0; ci < g.Ci; ++ci) {
              const float a = xp[ci * g.xs[3]];
              const v16f* fc = reinterpret_cast<const v16f*>(fk + ci * CO);
              for (int v = 0; v < V; ++v) acc[v] += a * fc[v];
            }
          }
        }
        for (int v = 0; v < V; ++v) reinterpret_cast<v16f*>(yr + ox * CO)[v] = acc[v];
        ++ox;
      }
    }
  }
}

template <int CO>
TL_INLINE void SmallKFilterGradCo(const float* __restrict x, const float* __restrict dy, float* __restrict df, const ConvGeom& g) {
  constexpr int V = CO / 16, PB = 8 / V;
  const int64_t K = g.KH * g.KW * g.Ci, KC = K * CO;
  std::vector<float> part(KC);
  std::vector<double> total(KC, 0.0);
  for (int64_t n = 0; n < g.N; ++n) {
    const float* xn = x + n * g.xs[0];
    std::fill(part.begin(), part.end(), 0.f);
    float* pp = part.data();
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      int64_t ky0, ky1;
      TapRange(oy, g.sh, g.pt, g.dh, g.KH, g.H, ky0, ky1);
      const float* dr = dy + (n * g.OH + oy) * g.OW * CO;
      for (int64_t ox = 0; ox < g.OW;) {
        const bool block = ox + PB <= g.OW && ox * g.sw - g.pl >= 0 && (ox + PB - 1) * g.sw - g.pl + (g.KW - 1) * g.dw < g.W;
        const int P = block ? PB : 1;
        int64_t kx0 = 0, kx1 = g.KW;
        if (!block) TapRange(ox, g.sw, g.pl, g.dw, g.KW, g.W, kx0, kx1);
        v16f d[PB][V];
        for (int p = 0; p < P; ++p)
          for (int v = 0; v < V; ++v) d[p][v] = reinterpret_cast<const v16f*>(dr + (ox + p) * CO)[v];
        for (int64_t ky = ky0; ky < ky1; ++ky) {
          const float* xrow = xn + (oy * g.sh - g.pt + ky * g.dh) * g.xs[1];
          for (int64_t kx = kx0; kx < kx1; ++kx) {
            const float* xp = xrow + (ox * g.sw - g.pl + kx * g.dw) * g.xs[2];
            float* acc = pp + (ky * g.KW + kx) * g.Ci * CO;
            for (int64_t ci = 0; ci < g.Ci; ++ci) {
              const float* xc = xp + ci * g.xs[3];
              v16f* ac = reinterpret_cast<v16f*>(acc + ci * CO);
              v16f sum[V];
              for (int v = 0; v < V; ++v) sum[v] = ac[v];
              if (block) {
                for (int p = 0; p < PB; ++p) {
                  const float a = xc[p * g.sw * g.xs[2]];
                  for (int v = 0; v < V; ++v) sum[v] += a * d[p][v];
                }
              } else {
                const float a = xc[0];
                for (int v = 0; v < V; ++v) sum[v] += a * d[0][v];
              }
              for (int v = 0; v < V; ++v) ac[v] = sum[v];
            }
          }
        }
        ox += P;
      }
    }
    for (int64_t i = 0; i < KC; ++i) total[i] += part[i];
  }
  for (int64_t i = 0; i < KC; ++i) df[i] = static_cast<float>(total[i]);
}

#define TL_SMALLK_WIDTH(CO)                                                                                                   \
  TL_INLINE void SmallKForward##CO##Impl(const float* x, const float* f, float* y, const ConvGeom& g) { SmallKForwardCo<CO>(x, f, y, g); } \
  TL_INLINE void SmallKFilterGrad##CO##Impl(const float* x, const float* dy, float* df, const ConvGeom& g) {                \
    SmallKFilterGradCo<CO>(x, dy, df, g);                                                                                  \
  }                                                                                                                        \
  TL_VERSIONS(SmallKForward##CO, (const float* x, const float* f, float* y, const ConvGeom& g), (x, f, y, g))                \
  TL_VERSIONS(SmallKFilterGrad##CO, (const float* x, const float* dy, float* df, const ConvGeom& g), (x, dy, df, g))
TL_SMALLK_WIDTH(16)
TL_SMALLK_WIDTH(32)
TL_SMALLK_WIDTH(64)
#undef TL_SMALLK_WIDTH

void SmallKForwardAny(const float* x, const float* f, float* y, const ConvGeom& g) {
  switch (g.Co) {
    case 16: SmallKForward16(x, f, y, g); break;
    case 32: SmallKForward32(x, f, y, g); break;
    case 64: SmallKForward64(x, f, y, g); break;
    default: SmallKConvForward(x, f, y, g);
  }
}
void SmallKFilterGradAny(const float* x, const float* dy, float* df, const ConvGeom& g) {
  switch (g.Co) {
    case 16: SmallKFilterGrad16(x, dy, df, g); break;
    case 32: SmallKFilterGrad32(x, dy, df, g); break;
    case 64: SmallKFilterGrad64(x, dy, df, g); break;
    default: SmallKConvFilterGrad(x, dy, df, g);
  }
}
}  // namespace tl
