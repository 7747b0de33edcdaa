#pragma once
#include "statesim/config/scenario.hpp"
#include "statesim/model/cluster_model.hpp"
#include "statesim/model/run_result.hpp"

namespace statesim {

// One run: the model of `arch` recorded under the one measurement rule, then priced.
RunResult simulate(const Architecture &arch, const RunSpec &spec);

} // namespace statesim
