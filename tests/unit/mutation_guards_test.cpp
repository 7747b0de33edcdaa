// Guards against the mutations of tests/mutations/mutations.txt that the rest of the suite let
// survive: one small deterministic config (or a direct call) per behaviour, its number from a
// hand count, the documentation or theory. Each test names the mutation ids it kills.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "checks.hpp"
#include "run_model.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/model/autoscaler.hpp"
#include "statesim/model/load_balancer.hpp"
#include "statesim/model/session_store.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/output/slo.hpp"
#include "statesim/output/writers.hpp"
#include "statesim/stats/histogram.hpp"

using namespace statesim;
using statesim::test::lost;
using test::run_model;
using test::within_rel;
using test::write_trace;

namespace {

// Arrival times start, start + step, ... (n of them).
std::vector<double> evenly(double start, double step, int n) {
    std::vector<double> t;
    for (int i = 0; i < n; ++i)
        t.push_back(start + step * i);
    return t;
}

std::size_t metric_index(const std::string &name) {
    for (std::size_t i = 0; i < metrics().size(); ++i)
        if (metrics()[i].name == name) return i;
    FAIL("no metric " << name);
    return 0;
}

} // namespace

// ---- retries (retry-budget-off-by-one, retry-budget-not-reset) ----

TEST_CASE("guard: a request is retried exactly retries.max times") {
    // A (t=0) holds the only worker for 10 s; B (t=1) is rejected (no queue) and retried at 2 s
    // and 3 s (constant 1 s backoff), both rejected: 2 retries, 3 failed attempts, then B gives up.
    const auto trace = write_trace("guard-retry-max", {0.0, 1.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 1m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 10s}}
  client: {{timeout: 1h, retries: {{max: 2, backoff: 1s}}}}
cluster: {{nodes: 1, workers: 1, queue_limit: 0}}
)",
                                              trace));
    CHECK(r.requests_ok == 1);
    CHECK(r.retries == 2);
    CHECK(r.attempts_failed == 3);
    CHECK(r.requests_failed == 1);
    CHECK(r.sessions_abandoned == 1);
}

TEST_CASE("guard: every request of a session gets the full retry budget") {
    // Sessions of two requests 30 s apart, 10 s of service, one worker, no queue, one retry after
    // 20 s. B1 (t=0) is served 0-10 and 40-50; S (t=1) is rejected at 1, served 21-31, sends again
    // at 61 while B2 (t=60) is served 60-70, is rejected and served 81-91 on its retry; B2's
    // second request runs 100-110. Each of S's requests needs its one retry: all complete.
    const auto trace = write_trace("guard-retry-reset", {0.0, 1.0, 60.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 2, think_time: 30s}}
  request: {{service_time: 10s}}
  client: {{timeout: 1h, retries: {{max: 1, backoff: 20s}}}}
cluster: {{nodes: 1, workers: 1, queue_limit: 0}}
)",
                                              trace));
    CHECK(r.requests_ok == 6);
    CHECK(r.retries == 2);
    CHECK(r.attempts_failed == 2);
    CHECK(r.requests_failed == 0);
    CHECK(r.sessions_completed == 3);
}

// ---- common random numbers (crn-write-from-lb-stream, crn-backoff-from-session-stream) ----

namespace {
// 300 sessions in the first minute, all ended long before the run ends.
std::string crn_yaml(const std::string &trace, const std::string &archs) {
    return fmt::format(R"(
duration: 30m
warmup: 0s
workload:
  sessions:
    arrival: {{process: trace, file: {}}}
    requests: {{dist: geometric, mean: 4}}
    think_time: {{dist: exponential, mean: 1s}}
  request: {{service_time: {{dist: exponential, mean: 10ms}}, write_fraction: 0.5}}
  client: {{timeout: 1h, retries: {{max: 100, backoff: {{dist: exponential, mean: 20ms}}}}}}
{}
)",
                       trace, archs);
}
} // namespace

TEST_CASE("guard: common random numbers: every architecture makes the same writes") {
    // Two store architectures that differ only in the balancer (random draws from its stream,
    // round robin does not): the same requests are writes, so the store sees the same writes.
    const auto trace = write_trace("guard-crn-writes", evenly(0, 0.2, 300));
    const std::string yaml = crn_yaml(trace, R"(cluster: {nodes: 3, workers: 8}
architectures:
  - {name: random, preset: stateless-dynamodb, set: {load_balancer.policy: random}}
  - {name: rr, preset: stateless-dynamodb, set: {load_balancer.policy: round_robin}}
)");
    const std::uint64_t seed = 3 + test::seed_offset();
    const RunResult a = run_model(yaml, seed, 0), b = run_model(yaml, seed, 1);
    REQUIRE(a.sessions_completed == 300);
    REQUIRE(b.sessions_completed == 300);
    CHECK(a.store_reads == a.draws.requests); // no throttling, no failure: one read per request
    CHECK(a.draws.requests == b.draws.requests);
    CHECK(a.store_writes > 0);
    CHECK(a.store_writes < a.store_reads);
    CHECK(a.store_writes == b.store_writes);
}

TEST_CASE("guard: common random numbers hold when one architecture retries") {
    // One worker without a queue rejects a third of the requests, which are retried (up to 100
    // times); 16 workers reject none. A retry's backoff must not consume the session's stream.
    const auto trace = write_trace("guard-crn-retry", evenly(0, 0.05, 300));
    const std::string yaml = crn_yaml(trace, R"(cluster: {nodes: 1, workers: 16}
architectures:
  - {name: tight, set: {cluster.workers: 1, cluster.queue_limit: 0}}
  - {name: roomy}
)");
    const std::uint64_t seed = 4 + test::seed_offset();
    const RunResult tight = run_model(yaml, seed, 0), roomy = run_model(yaml, seed, 1);
    REQUIRE(tight.sessions_completed == 300);
    REQUIRE(roomy.sessions_completed == 300);
    CHECK(tight.retries > 100);
    CHECK(roomy.retries == 0);
    CHECK(tight.draws.requests == roomy.draws.requests);
    CHECK(within_rel(tight.draws.think_s, roomy.draws.think_s, 1e-12));
    CHECK(within_rel(tight.draws.demand_s, roomy.draws.demand_s, 1e-12));
}

// ---- nodes: warm-up capacity, health checks, memory (warmup-period-from-run-start,
// health-unhealthy-threshold-late, health-healthy-threshold-late, eviction-at-limit) ----

TEST_CASE("guard: warmup_period runs per node, not from the run's start") {
    // The only node dies at 600 s; its replacement boots by ~612 s and serves with a quarter of
    // its 4 workers for 60 s from its first request. Eight 1 s requests at 630 s: one at a time,
    // the last done after 8 s. (Counting the period from the run's start would give the full 4
    // workers: 2 s.)
    const auto trace = write_trace("guard-warm-period", std::vector<double>(8, 630.0));
    const RunResult r = run_model(fmt::format(R"(
duration: 15m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 1s}}
  client: {{timeout: 1h}}
cluster: {{nodes: 1, workers: 4, boot_time: 10s, warmup_period: 60s, warmup_capacity: 0.25}}
load_balancer: {{health_check: {{interval: 1s, unhealthy_threshold: 1, healthy_threshold: 1}}}}
failures: {{events: [{{at: 600s, kill: node}}]}}
)",
                                              trace));
    CHECK(r.requests_ok == 8);
    CHECK(r.latency.max() == 8 * kSecond);
}

TEST_CASE("guard: a dead node is deregistered after exactly unhealthy_threshold failed checks") {
    // Two nodes, round robin; one dies at 0.5 s. Checks every second on the node's own phase,
    // threshold 3: it is deregistered at its third failed probe, 2 to 3 s after the kill (2.5 to
    // 3.5 s). Requests every 0.1 s from 0.65 s alternate between the nodes until then: 9 to 14
    // of them reach the dead node and fail (no retries). The exact threshold count is checked
    // probe by probe in health_checker_test.
    const auto trace = write_trace("guard-unhealthy", evenly(0.65, 0.1, 100));
    const RunResult r = run_model(fmt::format(R"(
duration: 20s
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 1ms}}
  client: {{timeout: 1h, retries: {{max: 0}}}}
cluster: {{nodes: 2, workers: 4}}
load_balancer: {{health_check: {{interval: 1s, unhealthy_threshold: 3, healthy_threshold: 1}}}}
failures: {{replace_failed: false, events: [{{at: 0.5s, kill: node}}]}}
)",
                                              trace));
    CHECK(r.requests_failed >= 9);
    CHECK(r.requests_failed <= 14);
    CHECK(r.requests_ok + r.requests_failed == 100);
}

TEST_CASE("guard: a new node receives traffic after its first passing check, whatever "
          "healthy_threshold") {
    // Two nodes of one worker, no queue; one dies at 0.5 s, is deregistered at the 1 s check and
    // replaced; the replacement boots at 1.5 s and passes its one check at 2 s (ALB: a newly
    // registered target must pass one health check; healthy_threshold is for an unhealthy
    // target coming back). Requests of 150 ms every 0.1 s from 1.05 s: alone, the survivor
    // serves every other one and rejects the rest (5 of the 10 before 2 s); from 2 s the two
    // nodes take turns and reject none. (With 3 checks for a new target: 15 rejected.)
    const auto trace = write_trace("guard-healthy", evenly(1.05, 0.1, 60));
    const RunResult r = run_model(fmt::format(R"(
duration: 10s
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 150ms}}
  client: {{timeout: 1h, retries: {{max: 0}}}}
cluster: {{nodes: 2, workers: 1, queue_limit: 0, boot_time: 0.5s}}
load_balancer: {{health_check: {{interval: 1s, unhealthy_threshold: 1, healthy_threshold: 3}}}}
failures: {{events: [{{at: 0.5s, kill: node}}]}}
)",
                                              trace));
    CHECK(r.requests_failed == 5);
    CHECK(r.requests_ok == 55);
}

TEST_CASE("guard: a repaired node the checks marked unhealthy needs healthy_threshold passes") {
    // As above, but the dead node is repaired 2 s after the kill (replace_failed: false) after
    // the checks marked it: it must pass healthy_threshold checks, one a second. The same run
    // with threshold 3 instead of 1 keeps the survivor alone 2 s longer: 10 more rejections
    // (every other request of a 0.1 s stream of 150 ms requests). Process mode: requests sent
    // to the dead node before detection fail at once.
    const auto trace = write_trace("guard-repaired", evenly(1.05, 0.1, 60));
    const auto run = [&](int threshold) {
        return run_model(fmt::format(R"(
duration: 10s
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 150ms}}
  client: {{timeout: 1h, retries: {{max: 0}}}}
cluster: {{nodes: 2, workers: 1, queue_limit: 0, warmup_capacity: 1}}
load_balancer: {{health_check: {{interval: 1s, unhealthy_threshold: 1, healthy_threshold: {}}}}}
failures:
  mode: process
  replace_failed: false
  nodes: {{mtbf: 1000d, mttr: 2s}}
  events: [{{at: 0.5s, kill: node}}]
)",
                                     trace, threshold));
    };
    const RunResult one = run(1), three = run(3);
    CHECK(one.requests_ok + one.requests_failed == 60);
    CHECK(three.requests_failed >= one.requests_failed + 9);
    CHECK(three.requests_failed <= one.requests_failed + 11);
}

TEST_CASE("guard: memory exactly at session_memory_limit evicts nothing") {
    // Two sessions each write 100 B at the start of a 10 s request (t=0 and t=1), on a node
    // with two workers: 200 B held from 1 s to 10 s.
    const auto trace = write_trace("guard-evict-limit", {0.0, 1.0});
    const std::string yaml = fmt::format(R"(
duration: 1m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 10s, write_fraction: 1, state_growth: 100B}}
  client: {{timeout: 1h}}
cluster: {{nodes: 1, workers: 2}}
state: {{location: local}}
)",
                                         trace);
    const RunResult at_limit = run_model(yaml, 1, 0, {"cluster.session_memory_limit=200B"});
    CHECK(at_limit.sessions_lost == 0);
    CHECK(at_limit.sessions_completed == 2);
    // One byte less: the second write evicts the first session (the oldest).
    const RunResult below = run_model(yaml, 1, 0, {"cluster.session_memory_limit=199B"});
    CHECK(lost(below, LossCause::eviction) == 1);
    CHECK(below.sessions_completed == 1);
}

// ---- the store (store-write-counted-as-read, store-window-never-reset) ----

TEST_CASE("guard: a store architecture reads on every request and writes on every write") {
    // 50 sessions of 3 requests, no local cache, no throttling: 150 reads; every request writes
    // (150 writes) or none does.
    const auto trace = write_trace("guard-store-ops", evenly(0, 1, 50));
    const std::string yaml = fmt::format(R"(
duration: 10m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 3, think_time: 1s}}
  request: {{service_time: 1ms}}
cluster: {{nodes: 2}}
state: {{location: store}}
)",
                                         trace);
    const RunResult all = run_model(yaml, 1, 0, {"workload.request.write_fraction=1"});
    CHECK(all.store_reads == 150);
    CHECK(all.store_writes == 150);
    CHECK(all.store_ops == 300);
    const RunResult none = run_model(yaml, 1, 0, {"workload.request.write_fraction=0"});
    CHECK(none.store_reads == 150);
    CHECK(none.store_writes == 0);
}

TEST_CASE("guard: the store's capacity is per second, every second") {
    // Capacity 2/s, two operations in each of 300 consecutive seconds: none is throttled (the
    // store keeps 128 one-second windows, so windows are reused from 128 s on).
    StoreSpec spec;
    spec.capacity = 2;
    spec.read_latency = Distribution::constant_value(0.001);
    spec.write_latency = Distribution::constant_value(0.001);
    SessionStore store(spec);
    int throttles = 0;
    for (int s = 0; s < 300; ++s)
        for (int k = 0; k < 2; ++k)
            throttles += store.try_op(s * kSecond + k * kMillisecond, 1, k == 1, 1) !=
                         SessionStore::Try::admitted;
    CHECK(throttles == 0);
    // A third operation in one second is throttled.
    CHECK(store.try_op(300 * kSecond, 1, false, 1) == SessionStore::Try::admitted);
    CHECK(store.try_op(300 * kSecond, 1, false, 1) == SessionStore::Try::admitted);
    CHECK(store.try_op(300 * kSecond, 1, false, 1) == SessionStore::Try::throttled);
}

// ---- measurement (timeseries-latency-not-cleared, timeseries-utilization-cumulative,
// histogram-rank-floor) ----

TEST_CASE("guard: timeseries latency and utilization are per interval") {
    // One worker, 4 s requests, 10 s intervals. Two arrive at 0 s (latencies 4 s and 8 s, busy
    // 8 of 10 s), none in the second interval, one at 21 s (latency 4 s, busy 4 of 10 s).
    const auto trace = write_trace("guard-ts", {0.0, 0.0, 21.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 30s
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 4s}}
  client: {{timeout: 1h}}
cluster: {{nodes: 1, workers: 1}}
output: {{timeseries_interval: 10s}}
)",
                                              trace));
    REQUIRE(r.timeseries.size() == 3);
    const auto &first = r.timeseries[0], &second = r.timeseries[1], &third = r.timeseries[2];
    CHECK(first.completions == 2);
    CHECK(second.completions == 0);
    CHECK(third.completions == 1);
    // Percentiles are within half a histogram bucket (0.4 %) of the sample.
    CHECK(within_rel(first.latency_p50_ms, 4000, 0.004));
    CHECK(within_rel(first.latency_p99_ms, 8000, 0.004));
    CHECK(within_rel(third.latency_p50_ms, 4000, 0.004));
    CHECK(within_rel(third.latency_p99_ms, 4000, 0.004));
    CHECK(within_rel(first.utilization, 0.8, 1e-12));
    CHECK(second.utilization == 0);
    CHECK(within_rel(third.utilization, 0.4, 1e-12));
}

TEST_CASE("guard: a percentile is the nearest-rank sample") {
    // Nearest rank: the ceil(q n)-th smallest value. Values 1..5 (small values are exact).
    Histogram h;
    for (int v = 1; v <= 5; ++v)
        h.add(v);
    CHECK(h.quantile(0.5) == 3); // rank ceil(2.5) = 3
    CHECK(h.quantile(0.9) == 5); // rank ceil(4.5) = 5
    CHECK(h.quantile(0.1) == 1); // rank ceil(0.5) = 1
    CHECK(h.quantile(0.4) == 2); // rank 2 exactly
    CHECK(h.quantile(0.0) == 1); // at least rank 1
}

// ---- the balancer (least-outstanding-no-rotation) ----

TEST_CASE("guard: least_outstanding spreads ties round-robin") {
    const std::vector<int> targets{0, 1, 2, 3}, outstanding{0, 0, 0, 0};
    const TargetView view{targets, outstanding, 1};
    auto s = make_balancing_strategy(BalancingPolicy::least_outstanding);
    Rng rng(1);
    std::map<std::size_t, int> picks;
    for (int i = 0; i < 8; ++i)
        ++picks[s->pick(view, 0, rng)];
    CHECK(picks.size() == 4); // every idle target gets its turn: twice each
    for (const auto &[target, n] : picks)
        CHECK(n == 2);
}

// ---- outputs (csv-quote-not-triggered, timeseries-columns-swapped, paired-diff-unmatched,
// experiment-interrupted-marked-done) ----

TEST_CASE("guard: CSV fields with quotes only are quoted") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("guard: every timeseries.csv column holds its own field") {
    Scenario sc;
    sc.name = "t";
    sc.replications = 1;
    SweepPoint p;
    Architecture a;
    a.name = "arch";
    p.architectures.push_back(a);
    sc.points.push_back(p);
    RunRecord r;
    r.done = true;
    TimeseriesRow t;
    t.time_s = 10;
    t.arrivals = 1;
    t.completions = 2;
    t.failures = 3;
    t.latency_p50_ms = 4.5;
    t.latency_p99_ms = 5.5;
    t.nodes_in_service = 6;
    t.nodes_booting = 7;
    t.utilization = 0.25;
    t.sessions_active = 8;
    t.sessions_lost_total = 9;
    t.store_throttles = 11;
    t.nodes_desired = 12;
    t.nodes_draining = 13;
    t.environments = 14;
    r.result.timeseries.push_back(t);
    std::stringstream csv(timeseries_csv(sc, {r}));
    std::string header, row;
    REQUIRE(std::getline(csv, header));
    REQUIRE(std::getline(csv, row));
    auto split = [](const std::string &line) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');)
            cells.push_back(c);
        return cells;
    };
    const auto names = split(header), values = split(row);
    REQUIRE(names.size() == values.size());
    std::map<std::string, std::string> got;
    for (std::size_t i = 0; i < names.size(); ++i)
        got[names[i]] = values[i];
    const std::map<std::string, std::string> want = {{"point", "0"},
                                                     {"architecture", "arch"},
                                                     {"replication", "0"},
                                                     {"time_s", "10"},
                                                     {"arrivals", "1"},
                                                     {"completions", "2"},
                                                     {"failures", "3"},
                                                     {"latency_p50_ms", "4.5"},
                                                     {"latency_p99_ms", "5.5"},
                                                     {"nodes_in_service", "6"},
                                                     {"nodes_booting", "7"},
                                                     {"utilization", "0.25"},
                                                     {"sessions_active", "8"},
                                                     {"sessions_lost_total", "9"},
                                                     {"store_throttles", "11"},
                                                     {"nodes_desired", "12"},
                                                     {"nodes_draining", "13"},
                                                     {"environments", "14"}};
    CHECK(got == want);
}

TEST_CASE("guard: paired differences pair equal replications only") {
    // The first architecture finished replications 0 and 2 only; the other all three. Its
    // differences are those of replications 0 and 2: (10 - 1) and (30 - 3).
    Scenario sc;
    sc.name = "t";
    sc.replications = 3;
    SweepPoint p;
    for (const char *n : {"base", "other"}) {
        Architecture a;
        a.name = n;
        p.architectures.push_back(a);
    }
    sc.points.push_back(p);
    RunMetrics m(sc);
    auto add = [&](std::size_t arch, int rep, double cost) {
        RunRecord r;
        r.architecture = arch;
        r.replication = rep;
        r.done = true;
        r.result.cost_usd = cost;
        m.add(r);
    };
    add(0, 0, 1);
    add(0, 2, 3);
    add(1, 0, 10);
    add(1, 1, 20);
    add(1, 2, 30);
    const auto diffs = m.paired_diffs(0, 1, metric_index("cost_usd"));
    CHECK(diffs == std::vector<double>{9, 27});
}

TEST_CASE("guard: an interrupted run is handed over not done") {
    // Also checked by "a stop before the start runs nothing, and an interrupted run is handed
    // over unfinished" in experiment_test.cpp.
    Scenario sc;
    sc.name = "t";
    sc.replications = 3;
    SweepPoint p;
    p.architectures.emplace_back();
    sc.points.push_back(p);
    ExperimentOptions o;
    o.jobs = 1;
    o.run = [&sc](const Architecture &, const RunSpec &spec) {
        RunResult r;
        r.interrupted = spec.seed == replication_seed(sc, 1);
        return r;
    };
    const auto runs = run_experiment(sc, o);
    REQUIRE(runs.size() == 3);
    CHECK(runs[0].done);
    CHECK_FALSE(runs[1].done);
    CHECK(runs[2].done);
}

// ---- the documented defaults (default-healthy-threshold and its kind) ----

TEST_CASE("guard: the documented defaults of the keys the model reads") {
    // docs/configuration.md: the defaults of a scenario that sets nothing but what is required.
    const Scenario sc = test::load(R"(
workload: {sessions: {arrival: {process: poisson, rate: 10/s}}}
cluster: {}
)");
    const Architecture &a = sc.points[0].architectures[0];
    CHECK(a.cluster.nodes == 4);
    CHECK(a.cluster.zones == 2);
    CHECK(a.cluster.workers == 16);
    CHECK(a.cluster.queue_limit == 512);
    CHECK(a.cluster.warmup_capacity == 0.5);
    CHECK(a.cluster.warmup_period == 60);
    CHECK(a.cluster.session_memory_limit == 1024.0 * 1024 * 1024);
    CHECK(a.load_balancer.policy == BalancingPolicy::round_robin);
    CHECK(a.load_balancer.health_interval == 30);
    CHECK(a.load_balancer.unhealthy_threshold == 2);
    CHECK(a.load_balancer.healthy_threshold == 5);
    CHECK(a.load_balancer.sticky_ttl == 86400);
    CHECK(a.workload.write_fraction == 0.5);
    CHECK(a.workload.state_growth == 300);
    CHECK(a.workload.timeout == 3);
    CHECK(a.workload.max_retries == 2);
    CHECK(a.workload.on_state_loss == OnStateLoss::abandon);
    CHECK(a.state.client.max_bytes == 4096);
    CHECK(a.state.store.capacity == 4000);
    CHECK(a.failures.replace_failed);
    CHECK(sc.timeseries_interval == 10);
    CHECK(sc.seed == 42);
}

// ---- the load balancer's target states (lb-fail-open-skips-unhealthy,
// lb-recycled-slot-keeps-outstanding, sticky-generation-ignored) ----

TEST_CASE("guard: with every target unhealthy the balancer fails open") {
    // ALB: when no target is healthy the balancer routes to every registered target, healthy
    // or not (a draining one is no longer registered).
    const LoadBalancerSpec spec;
    LoadBalancer lb(spec, 1);
    lb.set_state({0, 1}, LoadBalancer::Target::unhealthy);
    lb.set_state({1, 1}, LoadBalancer::Target::unhealthy);
    lb.set_state({2, 1}, LoadBalancer::Target::draining);
    Session s;
    s.uid = 7;
    std::map<int, int> picks;
    for (int k = 0; k < 4; ++k) {
        const NodeRef r = lb.route(s, 0);
        REQUIRE(r.valid());
        ++picks[r.index];
    }
    CHECK(picks[0] == 2); // round robin over the two unhealthy targets
    CHECK(picks[1] == 2);
    CHECK(picks.count(2) == 0);
    lb.set_state({1, 1}, LoadBalancer::Target::healthy); // one healthy: only it
    CHECK(lb.route(s, 0) == NodeRef{1, 1});
    CHECK(lb.route(s, 0) == NodeRef{1, 1});
}

TEST_CASE("guard: a new target in a recycled slot starts with no outstanding requests") {
    const LoadBalancerSpec spec;
    LoadBalancer lb(spec, 1);
    lb.set_state({0, 1}, LoadBalancer::Target::healthy);
    for (int k = 0; k < 3; ++k)
        lb.request_sent({0, 1});
    CHECK(lb.outstanding(0) == 3);
    // The node dies with three requests on it; their answers never reach the balancer as this
    // target's. A new node takes the slot.
    lb.set_state({0, 1}, LoadBalancer::Target::unused);
    lb.set_state({0, 2}, LoadBalancer::Target::initial);
    CHECK(lb.outstanding(0) == 0);
    lb.request_done({0, 1}); // a late answer of the old node changes nothing
    CHECK(lb.outstanding(0) == 0);
}

TEST_CASE("guard: a sticky cookie does not follow a recycled slot") {
    LoadBalancerSpec spec;
    spec.sticky = true;
    LoadBalancer lb(spec, 1);
    lb.set_state({0, 1}, LoadBalancer::Target::healthy);
    lb.set_state({1, 1}, LoadBalancer::Target::healthy);
    Session s;
    s.uid = 3;
    s.sticky = {0, 1};
    s.sticky_expiry = 100 * kSecond;
    CHECK(lb.route(s, 0) == NodeRef{0, 1}); // the cookie holds
    // Node 0 is terminated and a new node takes its slot: the cookie names a node that is gone.
    lb.set_state({0, 1}, LoadBalancer::Target::unused);
    lb.set_state({0, 2}, LoadBalancer::Target::healthy);
    for (int k = 0; k < 3; ++k) {
        const NodeRef r = lb.route(s, 0);
        CHECK(r != NodeRef{0, 1});
        CHECK(r.generation == (r.index == 0 ? 2u : 1u));
    }
}

// ---- scale-in victims (victim-booting-last, victim-balanced-emptiest-zone,
// victim-newest-is-oldest, victim-most-sessions) ----

namespace {

std::vector<std::string> terminated(const RunResult &r) {
    std::vector<std::string> out;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::terminate) out.push_back(e.target);
    return out;
}

} // namespace

TEST_CASE("guard: scale-in picks its victim by autoscaling.termination") {
    // Three initial nodes, node-1 and node-3 in zone 0, node-2 in zone 1 (round-robin over the
    // zones). Two sticky sessions arrive at 0 s and 1 s; round robin puts them on node-1 and
    // node-2, which then hold their state; node-3 holds none. At 1 min the schedule scales in
    // to 2 nodes, terminating one at once.
    const auto trace = write_trace("guard-termination", {0.0, 1.0});
    auto yaml = [&](const std::string &termination, const std::string &schedule) {
        return fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 3, think_time: 10m}}
  request: {{service_time: 10ms}}
cluster: {{nodes: 3, zones: 2, workers: 4, boot_time: 30s}}
load_balancer: {{sticky: {{enabled: true}}}}
state: {{location: local}}
autoscaling:
  policy: scheduled
  min: 1
  max: 4
  scale_in: terminate
  termination: {}
  schedule: {}
)",
                           trace, termination, schedule);
    };
    const std::string in = "[{at: 1m, desired: 2}]";
    using V = std::vector<std::string>;
    // default: from the zone with the most nodes (zone 0), its oldest
    CHECK(terminated(run_model(yaml("default", in))) == V{"node-1"});
    CHECK(terminated(run_model(yaml("oldest", in))) == V{"node-1"});
    CHECK(terminated(run_model(yaml("newest", in))) == V{"node-3"});
    CHECK(terminated(run_model(yaml("fewest_sessions", in))) == V{"node-3"});
    // A node still booting goes first, whatever the policy: 4 at 1 min, back to 3 at 70 s while
    // node-4 boots (30 s).
    CHECK(terminated(run_model(yaml("oldest", "[{at: 1m, desired: 4}, {at: 70s, desired: 3}]"))) ==
          V{"node-4"});
}

// ---- fault events and deployments (kill-node-one-more, deploy-every-doubled, deploy-no-surge,
// deploy-batch-floor) ----

TEST_CASE("guard: kill node kills exactly count nodes") {
    const auto trace = write_trace("guard-kill-count", {0.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
cluster: {{nodes: 4, workers: 4}}
failures:
  events: [{{at: 1m, kill: node, count: 2}}]
)",
                                              trace));
    int kills = 0;
    for (const auto &e : r.events)
        kills += e.what == MarkedEvent::kill;
    CHECK(kills == 2);
}

TEST_CASE("guard: a rolling deployment surges by ceil(batch x desired) and keeps the group size") {
    // Three nodes, batch 50 %: ceil(1.5) = 2 new nodes, then 2 old ones retire; then 1 new, 1
    // old. Deployments every 10 min from the start of the run: at 10 and 20 min within 25 min.
    const auto trace = write_trace("guard-deploy", {0.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 25m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
cluster: {{nodes: 3, workers: 4, boot_time: 10s}}
load_balancer: {{health_check: {{interval: 1s, unhealthy_threshold: 1, healthy_threshold: 1}}}}
failures:
  deployments: {{every: 10m, batch: 50%}}
)",
                                              trace));
    std::vector<std::string> batches;
    int terminations = 0;
    for (const auto &e : r.events) {
        if (e.what == MarkedEvent::deploy_batch) batches.push_back(e.detail);
        terminations += e.what == MarkedEvent::terminate;
    }
    CHECK(batches == std::vector<std::string>{"release 1: 2 new nodes, 3 old left",
                                              "release 1: 1 new nodes, 1 old left",
                                              "release 2: 2 new nodes, 3 old left",
                                              "release 2: 1 new nodes, 1 old left"});
    CHECK(terminations == 6);
    CHECK(r.timeseries.back().nodes_desired == 3);
}

// ---- workflow retries (workflow-retry-no-backoff, workflow-retry-cap-32) ----

TEST_CASE("guard: a failed workflow step backs off 1 s doubling to 60 s") {
    // The only node crashes at 1 s and is not replaced: every try of the workflow's step (first
    // at 2 s) fails at once. Tries at 2, 3, 5, 9, 17, 33, 65 s (1 s doubling), then every 60 s:
    // 125, 185, 245 s; the next (305 s) is past the 5 min window. Each try is a transition.
    const auto trace = write_trace("guard-wf-retry", {0.5});
    const auto flows = write_trace("guard-wf-retry-flows", {2.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
cluster: {{nodes: 1, workers: 4}}
failures:
  mode: process
  replace_failed: false
  events: [{{at: 1s, kill: node, count: 1}}]
workflows:
  arrival: {{process: trace, file: {}}}
  steps: 1
  step_time: 10ms
  orchestration: orchestrator
)",
                                              trace, flows));
    CHECK(r.workflows_started == 1);
    CHECK(r.workflows_completed == 0);
    CHECK(r.state_transitions == 10);
}

// ---- zones (initial-nodes-one-zone) ----

TEST_CASE("guard: the initial nodes are spread round-robin over the zones") {
    // Five nodes over two zones: node-1, node-3 and node-5 in zone 0, node-2 and node-4 in
    // zone 1. Zone 1 goes down at 1 min: exactly its two nodes crash.
    const auto trace = write_trace("guard-zones", {0.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
cluster: {{nodes: 5, zones: 2, workers: 4}}
failures:
  events: [{{at: 1m, kill: zone, zone: 1, duration: 1m}}]
)",
                                              trace));
    std::vector<std::string> killed;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::kill) killed.push_back(e.target);
    CHECK(killed == std::vector<std::string>{"node-2", "node-4"});
}

// ---- step scaling (step-clamped-cooldown) ----

TEST_CASE("guard: a scale-out clamped away at max starts no cooldown") {
    // SPEC §5: a direction waits its cooldown after it acted; a scale-out that the clamp to max
    // turns into no change did not act (the scale-in side is in autoscaler_test.cpp).
    AutoscalingSpec s;
    s.enabled = true;
    s.policy = AutoscalingSpec::Policy::step;
    s.min = 2;
    s.max = 40;
    s.steps = {{true, 0.8, 2}, {false, 0.3, -1}};
    s.cooldown_out = 600;
    s.cooldown_in = 600;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 0.9, 40, 40, 0}) == 40);   // 42 -> max: nothing happened
    CHECK(a.evaluate({60, 0.9, 38, 38, 0}) == 40);  // so no out cooldown runs
    CHECK(a.evaluate({120, 0.9, 38, 38, 0}) == 38); // now it does
}

// ---- common random numbers (crn-write-from-client-stream) ----

TEST_CASE("guard: common random numbers: the same writes when one architecture retries") {
    // As "common random numbers hold when one architecture retries", with a store: whether a
    // request writes is the session's draw, so the retries (whose backoffs draw from the
    // clients' stream) leave the writes the store sees unchanged. A store without latency keeps
    // the timing of that test, where every session completes.
    const auto trace = write_trace("guard-crn-retry-writes", evenly(0, 0.05, 300));
    const std::string yaml = crn_yaml(trace, R"(cluster: {nodes: 1, workers: 16}
architectures:
  - {name: tight, preset: stateless-dynamodb, set: {cluster.workers: 1, cluster.queue_limit: 0}}
  - {name: roomy, preset: stateless-dynamodb}
)") + "state: {store: {read_latency: 0s, write_latency: 0s}}\n";
    const std::uint64_t seed = 4 + test::seed_offset();
    const RunResult tight = run_model(yaml, seed, 0), roomy = run_model(yaml, seed, 1);
    REQUIRE(tight.sessions_completed == 300);
    REQUIRE(roomy.sessions_completed == 300);
    CHECK(tight.retries > 100);
    CHECK(roomy.retries == 0);
    CHECK(tight.draws.requests == roomy.draws.requests);
    CHECK(roomy.store_writes > 0);
    CHECK(tight.store_writes == roomy.store_writes);
}

// ---- local state (local-unconfirmed-lost) ----

TEST_CASE("guard: a node crash loses no state the client was never told about") {
    // The session's first request starts on node-1 at 0 s (its state is created there) and
    // would run 10 s; the node crashes at 5 s. No response ever told the client where its state
    // was, so nothing is lost (as for routing in "sticky-first"): the failed request, with no
    // retry, abandons the session.
    const auto trace = write_trace("guard-unconfirmed", {0.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 1m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 2, think_time: 1s}}
  request: {{service_time: 10s}}
  client: {{timeout: 1h, retries: {{max: 0}}}}
cluster: {{nodes: 1, workers: 4}}
load_balancer: {{sticky: {{enabled: true}}}}
state: {{location: local}}
failures:
  mode: process
  events: [{{at: 5s, kill: node, count: 1}}]
)",
                                              trace));
    CHECK(r.sessions_started == 1);
    CHECK(r.sessions_lost == 0);
    CHECK(r.sessions_abandoned == 1);
}

// ---- the store backend (store-refused-read-served) ----

TEST_CASE("guard: a request whose store read fails is not served") {
    // The store is down from 5 s to 65 s; one request at 10 s (a write, 100 ms of CPU, no
    // retry). Its read fails after the store's 1 s timeout and the request fails there: the node
    // held it exactly 1 s, with no CPU time and no write after the failed read.
    const auto trace = write_trace("guard-store-read-fails", {10.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 2m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 100ms, write_fraction: 1}}
  client: {{timeout: 1h, retries: {{max: 0}}}}
cluster: {{nodes: 1, workers: 4}}
state:
  location: store
  store: {{kind: dynamodb, timeout: 1s, read_latency: 0s, write_latency: 0s}}
failures:
  events: [{{at: 5s, outage: store, duration: 1m}}]
)",
                                              trace));
    CHECK(r.sessions_abandoned == 1);
    CHECK(r.requests_ok == 0);
    CHECK(r.store_reads + r.store_writes == 0);
    CHECK(within_rel(r.node_response_mean_ms, 1000.0, 1e-9));
}

// ---- serverless scaling (lambda-burst-cap-doubled) ----

TEST_CASE("guard: the scaling bucket holds at most its burst however long it refills") {
    // 20 requests at the same instant after 100 s without traffic, no warm environment, no
    // retries, 5 new environments per 10 s: the bucket refilled to its burst (5), no further.
    const auto trace = write_trace("guard-burst-cap", std::vector<double>(20, 100.0));
    const RunResult r = run_model(fmt::format(R"(
duration: 3m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 100ms}}
  client: {{retries: {{max: 0}}}}
cluster: {{runtime: serverless}}
serverless: {{cold_start: 1s, scaling_rate: 5/10s}}
)",
                                              trace));
    CHECK(r.cold_starts == 5);
    CHECK(r.throttles == 15);
    CHECK(r.requests_ok == 5);
}

// ---- the cost model (cost-redis-one-node) ----

TEST_CASE("guard: a store cluster bills node-hours for every shard and replica") {
    // ElastiCache bills each node: 3 shards x (1 primary + 1 replica) = 6 nodes for 1 h at the
    // default 0.068 USD per node-hour.
    const auto trace = write_trace("guard-redis-nodes", {0.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 1h
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 1ms}}
cluster: {{nodes: 1, workers: 4}}
architectures:
  - {{name: redis, preset: stateless-redis, set: {{state.store.shards: 3, state.store.replicas: 1}}}}
)",
                                              trace));
    CHECK(within_rel(r.cost_store_nodes_usd, 6 * 0.068, 1e-12));
}

// ---- slo judging (slo-at-least-optimistic) ----

TEST_CASE("guard: an at-least objective passes only when the interval's low end does") {
    // availability >= 99.9 %. a: 0.9995, 0.9996, 0.9997 -> mean 0.9996, 95 % half-width
    // 4.303 x 0.0001 / sqrt 3 = 0.00025: the interval starts at 0.99935, passes. b: 0.9990,
    // 0.9991, 0.9992 -> mean 0.9991 above the limit, but the interval starts at 0.99885: fails.
    const Scenario sc = test::load(R"(
workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {nodes: 2}
architectures:
  - {name: a, preset: stateless-jwt}
  - {name: b, preset: stateless-dynamodb}
slo: {availability: 99.9%}
)");
    REQUIRE(sc.slo.size() == 1);
    REQUIRE(sc.slo[0].at_least);
    RunMetrics m(sc);
    for (int rep = 0; rep < 3; ++rep)
        for (std::size_t arch = 0; arch < 2; ++arch) {
            RunRecord r;
            r.architecture = arch;
            r.replication = rep;
            r.done = true;
            r.result.duration_s = 3600;
            r.result.availability = (arch == 0 ? 0.9995 : 0.9990) + 0.0001 * rep;
            m.add(r);
        }
    CHECK(passes_all(judge_slo(sc, m, 0, 0)));
    CHECK_FALSE(passes_all(judge_slo(sc, m, 0, 1)));
}

// ---- slo judging (cheapest-most-expensive) ----

TEST_CASE("guard: the cheapest passing architecture is the one of lowest cost") {
    // Three architectures pass (no session lost); their costs per month are 300, 100 and 200.
    const Scenario sc = test::load(R"(
workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {nodes: 2}
architectures:
  - {name: a, preset: stateless-jwt}
  - {name: b, preset: stateless-dynamodb}
  - {name: c, preset: stateless-redis}
slo: {lost_session_pct: 0.1%}
)");
    RunMetrics m(sc);
    const double cost[] = {300, 100, 200};
    for (std::size_t arch = 0; arch < 3; ++arch) {
        RunRecord r;
        r.architecture = arch;
        r.replication = 0;
        r.done = true;
        r.result.duration_s = 3600;
        r.result.sessions_started = r.result.sessions_completed = 10000;
        r.result.cost_per_month_usd = cost[arch];
        m.add(r);
    }
    for (std::size_t arch = 0; arch < 3; ++arch)
        REQUIRE(passes_all(judge_slo(sc, m, 0, arch)));
    CHECK(cheapest_passing(sc, m, 0) == 1);
}

// ---- target tracking (tt-above-at-target) ----

TEST_CASE("guard: a datapoint exactly at target is not above it") {
    // SPEC §5: scale out after out_datapoints consecutive datapoints above target. Two at the
    // target and one above are one datapoint above, not three.
    AutoscalingSpec s;
    s.enabled = true;
    s.policy = AutoscalingSpec::Policy::target_tracking;
    s.target = 0.5;
    s.out_datapoints = 3;
    s.min = 1;
    s.max = 40;
    Autoscaler a(s);
    CHECK(a.evaluate({0, 0.5, 4, 4, 0}) == 4);
    CHECK(a.evaluate({60, 0.5, 4, 4, 0}) == 4);
    CHECK(a.evaluate({120, 0.75, 4, 4, 0}) == 4); // one datapoint above: no action yet
    CHECK(a.evaluate({180, 0.75, 4, 4, 0}) == 4);
    CHECK(a.evaluate({240, 0.75, 4, 4, 0}) == 6); // the third: ceil(4 x 0.75 / 0.5)
}

// ---- scale-in losses (local-drain-loss-as-routing) ----

TEST_CASE("guard: state left on a draining node is lost to the scale-in, not to routing") {
    // Sessions of 4 requests of 10 s, 10 s apart: A (1 s) on node-1, B (2 s) on node-2, C (55 s)
    // on node-1 (round robin). At 60 s the group scales in to one node: node-1 (the oldest)
    // drains while C's request runs until 65 s. A's fourth request (61 s) cannot follow its
    // cookie to the draining node and lands on node-2: A's state is lost, to the scale-in
    // (SPEC §5). C's request is node-1's last: node-1 terminates as it answers at 65 s, so C
    // receives a success for state that is gone: lost to the scale-in too (before, dropped
    // silently as never confirmed: C completed).
    const auto trace = write_trace("guard-drain-cause", {1.0, 2.0, 55.0});
    const RunResult r = run_model(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 4, think_time: 10s}}
  request: {{service_time: 10s}}
  client: {{timeout: 1h}}
cluster: {{nodes: 2, workers: 4}}
load_balancer: {{sticky: {{enabled: true}}}}
state: {{location: local}}
autoscaling:
  policy: scheduled
  min: 1
  max: 2
  schedule: [{{at: 60s, desired: 1}}]
)",
                                              trace));
    CHECK(r.sessions_started == 3);
    CHECK(r.sessions_lost == 2);
    CHECK(lost(r, LossCause::scale_in) == 2);
    CHECK(lost(r, LossCause::routing) == 0);
}
