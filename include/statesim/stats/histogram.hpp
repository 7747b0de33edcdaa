#pragma once
#include <cstdint>
#include <limits>
#include <vector>

namespace statesim {

struct HistogramCodec; // output/run_record_codec: sends a histogram to another process

// Log-bucketed histogram of non-negative integers (latencies in ns): 128 sub-buckets per power
// of two, so any percentile is within 0.4% (half a bucket) of the exact sample value, and never
// outside the recorded [min, max]. Fixed memory, mergeable by adding counts.
class Histogram {
  public:
    static constexpr int kSubBits = 7;
    Histogram();

    void add(std::int64_t value);
    void merge(const Histogram &other);
    void clear(); // empty again, keeping the buckets' storage
    std::uint64_t count() const { return count_; }
    // Value at quantile q in [0, 1] (nearest rank): its bucket's midpoint clamped to [min, max],
    // so a constant sample gives its exact value; 0 when empty.
    double quantile(double q) const;
    double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
    std::int64_t min() const { return count_ ? min_ : 0; }
    std::int64_t max() const { return max_; }

    static int bucket_of(std::int64_t value);
    static double bucket_midpoint(int bucket);
    // Bucket b holds the values in [bucket_low(b), bucket_high(b)).
    static int buckets();
    static double bucket_low(int bucket);
    static double bucket_high(int bucket);
    std::uint64_t count_in(int bucket) const { return counts_[static_cast<std::size_t>(bucket)]; }

  private:
    friend struct HistogramCodec;
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    double sum_ = 0;
    std::int64_t min_ = std::numeric_limits<std::int64_t>::max(); // meaningful when count_ > 0
    std::int64_t max_ = 0;
};

} // namespace statesim
