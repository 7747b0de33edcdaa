#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>

#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A server's lifecycle: launched (booting) -> running -> failed (crashed, still billed until the
// group terminates it) -> free (its slot awaits the next launch).
enum class NodeState : std::uint8_t { free, booting, running, failed };

// Session state held in a node's memory, oldest first (eviction and crash order).
struct Resident {
    std::uint32_t slot;
    std::uint64_t uid;
};

// One server: workers with a FIFO queue in front, and the session state in its memory.
struct Node {
    NodeState state = NodeState::free;
    std::uint32_t generation = 0; // incarnation of this slot
    int zone = 0;
    bool warm_from_start = false;  // initial nodes start warm
    SimTime first_request_at = -1; // warmup_capacity applies for warmup_period from here
    int busy = 0;                    // workers serving an attempt (those attempts are marked
                                     // in_service: a crash finds them in the attempt pool)
    std::deque<std::uint32_t> queue; // waiting attempts
    double memory_bytes = 0;
    std::deque<Resident> residents;

    bool running() const { return state == NodeState::running; }
    // Workers usable now: all, or the warm-up share (at least one) for `period` after the first
    // routed request.
    int capacity(SimTime now, int workers_per_node, double warm_share, SimTime period) const {
        if (warm_from_start || (first_request_at >= 0 && now - first_request_at >= period))
            return workers_per_node;
        return std::max(1, static_cast<int>(workers_per_node * warm_share));
    }
    // All workers idle, queue and memory empty.
    void reset_work() {
        busy = 0;
        queue.clear();
        memory_bytes = 0;
        residents.clear();
    }
};

} // namespace statesim
