#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "statesim/stats/histogram.hpp"

namespace statesim {

// Why a session's server-side state was lost (SPEC §5); one summary column each
// (`lost_<name>`).
enum class LossCause {
    node_failure,
    routing,
    eviction,
    token_overflow,
    scale_in,
    deployment,
    store_failure,
    env_reclaimed,
    count
};
inline constexpr std::array<const char *, static_cast<std::size_t>(LossCause::count)>
    kLossCauseNames = {"node_failure", "routing",    "eviction",      "token_overflow",
                       "scale_in",     "deployment", "store_failure", "env_reclaimed"};

// A discrete event a reader of a plot wants marked (SPEC §3, events.csv); the names are the
// `event` column.
enum class MarkedEvent {
    kill,
    repair,
    replace,
    zone_down,
    zone_up,
    store_down,
    store_up,
    scale_out,
    scale_in,
    deploy_batch,
    drain_start,
    terminate,
    unhealthy, // the checks marked a node kept for repair (replace_failed: false)
    count
};
inline constexpr std::array<const char *, static_cast<std::size_t>(MarkedEvent::count)>
    kMarkedEventNames = {"kill",        "repair",    "replace",   "zone_down", "zone_up",
                         "store_down",  "store_up",  "scale_out", "scale_in",  "deploy_batch",
                         "drain_start", "terminate", "unhealthy"};
inline const char *name_of(MarkedEvent e) {
    return kMarkedEventNames[static_cast<std::size_t>(e)];
}

// One row of events.csv: when, what, on what (a node id, `zone K`, `store` or `store shard K`)
// and a free-text detail (`desired 4->6`, `sessions lost 312`).
struct EventRow {
    double time_s = 0;
    MarkedEvent what = MarkedEvent::kill;
    std::string target;
    std::string detail;
};

// What a traced session went through (`statesim run --trace N`, trace.csv); the names are the
// `event` column, each described in docs/configuration.md "Trace a session".
enum class TraceEvent {
    session_start,
    request_sent,
    token_transfer,
    routed,
    env_created,
    env_reused,
    cold_start,
    queued,
    service_start,
    cache_hit,
    store_throttled,
    store_read,
    store_write,
    state_created,
    service_end,
    attempt_failed,
    response,
    timeout,
    retry_scheduled,
    env_reclaimed,
    state_lost,
    session_end,
    count
};
inline constexpr std::array<const char *, static_cast<std::size_t>(TraceEvent::count)>
    kTraceEventNames = {"session_start", "request_sent",  "token_transfer",  "routed",
                        "env_created",   "env_reused",    "cold_start",      "queued",
                        "service_start", "cache_hit",     "store_throttled", "store_read",
                        "store_write",   "state_created", "service_end",     "attempt_failed",
                        "response",      "timeout",       "retry_scheduled", "env_reclaimed",
                        "state_lost",    "session_end"};
inline const char *name_of(TraceEvent e) {
    return kTraceEventNames[static_cast<std::size_t>(e)];
}

// One row of trace.csv: when (s), which session (its number in the run: the same session in
// every architecture), which request of it and which attempt of that request (1-based; 0 for
// rows about the session as a whole), what happened, where (a node or environment) and why.
struct TraceRow {
    double time_s = 0;
    std::uint64_t session = 0;
    std::uint32_t request = 0, attempt = 0;
    TraceEvent event = TraceEvent::session_start;
    std::string node;
    std::string detail;
};

struct TimeseriesRow {
    double time_s = 0; // end of the interval
    std::uint64_t arrivals = 0, completions = 0, failures = 0;
    double latency_p50_ms = 0, latency_p99_ms = 0;
    int nodes_in_service = 0, nodes_booting = 0;
    int nodes_desired = 0, nodes_draining = 0; // the fleet at the interval's end
    double utilization = 0;
    std::uint64_t sessions_active = 0, sessions_lost_total = 0, store_throttles = 0;
    int environments = 0; // serverless: execution environments alive at the interval's end
};

// What one run (architecture x replication) measured after warmup. Models fill it; writers and
// statistics read it.
struct RunResult {
    std::uint64_t sessions_started = 0, sessions_completed = 0, sessions_lost = 0,
                  sessions_abandoned = 0, sessions_active = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(LossCause::count)> lost_by_cause{};
    std::uint64_t requests_ok = 0, requests_failed = 0, attempts_failed = 0, retries = 0;
    Histogram latency; // ns, successful requests, retries included
    double duration_s = 0;
    double nodes_mean = 0, node_hours = 0;
    double utilization = 0;             // busy worker-time / available worker-time
    double requests_in_system_mean = 0; // time-average requests at nodes (Little's L)
    double node_response_mean_ms = 0;   // mean time a served request spent at its node
    // Share of the window with at least one serving node (time-weighted).
    double availability = 0;
    // Autoscaling decisions inside the window.
    std::uint64_t scale_out_events = 0, scale_in_events = 0;
    std::uint64_t cold_starts = 0, store_ops = 0, store_reads = 0, store_writes = 0,
                  store_throttles = 0, workflows_completed = 0, workflows_lost = 0;
    // Serverless: requests throttled (429), function invocations and their billed duration
    // (init included, per 1 ms), time-average environments alive and busy.
    std::uint64_t throttles = 0, invocations = 0;
    double function_seconds = 0;
    double environments_mean = 0, environments_busy_mean = 0;
    // Workflows of the window's cohort: started, ended (completed or lost, by cause), still
    // running after the drain; orchestrator transitions in the window; completed durations.
    std::uint64_t workflows_started = 0, workflows_active = 0, state_transitions = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(LossCause::count)> workflows_lost_by_cause{};
    Histogram workflow_duration; // ns
    // Billing units of admitted store operations (DynamoDB request units by item size).
    std::uint64_t store_read_units = 0, store_write_units = 0;
    // Costs by item (output/cost), USD over the measured window.
    double cost_nodes_usd = 0, cost_store_requests_usd = 0, cost_store_nodes_usd = 0,
           cost_store_capacity_usd = 0;
    double cost_lambda_requests_usd = 0, cost_lambda_duration_usd = 0,
           cost_lambda_provisioned_usd = 0, cost_state_transitions_usd = 0;
    double cost_usd = 0;
    double cost_per_month_usd = 0;       // the window's cost rate x 730 h
    double cost_per_1k_sessions_usd = 0; // cost / sessions started x 1000
    // What the workload drew for every session that arrived (warm-up included): with common
    // random numbers these match across architectures once every session has ended.
    struct Draws {
        std::uint64_t requests = 0;
        double think_s = 0, demand_s = 0;
    } draws;
    std::uint64_t sim_events = 0;         // simulation events processed (benchmarks)
    std::uint64_t attempts_simulated = 0; // answered or failed, window or not (benchmarks)
    std::uint64_t sessions_peak = 0;      // most sessions open at once (memory per session)
    bool interrupted = false;
    std::vector<TimeseriesRow> timeseries;
    // Every marked event from t = 0 (warm-up included) to the end of the window, in time order.
    std::deque<EventRow> events; // grows in blocks: no copy of every row as a vector doubles
    // --trace N (replication 0 only): every event of the first N sessions that started in the
    // window, in time order (rows at the same time in the order they happened).
    std::vector<TraceRow> trace;
};

} // namespace statesim
