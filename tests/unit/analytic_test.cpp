#include <doctest/doctest.h>

#include "run_model.hpp"
#include "statesim/stats/analytic.hpp"

using namespace statesim;
using test::within_rel;

TEST_CASE("Erlang C with c = 25 and a = 20 gives W = 1.0418 E(S)") {
    const double es = 0.01;
    CHECK(analytic::mmc_response_time(20 / es, es, 25) / es ==
          doctest::Approx(1.0418).epsilon(1e-4));
}

TEST_CASE("M/M/1 and P-K agree for exponential service") {
    const double lambda = 40, es = 0.02;
    CHECK(within_rel(analytic::mmc_response_time(lambda, es, 1), es / (1 - 0.8), 1e-12));
    CHECK(within_rel(analytic::mg1_response_time(lambda, es, es * es), es / (1 - 0.8), 1e-12));
    // M/D/1: half the waiting of M/M/1.
    CHECK(within_rel(analytic::mg1_response_time(lambda, es, 0), es + 0.5 * 0.08, 1e-12));
}

TEST_CASE("M/M/c/K tends to M/M/c as K grows and blocks like Erlang B when K = c") {
    const auto big = analytic::mmck(300, 0.01, 4, 400);
    CHECK(within_rel(big.response_time, analytic::mmc_response_time(300, 0.01, 4), 1e-6));
    CHECK(big.blocking < 1e-12);
    // K = c = 1: blocking = a / (1 + a).
    const auto loss = analytic::mmck(1, 1, 1, 1);
    CHECK(within_rel(loss.blocking, 0.5, 1e-12));
    // M/M/1/3 with a = 1/2: P(block) = a^3 (1 - a) / (1 - a^4) = 1/15.
    CHECK(within_rel(analytic::mmck(1, 0.5, 1, 3).blocking, 1.0 / 15, 1e-12));
}
