#include "statesim/engine/distribution.hpp"

#include <algorithm>
#include <cmath>

namespace statesim {

namespace {

// ZIGNOR (J. A. Doornik, "An improved ziggurat method to generate normal random samples",
// 2005): 128 strips of equal area under the normal density.
constexpr int kStrips = ZigguratTables::kStrips;
constexpr double kTailStart = 3.442619855899;
constexpr double kStripArea = 9.91256303526217e-3;

// Marsaglia's method for the tail beyond `start`.
double normal_tail(Rng &rng, double start, bool negative) {
    double x, y;
    do {
        x = std::log(rng.uniform_pos()) / start;
        y = std::log(rng.uniform_pos());
    } while (-2 * y < x * x);
    return negative ? x - start : start - x;
}

} // namespace

ZigguratTables::ZigguratTables() {
    double f = std::exp(-0.5 * kTailStart * kTailStart);
    x[0] = kStripArea / f; // the base strip holds the tail
    x[1] = kTailStart;
    x[kStrips] = 0;
    for (int i = 2; i < kStrips; ++i) {
        x[i] = std::sqrt(-2 * std::log(kStripArea / x[i - 1] + f));
        f = std::exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < kStrips; ++i)
        ratio[i] = x[i + 1] / x[i];
}

// Built before main; nothing samples during static initialization.
const ZigguratTables kZiggurat;

// The draw `bits` fell outside its strip's inner rectangle: the tail, an edge test, or a new
// draw (the loop of the inline fast path, continued here).
double Rng::standard_normal_edge(std::uint64_t bits) {
    const ZigguratTables &t = kZiggurat;
    for (;;) {
        const auto i = static_cast<int>(bits & (kStrips - 1));
        const double u = 2.0 * (static_cast<double>(bits >> 11) * 0x1.0p-53) - 1.0;
        if (std::fabs(u) < t.ratio[i]) return u * t.x[i];
        if (i == 0) return normal_tail(*this, kTailStart, u < 0);
        const double x = u * t.x[i];
        const double f0 = std::exp(-0.5 * (t.x[i] * t.x[i] - x * x));
        const double f1 = std::exp(-0.5 * (t.x[i + 1] * t.x[i + 1] - x * x));
        if (f1 + uniform() * (f0 - f1) < 1.0) return x;
        bits = next();
    }
}

void Distribution::prepare() {
    switch (kind) {
    case Kind::lognormal: { // a = mu, b = sigma of the underlying normal
        const double sigma2 = std::log1p(cv * cv);
        a_ = std::log(mean) - sigma2 / 2;
        b_ = std::sqrt(sigma2);
        break;
    }
    case Kind::hyperexp: { // two phases with balanced means: a = P(first), b, c = phase means
        const double c2 = cv * cv;
        a_ = 0.5 * (1.0 + std::sqrt((c2 - 1.0) / (c2 + 1.0)));
        b_ = mean / (2 * a_);
        c_ = mean / (2 * (1 - a_));
        break;
    }
    case Kind::weibull: // a = scale, b = 1 / shape
        a_ = mean / std::tgamma(1.0 + 1.0 / shape);
        b_ = 1.0 / shape;
        break;
    case Kind::pareto: // a = scale x_m, b = -1 / shape
        a_ = mean * (shape - 1.0) / shape;
        b_ = -1.0 / shape;
        break;
    case Kind::geometric: // a = log(1 - p)
        a_ = mean <= 1.0 ? 0.0 : std::log1p(-1.0 / mean);
        break;
    default:
        break;
    }
    prepared_ = true;
}

double Distribution::sample_other(Rng &rng) const {
    if (prepared_) return sample_prepared(rng);
    Distribution copy = *this;
    copy.prepare();
    return copy.sample_prepared(rng);
}

double Distribution::sample_prepared(Rng &rng) const {
    switch (kind) {
    case Kind::constant:
        return mean;
    case Kind::exponential:
        return rng.exponential(mean);
    case Kind::lognormal:
        return fast_exp(a_ + b_ * rng.standard_normal());
    case Kind::uniform:
        return min + (max - min) * rng.uniform();
    case Kind::erlang: {
        // One log for k phases. The product of k uniforms underflows to 0 near k = 700, so
        // when it gets small its log is banked and the product restarts; below 2^-900 it never
        // gets for k <= 16 (each uniform is at least 2^-53), so small-k draws are unchanged.
        double product = 1.0, banked = 0.0;
        for (int i = 0; i < k; ++i) {
            product *= rng.uniform_pos();
            if (product < 0x1p-900) {
                banked += std::log(product);
                product = 1.0;
            }
        }
        return -(mean / k) * (banked + std::log(product));
    }
    case Kind::hyperexp:
        return rng.exponential(rng.uniform() < a_ ? b_ : c_);
    case Kind::weibull:
        return a_ * std::pow(-std::log(rng.uniform_pos()), b_);
    case Kind::pareto:
        return a_ * std::pow(rng.uniform_pos(), b_);
    case Kind::empirical: {
        const auto &v = *samples;
        return v[rng.below(v.size())];
    }
    case Kind::geometric: // trials until the first success, support {1, 2, ...}, mean 1/p
        return mean <= 1.0 ? 1.0 : 1.0 + std::floor(std::log(rng.uniform_pos()) / a_);
    }
    return mean;
}

double Distribution::expected() const {
    switch (kind) {
    case Kind::uniform:
        return (min + max) / 2;
    case Kind::empirical: {
        double sum = 0;
        for (double x : *samples)
            sum += x;
        return sum / static_cast<double>(samples->size());
    }
    default:
        return mean;
    }
}

double Distribution::variance() const {
    switch (kind) {
    case Kind::constant:
        return 0;
    case Kind::exponential:
        return mean * mean;
    case Kind::lognormal:
    case Kind::hyperexp:
        return cv * cv * mean * mean;
    case Kind::uniform:
        return (max - min) * (max - min) / 12;
    case Kind::erlang:
        return mean * mean / k;
    case Kind::weibull: {
        const double g1 = std::tgamma(1 + 1 / shape), g2 = std::tgamma(1 + 2 / shape);
        const double scale = mean / g1;
        return scale * scale * (g2 - g1 * g1);
    }
    case Kind::pareto: {
        if (shape <= 2) return INFINITY;
        const double xm = mean * (shape - 1) / shape;
        return xm * xm * shape / ((shape - 1) * (shape - 1) * (shape - 2));
    }
    case Kind::empirical: {
        const double m = expected();
        double ss = 0;
        for (double x : *samples)
            ss += (x - m) * (x - m);
        return ss / static_cast<double>(samples->size());
    }
    case Kind::geometric: {
        const double p = 1.0 / std::max(mean, 1.0);
        return (1 - p) / (p * p);
    }
    }
    return 0;
}

const char *to_string(Distribution::Kind kind) {
    switch (kind) {
    case Distribution::Kind::constant:
        return "constant";
    case Distribution::Kind::exponential:
        return "exponential";
    case Distribution::Kind::lognormal:
        return "lognormal";
    case Distribution::Kind::uniform:
        return "uniform";
    case Distribution::Kind::erlang:
        return "erlang";
    case Distribution::Kind::hyperexp:
        return "hyperexp";
    case Distribution::Kind::weibull:
        return "weibull";
    case Distribution::Kind::pareto:
        return "pareto";
    case Distribution::Kind::empirical:
        return "empirical";
    case Distribution::Kind::geometric:
        return "geometric";
    }
    return "?";
}

} // namespace statesim
