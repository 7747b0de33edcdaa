#pragma once
#include "statesim/config/scenario.hpp"
#include "statesim/model/run_result.hpp"

namespace statesim {

// Prices a run by item, in the providers' units: server node-hours; store request units
// (DynamoDB on-demand: per write unit of 1 KiB and read unit of 4 KiB, admitted operations
// only) or store node-hours (ElastiCache); then the figures a buyer reads: the window's cost
// rate over a 730-hour month and the cost per 1 000 sessions started.
void price(RunResult &r, const Architecture &arch);

} // namespace statesim
