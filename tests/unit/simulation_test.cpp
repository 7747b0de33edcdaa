#include <doctest/doctest.h>

#include <vector>

#include "statesim/engine/simulation.hpp"

using namespace statesim;

TEST_CASE("an event for the current instant runs after those already due then, in order") {
    Simulation sim;
    std::vector<std::uint32_t> order;
    sim.schedule(5, 1, 0, 0);
    sim.schedule(5, 2, 0, 0);
    sim.schedule(7, 9, 0, 0);
    sim.run(kForever, [&](const Event &e) {
        order.push_back(e.kind);
        if (e.kind == 1) { // zero-length hops from the first handler at t = 5
            sim.schedule(sim.now(), 3, 0, 0);
            sim.schedule(sim.now(), 4, 0, 0);
        }
        if (e.kind == 3) sim.schedule(sim.now(), 5, 0, 0);
    });
    CHECK(order == std::vector<std::uint32_t>{1, 2, 3, 4, 5, 9});
}

TEST_CASE("cancelled events never run, and run(until) stops at until and resumes") {
    Simulation sim;
    std::vector<std::uint32_t> order;
    const auto a = sim.schedule(10, 1, 0, 0);
    sim.schedule(20, 2, 0, 0);
    sim.schedule(30, 3, 0, 0);
    sim.cancel(a);
    auto record = [&](const Event &e) {
        order.push_back(e.kind);
        if (e.kind == 2) sim.cancel(sim.schedule(sim.now(), 7, 0, 0)); // same-time, cancelled
    };
    sim.run(25, record);
    CHECK(sim.now() == 25);
    CHECK(order == std::vector<std::uint32_t>{2});
    sim.run(kForever, record);
    CHECK(order == std::vector<std::uint32_t>{2, 3});
}
