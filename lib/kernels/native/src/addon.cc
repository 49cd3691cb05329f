// trainlab native kernel pack: CPU kernels for the tfjs wasm backend.
//
// Every entry point receives the wasm heap (an ArrayBuffer: the WebAssembly.Memory buffer of the
// tfjs-backend-wasm module) plus byte offsets of tensors inside it, and computes in place on that
// memory. JS re-reads the buffer before every call, because wasm memory growth detaches old buffers.
// GEMMs go to OpenBLAS (cblas_sgemm, one thread per block of a split GEMM); the rest are plain loops the compiler
// vectorises.
//
// This file registers the entry points (Init), holds the tuning knobs (configure, info) and the CPU level the
// per-ISA copies dispatch on. The kernels live in one file per concept; kernels.h lists them.
#include "kernels.h"

namespace tl {

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
  exports.Set("clipGrad", Napi::Function::New(env, ClipGrad));
  exports.Set("softmaxGrad", Napi::Function::New(env, SoftmaxGrad));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("copyOut", Napi::Function::New(env, CopyOut));
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("mlpStep", Napi::Function::New(env, MlpStep));
  exports.Set("sgd", Napi::Function::New(env, Sgd));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, SoftmaxCrossEntropy));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("lstmForward", Napi::Function::New(env, LstmForward));
  exports.Set("lstmBackward", Napi::Function::New(env, LstmBackward));
  exports.Set("gruForward", Napi::Function::New(env, GruForward));
  exports.Set("gruBackward", Napi::Function::New(env, GruBackward));
  exports.Set("configure", Napi::Function::New(env, Configure));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("tuneMalloc", Napi::Function::New(env, TuneMalloc));
  return exports;
}
}  // namespace tl

Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tl::Init(env, exports); }

NODE_API_MODULE(trainlab_native, InitModule)
