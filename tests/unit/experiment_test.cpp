// run_experiment: a failing run ends in an exception on the caller whatever thread ran it;
// results reach the consumer in a fixed order with a bounded number held at once.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "statesim/experiment/experiment.hpp"

using namespace statesim;

namespace {

Scenario scenario(int points, int archs, int replications) {
    Scenario sc;
    sc.name = std::string("t");
    sc.replications = replications;
    sc.duration = 1;
    sc.warmup = 0;
    for (int p = 0; p < points; ++p) {
        SweepPoint sp;
        for (int a = 0; a < archs; ++a) {
            Architecture arch;
            arch.name = fmt::format("a{}", a);
            arch.cluster.nodes = a + 1; // tells the run function which architecture it runs
            sp.architectures.push_back(arch);
        }
        sc.points.push_back(sp);
    }
    return sc;
}

// A run whose result names its replication (sessions_started = seed) and architecture.
RunResult fake_run(const Architecture &arch, const RunSpec &spec) {
    RunResult r;
    r.sessions_started = spec.seed;
    r.sessions_completed = static_cast<std::uint64_t>(arch.cluster.nodes);
    return r;
}

} // namespace

TEST_CASE("an exception in any worker thread reaches the caller with its message") {
    for (int jobs : {1, 2, 4})
        for (int failing : {0, 5, 37}) {
            CAPTURE(jobs);
            CAPTURE(failing);
            const Scenario sc = scenario(1, 2, 20);
            std::atomic<int> calls{0};
            ExperimentOptions o;
            o.jobs = jobs;
            o.run = [&](const Architecture &arch, const RunSpec &spec) {
                ++calls;
                const int index = (arch.cluster.nodes - 1) * 20 + static_cast<int>(spec.seed - 42);
                if (index == failing) throw std::runtime_error("model broke");
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                return fake_run(arch, spec);
            };
            std::size_t consumed = 0;
            CHECK_THROWS_WITH_AS(run_experiment(sc, o, [&](RunRecord &&) { ++consumed; }),
                                 "model broke", std::runtime_error);
            // No run after the failing one is consumed; handing out stops soon after.
            CHECK(consumed <= static_cast<std::size_t>(failing));
            CHECK(calls.load() <= failing + 1 + 4 * jobs);
        }
}

TEST_CASE("a failure cuts the runs still going short instead of waiting for their end") {
    const Scenario sc = scenario(1, 1, 2);
    ExperimentOptions o;
    o.jobs = 2;
    o.run = [](const Architecture &arch, const RunSpec &spec) {
        if (spec.seed == 43) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            throw std::runtime_error("model broke");
        }
        // A long run: ends after 20 s, or as soon as it is told to stop (as the model does).
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        RunResult r = fake_run(arch, spec);
        while (std::chrono::steady_clock::now() < end)
            if (spec.stop && spec.stop->load()) {
                r.interrupted = true;
                break;
            }
        return r;
    };
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(run_experiment(sc, o), "model broke", std::runtime_error);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("an exception in the consumer reaches the caller") {
    const Scenario sc = scenario(1, 1, 10);
    ExperimentOptions o;
    o.jobs = 3;
    o.run = [](const Architecture &arch, const RunSpec &spec) {
        // Runs 4 and 5 start before run 3 ends and end after the consumer failed on it: they
        // must not reach the consumer.
        const auto rep = spec.seed - 42;
        if (rep >= 3) std::this_thread::sleep_for(std::chrono::milliseconds(rep == 3 ? 10 : 40));
        return fake_run(arch, spec);
    };
    std::vector<int> consumed;
    CHECK_THROWS_WITH_AS(run_experiment(sc, o,
                                        [&](RunRecord &&r) {
                                            consumed.push_back(r.replication);
                                            if (r.replication == 3)
                                                throw std::runtime_error("disk full");
                                        }),
                         "disk full", std::runtime_error);
    CHECK(consumed == std::vector<int>{0, 1, 2, 3}); // nothing after the failure
}

TEST_CASE("runs reach the consumer in (point, architecture, replication) order") {
    for (int jobs : {1, 3}) {
        CAPTURE(jobs);
        const Scenario sc = scenario(2, 2, 30);
        const std::size_t window = 5;
        ExperimentOptions o;
        o.jobs = jobs;
        o.window = window;
        o.run = [&](const Architecture &arch, const RunSpec &spec) {
            // Replication 0 is slow, so later runs finish first and must wait their turn.
            const auto rep = spec.seed - 42;
            std::this_thread::sleep_for(std::chrono::milliseconds(rep % 10 == 0 ? 20 : 1));
            return fake_run(arch, spec);
        };
        std::vector<RunRecord> seen;
        run_experiment(sc, o, [&](RunRecord &&r) { seen.push_back(std::move(r)); });
        REQUIRE(seen.size() == 120);
        for (std::size_t i = 0; i < seen.size(); ++i) {
            CAPTURE(i);
            CHECK(seen[i].point == i / 60);
            CHECK(seen[i].architecture == (i / 30) % 2);
            CHECK(seen[i].replication == static_cast<int>(i % 30));
            CHECK(seen[i].seed == 42 + i % 30);
            CHECK(seen[i].done);
            CHECK(seen[i].result.sessions_started == seen[i].seed);
            CHECK(seen[i].result.sessions_completed == seen[i].architecture + 1);
        }
    }
}

TEST_CASE("no run starts more than `window` runs ahead of the next one consumed") {
    const Scenario sc = scenario(1, 1, 200);
    const std::size_t window = 6;
    std::atomic<std::size_t> consumed{0}, worst{0};
    ExperimentOptions o;
    o.jobs = 4;
    o.window = window;
    o.run = [&](const Architecture &arch, const RunSpec &spec) {
        const std::size_t i = spec.seed - 42, ahead = i - consumed.load();
        std::size_t w = worst.load();
        while (ahead > w && !worst.compare_exchange_weak(w, ahead)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(i % 7 == 0 ? 5 : 0));
        return fake_run(arch, spec);
    };
    run_experiment(sc, o, [&](RunRecord &&) { ++consumed; });
    CHECK(consumed.load() == 200);
    CHECK(worst.load() < window);
    CHECK(worst.load() >= 1); // the workers did run ahead: the bound was exercised
}

TEST_CASE(
    "a stop before the start runs nothing, and an interrupted run is handed over unfinished") {
    const Scenario sc = scenario(1, 1, 5);
    std::atomic<bool> stop{true};
    ExperimentOptions o;
    o.jobs = 2;
    o.stop = &stop;
    o.run = fake_run;
    CHECK(run_experiment(sc, o).empty());
    stop = false;
    o.run = [](const Architecture &arch, const RunSpec &spec) {
        RunResult r = fake_run(arch, spec);
        r.interrupted = spec.seed == 44;
        return r;
    };
    const auto runs = run_experiment(sc, o);
    REQUIRE(runs.size() == 5);
    CHECK_FALSE(runs[2].done);
    CHECK(runs[1].done);
}
