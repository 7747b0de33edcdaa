#pragma once
#include <limits>
#include <string>
#include <vector>

#include "statesim/model/run_result.hpp"

namespace statesim {

// One reported metric: its CSV column name and how to read it off a run. The single list that
// summary.csv, aggregate.csv and the terminal table share. A value is NaN when undefined
// (latency of a run without successful requests): an empty cell.
struct Metric {
    std::string name;
    double (*value)(const RunResult &);
    bool in_table; // shown in the side-by-side table
    bool count;    // a whole number of things: the table prints it as a grouped integer
    // The table leaves the row out when every value of every architecture equals this (a loss
    // cause that never happened, availability 1, no scaling): NaN, the row is always shown.
    double unremarkable = std::numeric_limits<double>::quiet_NaN();
};

const std::vector<Metric> &metrics();

} // namespace statesim
