// Shared by every kernel file of the native pack: includes, the per-ISA compilation macros (TL_VERSIONS),
// the tuning knobs set by configure(), readers for N-API arguments (heap offsets, sizes) and scratch buffers.
// See kernels.h for the overall picture.
#ifndef TRAINLAB_NATIVE_COMMON_H
#define TRAINLAB_NATIVE_COMMON_H

#include <napi.h>
#include <cblas.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

// Hot loops are compiled three times: for AVX-512 (F, VL, BW, DQ) with FMA, for AVX2 with FMA, and for the baseline;
// the best one the CPU supports runs (GCC or clang on x86-64; elsewhere the portable one only). Each hot loop is
// written once as an always-inline `...Impl`, and TL_VERSIONS makes the per-ISA copies and the dispatcher.
// (Not GCC's target_clones: its "arch=" clones check the CPU model, which VMs often hide, and its single-ISA
// "avx512f" clone has no FMA and was slower here.)
#define TL_INLINE __attribute__((always_inline)) inline
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define TL_X86_VERSIONS 1
#define TL_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))
#define TL_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define TL_VERSIONS(name, params, args)                                                    \
  TL_TARGET_AVX512 void name##Avx512 params { name##Impl args; }                           \
  TL_TARGET_AVX2 void name##Avx2 params { name##Impl args; }                               \
  void name params {                                                                       \
    switch (CpuLevel()) {                                                                  \
      case 2: name##Avx512 args; break;                                                    \
      case 1: name##Avx2 args; break;                                                      \
      default: name##Impl args;                                                            \
    }                                                                                      \
  }
#else
#define TL_VERSIONS(name, params, args) \
  void name params { name##Impl args; }
#endif

namespace tl {

// The CPU level the per-ISA copies dispatch on (see addon.cc).
int CpuLevel();

// Tuning knobs, set by configure() (defined in addon.cc).
extern int g_max_threads;
// GEMMs smaller than this many multiply-adds run on one thread (waking a worker costs more than it saves).
extern double g_parallel_macs;
// ...except, in the fused MLP step, GEMMs whose output is at least 128x128, from this many multiply-adds: measured
// here, two threads made the fused MLP step ~12% faster at batch 128.
extern double g_wide_parallel_macs;
// Convolutions (and their gradients) from this many multiply-adds run their images in parts over the pool: each
// part does its own im2col, GEMM and col2im, so the memory-bound steps share the cores too.
extern double g_conv_parallel_macs;
// Memory-bound kernels split from this many elements (see ElementParts).
extern int64_t g_parallel_elements;

// Whether a GEMM of this size is worth splitting over the worker pool.
inline bool Parallel(double macs, int64_t m = 0, int64_t n = 0) {
  const bool wide = m >= 128 && n >= 128 && macs >= g_wide_parallel_macs;
  return g_max_threads > 1 && (macs >= g_parallel_macs || wide);
}

inline void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

inline uint8_t* HeapBase(const Napi::Value& v) {
  if (!v.IsArrayBuffer()) throw Napi::TypeError::New(v.Env(), "expected the wasm heap ArrayBuffer");
  return static_cast<uint8_t*>(v.As<Napi::ArrayBuffer>().Data());
}
inline float* F32(uint8_t* heap, const Napi::Value& v) { return reinterpret_cast<float*>(heap + static_cast<size_t>(v.As<Napi::Number>().DoubleValue())); }
inline int64_t I64(const Napi::Value& v) { return static_cast<int64_t>(v.As<Napi::Number>().DoubleValue()); }
inline double D(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }
inline bool B(const Napi::Value& v) { return v.ToBoolean().Value(); }
inline std::vector<int64_t> IntList(const Napi::Value& v) {
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  return std::vector<int64_t>(a.Data(), a.Data() + a.ElementLength());
}

// Scratch space kept across calls (never on the wasm heap).
inline std::vector<float>& Scratch(int slot, size_t n) {
  static thread_local std::vector<float> bufs[4];
  if (bufs[slot].size() < n) bufs[slot].resize(n);
  return bufs[slot];
}

enum Act { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeaky = 4, kPrelu = 5, kSigmoid = 6 };

// 16 floats (one AVX-512 register; two AVX2 or four SSE registers on the other clones), unaligned access allowed.
typedef float v16f __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64), aligned(4)));
}  // namespace tl

#endif  // TRAINLAB_NATIVE_COMMON_H
