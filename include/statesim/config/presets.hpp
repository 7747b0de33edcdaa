#pragma once
#include <string>
#include <utility>
#include <vector>

namespace statesim {

// A named set of keys defining an architecture (state location, stickiness, store, runtime).
struct Preset {
    std::string name;
    std::string summary;
    std::vector<std::pair<std::string, std::string>> keys; // dotted key -> YAML value
};

const std::vector<Preset> &presets();
const Preset *find_preset(const std::string &name);

} // namespace statesim
