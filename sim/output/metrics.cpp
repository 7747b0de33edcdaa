#include "statesim/output/metrics.hpp"

namespace statesim {
namespace {

double d(std::uint64_t v) {
    return static_cast<double>(v);
}

double lost_pct(const RunResult &r) {
    const auto ended = r.sessions_completed + r.sessions_lost + r.sessions_abandoned;
    return ended ? 100.0 * d(r.sessions_lost) / d(ended) : 0.0;
}
double ms(double ns) {
    return ns * 1e-6;
}
template <std::size_t C> double lost_cause(const RunResult &r) {
    return d(r.lost_by_cause[C]);
}

} // namespace

const std::vector<Metric> &metrics() {
    static const std::vector<Metric> all = {
        {"sessions_started", [](const RunResult &r) { return d(r.sessions_started); }, true},
        {"sessions_completed", [](const RunResult &r) { return d(r.sessions_completed); }, true},
        {"sessions_lost", [](const RunResult &r) { return d(r.sessions_lost); }, true},
        {"sessions_abandoned", [](const RunResult &r) { return d(r.sessions_abandoned); }, true},
        {"sessions_active", [](const RunResult &r) { return d(r.sessions_active); }, false},
        {"lost_session_pct", lost_pct, true},
        {"requests_ok", [](const RunResult &r) { return d(r.requests_ok); }, false},
        {"requests_failed", [](const RunResult &r) { return d(r.requests_failed); }, true},
        {"throughput_rps",
         [](const RunResult &r) { return r.duration_s > 0 ? d(r.requests_ok) / r.duration_s : 0; },
         true},
        {"latency_mean_ms", [](const RunResult &r) { return ms(r.latency.mean()); }, true},
        {"latency_p50_ms", [](const RunResult &r) { return ms(r.latency.quantile(0.50)); }, true},
        {"latency_p95_ms", [](const RunResult &r) { return ms(r.latency.quantile(0.95)); }, false},
        {"latency_p99_ms", [](const RunResult &r) { return ms(r.latency.quantile(0.99)); }, true},
        {"latency_p999_ms", [](const RunResult &r) { return ms(r.latency.quantile(0.999)); },
         false},
        {"latency_max_ms",
         [](const RunResult &r) { return ms(static_cast<double>(r.latency.max())); }, false},
        {"nodes_mean", [](const RunResult &r) { return r.nodes_mean; }, true},
        {"node_hours", [](const RunResult &r) { return r.node_hours; }, true},
        {"cold_starts", [](const RunResult &r) { return d(r.cold_starts); }, false},
        {"store_ops", [](const RunResult &r) { return d(r.store_ops); }, true},
        {"workflows_completed", [](const RunResult &r) { return d(r.workflows_completed); }, false},
        {"workflows_lost", [](const RunResult &r) { return d(r.workflows_lost); }, false},
        {"cost_usd", [](const RunResult &r) { return r.cost_usd; }, true},
        {"lost_node_failure", lost_cause<0>, true},
        {"lost_routing", lost_cause<1>, true},
        {"lost_eviction", lost_cause<2>, true},
        {"lost_token_overflow", lost_cause<3>, true},
        {"attempts_failed", [](const RunResult &r) { return d(r.attempts_failed); }, false},
        {"retries", [](const RunResult &r) { return d(r.retries); }, false},
        {"store_throttles", [](const RunResult &r) { return d(r.store_throttles); }, false},
        {"utilization", [](const RunResult &r) { return r.utilization; }, true},
        {"requests_in_system_mean", [](const RunResult &r) { return r.requests_in_system_mean; },
         false},
        {"node_response_mean_ms", [](const RunResult &r) { return r.node_response_mean_ms; },
         false},
    };
    return all;
}

} // namespace statesim
