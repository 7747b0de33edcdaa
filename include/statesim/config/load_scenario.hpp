#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "statesim/config/modelled.hpp"
#include "statesim/config/scenario.hpp"

namespace statesim {

// A located, user-facing configuration error: "error: file:line:col: key: what (found ...)".
// The CLI prints what() and exits with code 2.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct LoadOptions {
    std::vector<std::string> sets; // "dotted.key=value", applied in order to the file's tree
    // The flag that gave each of `sets`, for messages ("--duration 90"); missing or empty:
    // "--set KEY=VALUE".
    std::vector<std::string> set_flags;
    // What the model simulates (modelled.hpp); settings of the features that are off are
    // refused. Tests of the parser itself pass Modelled::everything().
    Modelled modelled = {};
};

// Reads, validates and resolves a scenario file (presets, overrides, sweep, defaults).
// Throws ConfigError on any bad input; never half-builds a Scenario.
Scenario load_scenario(const std::string &path, const LoadOptions &options = {});
// Same, from text (tests); `name` stands for the file name in error messages.
Scenario load_scenario_text(const std::string &text, const std::string &name,
                            const LoadOptions &options = {});

// The fully resolved configuration with every filled-in default marked, for `statesim check`.
std::string describe_resolved(const Scenario &scenario);

} // namespace statesim
