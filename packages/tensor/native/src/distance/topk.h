// A bounded max-heap of (distance, id) keeping the k smallest, ordered by (distance, id) so ties
// resolve to the smaller id on every ISA. Shared by exact scans and graph search results.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace xt {

struct Scored {
  float d;
  uint32_t id;
};
inline bool scoredLess(const Scored& a, const Scored& b) { return a.d < b.d || (a.d == b.d && a.id < b.id); }
// The same order as a function object, so heap and sort calls inline it (a function pointer is not).
struct ScoredLess {
  bool operator()(const Scored& a, const Scored& b) const { return scoredLess(a, b); }
};

class TopK {
 public:
  explicit TopK(int64_t k = 0) : k_(k) { heap_.reserve(size_t(k)); }
  void reset(int64_t k) {
    k_ = k;
    heap_.clear();
  }
  int64_t size() const { return int64_t(heap_.size()); }
  bool full() const { return int64_t(heap_.size()) >= k_; }
  const Scored& worst() const { return heap_.front(); }
  // True when (d, id) would enter the heap.
  bool accepts(float d, uint32_t id) const { return !full() || scoredLess({d, id}, heap_.front()); }
  void push(float d, uint32_t id) {
    if (k_ <= 0) return;
    if (!full()) {
      heap_.push_back({d, id});
      std::push_heap(heap_.begin(), heap_.end(), ScoredLess{});
    } else if (scoredLess({d, id}, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), ScoredLess{});
      heap_.back() = {d, id};
      std::push_heap(heap_.begin(), heap_.end(), ScoredLess{});
    }
  }
  void pop() {
    std::pop_heap(heap_.begin(), heap_.end(), ScoredLess{});
    heap_.pop_back();
  }
  // Moves the kept items, ascending, into `out`.
  void take(std::vector<Scored>& out) {
    std::sort(heap_.begin(), heap_.end(), ScoredLess{});
    out.assign(heap_.begin(), heap_.end());
    heap_.clear();
  }
  // Writes the kept items ascending into ids/dist (k slots; missing = 0xFFFFFFFF / +inf); returns the count.
  int64_t drain(uint32_t* ids, float* dist, int64_t k) {
    std::sort(heap_.begin(), heap_.end(), ScoredLess{});
    const int64_t m = std::min<int64_t>(k, int64_t(heap_.size()));
    for (int64_t i = 0; i < k; i++) {
      ids[i] = i < m ? heap_[size_t(i)].id : 0xFFFFFFFFu;
      dist[i] = i < m ? heap_[size_t(i)].d : __builtin_inff();
    }
    heap_.clear();
    return m;
  }

 private:
  int64_t k_;
  std::vector<Scored> heap_;
};

}  // namespace xt
