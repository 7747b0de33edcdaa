#include "statesim/stats/analytic.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Dense>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/toms748_solve.hpp>

namespace statesim::analytic {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double clamp01(double p) {
    return std::isnan(p) ? p : std::clamp(p, 0.0, 1.0);
}

// The model's k = max(1, int(X)), kept inside int.
int session_length(double x) {
    if (!(x >= 1)) return 1;
    if (x >= static_cast<double>(std::numeric_limits<int>::max()))
        return std::numeric_limits<int>::max();
    return static_cast<int>(x);
}

// Averages f(k) over the session lengths of a constant or empirical distribution; NaN for the
// other kinds (geometric has its own closed forms).
template <class F> double over_lengths(const Distribution &d, F f) {
    if (d.kind == Distribution::Kind::constant) return f(session_length(d.mean));
    if (d.kind == Distribution::Kind::empirical && d.samples && !d.samples->empty()) {
        double sum = 0;
        for (double x : *d.samples)
            sum += f(session_length(x));
        return sum / static_cast<double>(d.samples->size());
    }
    return kNaN;
}

bool geometric(const Distribution &d) {
    return d.kind == Distribution::Kind::geometric;
}
double geometric_p(const Distribution &d) {
    return 1.0 / std::max(d.mean, 1.0);
}

// P(Bin(n, w) >= m).
double binomial_at_least(int n, double w, int m) {
    if (m <= 0) return 1;
    if (m > n || w <= 0) return 0;
    if (w >= 1) return 1;
    return clamp01(boost::math::ibeta(m, n - m + 1, w));
}

// P(Bin(n, w) <= m - 1) = 1 - P(Bin(n, w) >= m), computed directly for relative accuracy.
double binomial_below(int n, double w, int m) {
    if (m <= 0) return 0;
    if (m > n || w <= 0) return 1;
    if (w >= 1) return 0;
    return clamp01(boost::math::ibetac(m, n - m + 1, w));
}

} // namespace

double erlang_c(int c, double a) {
    if (a <= 0) return 0;
    if (a >= c) return 1;
    // Erlang B by the stable recursion, then C from B.
    double b = 1.0;
    for (int k = 1; k <= c; ++k)
        b = a * b / (k + a * b);
    const double rho = a / c;
    return clamp01(b / (1 - rho + rho * b));
}

double mmc_response_time(double lambda, double mean_service, int c) {
    const double a = lambda * mean_service;
    if (a >= c) return std::numeric_limits<double>::infinity();
    const double mu = 1 / mean_service;
    return erlang_c(c, a) / (c * mu - lambda) + mean_service;
}

double mg1_response_time(double lambda, double es, double var) {
    const double rho = lambda * es;
    if (rho >= 1) return std::numeric_limits<double>::infinity();
    const double es2 = var + es * es;
    return lambda * es2 / (2 * (1 - rho)) + es;
}

double mgc_response_time(double lambda, double es, double var, int c) {
    if (c == 1) return mg1_response_time(lambda, es, var);
    const double wq = mmc_response_time(lambda, es, c) - es;
    if (!std::isfinite(wq)) return wq;
    if (wq <= 0) return es; // no waiting at all (lambda = 0)
    return es + wq * (1 + var / (es * es)) / 2;
}

ErlangM1 erlang_m1(int k, double lambda, double mean_service) {
    const double rho = lambda * mean_service;
    if (!(lambda > 0) || !(mean_service > 0)) return {0, std::max(0.0, mean_service)};
    if (rho >= 1 || k < 1) return {1, std::numeric_limits<double>::infinity()};
    // Solved for x = 1 - sigma (so sigma near 1, at rho near 1, keeps its relative accuracy):
    // x = 1 - A*(mu x), whose root x = 0 is divided out: h(x) = (1 - A*(mu x)) / x - 1. As
    // 1 - A*(s) is concave in s, h falls from 1/rho - 1 > 0 (x -> 0) to -A*(mu) <= 0 (x = 1):
    // one root, bracketed. With y = mu x / (k lambda), 1 - A* = 1 - (1 + y)^-k, taken as
    // -expm1(-k log1p(y)) for tiny x.
    const double kd = k;
    const auto h = [&](double x) {
        if (x <= 0) return 1 / rho - 1;
        return -std::expm1(-kd * std::log1p(x / (kd * rho))) / x - 1;
    };
    std::uintmax_t iterations = 200;
    const double h0 = h(0), h1 = h(1);
    double x = 1;
    if (h1 < 0) {
        const auto [lo, hi] = boost::math::tools::toms748_solve(
            h, 0.0, 1.0, h0, h1, boost::math::tools::eps_tolerance<double>(), iterations);
        x = (lo + hi) / 2;
    }
    // h(1) = 0 only when A*(mu) underflows: sigma below the smallest double.
    if (!(x > 0)) return {1, std::numeric_limits<double>::infinity()};
    return {clamp01(1 - x), mean_service / x};
}

namespace {

// 1/(e^t - 1) - 1/t + 1/2, smooth through t = 0 (where it is t/12 - t^3/720 + ...).
double bernoulli_rest(double t) {
    if (std::abs(t) < 1e-3) return t / 12 - t * t * t / 720;
    return 1 / std::expm1(t) - 1 / t + 0.5;
}

// log sum_{j=0}^{m} e^(j x): a geometric sum in logs, for either sign of x.
double log_geometric_sum(double x, double m) {
    if (x == 0) return std::log(m + 1);
    if (x < 0) return std::log(std::expm1((m + 1) * x) / std::expm1(x));
    return m * x + std::log(std::expm1(-(m + 1) * x) / std::expm1(-x));
}

// Mean of j under the weights e^(j x), j = 0..m. The textbook 1/(e^-x - 1) - (m+1)/(e^-y - 1)
// (y = (m+1) x) cancels catastrophically near x = 0; with the 1/x parts taken out analytically
// it is m/2 + g(-x) - (m+1) g(-y), g = bernoulli_rest, accurate for any x and m.
double geometric_mean_index(double x, double m) {
    if (x == 0) return m / 2;
    return m / 2 + bernoulli_rest(-x) - (m + 1) * bernoulli_rest(-(m + 1) * x);
}

} // namespace

FiniteQueue mmck(double lambda, double mean_service, int c, int capacity) {
    FiniteQueue r;
    if (lambda <= 0 || capacity <= 0) {
        r.blocking = capacity <= 0 ? 1 : 0;
        r.response_time = mean_service;
        return r;
    }
    if (!(mean_service > 0)) return r; // no service time: nothing ever waits
    c = std::min(c, capacity);         // servers beyond the capacity never serve
    // Birth-death chain: p_k = p_{k-1} lambda / (mu min(k, c)). Relative to p_c, in logs: the
    // states below c one by one, the queue states c..K a geometric run of ratio
    // r = lambda / (c mu) summed in closed form, so any K costs O(c) (queue_limit reaches 1e8).
    // Every term is positive, so no probability can come out negative (an LU solve of pi Q = 0
    // gave -6e-20 blocking at light load); terms far below the largest underflow to 0.
    const double log_a = std::log(lambda * mean_service);      // log(lambda / mu)
    const double x = log_a - std::log(static_cast<double>(c)); // log r
    const double m = capacity - c;                             // queue places
    std::vector<double> head(static_cast<std::size_t>(c));     // log p_k / p_c, k < c
    double next = 0;
    for (int k = c - 1; k >= 0; --k) {
        next -= log_a - std::log(static_cast<double>(k + 1));
        head[static_cast<std::size_t>(k)] = next;
    }
    const double log_tail = log_geometric_sum(x, m);
    double top = log_tail;
    for (double lp : head)
        top = std::max(top, lp);
    double sum = std::exp(log_tail - top), mean = sum * (c + geometric_mean_index(x, m));
    for (int k = 0; k < c; ++k) {
        const double p = std::exp(head[static_cast<std::size_t>(k)] - top);
        sum += p;
        mean += k * p;
    }
    r.blocking = clamp01(std::exp(m * x - top) / sum);
    r.mean_in_system = mean / sum;
    r.response_time = r.mean_in_system / (lambda * (1 - r.blocking)); // Little's law
    return r;
}

namespace {

// P(X > t) and E[X; X > t] for a quantity of the given kind and parameters (as prepare()
// derives them); NaN for kinds without a closed form here.
struct Tail {
    double probability = kNaN, mean = kNaN;
};

Tail exponential_tail(double m, double t) {
    const double e = std::exp(-t / m);
    return {e, (t + m) * e};
}

// P(N(0,1) > z).
double normal_tail(double z) {
    return 0.5 * std::erfc(z / std::sqrt(2.0));
}

Tail tail_of(const Distribution &d, double t) {
    const double m = d.expected();
    if (t <= 0) return {1, m};
    switch (d.kind) {
    case Distribution::Kind::constant:
        return d.mean > t ? Tail{1, m} : Tail{0, 0};
    case Distribution::Kind::exponential:
        return exponential_tail(m, t);
    case Distribution::Kind::lognormal: {
        const double s2 = std::log1p(d.cv * d.cv), s = std::sqrt(s2);
        const double z = (std::log(t) - (std::log(m) - s2 / 2)) / s;
        return {normal_tail(z), m * normal_tail(z - s)};
    }
    case Distribution::Kind::uniform: {
        if (t >= d.max) return {0, 0};
        const double lo = std::max(t, d.min), width = d.max - d.min;
        if (!(width > 0)) return {1, m};
        return {(d.max - lo) / width, (d.max * d.max - lo * lo) / (2 * width)};
    }
    case Distribution::Kind::erlang: {
        const double x = d.k * t / m; // rate k/m
        return {boost::math::gamma_q(d.k, x), m * boost::math::gamma_q(d.k + 1, x)};
    }
    case Distribution::Kind::hyperexp: { // the sampler's two balanced phases
        const double c2 = d.cv * d.cv, p = 0.5 * (1 + std::sqrt((c2 - 1) / (c2 + 1)));
        const Tail a = exponential_tail(m / (2 * p), t), b = exponential_tail(m / (2 * (1 - p)), t);
        return {p * a.probability + (1 - p) * b.probability, p * a.mean + (1 - p) * b.mean};
    }
    case Distribution::Kind::weibull: {
        const double scale = m / std::tgamma(1 + 1 / d.shape), x = std::pow(t / scale, d.shape);
        return {std::exp(-x), m * boost::math::gamma_q(1 + 1 / d.shape, x)};
    }
    case Distribution::Kind::pareto: {
        const double xm = m * (d.shape - 1) / d.shape;
        if (t <= xm) return {1, m};
        return {std::pow(xm / t, d.shape), m * std::pow(xm / t, d.shape - 1)};
    }
    case Distribution::Kind::empirical: {
        if (!d.samples || d.samples->empty()) return {};
        double above = 0, sum = 0;
        for (double x : *d.samples)
            if (x > t) ++above, sum += x;
        const auto n = static_cast<double>(d.samples->size());
        return {above / n, sum / n};
    }
    case Distribution::Kind::geometric:
        break;
    }
    return {};
}

} // namespace

double tail_probability(const Distribution &d, double t) {
    return clamp01(tail_of(d, t).probability);
}

double tail_mean_share(const Distribution &d, double t) {
    const double m = d.expected();
    if (!(m > 0)) return 0;
    return clamp01(tail_of(d, t).mean / m);
}

double session_requests_mean(const Distribution &d) {
    if (geometric(d)) return 1 / geometric_p(d);
    return over_lengths(d, [](int k) { return static_cast<double>(k); });
}

double session_requests_second_moment(const Distribution &d) {
    if (geometric(d)) {
        const double p = geometric_p(d);
        return (2 - p) / (p * p);
    }
    return over_lengths(d, [](int k) { return static_cast<double>(k) * k; });
}

double every_later_request(const Distribution &d, double x) {
    x = std::clamp(x, 0.0, 1.0);
    if (geometric(d)) {
        const double p = geometric_p(d);
        return clamp01(p / (1 - (1 - p) * x));
    }
    return clamp01(over_lengths(d, [x](int k) { return std::pow(x, k - 1); }));
}

double requests_until_first_failure(const Distribution &d, double x) {
    x = std::clamp(x, 0.0, 1.0);
    if (geometric(d)) {
        // 1 + sum_{j>=2} P(k >= j) x^(j-2) with P(k >= j) = (1-p)^(j-1).
        const double q = 1 - geometric_p(d);
        return 1 + q / (1 - q * x);
    }
    return over_lengths(d, [x](int k) {
        if (x >= 1) return static_cast<double>(k);
        return 1 + (1 - std::pow(x, k - 1)) / (1 - x);
    });
}

double at_least_writes(const Distribution &d, double w, int m) {
    w = std::clamp(w, 0.0, 1.0);
    if (m <= 0) return 1;
    if (geometric(d)) {
        // From a fresh request the session reaches a write w.p. r = w / (1 - (1-w)(1-p)); after
        // a write it needs one more request (1-p) and then a write again: P = r ((1-p) r)^(m-1).
        const double q = 1 - geometric_p(d);
        const double r = w / (1 - (1 - w) * q);
        return clamp01(r * std::pow(q * r, m - 1));
    }
    return clamp01(over_lengths(d, [w, m](int k) { return binomial_at_least(k, w, m); }));
}

double requests_until_writes(const Distribution &d, double w, int m) {
    w = std::clamp(w, 0.0, 1.0);
    if (m <= 0) return 1;
    if (geometric(d)) {
        // sum_{n>=0} (1-p)^n P(Bin(n, w) <= m-1); with sum_n q^n P(Bin(n,w) = i) =
        // (qw)^i / D^(i+1), D = 1 - q(1-w), the sum is (1 - (qw/D)^m) / (D - qw) and D - qw = p.
        const double p = geometric_p(d), q = 1 - p;
        const double ratio = q * w / (1 - q * (1 - w));
        return (1 - std::pow(ratio, m)) / p;
    }
    return over_lengths(d, [w, m](int k) {
        // sum_{n=0}^{k-1} P(Bin(n, w) <= m-1): 1 while n < m, then decreasing in n.
        if (w <= 0 || k <= m) return static_cast<double>(k);
        if (w >= 1) return static_cast<double>(m);
        double sum = m;
        for (int n = m; n < k; ++n) {
            const double term = binomial_below(n, w, m);
            sum += term;
            if (term < 1e-17) break;
            if (n - m > 10'000'000) return kNaN; // too long to sum here
        }
        return sum;
    });
}

TokenWrites token_writes(const Distribution &d, double w, int m, bool ends) {
    const TokenWrites none{kNaN, kNaN, kNaN};
    w = std::clamp(w, 0.0, 1.0);
    if (m <= 0 || m > 100'000) return none;
    const bool geo = geometric(d);
    const double q = geo ? 1 - geometric_p(d) : 0;
    int longest = 0; // constant or empirical: the longest session
    if (!geo) {
        const auto note_longest = [&](int k) {
            longest = std::max(longest, k);
            return 0.0;
        };
        if (std::isnan(over_lengths(d, note_longest))) return none;
    }
    // pi[c]: the share of sessions whose j-th request carries c writes (those still going).
    // Per request j: the mass served, the writes it carries and its own writes (a write from
    // c = m - 1 is the rejected one); cumulated per length for constant/empirical lengths,
    // weighted by P(k >= j) = q^(j-1) for geometric ones.
    std::vector<double> pi(static_cast<std::size_t>(m), 0.0), next(pi.size());
    pi[0] = 1;
    struct Sums {
        double served = 0, carried = 0, written = 0, rejected = 0;
    };
    std::vector<Sums> cumulated;
    Sums sum;
    double survive = 1;
    // Request j carries at most j - 1 writes: only pi[0 .. min(j, m) - 1] is ever non-zero.
    // At most ~2e8 steps; a longer sum gives up (NaN) rather than stop short.
    constexpr double kMaxSteps = 2e8;
    double steps = 0;
    for (int j = 1;; ++j) {
        const std::size_t reach = std::min(pi.size(), static_cast<std::size_t>(j));
        steps += static_cast<double>(reach);
        if (steps > kMaxSteps) return none;
        double alive = 0, carried = 0;
        for (std::size_t c = 0; c < reach; ++c) {
            alive += pi[c];
            carried += pi[c] * static_cast<double>(c);
        }
        const double rejected = w * pi.back();
        sum.served += survive * (alive - rejected);
        sum.carried += survive * (carried - rejected * static_cast<double>(m - 1));
        sum.written += survive * (w * alive - rejected);
        sum.rejected += survive * rejected;
        if (!geo) {
            cumulated.push_back(sum);
            if (j >= longest) break;
        } else {
            survive *= q;
            if (survive * alive < 1e-15) break;
        }
        std::fill(next.begin(),
                  next.begin() + static_cast<std::ptrdiff_t>(std::min(pi.size(), reach + 1)), 0.0);
        for (std::size_t c = 0; c < reach; ++c) {
            next[c] += (1 - w) * pi[c];
            if (c + 1 < pi.size())
                next[c + 1] += w * pi[c];
            else if (!ends)
                next[0] += w * pi[c]; // starts over with an empty token
        }
        pi.swap(next);
    }
    if (!geo) {
        const auto mean_of = [&](double Sums::*field) {
            return over_lengths(d, [&](int k) {
                const auto j = static_cast<std::size_t>(
                    std::clamp(k, 1, static_cast<int>(cumulated.size())) - 1);
                return cumulated[j].*field;
            });
        };
        sum = {mean_of(&Sums::served), mean_of(&Sums::carried), mean_of(&Sums::written),
               mean_of(&Sums::rejected)};
    }
    if (!(sum.served > 0)) return none;
    return {sum.carried / sum.served, sum.written / sum.served,
            sum.rejected / (sum.served + sum.rejected)};
}

MachineRepair machine_repair(int nodes, double mtbf, double mttr, int repairmen) {
    MachineRepair r;
    if (nodes <= 0) {
        r.distribution = {1.0};
        return r;
    }
    const auto n = static_cast<Eigen::Index>(nodes);
    r.distribution.assign(static_cast<std::size_t>(nodes) + 1, 0.0);
    const double lambda = std::isfinite(mtbf) && mtbf > 0 ? 1 / mtbf : 0;
    if (lambda == 0 || !(mttr > 0)) {
        r.distribution.back() = 1;
        r.mean_up = nodes;
        r.availability = 1;
        return r;
    }
    const double mu = 1 / mttr;
    const int crews = std::clamp(repairmen, 1, nodes);
    // State k = nodes up. Rates divided by lambda + mu: the same chain, entries of order one.
    const double scale = lambda + mu;
    Eigen::MatrixXd q = Eigen::MatrixXd::Zero(n + 1, n + 1);
    for (Eigen::Index k = 0; k <= n; ++k) {
        if (k > 0) q(k, k - 1) = static_cast<double>(k) * lambda / scale;
        if (k < n)
            q(k, k + 1) = static_cast<double>(std::min<Eigen::Index>(n - k, crews)) * mu / scale;
        q(k, k) = -q.row(k).sum();
    }
    // pi Q = 0 is Q^T pi^T = 0; one equation is redundant: replace it by sum pi = 1.
    Eigen::MatrixXd a = q.transpose();
    a.row(n).setOnes();
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n + 1);
    b(n) = 1;
    const Eigen::VectorXd pi = a.fullPivLu().solve(b);
    double sum = 0;
    for (Eigen::Index k = 0; k <= n; ++k)
        sum += r.distribution[static_cast<std::size_t>(k)] = std::max(0.0, pi(k));
    for (Eigen::Index k = 0; k <= n; ++k) {
        double &p = r.distribution[static_cast<std::size_t>(k)];
        p /= sum;
        r.mean_up += static_cast<double>(k) * p;
    }
    r.availability = clamp01(1 - r.distribution[0]);
    return r;
}

ReplacedNodes replaced_nodes(int nodes, double mtbf, double boot, double interval,
                             int unhealthy_threshold) {
    ReplacedNodes r;
    const int n = std::max(nodes, 0);
    if (n == 0) return r;
    if (!(std::isfinite(mtbf) && mtbf > 0)) {
        r.healthy = 1;
        r.mean_serving = n;
        r.availability = 1;
        return r;
    }
    const double m = mtbf, b = std::max(boot, 0.0), i = std::max(interval, 0.0);
    const double x = i / m;
    // P(L < C) = 1 - (1 - e^(-x))/x; E[min(C, L)] = m P(L < C); E[R] = i/(1 - e^(-x)) - m.
    const double early = x > 0 ? clamp01(1 + std::expm1(-x) / x) : 0.0;
    const double initial = m * early;
    const double residual = x > 0 ? std::max(0.0, -i / std::expm1(-x) - m) : 0.0;
    const double more = std::max(unhealthy_threshold - 1, 0) * i; // the later failing probes
    const double dead_healthy = (1 - early) * (residual + more);
    const double dead_initial = std::max(0.0, i / 2 - initial) + early * more;
    const double cycle = m + dead_healthy + dead_initial + b;
    r.healthy = (m - initial) / cycle;
    r.initial = initial / cycle;
    r.dead_healthy = dead_healthy / cycle;
    r.dead_initial = dead_initial / cycle;
    r.booting = b / cycle;
    r.down = dead_healthy + dead_initial + b;
    const double not_healthy = r.initial + r.dead_healthy + r.dead_initial + r.booting;
    const double unblocked = r.initial + r.dead_initial + r.booting; // no slot H or X
    const double dead = r.dead_initial + r.booting;
    r.mean_serving = n * r.healthy + n * r.initial * std::pow(unblocked, n - 1);
    r.availability =
        clamp01(1 - std::pow(not_healthy, n) + std::pow(unblocked, n) - std::pow(dead, n));
    return r;
}

double sticky_loss_probability(int requests, double think, double mttf) {
    if (requests <= 1 || !(think > 0) || !(mttf > 0) || std::isinf(mttf)) return 0;
    // 1 - (1 + think/mttf)^-(k-1), accurate when think/mttf is tiny.
    return clamp01(-std::expm1(-(requests - 1) * std::log1p(think / mttf)));
}

double sticky_loss_probability_geometric(double mean_requests, double think, double mttf) {
    const double m = std::max(mean_requests, 1.0);
    if (!(think > 0) || !(mttf > 0) || std::isinf(mttf)) return 0;
    return clamp01((m - 1) * think / (m * think + mttf));
}

int target_tracking_nodes(double lambda, double mean_service, int workers, double target,
                          int min_nodes, int max_nodes) {
    const double load = std::max(0.0, lambda * mean_service); // busy workers, on average
    if (std::isnan(load) || !(target > 0)) return std::max(min_nodes, max_nodes);
    const double exact = load / (std::max(workers, 1) * target);
    double nodes = std::ceil(exact * (1 - 1e-12));
    nodes = std::min(nodes, static_cast<double>(std::numeric_limits<int>::max()));
    return std::clamp(static_cast<int>(nodes), min_nodes, std::max(min_nodes, max_nodes));
}

} // namespace statesim::analytic
