// Outputs read back: what summary.csv, aggregate.csv, timeseries.csv, events.csv and the table
// say about a run equals what the run measured; unfinished runs never appear; the output set is
// replaced whole.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "statesim/config/load_scenario.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/output/output_dir.hpp"
#include "statesim/output/table.hpp"
#include "statesim/output/writers.hpp"
#include "statesim/stats/confidence.hpp"

using namespace statesim;
namespace fs = std::filesystem;

namespace {

// A minimal RFC 4180 reader: fields split on commas, quoted fields may hold commas, doubled
// quotes and line breaks.
std::vector<std::vector<std::string>> parse_csv(const std::string &text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += text[++i];
            else if (c == '"')
                quoted = false;
            else
                field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
        } else if (c == '\n') {
            row.push_back(field);
            rows.push_back(row);
            row.clear();
            field.clear();
        } else {
            field += c;
        }
    }
    REQUIRE(field.empty()); // every row ends with a line break
    return rows;
}

// A CSV as a list of rows keyed by column name.
std::vector<std::map<std::string, std::string>> read_table(const std::string &text) {
    const auto rows = parse_csv(text);
    REQUIRE(!rows.empty());
    std::vector<std::map<std::string, std::string>> out;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        REQUIRE(rows[r].size() == rows[0].size());
        std::map<std::string, std::string> m;
        for (std::size_t c = 0; c < rows[0].size(); ++c)
            m[rows[0][c]] = rows[r][c];
        out.push_back(m);
    }
    return out;
}

double num(const std::string &cell) {
    REQUIRE(!cell.empty());
    return std::stod(cell);
}

// Equal to 10 significant digits.
bool same10(double got, double want) {
    return std::fabs(got - want) <= 1e-9 * std::fabs(want);
}

Scenario scenario(const std::vector<std::string> &arch_names, int replications) {
    Scenario sc;
    sc.name = std::string("shop, \"v2\"");
    sc.replications = replications;
    sc.resolved_yaml = std::string("name: shop\n");
    SweepPoint p;
    for (const auto &n : arch_names) {
        Architecture a;
        a.name = n;
        p.architectures.push_back(a);
    }
    sc.points.push_back(p);
    return sc;
}

// A finished run whose values differ by architecture and replication in known ways.
RunRecord run(std::size_t arch, int rep) {
    RunRecord r;
    r.architecture = arch;
    r.replication = rep;
    r.seed = 42 + static_cast<std::uint64_t>(rep);
    r.done = true;
    const auto a = static_cast<std::int64_t>(arch), k = static_cast<std::int64_t>(rep);
    for (std::int64_t i = 1; i <= 1000; ++i) // 1..1000 ms, shifted per run
        r.result.latency.add((i + 10 * a + k) * 1'000'000);
    r.result.sessions_started = 263912 + static_cast<std::uint64_t>(rep);
    r.result.sessions_completed = 1000;
    r.result.requests_ok = 1000;
    r.result.duration_s = 3;
    r.result.nodes_mean = 1.0 / 3;
    const double extra[] = {1, 2, 4};
    r.result.cost_usd = 10 + rep + (arch == 1 ? extra[rep % 3] : 0.0);
    TimeseriesRow t;
    t.time_s = 10;
    t.arrivals = 7;
    t.completions = 5;
    t.latency_p50_ms = 12.5;
    t.latency_p99_ms = 99.25;
    t.utilization = 2.0 / 3;
    r.result.timeseries.push_back(t);
    t.time_s = 20;
    t.completions = 0; // an interval without completions has no latency
    r.result.timeseries.push_back(t);
    return r;
}

std::vector<RunRecord> runs(std::size_t archs, int reps) {
    std::vector<RunRecord> out;
    for (std::size_t a = 0; a < archs; ++a)
        for (int r = 0; r < reps; ++r)
            out.push_back(run(a, r));
    return out;
}

std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A fresh scratch directory per test.
fs::path scratch(const std::string &name) {
    const fs::path p =
        fs::temp_directory_path() / fmt::format("statesim-writers-{}-{}", name, ::getpid());
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

} // namespace

TEST_CASE("format_number: integers plain, others 10 significant digits, undefined empty") {
    CHECK(format_number(1.0 / 3) == "0.3333333333");
    CHECK(format_number(2.0 / 3 * 1e6) == "666666.6667");
    CHECK(format_number(263912) == "263912");
    CHECK(format_number(-4) == "-4");
    CHECK(format_number(std::numeric_limits<double>::quiet_NaN()) == "");
}

TEST_CASE("summary.csv reads back each run's values: p99 is p99, p50 is p50") {
    const Scenario sc = scenario({"stateful", "stateless"}, 3);
    const auto records = runs(2, 3);
    const auto rows = read_table(summary_csv(sc, records));
    REQUIRE(rows.size() == records.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto &row = rows[i];
        const RunResult &res = records[i].result;
        CHECK(row.at("scenario") == sc.name);
        CHECK(row.at("architecture") == sc.points[0].architectures[records[i].architecture].name);
        CHECK(row.at("replication") == std::to_string(records[i].replication));
        CHECK(row.at("seed") == std::to_string(records[i].seed));
        CHECK(same10(num(row.at("latency_p99_ms")), res.latency.quantile(0.99) * 1e-6));
        CHECK(same10(num(row.at("latency_p50_ms")), res.latency.quantile(0.50) * 1e-6));
        CHECK(same10(num(row.at("latency_p95_ms")), res.latency.quantile(0.95) * 1e-6));
        CHECK(same10(num(row.at("latency_p999_ms")), res.latency.quantile(0.999) * 1e-6));
        CHECK(same10(num(row.at("latency_mean_ms")), res.latency.mean() * 1e-6));
        CHECK(same10(num(row.at("latency_max_ms")), static_cast<double>(res.latency.max()) * 1e-6));
        // Samples 1..1000 ms (+ shift): the quantiles are far apart, so a swap cannot pass.
        CHECK(num(row.at("latency_p50_ms")) < 600);
        CHECK(num(row.at("latency_p99_ms")) > 950);
        CHECK(row.at("sessions_started") == std::to_string(res.sessions_started));
        CHECK(row.at("nodes_mean") == "0.3333333333");
        CHECK(same10(num(row.at("cost_usd")), res.cost_usd));
        CHECK(same10(num(row.at("throughput_rps")), 1000.0 / 3));
    }
}

TEST_CASE("a run without successful requests has empty latency cells, not 0") {
    const Scenario sc = scenario({"only"}, 1);
    RunRecord r;
    r.done = true;
    const auto row = read_table(summary_csv(sc, {r})).at(0);
    CHECK(row.at("latency_p99_ms") == "");
    CHECK(row.at("latency_mean_ms") == "");
    CHECK(row.at("requests_ok") == "0");
}

TEST_CASE("timeseries.csv reads back interval values, and an interval without completions has "
          "empty latency") {
    const Scenario sc = scenario({"stateful", "a,\"b\""}, 1);
    const auto records = runs(2, 1);
    const auto rows = read_table(timeseries_csv(sc, records));
    REQUIRE(rows.size() == 4);
    CHECK(rows[2].at("architecture") == "a,\"b\"");
    CHECK(rows[0].at("time_s") == "10");
    CHECK(rows[0].at("arrivals") == "7");
    CHECK(rows[0].at("completions") == "5");
    CHECK(rows[0].at("latency_p50_ms") == "12.5");
    CHECK(rows[0].at("latency_p99_ms") == "99.25");
    CHECK(rows[0].at("utilization") == "0.6666666667");
    CHECK(rows[1].at("time_s") == "20");
    CHECK(rows[1].at("latency_p50_ms") == "");
    CHECK(rows[1].at("latency_p99_ms") == "");
}

TEST_CASE("aggregate.csv: means, Student t CIs, paired differences against the first "
          "architecture") {
    const Scenario sc = scenario({"base", "a,\"b\""}, 3);
    const auto rows = read_table(aggregate_csv(sc, runs(2, 3)));
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].at("architecture") == "base");
    CHECK(rows[1].at("architecture") == "a,\"b\"");
    CHECK(rows[1].at("replications") == "3");
    // cost: base 10, 11, 12; the other +1, +2, +4 in the same replications.
    CHECK(same10(num(rows[0].at("cost_usd_mean")), 11));
    const double t2 = 4.302652729749464; // t(0.975, 2 dof)
    CHECK(same10(num(rows[0].at("cost_usd_ci95")), t2 * 1.0 / std::sqrt(3.0)));
    CHECK(num(rows[0].at("cost_usd_diff")) == 0);
    CHECK(num(rows[0].at("cost_usd_diff_ci95")) == 0);
    CHECK(same10(num(rows[1].at("cost_usd_mean")), 11 + 7.0 / 3));
    CHECK(same10(num(rows[1].at("cost_usd_diff")), 7.0 / 3)); // other minus base: positive
    const double sd = std::sqrt(((1 - 7.0 / 3) * (1 - 7.0 / 3) + (2 - 7.0 / 3) * (2 - 7.0 / 3) +
                                 (4 - 7.0 / 3) * (4 - 7.0 / 3)) /
                                2);
    CHECK(same10(num(rows[1].at("cost_usd_diff_ci95")), t2 * sd / std::sqrt(3.0)));
    // The latency of the other architecture is 10 ms higher in every replication.
    CHECK(std::fabs(num(rows[1].at("latency_p50_ms_diff")) - 10) < 3); // within buckets
    CHECK(same10(num(rows[1].at("latency_p99_ms_mean")), (run(1, 0).result.latency.quantile(0.99) +
                                                          run(1, 1).result.latency.quantile(0.99) +
                                                          run(1, 2).result.latency.quantile(0.99)) *
                                                             1e-6 / 3));
}

TEST_CASE("swept maps are labelled by their flow YAML, quoted in summary.csv and aggregate.csv") {
    const Scenario sc = load_scenario_text(R"(workload: {}
cluster: {}
sweep:
  workload.request.service_time: [10ms, {dist: exponential, mean: 30ms}, {dist: uniform, min: 1ms, max: 5ms}]
)",
                                           "s.yaml");
    const std::vector<std::string> labels = {"10ms", "{dist: exponential, mean: 30ms}",
                                             "{dist: uniform, min: 1ms, max: 5ms}"};
    std::vector<RunRecord> records;
    for (std::size_t p = 0; p < 3; ++p) {
        records.push_back(run(0, 0));
        records.back().point = p;
        REQUIRE(sc.points[p].values.at(0).second == labels[p]);
    }
    const std::string summary = summary_csv(sc, records);
    CHECK(summary.find(",\"{dist: exponential, mean: 30ms}\"\n") != std::string::npos);
    for (const std::string &csv : {summary, aggregate_csv(sc, records)}) {
        const auto rows = read_table(csv);
        REQUIRE(rows.size() == 3);
        for (std::size_t p = 0; p < 3; ++p)
            CHECK(rows[p].at("workload.request.service_time") == labels[p]);
    }
}

TEST_CASE("a CI from one replication is empty in aggregate.csv and n/a in the table") {
    const Scenario sc = scenario({"base", "other"}, 1);
    const auto records = runs(2, 1);
    const auto rows = read_table(aggregate_csv(sc, records));
    REQUIRE(rows.size() == 2);
    for (const auto &row : rows) {
        CHECK(row.at("cost_usd_mean") != "");
        CHECK(row.at("cost_usd_ci95") == "");
        CHECK(row.at("cost_usd_diff_ci95") == "");
    }
    CHECK(rows[1].at("cost_usd_diff") == "1");
    const std::string table = comparison_table(sc, records);
    CHECK(table.find("n/a") != std::string::npos);
    CHECK(table.find("± 0") == std::string::npos);
}

TEST_CASE("counts in the table are grouped integers") {
    const Scenario sc = scenario({"base"}, 1);
    const std::string table = comparison_table(sc, runs(1, 1));
    CHECK(table.find("263\u2009912 ± n/a") != std::string::npos);
    CHECK(table.find("e+05") == std::string::npos);
    const std::string three = comparison_table(sc, runs(1, 3)); // 263912..263914
    CHECK(three.find("263\u2009913 ± 2") != std::string::npos);
}

TEST_CASE("a small count's fractional mean keeps its fraction in the table") {
    // Before: 2 sessions lost in 5 replications printed "0 ± 0.68", as if none were lost.
    const Scenario sc = scenario({"base"}, 5);
    auto records = runs(1, 5);
    records[1].result.sessions_lost = 1;
    records[3].result.sessions_lost = 1;
    const std::string table = comparison_table(sc, records);
    CHECK(table.find("0.4 ± 0.68") != std::string::npos); // t(0.975, 4) x 0.548 / sqrt(5)
    records[0].result.sessions_lost = 1;
    records[2].result.sessions_lost = 2; // mean 1: a whole mean stays whole
    CHECK(comparison_table(sc, records).find("1 ± 0.88") != std::string::npos);
}

TEST_CASE("table cells never switch to exponent notation") {
    // Before: 2.704e+05 for a monthly cost, 2.1e+02 for a p99's half-width.
    CHECK(four_digits(270370.173) == "270\u2009370");
    CHECK(four_digits(1201.4) == "1201");
    CHECK(four_digits(0.0001578) == "0.0001578");
    CHECK(two_digits(213.7) == "210");
    CHECK(two_digits(1549) == "1\u2009500");
    CHECK(two_digits(8.24) == "8.2");
}

TEST_CASE("an interrupted or unfinished run writes no row and counts nowhere") {
    const Scenario sc = scenario({"base"}, 3);
    auto records = runs(1, 3);
    records[1].done = false;
    records[2].result.interrupted = true;
    CHECK(read_table(summary_csv(sc, records)).size() == 1);
    CHECK(read_table(timeseries_csv(sc, records)).size() == 2);
    const auto agg = read_table(aggregate_csv(sc, records));
    REQUIRE(agg.size() == 1);
    CHECK(agg[0].at("replications") == "1");
    CHECK(agg[0].at("cost_usd_mean") == "10");
    records[0].done = false;
    CHECK(read_table(summary_csv(sc, records)).empty());
    CHECK(read_table(aggregate_csv(sc, records)).empty());
}

TEST_CASE("the table says when not every run finished") {
    const Scenario sc = scenario({"base"}, 3);
    const fs::path dir = scratch("partial") / "out";
    auto records = runs(1, 3);
    {
        OutputDir out(dir.string());
        ResultWriter all(sc, out);
        for (const auto &r : records)
            all.add(r);
        CHECK(all.table_text().find("partial:") == std::string::npos);
    }
    records[2].result.interrupted = true;
    {
        OutputDir out(dir.string());
        ResultWriter cut(sc, out);
        for (const auto &r : records)
            cut.add(r);
        CHECK(cut.table_text().find("partial: 2 of 3 runs finished (interrupted)") !=
              std::string::npos);
    }
    fs::remove_all(dir.parent_path());
}

TEST_CASE("the streaming writer writes the same bytes as the whole-experiment functions") {
    const fs::path dir = scratch("stream") / "out";
    const Scenario sc = scenario({"base", "a,\"b\""}, 3);
    auto records = runs(2, 3);
    records[4].done = false;
    records[1].result.events = {{7, MarkedEvent::repair, "node 2", "after 5m"}};
    records[4].result.events = {{8, MarkedEvent::replace, "node 4", ""}}; // unfinished
    {
        OutputDir out(dir.string());
        ResultWriter w(sc, out);
        for (const auto &r : records)
            w.add(r);
        CHECK_FALSE(fs::exists(dir)); // nothing visible before the set is complete
        w.finish();
        CHECK(comparison_table(sc, w.metrics()) == comparison_table(sc, records));
    }
    CHECK(slurp(dir / "summary.csv") == summary_csv(sc, records));
    CHECK(slurp(dir / "timeseries.csv") == timeseries_csv(sc, records));
    CHECK(slurp(dir / "events.csv") == events_csv(sc, records));
    CHECK(slurp(dir / "aggregate.csv") == aggregate_csv(sc, records));
    CHECK(slurp(dir / "resolved.yaml") == sc.resolved_yaml);
    CHECK(slurp(dir / "latency_histogram.csv") == latency_histogram_csv(sc, records));
    const std::string table = slurp(dir / "table.txt");
    CHECK(table.starts_with(comparison_table(sc, records)));
    CHECK(table.find("warning: wide 95% CI") != std::string::npos); // cost_usd 10..14: wide
    CHECK(slurp(dir / "warnings.txt").starts_with("warning: wide 95% CI"));
    for (const auto &e : fs::directory_iterator(dir.parent_path()))
        CHECK(e.path().filename() == "out"); // no staging directory left behind
    fs::remove_all(dir.parent_path());
}

TEST_CASE("a new output set replaces the old one whole, and an uncommitted one changes nothing") {
    const fs::path base = scratch("swap"), dir = base / "out";
    fs::create_directories(dir);
    std::ofstream(dir / "summary.csv") << "old\n";
    std::ofstream(dir / "events.csv") << "old\n";
    std::ofstream(dir / "comparison.png") << "old\n";
    std::ofstream(dir / "resolved.yaml") << "old\n"; // every set statesim writes has it
    {
        OutputDir out(dir.string());
        for (const char *name : {"summary.csv", "resolved.yaml"}) {
            DurableFile f(out.staged(name));
            f.write("new\n");
            f.close();
        }
        CHECK(slurp(dir / "summary.csv") == "old\n"); // untouched until the commit
        out.commit();
    }
    CHECK(slurp(dir / "summary.csv") == "new\n");
    CHECK_FALSE(fs::exists(dir / "events.csv")); // no old file mixed with new ones
    CHECK_FALSE(fs::exists(dir / "comparison.png"));
    {
        OutputDir out(dir.string());
        DurableFile f(out.staged("summary.csv"));
        f.write("newer\n");
    } // an error before commit: the staging directory goes, the old set stays
    CHECK(slurp(dir / "summary.csv") == "new\n");
    std::size_t entries = 0;
    for (const auto &e : fs::directory_iterator(base)) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1);
    fs::remove_all(base);
}

TEST_CASE("an uncommitted set removes the parent directories it created, and only those") {
    const fs::path base = scratch("parents");
    fs::create_directories(base / "kept");
    {
        OutputDir out((base / "kept" / "new" / "deeper" / "out").string());
        CHECK(fs::is_directory(base / "kept" / "new" / "deeper"));
    } // Ctrl-C before any run finished: nothing is written
    CHECK_FALSE(fs::exists(base / "kept" / "new"));
    CHECK(fs::is_directory(base / "kept")); // it was there before
    {
        OutputDir out((base / "kept" / "new" / "deeper" / "out").string());
        std::ofstream(base / "kept" / "new" / "note.txt") << "a user's file\n";
    } // a file put there meanwhile keeps its directory
    CHECK_FALSE(fs::exists(base / "kept" / "new" / "deeper"));
    CHECK(fs::exists(base / "kept" / "new" / "note.txt"));
    {
        OutputDir out((base / "made" / "out").string());
        DurableFile f(out.staged("summary.csv"));
        f.write("x\n");
        f.close();
        out.commit();
    }
    CHECK(fs::exists(base / "made" / "out" / "summary.csv")); // committed: everything stays
    // A dangling symlink where a parent should be is not a parent to create, nor to remove
    // (before, the failed set unlinked it).
    fs::create_directory_symlink(base / "nowhere" / "target", base / "link");
    CHECK_THROWS_AS(OutputDir((base / "link" / "out").string()), OutputError);
    CHECK(fs::is_symlink(fs::symlink_status(base / "link")));
    fs::remove_all(base);
}

TEST_CASE("a set that must keep the existing one goes beside it, into a new directory as usual") {
    // An interrupted rerun: its partial results never replace the previous complete set.
    const fs::path base = scratch("keep"), dir = base / "out";
    fs::create_directories(dir);
    std::ofstream(dir / "summary.csv") << "old\n";
    std::ofstream(dir / "resolved.yaml") << "old\n";
    std::string beside;
    {
        OutputDir out(dir.string());
        DurableFile f(out.staged("summary.csv"));
        f.write("partial\n");
        f.close();
        out.keep_existing();
        out.commit();
        beside = out.written_to();
    }
    CHECK(slurp(dir / "summary.csv") == "old\n");
    CHECK(beside.starts_with(dir.string() + ".partial-"));
    CHECK(slurp(fs::path(beside) / "summary.csv") == "partial\n");
    const fs::path fresh = base / "fresh";
    {
        OutputDir out(fresh.string());
        DurableFile f(out.staged("summary.csv"));
        f.write("partial\n");
        f.close();
        out.keep_existing(); // nothing to keep: the set goes where asked
        out.commit();
        CHECK(out.written_to() == fresh.string());
    }
    CHECK(slurp(fresh / "summary.csv") == "partial\n");
    fs::remove_all(base);
}

TEST_CASE("a user's file that appears during the run is not replaced: the results stay staged") {
    const fs::path base = scratch("appeared"), dir = base / "out";
    fs::create_directories(dir);
    std::ofstream(dir / "summary.csv") << "old\n";
    std::ofstream(dir / "resolved.yaml") << "old\n";
    std::string why;
    {
        OutputDir out(dir.string());
        DurableFile f(out.staged("summary.csv"));
        f.write("new\n");
        f.close();
        std::ofstream(dir / "notes.txt") << "precious"; // written during the run
        try {
            out.commit();
        } catch (const OutputError &e) {
            why = e.what();
        }
    }
    CHECK(why.find("\"notes.txt\", which statesim did not write") != std::string::npos);
    CHECK(slurp(dir / "notes.txt") == "precious");
    CHECK(slurp(dir / "summary.csv") == "old\n");
    // The results are where the message says.
    const std::string staged = why.substr(why.find("the results are in ") + 19);
    CHECK(slurp(fs::path(staged) / "summary.csv") == "new\n");
    fs::remove_all(base);
}

TEST_CASE("an output directory that cannot be written, or holds a user's files, is refused") {
    const fs::path base = scratch("refuse");
    std::ofstream(base / "file") << "x";
    CHECK_THROWS_AS(OutputDir((base / "file" / "out").string()), OutputError);
    CHECK_THROWS_AS(OutputDir((base / "file").string()), OutputError);
    fs::create_directories(base / "mine");
    std::ofstream(base / "mine" / "notes.txt") << "precious";
    std::string why;
    try {
        OutputDir refused((base / "mine").string());
    } catch (const OutputError &e) {
        why = e.what();
    }
    CHECK(why.find("notes.txt") != std::string::npos);
    CHECK(slurp(base / "mine" / "notes.txt") == "precious");
    CHECK(is_output_file("summary.csv"));
    CHECK_FALSE(is_output_file("notes.txt"));
    // Only the plots' own names: a user's picture is not stale output.
    for (const char *plot :
         {"comparison.png", "comparison-point-3.png", "latency_cdf.png", "timeseries-point-1.png",
          "sweep.png", "serverless.png", "workflows.png", ".tmp-123-report.html.png"})
        CHECK(is_output_file(plot));
    for (const char *mine :
         {"photo.png", "fig1-architecture-diagram.png", "comparison-old.png", "sweep.png.bak"})
        CHECK_FALSE(is_output_file(mine));
    // Files merely named like outputs, without the resolved.yaml every set has, are refused.
    fs::create_directories(base / "named");
    std::ofstream(base / "named" / "table.txt") << "mine";
    CHECK_THROWS_AS(OutputDir((base / "named").string()), OutputError);
    std::ofstream(base / "named" / "resolved.yaml") << "name: x\n";
    CHECK_NOTHROW(OutputDir((base / "named").string()));
    fs::remove_all(base);
}

TEST_CASE("two output sets staged at once get distinct temporary names") {
    const fs::path base = scratch("unique");
    OutputDir a((base / "out").string()), b((base / "out").string());
    CHECK(a.staged("x") != b.staged("x"));
    fs::remove_all(base);
}

TEST_CASE("events.csv reads back each run's marked events: columns in order, quoted fields") {
    const Scenario sc = scenario({"stateful", "a,\"b\""}, 2);
    auto records = runs(2, 2);
    records[0].result.events = {
        {12.5, MarkedEvent::kill, "node 3", "sessions lost 312"},
        {60, MarkedEvent::scale_out, "group", "desired 4->6, \"fast\""},
        {60, MarkedEvent::store_down, "store shard 1", ""}, // same time: kept in order
    };
    records[3].result.events = {{1.0 / 3, MarkedEvent::zone_up, "zone 2", "rebalance"}};
    records[2].result.events = {{5, MarkedEvent::terminate, "node 1", ""}};
    records[2].done = false; // an unfinished run lists nothing
    const std::string text = events_csv(sc, records);
    const auto raw = parse_csv(text);
    REQUIRE(!raw.empty());
    CHECK(raw[0] == std::vector<std::string>{"point", "architecture", "replication", "time_s",
                                             "event", "target", "detail"});
    const auto rows = read_table(text);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].at("architecture") == "stateful");
    CHECK(rows[0].at("replication") == "0");
    CHECK(rows[0].at("time_s") == "12.5");
    CHECK(rows[0].at("event") == "kill");
    CHECK(rows[0].at("target") == "node 3");
    CHECK(rows[0].at("detail") == "sessions lost 312");
    CHECK(rows[1].at("event") == "scale_out");
    CHECK(rows[1].at("detail") == "desired 4->6, \"fast\"");
    CHECK(rows[2].at("event") == "store_down");
    CHECK(rows[2].at("target") == "store shard 1");
    CHECK(rows[2].at("detail") == "");
    CHECK(rows[3].at("point") == "0");
    CHECK(rows[3].at("architecture") == "a,\"b\"");
    CHECK(rows[3].at("replication") == "1");
    CHECK(rows[3].at("time_s") == "0.3333333333");
    CHECK(rows[3].at("event") == "zone_up");
    CHECK(text.find("\"desired 4->6, \"\"fast\"\"\"") != std::string::npos); // RFC 4180
    // Every event name of SPEC §3, then ours.
    const std::vector<std::string> spec = {"kill",     "repair",       "replace",     "zone_down",
                                           "zone_up",  "store_down",   "store_up",    "scale_out",
                                           "scale_in", "deploy_batch", "drain_start", "terminate",
                                           "unhealthy"};
    REQUIRE(spec.size() == kMarkedEventNames.size());
    for (std::size_t i = 0; i < spec.size(); ++i)
        CHECK(spec[i] == name_of(static_cast<MarkedEvent>(i)));
}

TEST_CASE("summary.csv has every loss cause, availability and scale events, timeseries the "
          "fleet's desired and draining nodes") {
    const Scenario sc = scenario({"base"}, 1);
    auto r = run(0, 0);
    for (std::size_t c = 0; c < r.result.lost_by_cause.size(); ++c)
        r.result.lost_by_cause[c] = 100 + c;
    r.result.availability = 0.75;
    r.result.scale_out_events = 3;
    r.result.scale_in_events = 2;
    r.result.timeseries[1].nodes_desired = 6;
    r.result.timeseries[1].nodes_draining = 1;
    const auto row = read_table(summary_csv(sc, {r})).at(0);
    REQUIRE(kLossCauseNames.size() == 8);
    for (std::size_t c = 0; c < kLossCauseNames.size(); ++c)
        CHECK(row.at(std::string("lost_") + kLossCauseNames[c]) == std::to_string(100 + c));
    CHECK(row.at("lost_scale_in") == "104");
    CHECK(row.at("lost_env_reclaimed") == "107");
    CHECK(row.at("availability") == "0.75");
    CHECK(row.at("scale_out_events") == "3");
    CHECK(row.at("scale_in_events") == "2");
    const auto agg = read_table(aggregate_csv(sc, {r})).at(0);
    CHECK(agg.at("availability_mean") == "0.75");
    CHECK(agg.at("scale_in_events_mean") == "2");
    CHECK(agg.at("lost_store_failure_mean") == "106");
    const auto ts = read_table(timeseries_csv(sc, {r}));
    REQUIRE(ts.size() == 2);
    CHECK(ts[0].at("nodes_desired") == "0");
    CHECK(ts[1].at("nodes_desired") == "6");
    CHECK(ts[1].at("nodes_draining") == "1");
}

TEST_CASE("the table shows availability, scale events and loss causes only when remarkable") {
    const Scenario sc = scenario({"base", "other"}, 1);
    auto records = runs(2, 1);
    for (auto &r : records)
        r.result.availability = 1;
    const auto has = [](const std::string &table, const std::string &label) {
        return table.find("\n" + label + " ") != std::string::npos;
    };
    std::string table = comparison_table(sc, records);
    CHECK_FALSE(has(table, "availability"));
    CHECK_FALSE(has(table, "scale_out_events"));
    CHECK_FALSE(has(table, "scale_in_events"));
    CHECK_FALSE(has(table, "lost_scale_in"));
    CHECK(has(table, "sessions_lost"));
    records[1].result.availability = 0.9987;
    records[1].result.scale_in_events = 4;
    records[1].result.lost_by_cause[static_cast<std::size_t>(LossCause::scale_in)] = 5;
    table = comparison_table(sc, records);
    CHECK(has(table, "availability"));
    CHECK(table.find("0.9987") != std::string::npos);
    CHECK_FALSE(has(table, "scale_out_events"));
    CHECK(has(table, "scale_in_events"));
    CHECK(has(table, "lost_scale_in"));
    CHECK_FALSE(has(table, "lost_deployment"));
}

namespace {

// The README's "Outputs" bullet of `file` (from "- `file` —" to the next bullet).
std::string readme_bullet(const std::string &file) {
    const std::string readme = slurp(fs::path(STATESIM_SOURCE_DIR) / "README.md");
    const std::size_t begin = readme.find("\n- `" + file + "` —");
    REQUIRE_MESSAGE(begin != std::string::npos, "README has no bullet for " << file);
    const std::size_t end = readme.find("\n- ", begin + 1);
    return readme.substr(begin, end - begin);
}

} // namespace

TEST_CASE("README defines timeseries.csv's counts, per interval") {
    const std::string ts = readme_bullet("timeseries.csv");
    std::stringstream header(timeseries_header());
    for (std::string column; std::getline(header, column, ',');) {
        if (!column.empty() && column.back() == '\n') column.pop_back();
        CAPTURE(column);
        CHECK(ts.find(column) != std::string::npos);
    }
    // Defined one by one, not only listed.
    for (const char *count : {"`arrivals` the", "`completions` the", "`failures` the"}) {
        CAPTURE(count);
        CHECK(ts.find(count) != std::string::npos);
    }
    CHECK(ts.find("counts per interval, not per second") != std::string::npos);
}

TEST_CASE("README names every column that identifies a row, and events.csv's group target") {
    const Scenario sc = scenario({"base"}, 1);
    const std::string summary = readme_bullet("summary.csv");
    std::stringstream header(summary_header(sc));
    std::string column;
    for (int i = 0; i < 5 && std::getline(header, column, ','); ++i) {
        CAPTURE(column); // scenario, point, architecture, replication, seed
        CHECK(summary.find("`" + column + "`") != std::string::npos);
    }
    const std::string aggregate = readme_bullet("aggregate.csv");
    CHECK(aggregate.find("`scenario, point, architecture`") != std::string::npos);
    CHECK(aggregate.find("`replications`") != std::string::npos);
    CHECK(readme_bullet("events.csv").find("`group` (the node group") != std::string::npos);
}
