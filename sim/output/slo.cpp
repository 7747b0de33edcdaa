#include "statesim/output/slo.hpp"

#include <cmath>

#include <fmt/format.h>

#include "statesim/output/metrics.hpp"
#include "statesim/stats/confidence.hpp"

namespace statesim {
namespace {

std::size_t metric_index(const std::string &name) {
    const auto &all = metrics();
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].name == name) return i;
    return all.size();
}

} // namespace

std::vector<SloVerdict> judge_slo(const Scenario &sc, const RunMetrics &m, std::size_t point,
                                  std::size_t arch) {
    std::vector<SloVerdict> out;
    for (const Slo &slo : sc.slo) {
        const Estimate e = estimate(m.values(point, arch, metric_index(slo.metric)));
        SloVerdict v;
        v.mean_only = e.n < 2;
        const double hw = v.mean_only ? 0 : e.half_width;
        // Rounding slack: the figures are sums in floating point (3 nodes x 0.1 USD x 730 h
        // comes out 219.00000000000003, shown as 219), and a value at the limit meets it.
        const double slack = 1e-9 * std::max(std::fabs(slo.limit), std::fabs(e.mean));
        if (e.n > 0 && !std::isnan(e.mean))
            v.pass =
                slo.at_least ? e.mean - hw >= slo.limit - slack : e.mean + hw <= slo.limit + slack;
        out.push_back(v);
    }
    return out;
}

std::string slo_limit_text(const Slo &slo) {
    const std::string &m = slo.metric;
    const char *unit = m.ends_with("_pct")     ? "%"
                       : m.ends_with("_ms")    ? "ms"
                       : m == "throughput_rps" ? "/s"
                                               : "";
    // In the column's unit, 12 significant digits: no exponent (1 h is 3600000ms, not
    // 3.6e+06ms) and no conversion noise (7% is 0.07 x 100 = 7.000000000000001 in doubles).
    return fmt::format("{:.12g}{}", slo.limit, unit);
}

bool passes_all(const std::vector<SloVerdict> &v) {
    for (const auto &x : v)
        if (!x.pass) return false;
    return true;
}

int cheapest_passing(const Scenario &sc, const RunMetrics &m, std::size_t point) {
    const std::size_t cost = metric_index("cost_per_month_usd");
    int best = -1;
    double best_cost = 0;
    for (std::size_t a = 0; a < sc.points[point].architectures.size(); ++a) {
        if (m.replications(point, a) == 0 || !passes_all(judge_slo(sc, m, point, a))) continue;
        const double c = estimate(m.values(point, a, cost)).mean;
        if (best < 0 || c < best_cost) {
            best = static_cast<int>(a);
            best_cost = c;
        }
    }
    return best;
}

} // namespace statesim
