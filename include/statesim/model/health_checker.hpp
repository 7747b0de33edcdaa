#pragma once
#include <cstdint>
#include <vector>

#include "statesim/model/model_context.hpp"
#include "statesim/model/session.hpp"

namespace statesim {

// The balancer's health checks: every target is probed every `interval` on its own phase,
// drawn uniformly when it registers, so a failure is detected after the unhealthy_threshold-th
// failing probe: between (threshold - 1) and threshold intervals after it, (threshold - 1/2)
// intervals on average. Probes of a recycled slot's previous node are ignored.
class HealthChecker {
  public:
    enum class Verdict { none, became_healthy, became_unhealthy };

    HealthChecker(ModelContext &ctx);
    // Starts probing a target; `passes`: the consecutive passing probes it needs to be healthy.
    // 0: healthy already (the initial fleet); 1: newly registered (ALB: "After your target is
    // registered, it must pass one health check to be considered healthy"); healthy_threshold:
    // an unhealthy target coming back (ALB's HealthyThresholdCount).
    void watch(NodeRef node, int passes);
    void forget(NodeRef node);
    // A probe of `node` finds it answering or not; schedules the next probe.
    Verdict probe(NodeRef node, bool answers);

  private:
    struct Watch {
        std::uint32_t generation = 0;
        bool active = false, healthy = false;
        int needed = 0; // passing probes to become healthy
        int ok = 0, failed = 0;
    };
    ModelContext &ctx_;
    Rng rng_;
    SimTime interval_;
    std::vector<Watch> watches_;
};

} // namespace statesim
