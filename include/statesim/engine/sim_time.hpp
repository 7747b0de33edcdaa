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

// Rounds half away from zero, like llround, without a libm call on the hot path.
inline SimTime from_seconds(double s) {
    const double ns = s * 1e9;
    return static_cast<SimTime>(ns >= 0 ? ns + 0.5 : ns - 0.5);
}
inline double to_seconds(SimTime t) {
    return static_cast<double>(t) * 1e-9;
}
inline double to_millis(SimTime t) {
    return static_cast<double>(t) * 1e-6;
}

} // namespace statesim
