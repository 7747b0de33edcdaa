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
// The limit in the unit of the metric it judges, for the table: `70%` for a share (a bare 0.7 in
// the file is a fraction), `200ms`, `50/s`; an availability and a cost as plain numbers.
std::string slo_limit_text(const Slo &slo);
// The architecture at `point` that passes every objective at the lowest mean
// cost_per_month_usd, or -1 when none does.
int cheapest_passing(const Scenario &sc, const RunMetrics &m, std::size_t point);

} // namespace statesim
