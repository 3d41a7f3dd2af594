// Helper threads: the column blocks of a training step (each block a
// minibatch's share of the chains, or of the update's GEMM, on
// single-threaded BLAS: libebm/column_blocks.hpp) and large elementwise
// passes (for_each_chunk, random.hpp).
//
// Why not OpenMP: training alternates BLAS products (OpenBLAS's own threads
// on every core) with elementwise passes, and libgomp's threads spin for
// milliseconds after each parallel loop, so the product that follows shares
// its cores with spinning threads (measured: 2-10x slower epochs,
// docs/performance.md).  These helpers never busy-wait on a core: after a
// pass each yields the core (sched_yield, as OpenBLAS's threads do) for 3 ms
// watching for the next pass, then sleeps on a condition variable.  (Tried
// on the short passes of a minibatch too -- the sigmoids and draws between
// the products -- they gained 1-3% in some runs and lost as much in others,
// so for_each_chunk gives them only passes of parallel_min_elements or more;
// docs/performance.md, "Helper threads".)
//
// Work is split into numbered parts that any thread may take, in any order
// (dynamic claiming): the calling thread starts on part 0 at once and takes
// whatever is left when it finishes, so a helper that wakes late (a loaded
// machine, a sleeping core) costs nothing but its wake-up call, and the
// pass is never slower than on one thread by more than that.  A task whose
// parts compute each element from its index alone (for_each_chunk's
// contract, random.hpp) therefore gives the same bits whatever the number of
// threads and whoever runs which part.
//
// The number of threads of a pass is omp_get_max_threads() at the time of
// the call (OMP_NUM_THREADS, omp_set_num_threads()), so the one switch users
// know controls both; helpers are created on first use and live until the
// process exits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace ebm {

class HelperThreads {
 public:
  /// The process's team (created on first use).
  static HelperThreads& instance();

  /// Calls task(p) once for every p in [0, parts), spread over the calling
  /// thread and the helpers, and returns when every call has returned.
  /// Requires: task(p) touches only what part p owns and does not throw
  /// (a throwing part terminates the process, as in an OpenMP loop).  The
  /// calling thread runs every part itself when the team has one thread
  /// (omp_get_max_threads() == 1), when another thread's pass is using the
  /// team, and when called from inside a part (no nesting).
  /// With max_threads > 0, at most that many threads (the caller included)
  /// take part.
  template <class F>
  void run(std::size_t parts, const F& task, unsigned max_threads = 0) {
    run_erased(parts, &call<F>, const_cast<void*>(static_cast<const void*>(&task)), max_threads);
  }

  /// Threads a pass posted now may use (the caller included).
  unsigned threads() const;

  /// How long a helper watches for the next pass before it sleeps: longer
  /// than the products between two passes of a training step (0.3-0.6 ms
  /// for 784x500, batch 100), so helpers given a step's passes stay awake
  /// through it and sleep soon after it.  (A benchmark that times the BLAS
  /// alone waits this long first, so that no helper yields beside it.)
  static constexpr std::chrono::microseconds linger{3000};

  /// Passes that ran with the helpers since the process started (for tests).
  std::uint64_t shared_passes() const { return shared_passes_.load(std::memory_order_relaxed); }

  HelperThreads(const HelperThreads&) = delete;
  HelperThreads& operator=(const HelperThreads&) = delete;

 private:
  using Erased = void (*)(void*, std::size_t);
  template <class F>
  static void call(void* task, std::size_t part) {
    (*static_cast<const F*>(task))(part);
  }

  HelperThreads() = default;
  ~HelperThreads();

  void run_erased(std::size_t parts, Erased task, void* context, unsigned max_threads);
  /// Takes and runs parts of pass `pass` until none is left.
  void work_on(std::uint32_t pass);
  /// Helper number `index`; `seen` is the last pass posted before it started.
  void helper_main(std::size_t index, std::uint32_t seen);
  void ensure_helpers(unsigned count);

  // The posted pass: its number (the high 32 bits) and the next part to take
  // (the low 32 bits) in one word, so that a thread still holding an older
  // pass's number can never take a part of the newer one.
  std::atomic<std::uint64_t> claim_{0};
  std::atomic<std::size_t> finished_{0};
  std::atomic<std::uint64_t> shared_passes_{0};
  std::atomic<bool> in_use_{false};
  std::atomic<std::uint32_t> posted_{0};  // pass_, readable without the mutex
  // The pass's task; atomics because a helper that lost the race for the
  // last part may read them while the next pass is being posted (it then
  // fails to claim and ignores what it read).
  std::atomic<Erased> task_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<std::size_t> parts_{0};

  std::mutex mutex_;              // guards pass_, active_, stop_ and helpers_
  std::condition_variable wake_;  // a pass was posted (or stop)
  std::uint32_t pass_ = 0;
  std::size_t active_ = 0;  // helpers 0 .. active_ - 1 take part in the pass
  bool stop_ = false;
  std::vector<std::thread> helpers_;
};

}  // namespace ebm
