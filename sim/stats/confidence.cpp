#include "statesim/stats/confidence.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/students_t.hpp>

namespace statesim {

// Double precision throughout: no long double tables, the same on every platform.
using TPolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

double t_quantile(double confidence, int dof) {
    const boost::math::students_t_distribution<double, TPolicy> dist(dof);
    return boost::math::quantile(boost::math::complement(dist, (1 - confidence) / 2));
}

Estimate estimate(const std::vector<double> &samples, double confidence) {
    Estimate e;
    e.n = static_cast<int>(samples.size());
    if (e.n == 0) return e;
    // Identical replications (a fixed cost, node-hours of a fixed fleet): their own value and
    // no spread; sum / n would leave rounding noise in both (0.1 × 3 / 3 = 0.10000000000000002).
    if (std::all_of(samples.begin(), samples.end(),
                    [&](double x) { return x == samples.front(); })) {
        e.mean = samples.front();
        return e;
    }
    double sum = 0;
    for (double x : samples)
        sum += x;
    e.mean = sum / e.n;
    if (e.n < 2) return e;
    double ss = 0;
    for (double x : samples)
        ss += (x - e.mean) * (x - e.mean);
    const double sd = std::sqrt(ss / (e.n - 1));
    e.half_width = t_quantile(confidence, e.n - 1) * sd / std::sqrt(e.n);
    return e;
}

} // namespace statesim
