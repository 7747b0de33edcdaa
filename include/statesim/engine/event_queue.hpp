#pragma once
#include <cstdint>
#include <vector>

#include "statesim/engine/event.hpp"
#include "statesim/engine/quaternary_heap.hpp"
#include "statesim/engine/radix_heap.hpp"

namespace statesim {

// The pending-event set, ordered by (time, seq), with cancellation (tombstones by seq).
// A 4-ary heap while few events are pending and a radix heap when many are: measured with
// `statesim bench hold`, the heap wins below a few hundred events, the radix heap above (and by
// 2-3x at 10^6). Both give the same order, so the switch never changes a result.
class EventQueue {
  public:
    static constexpr std::size_t kToRadix = 1024; // switch up above this many stored events
    static constexpr std::size_t kToHeap = 256;   // and back down below this many

    // Schedules an event at `time` (>= the last popped time); returns its sequence number.
    std::uint64_t push(SimTime time, std::uint32_t kind, std::uint32_t target, std::uint64_t data);
    // Marks a pending event as cancelled; it will never be returned by pop().
    void cancel(std::uint64_t seq);
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    // Removes and returns the earliest event (ties: lowest seq). Precondition: !empty().
    Event pop();
    // Time of the earliest event, or kForever.
    SimTime peek_time();
    bool using_radix() const { return radix_mode_; }

  private:
    const Event &top() { return radix_mode_ ? radix_.top() : heap_.top(); }
    void remove_top();
    bool is_cancelled(std::uint64_t seq);
    void skip_cancelled();

    QuaternaryHeap heap_;
    RadixHeap radix_;
    bool radix_mode_ = false;
    SimTime floor_ = 0; // time of the last popped event
    std::uint64_t next_seq_ = 0;
    std::size_t size_ = 0;                 // live events (tombstoned ones excluded)
    std::vector<std::uint64_t> cancelled_; // sorted small set of tombstones
    std::vector<Event> moving_;            // scratch for switching structures
};

} // namespace statesim
