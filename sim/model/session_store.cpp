#include "statesim/model/session_store.hpp"

#include <algorithm>
#include <cmath>

namespace statesim {

bool SessionStore::admit(SimTime t) {
    const std::int64_t second = t / kSecond;
    Window &w = windows_[static_cast<std::size_t>(second) % windows_.size()];
    if (w.second != second) w = Window{second, 0};
    if (w.used + 1 > spec_.capacity) return false;
    w.used += 1;
    return true;
}

// DynamoDB on-demand: 1 write request unit per started 1 KiB, 1 read request unit per started
// 4 KiB (strongly consistent); an empty item still costs one unit.
std::uint32_t SessionStore::units(bool write, double item_bytes) {
    const double per_unit = write ? 1024.0 : 4096.0;
    return static_cast<std::uint32_t>(std::max(1.0, std::ceil(item_bytes / per_unit)));
}

SessionStore::Outcome SessionStore::operate(SimTime t, bool write, double item_bytes, Rng &rng) {
    std::uint32_t throttles = 0;
    for (int attempt = 0; attempt < kMaxTries; ++attempt) {
        if (admit(t)) {
            const auto &latency = write ? spec_.write_latency : spec_.read_latency;
            return {t + latency.sample_time(rng), true, throttles, units(write, item_bytes)};
        }
        ++throttles;
        const double cap = 0.025 * std::ldexp(1.0, std::min(attempt, 6)); // 25ms .. 1.6s
        t += from_seconds(cap * rng.uniform_pos());
    }
    return {t, false, throttles, 0};
}

} // namespace statesim
