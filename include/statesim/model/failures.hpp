#pragma once
#include "statesim/model/model_context.hpp"
#include "statesim/model/server_fleet.hpp"

namespace statesim {

// Fault injection as data: the scheduled failures.events of the architecture (times from the
// start of the run; those past the end never fire). Victims are drawn from a stream of their
// own, so every architecture loses its nodes at the same times. Without a fleet (the serverless
// runtime) only the store's faults act.
class FaultInjector {
  public:
    FaultInjector(ModelContext &ctx, ServerFleet *fleet, StateBackend &state)
        : ctx_(ctx), fleet_(fleet), state_(state), rng_(ctx.seed, "faults"),
          zone_rng_(ctx.seed, "zone_failures"), store_rng_(ctx.seed, "store_failures") {}
    void start(SimTime end);
    void on_fault(std::uint32_t index);
    void on_fault_over(std::uint32_t index);
    // A periodic deployment is due (`now`), or the first is to be scheduled.
    void on_periodic_deploy(bool now);
    // failures.zones / failures.store renewal processes: up for an mtbf draw, down for an mttr
    // draw, again and again (each zone on its own stream; the store's failures strike one
    // shard at a time, drawn uniformly).
    void on_zone_failure(int zone, bool back);
    void on_store_failure(int shard, bool back);

  private:
    void store_down(int shard); // -1: every shard
    ModelContext &ctx_;
    ServerFleet *fleet_;
    StateBackend &state_;
    Rng rng_, zone_rng_, store_rng_;
    SimTime end_ = 0;
};

} // namespace statesim
