#include <doctest/doctest.h>

#include <cmath>

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

TEST_CASE("M/M/c/K probabilities are never negative and keep their relative accuracy") {
    // 0.1.0 solved pi Q = 0 by LU and printed blocking -3e-20 where the truth is ~1e-900.
    const auto light = analytic::mmck(100, 0.01, 16, 528);
    CHECK(light.blocking >= 0);
    CHECK(light.blocking <= 1e-300);
    CHECK(within_rel(light.response_time, 0.01, 1e-12));
    // M/M/1/K with a = 0.01, K = 20: P(block) = (1 - a) a^K / (1 - a^(K+1)) ~ 1e-40.
    const double a = 0.01;
    CHECK(within_rel(analytic::mmck(a, 1, 1, 20).blocking,
                     (1 - a) * std::pow(a, 20) / (1 - std::pow(a, 21)), 1e-9));
    // K = c: Erlang B, here ~5e-14 (a = 1, c = 16), by its own recursion.
    double b = 1;
    for (int k = 1; k <= 16; ++k)
        b = b / (k + b);
    CHECK(within_rel(analytic::mmck(1, 1, 16, 16).blocking, b, 1e-9));
}

TEST_CASE("Erlang C stays a probability, and M/G/c reduces to its exact cases") {
    CHECK(analytic::erlang_c(4, 0) == 0);
    CHECK(analytic::erlang_c(4, 4) == 1);
    CHECK(analytic::erlang_c(4, 5) == 1);
    CHECK(std::isinf(analytic::mmc_response_time(500, 0.01, 4)));
    // Allen-Cunneen is P-K for c = 1 and M/M/c for exponential service.
    CHECK(within_rel(analytic::mgc_response_time(40, 0.02, 1e-4, 1),
                     analytic::mg1_response_time(40, 0.02, 1e-4), 1e-12));
    CHECK(within_rel(analytic::mgc_response_time(300, 0.01, 1e-4, 4),
                     analytic::mmc_response_time(300, 0.01, 4), 1e-12));
    // Deterministic service halves the M/M/c waiting.
    const double wq = analytic::mmc_response_time(300, 0.01, 4) - 0.01;
    CHECK(within_rel(analytic::mgc_response_time(300, 0.01, 0, 4), 0.01 + wq / 2, 1e-12));
}

namespace {

// Brute-force sums over k = 1..400 of P(k) f(k) for geometric(mean) session lengths.
template <class F> double geometric_sum(double mean, F f) {
    const double p = 1 / mean;
    double sum = 0;
    for (int k = 1; k <= 400; ++k) // (7/8)^400 ~ 1e-23 for mean 8
        sum += p * std::pow(1 - p, k - 1) * f(k);
    return sum;
}

// P(Bin(n, w) >= m) and E[min(n, T_m)] by explicit sums.
double binomial_at_least(int n, double w, int m) {
    double sum = 0;
    for (int i = m; i <= n; ++i)
        sum += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) +
                        i * std::log(w) + (n - i) * std::log1p(-w));
    return sum;
}
double until_writes(int k, double w, int m) {
    double sum = 0;
    for (int n = 0; n < k; ++n) // request n+1 is issued iff fewer than m writes among the first n
        sum += 1 - binomial_at_least(n, w, m);
    return sum;
}

} // namespace

TEST_CASE("session closed forms match brute-force sums") {
    const auto geo = [] {
        Distribution d;
        d.kind = Distribution::Kind::geometric;
        d.mean = 8;
        d.prepare();
        return d;
    }();
    const auto five = Distribution::constant_value(5);
    const double x = 0.3, w = 0.5;
    const int m = 14;
    CHECK(within_rel(analytic::session_requests_mean(geo), 8, 1e-12));
    CHECK(within_rel(analytic::session_requests_second_moment(geo),
                     geometric_sum(8, [](int k) { return double(k) * k; }), 1e-9));
    CHECK(within_rel(analytic::every_later_request(geo, x),
                     geometric_sum(8, [x](int k) { return std::pow(x, k - 1); }), 1e-9));
    CHECK(within_rel(analytic::requests_until_first_failure(geo, x),
                     geometric_sum(8,
                                   [x](int k) {
                                       double issued = 1; // request j >= 2 needs 2..j-1 home
                                       for (int j = 2; j <= k; ++j)
                                           issued += std::pow(x, j - 2);
                                       return issued;
                                   }),
                     1e-9));
    CHECK(within_rel(analytic::at_least_writes(geo, w, m),
                     geometric_sum(8, [w, m](int k) { return binomial_at_least(k, w, m); }), 1e-9));
    CHECK(within_rel(analytic::requests_until_writes(geo, w, 3),
                     geometric_sum(8, [w](int k) { return until_writes(k, w, 3); }), 1e-9));
    // Constant k = 5.
    CHECK(within_rel(analytic::every_later_request(five, x), std::pow(x, 4), 1e-12));
    CHECK(within_rel(analytic::requests_until_first_failure(five, x), 1 + 1 + x + x * x + x * x * x,
                     1e-12));
    CHECK(within_rel(analytic::at_least_writes(five, w, 3), binomial_at_least(5, w, 3), 1e-12));
    CHECK(within_rel(analytic::requests_until_writes(five, w, 2), until_writes(5, w, 2), 1e-12));
    CHECK(analytic::at_least_writes(five, w, 6) == 0);
    // Kinds without a closed form say so.
    Distribution uniform;
    uniform.kind = Distribution::Kind::uniform;
    uniform.min = 1;
    uniform.max = 9;
    CHECK(std::isnan(analytic::every_later_request(uniform, x)));
}
