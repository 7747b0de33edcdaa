#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace statesim::units {

// Each parser returns the value in base units (seconds, per second, bytes, fraction) or an
// error message saying what was expected; they never throw.
// The longest duration a config may hold (100 years), in seconds. Simulated time is int64
// nanoseconds (about 292 years); keeping every configured time below this bound leaves room
// for `now + delay` (delays saturate at kMaxDelay, see sim_time.hpp) without overflow.
inline constexpr double kMaxDurationSeconds = 36500.0 * 86400;
inline constexpr const char *kMaxDurationText = "36500d (100 years)";

struct Parsed {
    double value = 0;
    std::string error; // empty on success
    bool ok() const { return error.empty(); }
};

// "250us" "20ms" "5s" "10m" "2h" "2d" -> seconds; at most kMaxDurationSeconds.
Parsed duration(std::string_view text);
Parsed rate(std::string_view text);      // "50/s" "300/min" "2/h" -> per second
Parsed size(std::string_view text);      // "300B" "4KiB" "2MiB" "1GB" -> bytes
Parsed bandwidth(std::string_view text); // "10MiB/s" -> bytes per second
Parsed fraction(std::string_view text);  // "60%" or "0.6" -> 0.6
Parsed number(std::string_view text);    // a plain finite number

// Suggestion for a misspelt word among candidates, or nullopt when nothing is close.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string> &candidates);

// Formats a duration in seconds compactly for tables and resolved files ("1.5s", "10m").
std::string format_duration(double seconds);

} // namespace statesim::units
