#include "statesim/output/table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "statesim/output/metrics.hpp"
#include "statesim/output/slo.hpp"
#include "statesim/stats/confidence.hpp"

namespace statesim {

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

// 4 significant digits, but never an exponent from 10 000 up (a monthly cost of 270 370 USD, not
// 2.704e+05): whole and grouped there.
std::string four_digits(double v) {
    return std::fabs(v) >= 1e4 ? grouped(v) : fmt::format("{:.4g}", v);
}

// A half-width to 2 significant digits, never an exponent from 100 up (210, not 2.1e+02).
std::string two_digits(double hw) {
    if (hw < 100) return fmt::format("{:.2g}", hw);
    const double unit = std::pow(10.0, std::floor(std::log10(hw)) - 1);
    return grouped(std::round(hw / unit) * unit);
}

namespace {

// One table cell: mean ± half-width; `n/a` for an undefined half-width (one replication).
std::string table_cell(const Metric &m, const std::vector<double> &v) {
    if (v.empty()) return "-";
    Estimate e = estimate(v);
    if (!std::isfinite(e.mean)) return "n/a";
    if (e.half_width < 1e-9 * std::fabs(e.mean))
        e.half_width = 0; // rounding noise of identical replications
    const bool whole_hw = m.count && (e.half_width >= 1 || e.half_width == 0);
    // A count's mean over replications is whole when large; a small fractional one keeps its
    // fraction (0.4 lost sessions is not 0).
    const bool whole_mean = std::fabs(e.mean) >= 10 || e.mean == std::round(e.mean);
    const std::string mean = !m.count     ? four_digits(e.mean)
                             : whole_mean ? grouped(e.mean)
                                          : fmt::format("{:.3g}", e.mean);
    const std::string hw = e.n < 2    ? std::string("n/a")
                           : whole_hw ? grouped(e.half_width)
                                      : two_digits(e.half_width);
    return mean + " ± " + hw;
}

bool mean_only_any(const std::vector<SloVerdict> &v) {
    return std::any_of(v.begin(), v.end(), [](const SloVerdict &x) { return x.mean_only; });
}

// An objective's row label: `slo cost_per_month_usd <= 219`.
std::string slo_label(const Slo &slo) {
    return fmt::format("slo {} {} {}", slo.key, slo.at_least ? ">=" : "<=", slo_limit_text(slo));
}

// The slo: objectives under the table: pass / FAIL per architecture (`pass*`: one replication,
// judged on the mean), all of them, and the cheapest architecture that passes every one.
std::string slo_rows(const Scenario &sc, const RunMetrics &rm, std::size_t p, int label,
                     const std::vector<int> &col) {
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
        std::string row = fmt::format("{:<{}}", slo_label(slo), label);
        for (std::size_t a = 0; a < archs.size(); ++a) {
            row +=
                fmt::format("{:>{}}", cell(verdicts[a][i].pass, verdicts[a][i].mean_only), col[a]);
            mean_only = mean_only || verdicts[a][i].mean_only;
        }
        out += row + "\n";
    }
    // Every objective judged on the mean (one replication): so is their conjunction.
    std::string row = fmt::format("{:<{}}", "slo (all)", label);
    for (std::size_t a = 0; a < archs.size(); ++a)
        row += fmt::format("{:>{}}", cell(passes_all(verdicts[a]), mean_only_any(verdicts[a])),
                           col[a]);
    out += row + "\n";
    const int best = cheapest_passing(sc, rm, p);
    out += best < 0 ? "no architecture passes every slo\n"
                    : fmt::format("cheapest passing every slo: {}\n",
                                  archs[static_cast<std::size_t>(best)].name);
    if (mean_only) out += "* one replication: judged on the mean, no confidence interval\n";
    return out;
}

std::size_t metric_index(const std::string &name) {
    const auto &all = metrics();
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].name == name) return i;
    return all.size();
}

// The pivot's column group of one architecture: the headline metrics a decision weighs, then
// every metric an slo judges.
std::vector<std::size_t> pivot_metrics(const Scenario &sc) {
    std::vector<std::size_t> out;
    auto add = [&](const std::string &name) {
        const std::size_t m = metric_index(name);
        if (m < metrics().size() && std::find(out.begin(), out.end(), m) == out.end())
            out.push_back(m);
    };
    for (const char *name : {"lost_session_pct", "latency_p99_ms", "cost_per_month_usd"})
        add(name);
    for (const Slo &slo : sc.slo)
        add(slo.metric);
    return out;
}

std::string pivot_table(const Scenario &sc, const RunMetrics &rm) {
    const std::vector<std::size_t> shown = pivot_metrics(sc);
    const bool slo = !sc.slo.empty();
    std::size_t reps = 0;
    for (std::size_t p = 0; p < sc.points.size(); ++p)
        for (std::size_t a = 0; a < sc.points[p].architectures.size(); ++a)
            reps = std::max(reps, rm.replications(p, a));
    std::string out =
        fmt::format("\n{}{}{}\n", sc.name, sc.description.empty() ? "" : " — ", sc.description);
    out += fmt::format("sweep of {} points: mean ± 95% CI over {} replication(s), one column "
                       "group per architecture{}\n",
                       sc.points.size(), reps,
                       slo ? "; slo: pass only when the whole interval passes" : "");
    // Column widths: a swept key's values, a metric's name or its widest cell.
    std::vector<std::size_t> key_width;
    for (const auto &k : sc.sweep_keys)
        key_width.push_back(k.size());
    std::vector<std::vector<std::string>> lines; // one per point: every cell in order
    bool mean_only = false;                      // a verdict of one replication (pass*)
    std::vector<std::size_t> width;
    const auto &archs0 = sc.points.front().architectures;
    for (std::size_t a = 0; a < archs0.size(); ++a) {
        for (std::size_t m : shown)
            width.push_back(metrics()[m].name.size());
        if (slo) width.push_back(4);
    }
    for (std::size_t p = 0; p < sc.points.size(); ++p) {
        std::vector<std::string> cells;
        const auto &archs = sc.points[p].architectures;
        for (std::size_t a = 0; a < archs.size() && a < archs0.size(); ++a) {
            for (std::size_t m : shown)
                cells.push_back(table_cell(metrics()[m], rm.values(p, a, m)));
            if (slo) {
                const auto v = judge_slo(sc, rm, p, a);
                const std::string star = mean_only_any(v) ? "*" : "";
                mean_only = mean_only || !star.empty();
                cells.push_back(rm.replications(p, a) == 0 ? "-"
                                : passes_all(v)            ? "pass" + star
                                                           : "FAIL" + star);
            }
        }
        for (std::size_t i = 0; i < cells.size(); ++i)
            width[i] = std::max(width[i], cells[i].size());
        lines.push_back(std::move(cells));
        for (std::size_t k = 0; k < sc.points[p].values.size() && k < key_width.size(); ++k)
            key_width[k] = std::max(key_width[k], sc.points[p].values[k].second.size());
    }
    // A group at least as wide as its architecture's name ("| " + name): its last column
    // takes the extra room, so names are never cut.
    const std::size_t group = shown.size() + (slo ? 1 : 0);
    for (std::size_t a = 0; a < archs0.size(); ++a) {
        std::size_t w = 0;
        for (std::size_t i = 0; i < group; ++i)
            w += width[a * group + i] + 2;
        if (archs0[a].name.size() + 3 > w)
            width[a * group + group - 1] += archs0[a].name.size() + 3 - w;
    }
    // Cells hold "±" (2 bytes in UTF-8, one column): pad by display width.
    auto pad = [](const std::string &s, std::size_t w) {
        std::size_t shown_width = 0;
        for (unsigned char c : s)
            shown_width += (c & 0xC0) != 0x80;
        return std::string(w > shown_width ? w - shown_width : 0, ' ') + s;
    };
    std::string head1, head2;
    for (std::size_t k = 0; k < sc.sweep_keys.size(); ++k) {
        head1 += fmt::format("{:<{}}  ", "", key_width[k]);
        head2 += fmt::format("{:<{}}  ", sc.sweep_keys[k], key_width[k]);
    }
    for (std::size_t a = 0; a < archs0.size(); ++a) {
        std::size_t w = 0;
        for (std::size_t i = 0; i < group; ++i) {
            const std::size_t c = a * group + i;
            w += width[c] + 2;
            head2 += pad(i < shown.size() ? metrics()[shown[i]].name : "slo", width[c]) + "  ";
        }
        head1 += fmt::format("| {:<{}}", archs0[a].name, w - 2);
    }
    if (slo) head2 += "cheapest passing";
    for (std::string *h : {&head1, &head2})
        while (!h->empty() && h->back() == ' ')
            h->pop_back();
    out += head1 + "\n" + head2 + "\n";
    for (std::size_t p = 0; p < sc.points.size(); ++p) {
        std::string row;
        for (std::size_t k = 0; k < sc.points[p].values.size() && k < key_width.size(); ++k)
            row += fmt::format("{:<{}}  ", sc.points[p].values[k].second, key_width[k]);
        for (std::size_t i = 0; i < lines[p].size(); ++i)
            row += pad(lines[p][i], width[i]) + "  ";
        if (slo) {
            const int best = cheapest_passing(sc, rm, p);
            row +=
                best < 0 ? "none" : sc.points[p].architectures[static_cast<std::size_t>(best)].name;
        }
        while (!row.empty() && row.back() == ' ')
            row.pop_back();
        out += row + "\n";
    }
    if (mean_only) out += "* one replication: judged on the mean, no confidence interval\n";
    out += "every metric of every point: aggregate.csv (and table.txt)\n";
    return out;
}

} // namespace

std::string point_tables(const Scenario &sc, const RunMetrics &rm) {
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
        // The label column fits the longest metric name shown (workflows_lost_node_failure)
        // and the objectives' labels, so the verdicts stay in their columns.
        std::size_t label = 0;
        for (const Metric &metric : metrics())
            if (metric.in_table) label = std::max(label, metric.name.size() + 1);
        for (const Slo &slo : sc.slo)
            label = std::max(label, slo_label(slo).size() + 1);
        const int kLabel = static_cast<int>(label);
        // A column is 24 wide, wider for a longer name: names are never cut (two names that
        // differ only at the end, such as ...-ttl-30s and ...-ttl-1d, must stay apart).
        std::vector<int> col;
        out += fmt::format("{:<{}}", "", kLabel);
        for (const auto &a : archs) {
            col.push_back(std::max(24, static_cast<int>(a.name.size()) + 2));
            out += fmt::format("{:>{}}", a.name, col.back());
        }
        out += "\n";
        for (std::size_t m = 0; m < metrics().size(); ++m) {
            const Metric &metric = metrics()[m];
            if (!metric.in_table) continue;
            std::string row = fmt::format("{:<{}}", metric.name, kLabel);
            bool unremarkable = !std::isnan(metric.unremarkable);
            for (std::size_t a = 0; a < archs.size(); ++a) {
                const std::vector<double> v = rm.values(p, a, m);
                // Undefined counts as unremarkable here: a share of workflows where none run.
                unremarkable = unremarkable && std::all_of(v.begin(), v.end(), [&](double x) {
                                   return x == metric.unremarkable || std::isnan(x);
                               });
                row += fmt::format("{:>{}}", table_cell(metric, v), col[a]);
            }
            // Loss causes that never happened, full availability, no scaling: only clutter; but
            // a row an objective judges stays, so its verdict below can be read against it.
            const bool judged = std::any_of(sc.slo.begin(), sc.slo.end(),
                                            [&](const Slo &s) { return s.metric == metric.name; });
            if (!unremarkable || judged) out += row + "\n";
        }
        out += slo_rows(sc, rm, p, kLabel, col);
    }
    return out;
}

std::string comparison_table(const Scenario &sc, const RunMetrics &rm) {
    return sc.points.size() > 1 ? pivot_table(sc, rm) : point_tables(sc, rm);
}

std::vector<std::string> precision_warnings(const Scenario &sc, const RunMetrics &rm) {
    std::vector<std::string> out;
    bool single = false;
    for (std::size_t p = 0; p < sc.points.size(); ++p)
        for (std::size_t a = 0; a < sc.points[p].architectures.size(); ++a) {
            if (rm.replications(p, a) == 1) single = true;
            std::string wide;
            for (const Metric &metric : metrics()) {
                // Counts are left out: the rates and shares beside them say the same.
                if (!metric.in_table || metric.count) continue;
                const Estimate e = estimate(rm.values(p, a, metric_index(metric.name)));
                if (e.n < 2 || !std::isfinite(e.mean) || e.mean == 0) continue;
                const double percent = 100 * e.half_width / std::fabs(e.mean);
                if (percent > 5)
                    wide += fmt::format("{}{} {:.{}f}%", wide.empty() ? "" : ", ", metric.name,
                                        percent, percent < 10 ? 1 : 0);
            }
            if (wide.empty()) continue;
            out.push_back(
                fmt::format("wide 95% CI (half-width as a share of the mean) for {}{}: {}",
                            sc.points.size() > 1 ? fmt::format("point {} ", p) : std::string(),
                            sc.points[p].architectures[a].name, wide));
        }
    if (!out.empty())
        out.push_back("to narrow them: more replications (--replications; the half-width shrinks "
                      "as 1/sqrt(n): 4x the replications halve it) or a longer --duration (rare "
                      "events such as losses need more of them per run)");
    if (single)
        out.push_back("one replication: no confidence interval (n/a); use --replications 2 or "
                      "more to get one");
    return out;
}

std::string precision_block(const std::vector<std::string> &warnings) {
    std::string out;
    for (const auto &w : warnings)
        out.append(out.empty() ? "\nwarning: " : "warning: ").append(w).append("\n");
    return out;
}

} // namespace statesim
