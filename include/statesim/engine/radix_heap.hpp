#pragma once
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "statesim/engine/event.hpp"
#include "statesim/engine/large_page_allocator.hpp"

namespace statesim {

// The pending-event set for many events: a monotone radix heap on time (Ahuja, Mehlhorn, Orlin
// and Tarjan 1990) with 8-bit digits, whose lowest buckets are sorted instead of split further.
//
//  - Buckets. An event is filed under the highest digit in which its time differs from the
//    reference `last_` (its level) and its value there (digit): bucket (level, digit) holds one
//    aligned time range, and the lowest non-empty bucket holds the earliest events. Re-filing
//    that bucket against the start of its range moves its events into lower levels, so an event
//    moves at most once per level below the one it was pushed into (PHOLD with 10^6 events
//    pending: pushed into level 3 or 4, re-filed once or twice, then sorted into a run).
//  - The run: a bucket of one time (level 0), of at most kRun events, or of level 1 to 3 (256 ns
//    to 16.7 ms wide) and at most kSortRun events is not re-filed but becomes the run, sorted by
//    (time, seq) by an insertion sort up to kRun events, else by one std::sort of 64-bit keys
//    (time offset, position), and its range [last_, run_limit_) leaves the buckets. Re-filing
//    would put almost every event of such a bucket into a bucket of its own (with 10^6 events
//    pending, a 256 ns bucket holds 0.2 on average). A push at or after the run's last event is
//    appended to it.
//  - Late events: any other push earlier than run_limit_ (a short delay into the run's range,
//    or an event between the last pop and a minimum shown by top()) is inserted into a small
//    sorted array of its own, and top() takes the earlier of its head and the run's. In a
//    cluster run most events are such short delays (hops, store round trips, service times),
//    with a handful pending at a time: an insertion moves a few events, a take none (a 4-ary
//    heap for them cost a sift per push and per take). Past kLateMax pending (a burst), they
//    are merged with the rest of the run; past kMergeMax events that goes back into the buckets
//    (a wide run with many events in flight: the next refill splits it).
//
// Buckets are FIFO chains of fixed-size blocks from one pool, a free list reused last-in
// first-out (a freed block is still in cache when the next event is filed into it): no per-bucket
// vector growth or copying, no page faults once the pool is warm. The pool keeps its high-water
// mark of blocks until reset() or drain_into().
//
// Ties: events with equal times always share a bucket, pushes append and re-filing reads each
// bucket front to back, so equal times stay in push (= seq) order through the buckets; the run's
// sort is stable, a late event goes after the late events of its time (it is the latest push),
// and takes and merges compare (time, seq).
class RadixHeap {
  public:
    // Precondition: e.time >= the time of the last event taken (or the floor given to reset).
    void push(const Event &e) {
        if (static_cast<std::uint64_t>(e.time) >= run_limit_) [[likely]]
            file(e);
        else if (!current_.empty() && e.time >= current_.back().time)
            current_.push_back(e); // not before any run event, and the highest seq so far
        else
            push_late(e);
        ++size_;
    }
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    // The earliest event; valid until the next push or take. Precondition: !empty(). Pushing
    // anything at or after the last taken event stays allowed.
    const Event &top() {
        if (late_head_ == late_end_) [[likely]] {
            if (head_ == current_.size()) refill();
            return current_[head_];
        }
        if (head_ < current_.size() && earlier(current_[head_], late_[late_head_]))
            return current_[head_];
        return late_[late_head_];
    }
    // The event `d` places behind the front of the sorted run, if the run holds it (events of
    // the late events may come first: a hint for prefetching, not an order).
    const Event *ahead(std::size_t d) const {
        return head_ + d < current_.size() ? &current_[head_ + d] : nullptr;
    }
    // Removes and returns the earliest event. Precondition: !empty().
    Event take() {
        if (late_head_ == late_end_) [[likely]] {
            if (head_ == current_.size()) refill();
            --size_;
            return current_[head_++];
        }
        --size_;
        if (head_ < current_.size() && earlier(current_[head_], late_[late_head_]))
            return current_[head_++];
        return late_[late_head_++];
    }
    // Starts empty; `floor` bounds every later push from below. Releases the block pool.
    void reset(SimTime floor);
    // Moves every event out (any order), leaves the heap empty and releases the block pool.
    void drain_into(std::vector<Event> &out);
    // Bytes held by the block pool.
    std::size_t pool_bytes() const { return blocks_.capacity() * sizeof(Block); }
    // Bytes reserved on the heap: the pool, the run and its sort scratch (the late events' array
    // is part of the object).
    std::size_t capacity_bytes() const {
        return pool_bytes() + next_.capacity() * sizeof(std::uint32_t) +
               (current_.capacity() + scratch_.capacity()) * sizeof(Event);
    }

  private:
    static constexpr int kDigitBits = 8;
    static constexpr int kDigits = 1 << kDigitBits;
    static constexpr int kLevels = (63 + kDigitBits - 1) / kDigitBits; // times are >= 0
    static constexpr int kWords = kDigits / 64;                        // mask words per level
    static constexpr std::uint32_t kBlockEvents = 64;                  // 2 KiB blocks
    static constexpr std::uint32_t kRun = 32;        // buckets up to this size are sorted
    static constexpr std::size_t kSortRun = 512;     // and level-1..3 buckets up to this size
    static constexpr std::size_t kPrefetchLines = 8; // of the next block while re-filing
    static constexpr std::size_t kKeepRun = 16384;   // run capacity kept between runs
    static constexpr std::size_t kLateMax = 32;      // late events kept in the sorted array
    static constexpr std::size_t kLateCap = 64;      // its room, taken ones included
    static constexpr std::size_t kMergeMax = 256;    // a longer merged run goes back to buckets
    static constexpr std::uint32_t kNone = UINT32_MAX;
    using Block = std::array<Event, kBlockEvents>;
    struct Bucket {
        std::uint32_t head = kNone; // first block; kNone when empty
        std::uint32_t tail = kNone; // last block
        std::uint32_t fill = 0;     // events in the tail block
    };

    // Precondition: e.time >= last_ (equal files at level 0, like a difference in bit 0).
    void file(const Event &e) {
        const auto key = static_cast<std::uint64_t>(e.time);
        const int level = (63 - std::countl_zero((key ^ last_) | 1)) / kDigitBits;
        const auto digit = static_cast<int>((key >> (level * kDigitBits)) & (kDigits - 1));
        Bucket &b = buckets_[level][digit];
        if (b.fill == kBlockEvents || b.head == kNone) [[unlikely]]
            add_block(b, level, digit);
        blocks_[b.tail][b.fill++] = e;
    }
    void add_block(Bucket &b, int level, int digit);
    std::uint32_t new_block();
    void free_block(std::uint32_t block) {
        next_[block] = free_;
        free_ = block;
    }
    bool has_level(int level) const {
        return (words_ >> (level * kWords) & ((1u << kWords) - 1)) != 0;
    }
    void push_late(const Event &e);
    void overflow_late();
    void refill();
    void sort_run();
    void release_pool();

    // Storage: blocks_[i], and next_[i] the following block of its bucket (or of the free list).
    std::vector<Block, LargePageAllocator<Block>> blocks_;
    std::vector<std::uint32_t> next_;
    std::uint32_t free_ = kNone;
    Bucket buckets_[kLevels][kDigits];
    // Bit d % 64 of nonempty_[level * kWords + d / 64]: buckets_[level][d] holds events; bit w
    // of words_: nonempty_[w] != 0. The lowest non-empty bucket is two countr_zero away.
    std::uint64_t nonempty_[kLevels * kWords] = {};
    std::uint32_t words_ = 0;
    static_assert(kLevels * kWords <= 32, "one summary bit per mask word");
    std::vector<Event> current_; // the run, sorted; its times lie before run_limit_
    std::size_t head_ = 0;       // read position in current_
    std::vector<Event> scratch_; // for sorting the run
    // Other pushes earlier than run_limit_, sorted, in [late_head_, late_end_).
    std::array<Event, kLateCap> late_;
    std::size_t late_head_ = 0, late_end_ = 0;
    std::uint64_t last_ = 0;      // the reference the buckets are filed against
    std::uint64_t run_limit_ = 0; // end of the run's range: the buckets hold nothing earlier
    std::size_t size_ = 0;
};

} // namespace statesim
