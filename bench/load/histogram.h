// A lock-free, HDR-like latency histogram: log2 buckets, each split into 64
// linear sub-buckets, so any recorded value is reported within 1/64 (1.6%).
// Values are nanoseconds. Record() is wait-free (relaxed atomics) and may be
// called from any thread; read the results after the writers are done.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>

namespace seedgate::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 6;  // 64 sub-buckets per power of two
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = (64 - kSubBits + 1) * kSub;

  void Record(int64_t ns) {
    if (ns < 0) ns = 0;
    counts_[Index(static_cast<uint64_t>(ns))].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(ns, std::memory_order_relaxed);
    int64_t prev = max_.load(std::memory_order_relaxed);
    while (ns > prev && !max_.compare_exchange_weak(prev, ns, std::memory_order_relaxed)) {
    }
  }

  int64_t count() const { return count_.load(); }
  int64_t max() const { return max_.load(); }
  double mean() const { return count() == 0 ? 0.0 : static_cast<double>(sum_.load()) / count(); }

  // The value at quantile q (0..1): the middle of the bucket holding it,
  // clamped to the exact maximum.
  int64_t Quantile(double q) const {
    int64_t n = count();
    if (n == 0) return 0;
    auto rank = static_cast<int64_t>(q * static_cast<double>(n) + 0.5);
    rank = std::clamp<int64_t>(rank, 1, n);
    int64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen >= rank) return std::min(Middle(i), max());
    }
    return max();
  }

 private:
  static int Index(uint64_t v) {
    if (v < kSub) return static_cast<int>(v);
    int e = 63 - __builtin_clzll(v);  // >= kSubBits
    int shift = e - kSubBits;
    auto sub = static_cast<int>((v >> shift) - kSub);  // 0..63
    return (shift + 1) * kSub + sub;
  }
  static int64_t Middle(int index) {
    if (index < kSub) return index;
    int shift = index / kSub - 1;
    int64_t low = static_cast<int64_t>(kSub + index % kSub) << shift;
    return low + ((int64_t{1} << shift) >> 1);
  }

  std::array<std::atomic<int64_t>, kBuckets> counts_{};
  std::atomic<int64_t> count_{0};
  std::atomic<int64_t> sum_{0};
  std::atomic<int64_t> max_{0};
};

}  // namespace seedgate::bench
