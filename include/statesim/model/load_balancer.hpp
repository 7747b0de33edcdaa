#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "statesim/model/balancing_policy.hpp"
#include "statesim/model/session.hpp"

namespace statesim {

// An application load balancer's target group. Each target is initial (registered, not yet
// healthy), healthy, unhealthy, draining or unused; requests go to healthy targets, or to every
// registered one when none is healthy (fail open). A sticky cookie pins a session to the target
// that last answered it until `ttl` after that response, while the target stays routable (or,
// with drain: sessions, while it drains).
class LoadBalancer {
  public:
    enum class Target : std::uint8_t { unused, initial, healthy, unhealthy, draining };

    LoadBalancer(const LoadBalancerSpec &spec, std::uint64_t seed);
    // The balancer keeps a reference to its spec: a temporary would dangle.
    LoadBalancer(const LoadBalancerSpec &&spec, std::uint64_t seed) = delete;

    void set_state(NodeRef node, Target state);
    Target state(int index) const;
    // The target for a request of session `s` at `now`, or an invalid ref when none is routable.
    NodeRef route(const Session &s, SimTime now);
    // Whether the balancer routes to node `index` now (asked by every node going idle).
    bool routable(int index) const {
        const auto i = static_cast<std::size_t>(index);
        return i < routable_.size() && routable_[i] != 0;
    }
    const std::vector<int> &targets() const { return targets_; }
    // Outstanding requests per target (least_outstanding, power_of_two).
    void request_sent(NodeRef node) { outstanding(node, 1); }
    void request_done(NodeRef node) { outstanding(node, -1); }
    int outstanding(int index) const {
        const auto i = static_cast<std::size_t>(index);
        return i < outstanding_.size() ? outstanding_[i] : 0;
    }

  private:
    void refresh();
    void outstanding(NodeRef node, int delta) {
        const auto i = static_cast<std::size_t>(node.index);
        if (i < generation_.size() && generation_[i] == node.generation) outstanding_[i] += delta;
    }
    const LoadBalancerSpec &spec_;
    std::vector<Target> state_;
    std::vector<std::uint32_t> generation_;
    std::vector<int> targets_, outstanding_; // routable node indices (ascending); by node
    std::vector<std::uint8_t> routable_;     // by node: 1 when in targets_
    std::uint64_t membership_version_ = 0;
    std::unique_ptr<BalancingStrategy> strategy_;
    Rng rng_;
};

} // namespace statesim
