#pragma once
#include <array>
#include <cstdint>

#include "statesim/config/scenario.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A DynamoDB/Redis-like session store: per-operation latency and a capacity in operations per
// second, enforced per one-second window. A throttled operation is retried with exponential
// backoff and full jitter (as the AWS SDKs do) and fails after kMaxTries; only admitted
// operations are billed. Billing units follow DynamoDB on-demand: a write costs one unit per
// started KiB of the item, a strongly consistent read one per started 4 KiB.
class SessionStore {
  public:
    static constexpr int kMaxTries = 10;
    struct Outcome {
        SimTime done; // when the reply is back at the node (hops are the caller's)
        bool ok;
        std::uint32_t throttles;
        std::uint32_t units; // billed request units (0 when it failed)
    };
    explicit SessionStore(const StoreSpec &spec) : spec_(spec) {}
    // An operation on an item of `item_bytes` issued at `t`.
    Outcome operate(SimTime t, bool write, double item_bytes, Rng &rng);
    static std::uint32_t units(bool write, double item_bytes);

  private:
    bool admit(SimTime t);
    struct Window {
        std::int64_t second = -1;
        double used = 0;
    };
    const StoreSpec &spec_;
    std::array<Window, 128> windows_{};
};

} // namespace statesim
