#pragma once
#include <atomic>
#include <cstdint>
#include <vector>

#include "statesim/engine/event_queue.hpp"

namespace statesim {

// One event loop: the clock, the pending-event set and the stop flag. Events run in (time,
// sequence) order. An event scheduled for the current instant goes to a same-time FIFO instead
// of the queue: it is later in sequence than every queued event of this instant, so it runs
// after them, in scheduling order, and a zero-length hop costs no heap operation. Handlers are
// never re-entered. A value: tests run many side by side.
class Simulation {
  public:
    SimTime now() const { return now_; }

    // Schedules an event at `at` (>= now); returns an id for cancel().
    // The same-time branch is inlined at every call site (a zero-length hop costs a few
    // instructions); the queue push is one shared out-of-line copy.
    std::uint64_t schedule(SimTime at, std::uint32_t kind, std::uint32_t target,
                           std::uint64_t data) {
        if (at <= now_) {
            same_time_.push_back(Event{now_, next_now_seq_++, kind, target, data});
            return kNowBit | same_time_.back().seq;
        }
        return schedule_later(at, kind, target, data);
    }
    // The event never runs. Precondition: it has not run yet.
    void cancel(std::uint64_t id) {
        if (id & kNowBit) {
            for (Event &e : same_time_) // a handful at most (drained ones included)
                if (e.seq == (id & ~kNowBit)) e.kind = kCancelled;
            return;
        }
        queue_.cancel(id);
    }
    std::size_t pending() const { return queue_.size() + same_time_.size() - head_; }

    // Runs the events due by `until` (those scheduled for `until` itself while running come
    // after it), calling handler(const Event &) for each, and leaves the clock at `until`; stops
    // early when *stop becomes true (checked every 64k events). Returns the number run.
    template <class Handler>
    std::uint64_t run(SimTime until, Handler &&handler, const std::atomic<bool> *stop = nullptr) {
        // A sentinel at `until` ends the run when it comes up: no peek per event.
        const std::uint64_t run_id = ++runs_;
        if (until != kForever) queue_.push(until, kEndOfRun, 0, run_id);
        std::uint64_t count = 0;
        for (;;) {
            // Events pushed to the queue now are later than now: once none is due now, none
            // will be until the clock moves.
            if (head_ < same_time_.size() &&
                (queue_done_now_ ||
                 (queue_done_now_ = queue_.empty() || queue_.peek_time() > now_))) {
                const Event e = same_time_[head_++];
                if (head_ == same_time_.size()) {
                    same_time_.clear();
                    head_ = 0;
                }
                if (e.kind == kCancelled) continue;
                handler(e);
            } else {
                if (queue_.empty()) break;
                const Event e = queue_.pop();
                // With many pending events (radix mode) the state an event touches is usually
                // cold: a handler that can, starts loading it a few events ahead.
                if constexpr (requires { handler.prefetch(e); })
                    if (const Event *next = queue_.ahead(kPrefetchDistance))
                        handler.prefetch(*next);
                now_ = e.time;
                queue_done_now_ = false;
                if (e.kind == kEndOfRun) {
                    if (e.data == run_id) break;
                    continue; // left by a run that stopped early
                }
                handler(e);
            }
            if ((++count & 0xffff) == 0 && stop && stop->load(std::memory_order_relaxed)) {
                stopped_ = true;
                break;
            }
        }
        return count;
    }
    bool stopped() const { return stopped_; }

  private:
    [[gnu::noinline]] std::uint64_t schedule_later(SimTime at, std::uint32_t kind,
                                                   std::uint32_t target, std::uint64_t data) {
        return queue_.push(at, kind, target, data);
    }
    static constexpr std::uint64_t kNowBit = 1ULL << 63;
    static constexpr std::size_t kPrefetchDistance = 4;
    static constexpr std::uint32_t kCancelled = UINT32_MAX;
    static constexpr std::uint32_t kEndOfRun = UINT32_MAX - 1;
    EventQueue queue_;
    std::vector<Event> same_time_; // events for `now_`, in scheduling order, from head_
    std::size_t head_ = 0;
    bool queue_done_now_ = false;    // no queued event is due at now_
    std::uint64_t next_now_seq_ = 0; // ids of same-time events: never reused
    SimTime now_ = 0;
    std::uint64_t runs_ = 0;
    bool stopped_ = false;
};

} // namespace statesim
