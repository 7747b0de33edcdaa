#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "statesim/engine/event_queue.hpp"
#include "statesim/engine/random.hpp"

using namespace statesim;

TEST_CASE("events come out by time with ties in insertion order") {
    EventQueue q;
    q.push(30, 0, 1, 0);
    q.push(10, 0, 2, 0);
    q.push(30, 0, 3, 0);
    q.push(10, 0, 4, 0);
    q.push(20, 0, 5, 0);
    std::vector<std::uint32_t> order;
    while (!q.empty())
        order.push_back(q.pop().target);
    CHECK(order == std::vector<std::uint32_t>{2, 4, 5, 1, 3});
}

TEST_CASE("matches a sorted reference under random pushes and pops") {
    EventQueue q;
    Rng rng(7);
    std::vector<std::tuple<SimTime, std::uint64_t>> reference; // (time, seq)
    SimTime now = 0;
    std::vector<std::tuple<SimTime, std::uint64_t>> popped, expected;
    for (int step = 0; step < 200000; ++step) {
        if (reference.empty() || rng.uniform() < 0.55) {
            // Many exact ties (coarse times) and a wide spread of horizons.
            const SimTime t = now + static_cast<SimTime>(rng.below(4)) *
                                        static_cast<SimTime>(1 + rng.below(1'000'000'000));
            const auto seq = q.push(t, 0, 0, 0);
            reference.emplace_back(t, seq);
        } else {
            const auto it = std::min_element(reference.begin(), reference.end());
            expected.push_back(*it);
            reference.erase(it);
            const Event e = q.pop();
            now = e.time;
            popped.emplace_back(e.time, e.seq);
        }
    }
    CHECK(popped == expected);
    CHECK(q.size() == reference.size());
}

TEST_CASE("cancelled events never come out") {
    EventQueue q;
    const auto a = q.push(5, 0, 1, 0);
    q.push(6, 0, 2, 0);
    const auto c = q.push(7, 0, 3, 0);
    q.cancel(a);
    q.cancel(c);
    CHECK(q.size() == 1);
    CHECK(q.peek_time() == 6);
    CHECK(q.pop().target == 2);
    CHECK(q.empty());
    CHECK(q.peek_time() == kForever);
}

TEST_CASE("scheduling in the past is a logic error") {
    EventQueue q;
    q.push(100, 0, 0, 0);
    q.pop();
    CHECK_THROWS_AS(q.push(99, 0, 0, 0), std::logic_error);
    CHECK_NOTHROW(q.push(100, 0, 0, 0));
}

TEST_CASE("switching between heap and radix heap keeps the order") {
    // Grow past kToRadix, shrink below kToHeap, grow again; peek and cancel on the way.
    EventQueue q;
    Rng rng(13);
    std::vector<std::tuple<SimTime, std::uint64_t>> reference, popped, expected;
    SimTime now = 0;
    bool saw_radix = false;
    for (int phase = 0; phase < 4; ++phase) {
        const bool grow = phase % 2 == 0;
        for (int step = 0; step < 3000; ++step) {
            if (grow || reference.empty() || rng.uniform() < 0.2) {
                const SimTime t = now + static_cast<SimTime>(rng.below(50)) * 1000;
                reference.emplace_back(t, q.push(t, 0, 0, 0));
            } else {
                if (rng.uniform() < 0.1) { // cancel a random pending event
                    const auto i = rng.below(reference.size());
                    q.cancel(std::get<1>(reference[i]));
                    reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(i));
                    continue;
                }
                const auto it = std::min_element(reference.begin(), reference.end());
                CHECK(q.peek_time() == std::get<0>(*it));
                expected.push_back(*it);
                reference.erase(it);
                const Event e = q.pop();
                now = e.time;
                popped.emplace_back(e.time, e.seq);
            }
            saw_radix = saw_radix || q.using_radix();
        }
    }
    CHECK(saw_radix);
    CHECK(popped == expected);
    CHECK(q.size() == reference.size());
}

TEST_CASE("an event earlier than the pending minimum may be pushed after a peek") {
    EventQueue q;
    for (int i = 0; i < 2000; ++i) // radix mode
        q.push(1000 + i, 0, static_cast<std::uint32_t>(i), 0);
    REQUIRE(q.using_radix());
    CHECK(q.peek_time() == 1000);
    q.push(500, 0, 99999, 0);
    CHECK(q.peek_time() == 500);
    CHECK(q.pop().target == 99999);
    CHECK(q.pop().target == 0);
}
