#pragma once
#include <string>
#include <vector>

#include "statesim/model/run_result.hpp"

namespace statesim {

// One reported metric: its CSV column name and how to read it off a run. The single list that
// summary.csv, aggregate.csv and the terminal table share.
struct Metric {
    std::string name;
    double (*value)(const RunResult &);
    bool in_table; // shown in the side-by-side table
};

const std::vector<Metric> &metrics();

} // namespace statesim
