#pragma once
#include <cstddef>
#include <deque>
#include <utility>

#include "statesim/config/scenario.hpp"

namespace statesim {

// The autoscaling policy of SPEC §5 as a pure function of the metric datapoints it is shown:
// it knows nothing of nodes or events. The fleet calls evaluate() every period() seconds with
// the metric over its serving nodes and launches or drains nodes to reach the capacity returned;
// for `policy: scheduled` it applies scheduled(i) at schedule[i].at itself.
//
// Where SPEC is silent:
// - A NaN metric (no node serves) is no datapoint: counters, cooldowns and the HPA window are
//   left as they are and the capacity only moves when it lies outside [min, max].
// - Step: when an above and a below step both match, the above step wins (EC2: of policies
//   triggering together, the one giving the largest capacity); among steps of one direction with
//   the same threshold, the largest `add` (again the largest capacity).
// - Nodes that do not serve yet (booting, not yet healthy, inside instance_warmup) are left out
//   of the metric but count in `current`. A scale-out starts from the nodes that are ready, as
//   AWS counts an Auto Scaling group's current capacity without instances still warming up (so
//   a breach while they warm does not add again what they will bring), and the HPA assumes
//   not-yet-ready pods use 0 % on a scale-up (Kubernetes' algorithm, see hpa()). Warming also
//   holds the target-tracking scale-in.
class Autoscaler {
  public:
    explicit Autoscaler(const AutoscalingSpec &spec);

    // Seconds between evaluations: evaluation_period (target_tracking, step), hpa.period (hpa);
    // 0 for scheduled (the fleet schedules spec.schedule entries itself).
    double period() const;

    struct Observation {
        double now_s;  // simulated time of the evaluation
        double metric; // the metric over serving nodes this period (cpu as a fraction;
                       // requests_per_node per second; in_flight_per_node), NaN when no node serves
        int current;   // the group's current desired capacity
        int ready;     // nodes in the metric: serving and past instance_warmup
        int unready;   // nodes of the group that will serve but are not in the metric yet
                       // (booting, not yet healthy, inside instance_warmup)
        bool warming() const { return unready > 0; }
    };
    // The new desired capacity (clamped to [min, max]); equal to `current` when nothing changes.
    int evaluate(const Observation &o);

    // policy: scheduled — the desired capacity of schedule entry i, clamped.
    int scheduled(std::size_t i) const;
    // policy: scheduled — entry i is due at now_s with the group at `current`: 0 when it
    // applies now (its direction's last action is noted), or the time it has to wait for: the
    // cooldown of its direction (`cooldown.out` after a scale-out, `cooldown.in` after a
    // scale-in, as for step) since the last action of that direction (SPEC §4).
    double scheduled_wait(std::size_t i, double now_s, int current);

    int clamp(int n) const;

  private:
    int target_tracking(const Observation &o);
    int step(const Observation &o);
    int hpa(const Observation &o);
    int limit_scale_up(const Observation &o, int recommendation);

    AutoscalingSpec spec_;
    // target tracking: consecutive datapoints above target / below in_threshold x target.
    int above_ = 0, below_ = 0;
    // step: when the last scale-out / scale-in happened (-infinity: never).
    double last_out_, last_in_;
    // hpa: (time, recommendation) of the last `stabilization` seconds, oldest first.
    std::deque<std::pair<double, int>> recommendations_;
};

} // namespace statesim
