#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>

#include "statesim/engine/sim_time.hpp"
#include "statesim/model/run_result.hpp"

namespace statesim {

// A server's lifecycle: launched (booting) -> running -> failed (crashed, still billed until the
// group terminates it, or until it is repaired: running again) -> free (its slot awaits the
// next launch). A running node taken out of service first drains: it finishes its work but gets
// no new requests (or, with drain: sessions, only its sticky sessions') until it terminates.
enum class NodeState : std::uint8_t { free, booting, running, draining, failed };

// The workers a node has while it warms up (cluster.warmup_capacity): its share of them, at
// least one. analyze counts a warming node at this many.
inline int warming_workers(int workers_per_node, double warm_share) {
    return std::max(1, static_cast<int>(workers_per_node * warm_share));
}

// One server: workers with a FIFO queue in front, and the session state in its memory.
struct Node {
    NodeState state = NodeState::free;
    std::uint32_t generation = 0;        // incarnation of this slot
    std::uint32_t launch_generation = 0; // its generation at launch (a crash bumps it: the same
                                         // node until the slot is launched again)
    std::uint64_t id = 0;                // unique over the run (events.csv names nodes by it)
    int zone = 0;
    SimTime up_since = 0;         // became running (boot or repair): failures count from here
    std::uint64_t fail_event = 0; // its pending failure (failures.nodes), when fail_armed
    bool fail_armed = false;
    bool detected = false; // failed and marked unhealthy by the health checks
    LossCause retire_cause = LossCause::scale_in; // while draining: why its state will be lost
    int sessions_held = 0;       // sessions whose local state lives here (fewest_sessions)
    int version = 0;             // the release it runs (rolling deployments replace old ones)
    bool rebalance = false;      // launched to rebalance zones: once healthy, a node of the fullest
                                 // zone is retired
    bool waits_for_zone = false; // its boot or repair came due while its zone was dark: it
                                 // resumes when the zone returns
    // The autoscaling metrics since `metric_from`: busy workers and requests in flight
    // integrated over time (worker x ns), requests served.
    double busy_area = 0, in_flight_area = 0;
    SimTime metric_since = 0, metric_from = 0;
    std::uint32_t served = 0;
    bool warm_from_start = false;    // initial nodes start warm
    SimTime first_request_at = -1;   // warmup_capacity applies for warmup_period from here
    int busy = 0;                    // workers serving an attempt (those attempts are marked
                                     // in_service: a crash finds them in the attempt pool)
    std::deque<std::uint32_t> queue; // waiting attempts
    double memory_bytes = 0;
    // Sessions whose state lives here, oldest first (eviction and crash order): a list linked
    // through the sessions themselves (Session::link_a/link_b), so it costs no memory here.
    std::uint32_t oldest_resident = UINT32_MAX, newest_resident = UINT32_MAX;

    bool running() const { return state == NodeState::running; }
    // Up and holding work: running or draining (a draining node still serves what it has).
    bool up() const { return state == NodeState::running || state == NodeState::draining; }
    // Workers usable now: all, or the warm-up share (at least one) for `period` after the first
    // routed request.
    int capacity(SimTime now, int workers_per_node, double warm_share, SimTime period) const {
        if (warm_from_start || (first_request_at >= 0 && now - first_request_at >= period))
            return workers_per_node;
        return warming_workers(workers_per_node, warm_share);
    }
    // All workers idle, queue and memory empty.
    void reset_work() {
        busy = 0;
        queue.clear();
        memory_bytes = 0;
        oldest_resident = newest_resident = UINT32_MAX;
        sessions_held = 0;
    }
};

} // namespace statesim
