#pragma once
#include <cstdint>
#include <vector>

#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A small plain event record; models interpret kind/target/data themselves.
struct Event {
    SimTime time;
    std::uint64_t seq; // insertion order: breaks ties deterministically
    std::uint32_t kind;
    std::uint32_t target;
    std::uint64_t data;
};

// Pending-event set ordered by (time, seq): a monotone radix heap with 6-bit digits.
// Discrete-event time never goes backwards, so an event is filed under the highest 6-bit digit
// in which its time differs from the last popped time (level) and its value there (digit).
// Taking the lowest non-empty bucket and re-filing it against its minimum moves each event only
// a few times; buckets are plain vectors (no allocation per event once warm). Chosen by
// `statesim bench phold/hold` and instruction counts: 6-bit digits beat 1-bit (events moved
// ~4x as often) and 4-bit (8% more instructions).
// Cancellation is by sequence number (tombstones).
class EventQueue {
  public:
    EventQueue();

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

  private:
    static constexpr int kDigitBits = 6;
    static constexpr int kDigits = 1 << kDigitBits;
    static constexpr int kLevels = (64 + kDigitBits - 1) / kDigitBits;
    void file(const Event &e);
    void refill();
    bool is_cancelled(std::uint64_t seq);

    std::vector<Event> buckets_[kLevels][kDigits];
    std::uint64_t nonempty_[kLevels] = {}; // bit d: buckets_[level][d] holds events
    std::uint32_t levels_ = 0;             // bit l: some bucket of level l holds events
    std::vector<Event> current_;           // events at time == last_, sorted by seq
    std::size_t head_ = 0;                 // read position in current_
    std::uint64_t last_ = 0;
    std::uint64_t next_seq_ = 0;
    std::size_t size_ = 0;
    std::vector<std::uint64_t> cancelled_; // sorted small set of tombstones
};

} // namespace statesim
