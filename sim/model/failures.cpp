#include "statesim/model/failures.hpp"

#include <fmt/format.h>

namespace statesim {

void FaultInjector::start(SimTime end) {
    end_ = end;
    const auto &events = ctx_.arch.failures.events;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const SimTime at = from_seconds(events[i].at);
        if (at <= end) ctx_.sim.schedule(at, fault, static_cast<std::uint32_t>(i), 0);
    }
    const auto &f = ctx_.arch.failures;
    if (f.zones.enabled && fleet_)
        for (int z = 0; z < ctx_.arch.cluster.zones; ++z)
            if (const SimTime at = f.zones.mtbf.sample_time(zone_rng_); at <= end)
                ctx_.sim.schedule(at, zone_failure, static_cast<std::uint32_t>(z), 0);
    if (f.store.enabled)
        if (const SimTime at = f.store.mtbf.sample_time(store_rng_); at <= end)
            ctx_.sim.schedule(at, store_failure, 0, 0);
    if (f.deployments.enabled && fleet_) on_periodic_deploy(false);
}

// failures.deployments: one deployment every `every` from the start of the run, within it;
// each schedules the next (one pending event, however short `every`). Not one at the window's
// last instant (`every` dividing the run, the usual choice): it would act only after the
// window, yet the sessions it cut would count as lost.
void FaultInjector::on_periodic_deploy(bool now) {
    if (now) fleet_->deploy();
    const SimTime next = ctx_.now() + from_seconds(ctx_.arch.failures.deployments.every);
    if (next < end_) ctx_.sim.schedule(next, periodic_deploy, 0, 0);
}

void FaultInjector::on_fault(std::uint32_t index) {
    const FaultEvent &f = ctx_.arch.failures.events[index];
    const SimTime over = ctx_.now() + from_seconds(f.duration);
    // Under the serverless runtime only the store can be hit (load_scenario warns).
    if (!fleet_ && f.kind != FaultEvent::Kind::store_outage) return;
    switch (f.kind) {
    case FaultEvent::Kind::kill_node: // `count` distinct running nodes, uniformly
        for (int k = 0; k < f.count; ++k) {
            const std::vector<int> up = fleet_->running_nodes();
            if (up.empty()) return;
            fleet_->kill(up[rng_.below(up.size())]);
        }
        return;
    case FaultEvent::Kind::kill_zone:
        fleet_->zone_down(f.zone);
        ctx_.sim.schedule(over, fault_over, index, 0);
        return;
    case FaultEvent::Kind::store_outage:
        store_down(f.shard);
        ctx_.sim.schedule(over, fault_over, index, 0);
        return;
    case FaultEvent::Kind::deploy:
        fleet_->deploy();
        return;
    }
}

// events.csv says how many sessions the outage lost, as a kill row does.
void FaultInjector::store_down(int shard) {
    const std::uint64_t lost = state_.store_down(shard);
    ctx_.sink.mark(ctx_.now(), MarkedEvent::store_down,
                   shard < 0 ? "store" : fmt::format("store shard {}", shard),
                   fmt::format("sessions lost {}", lost));
}

void FaultInjector::on_fault_over(std::uint32_t index) {
    const FaultEvent &f = ctx_.arch.failures.events[index];
    if (f.kind == FaultEvent::Kind::kill_zone && fleet_) {
        fleet_->zone_up(f.zone);
    } else if (f.kind == FaultEvent::Kind::store_outage) {
        state_.store_up(f.shard);
        ctx_.sink.mark(ctx_.now(), MarkedEvent::store_up,
                       f.shard < 0 ? "store" : fmt::format("store shard {}", f.shard), "");
    }
}

void FaultInjector::on_zone_failure(int zone, bool back) {
    const auto &p = ctx_.arch.failures.zones;
    if (back) {
        fleet_->zone_up(zone);
        const SimTime next = ctx_.now() + p.mtbf.sample_time(zone_rng_);
        if (next <= end_)
            ctx_.sim.schedule(next, zone_failure, static_cast<std::uint32_t>(zone), 0);
    } else {
        fleet_->zone_down(zone);
        ctx_.sim.schedule(ctx_.now() + p.mttr.sample_time(zone_rng_), zone_failure,
                          static_cast<std::uint32_t>(zone), 1);
    }
}

void FaultInjector::on_store_failure(int shard, bool back) {
    const auto &p = ctx_.arch.failures.store;
    if (back) {
        state_.store_up(shard);
        ctx_.sink.mark(ctx_.now(), MarkedEvent::store_up, fmt::format("store shard {}", shard), "");
        const SimTime next = ctx_.now() + p.mtbf.sample_time(store_rng_);
        if (next <= end_) ctx_.sim.schedule(next, store_failure, 0, 0);
        return;
    }
    const auto shards = static_cast<std::uint64_t>(ctx_.arch.state.store.shards);
    const int victim = static_cast<int>(store_rng_.below(shards));
    store_down(victim);
    ctx_.sim.schedule(ctx_.now() + p.mttr.sample_time(store_rng_), store_failure,
                      static_cast<std::uint32_t>(victim), 1);
}

} // namespace statesim
