#include "statesim/engine/event_queue.hpp"

#include <algorithm>
#include <stdexcept>

namespace statesim {

void EventQueue::throw_past() {
    throw std::logic_error("EventQueue::push: event scheduled in the past");
}

void EventQueue::to_radix() {
    moving_.clear();
    heap_.drain_into(moving_);
    // Equal times must leave the radix heap in seq order: file them in that order.
    std::sort(moving_.begin(), moving_.end(), earlier);
    radix_.reset(floor_);
    for (const Event &m : moving_)
        radix_.push(m);
    radix_mode_ = true;
    moving_.clear();
}

void EventQueue::to_heap() {
    moving_.clear();
    radix_.drain_into(moving_);
    for (const Event &m : moving_)
        heap_.push(m);
    radix_mode_ = false;
    moving_.clear();
}

// Drops every stored cancelled event and rebuilds: tombstones left over (stale cancels, see
// cancel()) are forgotten and the live events recounted. O(stored log stored); called when no
// live event is left or the tombstones outnumber the live events.
void EventQueue::purge() {
    moving_.clear();
    if (radix_mode_)
        radix_.drain_into(moving_); // also releases its block pool
    else
        heap_.drain_into(moving_);
    std::erase_if(moving_, [this](const Event &e) { return cancelled_.erase(e.seq); });
    cancelled_ = SeqSet();
    size_ = moving_.size();
    radix_mode_ = false;
    radix_.reset(floor_);
    if (moving_.size() > kToRadix) {
        std::sort(moving_.begin(), moving_.end(), earlier); // equal times filed in seq order
        for (const Event &m : moving_)
            radix_.push(m);
        radix_mode_ = true;
    } else {
        for (const Event &m : moving_)
            heap_.push(m);
    }
    std::vector<Event>().swap(moving_); // a purge may have held many events
}

// Cancelled events at the front are dropped here as in pop(). Neither structure fixes anything by
// showing its minimum, so an event earlier than the returned time may still be pushed.
SimTime EventQueue::peek_time_cancelled() {
    for (;;) {
        const Event &e = radix_mode_ ? radix_.top() : heap_.top();
        if (cancelled_.empty() || !cancelled_.contains(e.seq)) return e.time;
        const Event dropped = take();
        cancelled_.erase(dropped.seq);
    }
}

} // namespace statesim
