#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/engine/random.hpp"

namespace statesim {

// What a balancing policy may look at: the routable targets and their outstanding requests.
struct TargetView {
    const std::vector<int> &targets;     // node indices, ascending
    const std::vector<int> &outstanding; // by node index
    std::uint64_t membership_version;    // changes whenever `targets` changes
};

// Strategy chosen by `load_balancer.policy`; returns an index into view.targets.
class BalancingStrategy {
  public:
    virtual ~BalancingStrategy() = default;
    virtual std::size_t pick(const TargetView &view, std::uint64_t session_id, Rng &rng) = 0;
};

std::unique_ptr<BalancingStrategy> make_balancing_strategy(BalancingPolicy policy);

// Consistent-hash ring with virtual nodes, keyed by session id: when a target joins or leaves,
// only the sessions on the arcs it gains or loses move (about 1/N of them).
class HashRing {
  public:
    static constexpr int kVirtualNodes = 128;
    void rebuild(const std::vector<int> &targets);
    int node_for(std::uint64_t key) const; // -1 when empty

  private:
    std::vector<std::pair<std::uint64_t, int>> ring_; // (point, node), sorted
};

} // namespace statesim
