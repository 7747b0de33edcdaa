#include <doctest/doctest.h>

#include <cmath>

#include "run_model.hpp"
#include "statesim/model/health_checker.hpp"
#include "statesim/output/recorder.hpp"

using namespace statesim;

TEST_CASE("each target is probed on its own phase: detection takes (threshold - 1/2) intervals "
          "on average, between threshold - 1 and threshold intervals") {
    // 2000 healthy targets registered at 0, all dead from t = 30 min (a round time, where
    // phase-locked probes would always detect after exactly threshold - 1 intervals).
    const Scenario sc = test::load(R"(
workload: {}
cluster: {}
load_balancer: {health_check: {interval: 30s, unhealthy_threshold: 2}}
)");
    const Architecture &arch = sc.points[0].architectures[0];
    Simulation sim;
    Recorder sink(0, kForever / 4, kForever / 4);
    ModelContext ctx{sim, arch, sink, 7 + test::seed_offset()};
    HealthChecker hc(ctx);
    const int targets = 2000;
    for (int i = 0; i < targets; ++i)
        hc.watch({i, 1}, true);
    const SimTime kill = 30 * 60 * kSecond, interval = 30 * kSecond;
    double sum = 0;
    int detected = 0;
    SimTime earliest = kForever, latest = 0;
    sim.run(2 * kill, [&](const Event &e) {
        const auto v = hc.probe({static_cast<int>(e.target), static_cast<std::uint32_t>(e.data)},
                                sim.now() < kill);
        if (v != HealthChecker::Verdict::became_unhealthy) return;
        const SimTime delay = sim.now() - kill;
        sum += to_seconds(delay);
        ++detected;
        earliest = std::min(earliest, delay);
        latest = std::max(latest, delay);
    });
    REQUIRE(detected == targets);
    CHECK(earliest > interval); // (threshold - 1) intervals, exclusive
    CHECK(latest <= 2 * interval);
    // Mean of uniform(30, 60] s: 45 s, sd of the mean 8.7 s / sqrt(2000) = 0.19 s.
    CHECK(std::fabs(sum / detected - 45.0) < 1.0);
}
