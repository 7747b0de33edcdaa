// fuzz_check: `statesim check` end to end on whole files: load_scenario_text, then
// describe_resolved (what `check` prints). ConfigError on the input is expected. Findings: any
// other exception, a crash, a sanitizer report, a hang, a memory blow-up, or a resolved text
// that is not one valid YAML map, or that differs when the same input is loaded again (the
// resolved config must be deterministic).
// Corpus: tests/fuzz/corpus/fuzz_check/. Build and run: make -f mk/fuzz.mk fuzz
#include <cstddef>
#include <cstdint>
#include <string>

#include <yaml-cpp/yaml.h>

#include "fuzz_common.hpp"

using statesim::fuzz::invariant_failed;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > statesim::fuzz::kMaxInput) return -1;
    const std::string text(reinterpret_cast<const char *>(data), size);
    std::string resolved, again;
    try {
        resolved = statesim::describe_resolved(statesim::load_scenario_text(text, "fuzz.yaml"));
    } catch (const statesim::ConfigError &) {
        return 0;
    } catch (...) {
        statesim::fuzz::unexpected_exception("fuzz_check");
    }
    try {
        again = statesim::describe_resolved(statesim::load_scenario_text(text, "fuzz.yaml"));
    } catch (...) {
        invariant_failed("fuzz_check", "the second load of an accepted input failed");
    }
    if (again != resolved)
        invariant_failed("fuzz_check", "describe_resolved differs between two loads:\n" + resolved +
                                           "\n--- vs ---\n" + again);
    try {
        const YAML::Node n = YAML::Load(resolved);
        if (!n.IsMap() || !n["statesim_version"] || !n["points"])
            invariant_failed("fuzz_check", "resolved config is not a map with statesim_version "
                                           "and points:\n" +
                                               resolved);
    } catch (const YAML::Exception &e) {
        invariant_failed("fuzz_check", std::string("resolved config is not valid YAML: ") +
                                           e.what() + "\n" + resolved);
    }
    return 0;
}
