// Whole-model properties over random scenarios (tests/support/random_scenario.hpp): every
// generated config loads and runs; every run conserves sessions and workflows; architectures
// without server-side state lose no session to what only server-side state suffers; an
// orchestrator loses no workflow; and the CSV output is byte-identical when run again and
// with more jobs. STATESIM_PROPERTY_CONFIGS=N sets how many configs (default 300) and
// STATESIM_TEST_SEED shifts which ones.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "checks.hpp"
#include "random_scenario.hpp"
#include "run_model.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/output/writers.hpp"

using namespace statesim;
using statesim::test::check_conservation;
using statesim::test::lost;
using statesim::test::random_scenario;
using statesim::test::seed_offset;

namespace {

int config_count() {
    const char *s = std::getenv("STATESIM_PROPERTY_CONFIGS");
    return s ? std::max(1, std::atoi(s)) : 300;
}

std::uint64_t config_seed(int i) {
    return seed_offset() + static_cast<std::uint64_t>(i);
}

// Loads a generated config; a refusal is a generator bug, reported with the loader's message.
bool loads(const std::string &yaml, Scenario &out) {
    std::string error;
    try {
        out = test::load(yaml);
    } catch (const std::exception &e) {
        error = e.what();
    }
    INFO(yaml);
    INFO(error);
    CHECK(error.empty());
    return error.empty();
}

std::vector<RunRecord> run_all(const Scenario &sc, int jobs) {
    ExperimentOptions o;
    o.jobs = jobs;
    return run_experiment(sc, o);
}

// Everything the writers render from the runs: the bytes a user would get.
std::string csv_text(const Scenario &sc, const std::vector<RunRecord> &runs) {
    return summary_csv(sc, runs) + timeseries_csv(sc, runs) + events_csv(sc, runs);
}

void check_workflow_conservation(const RunResult &r) {
    CHECK(r.workflows_started == r.workflows_completed + r.workflows_lost + r.workflows_active);
    std::uint64_t by_cause = 0;
    for (auto c : r.workflows_lost_by_cause)
        by_cause += c;
    CHECK(by_cause == r.workflows_lost);
}

// A store that can lose sessions: volatile (not durable; with replicas, when overlapping
// failures leave a shard no node) and struck by a failure process or a scheduled outage.
bool store_can_lose(const Architecture &a) {
    const StoreSpec &s = a.state.store;
    const bool is_volatile = !s.durable;
    bool outage = a.failures.store.enabled;
    for (const auto &e : a.failures.events)
        outage = outage || e.kind == FaultEvent::Kind::store_outage;
    return is_volatile && outage;
}

// The loss causes possible where the state lives outside the servers (or nowhere).
std::vector<LossCause> allowed_causes(const Architecture &a) {
    switch (a.state.location) {
    case StateLocation::store:
        if (store_can_lose(a)) return {LossCause::store_failure};
        return {};
    case StateLocation::client:
        // Far more than any session grows to: no token can overflow.
        if (a.state.client.max_bytes >= 1024.0 * 1024 * 1024) return {};
        return {LossCause::token_overflow};
    default:
        return {};
    }
}

// Without server-side state no session is lost to a node's failure, a scale-in, a deployment,
// routing, eviction or a reclaimed environment.
void check_stateless_losses(const Architecture &a, const RunResult &r) {
    if (a.state.location == StateLocation::local) return;
    const auto allowed = allowed_causes(a);
    for (std::size_t c = 0; c < kLossCauseNames.size(); ++c) {
        if (std::find(allowed.begin(), allowed.end(), static_cast<LossCause>(c)) != allowed.end())
            continue;
        const std::string cause = std::string("lost_") + kLossCauseNames[c];
        INFO(cause);
        CHECK(lost(r, static_cast<LossCause>(c)) == 0);
    }
}

// Nothing removes a node: no node or zone faults, kills, deployments or scale-ins.
bool fleet_is_fixed(const Architecture &a) {
    const FailureSpec &f = a.failures;
    bool removes = f.nodes.enabled || f.zones.enabled || f.deployments.enabled;
    for (const auto &e : f.events)
        removes = removes || e.kind != FaultEvent::Kind::store_outage;
    return a.cluster.runtime == Runtime::servers && !removes && !a.autoscaling.enabled;
}

// An orchestrator persists every transition: it loses no workflow. In-memory progress is lost
// only with its node, so not at all while no node goes away.
void check_workflow_losses(const Architecture &a, const RunResult &r) {
    if (!a.workflows.enabled) return;
    if (a.workflows.orchestration == WorkflowSpec::Orchestration::orchestrator) {
        INFO("orchestrator");
        CHECK(r.workflows_lost == 0);
    } else if (fleet_is_fixed(a)) {
        INFO("in_memory on a fixed fleet");
        CHECK(r.workflows_lost == 0);
    }
}

// What the runs went through, so that a generator that stopped producing faults, losses or
// workflows (and left the properties nothing to check) fails the test.
struct Outcomes {
    std::array<std::uint64_t, kLossCauseNames.size()> sessions_lost{}, workflows_lost{};
    std::uint64_t workflows = 0, throttles = 0, store_throttles = 0, scale_outs = 0, events = 0;

    void add(const RunResult &r) {
        for (std::size_t c = 0; c < sessions_lost.size(); ++c) {
            sessions_lost[c] += r.lost_by_cause[c];
            workflows_lost[c] += r.workflows_lost_by_cause[c];
        }
        workflows += r.workflows_started;
        throttles += r.throttles;
        store_throttles += r.store_throttles;
        scale_outs += r.scale_out_events;
        events += r.events.size();
    }
};

// Only a store location touches the store; only functions invoke; only an orchestrator
// makes state transitions.
void check_unused_features(const Architecture &a, const RunResult &r) {
    if (a.state.location != StateLocation::store) {
        CHECK(r.store_ops == 0);
        CHECK(r.store_throttles == 0);
    }
    if (a.cluster.runtime == Runtime::servers) {
        CHECK(r.invocations == 0);
        CHECK(r.cold_starts == 0);
        CHECK(r.throttles == 0);
    }
    if (!a.workflows.enabled ||
        a.workflows.orchestration != WorkflowSpec::Orchestration::orchestrator)
        CHECK(r.state_transitions == 0);
}

void check_run(const Scenario &sc, const RunRecord &rec) {
    const Architecture &a = sc.points[rec.point].architectures[rec.architecture];
    INFO("point " << rec.point << ", architecture " << a.name << ", replication "
                  << rec.replication);
    CHECK(rec.done);
    CHECK(!rec.result.interrupted);
    check_conservation(rec.result);
    check_workflow_conservation(rec.result);
    check_stateless_losses(a, rec.result);
    check_workflow_losses(a, rec.result);
    check_unused_features(a, rec.result);
}

// Common random numbers: the architectures of one point and replication see the same session
// and workflow arrivals and the same request counts (drawn at arrival), whatever they do with
// them.
void check_common_arrivals(const Scenario &sc, const std::vector<RunRecord> &runs) {
    for (const auto &rec : runs) {
        const RunRecord &base = *std::find_if(runs.begin(), runs.end(), [&](const RunRecord &o) {
            return o.point == rec.point && o.replication == rec.replication;
        });
        INFO("point " << rec.point << ", replication " << rec.replication << ": "
                      << sc.points[rec.point].architectures[rec.architecture].name
                      << " against the first architecture");
        CHECK(rec.result.sessions_started == base.result.sessions_started);
        CHECK(rec.result.draws.requests == base.result.draws.requests);
        CHECK(rec.result.workflows_started == base.result.workflows_started);
    }
}

// Runs one config three times (jobs 1, 2, then 1 again) and checks every property.
void check_config(const std::string &yaml, Outcomes &seen) {
    INFO(yaml);
    Scenario sc;
    if (!loads(yaml, sc)) return;
    std::vector<RunRecord> first;
    REQUIRE_NOTHROW(first = run_all(sc, 1));
    const std::size_t expected = sc.points.size() * sc.points[0].architectures.size() *
                                 static_cast<std::size_t>(sc.replications);
    REQUIRE(first.size() == expected);
    for (const auto &rec : first) {
        check_run(sc, rec);
        seen.add(rec.result);
    }
    check_common_arrivals(sc, first);
    const std::string text = csv_text(sc, first);
    CHECK(text == csv_text(sc, run_all(sc, 2)));
    CHECK(text == csv_text(sc, run_all(sc, 1)));
}

} // namespace

TEST_CASE("the scenario generator is deterministic and covers every feature") {
    CHECK(random_scenario(7) == random_scenario(7));
    CHECK(random_scenario(7) != random_scenario(8));
    std::string all;
    for (int i = 0; i < 200; ++i)
        all += random_scenario(config_seed(i));
    for (const char *feature : {"round_robin",
                                "random",
                                "least_outstanding",
                                "power_of_two",
                                "consistent_hash",
                                "sticky: true",
                                "ttl:",
                                "location: none",
                                "location: local",
                                "location: store",
                                "location: client",
                                "kind: dynamodb",
                                "kind: redis",
                                "kind: memcached",
                                "replicas: 2",
                                "shards: 4",
                                "mode: on_demand",
                                "mode: provisioned",
                                "max_bytes: 1GiB",
                                "local_cache: true",
                                "mode: host",
                                "mode: process",
                                "replace_failed: false",
                                "replace_failed: true",
                                "zones: {mtbf",
                                "store: {mtbf",
                                "kill: node",
                                "kill: zone",
                                "outage: store",
                                "deploy: rolling",
                                "deployments:",
                                "policy: target_tracking",
                                "policy: step",
                                "policy: scheduled",
                                "policy: hpa",
                                "scale_in: drain",
                                "scale_in: terminate",
                                "termination: fewest_sessions",
                                "runtime: serverless",
                                "scaling_rate:",
                                "provisioned: 1",
                                "orchestration: in_memory",
                                "orchestration: orchestrator",
                                "preset: single-server",
                                "preset: stateful-sticky",
                                "preset: stateful-nonsticky",
                                "preset: stateless-dynamodb",
                                "preset: stateless-redis",
                                "preset: stateless-jwt",
                                "preset: serverless",
                                "set: {",
                                "sweep:",
                                "process: profile",
                                "process: diurnal",
                                "dist: pareto",
                                "dist: weibull",
                                "dist: geometric"}) {
        INFO(feature);
        CHECK(all.find(feature) != std::string::npos);
    }
}

TEST_CASE("random scenarios load, run, conserve, lose only what they can, and repeat exactly") {
    const int n = config_count();
    Outcomes seen;
    for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        check_config(random_scenario(config_seed(i)), seen);
    }
    if (n < 100) return; // too few configs to expect every outcome
    for (std::size_t c = 0; c < kLossCauseNames.size(); ++c) {
        const std::string cause = kLossCauseNames[c];
        INFO("nothing lost to " << cause);
        CHECK(seen.sessions_lost[c] + seen.workflows_lost[c] > 0);
    }
    CHECK(seen.workflows > 0);
    CHECK(seen.throttles > 0);
    CHECK(seen.store_throttles > 0);
    CHECK(seen.scale_outs > 0);
    CHECK(seen.events > 0);
}
