#include "statesim/model/load_balancer.hpp"

namespace statesim {

LoadBalancer::LoadBalancer(const LoadBalancerSpec &spec, std::uint64_t seed)
    : spec_(spec), strategy_(make_balancing_strategy(spec.policy)), rng_(seed, "load_balancer") {}

void LoadBalancer::set_state(NodeRef node, Target state) {
    const auto i = static_cast<std::size_t>(node.index);
    if (i >= state_.size()) {
        state_.resize(i + 1, Target::unused);
        generation_.resize(i + 1, 0);
        outstanding_.resize(i + 1, 0);
    }
    // A new target in a recycled slot, or a repaired node (a new generation): the requests
    // counted against the old one will never be answered by it.
    if (state_[i] == Target::unused || generation_[i] != node.generation) outstanding_[i] = 0;
    state_[i] = state;
    generation_[i] = node.generation;
    refresh();
}

LoadBalancer::Target LoadBalancer::state(int index) const {
    const auto i = static_cast<std::size_t>(index);
    return i < state_.size() ? state_[i] : Target::unused;
}

// Healthy targets, or (fail open) every registered target when none is healthy.
void LoadBalancer::refresh() {
    targets_.clear();
    for (std::size_t i = 0; i < state_.size(); ++i)
        if (state_[i] == Target::healthy) targets_.push_back(static_cast<int>(i));
    if (targets_.empty())
        for (std::size_t i = 0; i < state_.size(); ++i)
            if (state_[i] == Target::initial || state_[i] == Target::unhealthy)
                targets_.push_back(static_cast<int>(i));
    routable_.assign(state_.size(), 0);
    for (int i : targets_)
        routable_[static_cast<std::size_t>(i)] = 1;
    ++membership_version_;
}

NodeRef LoadBalancer::route(const Session &s, SimTime now) {
    if (targets_.empty()) return {};
    if (spec_.sticky && s.sticky.valid() && now < s.sticky_expiry &&
        static_cast<std::size_t>(s.sticky.index) < generation_.size() &&
        generation_[static_cast<std::size_t>(s.sticky.index)] == s.sticky.generation &&
        (routable(s.sticky.index) ||
         (spec_.drain == LoadBalancerSpec::DrainMode::sessions &&
          state_[static_cast<std::size_t>(s.sticky.index)] == Target::draining)))
        return s.sticky;
    const TargetView view{targets_, outstanding_, membership_version_};
    const int i = targets_[strategy_->pick(view, s.uid, rng_)];
    return {i, generation_[static_cast<std::size_t>(i)]};
}

} // namespace statesim
