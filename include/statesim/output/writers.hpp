#pragma once
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/output/run_record.hpp"

namespace statesim {

// CSV numbers in one fixed format so that files are byte-stable: up to 10 significant digits.
std::string format_number(double v);

// Rows of finished runs only (an interrupted experiment writes what it completed).
std::string summary_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
std::string aggregate_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
std::string timeseries_csv(const Scenario &sc, const std::vector<RunRecord> &runs);
// The side-by-side table: one column per architecture, mean ± 95% CI half-width.
std::string comparison_table(const Scenario &sc, const std::vector<RunRecord> &runs);

} // namespace statesim
