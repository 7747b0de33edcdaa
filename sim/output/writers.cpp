#include "statesim/output/writers.hpp"

#include "statesim/output/slo.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "statesim/output/metrics.hpp"
#include "statesim/stats/confidence.hpp"

namespace statesim {
namespace {

std::string sweep_header(const Scenario &sc) {
    std::string out;
    for (const auto &k : sc.sweep_keys)
        out.append(",").append(csv_field(k));
    return out;
}

std::string sweep_values(const Scenario &sc, std::size_t point) {
    std::string out;
    for (const auto &[k, v] : sc.points[point].values)
        out.append(",").append(csv_field(v));
    return out;
}

// A confidence half-width needs two samples: with fewer it is undefined (an empty cell).
std::string half_width_cell(const Estimate &e) {
    return e.n < 2 ? std::string() : format_number(e.half_width);
}

// 263912 -> "263 912" with thin spaces: counts in the table read as counts.
std::string grouped(double v) {
    const auto n = static_cast<long long>(std::llround(v));
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u2009";
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

// One table cell: mean ± half-width; `n/a` for an undefined half-width (one replication).
std::string table_cell(const Metric &m, const std::vector<double> &v) {
    if (v.empty()) return "-";
    Estimate e = estimate(v);
    if (!std::isfinite(e.mean)) return "n/a";
    if (e.half_width < 1e-9 * std::fabs(e.mean))
        e.half_width = 0; // rounding noise of identical replications
    const bool whole_hw = m.count && (e.half_width >= 1 || e.half_width == 0);
    const std::string mean = m.count ? grouped(e.mean) : fmt::format("{:.4g}", e.mean);
    const std::string hw = e.n < 2    ? std::string("n/a")
                           : whole_hw ? grouped(e.half_width)
                                      : fmt::format("{:.2g}", e.half_width);
    return mean + " ± " + hw;
}

} // namespace

bool finished(const RunRecord &r) {
    return r.done && !r.result.interrupted;
}

std::string format_number(double v) {
    if (std::isnan(v)) return "";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
    return fmt::format("{:.10g}", v);
}

std::string csv_field(const std::string &s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        out += c;
        if (c == '"') out += c; // doubled
    }
    out += '"';
    return out;
}

std::string summary_header(const Scenario &sc) {
    std::string out = "scenario,point,architecture,replication,seed";
    for (const auto &m : metrics())
        out.append(",").append(m.name);
    return out + sweep_header(sc) + "\n";
}

std::string summary_rows(const Scenario &sc, const RunRecord &r) {
    if (!finished(r)) return "";
    const auto &arch = sc.points[r.point].architectures[r.architecture];
    std::string out = fmt::format("{},{},{},{},{}", csv_field(sc.name), r.point,
                                  csv_field(arch.name), r.replication, r.seed);
    for (const auto &m : metrics())
        out.append(",").append(format_number(m.value(r.result)));
    return out + sweep_values(sc, r.point) + "\n";
}

std::string timeseries_header() {
    return "point,architecture,replication,time_s,arrivals,completions,failures,"
           "latency_p50_ms,latency_p99_ms,nodes_in_service,nodes_booting,utilization,"
           "sessions_active,sessions_lost_total,store_throttles,nodes_desired,nodes_draining,"
           "environments\n";
}

std::string timeseries_rows(const Scenario &sc, const RunRecord &r) {
    if (!finished(r)) return "";
    const auto &name = sc.points[r.point].architectures[r.architecture].name;
    std::string out;
    for (const auto &t : r.result.timeseries) {
        // An interval without completions has no latency: empty cells, never 0 (SPEC §3).
        const bool any = t.completions > 0;
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.point,
                           csv_field(name), r.replication, format_number(t.time_s), t.arrivals,
                           t.completions, t.failures, any ? format_number(t.latency_p50_ms) : "",
                           any ? format_number(t.latency_p99_ms) : "", t.nodes_in_service,
                           t.nodes_booting, format_number(t.utilization), t.sessions_active,
                           t.sessions_lost_total, t.store_throttles, t.nodes_desired,
                           t.nodes_draining, t.environments);
    }
    return out;
}

std::string events_header() {
    return "point,architecture,replication,time_s,event,target,detail\n";
}

std::string events_rows(const Scenario &sc, const RunRecord &r) {
    if (!finished(r)) return "";
    const auto &name = sc.points[r.point].architectures[r.architecture].name;
    // The recorder lists them as they happen; a stable sort keeps same-time events in that order.
    std::vector<const EventRow *> rows;
    for (const auto &e : r.result.events)
        rows.push_back(&e);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const EventRow *a, const EventRow *b) { return a->time_s < b->time_s; });
    std::string out;
    for (const EventRow *e : rows)
        out += fmt::format("{},{},{},{},{},{},{}\n", r.point, csv_field(name), r.replication,
                           format_number(e->time_s), name_of(e->what), csv_field(e->target),
                           csv_field(e->detail));
    return out;
}

RunMetrics::RunMetrics(const Scenario &sc) {
    for (const auto &p : sc.points)
        runs_.emplace_back(p.architectures.size());
}

void RunMetrics::add(const RunRecord &r) {
    if (!finished(r)) return;
    Runs &mine = runs_.at(r.point).at(r.architecture);
    // Replications arrive in order; a stray one is inserted where it belongs all the same.
    const auto pos =
        std::upper_bound(mine.replications.begin(), mine.replications.end(), r.replication) -
        mine.replications.begin();
    mine.replications.insert(mine.replications.begin() + pos, r.replication);
    std::vector<double> row;
    for (const auto &m : metrics())
        row.push_back(m.value(r.result));
    mine.values.insert(mine.values.begin() + pos * static_cast<std::ptrdiff_t>(row.size()),
                       row.begin(), row.end());
}

const RunMetrics::Runs &RunMetrics::runs(std::size_t point, std::size_t arch) const {
    return runs_.at(point).at(arch);
}

std::size_t RunMetrics::replications(std::size_t point, std::size_t arch) const {
    return runs(point, arch).replications.size();
}

std::vector<double> RunMetrics::values(std::size_t point, std::size_t arch, std::size_t m) const {
    const Runs &r = runs(point, arch);
    const std::size_t width = metrics().size();
    std::vector<double> out;
    for (std::size_t i = 0; i < r.replications.size(); ++i)
        out.push_back(r.values[i * width + m]);
    return out;
}

std::vector<double> RunMetrics::paired_diffs(std::size_t point, std::size_t arch,
                                             std::size_t m) const {
    const Runs &mine = runs(point, arch), &base = runs(point, 0);
    const std::size_t width = metrics().size();
    std::vector<double> out;
    for (std::size_t i = 0; i < mine.replications.size(); ++i) {
        const auto it = std::lower_bound(base.replications.begin(), base.replications.end(),
                                         mine.replications[i]);
        if (it == base.replications.end() || *it != mine.replications[i]) continue;
        const auto j = static_cast<std::size_t>(it - base.replications.begin());
        out.push_back(mine.values[i * width + m] - base.values[j * width + m]);
    }
    return out;
}

std::string aggregate_csv(const Scenario &sc, const RunMetrics &rm) {
    std::string out = "scenario,point,architecture,replications";
    for (const auto &m : metrics())
        out += fmt::format(",{0}_mean,{0}_ci95,{0}_diff,{0}_diff_ci95", m.name);
    if (!sc.slo.empty()) out += ",slo_pass";
    out += sweep_header(sc) + "\n";
    for (std::size_t p = 0; p < sc.points.size(); ++p)
        for (std::size_t a = 0; a < sc.points[p].architectures.size(); ++a) {
            const std::size_t n = rm.replications(p, a);
            if (n == 0) continue;
            out += fmt::format("{},{},{},{}", csv_field(sc.name), p,
                               csv_field(sc.points[p].architectures[a].name), n);
            for (std::size_t m = 0; m < metrics().size(); ++m) {
                const Estimate e = estimate(rm.values(p, a, m));
                const std::vector<double> diffs = rm.paired_diffs(p, a, m);
                const Estimate d = estimate(diffs);
                out += fmt::format(",{},{},{},{}", format_number(e.mean), half_width_cell(e),
                                   diffs.empty() ? "" : format_number(d.mean), half_width_cell(d));
            }
            if (!sc.slo.empty()) out += passes_all(judge_slo(sc, rm, p, a)) ? ",1" : ",0";
            out += sweep_values(sc, p) + "\n";
        }
    return out;
}

// The slo: objectives under the table: pass / FAIL per architecture (`pass*`: one replication,
// judged on the mean), all of them, and the cheapest architecture that passes every one.
static std::string slo_rows(const Scenario &sc, const RunMetrics &rm, std::size_t p, int label,
                            int col) {
    if (sc.slo.empty()) return "";
    const auto &archs = sc.points[p].architectures;
    std::vector<std::vector<SloVerdict>> verdicts;
    for (std::size_t a = 0; a < archs.size(); ++a)
        verdicts.push_back(judge_slo(sc, rm, p, a));
    auto cell = [](bool pass, bool mean_only) {
        return std::string(pass ? "pass" : "FAIL") + (mean_only ? "*" : "");
    };
    std::string out;
    bool mean_only = false;
    for (std::size_t i = 0; i < sc.slo.size(); ++i) {
        const Slo &slo = sc.slo[i];
        std::string row = fmt::format(
            "{:<{}}", fmt::format("slo {} {} {}", slo.key, slo.at_least ? ">=" : "<=", slo.text),
            label);
        for (std::size_t a = 0; a < archs.size(); ++a) {
            row += fmt::format("{:>{}}", cell(verdicts[a][i].pass, verdicts[a][i].mean_only), col);
            mean_only = mean_only || verdicts[a][i].mean_only;
        }
        out += row + "\n";
    }
    std::string row = fmt::format("{:<{}}", "slo (all)", label);
    for (std::size_t a = 0; a < archs.size(); ++a)
        row += fmt::format("{:>{}}", cell(passes_all(verdicts[a]), false), col);
    out += row + "\n";
    const int best = cheapest_passing(sc, rm, p);
    out += best < 0 ? "no architecture passes every slo\n"
                    : fmt::format("cheapest passing every slo: {}\n",
                                  archs[static_cast<std::size_t>(best)].name);
    if (mean_only) out += "* one replication: judged on the mean, no confidence interval\n";
    return out;
}

std::string comparison_table(const Scenario &sc, const RunMetrics &rm) {
    std::string out;
    for (std::size_t p = 0; p < sc.points.size(); ++p) {
        const auto &archs = sc.points[p].architectures;
        out +=
            fmt::format("\n{}{}{}\n", sc.name, sc.description.empty() ? "" : " — ", sc.description);
        if (!sc.points[p].values.empty()) {
            out += fmt::format("point {}:", p);
            for (const auto &[k, v] : sc.points[p].values)
                out += fmt::format(" {}={}", k, v);
            out += "\n";
        }
        std::size_t reps = 0;
        for (std::size_t a = 0; a < archs.size(); ++a)
            reps = std::max(reps, rm.replications(p, a));
        out += fmt::format("mean ± 95% CI over {} replication(s)\n", reps);
        // The label column fits the longest metric name shown (workflows_lost_node_failure).
        constexpr int kCol = 24;
        std::size_t label = 0;
        for (const Metric &metric : metrics())
            if (metric.in_table) label = std::max(label, metric.name.size() + 1);
        const int kLabel = static_cast<int>(label);
        out += fmt::format("{:<{}}", "", kLabel);
        for (const auto &a : archs)
            out += fmt::format("{:>{}}", a.name.substr(0, kCol - 1), kCol);
        out += "\n";
        for (std::size_t m = 0; m < metrics().size(); ++m) {
            const Metric &metric = metrics()[m];
            if (!metric.in_table) continue;
            std::string row = fmt::format("{:<{}}", metric.name, kLabel);
            bool unremarkable = !std::isnan(metric.unremarkable);
            for (std::size_t a = 0; a < archs.size(); ++a) {
                const std::vector<double> v = rm.values(p, a, m);
                unremarkable = unremarkable && std::all_of(v.begin(), v.end(), [&](double x) {
                                   return x == metric.unremarkable;
                               });
                row += fmt::format("{:>{}}", table_cell(metric, v), kCol);
            }
            // Loss causes that never happened, full availability, no scaling: only clutter.
            if (!unremarkable) out += row + "\n";
        }
        out += slo_rows(sc, rm, p, kLabel, kCol);
    }
    return out;
}

namespace {
RunMetrics metrics_of(const Scenario &sc, const std::vector<RunRecord> &runs) {
    RunMetrics m(sc);
    for (const auto &r : runs)
        m.add(r);
    return m;
}
} // namespace

std::string summary_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    std::string out = summary_header(sc);
    for (const auto &r : runs)
        out += summary_rows(sc, r);
    return out;
}

std::string aggregate_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    return aggregate_csv(sc, metrics_of(sc, runs));
}

std::string timeseries_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    std::string out = timeseries_header();
    for (const auto &r : runs)
        out += timeseries_rows(sc, r);
    return out;
}

std::string events_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    std::string out = events_header();
    for (const auto &r : runs)
        out += events_rows(sc, r);
    return out;
}

std::string comparison_table(const Scenario &sc, const std::vector<RunRecord> &runs) {
    return comparison_table(sc, metrics_of(sc, runs));
}

ResultWriter::ResultWriter(const Scenario &sc, OutputDir &out)
    : sc_(sc), out_(out), summary_(out.staged("summary.csv")),
      timeseries_(out.staged("timeseries.csv")), events_(out.staged("events.csv")), metrics_(sc) {
    summary_.write(summary_header(sc));
    timeseries_.write(timeseries_header());
    events_.write(events_header());
}

void ResultWriter::add(const RunRecord &r) {
    summary_.write(summary_rows(sc_, r));
    timeseries_.write(timeseries_rows(sc_, r));
    events_.write(events_rows(sc_, r));
    if (trace_) trace_->add(r);
    metrics_.add(r);
}

void ResultWriter::finish() {
    summary_.close();
    timeseries_.close();
    events_.close();
    if (trace_) trace_->close();
    DurableFile aggregate(out_.staged("aggregate.csv"));
    aggregate.write(aggregate_csv(sc_, metrics_));
    aggregate.close();
    DurableFile resolved(out_.staged("resolved.yaml"));
    resolved.write(sc_.resolved_yaml);
    resolved.close();
    out_.commit();
}

} // namespace statesim
