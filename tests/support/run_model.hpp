#pragma once
// Test helpers: run one architecture of a YAML scenario in-process, write arrival traces, and
// shift the seeds of statistical tests with STATESIM_TEST_SEED (see `make test-seeds`).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "statesim/config/load_scenario.hpp"
#include "statesim/experiment/simulate.hpp"

namespace statesim::test {

// The offset every statistical test adds to its fixed seeds (0 unless STATESIM_TEST_SEED is
// set), so the suite can be re-run on other master seeds without editing it.
inline std::uint64_t seed_offset() {
    const char *s = std::getenv("STATESIM_TEST_SEED");
    return s ? std::strtoull(s, nullptr, 10) : 0;
}

inline Scenario load(const std::string &yaml, const std::vector<std::string> &sets = {}) {
    LoadOptions o;
    o.sets = sets;
    return load_scenario_text(yaml, "test.yaml", o);
}

inline RunResult run_model(const std::string &yaml, std::uint64_t seed = 1, std::size_t arch = 0,
                           const std::vector<std::string> &sets = {}) {
    const Scenario sc = load(yaml, sets);
    return simulate(sc.points[0].architectures[arch], RunSpec::of(sc, seed));
}

// Writes arrival times (seconds) to a file private to this process; returns its absolute path.
inline std::string write_trace(const std::string &name, const std::vector<double> &times) {
    const auto path = std::filesystem::temp_directory_path() /
                      fmt::format("statesim-{}-{}.csv", name, static_cast<long>(::getpid()));
    std::ofstream out(path);
    for (double t : times)
        out << fmt::format("{}\n", t);
    return path.string();
}

// |actual - expected| <= rel * |expected|: doctest::Approx's default scale of 1 would let a
// small value pass against almost anything.
inline bool within_rel(double actual, double expected, double rel) {
    return std::abs(actual - expected) <= rel * std::abs(expected);
}

} // namespace statesim::test
