#include "statesim/engine/event_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace statesim {

std::uint64_t EventQueue::push(SimTime time, std::uint32_t kind, std::uint32_t target,
                               std::uint64_t data) {
    if (time < floor_) throw std::logic_error("EventQueue::push: event scheduled in the past");
    const Event e{time, next_seq_++, kind, target, data};
    ++size_;
    if (radix_mode_) {
        radix_.push(e);
    } else {
        heap_.push(e);
        if (heap_.size() > kToRadix) {
            moving_.clear();
            heap_.drain_into(moving_);
            // Equal times must leave the radix heap in seq order: file them in that order.
            std::sort(moving_.begin(), moving_.end(), earlier);
            radix_.reset(floor_);
            for (const Event &m : moving_)
                radix_.push(m);
            radix_mode_ = true;
        }
    }
    return e.seq;
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

void EventQueue::remove_top() {
    if (!radix_mode_) {
        heap_.pop();
        return;
    }
    radix_.pop();
    if (radix_.size() < kToHeap) {
        moving_.clear();
        radix_.drain_into(moving_);
        for (const Event &m : moving_)
            heap_.push(m);
        radix_mode_ = false;
    }
}

void EventQueue::skip_cancelled() {
    while (!cancelled_.empty() && is_cancelled(top().seq))
        remove_top();
}

Event EventQueue::pop() {
    skip_cancelled();
    const Event e = top();
    remove_top();
    --size_;
    floor_ = e.time;
    return e;
}

SimTime EventQueue::peek_time() {
    if (size_ == 0) return kForever;
    if (radix_mode_) // without disturbing the radix heap: earlier pushes stay allowed
        return radix_.first_time([this](const Event &e) {
            return !std::binary_search(cancelled_.begin(), cancelled_.end(), e.seq);
        });
    skip_cancelled();
    return heap_.top().time;
}

} // namespace statesim
