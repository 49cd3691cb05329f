// Convolution entry points (conv2d, conv2dBackpropInput, conv2dBackpropFilter): im2col + GEMM + col2im over
// parts of the images on the pool, or the small-K paths of conv_smallk.cc.
#include "conv_geom.h"
#include "conv_smallk.h"
#include "gemm.h"
#include "kernels.h"
#include "thread_pool.h"

namespace tl {

// col[(n*OH*OW + oy*OW + ox), (ky*KW + kx)*Ci + ci] = x[n, oy*sh - pt + ky*dh, ox*sw - pl + kx*dw, ci] (0 outside)
void Im2Col(const float* x, const ConvGeom& g, int64_t n0, int64_t nn, float* col) {
  const int64_t kcols = g.KH * g.KW * g.Ci;
  const bool contiguousC = g.xs[3] == 1;
  for (int64_t n = 0; n < nn; ++n) {
    const float* xn = x + (n0 + n) * g.xs[0];
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        float* row = col + ((n * g.OH + oy) * g.OW + ox) * kcols;
        for (int64_t ky = 0; ky < g.KH; ++ky) {
          int64_t iy = oy * g.sh - g.pt + ky * g.dh;
          for (int64_t kx = 0; kx < g.KW; ++kx) {
            int64_t ix = ox * g.sw - g.pl + kx * g.dw;
            float* dst = row + (ky * g.KW + kx) * g.Ci;
            if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) {
              std::memset(dst, 0, sizeof(float) * g.Ci);
            } else {
              const float* src = xn + iy * g.xs[1] + ix * g.xs[2];
              if (contiguousC && g.Ci >= 16) std::memcpy(dst, src, sizeof(float) * g.Ci);
              else if (contiguousC) for (int64_t ci = 0; ci < g.Ci; ++ci) dst[ci] = src[ci];  // no call per narrow tap
              else for (int64_t ci = 0; ci < g.Ci; ++ci) dst[ci] = src[ci * g.xs[3]];
            }
          }
        }
      }
    }
  }
}

// dx[n, iy, ix, ci] += col[...] (the adjoint of Im2Col)
void Col2Im(const float* col, const ConvGeom& g, int64_t n0, int64_t nn, float* dx) {
  const int64_t kcols = g.KH * g.KW * g.Ci;
  for (int64_t n = 0; n < nn; ++n) {
    float* xn = dx + (n0 + n) * g.xs[0];
    for (int64_t oy = 0; oy < g.OH; ++oy) {
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        const float* row = col + ((n * g.OH + oy) * g.OW + ox) * kcols;
        for (int64_t ky = 0; ky < g.KH; ++ky) {
          int64_t iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.H) continue;
          for (int64_t kx = 0; kx < g.KW; ++kx) {
            int64_t ix = ox * g.sw - g.pl + kx * g.dw;
            if (ix < 0 || ix >= g.W) continue;
            const float* src = row + (ky * g.KW + kx) * g.Ci;
            float* dst = xn + iy * g.xs[1] + ix * g.xs[2];
            if (g.xs[3] == 1) for (int64_t ci = 0; ci < g.Ci; ++ci) dst[ci] += src[ci];
            else for (int64_t ci = 0; ci < g.Ci; ++ci) dst[ci * g.xs[3]] += src[ci];
          }
        }
      }
    }
  }
}

// Copies a [P, Co] row-major block into y at images n0.. with y's strides (NCHW output), or back.
void ScatterRows(const float* src, const ConvGeom& g, int64_t n0, int64_t nn, float* y) {
  for (int64_t n = 0; n < nn; ++n)
    for (int64_t oy = 0; oy < g.OH; ++oy)
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        const float* r = src + ((n * g.OH + oy) * g.OW + ox) * g.Co;
        float* d = y + (n0 + n) * g.ys[0] + oy * g.ys[1] + ox * g.ys[2];
        for (int64_t c = 0; c < g.Co; ++c) d[c * g.ys[3]] = r[c];
      }
}
void GatherRows(const float* y, const ConvGeom& g, int64_t n0, int64_t nn, float* dst) {
  for (int64_t n = 0; n < nn; ++n)
    for (int64_t oy = 0; oy < g.OH; ++oy)
      for (int64_t ox = 0; ox < g.OW; ++ox) {
        float* r = dst + ((n * g.OH + oy) * g.OW + ox) * g.Co;
        const float* s = y + (n0 + n) * g.ys[0] + oy * g.ys[1] + ox * g.ys[2];
        for (int64_t c = 0; c < g.Co; ++c) r[c] = s[c * g.ys[3]];
      }
}

// How many parts a convolution's images are split into: two per thread (so a late or preempted worker leaves
// little for the others to wait on), at most one image each; 1 when the work is too small to split.
int64_t ImageParts(const ConvGeom& g, int64_t kcols) {
  const double macs = static_cast<double>(g.N) * g.OH * g.OW * kcols * g.Co;
  if (g_max_threads < 2 || macs < g_conv_parallel_macs) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(g.N, 2 * static_cast<int64_t>(g_max_threads)));
}

// The im2col paths: runs chunk(n0, nn, col, tmp, part, first) over the images in parts over the pool, each part in
// chunks of at most ChunkImages(g) images (`first` for a part's first chunk), with this thread's column buffer
// (nn·OH·OW × kcols floats) and, for an NCHW y, a row buffer (nn·OH·OW × Co floats) to gather or scatter y's rows.
template <class Chunk>
void ForImageChunks(const ConvGeom& g, int64_t kcols, int64_t parts, Chunk&& chunk) {
  const int64_t P1 = g.OH * g.OW;
  ForParts(g.N, parts, [&](int64_t begin, int64_t end, size_t part) {
    const int64_t most = std::min(ChunkImages(g), end - begin);
    float* col = Scratch(0, most * P1 * kcols).data();
    float* tmp = YIsNHWC(g) ? nullptr : Scratch(1, most * P1 * g.Co).data();
    for (int64_t n0 = begin; n0 < end; n0 += most) chunk(n0, std::min(most, end - n0), col, tmp, part, n0 == begin);
  });
}

// df = the sum of per-part filter gradients: part 0 wrote into df, the others into `partials`.
void SumParts(float* df, const std::vector<float>& partials, int64_t parts, int64_t size) {
  for (int64_t p = 1; p < parts; ++p) {
    const float* src = partials.data() + (p - 1) * size;
    for (int64_t i = 0; i < size; ++i) df[i] += src[i];
  }
}

// conv2d(heap, xOff, filterOff, outOff, geom, biasOff, biasShape, biasStrides, act, alpha, preluOff, preluShape, preluStrides, outShape)
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* f = F32(heap, info[2]);
  float* y = F32(heap, info[3]);
  ConvGeom g = ReadGeom(info[4]);
  const int64_t kcols = g.KH * g.KW * g.Ci, P1 = g.OH * g.OW;
  const bool xNHWC = XIsNHWC(g), yNHWC = YIsNHWC(g);
  const bool parallel = Parallel(static_cast<double>(g.N) * P1 * kcols * g.Co);
  if (kcols == 0) {
    for (int64_t i = 0; i < g.N * P1 * g.Co; ++i) y[i] = 0.f;
  } else if (IsPointwise(g) && xNHWC && yNHWC) {
    Sgemm(false, false, g.N * P1, g.Co, g.Ci, x, g.Ci, f, g.Co, 0.f, y, g.Co, parallel);
  } else if (UseSmallK(g)) {
    ForParts(g.N, ImageParts(g, kcols), [&](int64_t n0, int64_t n1, size_t) {
      SmallKForwardAny(x + n0 * g.xs[0], f, y + n0 * P1 * g.Co, Images(g, n1 - n0));
    });
  } else {
    ForImageChunks(g, kcols, ImageParts(g, kcols), [&](int64_t n0, int64_t nn, float* col, float* tmp, size_t, bool) {
      Im2Col(x, g, n0, nn, col);
      float* dst = yNHWC ? y + n0 * P1 * g.Co : tmp;
      Sgemm(false, false, nn * P1, g.Co, kcols, col, kcols, f, g.Co, 0.f, dst, g.Co, false);
      if (!yNHWC) ScatterRows(tmp, g, n0, nn, y);
    });
  }
  if (info.Length() > 5) {
    double biasOff = D(info[5]);
    int act = static_cast<int>(I64(info[8]));
    double preluOff = D(info[10]);
    if (biasOff >= 0 || act != kLinear) {
      Broadcast bb = biasOff >= 0 ? ReadBroadcast(info[6], info[7]) : Broadcast();
      Broadcast pb = preluOff >= 0 ? ReadBroadcast(info[11], info[12]) : Broadcast();
      const float* bias = biasOff >= 0 ? reinterpret_cast<const float*>(heap + static_cast<size_t>(biasOff)) : nullptr;
      const float* prelu = preluOff >= 0 ? reinterpret_cast<const float*>(heap + static_cast<size_t>(preluOff)) : nullptr;
      if (act == kPrelu && !prelu) throw Napi::Error::New(info.Env(), "prelu activation needs preluActivationWeights");
      Epilogue(y, IntList(info[13]), bias, bb, act, static_cast<float>(D(info[9])), prelu, pb);
    }
  }
  return info.Env().Undefined();
}

// conv2dBackpropInput(heap, dyOff, filterOff, dxOff, geom): dx = col2im(dy · filterᵀ)
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* dy = F32(heap, info[1]);
  const float* f = F32(heap, info[2]);
  float* dx = F32(heap, info[3]);
  ConvGeom g = ReadGeom(info[4]);
  const int64_t kcols = g.KH * g.KW * g.Ci, P1 = g.OH * g.OW;
  const bool xNHWC = XIsNHWC(g), yNHWC = YIsNHWC(g);
  const bool parallel = Parallel(static_cast<double>(g.N) * P1 * kcols * g.Co);
  if (IsPointwise(g) && xNHWC && yNHWC) {
    Sgemm(false, true, g.N * P1, g.Ci, g.Co, dy, g.Co, f, g.Co, 0.f, dx, g.Ci, parallel);
    return info.Env().Undefined();
  }
  std::fill(dx, dx + g.N * g.H * g.W * g.Ci, 0.f);
  if (kcols == 0 || g.Co == 0) return info.Env().Undefined();
  ForImageChunks(g, kcols, ImageParts(g, kcols), [&](int64_t n0, int64_t nn, float* col, float* tmp, size_t, bool) {
    const float* dyc = dy + n0 * P1 * g.Co;
    if (!yNHWC) { GatherRows(dy, g, n0, nn, tmp); dyc = tmp; }
    Sgemm(false, true, nn * P1, kcols, g.Co, dyc, g.Co, f, g.Co, 0.f, col, kcols, false);
    Col2Im(col, g, n0, nn, dx);  // (writes images n0.. only)
  });
  return info.Env().Undefined();
}

// conv2dBackpropFilter(heap, xOff, dyOff, dfOff, geom): df = im2col(x)ᵀ · dy
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* dy = F32(heap, info[2]);
  float* df = F32(heap, info[3]);
  ConvGeom g = ReadGeom(info[4]);
  const int64_t kcols = g.KH * g.KW * g.Ci, P1 = g.OH * g.OW;
  const bool xNHWC = XIsNHWC(g), yNHWC = YIsNHWC(g);
  const bool parallel = Parallel(static_cast<double>(g.N) * P1 * kcols * g.Co);
  if (kcols == 0 || g.Co == 0) return info.Env().Undefined();
  if (g.N * P1 == 0) { std::fill(df, df + kcols * g.Co, 0.f); return info.Env().Undefined(); }
  if (IsPointwise(g) && xNHWC && yNHWC) {
    Sgemm(true, false, g.Ci, g.Co, g.N * P1, x, g.Ci, dy, g.Co, 0.f, df, g.Co, parallel);
    return info.Env().Undefined();
  }
  // Each part of the images sums its own filter gradient (part 0 into df), then the parts are added.
  const int64_t parts = ImageParts(g, kcols), size = kcols * g.Co;
  std::vector<float> partials(static_cast<size_t>((parts - 1) * size));
  auto target = [&](size_t p) { return p == 0 ? df : partials.data() + (p - 1) * size; };
  if (UseSmallK(g)) {
    ForParts(g.N, parts, [&](int64_t n0, int64_t n1, size_t p) {
      SmallKFilterGradAny(x + n0 * g.xs[0], dy + n0 * P1 * g.Co, target(p), Images(g, n1 - n0));
    });
    SumParts(df, partials, parts, size);
    return info.Env().Undefined();
  }
  ForImageChunks(g, kcols, parts, [&](int64_t n0, int64_t nn, float* col, float* tmp, size_t p, bool first) {
    Im2Col(x, g, n0, nn, col);
    const float* dyc = dy + n0 * P1 * g.Co;
    if (!yNHWC) { GatherRows(dy, g, n0, nn, tmp); dyc = tmp; }
    // (A part's first chunk overwrites its target; later chunks add to it.)
    Sgemm(true, false, kcols, g.Co, nn * P1, col, kcols, dyc, g.Co, first ? 0.f : 1.f, target(p), g.Co, false);
  });
  SumParts(df, partials, parts, size);
  return info.Env().Undefined();
}
}  // namespace tl
