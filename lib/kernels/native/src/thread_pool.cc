// ParallelCopy: a large memcpy split over the worker pool (a tensor's readback).
#include "thread_pool.h"

namespace tl {

// memcpy over the pool from 1 MB (one core's copy is far from the memory bandwidth), one contiguous part per
// thread: after a split GEMM, the caller (which takes part 0 first) copies the rows it computed, still in its cache.
void ParallelCopy(uint8_t* dst, const uint8_t* src, size_t bytes) {
  if (bytes < (1 << 20) || g_max_threads < 2) {
    std::memcpy(dst, src, bytes);
    return;
  }
  const size_t parts = static_cast<size_t>(g_max_threads), part = (bytes / parts + 63) / 64 * 64;
  WorkerPool::Get().Run(parts, [&](size_t i) {
    const size_t lo = std::min(bytes, i * part);
    std::memcpy(dst + lo, src + lo, std::min(part, bytes - lo));
  });
}
}  // namespace tl
