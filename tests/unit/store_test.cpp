#include <doctest/doctest.h>

#include "statesim/model/store.hpp"

using namespace statesim;

TEST_CASE("the store admits capacity operations per second and throttles the rest") {
    StoreSpec spec;
    spec.capacity = 10;
    spec.read_latency = Distribution::constant_value(0.004);
    spec.write_latency = Distribution::constant_value(0.006);
    SessionStore store(spec);
    Rng rng(1);
    int immediate = 0, throttled = 0;
    for (int i = 0; i < 20; ++i) {
        const auto o = store.operate(0, i % 2 == 1, rng);
        CHECK(o.ok);
        if (o.throttles == 0) {
            ++immediate;
            CHECK(o.done == from_seconds(i % 2 ? 0.006 : 0.004));
        } else {
            ++throttled;
            CHECK(o.done > from_seconds(0.004));
        }
    }
    CHECK(immediate == 10);
    CHECK(throttled == 10);
}

TEST_CASE("an operation that stays throttled fails after the retry budget") {
    StoreSpec spec;
    spec.capacity = 1;
    spec.read_latency = Distribution::constant_value(0.001);
    SessionStore store(spec);
    Rng rng(1);
    // Fill the next 20 one-second windows so every retry meets a full window.
    for (int s = 0; s < 20; ++s)
        store.operate(s * kSecond, false, rng);
    const auto o = store.operate(0, false, rng);
    CHECK_FALSE(o.ok);
    CHECK(o.throttles == SessionStore::kMaxTries);
}
