#pragma once
#include <cstdint>

#include "statesim/config/scenario.hpp"
#include "statesim/engine/simulation.hpp"
#include "statesim/model/metrics_sink.hpp"

namespace statesim {

class SessionTracer;

// Event kinds of a cluster run; `target` and `data` mean what the handling part says.
enum EventKind : std::uint32_t {
    session_arrival,  // -
    lb_arrival,       // target: session slot, data: attempt id
    node_arrival,     // target: node, data: attempt
    service_done,     // target: node, data: attempt | generation << 32
    store_step,       // target: node, data: attempt | generation << 32 (a store step of the
                      //   request in service: a try reaches the store, or the write is issued)
    client_response,  // target: attempt, data: 1 ok / 0 failed
    client_timeout,   // target: session slot, data: attempt id
    health_probe,     // target: node, data: generation
    fault,            // target: index of failures.events
    node_booted,      // target: node, data: generation
    node_warm,        // target: node, data: generation
    node_fail,        // target: node, data: generation (failures.nodes)
    node_repaired,    // target: node, data: generation (replace_failed: false)
    launch_retry,     // target: node, data: generation (a launch waiting in a dark zone moves to
                      //   one that is back)
    connect_failed,   // target: attempt (its host did not answer within connect_timeout)
    drain_done,       // target: node, data: generation (deregistration_delay is over)
    drain_check,      // target: node, data: generation (a draining node let go of its last
                      //   session: drain: sessions may end early)
    scaling_tick,     // - (the autoscaler's evaluation period)
    scaling_action,   // target: index of autoscaling.schedule
    fault_over,       // target: index of failures.events (a zone or store outage ends)
    zone_failure,     // target: zone, data: 0 fails / 1 is back (failures.zones)
    store_failure,    // target: shard, data: 0 fails / 1 is back (failures.store)
    periodic_deploy,  // - (failures.deployments)
    env_arrival,      // target: environment, data: attempt (serverless; a busy environment
    env_ready,        // target: environment, data: attempt  is never reclaimed: no tag)
    env_done,         // target: environment, data: attempt
    env_store_step,   // target: environment, data: attempt (as store_step)
    env_reclaim,      // target: environment, data: generation (idle_timeout may have passed)
    workflow_arrival, // - (workflows.arrival)
    workflow_step,    // target: workflow index, data: its uid (its next step or a retry is due)
};

// What every part of a run shares: the event loop, the architecture and the metrics sink.
struct ModelContext {
    Simulation &sim;
    const Architecture &arch;
    MetricsSink &sink;
    std::uint64_t seed; // the replication's: streams are derived by name (common random numbers)
    // End of the measured window: no fault and no scaling decision comes after it (the drain
    // that follows only lets the window's sessions and workflows reach their outcome).
    SimTime window_end = kForever;
    // --trace: records the traced sessions' events (null when off). Hooks test the session's or
    // attempt's `traced` bit first, so an untraced run pays one predictable branch per hook.
    SessionTracer *trace = nullptr;
    SimTime now() const { return sim.now(); }
    SimTime hop(Rng &rng) const {
        return arch.hop_latency.is_zero() ? 0 : arch.hop_latency.sample_time(rng);
    }
};

} // namespace statesim
