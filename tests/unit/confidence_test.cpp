#include <doctest/doctest.h>

#include <cmath>

#include "statesim/stats/confidence.hpp"

using namespace statesim;

TEST_CASE("Student t quantiles match tables") {
    CHECK(t_quantile(0.95, 4) == doctest::Approx(2.776).epsilon(1e-3));
    CHECK(t_quantile(0.95, 9) == doctest::Approx(2.262).epsilon(1e-3));
    CHECK(t_quantile(0.95, 1000) == doctest::Approx(1.962).epsilon(1e-3));
}

TEST_CASE("mean and half-width over replications") {
    const Estimate e = estimate({1, 2, 3, 4, 5});
    CHECK(e.mean == 3);
    // sd = sqrt(2.5), t(0.975, 4) = 2.7764
    CHECK(e.half_width == doctest::Approx(2.7764 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-3));
    CHECK(estimate({7}).half_width == 0);
    // Identical replications: exactly their value and no spread (sum / n gave
    // 0.10000000000000002 and a half-width of 4e-17 for three copies of 0.1).
    const Estimate same = estimate({0.1, 0.1, 0.1});
    CHECK(same.mean == 0.1);
    CHECK(same.half_width == 0);
    CHECK(estimate({}).n == 0);
}
