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

// Pending-event set ordered by (time, seq): a monotone radix heap. Discrete-event time never
// goes backwards, so an event is filed in the bucket of the highest bit in which its time differs
// from the last popped time; buckets are plain vectors (no allocation per event once warm).
// Measured with `statesim bench hold`: it holds its speed at 10^6 pending events where binary
// heaps fall off (see README). Cancellation is by sequence number (tombstones).
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
    static constexpr int kBuckets = 65;
    static int bucket_of(std::uint64_t key, std::uint64_t last);
    void refill();
    bool is_cancelled(std::uint64_t seq);

    std::vector<Event> buckets_[kBuckets];
    std::size_t head_ = 0; // read position in bucket 0, which is kept sorted by seq
    std::uint64_t last_ = 0;
    std::uint64_t next_seq_ = 0;
    std::size_t size_ = 0;
    std::vector<std::uint64_t> cancelled_; // sorted small set of tombstones
};

} // namespace statesim
