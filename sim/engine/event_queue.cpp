#include "statesim/engine/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <stdexcept>

namespace statesim {

EventQueue::EventQueue() {
    current_.reserve(16);
}

void EventQueue::file(const Event &e) {
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

std::uint64_t EventQueue::push(SimTime time, std::uint32_t kind, std::uint32_t target,
                               std::uint64_t data) {
    const auto key = static_cast<std::uint64_t>(time);
    if (time < 0 || key < last_)
        throw std::logic_error("EventQueue::push: event scheduled in the past");
    const std::uint64_t seq = next_seq_++;
    file(Event{time, seq, kind, target, data});
    ++size_;
    return seq;
}

// Callers cancel only events that are still pending (the model keeps their seq until it fires).
void EventQueue::cancel(std::uint64_t seq) {
    auto it = std::lower_bound(cancelled_.begin(), cancelled_.end(), seq);
    if (it == cancelled_.end() || *it != seq) {
        cancelled_.insert(it, seq);
        --size_;
    }
}

bool EventQueue::is_cancelled(std::uint64_t seq) {
    if (cancelled_.empty()) return false;
    auto it = std::lower_bound(cancelled_.begin(), cancelled_.end(), seq);
    if (it == cancelled_.end() || *it != seq) return false;
    cancelled_.erase(it);
    return true;
}

// The current time is exhausted: the lowest non-empty bucket holds the earliest events; its
// minimum becomes `last_` and the bucket is re-filed against it. Events at exactly that time
// land in current_ and are sorted by seq; later pushes at that time carry higher seqs.
void EventQueue::refill() {
    current_.clear();
    head_ = 0;
    const int level = std::countr_zero(levels_);
    const int digit = std::countr_zero(nonempty_[level]);
    std::vector<Event> from;
    from.swap(buckets_[level][digit]);
    nonempty_[level] &= ~(1ULL << digit);
    if (nonempty_[level] == 0) levels_ &= ~(1u << level);
    if (from.size() == 1) { // the common case when few events are pending
        last_ = static_cast<std::uint64_t>(from.front().time);
        current_.push_back(from.front());
        from.clear();
        from.swap(buckets_[level][digit]);
        return;
    }
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
    // hand its storage back for reuse.
    from.clear();
    from.swap(buckets_[level][digit]);
}

Event EventQueue::pop() {
    for (;;) {
        if (head_ == current_.size()) refill();
        const Event e = current_[head_++];
        if (!is_cancelled(e.seq)) {
            --size_;
            return e;
        }
    }
}

SimTime EventQueue::peek_time() {
    while (size_ > 0) {
        if (head_ == current_.size()) refill();
        const Event &e = current_[head_];
        if (!is_cancelled(e.seq)) return e.time;
        ++head_; // drop the tombstoned head
    }
    return kForever;
}

} // namespace statesim
