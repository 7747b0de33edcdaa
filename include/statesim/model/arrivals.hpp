#pragma once
#include "statesim/config/scenario.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/engine/sim_time.hpp"

namespace statesim {

// Session arrival times of one run: Poisson, a piecewise-linear profile (exact inversion of its
// integrated rate), a diurnal sine (thinning against its peak, exact) or a trace. Times count
// from the start of the run.
class ArrivalSampler {
  public:
    ArrivalSampler(const ArrivalProcess &process, Rng rng) : p_(process), rng_(rng) {}
    // The first arrival after `t`, or kForever when there is none before `horizon`.
    SimTime next_after(SimTime t, SimTime horizon);

  private:
    double profile_next(double s, double budget) const;
    const ArrivalProcess &p_;
    Rng rng_;
    std::size_t trace_index_ = 0;
};

} // namespace statesim
