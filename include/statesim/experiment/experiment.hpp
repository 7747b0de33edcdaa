#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/output/run_record.hpp"

namespace statesim {

struct ExperimentOptions {
    int jobs = 1;                            // worker threads
    const std::atomic<bool> *stop = nullptr; // SIGINT: finish nothing new, keep what is done
    // Called after each finished run with (finished, total); from worker threads, serialised.
    std::function<void(std::size_t, std::size_t)> progress;
};

// The seed of replication r: master seed + r, shared by every architecture and sweep point
// (common random numbers). `--seed S+r --replications 1` reproduces replication r alone.
std::uint64_t replication_seed(const Scenario &sc, int replication);

// Runs every (point, architecture, replication) on a thread pool. Results land in a fixed order,
// so the output is byte-identical whatever the number of jobs.
std::vector<RunRecord> run_experiment(const Scenario &sc, const ExperimentOptions &options);

// Writes summary.csv, aggregate.csv, timeseries.csv and resolved.yaml into `dir` atomically.
void write_outputs(const Scenario &sc, const std::vector<RunRecord> &runs, const std::string &dir);

} // namespace statesim
