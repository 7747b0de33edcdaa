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

// Only cancelled events are stored: forget them all (their memory too).
void EventQueue::drop_stored() {
    heap_.clear();
    radix_.reset(floor_);
    radix_mode_ = false;
    cancelled_ = SeqSet();
}

// Cancelled events at the front are dropped here as in pop(). Neither structure fixes anything by
// showing its minimum, so an event earlier than the returned time may still be pushed.
SimTime EventQueue::peek_time() {
    if (size_ == 0) return kForever;
    for (;;) {
        const Event &e = radix_mode_ ? radix_.top() : heap_.top();
        if (cancelled_.empty() || !cancelled_.contains(e.seq)) return e.time;
        const Event dropped = take();
        cancelled_.erase(dropped.seq);
    }
}

} // namespace statesim
