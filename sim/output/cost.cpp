#include "statesim/output/cost.hpp"

#include <limits>

namespace statesim {

void price(RunResult &r, const Architecture &arch) {
    const CostSpec &c = arch.costs;
    const StoreSpec &store = arch.state.store;
    const bool uses_store = arch.state.location == StateLocation::store;
    const double hours = r.duration_s / 3600.0;
    r.cost_nodes_usd = r.node_hours * c.node_hour;
    r.cost_store_requests_usd = 0;
    r.cost_store_nodes_usd = 0;
    r.cost_store_capacity_usd = 0;
    if (uses_store && store.pricing == StoreSpec::Pricing::requests)
        r.cost_store_requests_usd = static_cast<double>(r.store_read_units) * c.store_read +
                                    static_cast<double>(r.store_write_units) * c.store_write;
    if (uses_store && store.pricing == StoreSpec::Pricing::nodes)
        r.cost_store_nodes_usd = hours * store.billed_nodes() * store.node_hour;
    // DynamoDB provisioned: the reserved units, by the hour, whatever the traffic.
    if (uses_store && store.pricing == StoreSpec::Pricing::capacity)
        r.cost_store_capacity_usd = hours * (store.read_units * c.store_read_capacity_hour +
                                             store.write_units * c.store_write_capacity_hour);
    // Lambda: per invocation, GB-seconds of billed duration (init included, 1 ms steps) and, for
    // provisioned concurrency, GB-seconds of every provisioned environment over the window.
    // Duration on a provisioned environment is billed at lambda_gb_second as well (AWS charges a
    // lower duration price there; a conservative simplification, README).
    r.cost_lambda_requests_usd = r.cost_lambda_duration_usd = r.cost_lambda_provisioned_usd = 0;
    if (arch.cluster.runtime == Runtime::serverless) {
        const double gb = arch.serverless.memory / (1024.0 * 1024 * 1024);
        r.cost_lambda_requests_usd = static_cast<double>(r.invocations) * c.lambda_request;
        r.cost_lambda_duration_usd = r.function_seconds * gb * c.lambda_gb_second;
        r.cost_lambda_provisioned_usd =
            arch.serverless.provisioned * gb * r.duration_s * c.lambda_provisioned_gb_second;
    }
    // Step Functions Standard: per state transition, retries included.
    r.cost_state_transitions_usd = static_cast<double>(r.state_transitions) * c.state_transition;
    r.cost_usd = r.cost_nodes_usd + r.cost_store_requests_usd + r.cost_store_nodes_usd +
                 r.cost_store_capacity_usd + r.cost_lambda_requests_usd +
                 r.cost_lambda_duration_usd + r.cost_lambda_provisioned_usd +
                 r.cost_state_transitions_usd;
    r.cost_per_month_usd = hours > 0 ? r.cost_usd / hours * 730 : 0;
    // Per 1 000 sessions of none is undefined (an empty cell, a failed SLO), not 0.
    r.cost_per_1k_sessions_usd = r.sessions_started
                                     ? r.cost_usd / static_cast<double>(r.sessions_started) * 1000
                                     : std::numeric_limits<double>::quiet_NaN();
}

} // namespace statesim
