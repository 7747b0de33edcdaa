// The bytes a worker rank sends for a finished run decode to a record that writes the same CSV
// bytes as the original, field for field; a damaged message is refused, never half-read.
#include <doctest/doctest.h>

#include "statesim/config/load_scenario.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/output/run_record_codec.hpp"
#include "statesim/output/trace_writer.hpp"
#include "statesim/output/writers.hpp"

using namespace statesim;

namespace {

Scenario small_sweep() {
    LoadOptions o;
    o.sets = {"duration=10m", "warmup=1m", "replications=1"};
    return load_scenario(std::string(STATESIM_SOURCE_DIR) + "/scenarios/node-failures.yaml", o);
}

// Every field a distinct value, so that one the codec forgets reads back different.
RunRecord every_field_set() {
    double x = 0.5;
    std::uint64_t n = 3;
    auto d = [&] { return x += 1.25; };
    auto u = [&] { return n += 7; };
    RunRecord rec;
    rec.point = 2, rec.architecture = 1, rec.replication = 4, rec.seed = u(), rec.done = true;
    RunResult &r = rec.result;
    r.sessions_started = u(), r.sessions_completed = u(), r.sessions_lost = u();
    r.sessions_abandoned = u(), r.sessions_active = u();
    for (auto &c : r.lost_by_cause)
        c = u();
    r.requests_ok = u(), r.requests_failed = u(), r.attempts_failed = u(), r.retries = u();
    for (std::int64_t v : {1, 250, 40'000, 3'000'000, 3'000'000, 90'000'000})
        r.latency.add(v);
    r.duration_s = d(), r.nodes_mean = d(), r.node_hours = d(), r.utilization = d();
    r.requests_in_system_mean = d(), r.node_response_mean_ms = d(), r.availability = d();
    r.scale_out_events = u(), r.scale_in_events = u(), r.cold_starts = u(), r.store_ops = u();
    r.store_reads = u(), r.store_writes = u(), r.store_throttles = u();
    r.workflows_completed = u(), r.workflows_lost = u(), r.throttles = u(), r.invocations = u();
    r.function_seconds = d(), r.environments_mean = d(), r.environments_busy_mean = d();
    r.workflows_started = u(), r.workflows_active = u(), r.state_transitions = u();
    for (auto &c : r.workflows_lost_by_cause)
        c = u();
    for (std::int64_t v : {5'000'000'000, 7'000'000'000})
        r.workflow_duration.add(v);
    r.store_read_units = u(), r.store_write_units = u();
    r.cost_nodes_usd = d(), r.cost_store_requests_usd = d(), r.cost_store_nodes_usd = d();
    r.cost_store_capacity_usd = d();
    r.cost_lambda_requests_usd = d(), r.cost_lambda_duration_usd = d();
    r.cost_lambda_provisioned_usd = d(), r.cost_state_transitions_usd = d(), r.cost_usd = d();
    r.cost_per_month_usd = d(), r.cost_per_1k_sessions_usd = d();
    r.draws.requests = u(), r.draws.think_s = d(), r.draws.demand_s = d();
    r.sim_events = u(), r.attempts_simulated = u(), r.sessions_peak = u();
    r.interrupted = false;
    for (int i = 0; i < 3; ++i) {
        TimeseriesRow t;
        t.time_s = d(), t.arrivals = u(), t.completions = u(), t.failures = u();
        t.latency_p50_ms = d(), t.latency_p99_ms = d(), t.nodes_in_service = static_cast<int>(u());
        t.nodes_booting = static_cast<int>(u()), t.nodes_desired = static_cast<int>(u());
        t.nodes_draining = static_cast<int>(u()), t.utilization = d(), t.sessions_active = u();
        t.sessions_lost_total = u(), t.store_throttles = u(),
        t.environments = static_cast<int>(u());
        r.timeseries.push_back(t);
    }
    r.events.push_back({d(), MarkedEvent::zone_down, "zone 1", "a, \"quoted\" detail"});
    r.events.push_back({d(), MarkedEvent::terminate, "n7", ""});
    r.trace.push_back({d(), u(), 2, 3, TraceEvent::state_lost, "node-4", "node_failure, \"x\""});
    r.trace.push_back({d(), u(), 1, 1, TraceEvent::session_end, "", "completed"});
    return rec;
}

// Everything a writer reads, and the fields no CSV shows.
void check_same(const Scenario &sc, const RunRecord &a, const RunRecord &b) {
    CHECK(summary_rows(sc, a) == summary_rows(sc, b));
    CHECK(timeseries_rows(sc, a) == timeseries_rows(sc, b));
    CHECK(events_rows(sc, a) == events_rows(sc, b));
    CHECK(trace_rows(sc, a) == trace_rows(sc, b));
    CHECK(a.point == b.point);
    CHECK(a.architecture == b.architecture);
    CHECK(a.replication == b.replication);
    CHECK(a.seed == b.seed);
    CHECK(a.done == b.done);
    const RunResult &x = a.result, &y = b.result;
    CHECK(x.latency.count() == y.latency.count());
    CHECK(x.latency.min() == y.latency.min());
    CHECK(x.latency.max() == y.latency.max());
    CHECK(x.latency.mean() == y.latency.mean());
    for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
        CHECK(x.latency.quantile(q) == y.latency.quantile(q));
        CHECK(x.workflow_duration.quantile(q) == y.workflow_duration.quantile(q));
    }
    CHECK(x.workflow_duration.count() == y.workflow_duration.count());
    CHECK(x.lost_by_cause == y.lost_by_cause);
    CHECK(x.workflows_lost_by_cause == y.workflows_lost_by_cause);
    CHECK(x.draws.requests == y.draws.requests);
    CHECK(x.draws.think_s == y.draws.think_s);
    CHECK(x.draws.demand_s == y.draws.demand_s);
    CHECK(x.sim_events == y.sim_events);
    CHECK(x.attempts_simulated == y.attempts_simulated);
    CHECK(x.sessions_peak == y.sessions_peak);
    CHECK(x.interrupted == y.interrupted);
    CHECK(x.timeseries.size() == y.timeseries.size());
    CHECK(x.events.size() == y.events.size());
    CHECK(x.trace.size() == y.trace.size());
    // The bytes again: a field decoded into the wrong place would change them.
    CHECK(encode_record(a) == encode_record(b));
}

} // namespace

TEST_CASE("run record codec: a record with every field set reads back the same") {
    const Scenario sc = small_sweep();
    const RunRecord rec = every_field_set();
    check_same(sc, rec, decode_record(encode_record(rec)));
    RunRecord cut = rec;
    cut.done = false, cut.result.interrupted = true;
    check_same(sc, cut, decode_record(encode_record(cut)));
}

TEST_CASE("run record codec: simulated runs write the same CSV bytes after a round trip") {
    const Scenario sc = small_sweep();
    ExperimentOptions o;
    o.jobs = 2;
    o.trace_sessions = 2; // replication 0 carries trace rows too
    for (const RunRecord &rec : run_experiment(sc, o))
        check_same(sc, rec, decode_record(encode_record(rec)));
}

TEST_CASE("run record codec: a new RunResult field must be added to the codec") {
    // The codec lists every field of RunResult (sim/output/run_record_codec.cpp). When this
    // fails, a field was added or removed: add it to result_fields() there and to
    // every_field_set() here, then update the size.
#if defined(__x86_64__) && defined(__GLIBCXX__)
    CHECK(sizeof(RunResult) == 792); // events: a deque
    CHECK(sizeof(TimeseriesRow) == 104);
    CHECK(sizeof(EventRow) == 80);
    CHECK(sizeof(TraceRow) == 96);
    CHECK(sizeof(RunRecord) == 832);
#endif
}

TEST_CASE("run record codec: damaged bytes are refused") {
    const std::string bytes = encode_record(every_field_set());
    for (std::size_t cut :
         {std::size_t{0}, std::size_t{3}, std::size_t{40}, bytes.size() / 2, bytes.size() - 1})
        CHECK_THROWS_AS(decode_record(std::string_view(bytes).substr(0, cut)), CodecError);
    CHECK_THROWS_AS(decode_record(bytes + "x"), CodecError);
    std::string other = bytes;
    other[0] ^= 0x7f;
    CHECK_THROWS_AS(decode_record(other), CodecError);
}
