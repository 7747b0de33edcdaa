#pragma once
#include <cstdint>

#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A small plain event record; models interpret kind/target/data themselves.
struct Event {
    SimTime time;
    std::uint64_t seq; // insertion order: breaks ties deterministically
    std::uint32_t kind;
    std::uint32_t target;
    std::uint64_t data;
};

inline bool earlier(const Event &a, const Event &b) {
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

} // namespace statesim
