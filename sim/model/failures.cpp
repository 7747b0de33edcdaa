#include "statesim/model/failures.hpp"

namespace statesim {

void FaultInjector::start(SimTime end) {
    const auto &events = ctx_.arch.failures.events;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const SimTime at = from_seconds(events[i].at);
        if (at <= end) ctx_.sim.schedule(at, fault, static_cast<std::uint32_t>(i), 0);
    }
}

// kill: node, count: k — k distinct running nodes, uniformly.
void FaultInjector::on_fault(std::uint32_t index) {
    const FaultEvent &f = ctx_.arch.failures.events[index];
    if (f.kind != FaultEvent::Kind::kill_node) return; // the loader refuses the others for now
    for (int k = 0; k < f.count; ++k) {
        const std::vector<int> up = fleet_.running_nodes();
        if (up.empty()) return;
        fleet_.kill(up[rng_.below(up.size())]);
    }
}

} // namespace statesim
