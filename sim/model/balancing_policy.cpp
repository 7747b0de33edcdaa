#include "statesim/model/balancing_policy.hpp"

#include <algorithm>

namespace statesim {
namespace {

class RoundRobin final : public BalancingStrategy {
  public:
    std::size_t pick(const TargetView &v, std::uint64_t, Rng &) override {
        return next_++ % v.targets.size();
    }

  private:
    std::size_t next_ = 0;
};

class RandomChoice final : public BalancingStrategy {
  public:
    std::size_t pick(const TargetView &v, std::uint64_t, Rng &rng) override {
        return rng.below(v.targets.size());
    }
};

// Fewest outstanding requests; ties broken round-robin so idle clusters spread load.
class LeastOutstanding final : public BalancingStrategy {
  public:
    std::size_t pick(const TargetView &v, std::uint64_t, Rng &) override {
        const std::size_t n = v.targets.size();
        const std::size_t start = next_++ % n;
        std::size_t best = start;
        for (std::size_t k = 1; k < n; ++k) {
            const std::size_t i = (start + k) % n;
            if (v.outstanding[static_cast<std::size_t>(v.targets[i])] <
                v.outstanding[static_cast<std::size_t>(v.targets[best])])
                best = i;
        }
        return best;
    }

  private:
    std::size_t next_ = 0;
};

class PowerOfTwo final : public BalancingStrategy {
  public:
    std::size_t pick(const TargetView &v, std::uint64_t, Rng &rng) override {
        const std::size_t n = v.targets.size();
        if (n == 1) return 0;
        const std::size_t a = rng.below(n);
        std::size_t b = rng.below(n - 1);
        if (b >= a) ++b;
        const auto oa = v.outstanding[static_cast<std::size_t>(v.targets[a])];
        const auto ob = v.outstanding[static_cast<std::size_t>(v.targets[b])];
        return ob < oa ? b : a;
    }
};

class ConsistentHash final : public BalancingStrategy {
  public:
    std::size_t pick(const TargetView &v, std::uint64_t session_id, Rng &) override {
        if (version_ != v.membership_version || !built_) {
            ring_.rebuild(v.targets);
            version_ = v.membership_version;
            built_ = true;
        }
        const int node = ring_.node_for(session_id);
        return static_cast<std::size_t>(std::lower_bound(v.targets.begin(), v.targets.end(), node) -
                                        v.targets.begin());
    }

  private:
    HashRing ring_;
    std::uint64_t version_ = 0;
    bool built_ = false;
};

std::uint64_t hash64(std::uint64_t x) {
    std::uint64_t s = x;
    return splitmix64(s);
}

} // namespace

void HashRing::rebuild(const std::vector<int> &targets) {
    ring_.clear();
    for (int node : targets)
        for (int v = 0; v < kVirtualNodes; ++v)
            ring_.emplace_back(
                hash64((static_cast<std::uint64_t>(node) << 32) | static_cast<std::uint64_t>(v)),
                node);
    std::sort(ring_.begin(), ring_.end());
}

int HashRing::node_for(std::uint64_t key) const {
    if (ring_.empty()) return -1;
    const std::uint64_t h = hash64(key ^ 0x5bd1e995ULL);
    auto it = std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(h, -1));
    return it == ring_.end() ? ring_.front().second : it->second;
}

std::unique_ptr<BalancingStrategy> make_balancing_strategy(BalancingPolicy policy) {
    switch (policy) {
    case BalancingPolicy::round_robin:
        return std::make_unique<RoundRobin>();
    case BalancingPolicy::random:
        return std::make_unique<RandomChoice>();
    case BalancingPolicy::least_outstanding:
        return std::make_unique<LeastOutstanding>();
    case BalancingPolicy::power_of_two:
        return std::make_unique<PowerOfTwo>();
    case BalancingPolicy::consistent_hash:
        return std::make_unique<ConsistentHash>();
    }
    return std::make_unique<RoundRobin>();
}

} // namespace statesim
