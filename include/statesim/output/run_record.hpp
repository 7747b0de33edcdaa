#pragma once
#include <cstdint>
#include <vector>

#include "statesim/model/run_result.hpp"

namespace statesim {

// One finished run, addressed by (sweep point, architecture, replication).
struct RunRecord {
    std::size_t point = 0;
    std::size_t architecture = 0;
    int replication = 0;
    std::uint64_t seed = 0;
    bool done = false;
    RunResult result;
};

} // namespace statesim
