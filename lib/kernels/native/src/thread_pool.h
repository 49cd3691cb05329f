// The pack's worker pool (WorkerPool) and the helpers that split memory-bound work over it (ElementParts,
// ForParts, ParallelCopy).
#ifndef TRAINLAB_NATIVE_THREAD_POOL_H
#define TRAINLAB_NATIVE_THREAD_POOL_H

#include "common.h"

namespace tl {

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

// Memory-bound kernels (pooling, relu backward, bias add, sums) split from g_parallel_elements elements (1 MB of
// float32) into one part per thread, along `units` (images or rows; at most one part per unit).
inline int64_t ElementParts(int64_t elements, int64_t units) {
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

// memcpy over the pool from 1 MB (see thread_pool.cc).
void ParallelCopy(uint8_t* dst, const uint8_t* src, size_t bytes);
}  // namespace tl

#endif  // TRAINLAB_NATIVE_THREAD_POOL_H
