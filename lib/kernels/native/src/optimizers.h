// Optimizer building blocks shared beyond optimizers.cc: the per-ISA Adam update of one variable (also used by
// the fused MLP step in mlp_step.cc).
#ifndef TRAINLAB_NATIVE_OPTIMIZERS_H
#define TRAINLAB_NATIVE_OPTIMIZERS_H

#include "common.h"

namespace tl {

// p -= lr * c1·m / (sqrt(c2·v) + eps) after m = b1·m + (1-b1)·g, v = b2·v + (1-b2)·g² (tfjs's Adam), over n floats.
void AdamApply(float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps, float c1,
               float c2);

}  // namespace tl

#endif  // TRAINLAB_NATIVE_OPTIMIZERS_H
