// Workflows (workflows:): in_memory progress dies with its node at the rate theory gives, an
// orchestrator loses none and bills every transition, conservation holds, and a function's
// reclaimed environment takes in-memory progress with it.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "run_model.hpp"
#include "statesim/stats/analytic.hpp"
#include "statesim/stats/confidence.hpp"

using namespace statesim;
using statesim::test::load;
using statesim::test::run_model;
using statesim::test::seed_offset;
using statesim::test::within_rel;
using statesim::test::write_trace;

namespace {

std::uint64_t wf_lost(const RunResult &r, LossCause c) {
    return r.workflows_lost_by_cause[static_cast<std::size_t>(c)];
}

void check_workflow_conservation(const RunResult &r) {
    CHECK(r.workflows_started == r.workflows_completed + r.workflows_lost + r.workflows_active);
    std::uint64_t by_cause = 0;
    for (auto c : r.workflows_lost_by_cause)
        by_cause += c;
    CHECK(by_cause == r.workflows_lost);
}

// Four-step workflows an hour apart on nodes that crash every 4 h on average (exponential),
// replaced in seconds. No user traffic to speak of.
std::string crashing(const std::string &orchestration) {
    return R"(
duration: 5d
warmup: 1h
workload:
  sessions:
    arrival: {process: poisson, rate: 1/h}
    requests: 1
cluster: {nodes: 4, workers: 8, boot_time: 5s, warmup_capacity: 1}
load_balancer: {health_check: {interval: 2s, unhealthy_threshold: 1, healthy_threshold: 1}}
failures:
  mode: process
  nodes: {mtbf: {dist: exponential, mean: 4h}}
workflows:
  arrival: {process: poisson, rate: 1/min}
  steps: 4
  step_time: 10ms
  wait: {dist: exponential, mean: 1h}
  orchestration: )" +
           orchestration + "\n";
}

} // namespace

TEST_CASE("in_memory workflows die with their node: 1 - (1 + wait/MTBF)^-(steps-1)") {
    // The progress sits on one node from the first step's end to the last step's start: three
    // exponential waits. The node survives them with probability (1 / (1 + 1h/4h))^3. One
    // crash takes dozens of workflows at once, so the share varies by replication far more
    // than a binomial: Student t over replications.
    std::vector<double> shares;
    for (int rep = 0; rep < 10; ++rep) {
        const RunResult r =
            run_model(crashing("in_memory"), 300 + static_cast<std::uint64_t>(rep) + seed_offset());
        check_workflow_conservation(r);
        CHECK(r.workflows_lost == wf_lost(r, LossCause::node_failure));
        CHECK(r.state_transitions == 0);
        CHECK(r.cost_state_transitions_usd == 0);
        shares.push_back(static_cast<double>(r.workflows_lost) /
                         static_cast<double>(r.workflows_completed + r.workflows_lost));
    }
    const double expected = analytic::sticky_loss_probability(4, 3600, 4 * 3600); // 0.488
    const Estimate e = estimate(shares, 0.999);
    INFO("lost " << e.mean << " +- " << e.half_width << " expected " << expected);
    CHECK(std::abs(e.mean - expected) < e.half_width);
}

TEST_CASE("an orchestrator loses no workflow to node faults and bills every transition") {
    const RunResult r = run_model(crashing("orchestrator"), 31 + seed_offset());
    check_workflow_conservation(r);
    CHECK(r.workflows_lost == 0);
    CHECK(r.workflows_completed > 5000);
    // Four transitions per workflow, plus one per retry of a step that hit a crash; the window
    // cuts workflows at both ends, so compare rates: about 4 per workflow started.
    const double per_workflow =
        static_cast<double>(r.state_transitions) / static_cast<double>(r.workflows_started);
    INFO("transitions per workflow " << per_workflow);
    CHECK(per_workflow >= 3.95);
    CHECK(per_workflow < 4.1);
    CHECK(within_rel(r.cost_state_transitions_usd, static_cast<double>(r.state_transitions) * 25e-6,
                     1e-12));
    // Completed workflows take three waits: 3 h on average, the median of Erlang(3) is 2.67 h.
    CHECK(r.workflow_duration.count() == r.workflows_completed);
    CHECK(within_rel(r.workflow_duration.mean() / 3600e9, 3.0, 0.03));
}

TEST_CASE("a rolling deployment takes in_memory workflows with the old nodes") {
    const RunResult r = run_model(R"(
duration: 6h
warmup: 0s
workload:
  sessions:
    arrival: {process: poisson, rate: 1/h}
    requests: 1
cluster: {nodes: 4, boot_time: 10s}
load_balancer: {deregistration_delay: 5s, health_check: {interval: 2s, healthy_threshold: 1}}
failures:
  events: [{at: 3h, deploy: rolling}]
workflows:
  arrival: {process: poisson, rate: 2/min}
  steps: 2
  step_time: 10ms
  wait: 10h
)",
                                  5 + seed_offset());
    check_workflow_conservation(r);
    // Every workflow that started before the deployment waits 10 h on an old node: lost. Those
    // started after it run on the new release and finish in the drain (no deployment there).
    const double before = static_cast<double>(wf_lost(r, LossCause::deployment));
    CHECK(within_rel(before, 2.0 * 60 * 3, 0.15)); // ~360 in the first 3 h
    CHECK(r.workflows_lost == wf_lost(r, LossCause::deployment));
    CHECK(within_rel(static_cast<double>(r.workflows_completed), 2.0 * 60 * 3, 0.15));
    CHECK(r.workflows_active == 0);
}

TEST_CASE("under serverless, in-memory progress dies with the reclaimed environment") {
    // Two steps 30 minutes apart; environments are reclaimed after 10 idle minutes and the
    // other workflows (one an hour) rarely keep the very environment busy that long.
    const std::string yaml = R"(
duration: 200h
warmup: 1h
workload:
  sessions:
    arrival: {process: poisson, rate: 1/d}
    requests: 1
cluster: {runtime: serverless}
serverless: {idle_timeout: 10m, cold_start: 100ms}
workflows:
  arrival: {process: poisson, rate: 1/h}
  steps: 2
  step_time: 50ms
  wait: 30m
)";
    const RunResult mem = run_model(yaml, 12 + seed_offset());
    check_workflow_conservation(mem);
    REQUIRE(mem.workflows_started > 150);
    CHECK(wf_lost(mem, LossCause::env_reclaimed) + wf_lost(mem, LossCause::routing) ==
          mem.workflows_lost);
    CHECK(static_cast<double>(wf_lost(mem, LossCause::env_reclaimed)) >
          0.8 * static_cast<double>(mem.workflows_started));
    const RunResult orch =
        run_model(yaml, 12 + seed_offset(), 0, {"workflows.orchestration=orchestrator"});
    check_workflow_conservation(orch);
    CHECK(orch.workflows_lost == 0);
    CHECK(orch.workflows_completed == orch.workflows_started);
    // The orchestrator's second step usually needs a new environment: a cold start.
    CHECK(static_cast<double>(orch.cold_starts) >
          0.8 * static_cast<double>(orch.workflows_started));
}

TEST_CASE("no fault and no scale-in after the window: the drain does not kill workflows") {
    // Heavy user traffic keeps target tracking content in the window; when arrivals stop, an
    // autoscaler still running would scale in and take the workflows' nodes. Node failures
    // (MTBF 1 h) stop with the window too.
    const RunResult r = run_model(R"(
duration: 1h
warmup: 10m
workload:
  sessions:
    arrival: {process: poisson, rate: 200/s}
    requests: 1
  request: {service_time: {dist: exponential, mean: 100ms}}
cluster: {nodes: 4, workers: 16}
autoscaling: {policy: target_tracking, target: 40%, min: 1, max: 20}
workflows:
  arrival: {process: poisson, rate: 10/min}
  steps: 3
  step_time: 10ms
  wait: 20m
)",
                                  6 + seed_offset());
    check_workflow_conservation(r);
    CHECK(r.scale_in_events == 0);
    CHECK(wf_lost(r, LossCause::scale_in) == 0);
    CHECK(r.workflows_completed == r.workflows_started);
}

TEST_CASE("consistent_hash spreads workflow steps over the nodes") {
    // 20 one-second steps a second on 4 x 16 workers: one node alone would saturate (16 < 20).
    const std::string yaml = R"(
duration: 30m
warmup: 1m
workload:
  sessions:
    arrival: {process: poisson, rate: 1/h}
    requests: 1
cluster: {nodes: 4, workers: 16}
load_balancer: {policy: consistent_hash}
workflows:
  arrival: {process: poisson, rate: 1200/min}
  steps: 1
  step_time: 1s
  orchestration: orchestrator
)";
    const RunResult r = run_model(yaml, 2 + seed_offset());
    check_workflow_conservation(r);
    // One transition per workflow (no retry): no node turned any step away.
    CHECK(r.state_transitions < 1.01 * static_cast<double>(r.workflows_started));
    CHECK(r.workflow_duration.quantile(0.99) < 2 * kSecond);
}

TEST_CASE("a retried step redoes the same work: the workflow's draws do not depend on retries") {
    // Two workflows 0.1 us apart. With one worker and no queue the second is turned away (503)
    // and retried 1 s later; with two it runs at once. Every architecture sees the same step
    // times and waits (common random numbers), so the only difference is that 1 s. (Drawing a
    // new step time per try shifted every later draw: 74.79 s against 81.34 s.)
    const auto flows = write_trace("wf-crn", {10, 10.0000001});
    const auto no_sessions = write_trace("wf-crn-sessions", {1e9});
    const std::string yaml = fmt::format(R"(
duration: 1h
warmup: 5s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 1ms}}
cluster: {{nodes: 1, workers: 1, queue_limit: 0}}
workflows:
  arrival: {{process: trace, file: {}}}
  steps: 2
  step_time: {{dist: exponential, mean: 1ms}}
  wait: {{dist: exponential, mean: 100s}}
  orchestration: orchestrator
architectures:
  - {{name: one-worker}}
  - {{name: two-workers, set: {{cluster.workers: 2}}}}
)",
                                         no_sessions, flows);
    const RunResult one = run_model(yaml, 1, 0), two = run_model(yaml, 1, 1);
    REQUIRE(one.workflows_completed == 2);
    REQUIRE(two.workflows_completed == 2);
    CHECK(one.state_transitions == two.state_transitions + 1); // one retry
    const double total_one = one.workflow_duration.mean() * 2,
                 total_two = two.workflow_duration.mean() * 2;
    CHECK(total_one - total_two == doctest::Approx(1e9).epsilon(1e-9));
}

TEST_CASE("bad workflow values are located errors, and enabled: false switches them off") {
    const std::string base = "workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}\n"
                             "cluster: {nodes: 2}\n";
    auto error_of = [&](const std::string &extra) {
        try {
            load(base + extra);
        } catch (const ConfigError &e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error_of("workflows: {steps: 0}\n").find("workflows.steps") != std::string::npos);
    CHECK(error_of("workflows: {orchestration: stepfunctions}\n")
              .find("workflows.orchestration: unknown value") != std::string::npos);
    CHECK(error_of("workflows: {wait: 5}\n").find("workflows.wait") != std::string::npos);
    CHECK(error_of("workflows: {arrival: {process: poisson, rate: 0/s}}\n")
              .find("workflows.arrival.rate") != std::string::npos);
    CHECK(error_of("workflows: {stepz: 3}\n").find("did you mean steps") != std::string::npos);
    CHECK(error_of("workflows: {step_time: {dist: normal, mean: 1s}}\n")
              .find("workflows.step_time") != std::string::npos);
    CHECK(error_of("workflows: {enabled: maybe}\n").find("workflows.enabled") != std::string::npos);
    CHECK(error_of("costs: {lambda_provisioned_gb_second: -1}\n")
              .find("costs.lambda_provisioned_gb_second") != std::string::npos);
    CHECK(
        !load(base + "workflows: {enabled: false}\n").points[0].architectures[0].workflows.enabled);
    CHECK(load(base + "workflows: {}\n").points[0].architectures[0].workflows.enabled);
    CHECK(!load(base).points[0].architectures[0].workflows.enabled);
    // A diurnal arrival without `mean` takes the documented 2/min, not the sessions' 40/s.
    const auto diurnal = load(base + "workflows: {arrival: {process: diurnal, amplitude: 0.5}}\n");
    CHECK(within_rel(diurnal.points[0].architectures[0].workflows.arrival.rate, 2.0 / 60, 1e-12));
}

TEST_CASE("in_memory: a step whose answer is on its way when its node goes") {
    // One node, 10 ms hops, 1 s steps. The node goes while a step's answer travels (two hops).
    const auto yaml = [](const std::string &trace, int steps, const std::string &wait,
                         const std::string &faults) {
        return fmt::format(R"(
duration: 1000s
warmup: 10s
workload:
  sessions: {{arrival: {{process: poisson, rate: 1/h}}, requests: 1}}
  request: {{service_time: 10ms}}
network: {{hop_latency: 10ms}}
cluster: {{nodes: 1, workers: 4, boot_time: 20s}}
load_balancer: {{deregistration_delay: 30s}}
failures: {}
workflows:
  arrival: {{process: trace, file: {}}}
  steps: {}
  step_time: 1s
  wait: {}
  orchestration: in_memory
)",
                           faults, trace, steps, wait);
    };
    const std::string deploy =
        "{deployments: {batch: 100%}, events: [{at: 150s, deploy: rolling}]}";
    SUBCASE("a first step's progress goes with a node the deployment drains: lost to it") {
        // Served 195.81-196.81 s on the old node, which the deployment drains from 196.3 s and
        // terminates once idle (196.81 s); the answer lands at 196.83 s. Before: node_failure.
        const RunResult r =
            run_model(yaml(write_trace("wf-first", {100, 195.8}), 3, "100s", deploy));
        CHECK(r.workflows_lost == 2);
        CHECK(wf_lost(r, LossCause::deployment) == 2);
        CHECK(wf_lost(r, LossCause::node_failure) == 0);
    }
    SUBCASE("the last step served before the node is terminated: completed") {
        // Steps at 94, 145 and 196 s; the last is served 196.05-197.05 s and the draining node
        // terminates as it frees it. Before: lost to the deployment.
        const RunResult r = run_model(yaml(write_trace("wf-last", {94}), 3, "50s", deploy));
        CHECK(r.workflows_completed == 1);
        CHECK(r.workflows_lost == 0);
    }
    SUBCASE("a crash while it waits for its last step: lost, not left running") {
        // Step 1 served 100.01-101.01 s, its answer back at 101.03 s; the node dies at 150 s,
        // during the wait before step 2 (the last). A version that remembered where step 1
        // was served left this workflow running for ever.
        const RunResult r =
            run_model(yaml(write_trace("wf-wait", {100}), 2, "100s",
                           "{mode: process, events: [{at: 150s, kill: node, count: 1}]}"));
        CHECK(r.workflows_lost == 1);
        CHECK(wf_lost(r, LossCause::node_failure) == 1);
        CHECK(r.workflows_active == 0);
    }
    SUBCASE("a one-step workflow whose node crashes while its answer travels: completed") {
        // Served 100.01-101.01 s; the process dies at 101.02 s. It held nothing between steps.
        const RunResult r =
            run_model(yaml(write_trace("wf-one", {100}), 1, "100s",
                           "{mode: process, events: [{at: 101.02s, kill: node, count: 1}]}"));
        CHECK(r.workflows_completed == 1);
        CHECK(r.workflows_lost == 0);
    }
}
