#include <doctest/doctest.h>

#include "statesim/stats/analytic.hpp"

using namespace statesim;

TEST_CASE("Erlang C with c = 25 and a = 20 gives W = 1.0418 E(S)") {
    const double es = 0.01;
    CHECK(analytic::mmc_response_time(20 / es, es, 25) / es ==
          doctest::Approx(1.0418).epsilon(1e-4));
}

TEST_CASE("M/M/1 and P-K agree for exponential service") {
    const double lambda = 40, es = 0.02;
    CHECK(analytic::mmc_response_time(lambda, es, 1) == doctest::Approx(es / (1 - 0.8)));
    CHECK(analytic::mg1_response_time(lambda, es, es * es) == doctest::Approx(es / (1 - 0.8)));
    // M/D/1: half the waiting of M/M/1.
    CHECK(analytic::mg1_response_time(lambda, es, 0) == doctest::Approx(es + 0.5 * 0.08));
}

TEST_CASE("M/M/c/K tends to M/M/c as K grows and blocks like Erlang B when K = c") {
    const auto big = analytic::mmck(300, 0.01, 4, 400);
    CHECK(big.response_time ==
          doctest::Approx(analytic::mmc_response_time(300, 0.01, 4)).epsilon(1e-6));
    CHECK(big.blocking < 1e-12);
    // K = c = 1: blocking = a / (1 + a).
    const auto loss = analytic::mmck(1, 1, 1, 1);
    CHECK(loss.blocking == doctest::Approx(0.5));
}
