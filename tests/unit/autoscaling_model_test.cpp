// The autoscaler wired to the fleet: where target tracking settles, what scale-in costs each
// architecture, and that draining and terminating behave as SPEC §5 says.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include <fmt/format.h>

#include "checks.hpp"
#include "run_model.hpp"
#include "statesim/stats/analytic.hpp"

using namespace statesim;
using statesim::test::check_conservation;
using statesim::test::lost;
using statesim::test::run_model;
using statesim::test::seed_offset;

TEST_CASE("target tracking on cpu settles at ceil(lambda E[S] / (workers x target)) nodes") {
    // 180 req/s x 50 ms = 9 busy workers; 4 workers per node at 50 %: ceil(4.5) = 5 nodes. From
    // 4 nodes (cpu 56 %) the group scales out to ceil(4 x 0.5625 / 0.5) = 5 and then holds (at 5
    // nodes cpu = 45 %, not below 0.9 x 50 %). (From 2 nodes a backlog forms and it overshoots
    // first, as a real group does; then it scales in to the same 5.)
    const char *yaml = R"(
duration: 1h
warmup: 30m
workload:
  sessions: {arrival: {process: poisson, rate: 180/s}, requests: 1}
  request: {service_time: {dist: exponential, mean: 50ms}}
  client: {timeout: 30s}
cluster: {nodes: 4, workers: 4, queue_limit: 100000, boot_time: 30s}
autoscaling:
  policy: target_tracking
  metric: cpu
  target: 50%
  min: 1
  max: 20
  instance_warmup: 60s
)";
    const RunResult r = run_model(yaml, 21 + seed_offset());
    const int expected = analytic::target_tracking_nodes(180, 0.05, 4, 0.5);
    REQUIRE(expected == 5);
    REQUIRE(!r.timeseries.empty());
    CHECK(r.timeseries.back().nodes_desired == expected);
    CHECK(std::abs(r.nodes_mean - expected) < 0.05); // settled before the window
    std::size_t outs = 0;
    for (const auto &e : r.events)
        outs += e.what == MarkedEvent::scale_out;
    CHECK(outs >= 1);
    CHECK(r.scale_in_events == 0);
    CHECK(test::within_rel(r.utilization, 0.45, 0.03));
}

TEST_CASE("scale-in: sticky local state is lost with cause scale_in, fewer with drain: sessions, "
          "none when stateless") {
    // Scheduled scaling from 8 to 2 nodes at 20 min: six nodes are retired while sticky
    // sessions live on them.
    const char *yaml = R"(
duration: 40m
warmup: 10m
workload:
  sessions:
    arrival: {process: poisson, rate: 20/s}
    requests: {dist: geometric, mean: 10}
    think_time: {dist: exponential, mean: 5s}
  request: {service_time: {dist: exponential, mean: 5ms}}
  client: {retries: {max: 5, backoff: 50ms}}
cluster: {nodes: 8, workers: 32}
load_balancer: {deregistration_delay: 60s}
autoscaling:
  policy: scheduled
  min: 2
  max: 8
  schedule: [{at: 20m, desired: 2}]
architectures:
  - {name: sticky, preset: stateful-sticky}
  - {name: sticky-drain-sessions, preset: stateful-sticky, set: {load_balancer.drain: sessions}}
  - {name: sticky-terminate, preset: stateful-sticky, set: {autoscaling.scale_in: terminate}}
  - {name: dynamodb, preset: stateless-dynamodb, set: {state.store.capacity: 1000000/s}}
)";
    const RunResult drain_requests = run_model(yaml, 22 + seed_offset(), 0);
    const RunResult drain_sessions = run_model(yaml, 22 + seed_offset(), 1);
    const RunResult terminate = run_model(yaml, 22 + seed_offset(), 2);
    const RunResult stateless = run_model(yaml, 22 + seed_offset(), 3);
    for (const RunResult *r : {&drain_requests, &drain_sessions, &terminate, &stateless})
        check_conservation(*r);
    // Six of eight nodes go: about 6/8 of the sessions alive at 20 min had their state there.
    const std::uint64_t a = lost(drain_requests, LossCause::scale_in);
    const std::uint64_t b = lost(drain_sessions, LossCause::scale_in);
    const std::uint64_t c = lost(terminate, LossCause::scale_in);
    INFO("drain requests " << a << ", drain sessions " << b << ", terminate " << c);
    CHECK(a > 300);
    CHECK(c > 300);
    CHECK(b < a / 2); // a minute of grace lets most sessions (~50 s long) finish on the node
    CHECK(lost(drain_requests, LossCause::routing) == 0);
    CHECK(stateless.sessions_lost == 0);
    CHECK(stateless.sessions_abandoned == 0);
    CHECK(drain_requests.scale_in_events == 1);
    REQUIRE(!drain_requests.timeseries.empty());
    CHECK(drain_requests.timeseries.back().nodes_desired == 2);
    std::size_t drains = 0, terminations = 0;
    for (const auto &e : drain_requests.events) {
        drains += e.what == MarkedEvent::drain_start;
        terminations += e.what == MarkedEvent::terminate;
    }
    CHECK(drains == 6);
    CHECK(terminations == 6);
}

TEST_CASE("step and hpa policies scale the fleet out under load and back in after it") {
    // 4 nodes of 4 workers; the load goes 20 -> 180 -> 20 requests/s of 50 ms (1 -> 9 -> 1 busy
    // workers): every policy must add nodes at the peak and remove them afterwards.
    const char *yaml = R"(
duration: 3h
warmup: 0s
workload:
  sessions:
    arrival: {process: profile, points: [[0s, 20/s], [30m, 20/s], [31m, 180/s], [90m, 180/s], [91m, 20/s]]}
    requests: 1
  request: {service_time: {dist: exponential, mean: 50ms}}
  client: {timeout: 30s}
cluster: {nodes: 2, workers: 4, queue_limit: 100000, boot_time: 30s}
autoscaling:
  min: 1
  max: 20
  target: 50%
  instance_warmup: 60s
  steps: [{above: 60%, add: 2}, {above: 90%, add: 4}, {below: 20%, add: -1}]
  cooldown: {out: 60s, in: 120s}
  hpa: {period: 15s, tolerance: 0.1, stabilization: 300s}
)";
    for (const char *policy : {"step", "hpa"}) {
        INFO("policy " << policy);
        const RunResult r =
            run_model(yaml, 23 + seed_offset(), 0, {std::string("autoscaling.policy=") + policy});
        check_conservation(r);
        int peak_desired = 0;
        for (const auto &row : r.timeseries)
            if (row.time_s > 3600 && row.time_s <= 5400)
                peak_desired = std::max(peak_desired, row.nodes_desired);
        INFO("peak desired " << peak_desired << ", last " << r.timeseries.back().nodes_desired);
        CHECK(peak_desired >= 5);                      // 9 busy workers at 50 % cpu: 4.5 nodes
        CHECK(r.timeseries.back().nodes_desired <= 2); // back down after the peak
        CHECK(r.scale_out_events >= 1);
        CHECK(r.scale_in_events >= 1);
    }
}

TEST_CASE("every killed node is terminated, draining ones included (none is left failed and "
          "billed)") {
    // Scale-in at 10 min drains two nodes for up to 10 minutes (sticky sessions keep them); the
    // zone holding them dies at 12 min while they drain, and comes back at 22 min.
    const char *yaml = R"(
duration: 40m
warmup: 0s
workload:
  sessions:
    arrival: {process: poisson, rate: 10/s}
    requests: {dist: geometric, mean: 10}
    think_time: {dist: exponential, mean: 5s}
  request: {service_time: 5ms}
  client: {retries: {max: 5, backoff: 50ms}}
cluster: {nodes: 4, zones: 2, workers: 16, boot_time: 30s}
load_balancer: {sticky: true, drain: sessions, deregistration_delay: 10m}
state: {location: local}
autoscaling: {policy: scheduled, min: 1, max: 4, schedule: [{at: 10m, desired: 2}]}
failures:
  mode: process
  events: [{at: 12m, kill: zone, zone: 0, duration: 10m}]
)";
    const RunResult r = run_model(yaml, 24 + seed_offset());
    check_conservation(r);
    std::map<std::string, int> killed, terminated;
    for (const auto &e : r.events) {
        if (e.what == MarkedEvent::kill) ++killed[e.target];
        if (e.what == MarkedEvent::terminate) ++terminated[e.target];
    }
    CHECK(!killed.empty());
    for (const auto &[node, n] : killed) {
        INFO("node " << node);
        CHECK(terminated[node] == n);
    }
    CHECK(lost(r, LossCause::node_failure) > 0);
    CHECK(r.timeseries.back().nodes_desired == 2);
    CHECK(r.timeseries.back().nodes_draining == 0);
}

namespace {

std::size_t count_events(const RunResult &r, MarkedEvent what) {
    std::size_t n = 0;
    for (const auto &e : r.events)
        n += e.what == what;
    return n;
}

} // namespace

TEST_CASE("a rolling deployment completes every batch while step or hpa autoscaling runs") {
    // 4 nodes, a deployment in batches of one at 10 min: four batches, four old nodes drained.
    // The surge is not part of the desired capacity the autoscaler sees, and a scale-in during
    // a deployment takes old nodes first. Before, the step policy scaled the batch's booting
    // node away at once and the deployment waited for it for ever ("skipped: a deployment is
    // running" for every later one).
    const char *yaml = R"(
duration: 1h
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}}
cluster: {nodes: 4, boot_time: 60s}
load_balancer: {sticky: true, deregistration_delay: 30s}
state: {location: local}
failures:
  events:
    - {at: 10m, deploy: rolling}
    - {at: 40m, deploy: rolling}
  deployments: {batch: 25%}
autoscaling:
  policy: step
  min: 4
  max: 10
  steps: [{above: 80%, add: 2}, {below: 30%, add: -1}]
)";
    for (const char *policy : {"step", "hpa", "target_tracking"}) {
        INFO("policy " << policy);
        const RunResult r =
            run_model(yaml, 31 + seed_offset(), 0, {std::string("autoscaling.policy=") + policy});
        check_conservation(r);
        std::size_t skipped = 0, batches = 0;
        for (const auto &e : r.events)
            if (e.what == MarkedEvent::deploy_batch) {
                skipped += e.detail.find("skipped") != std::string::npos;
                batches += e.detail.find("skipped") == std::string::npos;
            }
        CHECK(skipped == 0);
        CHECK(batches == 8);                                   // 4 batches per deployment
        CHECK(count_events(r, MarkedEvent::drain_start) >= 8); // every old node drained
        CHECK(r.lost_by_cause[static_cast<std::size_t>(LossCause::deployment)] > 0);
    }
}

TEST_CASE("hpa and step scale a steady overload once, not again while the new node boots") {
    // 1200 requests/s x 20 ms = 24 busy workers. Nodes of 16 workers (the default): 2 nodes run
    // at 75 % against a 60 % target; ceil(2 x 0.75 / 0.6) = 3 nodes hold it at 50 %. The new
    // node boots for 60 s; Kubernetes counts a not-yet-ready pod at 0 % on a scale-up ((75 + 75
    // + 0) / 3 = 50 %: no further step), AWS leaves warming instances out of the capacity a step
    // adds to. Before, each period added again: hpa went 2 -> 20 in 105 s, step 2 -> 6.
    const char *yaml = R"(
duration: 30m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 1200/s}, requests: 1}
  request: {service_time: 20ms}
cluster: {nodes: 2, workers: 16, boot_time: 60s}
autoscaling:
  min: 1
  max: 20
  target: 60%
  steps: [{above: 70%, add: 1}, {below: 20%, add: -1}]
)";
    for (const char *policy : {"hpa", "step", "target_tracking"}) {
        INFO("policy " << policy);
        const RunResult r =
            run_model(yaml, 37 + seed_offset(), 0, {std::string("autoscaling.policy=") + policy});
        CHECK(r.scale_out_events == 1);
        CHECK(r.scale_in_events == 0);
        CHECK(r.timeseries.back().nodes_desired == 3);
    }
}

TEST_CASE("the initial nodes are warm: the first scale-out comes after out_datapoints periods") {
    // Target tracking, 3 datapoints of 60 s above target from t = 0: the action is at 180 s. The
    // initial nodes are not inside instance_warmup (300 s by default); before, they were treated
    // as warming until 300 s and the first evaluation that counted came at 420 s.
    const char *yaml = R"(
duration: 10m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 1200/s}, requests: 1}
  request: {service_time: 20ms}
cluster: {nodes: 2, workers: 16, boot_time: 60s}
autoscaling: {min: 1, max: 10, target: 60%, instance_warmup: 300s}
)";
    const RunResult r = run_model(yaml, 41 + seed_offset());
    double first = -1;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::scale_out && first < 0) first = e.time_s;
    CHECK(first == doctest::Approx(180));
}

TEST_CASE("drain: sessions ends when the node's last session ends, not at the delay") {
    // Sessions of 3 requests 5 s apart last ~10 s; a scheduled scale-in at 10 min drains one of
    // 4 nodes with deregistration_delay 300 s. Its sticky sessions end within ~10 s, and then
    // the drain is over: the node terminates ~10 s after drain_start, not 300 s.
    const char *yaml = R"(
duration: 30m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 20/s}, requests: 3, think_time: 5s}
  request: {service_time: 10ms}
cluster: {nodes: 4}
load_balancer: {sticky: true, drain: sessions, deregistration_delay: 300s}
state: {location: local}
autoscaling: {policy: scheduled, min: 2, max: 4, schedule: [{at: 10m, desired: 3}]}
)";
    const RunResult r = run_model(yaml, 43 + seed_offset());
    double drained = -1, terminated = -1;
    for (const auto &e : r.events) {
        if (e.what == MarkedEvent::drain_start) drained = e.time_s;
        if (e.what == MarkedEvent::terminate && drained >= 0 && terminated < 0)
            terminated = e.time_s;
    }
    REQUIRE(drained == doctest::Approx(600));
    CHECK(terminated > drained + 5);  // its sessions still had requests to make
    CHECK(terminated < drained + 30); // and the drain ended with the last of them
    CHECK(r.lost_by_cause[static_cast<std::size_t>(LossCause::scale_in)] == 0);
}

TEST_CASE("DynamoDB ignores state.store.shards: a store failure takes the whole store down") {
    // Before, the failure process drew one of `shards` shards while the DynamoDB store had only
    // shard 0, so three failures in four did nothing. The same seed with shards 4 and 1 must
    // now be the same run.
    const char *yaml = R"(
duration: 2h
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 5, think_time: 2s}
  request: {service_time: 10ms}
cluster: {nodes: 2}
state: {location: store, store: {kind: dynamodb, shards: 4, timeout: 200ms}}
failures:
  store: {mtbf: {dist: exponential, mean: 20m}, mttr: 2m}
)";
    const RunResult four = run_model(yaml, 47 + seed_offset());
    const RunResult one = run_model(yaml, 47 + seed_offset(), 0, {"state.store.shards=1"});
    REQUIRE(count_events(four, MarkedEvent::store_down) >= 2);
    for (const auto &e : four.events)
        if (e.what == MarkedEvent::store_down) CHECK(e.target == "store shard 0");
    CHECK(four.requests_failed > 0);
    CHECK(four.requests_failed == one.requests_failed);
    CHECK(four.sessions_lost + four.sessions_abandoned ==
          one.sessions_lost + one.sessions_abandoned);
}

TEST_CASE("zone rebalancing launches first and drains only once the new nodes are healthy") {
    // 4 nodes over 2 zones; zone 0 is down from 10 to 30 min (its two nodes replaced in zone 1).
    // When it returns the group launches two nodes there and drains two of zone 1 as each new
    // one passes its checks, as an Auto Scaling group does. Before, it drained both at once at
    // 30 min and served with 2 nodes while their replacements booted.
    const char *yaml = R"(
duration: 1h
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 200/s}, requests: 1}
  request: {service_time: 100ms}
cluster: {nodes: 4, zones: 2, boot_time: 60s}
failures:
  events: [{at: 10m, kill: zone, zone: 0, duration: 20m}]
)";
    const RunResult r = run_model(yaml, 53 + seed_offset());
    std::vector<double> drains;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::drain_start) drains.push_back(e.time_s);
    REQUIRE(drains.size() == 2);
    for (double t : drains)
        CHECK(t > 1800 + 60); // after a boot, not at the zone's return
    for (const auto &row : r.timeseries)
        if (row.time_s > 1800) CHECK(row.nodes_in_service >= 4);
    CHECK(r.timeseries.back().nodes_in_service == 4);
    CHECK(r.timeseries.back().nodes_desired == 4);
}

TEST_CASE("overlapping outages of a zone: it is back when the last one ends") {
    // Zone 0 down from 3 to 8 min and again from 4 to 10 min: dark until 10 min. Before, the
    // first outage's end brought it back at 8 min (and launched nodes there).
    const char *yaml = R"(
duration: 20m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 20/s}, requests: 1}
  request: {service_time: 10ms}
cluster: {nodes: 4, zones: 2, boot_time: 60s}
failures:
  events:
    - {at: 3m, kill: zone, zone: 0, duration: 5m}
    - {at: 4m, kill: zone, zone: 0, duration: 6m}
)";
    const RunResult r = run_model(yaml, 83 + seed_offset());
    std::vector<double> up;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::zone_up) up.push_back(e.time_s);
    REQUIRE(up.size() == 1);
    CHECK(up[0] == doctest::Approx(600));
}

TEST_CASE("a deployment goes on when its batch node dies before its checks and is not replaced") {
    // replace_failed: false, no repairs. 2 nodes in 2 zones; the deployment at 10 min launches
    // one new node in zone 0, registered at 11 min; zone 0 goes dark 1 us later, before its
    // first health check (a new target needs one, ALB). The dead batch node is not replaced (the
    // surge shrinks, not the desired count); the batch completes with no new node, and the next
    // batch replaces the last old one. Before, the batch waited for ever and the deployment at 40
    // min was skipped.
    const char *yaml = R"(
duration: 1h
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 1}
  request: {service_time: 10ms}
cluster: {nodes: 2, zones: 2, boot_time: 60s}
load_balancer: {health_check: {interval: 10s, healthy_threshold: 5, unhealthy_threshold: 2}}
failures:
  replace_failed: false
  deployments: {batch: 50%}
  events:
    - {at: 10m, deploy: rolling}
    - {at: 660.000001s, kill: zone, zone: 0, duration: 5m}
    - {at: 40m, deploy: rolling}
)";
    const RunResult r = run_model(yaml, 59 + seed_offset());
    std::size_t skipped = 0, batches = 0;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::deploy_batch)
            (e.detail.find("skipped") != std::string::npos ? skipped : batches) += 1;
    CHECK(skipped == 0);
    CHECK(batches >= 3);
    // One node of zone 0 died for good (old, in the desired count): the group is 1 node.
    CHECK(r.timeseries.back().nodes_desired == 1);
    CHECK(r.timeseries.back().nodes_in_service == 1);
}

TEST_CASE("an old node repaired after the deployment ended is replaced by the deployment") {
    // replace_failed: false, repairs of 20 min. Of 2 nodes one is killed at 5 min; the
    // deployment at 10 min replaces the other (one batch: the dead one is not running) and ends.
    // At 25 min the dead node is back on the old release: the deployment takes it up again
    // with one more batch. Before, the group stayed mixed (one node on release 0) for good.
    const char *yaml = R"(
duration: 1h
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 1}
  request: {service_time: 10ms}
cluster: {nodes: 2, zones: 1, boot_time: 60s}
load_balancer: {health_check: {interval: 10s, healthy_threshold: 2}}
failures:
  replace_failed: false
  nodes: {mtbf: {dist: exponential, mean: 36000d}, mttr: 20m}
  deployments: {batch: 50%}
  events:
    - {at: 5m, kill: node, count: 1}
    - {at: 10m, deploy: rolling}
)";
    const RunResult r = run_model(yaml, 71 + seed_offset());
    std::string killed;
    double unhealthy_at = -1, repaired_at = -1, batch_after_repair = -1, killed_retired_at = -1;
    for (const auto &e : r.events) {
        if (e.what == MarkedEvent::kill) killed = e.target;
        if (e.what == MarkedEvent::unhealthy && e.target == killed) unhealthy_at = e.time_s;
        if (e.what == MarkedEvent::repair && e.target == killed) repaired_at = e.time_s;
        if (e.what == MarkedEvent::deploy_batch && repaired_at >= 0) batch_after_repair = e.time_s;
        if (e.what == MarkedEvent::terminate && e.target == killed) killed_retired_at = e.time_s;
    }
    REQUIRE(!killed.empty());
    // The checks mark it (events.csv `unhealthy`) after 1 to 2 intervals of 10 s.
    CHECK(unhealthy_at > 310);
    CHECK(unhealthy_at <= 320 + 1e-6);
    CHECK(repaired_at == doctest::Approx(1500));
    CHECK(batch_after_repair == doctest::Approx(1500));
    // Retired once its replacement passed its check: a boot (60 s) and at most a 10 s interval.
    CHECK(killed_retired_at > 1560);
    CHECK(killed_retired_at <= 1570 + 1e-6);
    CHECK(r.timeseries.back().nodes_in_service == 2);
    CHECK(r.timeseries.back().nodes_desired == 2);
}

TEST_CASE("scheduled actions wait for their direction's cooldown (SPEC §4: step/scheduled)") {
    // Out to 4 at 2 min, in to 2 at 3 min (no scale-in yet: no wait), out to 5 at 4 min: within
    // 300 s of the last scale-out, so it waits until 7 min. Before, the cooldown was ignored
    // (actions at 120, 180 and 240 s).
    const char *yaml = R"(
duration: 20m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 1}
cluster: {nodes: 2, zones: 1, boot_time: 10s}
autoscaling:
  policy: scheduled
  min: 1
  max: 6
  cooldown: {out: 300s, in: 300s}
  schedule: [{at: 2m, desired: 4}, {at: 3m, desired: 2}, {at: 4m, desired: 5}]
)";
    const RunResult r = run_model(yaml, 73 + seed_offset());
    std::vector<std::pair<double, std::string>> actions;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::scale_out || e.what == MarkedEvent::scale_in)
            actions.emplace_back(e.time_s, e.detail);
    REQUIRE(actions.size() == 3);
    CHECK(actions[0].first == doctest::Approx(120));
    CHECK(actions[1].first == doctest::Approx(180));
    CHECK(actions[2].first == doctest::Approx(420));
    CHECK(actions[2].second.find("2->5") != std::string::npos);
    CHECK(r.timeseries.back().nodes_desired == 5);
}

TEST_CASE("a scheduled action still waiting is superseded by a later one") {
    // Out to 4 at 1 min; out to 6 at 2 min waits for 6 min; in to 3 at 3 min applies at once:
    // the waiting entry is dropped, the group stays at 3.
    const char *yaml = R"(
duration: 20m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 1}
cluster: {nodes: 2, zones: 1, boot_time: 10s}
autoscaling:
  policy: scheduled
  min: 1
  max: 6
  cooldown: {out: 300s, in: 300s}
  schedule: [{at: 1m, desired: 4}, {at: 2m, desired: 6}, {at: 3m, desired: 3}]
)";
    const RunResult r = run_model(yaml, 79 + seed_offset());
    int actions = 0;
    for (const auto &e : r.events)
        actions += e.what == MarkedEvent::scale_out || e.what == MarkedEvent::scale_in;
    CHECK(actions == 2);
    CHECK(r.timeseries.back().nodes_desired == 3);
}

TEST_CASE("waiting scheduled actions: the latest due entry applies") {
    // Out to 4 at 1 min; out to 5 at 2 min and to 6 at 3 min wait for 6 min. Then the 3 min
    // entry applies (4 -> 6) and the outdated 2 min one is skipped; before, 4 -> 5 at 6 min
    // restarted the cooldown and 5 -> 6 came at 11 min.
    const char *yaml = R"(
duration: 20m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 1}
cluster: {nodes: 2, zones: 1, boot_time: 10s}
autoscaling:
  policy: scheduled
  min: 1
  max: 6
  cooldown: {out: 300s, in: 0s}
  schedule: [{at: 1m, desired: 4}, {at: 2m, desired: 5}, {at: 3m, desired: 6}]
)";
    const RunResult r = run_model(yaml, 97 + seed_offset());
    std::vector<std::pair<double, std::string>> actions;
    for (const auto &e : r.events)
        if (e.what == MarkedEvent::scale_out || e.what == MarkedEvent::scale_in)
            actions.emplace_back(e.time_s, e.detail);
    REQUIRE(actions.size() == 2);
    CHECK(actions[1].first == doctest::Approx(360));
    CHECK(actions[1].second.find("4->6") != std::string::npos);
}

TEST_CASE("a scheduled action that would wait past the window is dropped") {
    // A 10-minute window: the scale-in at 9 min waits for 13 min, after the window, where the
    // autoscaler acts no more: the run is the one without that entry. Before, it drained a
    // sticky node during the drain of the cohort (losses counted, no events.csv row).
    const std::string base = R"(
duration: 10m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 20, think_time: 1m}
cluster: {nodes: 4, zones: 1, boot_time: 10s}
state: {location: local}
load_balancer: {sticky: true, deregistration_delay: 10s}
autoscaling:
  policy: scheduled
  min: 1
  max: 6
  cooldown: {out: 0s, in: 300s}
)";
    const RunResult both = run_model(
        base + "  schedule: [{at: 8m, desired: 3}, {at: 9m, desired: 2}]\n", 101 + seed_offset());
    const RunResult first =
        run_model(base + "  schedule: [{at: 8m, desired: 3}]\n", 101 + seed_offset());
    const auto scale_in = static_cast<std::size_t>(LossCause::scale_in);
    CHECK(first.lost_by_cause[scale_in] > 0);
    CHECK(both.lost_by_cause[scale_in] == first.lost_by_cause[scale_in]);
    CHECK(both.sessions_lost == first.sessions_lost);
}

TEST_CASE("a scale-in during the last batch leaves the group at its desired count") {
    // 2 nodes, batches of 50 %: the second batch's node boots from ~11 min; a scheduled
    // scale-in to 1 at 12 min drains the last old node (old release first). When the new node
    // is healthy no old node is left to retire: the group must still come down to 1 (before, it
    // stayed at 2 with a desired count of 1).
    const char *yaml = R"(
duration: 30m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 5/s}, requests: 1}
  request: {service_time: 10ms}
cluster: {nodes: 2, zones: 1, boot_time: 60s}
load_balancer: {health_check: {interval: 10s, healthy_threshold: 2}}
failures:
  deployments: {batch: 50%}
  events: [{at: 10m, deploy: rolling}]
autoscaling: {policy: scheduled, min: 1, max: 4, schedule: [{at: 12m, desired: 1}]}
)";
    const RunResult r = run_model(yaml, 61 + seed_offset());
    CHECK(r.timeseries.back().nodes_desired == 1);
    CHECK(r.timeseries.back().nodes_in_service == 1);
}

TEST_CASE("a scale-in while rebalancing nodes boot reaches the new desired count") {
    // Zone 0 of 2 is dark from 10 to 30 min; at its return two rebalancing nodes boot (beyond the
    // desired 4) and a scheduled scale-in to 2 comes at 30 min 30 s. Retiring a rebalancing node
    // gives up its move, which lowers the target as the scale-in goes: the group ends at 2.
    // Before, the target was fixed when the scale-in began and the group stayed at 4.
    const char *yaml = R"(
duration: 1h
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 20/s}, requests: 1}
  request: {service_time: 10ms}
cluster: {nodes: 4, zones: 2, boot_time: 60s}
failures:
  events: [{at: 10m, kill: zone, zone: 0, duration: 20m}]
autoscaling: {policy: scheduled, min: 1, max: 8, schedule: [{at: 1830s, desired: 2}]}
)";
    const RunResult r = run_model(yaml, 67 + seed_offset());
    CHECK(r.timeseries.back().nodes_desired == 2);
    CHECK(r.timeseries.back().nodes_in_service == 2);
}

TEST_CASE("a node terminated and not replaced never takes the group below autoscaling.min") {
    // replace_failed: false and no repair process: the killed node is terminated when the
    // checks mark it (~138 s). At min (1) the group launches one instead of shrinking: desired
    // went to 0 and the autoscaler's next tick logged a scale-out "desired 0->1 (metric nan)".
    const RunResult r = run_model(R"(
duration: 5m
warmup: 1m
workload:
  sessions: {arrival: {process: poisson, rate: 10/s}, requests: 1}
  request: {service_time: 100ms}
cluster: {nodes: 1, workers: 4, boot_time: 30s}
load_balancer: {health_check: {interval: 10s}}
autoscaling: {policy: target_tracking, min: 1, max: 4}
failures:
  replace_failed: false
  events: [{at: 2m, kill: node, count: 1}]
)");
    std::size_t replaces = 0, scale_outs = 0;
    for (const auto &e : r.events) {
        replaces += e.what == MarkedEvent::replace;
        scale_outs += e.what == MarkedEvent::scale_out;
    }
    CHECK(replaces == 1);
    CHECK(scale_outs == 0);
    CHECK(r.scale_out_events == 0);
    for (const auto &row : r.timeseries)
        CHECK(row.nodes_desired >= 1);
}

TEST_CASE("hpa scales up to at most max(2 x current, 4) per evaluation, as Kubernetes does") {
    // 2 nodes at ~47 % busy against a 10 % target: the recommendation is ceil(2 x 4.71) = 10.
    // Kubernetes (an HPA without `behavior`) allows max(2 x 2, 4) = 4 at the first sync.
    const RunResult r = run_model(R"(
duration: 3m
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 40/s}, requests: 1}
  request: {service_time: 100ms}
cluster: {nodes: 2, workers: 4, boot_time: 30s}
load_balancer: {deregistration_delay: 20s, health_check: {interval: 10s}}
autoscaling: {policy: hpa, target: 10%, min: 1, max: 40}
)");
    // Every scale-out within the limit from the count before it, and the first one at it.
    std::vector<std::pair<int, int>> outs; // (from, to)
    for (const auto &e : r.events) {
        if (e.what != MarkedEvent::scale_out) continue;
        int from = 0, to = 0;
        REQUIRE(std::sscanf(e.detail.c_str(), "desired %d->%d", &from, &to) == 2);
        outs.emplace_back(from, to);
    }
    REQUIRE(outs.size() >= 2);
    CHECK(outs[0] == std::make_pair(2, 4));
    for (const auto &[from, to] : outs)
        CHECK(to <= std::max(2 * from, 4));
}

TEST_CASE("a rolling deployment leaves the zones balanced: a zone outage after it takes half") {
    // 4 nodes in 2 zones, batches of 25 % (one node), then zone 0 dark at 1 h. An Auto Scaling
    // group keeps its zones balanced, so the outage kills 2 nodes, as without the deployment.
    // Before, each batch's node went to the emptiest zone while the oldest node anywhere was
    // retired: 3:1 after the deployment, and the outage killed 3 of 4 (1 with zone 1).
    for (const char *nodes : {"4", "6"}) {
        const std::string yaml = fmt::format(R"(
duration: 2h
warmup: 0s
workload:
  sessions: {{arrival: {{process: poisson, rate: 2/s}}, requests: 10, think_time: 10s}}
  request: {{service_time: 10ms}}
cluster: {{nodes: {}, zones: 2, workers: 16, boot_time: 60s}}
load_balancer: {{deregistration_delay: 120s, sticky: true, health_check: {{interval: 30s}}}}
state: {{location: local}}
failures:
  deployments: {{enabled: false, batch: 25%}}
  events: [{{at: 30m, deploy: rolling}}, {{at: 1h, kill: zone, zone: {{}}, duration: 10m}}]
)",
                                             nodes);
        for (const int zone : {0, 1}) {
            INFO(nodes << " nodes, zone " << zone << " dark");
            std::string config = yaml;
            config.replace(config.find("zone: {}"), 8, fmt::format("zone: {}", zone));
            const RunResult r = run_model(config, 71 + seed_offset());
            int kills = 0, batches = 0;
            for (const EventRow &e : r.events) {
                kills += e.what == MarkedEvent::kill;
                batches += e.what == MarkedEvent::deploy_batch;
            }
            CHECK(batches == (std::stoi(nodes) == 4 ? 4 : 3)); // ceil(25 %) nodes per batch
            CHECK(kills == std::stoi(nodes) / 2);
        }
    }
}

TEST_CASE("no periodic deployment starts at the window's last instant") {
    // every: 1h over a 2 h window: one deployment, at 1 h. Before, a second began at 2 h, the
    // window's last instant: it acted only after the window, yet the sessions it cut counted.
    const RunResult r = run_model(R"(
duration: 2h
warmup: 0s
workload:
  sessions: {arrival: {process: poisson, rate: 2/s}, requests: 10, think_time: 10s}
  request: {service_time: 10ms}
cluster: {nodes: 4, workers: 16, boot_time: 60s}
load_balancer: {sticky: true}
state: {location: local}
failures:
  deployments: {every: 1h, batch: 25%}
)",
                                  73 + seed_offset());
    int batches = 0;
    for (const EventRow &e : r.events) {
        if (e.what != MarkedEvent::deploy_batch) continue;
        ++batches;
        CHECK(e.time_s < 7200);
        CHECK(e.detail.find("release 1:") == 0);
    }
    CHECK(batches == 4);
}
