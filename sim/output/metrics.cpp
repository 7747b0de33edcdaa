#include "statesim/output/metrics.hpp"

#include <limits>
#include <utility>

namespace statesim {
namespace {

double d(std::uint64_t v) {
    return static_cast<double>(v);
}

double ended(const RunResult &r) {
    return d(r.sessions_completed + r.sessions_lost + r.sessions_abandoned);
}
constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
// A share of nothing is undefined (an empty cell, `n/a`, a failed SLO), not 0 %: a run in which
// no session ended must not pass `lost_session_pct <= 1%`.
double pct(double part, double whole) {
    return whole > 0 ? 100.0 * part / whole : kUndefined;
}
double lost_pct(const RunResult &r) {
    return pct(d(r.sessions_lost), ended(r));
}
// Lost or driven away: a throttled store that makes half the customers give up must not
// read as "0 % lost".
double affected_pct(const RunResult &r) {
    return pct(d(r.sessions_lost + r.sessions_abandoned), ended(r));
}
double requests(const RunResult &r) {
    return d(r.requests_ok + r.requests_failed);
}
double failed_request_pct(const RunResult &r) {
    return pct(d(r.requests_failed), requests(r));
}
double ms(double ns) {
    return ns * 1e-6;
}
// Latency covers successful requests: without any, it is undefined (an empty cell), not 0.
double latency_ms(const RunResult &r, double ns) {
    return r.latency.count() ? ms(ns) : kUndefined;
}
template <std::size_t C> double lost_cause(const RunResult &r) {
    return d(r.lost_by_cause[C]);
}
template <std::size_t C> double workflows_lost_cause(const RunResult &r) {
    return d(r.workflows_lost_by_cause[C]);
}
// Hours of a completed workflow at quantile q; undefined (empty) without any.
double workflow_hours(const RunResult &r, double q) {
    return r.workflow_duration.count() ? r.workflow_duration.quantile(q) / 3600e9 : kUndefined;
}

// One `lost_<cause>` column per LossCause, in its order; shown in the table when it happened.
template <std::size_t... C> std::vector<Metric> loss_causes(std::index_sequence<C...>) {
    return {Metric{std::string("lost_") + kLossCauseNames[C], lost_cause<C>, true, true, 0}...};
}
// `workflows_lost_<cause>` for the causes a workflow can die of.
template <std::size_t... C> std::vector<Metric> workflow_loss_causes(std::index_sequence<C...>) {
    return {Metric{std::string("workflows_lost_") + kLossCauseNames[C], workflows_lost_cause<C>,
                   true, true, 0}...};
}

// summary.csv's columns after the run's identity, in order.
std::vector<Metric> all_metrics() {
    std::vector<Metric> all = {
        {"sessions_started", [](const RunResult &r) { return d(r.sessions_started); }, true, true},
        {"sessions_completed", [](const RunResult &r) { return d(r.sessions_completed); }, true,
         true},
        {"sessions_lost", [](const RunResult &r) { return d(r.sessions_lost); }, true, true},
        {"sessions_abandoned", [](const RunResult &r) { return d(r.sessions_abandoned); }, true,
         true},
        // In the table when sessions were still going at the drain limit (started = completed +
        // lost + abandoned + active).
        {"sessions_active", [](const RunResult &r) { return d(r.sessions_active); }, true, true, 0},
        {"lost_session_pct", lost_pct, true, false},
        {"sessions_affected_pct", affected_pct, true, false},
        {"requests_ok", [](const RunResult &r) { return d(r.requests_ok); }, false, true},
        {"requests_failed", [](const RunResult &r) { return d(r.requests_failed); }, true, true},
        {"throughput_rps",
         [](const RunResult &r) { return r.duration_s > 0 ? d(r.requests_ok) / r.duration_s : 0; },
         true, false},
        {"failed_request_pct", failed_request_pct, true, false},
        {"latency_mean_ms", [](const RunResult &r) { return latency_ms(r, r.latency.mean()); },
         true, false},
        {"latency_p50_ms",
         [](const RunResult &r) { return latency_ms(r, r.latency.quantile(0.50)); }, true, false},
        {"latency_p95_ms",
         [](const RunResult &r) { return latency_ms(r, r.latency.quantile(0.95)); }, false, false},
        {"latency_p99_ms",
         [](const RunResult &r) { return latency_ms(r, r.latency.quantile(0.99)); }, true, false},
        {"latency_p999_ms",
         [](const RunResult &r) { return latency_ms(r, r.latency.quantile(0.999)); }, false, false},
        {"latency_max_ms",
         [](const RunResult &r) { return latency_ms(r, static_cast<double>(r.latency.max())); },
         false, false},
        {"nodes_mean", [](const RunResult &r) { return r.nodes_mean; }, true, false},
        {"node_hours", [](const RunResult &r) { return r.node_hours; }, true, false},
        {"cold_starts", [](const RunResult &r) { return d(r.cold_starts); }, true, true, 0},
        {"store_ops", [](const RunResult &r) { return d(r.store_ops); }, true, true},
        {"workflows_completed", [](const RunResult &r) { return d(r.workflows_completed); }, true,
         true, 0},
        {"workflows_lost", [](const RunResult &r) { return d(r.workflows_lost); }, true, true, 0},
        {"cost_usd", [](const RunResult &r) { return r.cost_usd; }, true, false},
        {"cost_nodes_usd", [](const RunResult &r) { return r.cost_nodes_usd; }, false, false},
        {"cost_store_requests_usd", [](const RunResult &r) { return r.cost_store_requests_usd; },
         false, false},
        {"cost_store_nodes_usd", [](const RunResult &r) { return r.cost_store_nodes_usd; }, false,
         false},
        {"cost_store_capacity_usd", [](const RunResult &r) { return r.cost_store_capacity_usd; },
         false, false},
        {"cost_lambda_requests_usd", [](const RunResult &r) { return r.cost_lambda_requests_usd; },
         false, false},
        {"cost_lambda_duration_usd", [](const RunResult &r) { return r.cost_lambda_duration_usd; },
         false, false},
        {"cost_lambda_provisioned_usd",
         [](const RunResult &r) { return r.cost_lambda_provisioned_usd; }, false, false},
        {"cost_state_transitions_usd",
         [](const RunResult &r) { return r.cost_state_transitions_usd; }, false, false},
        {"cost_per_month_usd", [](const RunResult &r) { return r.cost_per_month_usd; }, true,
         false},
        {"cost_per_1k_sessions_usd", [](const RunResult &r) { return r.cost_per_1k_sessions_usd; },
         true, false},
    };
    const auto causes =
        loss_causes(std::make_index_sequence<static_cast<std::size_t>(LossCause::count)>());
    all.insert(all.end(), causes.begin(), causes.end());
    const std::vector<Metric> rest = {
        {"availability", [](const RunResult &r) { return r.availability; }, true, false, 1},
        {"scale_out_events", [](const RunResult &r) { return d(r.scale_out_events); }, true, true,
         0},
        {"scale_in_events", [](const RunResult &r) { return d(r.scale_in_events); }, true, true, 0},
        {"attempts_failed", [](const RunResult &r) { return d(r.attempts_failed); }, false, true},
        {"retries", [](const RunResult &r) { return d(r.retries); }, false, true},
        {"store_throttles", [](const RunResult &r) { return d(r.store_throttles); }, false, true},
        {"store_read_units", [](const RunResult &r) { return d(r.store_read_units); }, false, true},
        {"store_write_units", [](const RunResult &r) { return d(r.store_write_units); }, false,
         true},
        {"workflows_started", [](const RunResult &r) { return d(r.workflows_started); }, true, true,
         0},
        {"workflows_lost_pct",
         [](const RunResult &r) {
             return pct(d(r.workflows_lost), d(r.workflows_completed + r.workflows_lost));
         },
         true, false, 0},
        {"workflows_active", [](const RunResult &r) { return d(r.workflows_active); }, true, true,
         0},
        {"state_transitions", [](const RunResult &r) { return d(r.state_transitions); }, true, true,
         0},
        {"workflow_duration_p50_h", [](const RunResult &r) { return workflow_hours(r, 0.5); },
         false, false},
        {"workflow_duration_p99_h", [](const RunResult &r) { return workflow_hours(r, 0.99); },
         false, false},
        {"throttles", [](const RunResult &r) { return d(r.throttles); }, true, true, 0},
        {"cold_start_pct",
         [](const RunResult &r) {
             // Of the invocations; servers have none and never start cold: 0 % of their
             // requests (undefined only without any request).
             return pct(d(r.cold_starts), r.invocations ? d(r.invocations) : requests(r));
         },
         true, false, 0},
        {"throttled_pct",
         [](const RunResult &r) {
             const double tries = d(r.invocations + r.throttles);
             return pct(d(r.throttles), tries > 0 ? tries : requests(r)); // servers: as above
         },
         true, false, 0},
        {"invocations", [](const RunResult &r) { return d(r.invocations); }, false, true},
        {"environments_mean", [](const RunResult &r) { return r.environments_mean; }, true, false,
         0},
        {"environments_busy_mean", [](const RunResult &r) { return r.environments_busy_mean; },
         true, false, 0},
        {"utilization", [](const RunResult &r) { return r.utilization; }, true, false},
        {"requests_in_system_mean", [](const RunResult &r) { return r.requests_in_system_mean; },
         false, false},
        {"node_response_mean_ms", [](const RunResult &r) { return r.node_response_mean_ms; }, false,
         false},
    };
    all.insert(all.end(), rest.begin(), rest.end());
    const auto workflow_causes = workflow_loss_causes(
        std::make_index_sequence<static_cast<std::size_t>(LossCause::count)>());
    all.insert(all.end(), workflow_causes.begin(), workflow_causes.end());
    return all;
}

} // namespace

const std::vector<Metric> &metrics() {
    static const std::vector<Metric> all = all_metrics();
    return all;
}

} // namespace statesim
