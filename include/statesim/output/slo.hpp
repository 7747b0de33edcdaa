#pragma once
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/output/writers.hpp"

namespace statesim {

// The slo: section judged per (point, architecture). An objective passes only when the whole
// 95% confidence interval is on the right side of its limit; with one replication there is no
// interval and the mean is judged (flagged). A metric without a value (no successful request:
// no latency) fails.
struct SloVerdict {
    bool pass = false;
    bool mean_only = false; // one replication: judged on the mean
};
std::vector<SloVerdict> judge_slo(const Scenario &sc, const RunMetrics &m, std::size_t point,
                                  std::size_t arch);
bool passes_all(const std::vector<SloVerdict> &v);
// The architecture at `point` that passes every objective at the lowest mean
// cost_per_month_usd, or -1 when none does.
int cheapest_passing(const Scenario &sc, const RunMetrics &m, std::size_t point);

} // namespace statesim
