#pragma once
#include <array>
#include <cstdint>

#include "statesim/config/scenario.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A DynamoDB/Redis-like session store: per-operation latency and a capacity in operations per
// second, enforced per one-second window; a throttled operation is retried with exponential
// backoff (full jitter, like the AWS SDKs) and fails after kMaxTries.
class SessionStore {
  public:
    static constexpr int kMaxTries = 10;
    struct Outcome {
        SimTime done; // when the operation's reply is back at the node
        bool ok;
        int throttles;
    };
    explicit SessionStore(const StoreSpec &spec) : spec_(spec) {}
    // An operation issued at `t` (the node<->store hops are the caller's).
    Outcome operate(SimTime t, bool write, Rng &rng);

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
