#include "statesim/model/arrivals.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace statesim {

SimTime ArrivalSampler::next_after(SimTime t, SimTime horizon) {
    const double end_s = to_seconds(horizon);
    switch (p_.kind) {
    case ArrivalProcess::Kind::poisson: {
        const SimTime next = t + from_seconds(rng_.exponential(1.0 / p_.rate));
        return next > horizon ? kForever : next;
    }
    case ArrivalProcess::Kind::trace: {
        if (trace_index_ >= p_.trace->size()) return kForever;
        const SimTime next = std::max(t, from_seconds((*p_.trace)[trace_index_++]));
        return next > horizon ? kForever : next;
    }
    case ArrivalProcess::Kind::profile: {
        const double s = profile_next(to_seconds(t), rng_.exponential(1.0));
        return s > end_s ? kForever : std::max(t, from_seconds(s));
    }
    case ArrivalProcess::Kind::diurnal: {
        // Thinning (Lewis & Shedler) against the peak rate: exact, and the acceptance
        // probability averages 1 / (1 + amplitude) >= 1/2, so it needs no give-up guard.
        const double peak = p_.rate * (1 + p_.amplitude);
        double s = to_seconds(t);
        for (;;) {
            s += rng_.exponential(1.0 / peak);
            if (s > end_s) return kForever;
            const double rate =
                p_.rate * (1 + p_.amplitude * std::sin(2 * std::numbers::pi * s / p_.period));
            if (rng_.uniform() * peak < rate) return std::max(t, from_seconds(s));
        }
    }
    }
    return kForever;
}

// The time at which the profile's integrated rate, counted from `s`, reaches `budget` (an
// exponential draw): walk the linear pieces, then solve the last one's quadratic.
double ArrivalSampler::profile_next(double s, double budget) const {
    const auto &pts = p_.points;
    auto rate_at = [&](double x) {
        if (x <= pts.front().first) return pts.front().second;
        if (x >= pts.back().first) return pts.back().second;
        auto hi = std::upper_bound(pts.begin(), pts.end(), x,
                                   [](double v, const auto &p) { return v < p.first; });
        auto lo = hi - 1;
        return lo->second + (x - lo->first) / (hi->first - lo->first) * (hi->second - lo->second);
    };
    auto piece_end = [&](double x) -> double {
        for (const auto &p : pts)
            if (p.first > x) return p.first;
        return HUGE_VAL;
    };
    if (!(budget > 0)) return s;
    for (;;) {
        const double end = piece_end(s);
        const double r0 = rate_at(s);
        const double slope =
            std::isfinite(end) && s >= pts.front().first ? (rate_at(end) - r0) / (end - s) : 0.0;
        if (!std::isfinite(end) && r0 <= 0) return HUGE_VAL; // no more arrivals, ever
        // Integral of r0 + slope*x over [0, d] = r0 d + slope d^2 / 2.
        const double whole = std::isfinite(end) ? (r0 + rate_at(end)) / 2 * (end - s) : HUGE_VAL;
        if (budget <= whole) {
            double d;
            if (std::fabs(slope) < 1e-300) {
                d = budget / r0;
            } else {
                // slope/2 d^2 + r0 d - budget = 0, the root in [0, end - s]; written to avoid
                // cancellation when slope is small or negative.
                const double disc = std::max(0.0, r0 * r0 + 2 * slope * budget);
                d = 2 * budget / (r0 + std::sqrt(disc));
            }
            return s + d;
        }
        budget -= whole;
        s = end;
    }
}

} // namespace statesim
