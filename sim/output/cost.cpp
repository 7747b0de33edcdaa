#include "statesim/output/cost.hpp"

namespace statesim {

void price(RunResult &r, const Architecture &arch) {
    const CostSpec &c = arch.costs;
    const StoreSpec &store = arch.state.store;
    const bool uses_store = arch.state.location == StateLocation::store;
    const double hours = r.duration_s / 3600.0;
    r.cost_nodes_usd = r.node_hours * c.node_hour;
    r.cost_store_requests_usd = 0;
    r.cost_store_nodes_usd = 0;
    if (uses_store && store.pricing == StoreSpec::Pricing::requests)
        r.cost_store_requests_usd = static_cast<double>(r.store_read_units) * c.store_read +
                                    static_cast<double>(r.store_write_units) * c.store_write;
    if (uses_store && store.pricing == StoreSpec::Pricing::nodes)
        r.cost_store_nodes_usd = hours * store.billed_nodes() * store.node_hour;
    r.cost_usd = r.cost_nodes_usd + r.cost_store_requests_usd + r.cost_store_nodes_usd;
    r.cost_per_month_usd = hours > 0 ? r.cost_usd / hours * 730 : 0;
    r.cost_per_1k_sessions_usd =
        r.sessions_started ? r.cost_usd / static_cast<double>(r.sessions_started) * 1000 : 0;
}

} // namespace statesim
