// What a reader of the terminal table and the output set sees beyond the CSV rows: a sweep's
// pivot (one line per point, the cheapest architecture passing every slo), the warnings about
// wide confidence intervals, and latency_histogram.csv read back.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "run_model.hpp"
#include "statesim/output/table.hpp"
#include "statesim/output/writers.hpp"

using namespace statesim;
using statesim::test::load;

namespace {

const std::string kSweep = R"(
workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {nodes: 2}
architectures:
  - {name: a, preset: stateless-jwt}
  - {name: b, preset: stateless-dynamodb}
sweep:
  cluster.nodes: [2, 3]
slo: {lost_session_pct: 0.1%}
)";

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

// A finished run: lost_session_pct `pct` (of 10 000 ended sessions), cost per month `cost`.
RunRecord run(std::size_t point, std::size_t arch, int rep, double pct, double cost) {
    RunRecord r;
    r.point = point;
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

// The lines of `text` that contain `part`.
std::vector<std::string> lines_with(const std::string &text, const std::string &part) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (contains(line, part)) out.push_back(line);
    return out;
}

} // namespace

TEST_CASE("a sweep's table pivots to one line per point with the cheapest passing architecture") {
    const Scenario sc = load(kSweep);
    REQUIRE(sc.points.size() == 2);
    RunMetrics m(sc);
    for (int rep = 0; rep < 3; ++rep) {
        // Point 0: a passes (0.05..0.07 %), b fails (0.5 %). Point 1: both pass, b is cheaper.
        m.add(run(0, 0, rep, 0.05 + 0.01 * rep, 200));
        m.add(run(0, 1, rep, 0.5, 100));
        m.add(run(1, 0, rep, 0.05 + 0.01 * rep, 200));
        m.add(run(1, 1, rep, 0.01, 100));
    }
    const std::string table = comparison_table(sc, m);
    CHECK(contains(table, "sweep of 2 points"));
    // The header names the swept key and each architecture's group once.
    CHECK(lines_with(table, "cluster.nodes").size() == 1);
    CHECK(lines_with(table, "| a").size() == 1);
    // One line per point, starting with its swept value, ending with the cheapest passing one.
    const auto p0 = lines_with(table, "FAIL");
    REQUIRE(p0.size() == 1);
    CHECK(p0[0].rfind("2 ", 0) == 0);
    CHECK(p0[0].ends_with(" a"));
    const auto passing = lines_with(table, "pass  ");
    REQUIRE(passing.size() == 2); // point 0 (a) and point 1 (a and b on one line)
    CHECK(passing[1].rfind("3 ", 0) == 0);
    CHECK(passing[1].ends_with(" b"));
    // The per-point detail is still there for table.txt.
    CHECK(contains(point_tables(sc, m), "point 1: cluster.nodes=3"));
}

TEST_CASE("one point keeps the side-by-side table") {
    const Scenario sc = load(kSweep, {"sweep={}"});
    REQUIRE(sc.points.size() == 1);
    RunMetrics m(sc);
    m.add(run(0, 0, 0, 0.05, 200));
    m.add(run(0, 1, 0, 0.5, 100));
    CHECK(comparison_table(sc, m) == point_tables(sc, m));
    CHECK_FALSE(contains(comparison_table(sc, m), "sweep of"));
}

TEST_CASE("long architecture names are shown whole, the columns stay aligned") {
    const std::string yaml = R"(
workload: {sessions: {arrival: {process: poisson, rate: 1/s}}}
cluster: {nodes: 2}
architectures:
  - {name: stateful-sticky-with-ttl-30s, preset: stateful-sticky}
  - {name: stateful-sticky-with-ttl-1d, preset: stateful-sticky}
slo: {lost_session_pct: 0.1%}
)";
    // Both names used to be cut to 23 characters: "stateful-sticky-with-tt" twice.
    const Scenario one = load(yaml);
    RunMetrics m(one);
    m.add(run(0, 0, 0, 0.05, 200));
    m.add(run(0, 1, 0, 0.5, 100));
    const std::string table = comparison_table(one, m);
    // The header names both ("cheapest passing every slo: ..." names one of them).
    std::vector<std::string> header;
    for (const auto &line : lines_with(table, " stateful-sticky-with-ttl-30s"))
        if (contains(line, " stateful-sticky-with-ttl-1d")) header.push_back(line);
    REQUIRE(header.size() == 1);
    // Every row (metric or slo) ends where the header does; "±" is one column, two bytes.
    auto columns = [](const std::string &line) {
        std::size_t n = 0;
        for (unsigned char c : line)
            n += (c & 0xC0) != 0x80;
        return n;
    };
    for (const char *part : {"lost_session_pct ", "slo (all)", "cost_per_month_usd"}) {
        CAPTURE(part);
        const auto rows = lines_with(table, part);
        REQUIRE(!rows.empty());
        CHECK(columns(rows[0]) == columns(header[0]));
    }

    // The sweep's pivot names each group in full too.
    const Scenario sweep = load(yaml + "sweep: {cluster.nodes: [2, 3]}\n");
    RunMetrics ms(sweep);
    for (std::size_t p = 0; p < 2; ++p) {
        ms.add(run(p, 0, 0, 0.05, 200));
        ms.add(run(p, 1, 0, 0.5, 100));
    }
    const std::string pivot = comparison_table(sweep, ms);
    CHECK(lines_with(pivot, "| stateful-sticky-with-ttl-30s").size() == 1);
    CHECK(lines_with(pivot, "| stateful-sticky-with-ttl-1d").size() == 1);
}

TEST_CASE("a metric whose CI is wider than 5% of its mean is named, a tight one is not") {
    const Scenario sc = load(kSweep, {"sweep={}"});
    RunMetrics m(sc);
    // a: lost 1.0, 1.1, 1.2 % -> half-width 4.303 x 0.1 / sqrt 3 = 0.248 = 22% of 1.1: wide.
    // b: lost 1.00, 1.01, 1.02 % -> 2.2% of the mean: tight. Costs identical: no interval.
    for (int rep = 0; rep < 3; ++rep) {
        m.add(run(0, 0, rep, 1.0 + 0.1 * rep, 200));
        m.add(run(0, 1, rep, 1.0 + 0.01 * rep, 100));
    }
    const auto w = precision_warnings(sc, m);
    REQUIRE(w.size() == 2); // a's line, then the advice
    CHECK(contains(w[0], "for a: lost_session_pct 23%"));
    CHECK_FALSE(contains(w[0], "cost_per_month_usd"));
    CHECK(contains(w[1], "more replications"));
    CHECK(contains(w[1], "--duration"));
    CHECK(contains(precision_block(w), "\nwarning: wide 95% CI"));
}

TEST_CASE("one replication is warned about: it has no confidence interval") {
    const Scenario sc = load(kSweep, {"sweep={}"});
    RunMetrics m(sc);
    m.add(run(0, 0, 0, 1.0, 200));
    m.add(run(0, 1, 0, 2.0, 100));
    const auto w = precision_warnings(sc, m);
    REQUIRE(w.size() == 1);
    CHECK(contains(w[0], "one replication"));
    CHECK(precision_block({}).empty());
}

TEST_CASE("latency_histogram.csv merges the replications' histograms bucket by bucket") {
    const Scenario sc = load(kSweep, {"sweep={}"});
    std::vector<RunRecord> records;
    for (int rep = 0; rep < 2; ++rep) {
        RunRecord r = run(0, 0, rep, 0, 1);
        r.result.latency.add(5'000'000);         // 5 ms
        r.result.latency.add(100'000'000 + rep); // ~100 ms, one bucket for both
        records.push_back(r);
    }
    records.push_back(run(0, 1, 0, 0, 1)); // no latency at all: no rows
    RunRecord unfinished = run(0, 1, 1, 0, 1);
    unfinished.done = false;
    unfinished.result.latency.add(7'000'000);
    records.push_back(unfinished);
    const std::string csv = latency_histogram_csv(sc, records);
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    CHECK(line == "point,architecture,bucket_low_ms,bucket_high_ms,count");
    std::vector<std::string> rows;
    while (std::getline(in, line))
        rows.push_back(line);
    REQUIRE(rows.size() == 2);
    // 5 ms = 5 000 000 ns lies in [4 980 736, 5 013 504) ns: 128 buckets per power of two.
    CHECK(rows[0] == "0,a,4.980736,5.013504,2");
    CHECK(rows[1].rfind("0,a,", 0) == 0);
    CHECK(rows[1].ends_with(",2"));
    double low = 0, high = 0;
    REQUIRE(std::sscanf(rows[1].c_str(), "0,a,%lf,%lf", &low, &high) == 2);
    CHECK(low <= 100.0);
    CHECK(high > 100.000001);
    CHECK((high - low) / low < 1.0 / 128 + 1e-12);
}
