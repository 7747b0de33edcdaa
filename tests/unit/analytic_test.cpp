#include <doctest/doctest.h>

#include <cmath>
#include <limits>

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

TEST_CASE("E_k/M/1 (round robin's per-node queue): M/M/1 at k = 1, E_2/M/1 by hand") {
    // k = 1: Poisson arrivals, sigma = rho and W = E[S] / (1 - rho), up to heavy traffic.
    for (double rho : {0.1, 0.5, 0.7, 0.9999}) {
        const auto q = analytic::erlang_m1(1, rho, 1);
        CHECK(within_rel(q.sigma, rho, 1e-12));
        CHECK(within_rel(q.response_time, analytic::mmc_response_time(rho, 1, 1), 1e-9));
    }
    // k = 2, two nodes sharing lambda = 1.6/s, mu = 1/s each (rho = 0.8): sigma solves
    // sigma (a + mu (1 - sigma))^2 = a^2 with a = 2 x 0.8 = lambda (each phase's rate). The
    // cubic has the root sigma = 1; dividing it out leaves mu^2 sigma^2 - (2a mu + mu^2) sigma +
    // a^2 = 0, whose root in (0, 1) is (2a + mu - sqrt(mu^2 + 4 a mu)) / (2 mu) = (4.2 - sqrt(7.4))
    // / 2 here. W = E[S] / (1 - sigma).
    for (double rho : {0.8, 0.5, 0.9999}) {
        const double mu = 1, a = 2 * rho * mu;
        const double sigma = (2 * a + mu - std::sqrt(mu * mu + 4 * a * mu)) / (2 * mu);
        const auto q = analytic::erlang_m1(2, rho * mu, 1 / mu);
        INFO("rho ", rho, ": sigma ", q.sigma, " by hand ", sigma);
        CHECK(within_rel(q.sigma, sigma, 1e-12));
        CHECK(within_rel(q.response_time, 1 / (mu * (1 - sigma)), 1e-9));
        CHECK(q.response_time < analytic::mmc_response_time(rho * mu, 1 / mu, 1)); // < M/M/1
    }
    CHECK(within_rel(analytic::erlang_m1(2, 0.8, 1).sigma, (4.2 - std::sqrt(7.4)) / 2, 1e-12));
}

TEST_CASE("E_k/M/1 matches a high-precision fixed point, tends to D/M/1, and saturates") {
    // sigma_{n+1} = A*(mu (1 - sigma_n)) from sigma_0 = 0 rises to the smallest fixed point,
    // the root in (0, 1): iterated in long double until it stops moving.
    for (int k : {3, 5, 16})
        for (double rho : {0.3, 0.7, 0.95}) {
            const long double mu = 3, lambda = rho * 3; // per node
            long double sigma = 0, last = -1;
            for (int i = 0; i < 1000000 && sigma != last; ++i) {
                last = sigma;
                sigma = std::pow(k * lambda / (k * lambda + mu * (1 - sigma)), k);
            }
            const auto q =
                analytic::erlang_m1(k, static_cast<double>(lambda), static_cast<double>(1 / mu));
            INFO("k ", k, ", rho ", rho, ": sigma ", q.sigma, " iterated ",
                 static_cast<double>(sigma));
            CHECK(within_rel(q.sigma, static_cast<double>(sigma), 1e-12));
            CHECK(within_rel(q.response_time, static_cast<double>(1 / (mu * (1 - sigma))), 1e-11));
        }
    // D/M/1 (k -> infinity): sigma = e^(-(1 - sigma) / rho), 0.2032 at rho = 0.5 (the textbook
    // value); E_k approaches it with an O(1/k) error (2e-5 relative at k = 1e5).
    double d = 0;
    for (int i = 0; i < 2000; ++i)
        d = std::exp(-(1 - d) / 0.5);
    CHECK(d == doctest::Approx(0.2032).epsilon(1e-4));
    CHECK(within_rel(analytic::erlang_m1(100000, 0.5, 1).sigma, d, 1e-4));
    // No load: nothing waits; rho >= 1: every arrival waits, W infinite.
    CHECK(analytic::erlang_m1(3, 0, 0.02).sigma == 0);
    CHECK(analytic::erlang_m1(3, 0, 0.02).response_time == 0.02);
    CHECK(analytic::erlang_m1(3, 50, 0.02).sigma == 1);
    CHECK(std::isinf(analytic::erlang_m1(3, 60, 0.02).response_time));
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

namespace {

// P(Bin(n, p) = k) by lgamma, for the independent-repair closed form.
double binomial_pmf(int n, int k, double p) {
    return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) +
                    k * std::log(p) + (n - k) * std::log1p(-p));
}

} // namespace

TEST_CASE("machine repair with independent repairs is binomial with p = mu / (lambda + mu)") {
    for (const int n : {1, 2, 5, 40}) {
        const double mtbf = 3600, mttr = 300; // lambda = 1/3600, mu = 1/300
        const double p = (1 / mttr) / (1 / mtbf + 1 / mttr);
        const auto r = analytic::machine_repair(n, mtbf, mttr, n);
        REQUIRE(r.distribution.size() == static_cast<std::size_t>(n) + 1);
        double sum = 0;
        for (int k = 0; k <= n; ++k) {
            const double want = binomial_pmf(n, k, p);
            CAPTURE(n);
            CAPTURE(k);
            CHECK(std::abs(r.distribution[static_cast<std::size_t>(k)] - want) <=
                  1e-12 + 1e-9 * want);
            sum += r.distribution[static_cast<std::size_t>(k)];
        }
        CHECK(std::abs(sum - 1) < 1e-12);
        CHECK(within_rel(r.mean_up, n * p, 1e-12));
        CHECK(std::abs(r.availability - (1 - std::pow(1 - p, n))) < 1e-12);
        CHECK(r.availability <= 1);
    }
    // More crews than nodes are the same as one per node.
    const auto extra = analytic::machine_repair(3, 10, 1, 9),
               exact = analytic::machine_repair(3, 10, 1, 3);
    for (std::size_t k = 0; k <= 3; ++k)
        CHECK(std::abs(extra.distribution[k] - exact.distribution[k]) < 1e-15);
}

TEST_CASE("machine repair with one repairman: n = 2 by hand") {
    // lambda = 1, mu = 2. Balance: pi1 lambda = pi0 mu, pi2 2 lambda = pi1 mu, so
    // pi0 : pi1 : pi2 = 1 : 2 : 2 = (0.2, 0.4, 0.4).
    const auto r = analytic::machine_repair(2, 1.0, 0.5, 1);
    REQUIRE(r.distribution.size() == 3);
    CHECK(within_rel(r.distribution[0], 0.2, 1e-12));
    CHECK(within_rel(r.distribution[1], 0.4, 1e-12));
    CHECK(within_rel(r.distribution[2], 0.4, 1e-12));
    CHECK(within_rel(r.mean_up, 1.2, 1e-12));
    CHECK(within_rel(r.availability, 0.8, 1e-12));
    // Independent repair (2 crews) on the same chain: binomial p = 2/3, P(all down) = 1/9.
    const auto two = analytic::machine_repair(2, 1.0, 0.5, 2);
    CHECK(within_rel(two.availability, 8.0 / 9, 1e-12));
    CHECK(within_rel(two.mean_up, 4.0 / 3, 1e-12));
    // Rates of a real fleet (MTBF 30 days, MTTR 5 min): one crew is worse, never better.
    const auto one = analytic::machine_repair(4, 30 * 86400.0, 300, 1),
               four = analytic::machine_repair(4, 30 * 86400.0, 300, 4);
    CHECK(one.mean_up < four.mean_up);
    CHECK(one.availability <= four.availability);
    CHECK(four.availability > 1 - 1e-12);
}

TEST_CASE("machine repair degenerate cases: no nodes, instant repair, no failures") {
    const auto none = analytic::machine_repair(0, 100, 10, 1);
    CHECK(none.availability == 0);
    CHECK(none.mean_up == 0);
    const auto instant = analytic::machine_repair(3, 100, 0, 1);
    CHECK(instant.availability == 1);
    CHECK(instant.mean_up == 3);
    CHECK(instant.distribution[3] == 1);
    const auto immortal =
        analytic::machine_repair(3, std::numeric_limits<double>::infinity(), 10, 1);
    CHECK(immortal.availability == 1);
    CHECK(immortal.mean_up == 3);
}

TEST_CASE("replaced nodes: one node is down from its crash to its replacement's boot") {
    // mtbf 600 s, boot 30 s, probes every 10 s, 2 failing ones detect. x = 10/600.
    const double m = 600, x = 10 / m, early = 1 - (1 - std::exp(-x)) / x;
    const double residual = 10 / (1 - std::exp(-x)) - m; // next probe after a healthy node dies
    const double cycle = m + 30 + (1 - early) * (residual + 10) + (5 - m * early) + early * 10;
    CHECK(within_rel(cycle, 645, 1e-4)); // detection 15 s + boot 30 s
    const auto one = analytic::replaced_nodes(1, m, 30, 10, 2);
    // Alone, the booted replacement is the balancer's every target (fail-open): it serves at
    // once, so the probe wait is not down time (it was 50 s in 0.1.x: 0.923077).
    CHECK(within_rel(one.availability, m / cycle, 1e-12));
    CHECK(within_rel(one.mean_serving, m / cycle, 1e-12));
    CHECK(within_rel(one.down, cycle - m, 1e-12));
    CHECK(within_rel(one.initial, m * early / cycle, 1e-12));
    CHECK(within_rel(one.healthy + one.initial + one.dead_healthy + one.dead_initial + one.booting,
                     1, 1e-12));
    // Two: an initial node serves only when no slot is healthy, nor dead but not yet detected
    // (still a healthy target, it keeps the balancer from failing open).
    const auto two = analytic::replaced_nodes(2, m, 30, 10, 2);
    const double h = (m - m * early) / cycle, i = m * early / cycle, b = 30 / cycle;
    const double y = (5 - m * early + early * 10) / cycle;
    CHECK(within_rel(two.availability,
                     1 - std::pow(1 - h, 2) + std::pow(i + y + b, 2) - std::pow(y + b, 2), 1e-12));
    CHECK(within_rel(two.mean_serving, 2 * h + 2 * i * (i + y + b), 1e-12));
    CHECK(two.availability > 0.9947);
    CHECK(two.availability < 0.9948); // 0.1.x: 0.994083
    // No health-check delays (interval 0): down for the boot alone, 1 - (30/630)^n.
    const auto instant = analytic::replaced_nodes(3, m, 30, 0, 2);
    CHECK(within_rel(instant.availability, 1 - std::pow(30.0 / 630, 3), 1e-12));
    CHECK(within_rel(instant.mean_serving, 3 * 600.0 / 630, 1e-12));
    // No failures: all serve; no nodes: none.
    const auto never =
        analytic::replaced_nodes(3, std::numeric_limits<double>::infinity(), 30, 10, 2);
    CHECK(never.availability == 1);
    CHECK(never.mean_serving == 3);
    CHECK(analytic::replaced_nodes(0, m, 30, 10, 2).availability == 0);
}

TEST_CASE("sticky-session loss under exponential crashes: 1 - (1 + think/mttf)^-(k-1)") {
    CHECK(analytic::sticky_loss_probability(1, 30, 30) == 0); // no later request
    CHECK(within_rel(analytic::sticky_loss_probability(2, 30, 30), 0.5, 1e-15));
    CHECK(within_rel(analytic::sticky_loss_probability(3, 30, 30), 0.75, 1e-15));
    CHECK(within_rel(analytic::sticky_loss_probability(11, 1, 4), 1 - std::pow(0.8, 10), 1e-14));
    // Tiny think/mttf keeps its relative accuracy: ~ (k-1) think/mttf.
    const double tiny = analytic::sticky_loss_probability(9, 1e-3, 1e9);
    CHECK(within_rel(tiny, 8e-12, 1e-9));
    CHECK(analytic::sticky_loss_probability(5, 30, std::numeric_limits<double>::infinity()) == 0);
}

TEST_CASE("sticky-session loss for geometric sessions matches the direct sum") {
    for (const double m : {1.0, 2.0, 8.0, 20.0})
        for (const double ratio : {1e-4, 0.01, 0.5, 3.0}) { // think / mttf
            const double think = 30, mttf = think / ratio;
            const double p = 1 / m;
            double sum = 0; // sum over k of P(k) P(lost | k), to where the terms vanish
            for (int k = 1; k <= 5000; ++k)
                sum +=
                    p * std::pow(1 - p, k - 1) * analytic::sticky_loss_probability(k, think, mttf);
            const double got = analytic::sticky_loss_probability_geometric(m, think, mttf);
            CAPTURE(m);
            CAPTURE(ratio);
            CHECK(std::abs(got - sum) <= 1e-12 + 1e-10 * sum);
            CHECK(within_rel(got, (m - 1) * think / (m * think + mttf), 1e-12));
        }
    // And it is 1 - E[x^(k-1)] of the session forms above, x = mttf / (mttf + think).
    Distribution geo;
    geo.kind = Distribution::Kind::geometric;
    geo.mean = 8;
    geo.prepare();
    const double x = 3600.0 / (3600 + 30);
    CHECK(within_rel(analytic::sticky_loss_probability_geometric(8, 30, 3600),
                     1 - analytic::every_later_request(geo, x), 1e-12));
    CHECK(analytic::sticky_loss_probability_geometric(1, 30, 3600) == 0);
}

TEST_CASE("target tracking settles at ceil(lambda E[S] / (workers target))") {
    // 200/s x 20 ms = 4 busy workers; 2 workers per node at 60%: 4 / 1.2 = 3.33 -> 4 nodes.
    CHECK(analytic::target_tracking_nodes(200, 0.02, 2, 0.6) == 4);
    // An exact ratio (2.4 / 1.2 = 2 up to roundoff) is not rounded up to 3.
    CHECK(analytic::target_tracking_nodes(120, 0.02, 2, 0.6) == 2);
    CHECK(analytic::target_tracking_nodes(0, 0.02, 2, 0.6) == 0);
    CHECK(analytic::target_tracking_nodes(0, 0.02, 2, 0.6, 2, 40) == 2);    // min
    CHECK(analytic::target_tracking_nodes(1e6, 0.02, 2, 0.6, 2, 40) == 40); // max
    // The fixed point of the SPEC §5 rules: from one node, desired = ceil(current x metric /
    // target) lands on it, and the proportional scale-in there, floor(current - current x
    // metric / target), removes nothing.
    for (double lambda = 1; lambda < 2000; lambda *= 1.37) {
        const double es = 0.025, target = 0.6;
        const int workers = 4;
        const int n = analytic::target_tracking_nodes(lambda, es, workers, target);
        const double util_at_one = lambda * es / workers; // may exceed 1: offered, not served
        CAPTURE(lambda);
        CHECK(n == static_cast<int>(std::ceil(1 * util_at_one / target - 1e-12)));
        const double util = lambda * es / (n * workers);
        CHECK(util <= target * (1 + 1e-12));
        const double removed = n - n * util / target; // floor of it is what scale-in removes
        CHECK(removed < 1);
        CHECK(removed > -1e-9);
    }
}

TEST_CASE("token_writes: the writes a served request's token carries, overflows counted") {
    // Three requests that all write. No overflow (m = 100): tokens carry 0, 1, 2 writes.
    const Distribution three = Distribution::constant_value(3);
    const auto open = analytic::token_writes(three, 1.0, 100, true);
    CHECK(open.carried == doctest::Approx(1.0));
    CHECK(open.written == doctest::Approx(1.0));
    // m = 2: the second write overflows, so request 2 is rejected (not served). The session
    // ends there (served: request 1, carrying 0) or starts over (served: 1 and 3, carrying 0).
    const auto ends = analytic::token_writes(three, 1.0, 2, true);
    CHECK(ends.carried == doctest::Approx(0.0));
    CHECK(ends.written == doctest::Approx(1.0));
    const auto again = analytic::token_writes(three, 1.0, 2, false);
    CHECK(again.carried == doctest::Approx(0.0));
    // Rejected shares of the issued requests: none, 1 of 2 (ends), 1 of 3 (starts over).
    CHECK(open.rejected == 0);
    CHECK(ends.rejected == doctest::Approx(0.5));
    CHECK(again.rejected == doctest::Approx(1.0 / 3));
    // Half the requests write, m = 2, geometric lengths: memoryless, so ending and starting
    // over give the same mean; without overflow it is the closed form w (E[k^2] - E[k]) / 2E[k].
    Distribution geometric = Distribution::constant_value(8);
    geometric.kind = Distribution::Kind::geometric;
    const auto g_end = analytic::token_writes(geometric, 0.5, 2, true);
    const auto g_again = analytic::token_writes(geometric, 0.5, 2, false);
    CHECK(g_end.carried == doctest::Approx(g_again.carried));
    const double k = 8, k2 = (2 - 1 / k) * k * k;
    CHECK(analytic::token_writes(geometric, 0.5, 100'000, true).carried ==
          doctest::Approx(0.5 * (k2 - k) / (2 * k)).epsilon(1e-6));
    CHECK(std::isnan(analytic::token_writes(geometric, 0.5, 200'000, true).carried)); // too long
}

TEST_CASE("tails: P(X > t) and the share of E[X] above t by kind") {
    const auto make = [](Distribution::Kind kind, double mean) {
        Distribution d;
        d.kind = kind;
        d.mean = mean;
        return d;
    };
    // Exponential mean 1, t = 2: e^-2, and E[X; X > 2] = (2 + 1) e^-2.
    const Distribution e = Distribution::exponential_mean(1);
    CHECK(within_rel(analytic::tail_probability(e, 2), std::exp(-2.0), 1e-12));
    CHECK(within_rel(analytic::tail_mean_share(e, 2), 3 * std::exp(-2.0), 1e-12));
    // Erlang k = 2, mean 1 (rate 2), t = 1, x = 2: e^-x (1 + x) and e^-x (1 + x + x^2/2).
    Distribution er = make(Distribution::Kind::erlang, 1);
    er.k = 2;
    CHECK(within_rel(analytic::tail_probability(er, 1), 3 * std::exp(-2.0), 1e-12));
    CHECK(within_rel(analytic::tail_mean_share(er, 1), 5 * std::exp(-2.0), 1e-12));
    // Pareto shape 3, mean 1.5: x_m = 1; t = 2: (1/2)^3 and (1/2)^2.
    Distribution pa = make(Distribution::Kind::pareto, 1.5);
    pa.shape = 3;
    CHECK(within_rel(analytic::tail_probability(pa, 2), 0.125, 1e-12));
    CHECK(within_rel(analytic::tail_mean_share(pa, 2), 0.25, 1e-12));
    // Uniform [0, 2], t = 1.5: 1/4, and (2^2 - 1.5^2)/(2 x 2) / 1 = 0.4375.
    Distribution u = make(Distribution::Kind::uniform, 1);
    u.min = 0;
    u.max = 2;
    CHECK(within_rel(analytic::tail_probability(u, 1.5), 0.25, 1e-12));
    CHECK(within_rel(analytic::tail_mean_share(u, 1.5), 0.4375, 1e-12));
    // Weibull shape 1 and hyperexp cv 1 are the exponential.
    Distribution wb = make(Distribution::Kind::weibull, 1);
    CHECK(within_rel(analytic::tail_mean_share(wb, 2), 3 * std::exp(-2.0), 1e-12));
    Distribution h = make(Distribution::Kind::hyperexp, 1);
    CHECK(within_rel(analytic::tail_probability(h, 2), std::exp(-2.0), 1e-12));
    // Lognormal mean 1 ms, cv 10, t = 20 ms (the review's case): 0.678 % of the values carry
    // 37.4 % of the mean (sigma^2 = ln 101; from a separate evaluation of the normal tails).
    Distribution ln = make(Distribution::Kind::lognormal, 0.001);
    ln.cv = 10;
    CHECK(within_rel(analytic::tail_probability(ln, 0.020), 0.0067817780, 1e-8));
    CHECK(within_rel(analytic::tail_mean_share(ln, 0.020), 0.3743568916, 1e-8));
    CHECK(analytic::tail_probability(Distribution::constant_value(1), 2) == 0);
}
