#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

#include "statesim/engine/random.hpp"
#include "statesim/stats/histogram.hpp"

using namespace statesim;

// Half the width of the bucket holding `v`: the documented accuracy of a percentile.
double half_bucket(std::int64_t v) {
    if (v < 128) return 0.5;
    const int msb = 63 - std::countl_zero(static_cast<std::uint64_t>(v));
    return std::ldexp(1.0, msb - Histogram::kSubBits) / 2;
}

TEST_CASE("every percentile is within half a bucket of the exact sample value") {
    Histogram h;
    Rng rng(3);
    std::vector<std::int64_t> xs;
    for (int i = 0; i < 100000; ++i) {
        // Latencies from microseconds to minutes (log-uniform), in ns.
        const auto v = static_cast<std::int64_t>(std::exp(7 + 18 * rng.uniform()));
        xs.push_back(v);
        h.add(v);
    }
    std::sort(xs.begin(), xs.end());
    for (double q : {0.001, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
        const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(xs.size())));
        const double exact = static_cast<double>(xs[std::max<std::size_t>(rank, 1) - 1]);
        const auto e = static_cast<std::int64_t>(exact);
        CHECK(std::fabs(h.quantile(q) - exact) <= half_bucket(e));
        CHECK(half_bucket(e) <= exact / 256); // 0.4 %
    }
    CHECK(h.max() == xs.back());
}

TEST_CASE("small values are exact and merging adds counts") {
    Histogram a, b;
    for (int v = 0; v < 100; ++v)
        a.add(v);
    for (int v = 100; v < 200; ++v)
        b.add(v);
    CHECK(a.quantile(0.5) == 49);
    a.merge(b);
    CHECK(a.count() == 200);
    CHECK(a.mean() == 99.5); // exact: the sum is kept beside the buckets
    CHECK(a.quantile(1.0) == 199);
    CHECK(Histogram().quantile(0.5) == 0);
}

TEST_CASE("a percentile stays inside the recorded range") {
    // 20 ms sits in the upper half of its bucket: the midpoint (19.988 ms) is below every sample.
    Histogram h;
    for (int i = 0; i < 1000; ++i)
        h.add(20'000'000);
    CHECK(h.min() == 20'000'000);
    for (double q : {0.0, 0.5, 0.95, 0.99, 0.999, 1.0})
        CHECK(h.quantile(q) == 20'000'000);

    // Two values in one bucket: the estimate stays within [min, max] and within half a bucket.
    Histogram two;
    two.add(20'000'000);
    two.add(20'010'000);
    for (double q : {0.0, 0.5, 1.0}) {
        CHECK(two.quantile(q) >= 20'000'000);
        CHECK(two.quantile(q) <= 20'010'000);
    }

    // The minimum survives a merge and a clear.
    Histogram a, b;
    a.add(50'000'000);
    b.add(30'000'000);
    a.merge(b);
    CHECK(a.min() == 30'000'000);
    a.clear();
    CHECK(a.min() == 0);
    a.add(7);
    CHECK(a.min() == 7);
}
