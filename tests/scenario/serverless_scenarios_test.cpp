// The serverless and workflow scenarios tell the stories their header comments state, asserted
// between architectures and sweep points with their confidence intervals.
#include <doctest/doctest.h>

#include <cmath>

#include "checks.hpp"
#include "story.hpp"

using namespace statesim;
using test::below;
using test::run_story;

namespace {

// The sweep point whose values are exactly these (dotted key, text) pairs.
std::size_t point_of(const test::Story &s, const std::string &rate,
                     const std::string &provisioned) {
    for (std::size_t p = 0; p < s.sc.points.size(); ++p) {
        const auto &v = s.sc.points[p].values;
        if (v.size() == 2 && v[0].second == rate && v[1].second == provisioned) return p;
    }
    FAIL("no sweep point " << rate << " x " << provisioned);
    return 0;
}

} // namespace

TEST_CASE("lambda-cold-start: quiet traffic cold-starts about e^(-lambda T) of requests, "
          "provisioned removes them, busy traffic stays warm but costs more than servers") {
    const auto s = run_story("lambda-cold-start.yaml", {"replications=3"});
    for (const auto &r : s.runs)
        test::check_conservation(r.result);
    const std::size_t quiet = point_of(s, "4/h", "0"), quiet_prov = point_of(s, "4/h", "2");
    const std::size_t busy = point_of(s, "50/s", "0");

    // Quiet: cold share against e^(-4/h x 10 min) = 0.513, binomial over the pooled requests.
    const double cold = s.get("function", "cold_starts", quiet).mean;
    const double requests = s.get("function", "requests_ok", quiet).mean;
    const double share = cold / requests, expected = std::exp(-4.0 / 60 * 10);
    const double se = std::sqrt(expected * (1 - expected) / (3 * requests));
    INFO("cold share " << share << " expected " << expected << " se " << se);
    CHECK(std::abs(share - expected) < 4 * se);
    CHECK(below(s.get("servers", "latency_p99_ms", quiet),
                s.get("function", "latency_p99_ms", quiet)));
    CHECK(s.get("function", "cold_starts", quiet_prov).mean == 0);
    CHECK(below(s.get("function", "cost_usd", quiet_prov), s.get("servers", "cost_usd", quiet)));
    CHECK(below(s.get("function", "cost_usd", quiet), s.get("function", "cost_usd", quiet_prov)));

    // Busy: fewer than one request in a thousand cold-starts; the function costs more.
    CHECK(s.get("function", "cold_starts", busy).mean <
          1e-3 * s.get("function", "requests_ok", busy).mean);
    CHECK(below(s.get("servers", "cost_usd", busy), s.get("function", "cost_usd", busy)));
}

TEST_CASE("lambda-tmp-state: a cart in /tmp is lost to routing, DynamoDB keeps every cart, "
          "the context cache saves some reads") {
    const auto s = run_story("lambda-tmp-state.yaml", {"replications=3"});
    for (const auto &r : s.runs)
        test::check_conservation(r.result);
    CHECK(s.get("tmp", "lost_session_pct").mean > 50);
    CHECK(s.get("tmp", "lost_routing").mean > 0.9 * s.get("tmp", "sessions_lost").mean);
    CHECK(s.get("dynamodb", "sessions_lost").mean == 0);
    CHECK(s.get("dynamodb-cache", "sessions_lost").mean == 0);
    CHECK(below(s.get("dynamodb-cache", "store_ops"), s.get("dynamodb", "store_ops")));
    CHECK(s.get("dynamodb-cache", "store_ops").mean > 0.7 * s.get("dynamodb", "store_ops").mean);
}

TEST_CASE("order-workflow: daily releases and crashes lose in-memory orders, the orchestrator "
          "loses none for about 4 transitions an order") {
    const auto s = run_story("order-workflow.yaml", {"replications=3"});
    for (const auto &r : s.runs)
        test::check_conservation(r.result);
    const double started = s.get("in-memory", "workflows_started").mean;
    CHECK(s.get("in-memory", "workflows_lost").mean > 0.85 * started);
    CHECK(s.get("in-memory", "workflows_lost_deployment").mean >
          s.get("in-memory", "workflows_lost_node_failure").mean);
    CHECK(s.get("orchestrated", "workflows_lost").mean == 0);
    CHECK(s.get("orchestrated", "workflows_completed").mean > 0.99 * started);
    const double per_order = s.get("orchestrated", "state_transitions").mean / started;
    CHECK(per_order > 3.3);
    CHECK(per_order < 4.2);
    CHECK(std::abs(s.get("orchestrated", "cost_state_transitions_usd").mean -
                   25e-6 * s.get("orchestrated", "state_transitions").mean) < 1e-9);
}
