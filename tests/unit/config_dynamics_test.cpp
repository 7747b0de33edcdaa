// The config side of failures, zones, store outages, deployments and autoscaling (SPEC §4):
// every key parses to the expected struct value, the store kinds set their defaults, and every
// bad value is a located error. The parser is tested with every feature on
// (Modelled::everything()), so these tests do not depend on what the model simulates yet; the
// refusals of the features that are off (modelled.hpp) are tested separately, flag by flag.
#include <doctest/doctest.h>

#include <string>

#include "statesim/config/load_scenario.hpp"
#include "statesim/config/modelled.hpp"

using namespace statesim;

namespace {

// Lines 1-9; appended sections start at line 10.
const std::string kBase = R"(name: t
duration: 1h
warmup: 10m
workload:
  sessions:
    arrival: {process: poisson, rate: 10/s}
cluster:
  nodes: 4
  zones: 2
)";

LoadOptions everything(std::vector<std::string> sets = {}) {
    LoadOptions o;
    o.sets = std::move(sets);
    o.modelled = Modelled::everything();
    return o;
}

Scenario load(const std::string &extra, const LoadOptions &o = everything()) {
    return load_scenario_text(kBase + extra, "t.yaml", o);
}

Architecture arch(const std::string &extra, const LoadOptions &o = everything()) {
    return load(extra, o).points.at(0).architectures.at(0);
}

std::string error_of(const std::string &extra, const LoadOptions &o = everything()) {
    try {
        load_scenario_text(kBase + extra, "t.yaml", o);
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

// The error for `extra` contains every part (location, key path, what was expected).
void check_error(const std::string &extra, std::initializer_list<const char *> parts,
                 const LoadOptions &o = everything()) {
    const std::string e = error_of(extra, o);
    INFO("config:\n" << extra << "error: " << e);
    CHECK(e.starts_with("error: t.yaml:"));
    for (const char *p : parts)
        CHECK(contains(e, p));
}

} // namespace

TEST_CASE("failure processes parse to mtbf and mttr distributions, absent ones are off") {
    SUBCASE("failures: {enabled: false} is validated, then switches everything off (SPEC §4)") {
        const Architecture a =
            arch("failures:\n  enabled: false\n  nodes: {mtbf: 1h}\n"
                 "  deployments: {every: 1h}\n  events: [{at: 9m, kill: node}]\n");
        CHECK_FALSE(a.failures.enabled);
        CHECK_FALSE(a.failures.nodes.enabled);
        CHECK_FALSE(a.failures.deployments.enabled);
        CHECK(a.failures.events.empty());
        CHECK(arch("failures: {enabled: true, nodes: {mtbf: 1h}}\n").failures.nodes.enabled);
        // Still validated: a bad event is refused though the section is off.
        CHECK(error_of("failures: {enabled: false, events: [{at: 9m, kill: moon}]}\n")
                  .find("failures.events[0].kill") != std::string::npos);
    }
    SUBCASE("absent failures: everything off") {
        const Architecture a = arch("");
        CHECK_FALSE(a.failures.nodes.enabled);
        CHECK_FALSE(a.failures.zones.enabled);
        CHECK_FALSE(a.failures.store.enabled);
        CHECK_FALSE(a.failures.deployments.enabled);
        CHECK(a.failures.events.empty());
        CHECK(a.failures.mode == FailureMode::host);
        CHECK_FALSE(a.autoscaling.enabled);
        CHECK(arch("", LoadOptions{}).failures.mode ==
              (kModelsConnectTimeout ? FailureMode::host : FailureMode::process));
    }
    SUBCASE("given values") {
        const Architecture a = arch(R"(failures:
  nodes: {mtbf: {dist: weibull, mean: 24h, shape: 0.7}, mttr: 10m}
  zones: {mtbf: {dist: exponential, mean: 90d}, mttr: 2h, enabled: false}
  store: {mtbf: 30d, mttr: {dist: uniform, min: 1m, max: 9m}}
  mode: process
  replace_failed: false
)");
        const FailureSpec &f = a.failures;
        CHECK(f.nodes.enabled);
        CHECK(f.nodes.mtbf.kind == Distribution::Kind::weibull);
        CHECK(f.nodes.mtbf.mean == 86400);
        CHECK(f.nodes.mtbf.shape == 0.7);
        CHECK(f.nodes.mttr.kind == Distribution::Kind::constant);
        CHECK(f.nodes.mttr.mean == 600);
        CHECK_FALSE(f.zones.enabled);
        CHECK(f.zones.mtbf.mean == 90 * 86400);
        CHECK(f.zones.mttr.mean == 7200);
        CHECK(f.store.enabled);
        CHECK(f.store.mtbf.mean == 30 * 86400);
        CHECK(f.store.mttr.kind == Distribution::Kind::uniform);
        CHECK(f.store.mttr.mean == 300);
        CHECK(f.mode == FailureMode::process);
        CHECK_FALSE(f.replace_failed);
    }
    SUBCASE("defaults of a present section") {
        const Architecture a = arch("failures:\n  nodes: {}\n  zones: {}\n  store: {}\n");
        const FailureSpec &f = a.failures;
        CHECK(f.nodes.enabled);
        CHECK(f.nodes.mtbf.kind == Distribution::Kind::exponential);
        CHECK(f.nodes.mtbf.mean == 86400);
        CHECK(f.nodes.mttr.kind == Distribution::Kind::lognormal);
        CHECK(f.nodes.mttr.mean == 600);
        CHECK(f.nodes.mttr.cv == 0.5);
        CHECK(f.zones.enabled);
        CHECK(f.zones.mtbf.mean == 90 * 86400);
        CHECK(f.zones.mttr.mean == 7200);
        CHECK(f.store.enabled);
        CHECK(f.store.mtbf.mean == 30 * 86400);
        CHECK(f.store.mttr.mean == 300);
        CHECK(f.mode == FailureMode::host);
        CHECK(f.replace_failed);
        const std::string shown = describe_resolved(load("failures:\n  nodes: {}\n"));
        CHECK(contains(shown, "enabled: true  # default"));
        CHECK(contains(shown, "mode: host  # default"));
    }
}

TEST_CASE("fault events of every kind parse to FaultEvent") {
    const Architecture a = arch(R"(state: {store: {kind: redis, shards: 3}}
failures:
  events:
    - {at: 30m, kill: node, count: 2}
    - {at: 45m, kill: zone, zone: 1, duration: 10m}
    - {at: 50m, outage: store, duration: 2m}
    - {at: 55m, outage: store, duration: 30s, shard: 2}
    - {at: 60m, deploy: rolling}
    - {at: 61m, kill: node}
)");
    const auto &ev = a.failures.events;
    REQUIRE(ev.size() == 6);
    CHECK(ev[0].kind == FaultEvent::Kind::kill_node);
    CHECK(ev[0].at == 1800);
    CHECK(ev[0].count == 2);
    CHECK(ev[1].kind == FaultEvent::Kind::kill_zone);
    CHECK(ev[1].at == 2700);
    CHECK(ev[1].zone == 1);
    CHECK(ev[1].duration == 600);
    CHECK(ev[2].kind == FaultEvent::Kind::store_outage);
    CHECK(ev[2].duration == 120);
    CHECK(ev[2].shard == -1);
    CHECK(ev[3].kind == FaultEvent::Kind::store_outage);
    CHECK(ev[3].duration == 30);
    CHECK(ev[3].shard == 2);
    CHECK(ev[4].kind == FaultEvent::Kind::deploy);
    CHECK(ev[4].at == 3600);
    CHECK(ev[5].kind == FaultEvent::Kind::kill_node);
    CHECK(ev[5].count == 1);
}

TEST_CASE("deployments parse every and batch, the batch is a fraction") {
    const Architecture a = arch("failures:\n  deployments: {every: 2h, batch: 50%}\n");
    CHECK(a.failures.deployments.enabled);
    CHECK(a.failures.deployments.every == 7200);
    CHECK(a.failures.deployments.batch == 0.5);
    const Architecture d = arch("failures:\n  deployments: {}\n");
    CHECK(d.failures.deployments.enabled);
    CHECK(d.failures.deployments.every == 6 * 3600);
    CHECK(d.failures.deployments.batch == 0.25);
    CHECK(arch("failures:\n  deployments: {batch: 1}\n").failures.deployments.batch == 1);
    CHECK(arch("failures:\n  deployments: {batch: 0.1}\n").failures.deployments.batch == 0.1);
    CHECK_FALSE(arch("failures:\n  deployments: {enabled: false}\n").failures.deployments.enabled);
}

TEST_CASE("the load balancer's connect_timeout and drain") {
    const Architecture d = arch("");
    CHECK(d.load_balancer.connect_timeout == 10);
    CHECK(d.load_balancer.drain == LoadBalancerSpec::DrainMode::requests);
    const Architecture a = arch("load_balancer: {connect_timeout: 3s, drain: sessions}\n");
    CHECK(a.load_balancer.connect_timeout == 3);
    CHECK(a.load_balancer.drain == LoadBalancerSpec::DrainMode::sessions);
}

TEST_CASE("store kinds set their defaults") {
    SUBCASE("dynamodb: on-demand capacity, durable") {
        const StoreSpec s = arch("state: {location: store}\n").state.store;
        CHECK(s.kind == StoreKind::dynamodb);
        CHECK(s.capacity_mode == StoreSpec::CapacityMode::on_demand);
        CHECK(s.read_units == 12000);
        CHECK(s.write_units == 4000);
        CHECK(s.durable);
        CHECK(s.shards == 1);
        CHECK(s.replicas == 0);
        CHECK(s.failover_time == 60);
        CHECK(s.timeout == 1);
        CHECK(s.pricing == StoreSpec::Pricing::requests);
        CHECK(s.node_hour == 0);
        CHECK(s.read_latency.mean == doctest::Approx(0.004));
        // With capacity modes modelled the shipped loader defaults to on-demand too (before,
        // the default was the fixed 4000/s).
        const StoreSpec today = arch("state: {location: store}\n", LoadOptions{}).state.store;
        if (kModelsStoreCapacityModes) {
            CHECK(today.capacity_mode == StoreSpec::CapacityMode::on_demand);
            CHECK(today.read_units == 12000);
            CHECK(today.write_units == 4000);
        } else {
            CHECK(today.capacity_mode == StoreSpec::CapacityMode::fixed);
            CHECK(today.capacity == 4000);
        }
    }
    SUBCASE("dynamodb: a plain rate is a fixed limit, a map a capacity mode") {
        const StoreSpec fixed = arch("state: {store: {capacity: 2500/s}}\n").state.store;
        CHECK(fixed.capacity_mode == StoreSpec::CapacityMode::fixed);
        CHECK(fixed.capacity == 2500);
        const StoreSpec od =
            arch("state: {store: {capacity: {mode: on_demand, reads: 100/s}}}\n").state.store;
        CHECK(od.capacity_mode == StoreSpec::CapacityMode::on_demand);
        CHECK(od.read_units == 100);
        CHECK(od.write_units == 4000);
        const StoreSpec prov =
            arch("state: {store: {capacity: {mode: provisioned}}}\n").state.store;
        CHECK(prov.capacity_mode == StoreSpec::CapacityMode::provisioned);
        CHECK(prov.read_units == 3000);
        CHECK(prov.write_units == 1000);
        const StoreSpec prov2 =
            arch("state: {store: {capacity: {mode: provisioned, reads: 50/s, writes: 60/min}}}\n")
                .state.store;
        CHECK(prov2.read_units == 50);
        CHECK(prov2.write_units == doctest::Approx(1.0));
        // DynamoDB provisions whole units, at least one per second.
        check_error("state: {store: {capacity: {mode: provisioned, writes: 1/min}}}\n",
                    {"state.store.capacity.writes", "whole capacity units", "1/min"});
        check_error("state: {store: {capacity: {mode: provisioned, reads: 3.5/s}}}\n",
                    {"state.store.capacity.reads", "whole capacity units", "3.5/s"});
        // Provisioned tables are billed by the reserved unit-hour; the others per request.
        CHECK(prov.pricing == StoreSpec::Pricing::capacity);
        CHECK(od.pricing == StoreSpec::Pricing::requests);
        CHECK(fixed.pricing == StoreSpec::Pricing::requests);
        check_error("state: {store: {capacity: {mode: on_demand}, pricing: capacity}}\n",
                    {"state.store.pricing", "mode: provisioned"});
        check_error("state: {store: {kind: redis, pricing: capacity}}\n",
                    {"state.store.pricing", "mode: provisioned"});
    }
    SUBCASE("redis: fast, volatile, node pricing, replicas allowed") {
        const StoreSpec s = arch("state: {store: {kind: redis}}\n").state.store;
        CHECK(s.kind == StoreKind::redis);
        CHECK(s.capacity_mode == StoreSpec::CapacityMode::fixed);
        CHECK(s.capacity == 100000);
        CHECK_FALSE(s.durable);
        CHECK(s.replicas == 0);
        CHECK(s.pricing == StoreSpec::Pricing::nodes);
        CHECK(s.node_hour == 0.068);
        CHECK(s.read_latency.mean == doctest::Approx(0.0005));
        const StoreSpec r = arch("state: {store: {kind: redis, shards: 4, replicas: 2, "
                                 "failover_time: 30s, timeout: 500ms, durable: true}}\n")
                                .state.store;
        CHECK(r.shards == 4);
        CHECK(r.replicas == 2);
        CHECK(r.failover_time == 30);
        CHECK(r.timeout == 0.5);
        CHECK(r.durable);
    }
    SUBCASE("memcached: like redis, never durable, no replicas") {
        const StoreSpec s = arch("state: {store: {kind: memcached, shards: 8}}\n").state.store;
        CHECK(s.kind == StoreKind::memcached);
        CHECK(std::string(to_string(s.kind)) == "memcached");
        CHECK(s.capacity == 100000);
        CHECK_FALSE(s.durable);
        CHECK(s.replicas == 0);
        CHECK(s.shards == 8);
        CHECK(s.pricing == StoreSpec::Pricing::nodes);
        CHECK(s.write_latency.mean == doctest::Approx(0.0006));
    }
}

TEST_CASE("autoscaling parses every key") {
    SUBCASE("defaults") {
        const AutoscalingSpec s = arch("autoscaling: {}\n").autoscaling;
        CHECK(s.enabled);
        CHECK(s.policy == AutoscalingSpec::Policy::target_tracking);
        CHECK(s.metric == AutoscalingSpec::Metric::cpu);
        CHECK(s.target == 0.6);
        CHECK(s.min == 2);
        CHECK(s.max == 40);
        CHECK(s.evaluation_period == 60);
        CHECK(s.out_datapoints == 3);
        CHECK(s.in_datapoints == 15);
        CHECK(s.in_threshold == 0.9);
        CHECK(s.instance_warmup == 300);
        CHECK(s.cooldown_out == 0);
        CHECK(s.cooldown_in == 300);
        CHECK(s.steps.empty());
        CHECK(s.schedule.empty());
        CHECK(s.hpa_period == 15);
        CHECK(s.hpa_tolerance == 0.1);
        CHECK(s.hpa_stabilization == 300);
        CHECK(s.scale_in == AutoscalingSpec::ScaleIn::drain);
        CHECK(s.termination == AutoscalingSpec::Termination::balanced);
    }
    SUBCASE("given values") {
        const AutoscalingSpec s = arch(R"(autoscaling:
  policy: step
  metric: cpu
  target: 70%
  min: 1
  max: 12
  evaluation_period: 30s
  out_datapoints: 2
  in_datapoints: 10
  in_threshold: 80%
  instance_warmup: 2m
  cooldown: {out: 1m, in: 10m}
  steps: [{above: 80%, add: 2}, {above: 0.95, add: 4}, {below: 30%, add: -1}]
  schedule: [{at: 30m, desired: 8}, {at: 2h, desired: 2}]
  hpa: {period: 20s, tolerance: 5%, stabilization: 1m}
  scale_in: terminate
  termination: fewest_sessions
)")
                                      .autoscaling;
        CHECK(s.policy == AutoscalingSpec::Policy::step);
        CHECK(s.target == doctest::Approx(0.7));
        CHECK(s.min == 1);
        CHECK(s.max == 12);
        CHECK(s.evaluation_period == 30);
        CHECK(s.out_datapoints == 2);
        CHECK(s.in_datapoints == 10);
        CHECK(s.in_threshold == doctest::Approx(0.8));
        CHECK(s.instance_warmup == 120);
        CHECK(s.cooldown_out == 60);
        CHECK(s.cooldown_in == 600);
        REQUIRE(s.steps.size() == 3);
        CHECK(s.steps[0].above);
        CHECK(s.steps[0].threshold == doctest::Approx(0.8));
        CHECK(s.steps[0].add == 2);
        CHECK(s.steps[1].threshold == doctest::Approx(0.95));
        CHECK(s.steps[1].add == 4);
        CHECK_FALSE(s.steps[2].above);
        CHECK(s.steps[2].threshold == doctest::Approx(0.3));
        CHECK(s.steps[2].add == -1);
        REQUIRE(s.schedule.size() == 2);
        CHECK(s.schedule[0].at == 1800);
        CHECK(s.schedule[0].desired == 8);
        CHECK(s.schedule[1].at == 7200);
        CHECK(s.schedule[1].desired == 2);
        CHECK(s.hpa_period == 20);
        CHECK(s.hpa_tolerance == doctest::Approx(0.05));
        CHECK(s.hpa_stabilization == 60);
        CHECK(s.scale_in == AutoscalingSpec::ScaleIn::terminate);
        CHECK(s.termination == AutoscalingSpec::Termination::fewest_sessions);
    }
    SUBCASE("every policy, metric and termination by name") {
        using P = AutoscalingSpec::Policy;
        CHECK(arch("autoscaling: {policy: hpa}\n").autoscaling.policy == P::hpa);
        CHECK(arch("autoscaling: {policy: scheduled, schedule: [{at: 1h, desired: 3}]}\n")
                  .autoscaling.policy == P::scheduled);
        const AutoscalingSpec rpn =
            arch("autoscaling: {metric: requests_per_node, target: 6000/min, "
                 "steps: [{above: 200/s, add: 1}]}\n")
                .autoscaling;
        CHECK(rpn.metric == AutoscalingSpec::Metric::requests_per_node);
        CHECK(rpn.target == doctest::Approx(100));
        CHECK(rpn.steps[0].threshold == doctest::Approx(200));
        const AutoscalingSpec inf =
            arch("autoscaling: {metric: in_flight_per_node, target: 8}\n").autoscaling;
        CHECK(inf.metric == AutoscalingSpec::Metric::in_flight_per_node);
        CHECK(inf.target == 8);
        using T = AutoscalingSpec::Termination;
        CHECK(arch("autoscaling: {termination: default}\n").autoscaling.termination == T::balanced);
        CHECK(arch("autoscaling: {termination: oldest}\n").autoscaling.termination == T::oldest);
        CHECK(arch("autoscaling: {termination: newest}\n").autoscaling.termination == T::newest);
    }
    SUBCASE("switched off: validated, no bounds against cluster.nodes") {
        const AutoscalingSpec s =
            arch("autoscaling: {enabled: false, min: 10, max: 20}\n").autoscaling;
        CHECK_FALSE(s.enabled);
        CHECK(s.min == 10);
    }
}

TEST_CASE("single-server pins one node and no autoscaling") {
    const Scenario sc = load(R"(autoscaling: {min: 2, max: 10}
architectures:
  - {name: one, preset: single-server}
  - {name: many, preset: stateful-sticky}
)");
    const auto &archs = sc.points.at(0).architectures;
    CHECK(archs[0].cluster.nodes == 1);
    CHECK_FALSE(archs[0].autoscaling.enabled);
    CHECK(archs[1].cluster.nodes == 4);
    CHECK(archs[1].autoscaling.enabled);
    CHECK(archs[1].autoscaling.max == 10);
}

TEST_CASE("failure process parameters can be swept") {
    const Scenario sc = load(R"(failures:
  nodes: {mtbf: {dist: exponential, mean: 24h}}
  store: {mttr: 5m}
sweep:
  failures.nodes.mtbf.mean: [1h, 6h]
  failures.store.mttr: [1m, {dist: exponential, mean: 2m}]
)");
    REQUIRE(sc.points.size() == 4);
    CHECK(sc.points[0].architectures[0].failures.nodes.mtbf.mean == 3600);
    CHECK(sc.points[0].architectures[0].failures.store.mttr.mean == 60);
    CHECK(sc.points[1].architectures[0].failures.store.mttr.kind ==
          Distribution::Kind::exponential);
    CHECK(sc.points[3].architectures[0].failures.nodes.mtbf.mean == 6 * 3600);
    CHECK(sc.points[3].architectures[0].failures.nodes.mtbf.kind ==
          Distribution::Kind::exponential);
    CHECK(sc.points[2].values[0].second == "6h");
    const Scenario as = load("autoscaling: {}\nsweep:\n  autoscaling.target: [40%, 80%]\n");
    CHECK(as.points[1].architectures[0].autoscaling.target == doctest::Approx(0.8));
}

TEST_CASE("features the model does not simulate yet are refused at their key") {
    const LoadOptions today; // the flags of modelled.hpp
    auto refused = [&](const std::string &extra, const char *where) {
        const std::string e = error_of(extra, today);
        INFO("config:\n" << extra << "error: " << e);
        CHECK(contains(e, where));
        CHECK(contains(e, "is not implemented in statesim"));
        CHECK_NOTHROW(load(extra)); // the same text parses with the feature on
    };
    if (!kModelsNodeFailureProcess)
        refused("failures:\n  nodes: {mtbf: 24h}\n", "t.yaml:11:10: failures.nodes:");
    if (!kModelsZones) {
        refused("failures:\n  zones: {}\n", "t.yaml:11:10: failures.zones:");
        refused("failures:\n  events: [{at: 20m, kill: zone, zone: 0, duration: 1m}]\n",
                "t.yaml:11:28: failures.events[0].kill: killing a zone");
    }
    if (!kModelsStoreFailures) {
        refused("failures:\n  store: {mttr: 1m}\n", "t.yaml:11:10: failures.store:");
        refused("failures:\n  events: [{at: 20m, outage: store, duration: 1m}]\n",
                "t.yaml:11:30: failures.events[0].outage: a store outage");
    }
    if (!kModelsDeployments) {
        refused("failures:\n  deployments: {every: 1h}\n", "t.yaml:11:16: failures.deployments:");
        refused("failures:\n  events: [{at: 20m, deploy: rolling}]\n",
                "t.yaml:11:30: failures.events[0].deploy: a rolling deployment");
    }
    if (!kModelsAutoscaling) refused("autoscaling: {max: 8}\n", "t.yaml:10:14: autoscaling:");
    if (!kModelsConnectTimeout)
        refused("failures: {mode: host}\n", "t.yaml:10:18: failures.mode: failures.mode: host");
    if (!kModelsDrainSessions)
        refused("load_balancer: {drain: sessions}\n", "t.yaml:10:24: load_balancer.drain:");
    if (!kModelsStoreCapacityModes)
        refused("state: {store: {capacity: {mode: on_demand}}}\n",
                "t.yaml:10:34: state.store.capacity.mode: the on_demand capacity mode");
    // Switched-off sections are accepted whatever the flags.
    CHECK_NOTHROW(load(R"(failures:
  nodes: {enabled: false}
  zones: {enabled: false, mttr: 1h}
  store: {enabled: false}
  deployments: {enabled: false}
  mode: process
  events: [{at: 20m, kill: node}]
autoscaling: {enabled: false, policy: step, steps: [{above: 90%, add: 1}]}
load_balancer: {drain: requests, connect_timeout: 2s}
state: {store: {kind: memcached, shards: 2}}
)",
                       today));
}

TEST_CASE("bad failure settings are located errors") {
    SUBCASE("an event with two kinds, or none") {
        check_error("failures:\n  events: [{at: 20m, kill: node, outage: store}]\n",
                    {"t.yaml:11:42: failures.events[0].outage:",
                     "expected exactly one of kill, outage, deploy per event, found kill and "
                     "outage"});
        check_error("failures:\n  events: [{at: 20m, count: 2}]\n",
                    {"t.yaml:11:12: failures.events[0].kill: required key is missing",
                     "kill: node, kill: zone, outage: store, deploy: rolling"});
        check_error("failures:\n  events: [{at: 20m, kill: rack}]\n",
                    {"t.yaml:11:28: failures.events[0].kill: unknown value \"rack\"",
                     "expected one of node, zone"});
        check_error("failures:\n  events: [{at: 20m, deploy: blue_green}]\n",
                    {"t.yaml:11:30: failures.events[0].deploy:", "expected one of rolling"});
    }
    SUBCASE("keys of another kind of event") {
        check_error("failures:\n  events: [{at: 20m, kill: node, duration: 1m}]\n",
                    {"t.yaml:11:34: failures.events[0].duration: unknown key",
                     "expected one of at, kill, count"});
        check_error(
            "failures:\n  events: [{at: 20m, kill: zone, zone: 0, duration: 1m, count: 1}]\n",
            {"failures.events[0].count: unknown key"});
    }
    SUBCASE("zone and shard indices") {
        check_error("failures:\n  events: [{at: 20m, kill: zone, zone: 2, duration: 1m}]\n",
                    {"t.yaml:11:40: failures.events[0].zone:",
                     "expected a zone index from 0 to 1 (cluster.zones is 2), found 2"});
        check_error("failures:\n  events: [{at: 20m, kill: zone, duration: 1m}]\n",
                    {"t.yaml:11:12: failures.events[0].zone: required key is missing"});
        check_error("failures:\n  events: [{at: 20m, kill: zone, zone: 0}]\n",
                    {"failures.events[0].duration: required key is missing"});
        check_error("failures:\n  events: [{at: 20m, kill: zone, zone: 0, duration: 0s}]\n",
                    {"t.yaml:11:53: failures.events[0].duration: expected a duration greater "
                     "than 0"});
        check_error("state: {store: {kind: redis, shards: 2}}\nfailures:\n  events: [{at: 20m, "
                    "outage: store, duration: 1m, shard: 2}]\n",
                    {"t.yaml:12:58: failures.events[0].shard:",
                     "expected a shard index from 0 to 1 (state.store.shards is 2), found 2"});
        // DynamoDB is one store whatever `shards` says: only shard 0 (the whole store) exists.
        check_error("state: {store: {kind: dynamodb, shards: 4}}\nfailures:\n  events: [{at: "
                    "20m, outage: store, duration: 1m, shard: 2}]\n",
                    {"t.yaml:12:58: failures.events[0].shard:",
                     "expected no shard or 0: DynamoDB ignores state.store.shards"});
        check_error("failures:\n  events: [{at: 20m, outage: store, duration: 1m, shard: -1}]\n",
                    {"failures.events[0].shard: expected a whole number from 0 to 1023"});
    }
    SUBCASE("failure processes") {
        check_error("failures:\n  nodes: {mtbf: 0s}\n",
                    {"t.yaml:11:17: failures.nodes.mtbf:",
                     "expected a time between failures greater than 0 on average"});
        check_error("failures:\n  zones: {mttr: {dist: uniform, min: 0s, max: 0s}}\n",
                    {"t.yaml:11:17: failures.zones.mttr:", "expected a time to repair greater"});
        check_error("failures:\n  store: {mtbf: 30}\n",
                    {"t.yaml:11:17: failures.store.mtbf:", "a duration needs a unit"});
        check_error("failures:\n  nodes: {mtbf: 1h, mtbr: 1m}\n",
                    {"t.yaml:11:21: failures.nodes.mtbr: unknown key (did you mean mtbf?)"});
        check_error("failures:\n  nodes: 24h\n",
                    {"t.yaml:11:10: failures.nodes: expected a map of keys"});
        check_error("failures: {mode: hots}\n",
                    {"t.yaml:10:18: failures.mode: unknown value \"hots\"",
                     "expected one of host, process (did you mean host?)"});
    }
    SUBCASE("deployments") {
        check_error("failures:\n  deployments: {batch: 0%}\n",
                    {"t.yaml:11:24: failures.deployments.batch:",
                     "expected a share of the nodes greater than 0"});
        check_error(
            "failures:\n  deployments: {batch: 2}\n",
            {"t.yaml:11:24: failures.deployments.batch:", "expected a fraction between 0 and 1"});
        check_error("failures:\n  deployments: {every: 0s}\n",
                    {"t.yaml:11:24: failures.deployments.every: expected a duration greater "
                     "than 0"});
    }
    SUBCASE("the load balancer") {
        check_error("load_balancer: {connect_timeout: 0s}\n",
                    {"t.yaml:10:34: load_balancer.connect_timeout: expected a duration greater "
                     "than 0"});
        check_error("load_balancer: {drain: connections}\n",
                    {"t.yaml:10:24: load_balancer.drain: unknown value",
                     "expected one of requests, sessions"});
    }
}

TEST_CASE("bad store settings are located errors") {
    check_error("state: {store: {kind: memcached, replicas: 1}}\n",
                {"t.yaml:10:44: state.store.replicas:", "expected 0: memcached has no replicas"});
    check_error("state: {store: {kind: memcached, durable: true}}\n",
                {"t.yaml:10:43: state.store.durable:", "expected false: memcached"});
    check_error("state: {store: {kind: redis, capacity: {mode: on_demand}}}\n",
                {"t.yaml:10:40: state.store.capacity:",
                 "capacity modes (on_demand, provisioned) are DynamoDB's; a redis store takes a "
                 "rate"});
    check_error("state: {store: {capacity: {mode: reserved}}}\n",
                {"t.yaml:10:34: state.store.capacity.mode: unknown value \"reserved\"",
                 "expected one of on_demand, provisioned"});
    check_error("state: {store: {capacity: {reads: 10/s}}}\n",
                {"t.yaml:10:27: state.store.capacity.mode: required key is missing"});
    check_error("state: {store: {capacity: {mode: provisioned, writes: 0/s}}}\n",
                {"t.yaml:10:55: state.store.capacity.writes: expected a rate greater than 0/s"});
    check_error("state: {store: {kind: cassandra}}\n",
                {"t.yaml:10:23: state.store.kind: unknown value",
                 "expected one of dynamodb, redis, memcached"});
    check_error("state: {store: {shards: 0}}\n",
                {"t.yaml:10:25: state.store.shards: expected a whole number from 1 to 1024"});
    check_error("state: {store: {replicas: 6}}\n",
                {"t.yaml:10:27: state.store.replicas: expected a whole number from 0 to 5"});
    check_error(
        "state: {store: {timeout: 0s}}\n",
        {"t.yaml:10:26: state.store.timeout: expected a duration greater than 0, found \"0s\""});
    check_error("state: {store: {failover_time: 1}}\n",
                {"t.yaml:10:32: state.store.failover_time: a duration needs a unit"});
}

TEST_CASE("bad autoscaling settings are located errors") {
    SUBCASE("targets by metric") {
        check_error("autoscaling: {target: 150%}\n",
                    {"t.yaml:10:23: autoscaling.target:", "expected a fraction between 0 and 1"});
        check_error("autoscaling: {target: 0%}\n", {"t.yaml:10:23: autoscaling.target:",
                                                    "expected a CPU utilisation greater than 0%"});
        check_error("autoscaling: {metric: requests_per_node}\n",
                    {"t.yaml:10:14: autoscaling.target: required key is missing",
                     "with metric: requests_per_node", "target: 100/s"});
        check_error("autoscaling: {metric: requests_per_node, target: 100}\n",
                    {"t.yaml:10:50: autoscaling.target:", "a rate needs a unit"});
        check_error("autoscaling: {metric: in_flight_per_node, target: 0}\n",
                    {"t.yaml:10:51: autoscaling.target:",
                     "expected a number of requests in flight per node greater than 0"});
        check_error("autoscaling: {metric: memory}\n",
                    {"t.yaml:10:23: autoscaling.metric: unknown value",
                     "expected one of cpu, requests_per_node, in_flight_per_node"});
    }
    SUBCASE("min, max and cluster.nodes") {
        check_error("autoscaling: {min: 0}\n",
                    {"t.yaml:10:20: autoscaling.min: expected a whole number from 1 to 4096"});
        check_error("autoscaling: {min: 3, max: 2}\n",
                    {"t.yaml:10:28: autoscaling.max: expected max >= min (3), found 2"});
        check_error("autoscaling: {min: 5, max: 8}\n",
                    {"t.yaml:10:20: autoscaling.min:",
                     "cluster.nodes (4) must lie in [autoscaling.min, autoscaling.max] = [5, 8]"});
        check_error("autoscaling: {min: 1, max: 3}\n",
                    {"t.yaml:10:28: autoscaling.max:",
                     "cluster.nodes (4) must lie in [autoscaling.min, autoscaling.max] = [1, 3]"});
        check_error("autoscaling: {max: 2000}\n",
                    {"autoscaling.max: autoscaling.max x cluster.workers"},
                    everything({"cluster.workers=10000"}));
    }
    SUBCASE("steps") {
        check_error("autoscaling: {policy: step}\n",
                    {"t.yaml:10:14: autoscaling.steps: required key is missing",
                     "policy: step needs steps"});
        check_error("autoscaling: {steps: []}\n",
                    {"t.yaml:10:22: autoscaling.steps:", "found an empty list"});
        check_error("autoscaling: {steps: [{above: 80%, below: 20%, add: 1}]}\n",
                    {"t.yaml:10:43: autoscaling.steps[0].below:",
                     "expected one of above or below per step, found both"});
        check_error("autoscaling: {steps: [{add: 1}]}\n",
                    {"t.yaml:10:23: autoscaling.steps[0]: required key is missing"});
        check_error("autoscaling: {steps: [{above: 80%, add: -1}]}\n",
                    {"t.yaml:10:41: autoscaling.steps[0].add:",
                     "expected a whole number greater than 0 (nodes added when the metric is "
                     "above the threshold), found -1"});
        check_error(
            "autoscaling: {steps: [{below: 20%, add: 1}]}\n",
            {"t.yaml:10:41: autoscaling.steps[0].add:", "expected a negative whole number"});
        check_error("autoscaling: {steps: [{above: 180%, add: 1}]}\n",
                    {"t.yaml:10:31: autoscaling.steps[0].above:", "expected a fraction"});
        check_error("autoscaling: {steps: [{above: 80%, add: 1, cooldown: 1m}]}\n",
                    {"autoscaling.steps[0].cooldown: unknown key", "expected one of above, add"});
    }
    SUBCASE("schedule") {
        check_error("autoscaling: {policy: scheduled}\n",
                    {"t.yaml:10:14: autoscaling.schedule: required key is missing"});
        check_error("autoscaling: {schedule: [{at: 30m, desired: 50}]}\n",
                    {"t.yaml:10:45: autoscaling.schedule[0].desired:",
                     "expected a node count in [autoscaling.min, autoscaling.max] = [2, 40], "
                     "found 50"});
        check_error("autoscaling: {schedule: [{at: 30m, desired: 5}, {at: 20m, desired: 3}]}\n",
                    {"t.yaml:10:54: autoscaling.schedule[1].at:",
                     "times must increase from one entry to the next (the previous is at 30m)"});
        check_error("autoscaling: {schedule: [{desired: 3}]}\n",
                    {"autoscaling.schedule[0].at: required key is missing"});
        check_error("autoscaling: {schedule: {at: 1h}}\n",
                    {"t.yaml:10:25: autoscaling.schedule:", "expected a list like"});
    }
    SUBCASE("hpa, cooldown and the choices") {
        check_error("autoscaling: {hpa: {period: 0s}}\n",
                    {"t.yaml:10:29: autoscaling.hpa.period: expected a duration greater than 0, "
                     "found \"0s\""});
        check_error("autoscaling: {hpa: {tolerance: 2}}\n",
                    {"t.yaml:10:32: autoscaling.hpa.tolerance:", "expected a fraction"});
        check_error("autoscaling: {cooldown: {out: 1}}\n",
                    {"t.yaml:10:31: autoscaling.cooldown.out: a duration needs a unit"});
        check_error("autoscaling: {in_threshold: 0}\n",
                    {"t.yaml:10:29: autoscaling.in_threshold:", "greater than 0"});
        check_error("autoscaling: {scale_in: kill}\n",
                    {"t.yaml:10:25: autoscaling.scale_in: unknown value",
                     "expected one of drain, terminate"});
        check_error("autoscaling: {termination: olde}\n",
                    {"t.yaml:10:28: autoscaling.termination: unknown value",
                     "expected one of default, oldest, newest, fewest_sessions (did you mean "
                     "oldest?)"});
        check_error("autoscaling: {policy: predictive}\n",
                    {"t.yaml:10:23: autoscaling.policy: unknown value",
                     "expected one of target_tracking, step, scheduled, hpa"});
        check_error("autoscaling: {mn: 2}\n",
                    {"t.yaml:10:15: autoscaling.mn: unknown key (did you mean min?)"});
    }
}

TEST_CASE("killing more nodes than the group can hold is a located error") {
    check_error("failures:\n  events: [{at: 20m, kill: node, count: 5}]\n",
                {"t.yaml:11:41: failures.events[0].count:",
                 "expected a count of at most cluster.nodes (4), found 5"});
    // With autoscaling the group may grow to max.
    CHECK(arch("autoscaling: {max: 8}\nfailures:\n  events: [{at: 20m, kill: node, count: 8}]\n")
              .failures.events[0]
              .count == 8);
    check_error("autoscaling: {max: 8}\nfailures:\n  events: [{at: 20m, kill: node, count: 9}]\n",
                {"failures.events[0].count: expected a count of at most autoscaling.max (8)"});
}

TEST_CASE("scheduled times inside the warm-up or past the end are warned about, every kind") {
    const Scenario sc = load(R"(state: {store: {kind: redis}}
failures:
  events:
    - {at: 5m, kill: zone, zone: 0, duration: 1m}
    - {at: 2h, outage: store, duration: 1m}
    - {at: 30m, deploy: rolling}
  deployments: {every: 3h}
autoscaling:
  policy: scheduled
  schedule: [{at: 1m, desired: 3}, {at: 20m, desired: 4}, {at: 71m, desired: 2}]
)");
    const auto &w = sc.warnings;
    auto has = [&](const std::string &part) {
        for (const auto &x : w)
            if (contains(x, part)) return true;
        return false;
    };
    CHECK(w.size() == 5);
    CHECK(has("warning: t.yaml:13:12: failures.events[0]: at 5m falls inside the warm-up"));
    CHECK(has("warning: t.yaml:14:12: failures.events[1]: at 2h is past the end of the run"));
    CHECK(has("t.yaml:16:24: failures.deployments.every (the first deployment): at 3h is past"));
    CHECK(has("warning: t.yaml:19:19: autoscaling.schedule[0]: at 1m falls inside the warm-up"));
    CHECK(has("warning: t.yaml:19:64: autoscaling.schedule[2]: at 71m is past the end of the "
              "run (warmup + duration = 70m)"));
    // An event placed by the sweep is named as written: sweep.failures.events[0].
    const Scenario swept = load("sweep:\n  failures.events: [[{at: 5m, kill: node}], [{at: 20m, "
                                "kill: node}]]\n");
    REQUIRE(swept.warnings.size() == 1);
    CHECK(
        contains(swept.warnings[0], ": sweep.failures.events[0]: at 5m falls inside the warm-up"));
    // A switched-off autoscaling schedule is not warned about.
    const Scenario off = load("autoscaling: {enabled: false, schedule: [{at: 1m, desired: 3}]}\n");
    CHECK(off.warnings.empty());
}

TEST_CASE("a key the autoscaling policy does not read is named in a warning, where it was set") {
    // Target tracking reads neither steps nor a cooldown; step reads no target; scheduled no
    // metric, target, datapoints or evaluation period. Keys a policy reads, and defaults, are
    // never named.
    const Scenario tt = load("autoscaling:\n"
                             "  steps: [{above: 80%, add: 2}]\n"
                             "  cooldown: {out: 60s}\n"
                             "  target: 50%\n");
    REQUIRE(tt.warnings.size() == 2);
    CHECK(contains(tt.warnings[0], "t.yaml:11:10: autoscaling.steps: architecture \"default\" "
                                   "scales with policy: target_tracking, which ignores it; it "
                                   "applies under policy: step"));
    CHECK(contains(tt.warnings[1], "t.yaml:12:13: autoscaling.cooldown:"));
    CHECK(contains(tt.warnings[1], "it applies under policy: step and scheduled"));

    const Scenario step = load("autoscaling:\n"
                               "  policy: step\n"
                               "  steps: [{above: 80%, add: 2}]\n"
                               "  cooldown: {out: 60s}\n"
                               "  target: 50%\n"
                               "  out_datapoints: 2\n");
    REQUIRE(step.warnings.size() == 2);
    CHECK(contains(step.warnings[0], "t.yaml:15:19: autoscaling.out_datapoints:"));
    CHECK(contains(step.warnings[1], "t.yaml:14:11: autoscaling.target:"));

    const Scenario scheduled = load("autoscaling:\n"
                                    "  policy: scheduled\n"
                                    "  schedule: [{at: 30m, desired: 6}]\n"
                                    "  metric: cpu\n"
                                    "  evaluation_period: 30s\n"
                                    "  hpa: {period: 30s}\n");
    CHECK(scheduled.warnings.size() == 3);

    // Off, or set by nobody: nothing to say.
    CHECK(load("autoscaling: {enabled: false, steps: [{above: 80%, add: 2}]}\n").warnings.empty());
    CHECK(load("autoscaling: {policy: hpa, target: 70%}\n").warnings.empty());
}

TEST_CASE("step and scheduled scaling on a rate metric need no target") {
    // Only target tracking and HPA aim at a target: a step policy on requests per node is
    // complete with its steps (it once demanded a target it never read).
    const Architecture a = arch("autoscaling:\n"
                                "  policy: step\n"
                                "  metric: requests_per_node\n"
                                "  steps: [{above: 100/s, add: 2}, {below: 10/s, add: -1}]\n");
    REQUIRE(a.autoscaling.steps.size() == 2);
    CHECK(a.autoscaling.steps[0].threshold == doctest::Approx(100));
    check_error("autoscaling: {policy: hpa, metric: requests_per_node}\n",
                {"autoscaling.target: required key is missing"});
}

TEST_CASE("an error at a shared key that one architecture rejects names that architecture") {
    // Three nodes to kill are fine for the four-node cluster, not for single-server's one node.
    const std::string e = error_of("failures:\n"
                                   "  events: [{at: 30m, kill: node, count: 3}]\n"
                                   "architectures:\n"
                                   "  - {name: sticky, preset: stateful-sticky}\n"
                                   "  - {name: one, preset: single-server}\n");
    CHECK(contains(e, "t.yaml:11:41: failures.events[0].count (architecture \"one\"): expected a "
                      "count of at most cluster.nodes (1), found 3: the cluster has only 1 node "
                      "to kill"));
    // Without named architectures there is nothing to name.
    CHECK(contains(error_of("failures:\n  events: [{at: 30m, kill: node, count: 5}]\n"),
                   "t.yaml:11:41: failures.events[0].count: expected a count of at most "
                   "cluster.nodes (4), found 5: the cluster has only 4 nodes"));
}

TEST_CASE("a value that must be greater than 0 says what it found") {
    check_error("network: {hop_latency: {dist: exponential, mean: 0s}}\n",
                {"network.hop_latency.mean: expected a value greater than 0, found \"0s\""});
    check_error("load_balancer: {health_check: {interval: 0ms}}\n",
                {"t.yaml:10:42: load_balancer.health_check.interval: expected a duration greater "
                 "than 0, found \"0ms\""});
}
