#include "statesim/engine/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <stdexcept>

namespace statesim {

EventQueue::EventQueue() {
    for (auto &b : buckets_)
        b.reserve(16);
}

int EventQueue::bucket_of(std::uint64_t key, std::uint64_t last) {
    const std::uint64_t diff = key ^ last;
    return diff == 0 ? 0 : 64 - std::countl_zero(diff);
}

std::uint64_t EventQueue::push(SimTime time, std::uint32_t kind, std::uint32_t target,
                               std::uint64_t data) {
    const auto key = static_cast<std::uint64_t>(time);
    if (time < 0 || key < last_)
        throw std::logic_error("EventQueue::push: event scheduled in the past");
    const std::uint64_t seq = next_seq_++;
    buckets_[bucket_of(key, last_)].push_back(Event{time, seq, kind, target, data});
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

// Bucket 0 is exhausted: take the lowest non-empty bucket, make its minimum time the new
// `last_`, and redistribute it. Events equal to the new minimum land in bucket 0 and are sorted
// by seq; later pushes at that same time carry higher seqs, so appending keeps the order.
void EventQueue::refill() {
    buckets_[0].clear();
    head_ = 0;
    int i = 1;
    while (buckets_[i].empty())
        ++i;
    auto &from = buckets_[i];
    std::uint64_t min_key = UINT64_MAX;
    for (const Event &e : from)
        min_key = std::min(min_key, static_cast<std::uint64_t>(e.time));
    last_ = min_key;
    for (const Event &e : from)
        buckets_[bucket_of(static_cast<std::uint64_t>(e.time), last_)].push_back(e);
    from.clear();
    auto &zero = buckets_[0];
    if (zero.size() > 1)
        std::sort(zero.begin(), zero.end(),
                  [](const Event &a, const Event &b) { return a.seq < b.seq; });
}

Event EventQueue::pop() {
    for (;;) {
        if (head_ == buckets_[0].size()) refill();
        const Event e = buckets_[0][head_++];
        if (!is_cancelled(e.seq)) {
            --size_;
            return e;
        }
    }
}

SimTime EventQueue::peek_time() {
    while (size_ > 0) {
        if (head_ == buckets_[0].size()) refill();
        const Event &e = buckets_[0][head_];
        if (!is_cancelled(e.seq)) return e.time;
        ++head_; // drop the tombstoned head
    }
    return kForever;
}

} // namespace statesim
