#include "statesim/output/writers.hpp"

#include "statesim/output/slo.hpp"
#include "statesim/output/table.hpp"

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

std::string latency_histogram_header() {
    return "point,architecture,bucket_low_ms,bucket_high_ms,count\n";
}

std::string latency_histogram_rows(const Scenario &sc, std::size_t point, std::size_t arch,
                                   const Histogram &merged) {
    const auto &name = sc.points[point].architectures[arch].name;
    std::string out;
    for (int b = 0; b < Histogram::buckets(); ++b)
        if (merged.count_in(b) > 0)
            out += fmt::format("{},{},{},{},{}\n", point, csv_field(name),
                               format_number(Histogram::bucket_low(b) / 1e6),
                               format_number(Histogram::bucket_high(b) / 1e6), merged.count_in(b));
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

std::string latency_histogram_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    std::string out = latency_histogram_header();
    for (std::size_t p = 0; p < sc.points.size(); ++p)
        for (std::size_t a = 0; a < sc.points[p].architectures.size(); ++a) {
            Histogram merged;
            for (const auto &r : runs)
                if (finished(r) && r.point == p && r.architecture == a)
                    merged.merge(r.result.latency);
            out += latency_histogram_rows(sc, p, a, merged);
        }
    return out;
}

std::string comparison_table(const Scenario &sc, const std::vector<RunRecord> &runs) {
    return comparison_table(sc, metrics_of(sc, runs));
}

ResultWriter::ResultWriter(const Scenario &sc, OutputDir &out)
    : sc_(sc), out_(out), summary_(out.staged("summary.csv")),
      timeseries_(out.staged("timeseries.csv")), events_(out.staged("events.csv")), metrics_(sc) {
    for (const auto &p : sc.points)
        latency_.emplace_back(p.architectures.size());
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
    if (!finished(r)) return;
    ++finished_;
    latency_.at(r.point).at(r.architecture).merge(r.result.latency);
}

void ResultWriter::attach(const std::string &name, const std::string &text) {
    attached_.emplace_back(name, text);
}

std::string ResultWriter::table_text() const {
    std::string text =
        comparison_table(sc_, metrics_) + precision_block(precision_warnings(sc_, metrics_));
    std::size_t runs = 0;
    for (const auto &p : sc_.points)
        runs += p.architectures.size() * static_cast<std::size_t>(sc_.replications);
    if (finished_ < runs)
        text += fmt::format("\npartial: {} of {} runs finished (interrupted); each figure is over "
                            "the replications that finished (aggregate.csv: `replications`)\n",
                            finished_, runs);
    return text;
}

void ResultWriter::finish() {
    summary_.close();
    timeseries_.close();
    events_.close();
    if (trace_) trace_->close();
    DurableFile aggregate(out_.staged("aggregate.csv"));
    aggregate.write(aggregate_csv(sc_, metrics_));
    aggregate.close();
    std::string histogram = latency_histogram_header();
    for (std::size_t p = 0; p < latency_.size(); ++p)
        for (std::size_t a = 0; a < latency_[p].size(); ++a)
            histogram += latency_histogram_rows(sc_, p, a, latency_[p][a]);
    // A sweep's table is the pivot: table.txt adds every point's side-by-side detail.
    std::string table = table_text();
    if (sc_.points.size() > 1) table.append("\n").append(point_tables(sc_, metrics_));
    std::string warnings;
    for (const auto &w : sc_.warnings)
        warnings += w + "\n";
    for (const auto &w : precision_warnings(sc_, metrics_))
        warnings += "warning: " + w + "\n";
    std::vector<std::pair<std::string, std::string>> files = {{"latency_histogram.csv", histogram},
                                                              {"table.txt", table},
                                                              {"warnings.txt", warnings},
                                                              {"resolved.yaml", sc_.resolved_yaml}};
    files.insert(files.end(), attached_.begin(), attached_.end());
    for (const auto &[name, text] : files) {
        DurableFile f(out_.staged(name));
        f.write(text);
        f.close();
    }
    out_.commit();
}

} // namespace statesim
