#pragma once
#include "statesim/model/model_context.hpp"
#include "statesim/model/server_fleet.hpp"

namespace statesim {

// Fault injection as data: the scheduled failures.events of the architecture (times from the
// start of the run; those past the end never fire). Victims are drawn from a stream of their
// own, so every architecture loses its nodes at the same times.
class FaultInjector {
  public:
    FaultInjector(ModelContext &ctx, ServerFleet &fleet)
        : ctx_(ctx), fleet_(fleet), rng_(ctx.seed, "faults") {}
    void start(SimTime end);
    void on_fault(std::uint32_t index);

  private:
    ModelContext &ctx_;
    ServerFleet &fleet_;
    Rng rng_;
};

} // namespace statesim
