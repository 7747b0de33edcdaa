// The serverless runtime (cluster.runtime: serverless) against its analytic anchors and hand
// counts: cold starts e^(-lambda (T + S)), throttling Erlang B, busy environments by Little's
// law, the scaling-rate and concurrency limits, billing, and where local state is lost.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "checks.hpp"
#include "run_model.hpp"
#include "statesim/stats/analytic.hpp"
#include "statesim/stats/confidence.hpp"

using namespace statesim;
using statesim::test::check_conservation;
using statesim::test::load;
using statesim::test::lost;
using statesim::test::run_model;
using statesim::test::seed_offset;
using statesim::test::within_rel;
using statesim::test::write_trace;

namespace {

std::string error_of(const std::string &yaml) {
    try {
        load(yaml);
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

// One-request sessions: each request is one invocation.
std::string function_at(const std::string &rate, const std::string &service,
                        const std::string &serverless, const std::string &extra = "") {
    return R"(
duration: 20h
warmup: 10m
workload:
  sessions:
    arrival: {process: poisson, rate: )" +
           rate + R"(}
    requests: 1
  request: {service_time: )" +
           service + R"(}
  client: {timeout: 1h, retries: {max: 0}}
cluster: {runtime: serverless}
serverless: )" +
           serverless + "\n" + extra;
}

} // namespace

TEST_CASE("a function at Poisson rate lambda cold-starts a share e^(-lambda (T + S))") {
    // One environment serves everything (overlaps are 1 in 2000); a request finds it reclaimed
    // when the gap after the previous completion exceeds T: P = e^(-lambda T) e^(-lambda S).
    const double lambda = 0.5, T = 2, S = 0.001;
    const RunResult r = run_model(function_at("0.5/s", "1ms", "{idle_timeout: 2s, cold_start: 0s}"),
                                  3 + seed_offset());
    check_conservation(r);
    const double n = static_cast<double>(r.invocations);
    REQUIRE(n > 30000);
    const double p = static_cast<double>(r.cold_starts) / n;
    const double expected = std::exp(-lambda * (T + S)); // 0.3676
    const double se = std::sqrt(expected * (1 - expected) / n);
    INFO("cold share " << p << " expected " << expected << " se " << se);
    CHECK(std::abs(p - expected) < 4 * se);
    CHECK(r.throttles == 0);
}

TEST_CASE("with cold start 0 and concurrency_limit c the throttled share is Erlang B") {
    // Loss system M/G/c/c: blocking B(a, c) whatever the service distribution (insensitivity):
    // lognormal service with cv 2 here. No retries, so every throttle is a failed request.
    const double lambda = 30, mean_s = 0.1;
    const int c = 5;
    const double expected = analytic::mmck(lambda, mean_s, c, c).blocking; // B(3, 5) = 0.110
    std::vector<double> shares, busy_ratio;
    for (int rep = 0; rep < 8; ++rep) {
        const RunResult r =
            run_model(function_at("30/s", "{dist: lognormal, mean: 100ms, cv: 2}",
                                  "{cold_start: 0s, concurrency_limit: 5, scaling_rate: 100000/s}"),
                      100 + static_cast<std::uint64_t>(rep) + seed_offset(), 0, {"duration=2h"});
        check_conservation(r);
        CHECK(r.throttles == r.requests_failed);
        shares.push_back(static_cast<double>(r.throttles) /
                         static_cast<double>(r.requests_ok + r.requests_failed));
        // Little: busy environments = admitted rate x time at the function.
        const double admitted = static_cast<double>(r.invocations) / r.duration_s;
        busy_ratio.push_back(r.environments_busy_mean /
                             (admitted * r.node_response_mean_ms * 1e-3));
    }
    const Estimate e = estimate(shares, 0.999);
    INFO("throttled " << e.mean << " +- " << e.half_width << ", Erlang B " << expected);
    CHECK(std::abs(e.mean - expected) < e.half_width);
    const Estimate l = estimate(busy_ratio, 0.999);
    INFO("busy / (lambda_admitted x E[time at function]) = " << l.mean << " +- " << l.half_width);
    CHECK(std::abs(l.mean - 1) < l.half_width + 0.002);
}

TEST_CASE("busy environments follow Little's law with cold starts in the response") {
    // A cold start lengthens the invocation it serves: busy environments count it.
    const RunResult r = run_model(function_at("5/s", "{dist: exponential, mean: 50ms}",
                                              "{idle_timeout: 1s, cold_start: 300ms}"),
                                  7 + seed_offset(), 0, {"duration=5h"});
    REQUIRE(r.cold_starts > 1000);
    const double admitted = static_cast<double>(r.invocations) / r.duration_s;
    const double expected = admitted * r.node_response_mean_ms * 1e-3;
    INFO("busy " << r.environments_busy_mean << " expected " << expected);
    CHECK(within_rel(r.environments_busy_mean, expected, 0.01));
    // Each invocation: 50 ms on average, plus 300 ms for the cold share.
    const double cold_share =
        static_cast<double>(r.cold_starts) / static_cast<double>(r.invocations);
    CHECK(within_rel(r.node_response_mean_ms, 50 + 300 * cold_share, 0.03));
    CHECK(r.environments_mean > r.environments_busy_mean);
}

TEST_CASE("the scaling rate and the concurrency limit throttle exactly the requests beyond them") {
    // 20 requests at the same instant, no warm environment, no retries.
    const std::string trace = write_trace("burst", std::vector<double>(20, 1.0));
    auto burst = [&](const std::string &serverless) {
        return R"(
duration: 1m
warmup: 0s
workload:
  sessions:
    arrival: {process: trace, file: )" +
               trace + R"(}
    requests: 1
  request: {service_time: 100ms}
  client: {retries: {max: 0}}
cluster: {runtime: serverless}
serverless: )" +
               serverless + "\n";
    };
    SUBCASE("a bucket of 5 new environments per 10 s") {
        const RunResult r = run_model(burst("{cold_start: 1s, scaling_rate: 5/10s}"));
        CHECK(r.cold_starts == 5);
        CHECK(r.throttles == 15);
        CHECK(r.requests_ok == 5);
        CHECK(r.requests_failed == 15);
    }
    SUBCASE("concurrency_limit 3") {
        const RunResult r = run_model(burst("{cold_start: 1s, concurrency_limit: 3}"));
        CHECK(r.cold_starts == 3);
        CHECK(r.throttles == 17);
    }
    SUBCASE("provisioned environments take the burst first, without a cold start") {
        const RunResult r =
            run_model(burst("{cold_start: 1s, provisioned: 8, scaling_rate: 5/10s}"));
        CHECK(r.cold_starts == 5); // 8 provisioned, then 5 new ones
        CHECK(r.throttles == 7);
        CHECK(r.requests_ok == 13);
    }
}

TEST_CASE("a throttled request is retried after the client's backoff") {
    const std::string trace = write_trace("retry", std::vector<double>(2, 1.0));
    const RunResult r = run_model(R"(
duration: 1m
warmup: 0s
workload:
  sessions:
    arrival: {process: trace, file: )" +
                                  trace + R"(}
    requests: 1
  request: {service_time: 100ms}
  client: {retries: {max: 3, backoff: 500ms}}
cluster: {runtime: serverless}
serverless: {cold_start: 0s, concurrency_limit: 1}
)");
    CHECK(r.throttles == 1);
    CHECK(r.requests_ok == 2);
    // The second request waits its backoff (500 ms) and then its 100 ms.
    CHECK(r.latency.max() == 600 * kSecond / 1000);
}

TEST_CASE("the scaling bucket refills by the time passed, however often it was read") {
    // 1 new environment per 1 s; two requests at 1 s, each 1 h long: the second is throttled
    // and retried every 100 ms. At 2 s, exactly 1 s after the first took the token, one is back:
    // the 10th retry gets an environment. In doubles ten refills of 0.1 made 0.9999999999999999
    // of a token: refused at 2 s too, 11 throttles and the session abandoned.
    const std::string trace = write_trace("bucket", std::vector<double>(2, 1.0));
    const RunResult r = run_model(R"(
duration: 3h
warmup: 0s
workload:
  sessions:
    arrival: {process: trace, file: )" +
                                  trace + R"(}
    requests: 1
  request: {service_time: 1h}
  client: {timeout: 2h, retries: {max: 10, backoff: 100ms}}
cluster: {runtime: serverless}
serverless: {cold_start: 0s, scaling_rate: 1/1s}
)");
    CHECK(r.throttles == 10);
    CHECK(r.invocations == 2);
    CHECK(r.requests_ok == 2);
    CHECK(r.requests_failed == 0);
}

TEST_CASE("Lambda bills invocations, duration with init in 1 ms steps, and provisioned time") {
    const RunResult r = run_model(
        function_at("2/s", "10200us", "{idle_timeout: 1s, cold_start: 500ms, memory: 1GiB}",
                    "costs: {lambda_request: 1e-6, lambda_gb_second: 1e-5}\n"),
        5 + seed_offset(), 0, {"duration=2h"});
    REQUIRE(r.cold_starts > 100);
    // Warm: 10.2 ms billed as 11 ms; cold: 510.2 ms billed as 511 ms (1 GiB).
    const double seconds =
        0.011 * static_cast<double>(r.invocations) + 0.5 * static_cast<double>(r.cold_starts);
    CHECK(within_rel(r.function_seconds, seconds, 0.002));
    CHECK(within_rel(r.cost_lambda_duration_usd, r.function_seconds * 1e-5, 1e-9));
    CHECK(within_rel(r.cost_lambda_requests_usd, static_cast<double>(r.invocations) * 1e-6, 1e-9));
    CHECK(r.cost_lambda_provisioned_usd == 0);
    CHECK(r.node_hours == 0);
    CHECK(within_rel(r.cost_usd, r.cost_lambda_duration_usd + r.cost_lambda_requests_usd, 1e-9));

    const RunResult p = run_model(function_at("2/s", "10ms", "{provisioned: 10, memory: 2GiB}"), 5,
                                  0, {"duration=1h"});
    // 10 environments x 2 GB x 3600 s x 4.17e-6 USD.
    CHECK(within_rel(p.cost_lambda_provisioned_usd, 10 * 2 * 3600 * 4.17e-6, 1e-9));
    CHECK(p.cold_starts == 0); // two requests a second never outgrow ten ready environments
}

TEST_CASE("local state in a function is lost when the environment is reclaimed or not reused") {
    auto sessions = [](const std::string &think, const std::string &state) {
        return R"(
duration: 10h
warmup: 10m
workload:
  sessions:
    arrival: {process: poisson, rate: 1/min}
    requests: 2
    think_time: )" +
               think + R"(
  request: {service_time: 1ms, write_fraction: 1}
cluster: {runtime: serverless}
serverless: {idle_timeout: 2s, cold_start: 0s}
state: )" + state +
               "\n";
    };
    SUBCASE("think time longer than idle_timeout: the environment is gone (env_reclaimed)") {
        const RunResult r = run_model(sessions("5s", "{location: local}"), 21 + seed_offset());
        check_conservation(r);
        const double ended = static_cast<double>(r.sessions_completed + r.sessions_lost);
        // The environment outlives the 5 s think time only if other sessions' requests (two a
        // minute) keep it busy at gaps under 2 s until past 3 s: a few in a thousand.
        const double share = static_cast<double>(lost(r, LossCause::env_reclaimed)) / ended;
        INFO("env_reclaimed share " << share);
        CHECK(share > 0.97);
        CHECK(lost(r, LossCause::routing) + lost(r, LossCause::env_reclaimed) == r.sessions_lost);
    }
    SUBCASE("think time shorter: the same environment serves the session again") {
        const RunResult r = run_model(sessions("1s", "{location: local}"), 21 + seed_offset());
        check_conservation(r);
        CHECK(r.sessions_completed > 500);
        CHECK(static_cast<double>(r.sessions_lost) <
              0.03 * static_cast<double>(r.sessions_started));
    }
    SUBCASE("state in the store survives any environment") {
        const RunResult r = run_model(sessions("5s", "{location: store}"), 21 + seed_offset());
        CHECK(r.sessions_lost == 0);
        CHECK(r.store_ops > 0);
    }
}

TEST_CASE("local state is lost to routing when the session's next request lands elsewhere") {
    // Busy traffic keeps many environments warm; the newest idle one serves each request, so a
    // session rarely meets its own environment again.
    const RunResult r = run_model(R"(
duration: 1h
warmup: 10m
workload:
  sessions:
    arrival: {process: poisson, rate: 20/s}
    requests: 3
    think_time: {dist: exponential, mean: 10s}
  request: {service_time: {dist: exponential, mean: 50ms}, write_fraction: 1}
cluster: {runtime: serverless}
state: {location: local}
)",
                                  4 + seed_offset());
    check_conservation(r);
    CHECK(lost(r, LossCause::routing) > r.sessions_completed);
    CHECK(lost(r, LossCause::env_reclaimed) == 0);
}

TEST_CASE("local_cache skips the store read when the same environment serves the session") {
    const std::string yaml = R"(
duration: 2h
warmup: 10m
workload:
  sessions:
    arrival: {process: poisson, rate: 1/min}
    requests: 4
    think_time: 1s
  request: {service_time: 1ms, write_fraction: 0}
cluster: {runtime: serverless}
serverless: {cold_start: 0s}
state: {location: store, store: {capacity: 100000/s}}
)";
    const RunResult plain = run_model(yaml, 8 + seed_offset());
    const RunResult cached = run_model(yaml, 8 + seed_offset(), 0, {"state.local_cache=true"});
    // Without the cache every request reads; with it, nearly only the first of each session.
    CHECK(plain.store_reads >= 4 * plain.sessions_completed);
    CHECK(static_cast<double>(cached.store_reads) <
          1.1 * static_cast<double>(cached.sessions_completed));
}

TEST_CASE("the serverless preset, and server-only settings warned about under it") {
    const Scenario sc = load(R"(
workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {nodes: 2}
failures: {nodes: {mtbf: 1h}}
architectures:
  - {name: servers, preset: stateless-dynamodb}
  - {name: fn, preset: serverless}
)");
    const Architecture &fn = sc.points[0].architectures[1];
    CHECK(fn.cluster.runtime == Runtime::serverless);
    CHECK(fn.state.location == StateLocation::store);
    CHECK(sc.points[0].architectures[0].cluster.runtime == Runtime::servers);
    // Every server-only key the user set, each at its position; nothing for the servers.
    REQUIRE(sc.warnings.size() == 2);
    CHECK(contains(sc.warnings[0], ":3:18: cluster.nodes: architecture \"fn\" runs on the "
                                   "serverless runtime, which ignores it"));
    CHECK(contains(sc.warnings[1], ":4:19: failures.nodes: architecture \"fn\""));
}

TEST_CASE("the serverless warning names each server-only key set, where it was set") {
    const Scenario sc = load(R"(
workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {runtime: serverless, session_memory_limit: 1MiB}
load_balancer: {policy: random, sticky: true, health_check: {interval: 10s}}
autoscaling: {enabled: false, max: 9}
failures:
  mode: process
  events: [{at: 15m, kill: node}, {at: 16m, outage: store, duration: 1m}]
architectures:
  - {name: fn, set: {cluster.workers: 4}}
)");
    std::string all;
    for (const auto &w : sc.warnings)
        all += w + "\n";
    CAPTURE(all);
    for (const char *key :
         {":4:25: load_balancer.policy:", ":4:33: load_balancer.sticky:",
          ":4:61: load_balancer.health_check:", ":7:9: failures.mode:",
          ":8:12: failures.events[0]: architecture \"fn\" runs on the serverless runtime, which "
          "ignores kill and deploy events (store outages apply)",
          ":10:39: architectures[0].set.cluster.workers:"})
        CHECK(contains(all, key));
    CHECK(sc.warnings.size() == 6);
    // Used under serverless too (local state in an environment's memory), or switched off.
    CHECK_FALSE(contains(all, "session_memory_limit"));
    CHECK_FALSE(contains(all, "autoscaling"));
    CHECK_FALSE(contains(all, "events[1]"));
}

TEST_CASE("bad serverless values are located errors") {
    const std::string base = R"(workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {runtime: serverless}
)";
    CHECK(contains(error_of(base + "serverless: {scaling_rate: 1000}\n"),
                   "serverless.scaling_rate: expected new environments per window"));
    CHECK(contains(error_of(base + "serverless: {scaling_rate: 0/10s}\n"),
                   "serverless.scaling_rate"));
    CHECK(contains(error_of(base + "serverless: {scaling_rate: 10/0s}\n"),
                   "serverless.scaling_rate"));
    CHECK(contains(error_of(base + "serverless: {scaling_rate: x/10s}\n"),
                   "serverless.scaling_rate"));
    CHECK(contains(error_of(base + "serverless: {concurrency_limit: 0}\n"),
                   "serverless.concurrency_limit"));
    CHECK(contains(error_of(base + "serverless: {concurrency_limit: 4, provisioned: 5}\n"),
                   "serverless.provisioned: expected at most concurrency_limit (4)"));
    CHECK(contains(error_of(base + "serverless: {memory: 64MiB}\n"),
                   "serverless.memory: expected a function memory between 128MiB"));
    CHECK(contains(error_of(base + "serverless: {idle_timeout: 0s}\n"), "serverless.idle_timeout"));
    CHECK(contains(error_of(base + "serverless: {cold_start: 5}\n"), "serverless.cold_start"));
    CHECK(contains(error_of(base + "serverless: {coldstart: 1s}\n"), "did you mean cold_start"));
    CHECK(contains(error_of(base + "cluster: {runtime: lambda}\n"), "cluster"));
    // A located error names file, line and column.
    CHECK(contains(error_of(base + "serverless: {memory: 64MiB}\n"), "test.yaml:3:"));
}

TEST_CASE("same seed, same serverless run") {
    const std::string yaml =
        function_at("20/s", "{dist: exponential, mean: 80ms}", "{idle_timeout: 5s}");
    const RunResult a = run_model(yaml, 9, 0, {"duration=10m"});
    const RunResult b = run_model(yaml, 9, 0, {"duration=10m"});
    CHECK(a.cold_starts == b.cold_starts);
    CHECK(a.invocations == b.invocations);
    CHECK(a.function_seconds == b.function_seconds);
    CHECK(a.environments_mean == b.environments_mean);
}

TEST_CASE("cold starts are counted with their invocations: the share never passes 100 %") {
    // One provisioned environment serves the request at 1 s; the two at 1.005 s and 1.006 s
    // start new environments whose 100 s init ends after a 50 s window. They count in neither
    // figure (the cold starts were counted when taken: 2 cold starts for 1 invocation, 200 %).
    const auto trace = write_trace("cold-share", {1, 1.005, 1.006});
    const auto yaml = [&](const std::string &duration) {
        return fmt::format(R"(
duration: {}
warmup: 0s
workload:
  sessions: {{arrival: {{process: trace, file: {}}}, requests: 1}}
  request: {{service_time: 10ms}}
  client: {{timeout: 300s, retries: {{max: 0}}}}
cluster: {{runtime: serverless}}
serverless: {{cold_start: 100s, provisioned: 1}}
)",
                           duration, trace);
    };
    const RunResult short_window = run_model(yaml("50s"));
    CHECK(short_window.invocations == 1);
    CHECK(short_window.cold_starts == 0);
    const RunResult long_window = run_model(yaml("200s"));
    CHECK(long_window.invocations == 3);
    CHECK(long_window.cold_starts == 2);
}

TEST_CASE("serverless: busy environments obey Little's law from the arrival at the environment") {
    // 50 requests/s of 20 ms behind 5 ms hops: L = λW with W the time at the environment (init
    // included), as billed. Counting from the dispatch, a hop earlier, gave L/λ = 25 ms.
    const RunResult r = run_model(R"(
duration: 10m
warmup: 1m
workload:
  sessions: {arrival: {process: poisson, rate: 50/s}, requests: 1}
  request: {service_time: 20ms}
network: {hop_latency: 5ms}
cluster: {runtime: serverless}
serverless: {cold_start: 200ms, idle_timeout: 10m}
)",
                                  3 + seed_offset());
    const double rate = static_cast<double>(r.invocations) / r.duration_s;
    const double little = rate * r.node_response_mean_ms / 1000;
    CHECK(within_rel(r.environments_busy_mean, little, 0.01));
    CHECK(within_rel(r.requests_in_system_mean, little, 0.01));
}
