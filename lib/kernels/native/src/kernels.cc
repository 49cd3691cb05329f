// trainlab native kernel pack: CPU kernels for the tfjs wasm backend.
//
// Every entry point receives the wasm heap (an ArrayBuffer: the WebAssembly.Memory buffer of the
// tfjs-backend-wasm module) plus byte offsets of tensors inside it, and computes in place on that
// memory. JS re-reads the buffer before every call, because wasm memory growth detaches old buffers.
// GEMMs go to OpenBLAS (cblas_sgemm, one thread per block of a split GEMM); the rest are plain loops the compiler
// vectorises.
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

namespace {

// 2: AVX-512 (F, VL, BW, DQ) and FMA; 1: AVX2 and FMA; 0: neither (baseline x86-64, or another architecture).
// TRAINLAB_NATIVE_ISA=avx2 or =baseline caps it (to test or compare the other versions on a bigger CPU).
int CpuLevel() {
  static const int level = [] {
    int found = 0;
#ifdef TL_X86_VERSIONS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
      found = 2;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      found = 1;
#endif
    const char* cap = std::getenv("TRAINLAB_NATIVE_ISA");
    if (cap && std::strcmp(cap, "avx2") == 0) return std::min(found, 1);
    if (cap && std::strcmp(cap, "baseline") == 0) return 0;
    return found;
  }();
  return level;
}

int g_max_threads = 2;
// GEMMs smaller than this many multiply-adds run on one thread (waking a worker costs more than it saves).
double g_parallel_macs = 4.0e6;
// ...except, in the fused MLP step, GEMMs whose output is at least 128x128, from this many multiply-adds: measured
// here, two threads made the fused MLP step ~12% faster at batch 128.
double g_wide_parallel_macs = 1.0e7;
// Convolutions (and their gradients) from this many multiply-adds run their images in parts over the pool: each
// part does its own im2col, GEMM and col2im, so the memory-bound steps share the cores too.
double g_conv_parallel_macs = 2.0e6;
// Memory-bound kernels split from this many elements (see ElementParts).
int64_t g_parallel_elements = int64_t(1) << 18;

// Whether a GEMM of this size is worth splitting over the worker pool.
bool Parallel(double macs, int64_t m = 0, int64_t n = 0) {
  const bool wide = m >= 128 && n >= 128 && macs >= g_wide_parallel_macs;
  return g_max_threads > 1 && (macs >= g_parallel_macs || wide);
}

void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// The pack's own threads. OpenBLAS runs single-threaded inside each task: the pack splits a big GEMM into row (or
// column) blocks (with two threads; see Sgemm), a convolution into parts of its images, and a big copy or
// elementwise kernel into one part per thread, and the calling thread and up to g_max_threads - 1
// workers take tasks from a shared counter. A worker that is late (or busy elsewhere) just takes fewer tasks, and
// after a task it spins briefly (300 µs) before sleeping, so the next kernel finds it awake. That is why the pack
// does not use OpenBLAS's own threads: their idle workers spin for much longer, and a copy posted right after a
// GEMM (the readback of its product) had to wait for the core. Measured here, a 4 MB dataSync after a 1024² GEMM
// took 0.55 ms on one thread, 0.7 ms on a second thread beside OpenBLAS's, and 0.35-0.4 ms with this pool.
// One job runs at a time per process; a second caller (another worker_thread) runs its tasks alone. A task that
// throws (out of memory for scratch space) does not take the process down: the first exception is rethrown on the
// calling thread once every task has finished. The pool is never destroyed: its workers sleep until exit.
class WorkerPool {
 public:
  static WorkerPool& Get() {
    static WorkerPool* pool = new WorkerPool();
    return *pool;
  }

  // Runs task(i) for every i in [0, count), on this thread and whichever workers join; returns when all are done.
  template <class Task>
  void Run(size_t count, Task&& task) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    const int helpers = g_max_threads - 1;
    if (count < 2 || helpers < 1 || !busy.owns_lock() || !Start(helpers)) {
      for (size_t i = 0; i < count; ++i) task(i);
      return;
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      fn_ = [](void* ctx, size_t i) { (*static_cast<std::remove_reference_t<Task>*>(ctx))(i); };
      ctx_ = &task;
      count_ = count;
      next_.store(0, std::memory_order_relaxed);
      allowed_ = helpers;
      open_ = true;
      generation_.fetch_add(1, std::memory_order_release);
      if (sleepers_ > 0) cv_.notify_all();
    }
    Work();
    {
      std::lock_guard<std::mutex> lk(mu_);
      open_ = false;
    }
    while (active_.load(std::memory_order_acquire) != 0) Pause();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  static constexpr auto kSpin = std::chrono::microseconds(300);

  // Starts workers up to `helpers`; false if none could be started.
  bool Start(int helpers) {
    while (static_cast<int>(started_) < helpers) {
      try {
        std::thread(&WorkerPool::Loop, this, started_).detach();
        ++started_;
      } catch (const std::system_error&) {
        break;
      }
    }
    return started_ > 0;
  }

  void Work() {
    for (size_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < count_;) {
      try {
        fn_(ctx_, i);
      } catch (...) {
        std::lock_guard<std::mutex> lk(error_mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void Loop(size_t index) {
    uint64_t seen = 0;
    for (;;) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int k = 1; generation_.load(std::memory_order_acquire) == seen; ++k) {
        Pause();
        if ((k & 255) == 0) {
          if (std::chrono::steady_clock::now() - t0 > kSpin) break;
          std::this_thread::yield();  // (give way if the cores are oversubscribed)
        }
      }
      std::unique_lock<std::mutex> lk(mu_);
      if (generation_.load(std::memory_order_relaxed) == seen) {
        ++sleepers_;
        cv_.wait(lk, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        --sleepers_;
      }
      seen = generation_.load(std::memory_order_relaxed);
      if (!open_ || static_cast<int>(index) >= allowed_) continue;
      active_.fetch_add(1, std::memory_order_relaxed);
      lk.unlock();
      Work();
      active_.fetch_sub(1, std::memory_order_release);
    }
  }

  std::mutex busy_, mu_, error_mu_;
  std::condition_variable cv_;
  std::exception_ptr error_;
  size_t started_ = 0;
  int sleepers_ = 0, allowed_ = 0;
  bool open_ = false;
  void (*fn_)(void*, size_t) = nullptr;
  void* ctx_ = nullptr;
  size_t count_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<size_t> next_{0};
  std::atomic<int> active_{0};
};

// cblas_sgemm (row-major, C = op(A)·op(B) + beta·C). When `parallel` and the pack has two threads (this machine's
// case, where it was measured as fast as OpenBLAS's own two threads), it is split into a block of rows (or, for a
// wide C, of columns) per thread over the pool; blocks are multiples of 16 rows/columns (whole kernel tiles). With
// more threads, OpenBLAS's own threading runs it instead: it packs each panel of B once for all threads, while
// every block of a split packs all of B again, which grows with the thread count. (OpenBLAS is set back to one
// thread at once, so GEMMs inside pool tasks never nest threads.) Call with `parallel` only from a JS thread.
void Sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc, bool parallel) {
  const CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
  const bool byRows = M >= N;
  const int64_t along = byRows ? M : N;
  const int64_t parts = parallel ? std::min<int64_t>(g_max_threads, along / 16) : 1;
  if (parts < 2) {
    cblas_sgemm(CblasRowMajor, opA, opB, M, N, K, 1.f, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (g_max_threads > 2) {
    openblas_set_num_threads(g_max_threads);
    cblas_sgemm(CblasRowMajor, opA, opB, M, N, K, 1.f, A, lda, B, ldb, beta, C, ldc);
    openblas_set_num_threads(1);
    return;
  }
  const int64_t block = (along / parts + 15) / 16 * 16;
  WorkerPool::Get().Run(static_cast<size_t>((along + block - 1) / block), [&](size_t i) {
    const int64_t lo = static_cast<int64_t>(i) * block, len = std::min(block, along - lo);
    if (byRows) {
      cblas_sgemm(CblasRowMajor, opA, opB, len, N, K, 1.f, A + (ta ? lo : lo * lda), lda, B, ldb, beta, C + lo * ldc, ldc);
    } else {
      cblas_sgemm(CblasRowMajor, opA, opB, M, len, K, 1.f, A, lda, B + (tb ? lo * ldb : lo), ldb, beta, C + lo, ldc);
    }
  });
}

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

uint8_t* HeapBase(const Napi::Value& v) {
  if (!v.IsArrayBuffer()) throw Napi::TypeError::New(v.Env(), "expected the wasm heap ArrayBuffer");
  return static_cast<uint8_t*>(v.As<Napi::ArrayBuffer>().Data());
}
float* F32(uint8_t* heap, const Napi::Value& v) { return reinterpret_cast<float*>(heap + static_cast<size_t>(v.As<Napi::Number>().DoubleValue())); }
int64_t I64(const Napi::Value& v) { return static_cast<int64_t>(v.As<Napi::Number>().DoubleValue()); }
double D(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }
bool B(const Napi::Value& v) { return v.ToBoolean().Value(); }
std::vector<int64_t> IntList(const Napi::Value& v) {
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  return std::vector<int64_t>(a.Data(), a.Data() + a.ElementLength());
}

// Scratch space kept across calls (never on the wasm heap).
std::vector<float>& Scratch(int slot, size_t n) {
  static thread_local std::vector<float> bufs[4];
  if (bufs[slot].size() < n) bufs[slot].resize(n);
  return bufs[slot];
}

enum Act { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeaky = 4, kPrelu = 5, kSigmoid = 6 };

// Iterates over a tensor of `shape` (rank r) and yields the flat offset into a broadcast operand
// whose per-dimension strides are `strides` (0 on broadcast dimensions).
struct Broadcast {
  std::vector<int64_t> shape, strides;
  bool row_only = false;   // operand varies only along the last dim with stride 1
  bool scalar = false;     // operand is a single value
  bool full = false;       // operand has the same layout as the output
  void Init(const std::vector<int64_t>& s, const std::vector<int64_t>& st) {
    shape = s; strides = st;
    size_t r = shape.size();
    scalar = std::all_of(strides.begin(), strides.end(), [](int64_t x) { return x == 0; });
    row_only = r > 0 && strides[r - 1] == 1;
    for (size_t i = 0; i + 1 < r && row_only; ++i) if (strides[i] != 0) row_only = false;
    if (r > 0 && shape[r - 1] == 1) row_only = false;
    full = true;
    int64_t expect = 1;
    for (size_t i = r; i-- > 0;) {
      if (shape[i] != 1 && strides[i] != expect) full = false;
      expect *= shape[i];
    }
  }
  // Materialises the operand's offsets for every output element when no fast path applies.
  template <typename F>
  void ForEach(int64_t total, F&& f) const {
    size_t r = shape.size();
    std::vector<int64_t> idx(r, 0);
    int64_t off = 0;
    for (int64_t e = 0; e < total; ++e) {
      f(e, off);
      for (size_t d = r; d-- > 0;) {
        idx[d]++; off += strides[d];
        if (idx[d] < shape[d]) break;
        off -= strides[d] * shape[d]; idx[d] = 0;
      }
    }
  }
};

inline float ApplyAct(float v, int act, float alpha, float preluW) {
  switch (act) {
    case kRelu: return v > 0.f ? v : 0.f;
    case kRelu6: return std::min(std::max(v, 0.f), 6.f);
    case kElu: return v > 0.f ? v : std::expm1(v);
    case kLeaky: return v >= 0.f ? v : alpha * v;   // tfjs: leakyRelu keeps x where x >= 0
    case kPrelu: return v > 0.f ? v : preluW * v;   // tfjs: prelu uses x where x > 0
    case kSigmoid: return 1.f / (1.f + std::exp(-v));
    default: return v;
  }
}

// Adds a broadcast bias and applies the activation over `out` (shape `shape`).
void Epilogue(float* out, const std::vector<int64_t>& shape, const float* bias, const Broadcast& bb,
              int act, float alpha, const float* prelu, const Broadcast& pb) {
  int64_t total = 1;
  for (auto s : shape) total *= s;
  if (total == 0) return;
  int64_t n = shape.empty() ? 1 : shape.back();
  if (bias) {
    if (bb.row_only) {
      for (int64_t i = 0; i < total; i += n) {
        float* o = out + i;
        for (int64_t j = 0; j < n; ++j) o[j] += bias[j];
      }
    } else if (bb.scalar) {
      float b0 = bias[0];
      for (int64_t i = 0; i < total; ++i) out[i] += b0;
    } else if (bb.full) {
      for (int64_t i = 0; i < total; ++i) out[i] += bias[i];
    } else {
      bb.ForEach(total, [&](int64_t e, int64_t off) { out[e] += bias[off]; });
    }
  }
  switch (act) {
    case kLinear: return;
    case kRelu:
      for (int64_t i = 0; i < total; ++i) out[i] = out[i] > 0.f ? out[i] : 0.f;
      return;
    case kPrelu:
      if (pb.row_only) {
        for (int64_t i = 0; i < total; i += n)
          for (int64_t j = 0; j < n; ++j) out[i + j] = ApplyAct(out[i + j], act, alpha, prelu[j]);
      } else if (pb.full) {
        for (int64_t i = 0; i < total; ++i) out[i] = ApplyAct(out[i], act, alpha, prelu[i]);
      } else {
        pb.ForEach(total, [&](int64_t e, int64_t off) { out[e] = ApplyAct(out[e], act, alpha, prelu[off]); });
      }
      return;
    default:
      for (int64_t i = 0; i < total; ++i) out[i] = ApplyAct(out[i], act, alpha, 0.f);
  }
}

Broadcast ReadBroadcast(const Napi::Value& shape, const Napi::Value& strides) {
  Broadcast b;
  if (shape.IsTypedArray()) b.Init(IntList(shape), IntList(strides));
  return b;
}

// matmul(heap, aOff, bOff, outOff, M, N, K, transA, transB, aBatchIdx:Int32Array|null, bBatchIdx|null, batch,
//        aBatchStride, bBatchStride, biasOff|-1, biasShape, biasStrides, act, alpha, preluOff|-1, preluShape, preluStrides, outShape)
// Batch broadcasting is resolved in JS into per-output-batch indices into a and b.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* a = F32(heap, info[1]);
  const float* b = F32(heap, info[2]);
  float* c = F32(heap, info[3]);
  int64_t M = I64(info[4]), N = I64(info[5]), K = I64(info[6]);
  bool ta = B(info[7]), tb = B(info[8]);
  int64_t batch = I64(info[11]);
  int64_t sa = I64(info[12]), sb = I64(info[13]);
  std::vector<int64_t> aIdx, bIdx;
  if (info[9].IsTypedArray()) aIdx = IntList(info[9]);
  if (info[10].IsTypedArray()) bIdx = IntList(info[10]);
  int64_t lda = ta ? M : K, ldb = tb ? K : N;
  // (Only the size rule here: in model.fit, two threads for the wide layers measured slower, as JS work between
  // kernels kept the second core's worker spinning; the fused mlpStep below gains from them.)
  const bool parallel = Parallel(static_cast<double>(M) * N * K * batch);
  auto one = [&](int64_t i, bool split) {
    const int64_t ia = aIdx.empty() ? i : aIdx[i], ib = bIdx.empty() ? i : bIdx[i];
    Sgemm(ta, tb, M, N, K, a + ia * sa, lda, b + ib * sb, ldb, 0.f, c + i * M * N, N, split);
  };
  if (K == 0) {
    std::fill(c, c + batch * M * N, 0.f);
  } else if (!ta && batch > 1 && aIdx.empty() && !bIdx.empty() &&
             std::all_of(bIdx.begin(), bIdx.end(), [](int64_t x) { return x == 0; })) {
    // a's batches are contiguous and all share b[0]: one tall GEMM.
    Sgemm(false, tb, batch * M, N, K, a, lda, b, ldb, 0.f, c, N, parallel);
  } else if (parallel && batch >= g_max_threads) {
    WorkerPool::Get().Run(static_cast<size_t>(batch), [&](size_t i) { one(static_cast<int64_t>(i), false); });
  } else {
    for (int64_t i = 0; i < batch; ++i) one(i, parallel);
  }
  if (info.Length() > 14) {
    double biasOff = D(info[14]);
    int act = static_cast<int>(I64(info[17]));
    double preluOff = D(info[19]);
    if (biasOff >= 0 || act != kLinear) {
      std::vector<int64_t> outShape = IntList(info[22]);
      Broadcast bb = biasOff >= 0 ? ReadBroadcast(info[15], info[16]) : Broadcast();
      Broadcast pb = preluOff >= 0 ? ReadBroadcast(info[20], info[21]) : Broadcast();
      const float* bias = biasOff >= 0 ? reinterpret_cast<const float*>(heap + static_cast<size_t>(biasOff)) : nullptr;
      const float* prelu = preluOff >= 0 ? reinterpret_cast<const float*>(heap + static_cast<size_t>(preluOff)) : nullptr;
      if (act == kPrelu && !prelu) throw Napi::Error::New(info.Env(), "prelu activation needs preluActivationWeights");
      Epilogue(c, outShape, bias, bb, act, static_cast<float>(D(info[18])), prelu, pb);
    }
  }
  return info.Env().Undefined();
}

// Convolution geometry shared by the three conv kernels. Tensor layouts are described by element
// strides so NHWC and NCHW share one code path.
struct ConvGeom {
  int64_t N, H, W, Ci, KH, KW, Co, OH, OW, sh, sw, dh, dw, pt, pl;
  int64_t xs[4];   // strides of x (or dx) for n, h, w, c
  int64_t ys[4];   // strides of y (or dy) for n, h, w, c
};

ConvGeom ReadGeom(const Napi::Value& v) {
  std::vector<int64_t> g = IntList(v);
  ConvGeom c;
  c.N = g[0]; c.H = g[1]; c.W = g[2]; c.Ci = g[3]; c.KH = g[4]; c.KW = g[5]; c.Co = g[6]; c.OH = g[7]; c.OW = g[8];
  c.sh = g[9]; c.sw = g[10]; c.dh = g[11]; c.dw = g[12]; c.pt = g[13]; c.pl = g[14];
  for (int i = 0; i < 4; ++i) { c.xs[i] = g[15 + i]; c.ys[i] = g[19 + i]; }
  return c;
}

bool XIsNHWC(const ConvGeom& g) { return g.xs[3] == 1 && g.xs[2] == g.Ci && g.xs[1] == g.W * g.Ci; }
bool YIsNHWC(const ConvGeom& g) { return g.ys[3] == 1 && g.ys[2] == g.Co && g.ys[1] == g.OW * g.Co; }

// Images per chunk so that the column buffer stays below ~16M floats.
int64_t ChunkImages(const ConvGeom& g) {
  int64_t per = g.OH * g.OW * g.KH * g.KW * g.Ci;
  if (per == 0) return std::max<int64_t>(g.N, 1);
  return std::max<int64_t>(1, std::min<int64_t>(g.N, (int64_t(16) << 20) / per));
}

bool IsPointwise(const ConvGeom& g) {
  return g.KH == 1 && g.KW == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.OH == g.H && g.OW == g.W;
}

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

// Narrow convolutions (kcols = KH*KW*Ci <= 32, e.g. a first layer on 1-channel images) are too thin for BLAS
// (K = 9 GEMMs run far below peak, and im2col moves one float per tap). These paths fuse im2col into a
// register-sized GEMM. They need NHWC y; x may have any strides.
constexpr int64_t kSmallK = 32;
bool UseSmallK(const ConvGeom& g) { return g.KH * g.KW * g.Ci <= kSmallK && YIsNHWC(g) && g.Co > 0 && g.Co <= 1024; }

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

// Valid kernel-tap range [k0, k1) for output position o along one axis (taps inside the input).
TL_INLINE void TapRange(int64_t o, int64_t stride, int64_t pad, int64_t dil, int64_t K, int64_t size, int64_t& k0, int64_t& k1) {
  k0 = 0; k1 = K;
  const int64_t base = o * stride - pad;
  while (k0 < K && base + k0 * dil < 0) ++k0;
  while (k1 > k0 && base + (k1 - 1) * dil >= size) --k1;
}

// 16 floats (one AVX-512 register; two AVX2 or four SSE registers on the other clones), unaligned access allowed.
typedef float v16f __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64), aligned(4)));

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

// How many parts a convolution's images are split into: two per thread (so a late or preempted worker leaves
// little for the others to wait on), at most one image each; 1 when the work is too small to split.
int64_t ImageParts(const ConvGeom& g, int64_t kcols) {
  const double macs = static_cast<double>(g.N) * g.OH * g.OW * kcols * g.Co;
  if (g_max_threads < 2 || macs < g_conv_parallel_macs) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(g.N, 2 * static_cast<int64_t>(g_max_threads)));
}

// Memory-bound kernels (pooling, relu backward, bias add, sums) split from g_parallel_elements elements (1 MB of
// float32) into one part per thread, along `units` (images or rows; at most one part per unit).
int64_t ElementParts(int64_t elements, int64_t units) {
  if (g_max_threads < 2 || elements < g_parallel_elements) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(units, g_max_threads));
}

// Runs body(lo, hi, part) over `parts` contiguous ranges of [0, N) (images, rows or elements), on the pool.
template <class Body>
void ForParts(int64_t N, int64_t parts, Body&& body) {
  if (parts <= 1) {
    body(int64_t{0}, N, size_t{0});
    return;
  }
  WorkerPool::Get().Run(static_cast<size_t>(parts), [&](size_t p) {
    const int64_t n0 = N * static_cast<int64_t>(p) / parts, n1 = N * static_cast<int64_t>(p + 1) / parts;
    body(n0, n1, p);
  });
}

// The same geometry restricted to images [n0, n0 + count).
ConvGeom Images(const ConvGeom& g, int64_t count) {
  ConvGeom sub = g;
  sub.N = count;
  return sub;
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

TL_INLINE void AddRowsImpl(const float* __restrict x, const float* __restrict b, float* __restrict out, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict xr = x + r * n;
    float* __restrict o = out + r * n;
    for (int64_t j = 0; j < n; ++j) o[j] = xr[j] + b[j];
  }
}
TL_VERSIONS(AddRows, (const float* x, const float* b, float* out, int64_t rows, int64_t n), (x, b, out, rows, n))

// biasAdd(heap, xOff, bOff, outOff, rows, n): out[r, j] = x[r, j] + b[j] (a rank-1 operand broadcast over rows).
Napi::Value BiasAdd(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  const float* b = F32(heap, info[2]);
  float* out = F32(heap, info[3]);
  const int64_t rows = I64(info[4]), n = I64(info[5]);
  ForParts(rows, ElementParts(rows * n, rows), [&](int64_t r0, int64_t r1, size_t) {
    AddRows(x + r0 * n, b, out + r0 * n, r1 - r0, n);
  });
  return info.Env().Undefined();
}

// reduceSum(heap, xOff, outOff, outer, inner, mode): mode 0 sums over outer (column sums -> [inner]),
// mode 1 sums over inner (row sums -> [outer]). Accumulates in double for accuracy on long reductions.
Napi::Value ReduceSum(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  float* out = F32(heap, info[2]);
  int64_t outer = I64(info[3]), inner = I64(info[4]);
  int mode = static_cast<int>(I64(info[5]));
  const int64_t parts = ElementParts(outer * inner, outer);
  if (mode == 0) {
    // Each part sums its rows; the parts' sums are then added in order (so the result does not depend on timing).
    std::vector<double> sums(static_cast<size_t>(parts * inner), 0.0);
    ForParts(outer, parts, [&](int64_t i0, int64_t i1, size_t p) {
      double* part = sums.data() + p * inner;
      for (int64_t i = i0; i < i1; ++i) {
        const float* r = x + i * inner;
        for (int64_t j = 0; j < inner; ++j) part[j] += r[j];
      }
    });
    for (int64_t j = 0; j < inner; ++j) {
      double total = 0.0;
      for (int64_t p = 0; p < parts; ++p) total += sums[p * inner + j];
      out[j] = static_cast<float>(total);
    }
  } else {
    ForParts(outer, parts, [&](int64_t i0, int64_t i1, size_t) {
      for (int64_t i = i0; i < i1; ++i) {
        const float* r = x + i * inner;
        double s = 0.0;
        for (int64_t j = 0; j < inner; ++j) s += r[j];
        out[i] = static_cast<float>(s);
      }
    });
  }
  return info.Env().Undefined();
}

// reluGrad(heap, dyOff, xOff, outOff, n): out = dy * step(x) (step(NaN) = NaN), branch-free
void ReluGradRange(const float* __restrict dy, const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {  // branch-free so it vectorises; NaN like dy * step(x)
    const float xi = x[i];
    const float s = xi > 0.f ? 1.f : 0.f;  // exactly tfjs's dy * step(x), including inf/NaN propagation
    out[i] = dy[i] * (xi != xi ? xi : s);
  }
}
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* dy = F32(heap, info[1]);
  const float* x = F32(heap, info[2]);
  float* out = F32(heap, info[3]);
  const int64_t n = I64(info[4]);
  ForParts(n, ElementParts(n, n), [&](int64_t lo, int64_t hi, size_t) { ReluGradRange(dy + lo, x + lo, out + lo, hi - lo); });
  return info.Env().Undefined();
}

void ReluRange(const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0.f || x[i] != x[i] ? x[i] : 0.f;  // as tfjs: NaN stays NaN, -0 gives 0
}
// relu(heap, xOff, outOff, n): out = x > 0 ? x : 0 (NaN stays NaN), split over the pool from 1 MB.
Napi::Value Relu(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  float* out = F32(heap, info[2]);
  const int64_t n = I64(info[3]);
  ForParts(n, ElementParts(n, n), [&](int64_t lo, int64_t hi, size_t) { ReluRange(x + lo, out + lo, hi - lo); });
  return info.Env().Undefined();
}
// step(heap, xOff, outOff, n, alpha): out = x > 0 ? 1 : alpha (NaN stays NaN), tfjs Step semantics.
Napi::Value Step(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* x = F32(heap, info[1]);
  float* out = F32(heap, info[2]);
  int64_t n = I64(info[3]);
  float alpha = static_cast<float>(D(info[4]));
  for (int64_t i = 0; i < n; ++i) out[i] = std::isnan(x[i]) ? NAN : (x[i] > 0.f ? 1.f : alpha);
  return info.Env().Undefined();
}

// gather(heap, xOff, idxOff, outOff, batch, outer, dimSize, slice, nIdx, elemBytes): row copies.
// Returns -1 when all indices are in range, else the first bad index position.
Napi::Value Gather(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const uint8_t* x = heap + static_cast<size_t>(D(info[1]));
  const int32_t* idx = reinterpret_cast<const int32_t*>(heap + static_cast<size_t>(D(info[2])));
  uint8_t* out = heap + static_cast<size_t>(D(info[3]));
  int64_t batch = I64(info[4]), outer = I64(info[5]), dim = I64(info[6]), slice = I64(info[7]), nIdx = I64(info[8]);
  int64_t eb = I64(info[9]);
  for (int64_t i = 0; i < batch * nIdx; ++i)
    if (idx[i] < 0 || idx[i] >= dim) return Napi::Number::New(info.Env(), static_cast<double>(i));
  const size_t rowBytes = static_cast<size_t>(slice * eb);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < outer; ++o) {
      const uint8_t* src = x + ((b * outer + o) * dim) * rowBytes;
      uint8_t* dst = out + ((b * outer + o) * nIdx) * rowBytes;
      const int32_t* ib = idx + b * nIdx;
      for (int64_t i = 0; i < nIdx; ++i) std::memcpy(dst + i * rowBytes, src + ib[i] * rowBytes, rowBytes);
    }
  return Napi::Number::New(info.Env(), -1);
}

// copyOut(heap, offset, dst:ArrayBuffer, bytes): copies bytes from the heap at offset into dst (a tensor's readback).
Napi::Value CopyOut(const Napi::CallbackInfo& info) {
  const uint8_t* src = HeapBase(info[0]) + static_cast<size_t>(D(info[1]));
  if (!info[2].IsArrayBuffer()) throw Napi::TypeError::New(info.Env(), "copyOut: expected a destination ArrayBuffer");
  Napi::ArrayBuffer dst = info[2].As<Napi::ArrayBuffer>();
  const size_t bytes = static_cast<size_t>(D(info[3]));
  if (bytes > dst.ByteLength()) throw Napi::RangeError::New(info.Env(), "copyOut: destination is smaller than the copy");
  ParallelCopy(static_cast<uint8_t*>(dst.Data()), src, bytes);
  return info.Env().Undefined();
}

// slice(heap, xOff, outOff, xShape:Int32Array, begin:Int32Array, size:Int32Array, elemBytes): copies only the slice.
Napi::Value Slice(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const uint8_t* x = heap + static_cast<size_t>(D(info[1]));
  uint8_t* out = heap + static_cast<size_t>(D(info[2]));
  std::vector<int64_t> shape = IntList(info[3]), begin = IntList(info[4]), size = IntList(info[5]);
  int64_t eb = I64(info[6]);
  size_t r = shape.size();
  int64_t total = 1;
  for (auto s : size) total *= s;
  if (total == 0) return info.Env().Undefined();
  // Merge the trailing dims that are taken whole into one contiguous run.
  std::vector<int64_t> strides(r, 1);
  for (size_t d = r; d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  size_t inner = r;  // dims [inner, r) are copied as one block
  int64_t block = 1;
  while (inner > 0) {
    size_t d = inner - 1;
    block *= size[d];
    inner = d;
    if (size[d] != shape[d]) break;
  }
  int64_t base = 0;
  for (size_t d = 0; d < r; ++d) base += begin[d] * strides[d];
  const size_t blockBytes = static_cast<size_t>(block * eb);
  std::vector<int64_t> idx(inner, 0);
  int64_t blocks = total / block;
  for (int64_t k = 0; k < blocks; ++k) {
    int64_t off = base;
    for (size_t d = 0; d < inner; ++d) off += idx[d] * strides[d];
    std::memcpy(out + k * blockBytes, x + off * eb, blockBytes);
    for (size_t d = inner; d-- > 0;) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return info.Env().Undefined();
}

TL_INLINE void AdamApplyImpl(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n,
                      float lr, float b1, float b2, float eps, float c1, float c2) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = b1 * m[i] + (1.f - b1) * gi;
    const float vi = b2 * v[i] + (1.f - b2) * gi * gi;
    m[i] = mi; v[i] = vi;
    p[i] -= lr * (mi * c1) / (std::sqrt(vi * c2) + eps);
  }
}
TL_VERSIONS(AdamApply, (float* p, const float* g, float* m, float* v, int64_t n, float lr, float b1, float b2, float eps, float c1, float c2), (p, g, m, v, n, lr, b1, b2, eps, c1, c2))

// adam(heap, params:Float64Array[off...], grads, ms, vs, sizes, lr, beta1, beta2, eps, accBeta1, accBeta2)
// In-place tfjs-compatible Adam for many variables in one call.
Napi::Value Adam(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  Napi::Float64Array P = info[1].As<Napi::Float64Array>(), G = info[2].As<Napi::Float64Array>(),
                     Ms = info[3].As<Napi::Float64Array>(), Vs = info[4].As<Napi::Float64Array>(),
                     S = info[5].As<Napi::Float64Array>();
  const float lr = static_cast<float>(D(info[6])), b1 = static_cast<float>(D(info[7])), b2 = static_cast<float>(D(info[8])),
              eps = static_cast<float>(D(info[9]));
  const float c1 = static_cast<float>(1.0 / (1.0 - D(info[10]))), c2 = static_cast<float>(1.0 / (1.0 - D(info[11])));
  for (size_t k = 0; k < P.ElementLength(); ++k) {
    float* p = reinterpret_cast<float*>(heap + static_cast<size_t>(P[k]));
    const float* g = reinterpret_cast<const float*>(heap + static_cast<size_t>(G[k]));
    float* m = reinterpret_cast<float*>(heap + static_cast<size_t>(Ms[k]));
    float* v = reinterpret_cast<float*>(heap + static_cast<size_t>(Vs[k]));
    AdamApply(p, g, m, v, static_cast<int64_t>(S[k]), lr, b1, b2, eps, c1, c2);
  }
  return info.Env().Undefined();
}


// MLP step elementwise passes (vectorised clones): Z = act(Z + b) per row; dA *= act'(A); gb = column sums of G.
TL_INLINE void BiasActRowsImpl(float* __restrict Z, const float* __restrict b, int64_t rows, int64_t n, int act) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict z = Z + r * n;
    if (b) {
      if (act == kRelu) { for (int64_t j = 0; j < n; ++j) { const float v = z[j] + b[j]; z[j] = v > 0.f ? v : 0.f; } }
      else for (int64_t j = 0; j < n; ++j) z[j] += b[j];
    } else if (act == kRelu) {
      for (int64_t j = 0; j < n; ++j) z[j] = z[j] > 0.f ? z[j] : 0.f;
    }
  }
}
TL_VERSIONS(BiasActRows, (float* Z, const float* b, int64_t rows, int64_t n, int act), (Z, b, rows, n, act))
TL_INLINE void ReluMaskImpl(float* __restrict dA, const float* __restrict A, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dA[i] *= A[i] > 0.f ? 1.f : 0.f;  // dy * step(x), NaN-propagating like tfjs
}
TL_VERSIONS(ReluMask, (float* dA, const float* A, int64_t n), (dA, A, n))
TL_INLINE void ColumnSumsImpl(const float* __restrict G, int64_t rows, int64_t n, float* __restrict out) {
  for (int64_t j = 0; j < n; ++j) out[j] = 0.f;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict g = G + r * n;
    for (int64_t j = 0; j < n; ++j) out[j] += g[j];
  }
}
TL_VERSIONS(ColumnSums, (const float* G, int64_t rows, int64_t n, float* out), (G, rows, n, out))

// mlpStep(heap, xOff, yOff, rows:Int32Array|null, rowStart, batch, layers:Float64Array[wOff,bOff|-1,in,out,act]*L,
//         slots:Float64Array[mW,vW,mB|-1,vB|-1]*L, lr, beta1, beta2, eps, accBeta1, accBeta2[, l2[, out:Float64Array(2)]])
//         -> mean loss
// With l2 > 0 the loss gains l2 * sum(W^2) over the kernels (not biases) and their gradients 2 * l2 * W, as lib/train
// adds it. `out`, when given, receives [mean loss incl. the penalty, number of rows whose argmax matches the label's].
// One fused training step of a dense MLP with softmax + categorical cross-entropy and Adam, in place on the
// wasm heap: forward, backward and update without any tfjs tensor. Rows come from x/y either by index
// (rows[rowStart..rowStart+batch)) or contiguously from rowStart. Hidden activations: 0 linear, 1 relu,
// 6 sigmoid, 7 tanh; the last layer is softmax (act 8). The loss clips probabilities to [1e-7, 1-1e-7] like
// tfjs's categoricalCrossentropy; the gradient is the exact softmax-CE gradient (p - y) / batch.
Napi::Value MlpStep(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* X = F32(heap, info[1]);
  const float* Y = F32(heap, info[2]);
  const bool byIndex = info[3].IsTypedArray();
  Napi::Int32Array rows = byIndex ? info[3].As<Napi::Int32Array>() : Napi::Int32Array();
  const int64_t rowStart = I64(info[4]), B = I64(info[5]);
  Napi::Float64Array Ls = info[6].As<Napi::Float64Array>(), Ss = info[7].As<Napi::Float64Array>();
  const float lr = static_cast<float>(D(info[8])), b1 = static_cast<float>(D(info[9])), b2 = static_cast<float>(D(info[10])),
              eps = static_cast<float>(D(info[11]));
  const float c1 = static_cast<float>(1.0 / (1.0 - D(info[12]))), c2 = static_cast<float>(1.0 / (1.0 - D(info[13])));
  const float l2 = info.Length() > 14 && info[14].IsNumber() ? static_cast<float>(D(info[14])) : 0.f;
  const size_t L = Ls.ElementLength() / 5;
  struct Layer { float* W; float* b; int64_t in, out; int act; float *mW, *vW, *mB, *vB; };
  std::vector<Layer> ls(L);
  for (size_t l = 0; l < L; ++l) {
    Layer& y = ls[l];
    y.W = reinterpret_cast<float*>(heap + static_cast<size_t>(Ls[l * 5]));
    y.b = Ls[l * 5 + 1] >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(Ls[l * 5 + 1])) : nullptr;
    y.in = static_cast<int64_t>(Ls[l * 5 + 2]); y.out = static_cast<int64_t>(Ls[l * 5 + 3]); y.act = static_cast<int>(Ls[l * 5 + 4]);
    y.mW = reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4]));
    y.vW = reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4 + 1]));
    y.mB = Ss[l * 4 + 2] >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4 + 2])) : nullptr;
    y.vB = Ss[l * 4 + 3] >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(Ss[l * 4 + 3])) : nullptr;
  }
  const int64_t in0 = ls[0].in, C = ls[L - 1].out;
  static thread_local std::vector<std::vector<float>> acts;
  static thread_local std::vector<float> ybuf, gbuf, dabuf, gw, gb;
  acts.resize(L + 1);
  // Input rows (copied only when gathered by index).
  const float* A0 = X + rowStart * in0;
  const float* Yb = Y + rowStart * C;
  if (byIndex) {
    acts[0].resize(B * in0);
    ybuf.resize(B * C);
    for (int64_t r = 0; r < B; ++r) {
      const int64_t src = rows[rowStart + r];
      std::memcpy(acts[0].data() + r * in0, X + src * in0, sizeof(float) * in0);
      std::memcpy(ybuf.data() + r * C, Y + src * C, sizeof(float) * C);
    }
    A0 = acts[0].data(); Yb = ybuf.data();
  }
  // Forward.
  const float* prev = A0;
  for (size_t l = 0; l < L; ++l) {
    const Layer& y = ls[l];
    acts[l + 1].resize(B * y.out);
    float* Z = acts[l + 1].data();
    Sgemm(false, false, B, y.out, y.in, prev, y.in, y.W, y.out, 0.f, Z, y.out, Parallel(static_cast<double>(B) * y.in * y.out, B, y.out));
    const int64_t n = B * y.out;
    BiasActRows(Z, y.b, B, y.out, y.act == kRelu ? kRelu : kLinear);
    switch (y.act) {
      case kRelu: break;
      case 6: for (int64_t i = 0; i < n; ++i) Z[i] = 1.f / (1.f + std::exp(-Z[i])); break;
      case 7: for (int64_t i = 0; i < n; ++i) Z[i] = std::tanh(Z[i]); break;
      default: break;
    }
    prev = Z;
  }
  // Softmax + cross-entropy; G = (p * sum(y) - y) / B.
  gbuf.resize(B * C);
  float* G = gbuf.data();
  double loss = 0.0, penalty = 0.0;
  int64_t correct = 0;
  {
    float* Z = acts[L].data();
    for (int64_t r = 0; r < B; ++r) {
      float* z = Z + r * C;
      const float* yr = Yb + r * C;
      float mx = -INFINITY;
      int64_t zArg = 0, yArg = 0;  // first maximum, as tf.argMax picks
      for (int64_t c = 0; c < C; ++c) {
        if (z[c] > mx) { mx = z[c]; zArg = c; }
        if (yr[c] > yr[yArg]) yArg = c;
      }
      correct += zArg == yArg;
      double se = 0.0;
      for (int64_t c = 0; c < C; ++c) se += std::exp(static_cast<double>(z[c] - mx));
      double ys = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const double p = std::exp(static_cast<double>(z[c] - mx)) / se;
        const double pc = std::min(std::max(p, 1e-7), 1.0 - 1e-7);
        loss -= yr[c] * std::log(pc);
        ys += yr[c];
        z[c] = static_cast<float>(p);
      }
      for (int64_t c = 0; c < C; ++c) G[r * C + c] = static_cast<float>((z[c] * ys - yr[c]) / static_cast<double>(B));
    }
  }
  // Backward + Adam, last layer first (each W is updated after its own use in dA).
  for (size_t li = L; li-- > 0;) {
    const Layer& y = ls[li];
    const float* Ain = li == 0 ? A0 : acts[li].data();
    gw.resize(y.in * y.out);
    Sgemm(true, false, y.in, y.out, B, Ain, y.in, G, y.out, 0.f, gw.data(), y.out, Parallel(static_cast<double>(B) * y.in * y.out, y.in, y.out));
    if (y.b) {
      gb.resize(y.out);
      ColumnSums(G, B, y.out, gb.data());
    }
    if (li > 0) {
      dabuf.resize(B * y.in);
      float* dA = dabuf.data();
      Sgemm(false, true, B, y.in, y.out, G, y.out, y.W, y.out, 0.f, dA, y.in, Parallel(static_cast<double>(B) * y.in * y.out, B, y.in));
      const int act = ls[li - 1].act;
      const int64_t n = B * y.in;
      if (act == kRelu) ReluMask(dA, Ain, n);
      else if (act == 6) for (int64_t i = 0; i < n; ++i) dA[i] *= Ain[i] * (1.f - Ain[i]);
      else if (act == 7) for (int64_t i = 0; i < n; ++i) dA[i] *= 1.f - Ain[i] * Ain[i];
    }
    if (l2 > 0.f) {
      const int64_t n = y.in * y.out;
      float* g = gw.data();
      double sq = 0.0;
      for (int64_t i = 0; i < n; ++i) { sq += static_cast<double>(y.W[i]) * y.W[i]; g[i] += 2.f * l2 * y.W[i]; }
      penalty += l2 * sq;
    }
    AdamApply(y.W, gw.data(), y.mW, y.vW, y.in * y.out, lr, b1, b2, eps, c1, c2);
    if (y.b) AdamApply(y.b, gb.data(), y.mB, y.vB, y.out, lr, b1, b2, eps, c1, c2);
    if (li > 0) { gbuf.swap(dabuf); G = gbuf.data(); }
  }
  const double meanLoss = loss / static_cast<double>(B) + penalty;
  if (info.Length() > 15 && info[15].IsTypedArray()) {
    Napi::Float64Array out = info[15].As<Napi::Float64Array>();
    out[0] = meanLoss;
    out[1] = static_cast<double>(correct);
  }
  return Napi::Number::New(info.Env(), meanLoss);
}

// sgd(heap, params, grads, accums|null, sizes, lr, momentum, nesterov): plain SGD when accums is null,
// else tfjs MomentumOptimizer: a = momentum*a + g; p -= lr * (nesterov ? g + momentum*a : a).
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  Napi::Float64Array P = info[1].As<Napi::Float64Array>(), G = info[2].As<Napi::Float64Array>(), S = info[4].As<Napi::Float64Array>();
  bool hasAcc = info[3].IsTypedArray();
  const float lr = static_cast<float>(D(info[5])), mom = static_cast<float>(D(info[6]));
  bool nesterov = B(info[7]);
  for (size_t k = 0; k < P.ElementLength(); ++k) {
    float* p = reinterpret_cast<float*>(heap + static_cast<size_t>(P[k]));
    const float* g = reinterpret_cast<const float*>(heap + static_cast<size_t>(G[k]));
    int64_t n = static_cast<int64_t>(S[k]);
    if (!hasAcc) {
      for (int64_t i = 0; i < n; ++i) p[i] -= lr * g[i];
    } else {
      float* a = reinterpret_cast<float*>(heap + static_cast<size_t>(info[3].As<Napi::Float64Array>()[k]));
      for (int64_t i = 0; i < n; ++i) {
        float ai = mom * a[i] + g[i];
        a[i] = ai;
        p[i] -= lr * (nesterov ? g[i] + mom * ai : ai);
      }
    }
  }
  return info.Env().Undefined();
}

// softmaxCrossEntropy(heap, logitsOff, labelsOff, lossOff, gradOff|-1, rows, classes):
// loss[r] = -sum_c labels[r,c] * log_softmax(logits[r])_c; grad[r,c] = softmax - labels (scaled later in JS).
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const float* z = F32(heap, info[1]);
  const float* y = F32(heap, info[2]);
  float* loss = F32(heap, info[3]);
  double gradOff = D(info[4]);
  float* grad = gradOff >= 0 ? reinterpret_cast<float*>(heap + static_cast<size_t>(gradOff)) : nullptr;
  int64_t rows = I64(info[5]), C = I64(info[6]);
  for (int64_t r = 0; r < rows; ++r) {
    const float* zr = z + r * C;
    const float* yr = y + r * C;
    float mx = -INFINITY;
    for (int64_t c = 0; c < C; ++c) mx = std::max(mx, zr[c]);
    double se = 0.0;
    for (int64_t c = 0; c < C; ++c) se += std::exp(static_cast<double>(zr[c] - mx));
    double lse = std::log(se) + mx, l = 0.0, ysum = 0.0;
    for (int64_t c = 0; c < C; ++c) { l -= yr[c] * (zr[c] - lse); ysum += yr[c]; }
    loss[r] = static_cast<float>(l);
    if (grad) {
      float* gr = grad + r * C;
      for (int64_t c = 0; c < C; ++c) gr[c] = static_cast<float>(ysum * std::exp(zr[c] - lse) - yr[c]);
    }
  }
  return info.Env().Undefined();
}

Napi::Value Configure(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) g_max_threads = std::max(1, static_cast<int>(I64(info[0])));
  if (info.Length() > 1 && info[1].IsNumber()) g_parallel_macs = D(info[1]);
  if (info.Length() > 2 && info[2].IsNumber()) g_wide_parallel_macs = D(info[2]);
  if (info.Length() > 3 && info[3].IsNumber()) g_conv_parallel_macs = D(info[3]);
  if (info.Length() > 4 && info[4].IsNumber()) g_parallel_elements = I64(info[4]);
  return info.Env().Undefined();
}

bool g_malloc_tuned = false;

// tuneMalloc(): keeps freed memory in the process instead of returning it to the kernel at once, like PyTorch's
// recommended GLIBC_TUNABLES (mmap_threshold, trim_threshold): blocks up to 32 MB come from the heap and are
// reused, and the heap top is trimmed only past 512 MB free. On VMs where fresh pages are expensive this makes
// every large typed array (a tensor's dataSync, batches) several times cheaper. glibc only; returns whether applied.
Napi::Value TuneMalloc(const Napi::CallbackInfo& info) {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  g_malloc_tuned = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1;
#endif
  return Napi::Boolean::New(info.Env(), g_malloc_tuned);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("isa", std::string(CpuLevel() == 2 ? "AVX-512" : CpuLevel() == 1 ? "AVX2" : "baseline"));
  o.Set("mallocTuned", g_malloc_tuned);
  o.Set("blasConfig", std::string(openblas_get_config()));
  o.Set("blasCore", std::string(openblas_get_corename()));
  o.Set("maxThreads", g_max_threads);
  o.Set("parallelMacs", g_parallel_macs);
  o.Set("wideParallelMacs", g_wide_parallel_macs);
  o.Set("convParallelMacs", g_conv_parallel_macs);
  o.Set("parallelElements", static_cast<double>(g_parallel_elements));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  openblas_set_num_threads(1);  // the pack splits GEMMs over its own WorkerPool
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("biasAdd", Napi::Function::New(env, BiasAdd));
  exports.Set("reduceSum", Napi::Function::New(env, ReduceSum));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
  exports.Set("step", Napi::Function::New(env, Step));
  exports.Set("relu", Napi::Function::New(env, Relu));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("copyOut", Napi::Function::New(env, CopyOut));
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("mlpStep", Napi::Function::New(env, MlpStep));
  exports.Set("sgd", Napi::Function::New(env, Sgd));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, SoftmaxCrossEntropy));
  exports.Set("configure", Napi::Function::New(env, Configure));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("tuneMalloc", Napi::Function::New(env, TuneMalloc));
  return exports;
}

}  // namespace

NODE_API_MODULE(trainlab_native, Init)
