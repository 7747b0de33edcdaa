#include "statesim/engine/radix_heap.hpp"

#include <algorithm>
#include <bit>

namespace statesim {

std::uint32_t RadixHeap::new_block() {
    if (free_ != kNone) {
        const std::uint32_t block = free_;
        free_ = next_[block];
        return block;
    }
    const auto block = static_cast<std::uint32_t>(blocks_.size());
    blocks_.emplace_back();
    next_.push_back(kNone);
    return block;
}

void RadixHeap::add_block(Bucket &b, int level, int digit) {
    const std::uint32_t block = new_block();
    next_[block] = kNone;
    if (b.head == kNone) {
        b.head = block;
        const int w = level * kWords + digit / 64;
        nonempty_[w] |= 1ULL << (digit % 64);
        words_ |= 1u << w;
    } else {
        next_[b.tail] = block;
    }
    b.tail = block;
    b.fill = 0;
}

// The run and the late events are used up: the lowest non-empty bucket holds the earliest events,
// and last_ moves to the start of its range (every event left in the buckets lies above it). A
// bucket of one time (level 0), of at most kRun events (insertion sort) or of level 1-3 and at
// most kSortRun events (sort_run) becomes the run; a bigger one is re-filed
// against last_ into lower levels, and the lowest bucket is taken again. Blocks go back to the pool
// as soon as they are read, so re-filing reuses them while they are still in cache.
void RadixHeap::refill() {
    if (current_.capacity() > kKeepRun) // after a burst of events at one time
        std::vector<Event>().swap(current_);
    current_.clear();
    head_ = 0;
    for (;;) {
        const int w = std::countr_zero(words_);
        const int level = w / kWords;
        const int digit = w % kWords * 64 + std::countr_zero(nonempty_[w]);
        nonempty_[w] &= nonempty_[w] - 1;
        if (nonempty_[w] == 0) words_ &= words_ - 1;
        const Bucket b = buckets_[level][digit];
        buckets_[level][digit] = Bucket{};
        // The bucket's range: last_'s digits above `level`, then `digit`, then anything.
        const int shift = level * kDigitBits;
        const int above = shift + kDigitBits;
        const std::uint64_t high = above >= 64 ? 0 : last_ >> above << above;
        last_ = high | static_cast<std::uint64_t>(digit) << shift;
        std::size_t n = 0; // events in the bucket, counted up to kSortRun + 1
        for (std::uint32_t blk = b.head; blk != kNone && n <= kSortRun; blk = next_[blk])
            n += blk == b.tail ? b.fill : kBlockEvents;
        if (level == 0 || n <= kRun || (level <= 3 && n <= kSortRun)) {
            run_limit_ = last_ + (std::uint64_t{1} << shift);
            for (std::uint32_t blk = b.head; blk != kNone;) {
                const std::uint32_t m = blk == b.tail ? b.fill : kBlockEvents;
                current_.insert(current_.end(), blocks_[blk].begin(), blocks_[blk].begin() + m);
                const std::uint32_t following = next_[blk];
                free_block(blk);
                blk = following;
            }
            if (level == 0) return; // one time, in seq order
            if (n > kRun) {         // level 1 to 3
                sort_run();
                return;
            }
            // Insertion sort by time: stable, and equal times are in seq order in a bucket.
            for (std::size_t i = 1; i < n; ++i) {
                const Event e = current_[i];
                std::size_t j = i;
                for (; j > 0 && current_[j - 1].time > e.time; --j)
                    current_[j] = current_[j - 1];
                current_[j] = e;
            }
            return;
        }
        run_limit_ = last_;
        for (std::uint32_t blk = b.head; blk != kNone;) {
            const std::uint32_t m = blk == b.tail ? b.fill : kBlockEvents;
            const std::uint32_t following = next_[blk];
            if (following != kNone) // blocks lie anywhere in the pool: fetch the next one early
                for (std::size_t line = 0; line < kPrefetchLines; ++line)
                    __builtin_prefetch(reinterpret_cast<const char *>(&blocks_[following]) +
                                       64 * line);
            // file() may grow blocks_ (when the pool is empty): index it afresh for every event.
            for (std::uint32_t i = 0; i < m; ++i) {
                const Event e = blocks_[blk][i];
                file(e);
            }
            free_block(blk);
            blk = following;
        }
    }
}

// Sorts a run of more than kRun events (a level-1..3 bucket: times within 2^24 ns of last_) by
// time, stably: each event's key is its offset from last_ above its position in the bucket, so
// one std::sort of 64-bit integers orders it, equal times in bucket (= seq) order. Against the
// stable LSD radix sort on one to three 8-bit digits it replaces (O(n + 256) per digit), callgrind
// counts bench cluster -2.6 %, PHOLD with 10^6 pending -6 %, with 10^4 -7 %, hold -6 %; an
// insertion sort is still the cheaper one up to kRun.
void RadixHeap::sort_run() {
    const std::size_t n = current_.size(); // at most kSortRun
    std::uint64_t keys[kSortRun];
    for (std::size_t i = 0; i < n; ++i)
        keys[i] = (static_cast<std::uint64_t>(current_[i].time) - last_) << 32 | i;
    std::sort(keys, keys + n);
    scratch_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        scratch_[i] = current_[keys[i] & 0xffffffffU];
    current_.swap(scratch_);
}

// After the late events not later than e (their seqs are lower: e is the latest push), before
// the later ones.
void RadixHeap::push_late(const Event &e) {
    if (late_head_ == late_end_) {
        late_head_ = late_end_ = 0;
    } else if (late_end_ == kLateCap) {
        // The taken ones fill the rest of the array (at most kLateMax are live): drop them. At
        // least kLateCap - kLateMax pushes come between two such moves of at most kLateMax
        // events.
        std::copy(late_.begin() + static_cast<std::ptrdiff_t>(late_head_),
                  late_.begin() + static_cast<std::ptrdiff_t>(late_end_), late_.begin());
        late_end_ -= late_head_;
        late_head_ = 0;
    }
    std::size_t at = late_end_++;
    for (; at > late_head_ && late_[at - 1].time > e.time; --at)
        late_[at] = late_[at - 1];
    late_[at] = e;
    if (late_end_ - late_head_ > kLateMax) overflow_late();
}

// More than kLateMax late events (a burst of short delays): merged with the rest of the run.
// While that is short, it stays the run (O(1) a push); past kMergeMax events (a wide run with
// many events in flight) those at or after last_ go back into the buckets (in (time, seq)
// order, so ties stay in order), where the next refill splits the run's range into narrower
// ones: O(levels) a push, where merging into the long run would cost O(n).
void RadixHeap::overflow_late() {
    const auto run = current_.begin() + static_cast<std::ptrdiff_t>(head_);
    const auto late = late_.begin() + static_cast<std::ptrdiff_t>(late_head_);
    const auto late_end = late_.begin() + static_cast<std::ptrdiff_t>(late_end_);
    scratch_.resize(static_cast<std::size_t>((current_.end() - run) + (late_end - late)));
    std::merge(run, current_.end(), late, late_end, scratch_.begin(), earlier);
    late_head_ = late_end_ = 0;
    head_ = 0;
    if (scratch_.size() <= kMergeMax) {
        current_.swap(scratch_);
        return;
    }
    // Events before last_ cannot be filed (a top() that refilled the run moved last_ on before
    // they were pushed): they are the earliest of all, and stay the run.
    const auto filed =
        std::partition_point(scratch_.begin(), scratch_.end(), [this](const Event &e) {
            return static_cast<std::uint64_t>(e.time) < last_;
        });
    current_.assign(scratch_.begin(), filed);
    run_limit_ = last_;
    for (auto e = filed; e != scratch_.end(); ++e)
        file(*e);
}

void RadixHeap::release_pool() {
    decltype(blocks_)().swap(blocks_);
    std::vector<std::uint32_t>().swap(next_);
    free_ = kNone;
    for (int l = 0; l < kLevels; ++l) // buckets of other levels are all empty already
        if (has_level(l)) std::fill(std::begin(buckets_[l]), std::end(buckets_[l]), Bucket{});
    std::fill(std::begin(nonempty_), std::end(nonempty_), 0);
    words_ = 0;
    current_.clear();
    head_ = 0;
    run_limit_ = last_;
    late_head_ = late_end_ = 0;
    size_ = 0;
}

void RadixHeap::reset(SimTime floor) {
    release_pool();
    last_ = static_cast<std::uint64_t>(floor);
    run_limit_ = last_;
}

void RadixHeap::drain_into(std::vector<Event> &out) {
    out.insert(out.end(), current_.begin() + static_cast<std::ptrdiff_t>(head_), current_.end());
    out.insert(out.end(), late_.begin() + static_cast<std::ptrdiff_t>(late_head_),
               late_.begin() + static_cast<std::ptrdiff_t>(late_end_));
    for (int l = 0; l < kLevels; ++l) {
        if (!has_level(l)) continue;
        for (const Bucket &b : buckets_[l])
            for (std::uint32_t blk = b.head; blk != kNone; blk = next_[blk]) {
                const std::uint32_t n = blk == b.tail ? b.fill : kBlockEvents;
                out.insert(out.end(), blocks_[blk].begin(), blocks_[blk].begin() + n);
            }
    }
    release_pool();
}

} // namespace statesim
