#include "statesim/engine/radix_heap.hpp"

#include <algorithm>
#include <bit>

namespace statesim {

void RadixHeap::file(const Event &e) {
    const auto key = static_cast<std::uint64_t>(e.time);
    const std::uint64_t diff = key ^ last_;
    if (diff == 0) {
        current_.push_back(e); // later seq than everything there: order kept
        return;
    }
    const int level = (63 - std::countl_zero(diff)) / kDigitBits;
    const auto digit = static_cast<int>((key >> (level * kDigitBits)) & (kDigits - 1));
    buckets_[level][digit].push_back(e);
    nonempty_[level] |= 1ULL << digit;
    levels_ |= 1u << level;
}

void RadixHeap::push(const Event &e) {
    file(e);
    ++size_;
}

// The current time is exhausted: the lowest non-empty bucket holds the earliest events; its
// minimum becomes `last_` and the bucket is re-filed against it. Events at exactly that time
// land in current_ and are sorted by seq; later pushes at that time carry higher seqs.
void RadixHeap::refill() {
    current_.clear();
    head_ = 0;
    const int level = std::countr_zero(levels_);
    const int digit = std::countr_zero(nonempty_[level]);
    nonempty_[level] &= ~(1ULL << digit);
    if (nonempty_[level] == 0) levels_ &= ~(1u << level);
    std::vector<Event> &bucket = buckets_[level][digit];
    if (bucket.size() == 1) { // the common case: straight to current_
        last_ = static_cast<std::uint64_t>(bucket.front().time);
        current_.push_back(bucket.front());
        bucket.clear();
        return;
    }
    std::vector<Event> from;
    from.swap(bucket);
    std::uint64_t min_key = UINT64_MAX;
    for (const Event &e : from)
        min_key = std::min(min_key, static_cast<std::uint64_t>(e.time));
    last_ = min_key;
    for (const Event &e : from)
        file(e);
    if (current_.size() > 1)
        std::sort(current_.begin(), current_.end(),
                  [](const Event &a, const Event &b) { return a.seq < b.seq; });
    // Nothing re-files into the emptied bucket (its events now differ from last_ lower down):
    // hand small storage back for reuse; large storage is freed so that memory follows the
    // number of pending events rather than every bucket's high-water mark.
    if (from.capacity() <= kKeepCapacity) {
        from.clear();
        from.swap(bucket);
    }
}

const Event &RadixHeap::top() {
    if (head_ == current_.size()) refill();
    return current_[head_];
}

void RadixHeap::pop() {
    if (head_ == current_.size()) refill();
    ++head_;
    --size_;
}

void RadixHeap::reset(SimTime floor) {
    std::vector<Event> discard;
    drain_into(discard);
    last_ = static_cast<std::uint64_t>(floor);
}

void RadixHeap::drain_into(std::vector<Event> &out) {
    out.insert(out.end(), current_.begin() + static_cast<std::ptrdiff_t>(head_), current_.end());
    current_.clear();
    head_ = 0;
    for (int l = 0; l < kLevels; ++l)
        for (int d = 0; d < kDigits; ++d) {
            out.insert(out.end(), buckets_[l][d].begin(), buckets_[l][d].end());
            buckets_[l][d].clear();
        }
    std::fill(std::begin(nonempty_), std::end(nonempty_), 0);
    levels_ = 0;
    size_ = 0;
}

} // namespace statesim
