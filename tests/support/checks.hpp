#pragma once
// Checks shared by the model tests: sessions lost by cause, and the conservation law.
#include <doctest/doctest.h>

#include <cstdint>

#include "statesim/model/run_result.hpp"

namespace statesim::test {

inline std::uint64_t lost(const RunResult &r, LossCause c) {
    return r.lost_by_cause[static_cast<std::size_t>(c)];
}

// Every session started has exactly one outcome (or is still open), and the losses by cause
// add up to the sessions lost.
inline void check_conservation(const RunResult &r) {
    CHECK(r.sessions_started ==
          r.sessions_completed + r.sessions_lost + r.sessions_abandoned + r.sessions_active);
    std::uint64_t by_cause = 0;
    for (auto c : r.lost_by_cause)
        by_cause += c;
    CHECK(by_cause == r.sessions_lost);
}

} // namespace statesim::test
