#include "statesim/stats/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace statesim {

namespace {
constexpr int kSub = 1 << Histogram::kSubBits;
constexpr int kBuckets = (64 - Histogram::kSubBits + 1) * kSub;
} // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

// Values below 128 have their own bucket; above, a bucket is (octave, top 7 mantissa bits).
int Histogram::bucket_of(std::int64_t value) {
    const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(value, 0));
    if (v < kSub) return static_cast<int>(v);
    const int msb = 63 - std::countl_zero(v);
    const int shift = msb - kSubBits;
    const auto mantissa = static_cast<int>((v >> shift) & (kSub - 1));
    return (shift + 1) * kSub + mantissa;
}

double Histogram::bucket_midpoint(int bucket) {
    if (bucket < kSub) return bucket;
    const int shift = bucket / kSub - 1;
    const int mantissa = bucket % kSub;
    const double low = std::ldexp(static_cast<double>(kSub + mantissa), shift);
    const double width = std::ldexp(1.0, shift);
    return low + (width - 1) / 2;
}

int Histogram::buckets() {
    return kBuckets;
}

double Histogram::bucket_low(int bucket) {
    if (bucket < kSub) return bucket;
    return std::ldexp(static_cast<double>(kSub + bucket % kSub), bucket / kSub - 1);
}

double Histogram::bucket_high(int bucket) {
    if (bucket < kSub) return bucket + 1;
    return bucket_low(bucket) + std::ldexp(1.0, bucket / kSub - 1);
}

void Histogram::add(std::int64_t value) {
    ++counts_[static_cast<std::size_t>(bucket_of(value))];
    ++count_;
    sum_ += static_cast<double>(value);
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void Histogram::clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    sum_ = 0;
    min_ = std::numeric_limits<std::int64_t>::max();
    max_ = 0;
}

void Histogram::merge(const Histogram &other) {
    for (std::size_t i = 0; i < counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

double Histogram::quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(
        std::max(1.0, std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_))));
    // A bucket's midpoint can lie below every recorded value (all 20 ms: midpoint 19.988 ms);
    // the clamp keeps an estimate inside what was observed.
    const auto lo = static_cast<double>(min_), hi = static_cast<double>(max_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::clamp(bucket_midpoint(static_cast<int>(i)), lo, hi);
    }
    return hi;
}

} // namespace statesim
