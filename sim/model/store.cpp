#include "statesim/model/store.hpp"

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

SessionStore::Outcome SessionStore::operate(SimTime t, bool write, Rng &rng) {
    int throttles = 0;
    for (int attempt = 0; attempt < kMaxTries; ++attempt) {
        if (admit(t)) {
            const auto &latency = write ? spec_.write_latency : spec_.read_latency;
            return {t + latency.sample_time(rng), true, throttles};
        }
        ++throttles;
        const double cap = 0.025 * std::ldexp(1.0, std::min(attempt, 6)); // 25ms .. 1.6s
        t += from_seconds(cap * rng.uniform_pos());
    }
    return {t, false, throttles};
}

} // namespace statesim
