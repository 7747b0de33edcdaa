#pragma once
// Scenario tests: run a scenario file of scenarios/ in-process and read a metric's estimate
// (mean and 95% CI over replications) per sweep point and architecture.
#include <string>
#include <vector>

#include "statesim/config/load_scenario.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/stats/confidence.hpp"

namespace statesim::test {

struct Story {
    Scenario sc;
    std::vector<RunRecord> runs;

    Estimate get(const std::string &arch, const std::string &metric, std::size_t point = 0) const {
        std::size_t a = 0;
        while (sc.points[point].architectures[a].name != arch)
            ++a;
        for (const auto &m : metrics())
            if (m.name == metric) {
                std::vector<double> v;
                for (const auto &r : runs)
                    if (r.architecture == a && r.point == point) v.push_back(m.value(r.result));
                return estimate(v);
            }
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
