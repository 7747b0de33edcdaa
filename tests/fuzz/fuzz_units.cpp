// fuzz_units: the unit parsers (duration, rate, size, fraction, bandwidth, number) on arbitrary
// strings, plus did_you_mean and format_duration. They must never throw and every accepted
// value must satisfy its documented invariant (finite, >= 0, in range; a duration round-trips
// through format_duration). A violated invariant aborts, so libFuzzer saves the input.
// Corpus: tests/fuzz/corpus/fuzz_units/. Build and run: make -f mk/fuzz.mk fuzz
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "fuzz_common.hpp"
#include "statesim/config/units.hpp"

namespace u = statesim::units;
using statesim::fuzz::invariant_failed;

namespace {

void expect(bool cond, const char *parser, std::string_view in, const u::Parsed &p,
            const char *what) {
    if (!cond)
        invariant_failed("fuzz_units", fmt::format("{}(\"{}\") = {} (error \"{}\"): {}", parser, in,
                                                   p.value, p.error, what));
}

void common(const char *parser, std::string_view in, const u::Parsed &p) {
    if (!p.ok()) return;
    expect(std::isfinite(p.value), parser, in, p, "accepted value is not finite");
    expect(p.value >= 0, parser, in, p, "accepted value is negative");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return -1;
    const std::string_view in(reinterpret_cast<const char *>(data), size);

    const auto d = u::duration(in);
    common("duration", in, d);
    if (d.ok()) {
        expect(d.value <= u::kMaxDurationSeconds, "duration", in, d, "above kMaxDurationSeconds");
        // What `check` prints must read back as (nearly) the same duration.
        const std::string shown = u::format_duration(d.value);
        const auto back = u::duration(shown);
        expect(
            back.ok(), "duration", in, d,
            fmt::format("format_duration gives \"{}\", which does not parse: {}", shown, back.error)
                .c_str());
        const double tol = 1e-5 * d.value + 1e-12;
        expect(
            std::fabs(back.value - d.value) <= tol, "duration", in, d,
            fmt::format("format_duration gives \"{}\", which reads back as {}", shown, back.value)
                .c_str());
    }
    common("rate", in, u::rate(in));
    common("size", in, u::size(in));
    const auto bw = u::bandwidth(in);
    common("bandwidth", in, bw);
    if (bw.ok()) expect(bw.value > 0, "bandwidth", in, bw, "accepted bandwidth is not > 0");
    const auto f = u::fraction(in);
    common("fraction", in, f);
    if (f.ok()) expect(f.value <= 1, "fraction", in, f, "accepted fraction is above 1");
    const auto n = u::number(in);
    if (n.ok()) expect(std::isfinite(n.value), "number", in, n, "accepted number is not finite");

    if (size <= 256) {
        static const std::vector<std::string> candidates = {
            "duration", "warmup", "workload", "cluster", "architectures", "sweep", "", "x"};
        const auto s = u::did_you_mean(in, candidates);
        if (s && std::find(candidates.begin(), candidates.end(), *s) == candidates.end())
            invariant_failed("fuzz_units", "did_you_mean returned a non-candidate");
    }
    return 0;
}
