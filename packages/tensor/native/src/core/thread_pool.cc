// Workers sleep on a condition variable between jobs; a job is handed out in chunks through an
// atomic cursor so uneven ranges (edge tiles, ragged rows) balance themselves. Two things keep
// short back-to-back jobs (a decode step runs dozens) from paying a thread wake-up each: a
// worker polls briefly for the next job before it sleeps, and the caller waits only for the
// workers that joined its job, not for one still waking up when the work is already done.
#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace xt {
namespace {

// How long a worker polls for the next job before sleeping: 4096 pauses, 0.03-0.2 ms on x86.
constexpr int kSpins = 1 << 12;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

struct Job {
  RangeFn fn = nullptr;
  void* ctx = nullptr;
  int64_t n = 0;
  int64_t chunk = 1;
  std::atomic<int64_t> cursor{0};
};

void drain(Job& job) {
  for (;;) {
    const int64_t begin = job.cursor.fetch_add(job.chunk, std::memory_order_relaxed);
    if (begin >= job.n) return;
    job.fn(job.ctx, begin, std::min(job.n, begin + job.chunk));
  }
}

class Pool {
 public:
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int n) {
    stop();
    stopping_ = false;
    // Workers start from the current generation, read here: a worker that reads it itself
    // after starting could miss a job posted in between.
    const uint64_t start = generation_.load();
    for (int i = 1; i < n; i++) workers_.emplace_back([this, start] { loop(start); });
  }

  void run(Job& job) {
    // One job at a time; a concurrent caller (another JS thread) runs its job inline.
    std::unique_lock<std::mutex> busy(runMutex_, std::try_to_lock);
    if (!busy.owns_lock() || workers_.empty()) {
      drain(job);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      joined_ = 0;
      generation_++;
    }
    wake_.notify_all();
    drain(job);
    // Close the job: a worker arriving from now on skips it, so only those inside are waited for.
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = nullptr;
    done_.wait(lock, [this] { return joined_ == 0; });
  }

 private:
  void loop(uint64_t seen) {
    for (;;) {
      for (int i = 0; i < kSpins && generation_.load(std::memory_order_acquire) == seen; i++) relax();
      Job* job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_.load() != seen; });
        if (stopping_) return;
        seen = generation_.load();
        job = job_;
        if (job == nullptr) continue;  // closed before this worker got to it
        joined_++;
      }
      drain(*job);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--joined_ == 0) done_.notify_one();
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex runMutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  Job* job_ = nullptr;
  int joined_ = 0;  // workers inside the open job
  std::atomic<uint64_t> generation_{0};  // written under mutex_, polled without it
  bool stopping_ = false;
};

Pool& pool() {
  static Pool instance;
  return instance;
}

}  // namespace

int threads() { return pool().size(); }

int setThreads(int n) {
  n = std::max(1, std::min(256, n));
  if (n != pool().size()) pool().resize(n);
  return pool().size();
}

void parallelFor(int64_t n, int64_t grain, RangeFn fn, void* ctx) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int t = threads();
  if (t == 1 || n <= grain) {
    fn(ctx, 0, n);
    return;
  }
  Job job;
  job.fn = fn;
  job.ctx = ctx;
  job.n = n;
  // A few chunks per thread: enough to balance, few enough to keep the cursor cold.
  job.chunk = std::max(grain, (n + 4 * t - 1) / (4 * t));
  pool().run(job);
}

}  // namespace xt
