// fuzz_config: whole YAML scenario files through load_scenario_text (parse + validate +
// resolve; nothing is simulated). ConfigError is the expected outcome for bad input; any other
// exception, a crash, a sanitizer report, a hang or a memory blow-up is a finding.
// Corpus: tests/fuzz/corpus/fuzz_config/. Build and run: make -f mk/fuzz.mk fuzz
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > statesim::fuzz::kMaxInput) return -1;
    const std::string text(reinterpret_cast<const char *>(data), size);
    statesim::LoadOptions opts;
    opts.modelled = statesim::Modelled::everything();
    try {
        (void)statesim::load_scenario_text(text, "fuzz.yaml", opts);
    } catch (const statesim::ConfigError &) {
    } catch (...) {
        statesim::fuzz::unexpected_exception("fuzz_config");
    }
    return 0;
}
