#pragma once
#include <memory>
#include <string>
#include <vector>

#include "statesim/engine/fast_exp.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A random quantity from SPEC §4, parametrised by its mean where the spec does so. Values are in
// the quantity's base unit (seconds for durations, a plain number for counts). Sampled with
// statesim's own samplers, never std::*_distribution.
struct Distribution {
    enum class Kind {
        constant,
        exponential,
        lognormal,
        uniform,
        erlang,
        hyperexp,
        weibull,
        pareto,
        empirical,
        geometric
    };
    Kind kind = Kind::constant;
    double mean = 0;  // constant value, or the mean
    double cv = 1;    // lognormal, hyperexp
    double shape = 1; // weibull, pareto
    double min = 0, max = 0;
    int k = 1;                                          // erlang phases
    std::shared_ptr<const std::vector<double>> samples; // empirical (sorted), shared read-only

    static Distribution constant_value(double v) {
        Distribution d;
        d.mean = v;
        d.prepare();
        return d;
    }
    static Distribution exponential_mean(double m) {
        Distribution d;
        d.kind = Kind::exponential;
        d.mean = m;
        d.prepare();
        return d;
    }

    // Derives the sampling constants from the parameters above; call after setting them
    // (an unprepared distribution still samples correctly, only slower).
    void prepare();
    double sample(Rng &rng) const {
        // The two kinds most runs draw for every hop, think time and service: inline.
        if (prepared_ && kind == Kind::lognormal) return fast_exp(a_ + b_ * rng.standard_normal());
        if (prepared_ && kind == Kind::exponential) return rng.exponential(mean);
        return sample_other(rng);
    }
    SimTime sample_time(Rng &rng) const { return from_seconds(sample(rng)); }
    // Analytic moments (used by `analyze` and validation tests).
    double expected() const;
    double variance() const;
    bool is_zero() const { return kind == Kind::constant && mean == 0; }

  private:
    double sample_other(Rng &rng) const;
    double sample_prepared(Rng &rng) const;
    bool prepared_ = false;
    double a_ = 0, b_ = 0, c_ = 0; // per kind: see prepare()
};

const char *to_string(Distribution::Kind kind);

} // namespace statesim
