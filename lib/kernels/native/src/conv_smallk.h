// Narrow convolutions (KH*KW*Ci <= 32) computed without im2col: see conv_smallk.cc.
#ifndef TRAINLAB_NATIVE_CONV_SMALLK_H
#define TRAINLAB_NATIVE_CONV_SMALLK_H

#include "conv_geom.h"

namespace tl {

// Narrow convolutions (kcols = KH*KW*Ci <= 32, e.g. a first layer on 1-channel images) are too thin for BLAS
// (K = 9 GEMMs run far below peak, and im2col moves one float per tap). These paths fuse im2col into a
// register-sized GEMM. They need NHWC y; x may have any strides.
constexpr int64_t kSmallK = 32;
inline bool UseSmallK(const ConvGeom& g) { return g.KH * g.KW * g.Ci <= kSmallK && YIsNHWC(g) && g.Co > 0 && g.Co <= 1024; }

// Forward pass and filter gradient of a small-K convolution over images [0, g.N) (NHWC y).
void SmallKForwardAny(const float* x, const float* f, float* y, const ConvGeom& g);
void SmallKFilterGradAny(const float* x, const float* dy, float* df, const ConvGeom& g);
}  // namespace tl

#endif  // TRAINLAB_NATIVE_CONV_SMALLK_H
