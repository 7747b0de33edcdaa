#pragma once
#include <cmath>
#include <cstdint>

namespace statesim {

// Simulated time in integer nanoseconds: exact ties, no drift over simulated days.
using SimTime = std::int64_t;

inline constexpr SimTime kNanosecond = 1;
inline constexpr SimTime kMicrosecond = 1'000;
inline constexpr SimTime kMillisecond = 1'000'000;
inline constexpr SimTime kSecond = 1'000'000'000;
inline constexpr SimTime kForever = INT64_MAX;
// The longest delay from_seconds returns (about 146 years): a sample of a heavy-tailed or
// long-mean distribution saturates here, so `now + delay` never overflows for any `now` a run
// reaches (configured times are at most 100 years, see units::kMaxDurationSeconds).
inline constexpr SimTime kMaxDelay = kForever / 2;

// Rounds half away from zero, like llround, without a libm call on the hot path. Saturates at
// +-kMaxDelay; NaN gives kMaxDelay (a sample that is not a number never comes).
inline SimTime from_seconds(double s) {
    constexpr double limit = static_cast<double>(kMaxDelay);
    const double ns = s * 1e9;
    if (!(ns < limit)) return kMaxDelay; // also NaN and +inf
    if (ns <= -limit) return -kMaxDelay;
    return static_cast<SimTime>(ns >= 0 ? ns + 0.5 : ns - 0.5);
}
inline double to_seconds(SimTime t) {
    return static_cast<double>(t) * 1e-9;
}
inline double to_millis(SimTime t) {
    return static_cast<double>(t) * 1e-6;
}

} // namespace statesim
