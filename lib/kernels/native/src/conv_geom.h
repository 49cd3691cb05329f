// Convolution and pooling geometry (ConvGeom: sizes, strides, padding, tensor layouts by element strides) and
// the small helpers on it that conv, the small-K conv paths and pooling share.
#ifndef TRAINLAB_NATIVE_CONV_GEOM_H
#define TRAINLAB_NATIVE_CONV_GEOM_H

#include "common.h"

namespace tl {

// Convolution geometry shared by the three conv kernels. Tensor layouts are described by element
// strides so NHWC and NCHW share one code path.
struct ConvGeom {
  int64_t N, H, W, Ci, KH, KW, Co, OH, OW, sh, sw, dh, dw, pt, pl;
  int64_t xs[4];   // strides of x (or dx) for n, h, w, c
  int64_t ys[4];   // strides of y (or dy) for n, h, w, c
};

inline ConvGeom ReadGeom(const Napi::Value& v) {
  std::vector<int64_t> g = IntList(v);
  ConvGeom c;
  c.N = g[0]; c.H = g[1]; c.W = g[2]; c.Ci = g[3]; c.KH = g[4]; c.KW = g[5]; c.Co = g[6]; c.OH = g[7]; c.OW = g[8];
  c.sh = g[9]; c.sw = g[10]; c.dh = g[11]; c.dw = g[12]; c.pt = g[13]; c.pl = g[14];
  for (int i = 0; i < 4; ++i) { c.xs[i] = g[15 + i]; c.ys[i] = g[19 + i]; }
  return c;
}

inline bool XIsNHWC(const ConvGeom& g) { return g.xs[3] == 1 && g.xs[2] == g.Ci && g.xs[1] == g.W * g.Ci; }
inline bool YIsNHWC(const ConvGeom& g) { return g.ys[3] == 1 && g.ys[2] == g.Co && g.ys[1] == g.OW * g.Co; }

// Images per chunk so that the column buffer stays below ~16M floats.
inline int64_t ChunkImages(const ConvGeom& g) {
  int64_t per = g.OH * g.OW * g.KH * g.KW * g.Ci;
  if (per == 0) return std::max<int64_t>(g.N, 1);
  return std::max<int64_t>(1, std::min<int64_t>(g.N, (int64_t(16) << 20) / per));
}

inline bool IsPointwise(const ConvGeom& g) {
  return g.KH == 1 && g.KW == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.OH == g.H && g.OW == g.W;
}

// Valid kernel-tap range [k0, k1) for output position o along one axis (taps inside the input).
TL_INLINE void TapRange(int64_t o, int64_t stride, int64_t pad, int64_t dil, int64_t K, int64_t size, int64_t& k0, int64_t& k1) {
  k0 = 0; k1 = K;
  const int64_t base = o * stride - pad;
  while (k0 < K && base + k0 * dil < 0) ++k0;
  while (k1 > k0 && base + (k1 - 1) * dil >= size) --k1;
}

// The same geometry restricted to images [n0, n0 + count).
inline ConvGeom Images(const ConvGeom& g, int64_t count) {
  ConvGeom sub = g;
  sub.N = count;
  return sub;
}
}  // namespace tl

#endif  // TRAINLAB_NATIVE_CONV_GEOM_H
