#pragma once
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/output/writers.hpp"

namespace statesim {

// What `statesim run` prints: for one point, the side-by-side table (one column per
// architecture, mean ± 95% CI half-width, the slo verdicts); for a sweep, the pivot: one line
// per point, the swept values first, then a column group per architecture (the headline metrics
// and every slo metric), the slo verdict and the cheapest architecture passing every slo.
std::string comparison_table(const Scenario &sc, const RunMetrics &m);
// The side-by-side table of every point (the per-point detail behind a sweep's pivot).
std::string point_tables(const Scenario &sc, const RunMetrics &m);

// Metrics whose 95% CI half-width exceeds 5% of their mean (table metrics, nonzero mean), one
// line per (point, architecture) naming them, then what would narrow them; with one
// replication, that there is no interval at all. Empty when every interval is tight.
std::vector<std::string> precision_warnings(const Scenario &sc, const RunMetrics &m);
// The warnings above as a block for the table ("" when there are none).
std::string precision_block(const std::vector<std::string> &warnings);

// Table cell numbers, never in exponent notation: a count grouped in threes with thin spaces
// (263 912); a mean to 4 significant digits, whole and grouped from 10 000 up; a half-width to
// 2 significant digits, whole from 100 up.
std::string grouped(double v);
std::string four_digits(double v);
std::string two_digits(double half_width);

} // namespace statesim
