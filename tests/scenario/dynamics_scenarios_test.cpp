// The failure, zone, store and autoscaling scenarios tell the stories their header comments
// state, asserted between architectures with their confidence intervals.
#include <doctest/doctest.h>

#include "checks.hpp"
#include "story.hpp"

using namespace statesim;
using test::below;
using test::run_story;

namespace {

void conservation(const test::Story &s) {
    for (const auto &r : s.runs)
        test::check_conservation(r.result);
}

} // namespace

TEST_CASE("session-store-choice: a volatile store loses sessions, replicas and DynamoDB only "
          "fail requests, a token has nothing to fail") {
    const auto s = run_story("session-store-choice.yaml", {"replications=3"});
    conservation(s);
    CHECK(s.get("redis", "lost_store_failure").mean > 100);
    for (const char *a : {"dynamodb", "redis-multi-az", "jwt"})
        CHECK(s.get(a, "sessions_lost").mean == 0);
    // The outage fails requests: five minutes of DynamoDB, a 60 s failover with the replica.
    CHECK(below(s.get("redis-multi-az", "failed_request_pct"),
                s.get("dynamodb", "failed_request_pct")));
    CHECK(s.get("jwt", "requests_failed").mean == 0);
    // The replica is billed: two store nodes instead of one.
    CHECK(test::below(s.get("redis", "cost_store_nodes_usd"),
                      s.get("redis-multi-az", "cost_store_nodes_usd")));
}

TEST_CASE("zone-outage: sticky carts die with the zone and at the rebalancing, stored carts "
          "survive") {
    const auto s = run_story("zone-outage.yaml", {"replications=2"});
    conservation(s);
    CHECK(s.get("stateful-sticky", "lost_node_failure").mean > 100);
    CHECK(s.get("stateful-sticky", "lost_scale_in").mean > 100); // the zone's return
    CHECK(s.get("stateless-dynamodb", "sessions_lost").mean == 0);
    for (const auto &r : s.runs) {
        std::size_t down = 0, up = 0;
        for (const auto &e : r.result.events) {
            down += e.what == MarkedEvent::zone_down;
            up += e.what == MarkedEvent::zone_up;
        }
        CHECK(down == 1);
        CHECK(up == 1);
    }
}

TEST_CASE("traffic-spike: scale-in costs sticky carts (fewer when draining sessions), stateless "
          "none, scaling uses fewer node-hours than provisioning for the peak") {
    const auto s = run_story("traffic-spike.yaml", {"replications=3"});
    conservation(s);
    CHECK(s.get("stateful-sticky", "lost_scale_in").mean > 100);
    CHECK(below(s.get("stateful-sticky-drain-sessions", "lost_scale_in"),
                s.get("stateful-sticky", "lost_scale_in")));
    CHECK(s.get("stateless-dynamodb", "sessions_lost").mean == 0);
    CHECK(s.get("stateless-dynamodb-peak", "sessions_lost").mean == 0);
    CHECK(s.get("stateless-dynamodb", "scale_out_events").mean >= 1);
    CHECK(s.get("stateless-dynamodb", "scale_in_events").mean >= 1);
    CHECK(below(s.get("stateless-dynamodb", "node_hours"),
                s.get("stateless-dynamodb-peak", "node_hours")));
}

TEST_CASE("node-failures: sticky losses fall as MTBF grows, store and token lose none") {
    const auto s = run_story("node-failures.yaml", {"replications=3"});
    conservation(s);
    for (std::size_t p = 0; p < 3; ++p) {
        CHECK(s.get("stateless-dynamodb", "sessions_lost", p).mean == 0);
        CHECK(s.get("stateless-jwt", "sessions_lost", p).mean == 0);
    }
    // Points: MTBF 30m, 2h, 8h. A few failures per replication make each estimate noisy: the
    // extremes are apart beyond their CIs, the middle point between them on average.
    const auto at = [&](std::size_t p) { return s.get("stateful-sticky", "lost_session_pct", p); };
    CHECK(at(0).mean > 0);
    CHECK(below(at(2), at(0)));
    CHECK(at(1).mean < at(0).mean);
    CHECK(at(2).mean < at(1).mean);
}

TEST_CASE("deployment: rolling releases cost sticky carts (fewer when draining sessions), "
          "stateless none") {
    const auto s = run_story("deployment.yaml", {"replications=3"});
    conservation(s);
    CHECK(s.get("stateful-sticky", "lost_deployment").mean > 100);
    CHECK(below(s.get("stateful-sticky-drain-sessions", "lost_deployment"),
                s.get("stateful-sticky", "lost_deployment")));
    CHECK(s.get("stateless-dynamodb", "sessions_lost").mean == 0);
    CHECK(s.get("stateless-dynamodb", "requests_failed").mean == 0);
    for (const auto &r : s.runs) {
        // Releases at 2h and 4h (the run ends at 5h10m), four batches of 2 of the 8 nodes each.
        std::size_t batches = 0, terminated = 0;
        for (const auto &e : r.result.events) {
            batches += e.what == MarkedEvent::deploy_batch;
            terminated += e.what == MarkedEvent::terminate;
        }
        CHECK(batches == 8);
        CHECK(terminated == 16);
    }
}
