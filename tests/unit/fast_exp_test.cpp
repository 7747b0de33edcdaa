#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <limits>

#include "statesim/engine/fast_exp.hpp"
#include "statesim/engine/random.hpp"

using namespace statesim;

namespace {
// The error of `got` in units of the last place of the exact value (long double reference).
double ulp_error(double got, long double exact) {
    const double nearest = static_cast<double>(exact);
    const double ulp = std::nextafter(nearest, INFINITY) - nearest;
    return static_cast<double>(std::fabs(static_cast<long double>(got) - exact) / ulp);
}
} // namespace

TEST_CASE("fast_exp is within glibc's 0.51 ulp over the range samples use") {
    static_assert(LDBL_MANT_DIG >= 64, "the reference needs an extended long double");
    Rng rng(7, "fast_exp");
    double worst = 0;
    int off_by_one = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        // Lognormal arguments are log(mean) + sigma z: mostly within [-25, 5]; cover [-500, 500].
        const double x = i % 10 == 0 ? 1000 * rng.uniform() - 500 : 30 * rng.uniform() - 25;
        const double got = fast_exp(x);
        const long double exact = std::exp(static_cast<long double>(x));
        worst = std::max(worst, ulp_error(got, exact));
        off_by_one += got != static_cast<double>(exact);
    }
    CHECK(worst < 0.52);
    // Correctly rounded in all but a handful: a wrong table or constant shows here first.
    CHECK(off_by_one < n / 1000);
}

TEST_CASE("fast_exp's exact points and the range it leaves to std::exp") {
    CHECK(fast_exp(0.0) == 1.0);
    CHECK(fast_exp(-0.0) == 1.0);
    CHECK(fast_exp(1.0) == 0x1.5bf0a8b145769p+1); // e, correctly rounded
    CHECK(fast_exp(std::log(2.0) * 10) == doctest::Approx(1024.0).epsilon(1e-15));
    CHECK(fast_exp(1e-300) == 1.0);
    CHECK(fast_exp(800.0) == std::numeric_limits<double>::infinity());
    CHECK(fast_exp(-800.0) == 0.0);
    CHECK(fast_exp(-std::numeric_limits<double>::infinity()) == 0.0);
    CHECK(std::isnan(fast_exp(std::numeric_limits<double>::quiet_NaN())));
    CHECK(fast_exp(-511.0) > 0.0); // the last argument it computes itself: no underflow
    CHECK(fast_exp(511.0) == doctest::Approx(std::exp(511.0)).epsilon(1e-15));
}
