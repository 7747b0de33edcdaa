// slo: objectives are parsed with located errors and judged with the whole confidence interval:
// a mean under the limit whose interval crosses it fails.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "run_model.hpp"
#include "statesim/output/cost.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/output/slo.hpp"
#include "statesim/output/table.hpp"
#include "statesim/output/writers.hpp"

using namespace statesim;
using statesim::test::load;

namespace {

const std::string kBase = R"(
workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {nodes: 2}
architectures:
  - {name: a, preset: stateless-jwt}
  - {name: b, preset: stateless-dynamodb}
)";

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

// A finished run whose lost_session_pct is `pct` (of 10 000 ended sessions) and whose cost per
// month is `cost`.
RunRecord run(std::size_t arch, int rep, double pct, double cost) {
    RunRecord r;
    r.architecture = arch;
    r.replication = rep;
    r.done = true;
    r.result.sessions_lost = static_cast<std::uint64_t>(pct * 100);
    r.result.sessions_completed = 10000 - r.result.sessions_lost;
    r.result.sessions_started = 10000;
    r.result.cost_per_month_usd = cost;
    r.result.duration_s = 3600;
    return r;
}

} // namespace

TEST_CASE("slo keys map to summary columns in their units") {
    const Scenario sc =
        load(kBase + "slo: {lost_session_pct: 0.1%, latency_p99: 200ms, availability: 99.9%, "
                     "throughput: 50/s, cost_per_month_usd: 100}\n");
    REQUIRE(sc.slo.size() == 5);
    CHECK(sc.slo[0].metric == "lost_session_pct");
    CHECK(sc.slo[0].limit == doctest::Approx(0.1).epsilon(1e-12));
    CHECK(sc.slo[1].metric == "latency_p99_ms");
    CHECK(sc.slo[1].limit == doctest::Approx(200).epsilon(1e-12));
    CHECK(sc.slo[2].metric == "availability");
    CHECK(sc.slo[2].at_least);
    CHECK(sc.slo[3].metric == "throughput_rps");
    CHECK(sc.slo[3].at_least);
    CHECK(sc.slo[4].limit == 100);
    CHECK(contains(sc.resolved_yaml, "latency_p99: 200ms"));
}

TEST_CASE("bad slo entries are located errors") {
    CHECK(contains(error_of(kBase + "slo: {latncy_p99: 200ms}\n"), "did you mean latency_p99"));
    CHECK(contains(error_of(kBase + "slo: {latency_p99: 200}\n"), "slo.latency_p99"));
    CHECK(contains(error_of(kBase + "slo: {lost_session_pct: lots}\n"), "slo.lost_session_pct"));
    CHECK(contains(error_of(kBase + "slo: {}\n"), "slo: expected at least one objective"));
    CHECK(contains(error_of(kBase + "sweep: {slo.latency_p99: [1s]}\n"), "only architecture keys"));
}

TEST_CASE("an objective passes only when the whole confidence interval does") {
    const Scenario sc = load(kBase + "slo: {lost_session_pct: 0.1%}\n");
    RunMetrics m(sc);
    // a: 0.05, 0.06, 0.07 % -> mean 0.06, 95% half-width 4.303 x 0.01 / sqrt 3 = 0.025: passes.
    // b: 0.08, 0.09, 0.10 % -> mean 0.09 under the limit, but the interval reaches 0.115: fails.
    for (int rep = 0; rep < 3; ++rep) {
        m.add(run(0, rep, 0.05 + 0.01 * rep, 200));
        m.add(run(1, rep, 0.08 + 0.01 * rep, 100));
    }
    CHECK(passes_all(judge_slo(sc, m, 0, 0)));
    CHECK_FALSE(passes_all(judge_slo(sc, m, 0, 1)));
    CHECK(cheapest_passing(sc, m, 0) == 0); // b is cheaper but fails
    const std::string table = comparison_table(sc, m);
    CHECK(contains(table, "slo lost_session_pct <= 0.1%"));
    CHECK(contains(table, "cheapest passing every slo: a"));
    const std::string agg = aggregate_csv(sc, m);
    CHECK(contains(agg, ",slo_pass\n"));
    CHECK(contains(agg, ",a,3,"));
}

TEST_CASE("with one replication an objective is judged on its mean, and said so") {
    const Scenario sc = load(kBase + "slo: {lost_session_pct: 0.1%}\n");
    RunMetrics m(sc);
    m.add(run(0, 0, 0.09, 200));
    m.add(run(1, 0, 0.2, 100));
    const auto v = judge_slo(sc, m, 0, 0);
    REQUIRE(v.size() == 1);
    CHECK(v[0].pass);
    CHECK(v[0].mean_only);
    CHECK_FALSE(passes_all(judge_slo(sc, m, 0, 1)));
    CHECK(contains(comparison_table(sc, m), "pass*"));
    CHECK(contains(comparison_table(sc, m), "one replication: judged on the mean"));
}

TEST_CASE("a share's limit is shown in percent, and a bare number below 1 is warned about") {
    // A bare 0.7 is a fraction: 70 %, next to a column in percent. Legal, so only a warning.
    const Scenario bare = load(kBase + "slo: {lost_session_pct: 0.7, latency_p99: 0.2s}\n");
    REQUIRE(bare.slo.size() == 2);
    CHECK(bare.slo[0].limit == doctest::Approx(70).epsilon(1e-12));
    REQUIRE(bare.warnings.size() == 1);
    CHECK(contains(bare.warnings[0], "test.yaml:7:25: slo.lost_session_pct: 0.7 is read as a "
                                     "fraction: 0.7 = 70%; write 0.7% for 0.7 percent"));
    RunMetrics m(bare);
    m.add(run(0, 0, 59.9, 200));
    m.add(run(1, 0, 0.2, 100));
    const std::string table = comparison_table(bare, m);
    CHECK(contains(table, "slo lost_session_pct <= 70%"));
    CHECK(contains(table, "slo latency_p99 <= 200ms")); // in the column's unit, ms
    // As written, never in exponent notation: 1 h is 3600000ms (was 3.6e+06ms).
    CHECK(slo_limit_text(load(kBase + "slo: {latency_p99: 1h}\n").slo[0]) == "3600000ms");
    CHECK(slo_limit_text(load(kBase + "slo: {cost_per_month_usd: 1234567.5}\n").slo[0]) ==
          "1234567.5");
    // A percentage through its fraction: 7.000000000000001 in doubles, shown 7%.
    CHECK(slo_limit_text(load(kBase + "slo: {sessions_affected_pct: 7%}\n").slo[0]) == "7%");
    // Written with %, zero, or a --set with %: no warning.
    CHECK(load(kBase + "slo: {lost_session_pct: 0.7%}\n").warnings.empty());
    CHECK(load(kBase + "slo: {lost_session_pct: 0}\n").warnings.empty());
    CHECK(load(kBase + "slo: {availability: 0.999}\n").warnings.empty()); // a fraction column
    // A --set names itself instead of a file position.
    const Scenario set =
        load(kBase + "slo: {lost_session_pct: 1%}\n", {"slo.failed_request_pct=0.5"});
    REQUIRE(set.warnings.size() == 1);
    CHECK(contains(set.warnings[0], "--set slo.failed_request_pct=0.5: slo.failed_request_pct: "
                                    "0.5 is read as a fraction: 0.5 = 50%"));
}

TEST_CASE("a throughput objective of 0/s is refused") {
    const std::string e = error_of(kBase + "slo: {throughput: 0/s}\n");
    CHECK(contains(e, "test.yaml:7:19: slo.throughput: expected a rate greater than 0/s"));
    CHECK(error_of(kBase + "slo: {throughput: 1/s}\n").empty());
}

TEST_CASE("with one replication slo (all) is judged on the means too: pass*") {
    const Scenario sc = load(kBase + "slo: {lost_session_pct: 0.1%}\n");
    RunMetrics m(sc);
    m.add(run(0, 0, 0.05, 200));
    m.add(run(1, 0, 0.2, 100));
    const std::string table = comparison_table(sc, m);
    std::istringstream in(table);
    std::string all;
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("slo (all)")) all = line;
    CHECK(contains(all, "pass*"));
    CHECK(contains(all, "FAIL*"));
    // With replications the stars go.
    RunMetrics three(sc);
    for (int rep = 0; rep < 3; ++rep) {
        three.add(run(0, rep, 0.05, 200));
        three.add(run(1, rep, 0.2, 100));
    }
    CHECK_FALSE(contains(comparison_table(sc, three), "*"));
}

TEST_CASE("a share or a cost per session of nothing is undefined, and its objective fails") {
    // Before: a run in which no session ended printed lost_session_pct 0 and passed
    // `lost_session_pct <= 1%`; with no session started, cost_per_1k_sessions_usd 0 passed too.
    const Scenario sc =
        load(kBase + "slo: {lost_session_pct: 1%, cost_per_1k_sessions_usd: 0.001}\n");
    RunMetrics m(sc);
    for (int rep = 0; rep < 2; ++rep) {
        RunRecord r;
        r.architecture = 0;
        r.replication = rep;
        r.done = true;
        r.result.duration_s = 3600;
        r.result.cost_usd = 0.08;
        price(r.result, sc.points[0].architectures[0]);
        m.add(r);
        m.add(run(1, rep, 0.5, 100));
    }
    const auto none = judge_slo(sc, m, 0, 0);
    REQUIRE(none.size() == 2);
    CHECK_FALSE(none[0].pass);
    CHECK_FALSE(none[1].pass);
    CHECK(judge_slo(sc, m, 0, 1)[0].pass);
    CHECK(contains(comparison_table(sc, m), "n/a"));
    RunResult none_ended;
    none_ended.duration_s = 3600;
    price(none_ended, sc.points[0].architectures[0]);
    for (const Metric &metric : metrics()) {
        const std::string &name = metric.name;
        if (name == "lost_session_pct" || name == "sessions_affected_pct" ||
            name == "failed_request_pct" || name == "cost_per_1k_sessions_usd" ||
            name == "cold_start_pct" || name == "throttled_pct" || name == "workflows_lost_pct") {
            INFO(name);
            CHECK(std::isnan(metric.value(none_ended))); // an empty cell in summary.csv
        }
    }
    // Servers never start cold nor are throttled: 0 % of their requests, not undefined.
    RunResult servers = none_ended;
    servers.requests_ok = 100;
    for (const Metric &metric : metrics())
        if (metric.name == "cold_start_pct" || metric.name == "throttled_pct")
            CHECK(metric.value(servers) == 0);
}

TEST_CASE("a value at its limit meets the objective despite rounding") {
    // 3 nodes x 0.1 USD x 730 h per month comes out 219.00000000000003 from node-hours
    // integrated in ns: the table shows 219 and `cost_per_month_usd <= 219` must pass.
    const Scenario sc = load(kBase + "slo: {cost_per_month_usd: 219, throughput: 2/s}\n");
    RunMetrics m(sc);
    for (int rep = 0; rep < 2; ++rep) {
        RunRecord r = run(0, rep, 0.1, 3 * 0.1 * 730 * (1 + 1e-15));
        r.result.requests_ok = 7200 - 1; // 1.99972 /s: short of 2/s by far more than rounding
        m.add(r);
        m.add(run(1, rep, 0.1, 219.1));
    }
    CHECK(0.1 * 3 * 730 > 219); // the rounding this guards against
    const std::size_t cost = sc.slo[0].metric == "cost_per_month_usd" ? 0 : 1;
    REQUIRE(sc.slo[cost].metric == "cost_per_month_usd");
    const auto v = judge_slo(sc, m, 0, 0);
    REQUIRE(v.size() == 2);
    CHECK(v[cost].pass);
    CHECK_FALSE(v[1 - cost].pass);
    CHECK_FALSE(judge_slo(sc, m, 0, 1)[cost].pass);
}

TEST_CASE("an objective's label wider than the metric names keeps the verdicts aligned") {
    const Scenario sc = load(kBase + "slo: {cost_per_1k_sessions_usd: 0.02, throughput: 1/s}\n");
    RunMetrics m(sc);
    for (int rep = 0; rep < 2; ++rep) {
        m.add(run(0, rep, 0.1, 100));
        m.add(run(1, rep, 0.1, 100));
    }
    const std::string table = comparison_table(sc, m);
    std::istringstream lines(table);
    std::string line, header, slo;
    while (std::getline(lines, line)) {
        if (line.find("lost_session_pct") == 0) header = line;
        if (line.find("slo cost_per_1k_sessions_usd") == 0) slo = line;
    }
    REQUIRE(!header.empty());
    REQUIRE(!slo.empty());
    // The same columns, right-aligned to the same edge (counted in characters: ± is 2 bytes).
    const auto width = [](const std::string &text) {
        return std::count_if(text.begin(), text.end(),
                             [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    };
    CHECK(width(slo) == width(header));
}

TEST_CASE("a row an objective judges is shown even when it would be left out as 0 everywhere") {
    // cold_start_pct is 0 for every (server) architecture: the row is clutter, except that the
    // objective's verdict below must be readable against it. sessions_active shows only when
    // sessions were still going (started = completed + lost + abandoned + active).
    const Scenario judged = load(kBase + "slo: {cold_start_pct: 1%}\n");
    const Scenario plain = load(kBase);
    const auto table = [](const Scenario &sc, std::uint64_t active) {
        RunMetrics m(sc);
        for (int rep = 0; rep < 2; ++rep)
            for (std::size_t arch = 0; arch < 2; ++arch) {
                RunRecord r = run(arch, rep, 0.1, 100);
                r.result.requests_ok = 100;
                r.result.sessions_active = active;
                m.add(r);
            }
        return comparison_table(sc, m);
    };
    CHECK(contains(table(judged, 0), "\ncold_start_pct "));
    CHECK_FALSE(contains(table(plain, 0), "\ncold_start_pct "));
    CHECK_FALSE(contains(table(plain, 0), "\nsessions_active "));
    CHECK(contains(table(plain, 7), "\nsessions_active "));
}
