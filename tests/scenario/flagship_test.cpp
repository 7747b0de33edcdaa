// The flagship scenario tells its story (SPEC §5, issue #3), asserted as inequalities between
// architectures with their confidence intervals, never as exact floats.
#include <doctest/doctest.h>

#include <string>

#include "statesim/config/load_scenario.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/stats/confidence.hpp"

using namespace statesim;

namespace {

struct Story {
    Scenario sc;
    std::vector<RunRecord> runs;
    Estimate get(const std::string &arch, const std::string &metric) const {
        std::size_t a = 0;
        while (sc.points[0].architectures[a].name != arch)
            ++a;
        for (const auto &m : metrics())
            if (m.name == metric) {
                std::vector<double> v;
                for (const auto &r : runs)
                    if (r.architecture == a) v.push_back(m.value(r.result));
                return estimate(v);
            }
        return {};
    }
};

const Story &story() {
    static const Story s = [] {
        LoadOptions o;
        o.sets = {"replications=3"};
        Story st{load_scenario(std::string(STATESIM_SOURCE_DIR) +
                                   "/scenarios/ecommerce-rearchitecture.yaml",
                               o),
                 {}};
        ExperimentOptions opts;
        opts.jobs = 2;
        st.runs = run_experiment(st.sc, opts);
        return st;
    }();
    return s;
}

bool below(const Estimate &a, const Estimate &b) {
    return a.mean + a.half_width < b.mean - b.half_width;
}

} // namespace

TEST_CASE("the flagship scenario tells its story") {
    SUBCASE("every architecture obeys the session conservation law") {
        for (const auto &r : story().runs) {
            const RunResult &x = r.result;
            CHECK(x.sessions_started == x.sessions_completed + x.sessions_lost +
                                            x.sessions_abandoned + x.sessions_active);
        }
    }
    SUBCASE("the single stateful server saturates at the peak") {
        const Story &s = story();
        CHECK(below(s.get("stateful-sticky", "latency_p99_ms"),
                    s.get("single-server", "latency_p99_ms")));
        CHECK(below(s.get("stateful-sticky", "sessions_abandoned"),
                    s.get("single-server", "sessions_abandoned")));
        CHECK(below(s.get("single-server", "throughput_rps"),
                    s.get("stateful-sticky", "throughput_rps")));
    }
    SUBCASE("two servers without stickiness lose most carts to routing") {
        const Story &s = story();
        CHECK(s.get("stateful-nonsticky", "lost_session_pct").mean > 50);
        CHECK(s.get("stateful-nonsticky", "lost_routing").mean >
              0.9 * s.get("stateful-nonsticky", "sessions_lost").mean);
    }
    SUBCASE("sticky sessions are fine until the node kill which loses carts") {
        const Story &s = story();
        CHECK(s.get("stateful-sticky", "lost_routing").mean == 0);
        CHECK(s.get("stateful-sticky", "lost_node_failure").mean > 100);
    }
    SUBCASE("stateless nodes with a store lose no cart for a few ms and a store bill") {
        const Story &s = story();
        CHECK(s.get("stateless-dynamodb", "sessions_lost").mean == 0);
        const double extra = s.get("stateless-dynamodb", "latency_mean_ms").mean -
                             s.get("stateful-sticky", "latency_mean_ms").mean;
        CHECK(extra > 2);
        CHECK(extra < 20);
        CHECK(s.get("stateless-dynamodb", "store_ops").mean > 0);
        CHECK(below(s.get("stateful-sticky", "cost_usd"), s.get("stateless-dynamodb", "cost_usd")));
    }
}
