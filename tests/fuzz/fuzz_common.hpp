// Shared helpers for the libFuzzer targets in tests/fuzz/ (see mk/fuzz.mk).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>

#include "statesim/config/load_scenario.hpp"

namespace statesim::fuzz {

// Any exception other than ConfigError escaping the loader is a finding: report and abort so
// libFuzzer saves the input.
[[noreturn]] inline void unexpected_exception(const char *target) {
    try {
        throw;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: unexpected exception %s: %s\n", target, typeid(e).name(),
                     e.what());
    } catch (...) {
        std::fprintf(stderr, "%s: unexpected non-std exception\n", target);
    }
    std::abort();
}

[[noreturn]] inline void invariant_failed(const char *target, const std::string &what) {
    std::fprintf(stderr, "%s: invariant violated: %s\n", target, what.c_str());
    std::abort();
}

// The loader is parse-only, but bound the input so a single run stays well under -timeout=1
// under ASan; the loader itself refuses files above 4 MiB.
inline constexpr std::size_t kMaxInput = 64 * 1024;

} // namespace statesim::fuzz
