// fuzz_set: `--set KEY=VALUE` overrides (LoadOptions.sets) applied to a fixed valid base
// scenario. Input: one override per line (at most 16 lines); the first byte chooses the base.
// ConfigError is expected for bad overrides; any other exception, a crash, a sanitizer report,
// a hang or a memory blow-up is a finding. The bases must load with no overrides (checked on
// the first run).
// Corpus: tests/fuzz/corpus/fuzz_set/. Build and run: make -f mk/fuzz.mk fuzz
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"

namespace {

constexpr const char *kBases[] = {
    // 0: a small single-architecture cluster.
    R"(name: fuzz-base
duration: 10m
warmup: 1m
seed: 1
replications: 2
workload:
  sessions:
    arrival: {process: poisson, rate: 35/s}
    requests: 3
  request:
    service_time: {dist: exponential, mean: 20ms}
cluster: {nodes: 2, workers: 4}
)",
    // 1: two architectures from presets and a sweep.
    R"(name: fuzz-compare
duration: 10m
seed: 7
workload:
  sessions:
    arrival: {process: poisson, rate: 20/s}
    requests: 5
  request:
    service_time: {dist: lognormal, mean: 30ms, cv: 1.5}
cluster: {nodes: 3, workers: 8}
architectures:
  - {name: sticky, preset: stateful-sticky}
  - {name: redis, preset: stateless-redis, set: {cluster.nodes: 4}}
sweep: {workload.sessions.arrival.rate: [10/s, 40/s]}
)",
};
constexpr std::size_t kNumBases = sizeof(kBases) / sizeof(kBases[0]);

void check_bases() {
    for (const char *b : kBases) {
        try {
            (void)statesim::load_scenario_text(b, "base.yaml");
        } catch (const std::exception &e) {
            statesim::fuzz::invariant_failed("fuzz_set",
                                             std::string("base does not load: ") + e.what());
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const bool bases_ok = (check_bases(), true);
    (void)bases_ok;
    if (size < 1 || size > 8192) return -1;
    const char *base = kBases[data[0] % kNumBases];
    std::string_view rest(reinterpret_cast<const char *>(data) + 1, size - 1);
    statesim::LoadOptions opts;
    while (!rest.empty() && opts.sets.size() < 16) {
        const auto nl = rest.find('\n');
        opts.sets.emplace_back(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
    try {
        (void)statesim::load_scenario_text(base, "fuzz.yaml", opts);
    } catch (const statesim::ConfigError &) {
    } catch (...) {
        statesim::fuzz::unexpected_exception("fuzz_set");
    }
    return 0;
}
