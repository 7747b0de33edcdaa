#pragma once
#include <cstdint>
#include <vector>

#include "statesim/engine/event.hpp"
#include "statesim/engine/quaternary_heap.hpp"
#include "statesim/engine/radix_heap.hpp"
#include "statesim/engine/seq_set.hpp"

namespace statesim {

// The pending-event set, ordered by (time, seq), with cancellation. A 4-ary heap while few
// events are pending and a radix heap (radix_heap.hpp) when many are: measured with
// `statesim bench hold`, the heap wins below about 150 pending events, the radix heap above (2x at
// 10^3, 2-3x the old radix heap at 10^6). Both give the same order, so the switch never changes a
// result.
//
// Cancellation is lazy: cancel() records the seq in a hash set (O(1)); pop() and peek_time()
// drop a cancelled event when it reaches the front and erase its seq, so the set only holds
// cancelled events that are still stored. Cancelled events whose time is far away would pile up
// (a timeout armed and answered a million times): once they outnumber the live ones (and
// kPurgeMin), purge() drops them all at once, so memory stays within about twice the live events
// and the cost is amortized O(log n) per cancel. While nothing is cancelled, pop() pays one branch.
class EventQueue {
  public:
    static constexpr std::size_t kToRadix = 256;   // switch up above this many stored events
    static constexpr std::size_t kToHeap = 64;     // and back down below this many
    static constexpr std::size_t kPurgeMin = 4096; // cancelled events stored before a purge

    // Schedules an event at `time` (>= the last popped time); returns its sequence number.
    std::uint64_t push(SimTime time, std::uint32_t kind, std::uint32_t target, std::uint64_t data) {
        if (time < floor_) throw_past();
        const Event e{time, next_seq_++, kind, target, data};
        ++size_;
        if (radix_mode_) {
            radix_.push(e);
        } else {
            heap_.push(e);
            if (heap_.size() > kToRadix) to_radix();
        }
        return e.seq;
    }
    // Marks a pending event as cancelled; it will never be returned by pop(). A seq never issued
    // changes nothing. Precondition: the event is pending and not cancelled yet. Outside it (a
    // popped event, or a second cancel after a purge dropped the first one: a stale seq cannot be
    // told from a live one) no event is lost or reordered and empty() stays exact (a recount runs
    // whenever the count reaches 0), but size() counts one too few until the next purge.
    void cancel(std::uint64_t seq) {
        if (size_ == 0 || seq >= next_seq_ || !cancelled_.insert(seq)) return;
        --size_;
        if (size_ == 0 || (cancelled_.size() > size_ && cancelled_.size() >= kPurgeMin))
            [[unlikely]]
            purge();
    }
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    // Removes and returns the earliest event (ties: lowest seq). Precondition: !empty().
    Event pop() {
        for (;;) {
            const Event e = take();
            if (!cancelled_.empty() && cancelled_.erase(e.seq)) [[unlikely]]
                continue;
            floor_ = e.time;
            if (--size_ == 0 && !cancelled_.empty()) [[unlikely]]
                purge();
            return e;
        }
    }
    // Time of the earliest event, or kForever. Inline while nothing is cancelled (the event
    // loop asks once per instant).
    SimTime peek_time() {
        if (size_ == 0) return kForever;
        if (cancelled_.empty()) return radix_mode_ ? radix_.top().time : heap_.top().time;
        return peek_time_cancelled();
    }
    // An event about `d` places ahead (radix mode only; nullptr when unknown): lets the model
    // start loading what that event will touch. Never an order: cancelled or late events may
    // come first.
    const Event *ahead(std::size_t d) const { return radix_mode_ ? radix_.ahead(d) : nullptr; }
    bool using_radix() const { return radix_mode_; }
    // Cancelled events still stored (their seqs are held until they reach the front).
    std::size_t cancelled_pending() const { return cancelled_.size(); }
    // Events stored, live or cancelled.
    std::size_t stored() const { return radix_mode_ ? radix_.size() : heap_.size(); }
    // Bytes reserved by the internal structures (for tests of memory bounds).
    std::size_t capacity_bytes() const {
        return heap_.capacity_bytes() + radix_.capacity_bytes() + cancelled_.capacity() * 8 +
               moving_.capacity() * sizeof(Event);
    }

  private:
    Event take() {
        if (radix_mode_) {
            const Event e = radix_.take();
            if (radix_.size() < kToHeap) [[unlikely]]
                to_heap();
            return e;
        }
        const Event e = heap_.top();
        heap_.pop();
        return e;
    }
    [[noreturn]] static void throw_past();
    SimTime peek_time_cancelled();
    void to_radix();
    void to_heap();
    void purge();

    QuaternaryHeap heap_;
    RadixHeap radix_;
    bool radix_mode_ = false;
    SimTime floor_ = 0; // time of the last popped event
    std::uint64_t next_seq_ = 0;
    std::size_t size_ = 0;      // live events (cancelled ones excluded)
    SeqSet cancelled_;          // cancelled events still stored
    std::vector<Event> moving_; // scratch for switching structures
};

} // namespace statesim
