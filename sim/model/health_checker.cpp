#include "statesim/model/health_checker.hpp"

namespace statesim {

HealthChecker::HealthChecker(ModelContext &ctx)
    : ctx_(ctx), rng_(ctx.seed, "health_checks"),
      interval_(from_seconds(ctx.arch.load_balancer.health_interval)) {}

void HealthChecker::watch(NodeRef node, int passes) {
    const auto i = static_cast<std::size_t>(node.index);
    if (i >= watches_.size()) watches_.resize(i + 1);
    watches_[i] = Watch{node.generation, true, passes == 0, passes, 0, 0};
    const auto phase = static_cast<SimTime>(rng_.uniform() * static_cast<double>(interval_));
    ctx_.sim.schedule(ctx_.now() + phase + 1, health_probe, static_cast<std::uint32_t>(i),
                      node.generation);
}

void HealthChecker::forget(NodeRef node) {
    const auto i = static_cast<std::size_t>(node.index);
    if (i < watches_.size() && watches_[i].generation == node.generation)
        watches_[i].active = false;
}

HealthChecker::Verdict HealthChecker::probe(NodeRef node, bool answers) {
    const auto i = static_cast<std::size_t>(node.index);
    if (i >= watches_.size()) return Verdict::none;
    Watch &w = watches_[i];
    if (!w.active || w.generation != node.generation) return Verdict::none;
    ctx_.sim.schedule(ctx_.now() + interval_, health_probe, static_cast<std::uint32_t>(i),
                      node.generation);
    const auto &lb = ctx_.arch.load_balancer;
    Verdict v = Verdict::none;
    if (answers) {
        w.failed = 0;
        if (!w.healthy && ++w.ok >= w.needed) {
            w.healthy = true;
            v = Verdict::became_healthy;
        }
    } else {
        w.ok = 0;
        if (++w.failed == lb.unhealthy_threshold) { // reported once, healthy before or not
            w.healthy = false;
            w.needed = lb.healthy_threshold; // an unhealthy target back in service
            v = Verdict::became_unhealthy;
        }
    }
    return v;
}

} // namespace statesim
