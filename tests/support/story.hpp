#pragma once
// Scenario tests: run a scenario file of scenarios/ in-process and read a metric's estimate
// (mean and 95% CI over replications) per sweep point and architecture.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "statesim/config/load_scenario.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/stats/confidence.hpp"

namespace statesim::test {

struct Story {
    Scenario sc;
    std::vector<RunRecord> runs;

    // A misspelt architecture or metric fails the test: a silent empty estimate (mean 0) would
    // let `mean == 0` checks pass vacuously.
    Estimate get(const std::string &arch, const std::string &metric, std::size_t point = 0) const {
        REQUIRE_MESSAGE(point < sc.points.size(), "no sweep point " << point);
        const auto &archs = sc.points[point].architectures;
        std::size_t a = 0;
        while (a < archs.size() && archs[a].name != arch)
            ++a;
        REQUIRE_MESSAGE(a < archs.size(), "no architecture " << arch);
        for (const auto &m : metrics())
            if (m.name == metric) {
                std::vector<double> v;
                for (const auto &r : runs)
                    if (r.architecture == a && r.point == point) v.push_back(m.value(r.result));
                return estimate(v);
            }
        FAIL("no metric " << metric);
        return {};
    }
};

inline Story run_story(const std::string &file, const std::vector<std::string> &sets) {
    LoadOptions o;
    o.sets = sets;
    Story st{load_scenario(std::string(STATESIM_SOURCE_DIR) + "/scenarios/" + file, o), {}};
    ExperimentOptions opts;
    opts.jobs = 2;
    st.runs = run_experiment(st.sc, opts);
    return st;
}

// a's whole CI lies below b's.
inline bool below(const Estimate &a, const Estimate &b) {
    return a.mean + a.half_width < b.mean - b.half_width;
}

} // namespace statesim::test
