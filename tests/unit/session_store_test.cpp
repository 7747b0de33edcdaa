#include <doctest/doctest.h>

#include "statesim/model/session_store.hpp"

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
        const auto o = store.operate(0, i % 2 == 1, 300, rng);
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
        store.operate(s * kSecond, false, 300, rng);
    const auto o = store.operate(0, false, 300, rng);
    CHECK_FALSE(o.ok);
    CHECK(o.throttles == SessionStore::kMaxTries);
}

TEST_CASE("billing units follow DynamoDB on-demand: 1 KiB per write unit, 4 KiB per read unit") {
    CHECK(SessionStore::units(true, 0) == 1);
    CHECK(SessionStore::units(true, 1024) == 1);
    CHECK(SessionStore::units(true, 1025) == 2);
    CHECK(SessionStore::units(true, 6000) == 6);
    CHECK(SessionStore::units(false, 4096) == 1);
    CHECK(SessionStore::units(false, 4097) == 2);
    CHECK(SessionStore::units(false, 6000) == 2);
    StoreSpec spec;
    spec.capacity = 1;
    SessionStore store(spec);
    Rng rng(1);
    CHECK(store.operate(0, true, 3000, rng).units == 3);
    for (int s = 1; s < 20; ++s) // every later window full: the next operation fails
        store.operate(s * kSecond, false, 300, rng);
    const auto refused = store.operate(0, true, 3000, rng);
    CHECK_FALSE(refused.ok);
    CHECK(refused.units == 0); // throttled operations are free
}
