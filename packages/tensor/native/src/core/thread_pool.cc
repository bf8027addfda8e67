// Workers sleep on a condition variable between jobs; a job is handed out in chunks through an
// atomic cursor so uneven ranges (edge tiles, ragged rows) balance themselves.
#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace xt {
namespace {

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
    // after starting could miss a job posted in between and leave run() waiting forever.
    const uint64_t start = generation_;
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
      pending_ = static_cast<int>(workers_.size());
      generation_++;
    }
    wake_.notify_all();
    drain(job);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(uint64_t seen) {
    for (;;) {
      Job* job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        job = job_;
      }
      drain(*job);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
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
  int pending_ = 0;
  uint64_t generation_ = 0;
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
