#include "libebm/helper_threads.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EBM_CPU_RELAX() _mm_pause()
#else
#define EBM_CPU_RELAX() ((void)0)
#endif

namespace ebm {

namespace {

// True on a helper, and on a calling thread while it works on a pass: a
// pass posted from inside a part runs on its own thread (no nesting).
thread_local bool inside_pass = false;

// More helpers than this would only wait on each other for passes of the
// sizes of a minibatch (a few hundred thousand elements at most).
constexpr unsigned max_threads = 64;

}  // namespace

HelperThreads& HelperThreads::instance() {
  // Never destroyed: the helpers sleep until the process ends, and a pass
  // posted from another static object's destructor still finds the team
  // (its caller then does the work alone if the helpers are gone).
  static HelperThreads* team = new HelperThreads;
  return *team;
}

HelperThreads::~HelperThreads() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : helpers_)
    if (t.joinable()) t.join();
}

unsigned HelperThreads::threads() const {
  const int omp = omp_get_max_threads();
  return unsigned(std::clamp(omp, 1, int(max_threads)));
}

void HelperThreads::ensure_helpers(unsigned count) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (helpers_.size() < count) {
    const std::size_t index = helpers_.size();
    const std::uint32_t seen = pass_;
    helpers_.emplace_back([this, index, seen] { helper_main(index, seen); });
  }
}

void HelperThreads::helper_main(std::size_t index, std::uint32_t seen) {
  inside_pass = true;
  for (;;) {
    // Linger: watch for the next pass, yielding the core to the BLAS threads
    // meanwhile, then sleep.  A thread woken from sleep is placed by the
    // scheduler on a core that is busy here (the caller's, or one where
    // OpenBLAS's threads yield), so with sleeping helpers the passes of a
    // training step ran slower than on one thread (docs/performance.md).
    const auto end = std::chrono::steady_clock::now() + linger;
    while (posted_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < end)
      std::this_thread::yield();
    std::uint32_t pass;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || pass_ != seen; });
      if (stop_) return;
      seen = pass = pass_;
      if (index >= active_) continue;  // fewer threads asked for this pass
    }
    work_on(pass);
  }
}

void HelperThreads::work_on(std::uint32_t pass) {
  for (;;) {
    std::uint64_t claim = claim_.load(std::memory_order_acquire);
    std::size_t part;
    for (;;) {
      if (std::uint32_t(claim >> 32) != pass) return;  // a newer pass: not ours
      part = std::size_t(claim & 0xffffffffu);
      if (part >= parts_.load(std::memory_order_relaxed)) return;  // all taken
      // On success the pass is live with part `part` untaken, so its caller
      // is still waiting and task_/context_ are this pass's.
      if (claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        break;
    }
    task_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), part);
    finished_.fetch_add(1, std::memory_order_release);
  }
}

void HelperThreads::run_erased(std::size_t parts, Erased task, void* context, unsigned max_threads) {
  const unsigned threads = max_threads ? std::min(max_threads, this->threads()) : this->threads();
  if (parts < 2 || threads < 2 || parts > 0xffffffffu || inside_pass || omp_in_parallel() ||
      in_use_.exchange(true, std::memory_order_acquire)) {
    for (std::size_t p = 0; p < parts; ++p) task(context, p);
    return;
  }
  // From here this thread owns the team until in_use_ is cleared.
  struct Release {
    std::atomic<bool>& flag;
    ~Release() { flag.store(false, std::memory_order_release); }
  } release{in_use_};
  ensure_helpers(threads - 1);
  task_.store(task, std::memory_order_relaxed);
  context_.store(context, std::memory_order_relaxed);
  parts_.store(parts, std::memory_order_relaxed);
  finished_.store(0, std::memory_order_relaxed);
  std::uint32_t pass;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pass = ++pass_;
    posted_.store(pass, std::memory_order_release);
    active_ = threads - 1;
    claim_.store(std::uint64_t(pass) << 32, std::memory_order_release);
  }
  wake_.notify_all();
  inside_pass = true;
  work_on(pass);
  inside_pass = false;
  // Every part is taken; wait for the helpers' last ones (a part is a few
  // microseconds of work, so spin, then let the scheduler run them here if
  // they share this core).
  for (unsigned spins = 0; finished_.load(std::memory_order_acquire) != parts; ++spins) {
    if (spins < 1024) EBM_CPU_RELAX();
    else std::this_thread::yield();
  }
  shared_passes_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace ebm
