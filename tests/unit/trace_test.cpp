// `statesim run --trace N`: the stories a learner reads in trace.csv (a sticky cart through a
// node kill, a stateless retry that lands elsewhere, a cold start then a warm reuse), which
// sessions are traced, and that tracing changes nothing that is measured.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "run_model.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/output/trace_writer.hpp"
#include "statesim/output/writers.hpp"

using namespace statesim;
using statesim::test::load;
using statesim::test::write_trace;

namespace {

RunResult traced(const std::string &yaml, std::uint32_t sessions, std::size_t arch = 0,
                 const std::vector<std::string> &sets = {}, std::uint64_t seed = 1) {
    const Scenario sc = load(yaml, sets);
    RunSpec spec = RunSpec::of(sc, seed);
    spec.trace_sessions = sessions;
    return simulate(sc.points[0].architectures[arch], spec);
}

// The rows of each session, in order.
std::map<std::uint64_t, std::vector<TraceRow>> by_session(const RunResult &r) {
    std::map<std::uint64_t, std::vector<TraceRow>> out;
    for (const TraceRow &row : r.trace)
        out[row.session].push_back(row);
    return out;
}

bool starts_with(const std::string &s, const std::string &prefix) {
    return s.rfind(prefix, 0) == 0;
}
bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

// The first row of `rows` at or after `from` with event `e` (rows.size() when none).
std::size_t find(const std::vector<TraceRow> &rows, TraceEvent e, std::size_t from = 0) {
    for (std::size_t i = from; i < rows.size(); ++i)
        if (rows[i].event == e) return i;
    return rows.size();
}

// Sessions of 12 requests with long services (a crash most likely finds one in service), two
// nodes, one killed at 90 s: the first measured sessions (from 60 s) are all open then.
const char *kKill = R"(
duration: 5m
warmup: 1m
workload:
  sessions:
    arrival: {process: poisson, rate: 2/s}
    requests: 12
    think_time: 500ms
  request: {service_time: 2s}
  client: {timeout: 60s, retries: {max: 5, backoff: 1s}}
cluster: {nodes: 2, workers: 64}
failures:
  events: [{at: 90s, kill: node}]
architectures:
  - {name: sticky, set: {load_balancer.sticky: true, state.location: local}}
  - {name: stateless, set: {state.location: none}}
)";

} // namespace

TEST_CASE("trace: a sticky cart whose node is killed fails there, loses its state, ends lost") {
    const RunResult r = traced(kKill, 20, 0);
    bool seen = false;
    for (const auto &[session, rows] : by_session(r)) {
        const std::size_t created = find(rows, TraceEvent::state_created);
        const std::size_t lost = find(rows, TraceEvent::state_lost);
        if (lost == rows.size()) continue;
        INFO("session " << session);
        CHECK(starts_with(rows[lost].detail, "node_failure"));
        REQUIRE(created < lost);
        CHECK(rows[lost].node == rows[created].node); // lost where it was created
        CHECK(rows.back().event == TraceEvent::session_end);
        CHECK(rows.back().detail == "lost (node_failure)");
        // The attempt in service on the dead node fails with it, at the kill.
        for (const TraceRow &row : rows)
            if (row.event == TraceEvent::attempt_failed && contains(row.detail, "crashed")) {
                CHECK(row.node == rows[created].node);
                CHECK(row.time_s == doctest::Approx(90.0));
                seen = true;
            }
    }
    CHECK(seen);
}

TEST_CASE("trace: a stateless request failed by a kill is retried on another node and the "
          "session completes") {
    const RunResult r = traced(kKill, 20, 1);
    int stories = 0;
    for (const auto &[session, rows] : by_session(r)) {
        const std::size_t failed = find(rows, TraceEvent::attempt_failed);
        if (failed == rows.size() || !contains(rows[failed].detail, "crashed")) continue;
        INFO("session " << session);
        CHECK(find(rows, TraceEvent::state_lost) == rows.size());
        const std::size_t retry = find(rows, TraceEvent::retry_scheduled, failed);
        REQUIRE(retry < rows.size());
        // A later attempt of the same request is routed to another node and answered ok.
        bool elsewhere = false;
        for (std::size_t i = retry; i < rows.size(); ++i)
            if (rows[i].event == TraceEvent::routed && rows[i].request == rows[failed].request &&
                rows[i].attempt > rows[failed].attempt && rows[i].node != rows[failed].node)
                elsewhere = true;
        CHECK(elsewhere);
        CHECK(rows.back().detail == "completed");
        ++stories;
    }
    CHECK(stories > 0);
}

TEST_CASE("trace: a sticky cart on a node removed by a scale-in loses its state to scale_in") {
    // Two nodes, then one from 90 s: the victim drains for 5 s (its sticky carts move on and
    // lose their state, or the drain ends and it is terminated with the state still on it).
    const RunResult r =
        traced(kKill, 20, 0,
               {"failures.events=[]", "autoscaling.enabled=true", "autoscaling.policy=scheduled",
                "autoscaling.min=1", "autoscaling.schedule=[{at: 90s, desired: 1}]",
                "load_balancer.deregistration_delay=5s"});
    int stories = 0;
    for (const auto &[session, rows] : by_session(r)) {
        const std::size_t lost = find(rows, TraceEvent::state_lost);
        if (lost == rows.size()) continue;
        INFO("session " << session);
        CHECK(starts_with(rows[lost].detail, "scale_in"));
        CHECK(rows[lost].time_s >= 90.0);
        CHECK(rows.back().detail == "lost (scale_in)");
        ++stories;
    }
    CHECK(stories > 0);
}

TEST_CASE("trace: serverless cold start, a warm reuse within idle_timeout, a new environment "
          "after it") {
    // Two sessions of two requests, 60 s apart; environments live 30 s idle.
    const std::string arrivals = write_trace("trace-cold", {10.0, 70.0});
    const std::string yaml = R"(
duration: 2m
warmup: 0s
workload:
  sessions:
    arrival: {process: trace, file: )" +
                             arrivals + R"(}
    requests: 2
    think_time: 5s
  request: {service_time: 100ms}
cluster: {runtime: serverless}
serverless: {idle_timeout: 30s, cold_start: 300ms}
)";
    const RunResult r = traced(yaml, 2);
    const auto sessions = by_session(r);
    REQUIRE(sessions.size() == 2);
    const auto &first = sessions.begin()->second;
    const auto &second = std::next(sessions.begin())->second;

    const std::size_t created = find(first, TraceEvent::env_created);
    REQUIRE(created < first.size());
    CHECK(first[created].request == 1);
    const std::size_t cold = find(first, TraceEvent::cold_start);
    REQUIRE(cold < first.size());
    CHECK(first[cold].node == first[created].node);
    CHECK(contains(first[cold].detail, "300 ms"));
    const std::size_t reused = find(first, TraceEvent::env_reused);
    REQUIRE(reused < first.size());
    CHECK(first[reused].request == 2);
    CHECK(first[reused].node == first[created].node); // the same environment, warm
    CHECK(find(first, TraceEvent::cold_start, cold + 1) == first.size());
    CHECK(first.back().detail == "completed");

    // 60 s later the environment was reclaimed: the next session starts cold, elsewhere.
    const std::size_t again = find(second, TraceEvent::env_created);
    REQUIRE(again < second.size());
    CHECK(second[again].node != first[created].node);
    CHECK(find(second, TraceEvent::cold_start) < second.size());
}

TEST_CASE("trace: every traced session ends with a session_end row, one lost but still going too") {
    // Non-sticky local state on 3 nodes with on_state_loss: continue: most sessions are lost
    // (routing) and go on; the run stops once every session of the window has an outcome, with
    // some lost ones still running. Before, those ended on a bare request_sent (and rows placed
    // after the stop, such as a send after a think time, were kept).
    const char *yaml = R"(
duration: 2m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 20, think_time: 20s}
  client: {on_state_loss: continue}
cluster: {nodes: 3}
state: {location: local}
)";
    const RunResult r = traced(yaml, 1000000);
    double stop = 0;
    for (const TraceRow &row : r.trace)
        stop = std::max(stop, row.time_s);
    std::size_t still_running = 0;
    for (const auto &[uid, rows] : by_session(r)) {
        const std::size_t end = find(rows, TraceEvent::session_end);
        REQUIRE(end < rows.size());
        if (contains(rows[end].detail, "still running when the run stopped")) {
            ++still_running;
            CHECK(starts_with(rows[end].detail, "lost (routing)"));
            CHECK(rows[end].time_s == doctest::Approx(stop));
        }
    }
    CHECK(still_running > 0);
}

TEST_CASE("trace: N distinct sessions per architecture, the same ones, replication 0 only") {
    Scenario sc = load(kKill, {"replications=2"});
    ExperimentOptions opts;
    opts.trace_sessions = 7;
    const std::vector<RunRecord> runs = run_experiment(sc, opts);
    REQUIRE(runs.size() == 4);
    std::set<std::uint64_t> first;
    for (const RunRecord &rec : runs) {
        if (rec.replication != 0) {
            CHECK(rec.result.trace.empty());
            continue;
        }
        std::set<std::uint64_t> ids;
        for (const TraceRow &row : rec.result.trace)
            ids.insert(row.session);
        CHECK(ids.size() == 7);
        // Consecutive session numbers: the first seven that started after the warm-up.
        CHECK(*ids.rbegin() - *ids.begin() == 6);
        if (first.empty()) first = ids;
        CHECK(ids == first); // common random numbers: the same carts in every architecture
        for (const auto &[session, rows] : by_session(rec.result)) {
            CHECK(rows.front().event == TraceEvent::session_start);
            CHECK(rows.front().time_s >= 60.0);
        }
        CHECK(std::is_sorted(
            rec.result.trace.begin(), rec.result.trace.end(),
            [](const TraceRow &a, const TraceRow &b) { return a.time_s < b.time_s; }));
    }
}

TEST_CASE("trace: fewer sessions than N started: all of them are traced") {
    const std::string arrivals = write_trace("trace-few", {10.0, 20.0, 30.0});
    const std::string yaml = R"(
duration: 1m
warmup: 15s
workload:
  sessions:
    arrival: {process: trace, file: )" +
                             arrivals + R"(}
    requests: 1
  request: {service_time: 10ms}
cluster: {nodes: 1}
)";
    const auto sessions = by_session(traced(yaml, 100));
    CHECK(sessions.size() == 2); // the one at 10 s started in the warm-up
}

TEST_CASE("trace: tracing changes nothing that is measured") {
    const Scenario sc = load(kKill);
    for (std::size_t arch = 0; arch < 2; ++arch) {
        RunRecord plain, with;
        plain.architecture = with.architecture = arch;
        plain.done = with.done = true;
        plain.result = traced(kKill, 0, arch);
        with.result = traced(kKill, 50, arch);
        CHECK(plain.result.trace.empty());
        CHECK(!with.result.trace.empty());
        CHECK(summary_rows(sc, plain) == summary_rows(sc, with));
        CHECK(events_rows(sc, plain) == events_rows(sc, with));
        CHECK(trace_rows(sc, plain).empty());
    }
}

TEST_CASE("trace: rows in trace.csv carry the run's address and quote their detail") {
    const Scenario sc = load(kKill);
    RunRecord rec;
    rec.done = true;
    rec.architecture = 1;
    rec.result.trace.push_back({1.5, 42, 2, 1, TraceEvent::routed, "node-3", "a, b"});
    CHECK(trace_header() ==
          "point,architecture,replication,time_s,session,request,attempt,event,node,detail\n");
    CHECK(trace_rows(sc, rec) == "0,stateless,0,1.5,42,2,1,routed,node-3,\"a, b\"\n");
    rec.done = false; // an interrupted run yields no rows, as in the other files
    CHECK(trace_rows(sc, rec).empty());
}

TEST_CASE("trace: an error the front door answers itself takes one hop back, a served request two "
          "each way") {
    // 100 ms hops, one environment at most: the request at 100 s is served (100.1 s at the
    // environment, +2 s of service, back at 102.4 s); the one at 100.5 s reaches the front door
    // at 100.6 s and its 429 is back at 100.7 s (it took a third hop, to 100.8 s).
    const auto arrivals = write_trace("front-door", {100, 100.5});
    const RunResult r = traced(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 2s}}
  client: {{timeout: 60s, retries: {{max: 0}}}}
network: {{hop_latency: 100ms}}
cluster: {{runtime: serverless}}
serverless: {{concurrency_limit: 1, cold_start: 0s}}
)",
                                           arrivals),
                               2);
    const auto sessions = by_session(r);
    REQUIRE(sessions.size() == 2);
    const auto &served = sessions.at(1), &throttled = sessions.at(2);
    const std::size_t ok = find(served, TraceEvent::response);
    REQUIRE(ok < served.size());
    CHECK(served[ok].time_s == doctest::Approx(102.4).epsilon(1e-12));
    const std::size_t refused = find(throttled, TraceEvent::response);
    REQUIRE(refused < throttled.size());
    CHECK(throttled[refused].time_s == doctest::Approx(100.7).epsilon(1e-12));
}

TEST_CASE("trace: a dead host's connect_timeout runs from the balancer's send, a down store's "
          "timeout from the node's") {
    // 100 ms hops. One node, killed at 50 s (host mode): the request sent at 100 s is routed at
    // 100.1 s; the balancer gives up 10 s later (attempt_failed at 110.1 s: it was written when
    // the attempt reached the dead host, at 100.2 s) and its 502 is back at 110.2 s (it counted
    // from the arrival at the host, a hop later: 110.3 s).
    const auto arrivals = write_trace("connect-timeout", {100});
    const RunResult host = traced(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 1s}}
  client: {{timeout: 60s, retries: {{max: 0}}}}
network: {{hop_latency: 100ms}}
cluster: {{nodes: 1}}
load_balancer: {{connect_timeout: 10s, health_check: {{interval: 300s}}}}
failures: {{mode: host, replace_failed: false, events: [{{at: 50s, kill: node}}]}}
)",
                                              arrivals),
                                  1);
    const auto rows = by_session(host).at(1);
    const std::size_t no_answer = find(rows, TraceEvent::attempt_failed);
    REQUIRE(no_answer < rows.size());
    CHECK(rows[no_answer].time_s == doctest::Approx(110.1).epsilon(1e-12));
    const std::size_t failed = find(rows, TraceEvent::response);
    REQUIRE(failed < rows.size());
    CHECK(rows[failed].time_s == doctest::Approx(110.2).epsilon(1e-12));

    // The store is down from 50 s, timeout 1 s: served from 100.2 s, the read is sent then and
    // the node gives up at 101.2 s; the error is back at the client two hops later, 101.4 s (it
    // counted from the store, a hop later, and came back a hop: 101.6 s).
    const RunResult store = traced(fmt::format(R"(
duration: 5m
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 1s}}
  client: {{timeout: 60s, retries: {{max: 0}}}}
network: {{hop_latency: 100ms}}
cluster: {{nodes: 1}}
state: {{location: store, store: {{kind: redis, timeout: 1s, durable: true}}}}
failures: {{events: [{{at: 50s, outage: store, duration: 10m}}]}}
)",
                                               arrivals),
                                   1);
    const auto srows = by_session(store).at(1);
    const std::size_t gave_up = find(srows, TraceEvent::attempt_failed);
    REQUIRE(gave_up < srows.size());
    CHECK(srows[gave_up].time_s == doctest::Approx(101.2).epsilon(1e-12)); // at the node
    const std::size_t refused = find(srows, TraceEvent::response);
    REQUIRE(refused < srows.size());
    CHECK(srows[refused].time_s == doctest::Approx(101.4).epsilon(1e-12));
}

TEST_CASE("trace: a failure decided ahead is written when the service ends, not after a crash") {
    // The store is down from 1 s; the read tried at 1.003 s fails for the node at 1.803 s (its
    // 800 ms timeout), but the node crashes at 1.2 s. Before, the store's attempt_failed row
    // was written ahead, at 1.803 s: one attempt failed twice, the second after its retry was
    // scheduled. Only the crash's row now.
    const auto trace = write_trace("trace-ahead", {1.0});
    const RunResult r = traced(fmt::format(R"(
duration: 100s
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1, think_time: 1s}}
  request: {{service_time: 10ms, write_fraction: 1}}
  client: {{timeout: 10s, retries: {{max: 3, backoff: 3s}}}}
network: {{hop_latency: 1ms}}
cluster: {{nodes: 1, workers: 1, boot_time: 1s}}
load_balancer: {{health_check: {{interval: 1s, unhealthy_threshold: 1}}}}
state: {{location: store, store: {{kind: redis, read_latency: 500ms, timeout: 800ms}}}}
failures:
  mode: process
  events: [{{at: 1.2s, kill: node}}, {{at: 1.0s, outage: store, duration: 1s}}]
)",
                                           trace),
                               1);
    const auto sessions = by_session(r);
    REQUIRE(sessions.size() == 1);
    const std::vector<TraceRow> &rows = sessions.begin()->second;
    int failed = 0;
    double last = 0;
    for (const TraceRow &row : rows) {
        CHECK(row.time_s >= last); // never back in time
        last = row.time_s;
        if (row.event == TraceEvent::attempt_failed && row.request == 1 && row.attempt == 1) {
            ++failed;
            CHECK(row.time_s == doctest::Approx(1.2));
            CHECK(contains(row.detail, "crashed"));
        }
    }
    CHECK(failed == 1);
}

TEST_CASE("trace: a crashed node keeps its name in the rows of requests sent to it") {
    // One node killed at 2 s, not yet detected (30 s checks): the balancer still routes to it.
    // Before, its rows had an empty node column (a crash bumps the slot's generation).
    const auto trace = write_trace("trace-crashed-name", {3.0});
    const RunResult r = traced(fmt::format(R"(
duration: 100s
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1, think_time: 1s}}
  request: {{service_time: 10ms}}
  client: {{timeout: 10s, retries: {{max: 1, backoff: 100ms}}}}
network: {{hop_latency: 1ms}}
cluster: {{nodes: 1, workers: 1}}
load_balancer: {{health_check: {{interval: 30s}}}}
failures: {{mode: process, events: [{{at: 2s, kill: node}}]}}
)",
                                           trace),
                               1);
    int named = 0;
    for (const TraceRow &row : r.trace)
        if (row.event == TraceEvent::routed || row.event == TraceEvent::attempt_failed) {
            CHECK(row.node == "node-1");
            ++named;
        }
    CHECK(named == 4); // two attempts, each routed and refused
}
