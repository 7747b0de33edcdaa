#include "statesim/output/writers.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "statesim/output/metrics.hpp"
#include "statesim/stats/confidence.hpp"

namespace statesim {
namespace {

// Quotes a CSV field when it holds a separator, a quote or a line break.
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

// Finished runs of one (point, architecture), indexed by replication.
std::map<int, const RunResult *> runs_of(const std::vector<RunRecord> &runs, std::size_t point,
                                         std::size_t arch) {
    std::map<int, const RunResult *> out;
    for (const auto &r : runs)
        if (r.done && r.point == point && r.architecture == arch) out[r.replication] = &r.result;
    return out;
}

} // namespace

std::string format_number(double v) {
    if (!std::isfinite(v)) return "nan";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
    return fmt::format("{:.10g}", v);
}

std::string summary_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    std::string out = "scenario,point,architecture,replication,seed";
    for (const auto &m : metrics())
        out.append(",").append(m.name);
    out += sweep_header(sc) + "\n";
    for (const auto &r : runs) {
        if (!r.done) continue;
        const auto &arch = sc.points[r.point].architectures[r.architecture];
        out += fmt::format("{},{},{},{},{}", csv_field(sc.name), r.point, csv_field(arch.name),
                           r.replication, r.seed);
        for (const auto &m : metrics())
            out.append(",").append(format_number(m.value(r.result)));
        out += sweep_values(sc, r.point) + "\n";
    }
    return out;
}

std::string aggregate_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    std::string out = "scenario,point,architecture,replications";
    for (const auto &m : metrics())
        out += fmt::format(",{0}_mean,{0}_ci95,{0}_diff,{0}_diff_ci95", m.name);
    out += sweep_header(sc) + "\n";
    for (std::size_t p = 0; p < sc.points.size(); ++p) {
        const auto baseline = runs_of(runs, p, 0);
        for (std::size_t a = 0; a < sc.points[p].architectures.size(); ++a) {
            const auto mine = runs_of(runs, p, a);
            if (mine.empty()) continue;
            out += fmt::format("{},{},{},{}", csv_field(sc.name), p,
                               csv_field(sc.points[p].architectures[a].name), mine.size());
            for (const auto &m : metrics()) {
                std::vector<double> values, diffs;
                for (const auto &[rep, res] : mine) {
                    values.push_back(m.value(*res));
                    if (auto it = baseline.find(rep); it != baseline.end())
                        diffs.push_back(m.value(*res) - m.value(*it->second));
                }
                const Estimate e = estimate(values), d = estimate(diffs);
                out +=
                    fmt::format(",{},{},{},{}", format_number(e.mean), format_number(e.half_width),
                                format_number(d.mean), format_number(d.half_width));
            }
            out += sweep_values(sc, p) + "\n";
        }
    }
    return out;
}

std::string timeseries_csv(const Scenario &sc, const std::vector<RunRecord> &runs) {
    std::string out = "point,architecture,replication,time_s,arrivals,completions,failures,"
                      "latency_p50_ms,latency_p99_ms,nodes_in_service,nodes_booting,utilization,"
                      "sessions_active,sessions_lost_total,store_throttles\n";
    for (const auto &r : runs) {
        if (!r.done) continue;
        const auto &name = sc.points[r.point].architectures[r.architecture].name;
        for (const auto &t : r.result.timeseries)
            out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.point,
                               csv_field(name), r.replication, format_number(t.time_s), t.arrivals,
                               t.completions, t.failures, format_number(t.latency_p50_ms),
                               format_number(t.latency_p99_ms), t.nodes_in_service, t.nodes_booting,
                               format_number(t.utilization), t.sessions_active,
                               t.sessions_lost_total, t.store_throttles);
    }
    return out;
}

std::string comparison_table(const Scenario &sc, const std::vector<RunRecord> &runs) {
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
        std::vector<std::map<int, const RunResult *>> per_arch;
        std::size_t reps = 0;
        for (std::size_t a = 0; a < archs.size(); ++a) {
            per_arch.push_back(runs_of(runs, p, a));
            reps = std::max(reps, per_arch.back().size());
        }
        out += fmt::format("mean ± 95% CI over {} replication(s)\n", reps);
        constexpr int kLabel = 22, kCol = 24;
        out += fmt::format("{:<{}}", "", kLabel);
        for (const auto &a : archs)
            out += fmt::format("{:>{}}", a.name.substr(0, kCol - 1), kCol);
        out += "\n";
        for (const auto &m : metrics()) {
            if (!m.in_table) continue;
            std::string row = fmt::format("{:<{}}", m.name, kLabel);
            bool any = false;
            for (std::size_t a = 0; a < archs.size(); ++a) {
                std::vector<double> v;
                for (const auto &[rep, res] : per_arch[a])
                    v.push_back(m.value(*res));
                Estimate e = estimate(v);
                if (e.half_width < 1e-9 * std::fabs(e.mean))
                    e.half_width = 0; // rounding noise of identical replications
                any = any || e.mean != 0;
                const std::string cell = v.empty()
                                             ? std::string("-")
                                             : fmt::format("{:.4g} ± {:.2g}", e.mean, e.half_width);
                row += fmt::format("{:>{}}", cell, kCol);
            }
            // Loss causes that never happened only clutter the table.
            if (any || !m.name.starts_with("lost_")) out += row + "\n";
        }
    }
    return out;
}

} // namespace statesim
