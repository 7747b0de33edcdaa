#include "statesim/config/units.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "statesim/engine/sim_time.hpp"

namespace statesim::units {

// warmup + duration (at most the maximum) plus a saturated delay must stay inside int64 ns.
static_assert(kMaxDurationSeconds * 1e9 + static_cast<double>(kMaxDelay) <
              static_cast<double>(kForever));

namespace {

struct Unit {
    std::string_view name;
    double factor;
};

// Splits "12.5ms" into 12.5 and "ms"; false when no number leads the text.
bool split_number(std::string_view text, double &value, std::string_view &suffix) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    const char *begin = text.data();
    const char *end = begin + text.size();
    if (begin != end && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || !std::isfinite(value)) return false;
    suffix = std::string_view(ptr, static_cast<std::size_t>(end - ptr));
    while (!suffix.empty() && suffix.front() == ' ')
        suffix.remove_prefix(1);
    return true;
}

std::string unit_list(const std::vector<Unit> &units) {
    std::string out;
    for (const auto &u : units) {
        if (!out.empty()) out += ", ";
        out += u.name;
    }
    return out;
}

Parsed with_units(std::string_view text, const std::vector<Unit> &units, std::string_view what,
                  std::string_view example) {
    double v = 0;
    std::string_view suffix;
    if (!split_number(text, v, suffix))
        return {0, fmt::format("expected a {} like {}", what, example)};
    if (suffix.empty())
        return {0, fmt::format("a {} needs a unit ({}), e.g. {}", what, unit_list(units), example)};
    for (const auto &u : units)
        if (suffix == u.name) {
            if (v < 0) return {0, fmt::format("a {} cannot be negative", what)};
            return {v * u.factor, {}};
        }
    return {0, fmt::format("unknown {} unit \"{}\"; expected one of {}", what, suffix,
                           unit_list(units))};
}

} // namespace

Parsed duration(std::string_view text) {
    static const std::vector<Unit> units = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1},
                                            {"m", 60},    {"min", 60},  {"h", 3600},  {"d", 86400}};
    Parsed p = with_units(text, units, "duration", "20ms");
    if (p.ok() && !(p.value <= kMaxDurationSeconds))
        return {0, fmt::format("a duration must be at most {} (simulated time is int64 "
                               "nanoseconds)",
                               kMaxDurationText)};
    return p;
}

Parsed rate(std::string_view text) {
    static const std::vector<Unit> units = {
        {"/s", 1}, {"/m", 1 / 60.0}, {"/min", 1 / 60.0}, {"/h", 1 / 3600.0}, {"/d", 1 / 86400.0}};
    return with_units(text, units, "rate", "50/s");
}

Parsed size(std::string_view text) {
    static const std::vector<Unit> units = {{"B", 1},
                                            {"KB", 1e3},
                                            {"KiB", 1024},
                                            {"MB", 1e6},
                                            {"MiB", 1 << 20},
                                            {"GB", 1e9},
                                            {"GiB", 1024.0 * 1024 * 1024}};
    return with_units(text, units, "size", "4KiB");
}

Parsed bandwidth(std::string_view text) {
    const auto slash = text.rfind('/');
    if (slash == std::string_view::npos || text.substr(slash) != "/s")
        return {0, "expected a bandwidth like 10MiB/s"};
    auto bytes = size(text.substr(0, slash));
    if (bytes.ok() && bytes.value <= 0) bytes.error = "expected a bandwidth greater than 0";
    return bytes;
}

Parsed fraction(std::string_view text) {
    double v = 0;
    std::string_view suffix;
    if (!split_number(text, v, suffix) || !(suffix.empty() || suffix == "%"))
        return {0, "expected a fraction like 0.6 or a percentage like 60%"};
    if (suffix == "%") v /= 100;
    if (v < 0 || v > 1) return {0, "expected a fraction between 0 and 1 (0% to 100%)"};
    return {v, {}};
}

Parsed number(std::string_view text) {
    double v = 0;
    std::string_view suffix;
    if (!split_number(text, v, suffix) || !suffix.empty()) return {0, "expected a number"};
    return {v, {}};
}

static std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string> &candidates) {
    std::optional<std::string> best;
    std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto &c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

std::string format_duration(double s) {
    if (s == 0) return "0s";
    if (s >= 86400 && std::fmod(s, 86400) == 0) return fmt::format("{}d", s / 86400);
    if (s >= 3600 && std::fmod(s, 3600) == 0) return fmt::format("{}h", s / 3600);
    if (s >= 60 && std::fmod(s, 60) == 0) return fmt::format("{}m", s / 60);
    if (s >= 1) return fmt::format("{:g}s", s);
    if (s >= 1e-3) return fmt::format("{:g}ms", s * 1e3);
    return fmt::format("{:g}us", s * 1e6);
}

} // namespace statesim::units
