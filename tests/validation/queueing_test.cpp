// Validation against queueing theory (SPEC §6): the analytic value lies inside the 95%
// confidence interval of fixed-seed replications, and that interval is at most 2% of the value.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "statesim/config/load_scenario.hpp"
#include "statesim/experiment/analyze.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/stats/analytic.hpp"
#include "statesim/stats/confidence.hpp"

using namespace statesim;

namespace {

struct Runs {
    Scenario scenario;
    std::vector<RunRecord> records;
};

Runs run_validation(const std::string &file) {
    Runs r{load_scenario(std::string(STATESIM_SOURCE_DIR) + "/scenarios/validation/" + file), {}};
    ExperimentOptions opts;
    opts.jobs = 2;
    r.records = run_experiment(r.scenario, opts);
    return r;
}

Estimate metric(const Runs &runs, const std::string &name) {
    for (const auto &m : metrics())
        if (m.name == name) {
            std::vector<double> v;
            for (const auto &rec : runs.records)
                v.push_back(m.value(rec.result));
            return estimate(v);
        }
    FAIL("no metric " << name);
    return {};
}

void check_inside(const Estimate &e, double analytic, const char *what) {
    INFO(what << ": simulated " << e.mean << " ± " << e.half_width << ", analytic " << analytic);
    CHECK(std::fabs(e.mean - analytic) <= e.half_width);
    CHECK(e.half_width <= 0.02 * analytic);
}

} // namespace

TEST_CASE("M/M/1 response time and Little's law and utilization") {
    const Runs runs = run_validation("mm1.yaml");
    const double lambda = 35, es = 0.020, rho = lambda * es;
    check_inside(metric(runs, "latency_mean_ms"), 1e3 * es / (1 - rho), "W (ms)");
    check_inside(metric(runs, "requests_in_system_mean"), rho / (1 - rho), "L");
    check_inside(metric(runs, "utilization"), rho, "utilization");
    // Little's law on the sample path: L = throughput x W in every replication.
    for (const auto &rec : runs.records) {
        const RunResult &r = rec.result;
        const double lw =
            static_cast<double>(r.requests_ok) / r.duration_s * r.node_response_mean_ms * 1e-3;
        CHECK(r.requests_in_system_mean == doctest::Approx(lw).epsilon(0.01));
    }
}

TEST_CASE("M/M/c (Erlang C) with c = 25 and a = 20 gives W = 1.0418 E(S) and utilization a/c") {
    const Runs runs = run_validation("mmc.yaml");
    const double es = 0.020;
    const double w = analytic::mmc_response_time(1000, es, 25);
    CHECK(w / es == doctest::Approx(1.0418).epsilon(1e-4));
    check_inside(metric(runs, "latency_mean_ms"), 1e3 * w, "W (ms)");
    check_inside(metric(runs, "utilization"), 0.8, "utilization");
    check_inside(metric(runs, "requests_in_system_mean"), 1000 * w, "L = lambda W");
}

TEST_CASE("M/D/1 (Pollaczek-Khinchine with constant service)") {
    const Runs runs = run_validation("md1.yaml");
    check_inside(metric(runs, "latency_mean_ms"), 1e3 * analytic::mg1_response_time(35, 0.02, 0),
                 "W (ms)");
}

TEST_CASE("M/G/1 (Pollaczek-Khinchine with lognormal service cv 1.5)") {
    const Runs runs = run_validation("mg1.yaml");
    const double es = 0.02, var = 1.5 * 1.5 * es * es;
    check_inside(metric(runs, "latency_mean_ms"), 1e3 * analytic::mg1_response_time(25, es, var),
                 "W (ms)");
}

TEST_CASE("random routing over N nodes is N independent M/M/1 queues") {
    const Runs runs = run_validation("random-routing.yaml");
    check_inside(metric(runs, "latency_mean_ms"), 1e3 * 0.02 / (1 - 0.7), "W (ms)");
    check_inside(metric(runs, "utilization"), 0.7, "utilization");
}

TEST_CASE("non-sticky random routing loses a session of k requests w.p. 1 - (1/N)^(k-1)") {
    const Runs runs = run_validation("nonsticky-loss.yaml");
    const auto &arch = runs.scenario.points[0].architectures[0];
    const double p = 100 * random_routing_loss(arch.workload.requests, arch.cluster.nodes);
    CHECK(p == doctest::Approx(100 * (1 - 0.25 / (1 - 0.75 * 0.25))));
    check_inside(metric(runs, "lost_session_pct"), p, "lost %");
}
