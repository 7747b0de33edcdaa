#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/model/cluster_model.hpp"
#include "statesim/output/run_record.hpp"

namespace statesim {

// Runs one architecture under one replication's spec. The default builds a ClusterModel; tests
// substitute their own (e.g. one that throws).
using RunFunction = std::function<RunResult(const Architecture &, const RunSpec &)>;

struct ExperimentOptions;
using Consumer = std::function<void(RunRecord &&)>;

struct ExperimentOptions {
    int jobs = 1;                            // worker threads
    const std::atomic<bool> *stop = nullptr; // SIGINT: finish nothing new, keep what is done
    // Called after each finished run with (finished, total); from worker threads, serialised.
    std::function<void(std::size_t, std::size_t)> progress;
    RunFunction run; // empty: the cluster model
    // Most results held at once, waiting for an earlier run to finish (0: 4 x jobs). Workers
    // wait rather than run further ahead, so memory does not grow with the replications.
    std::size_t window = 0;
    // --trace N: replication 0 of every (point, architecture) follows its first N measured
    // sessions (RunResult::trace); 0: none.
    std::uint32_t trace_sessions = 0;
    // Set: run_experiment hands the whole experiment to it (MPI: runs spread over ranks,
    // experiment/mpi_sweep.hpp), with the same contract.
    std::function<void(const Scenario &, const ExperimentOptions &, const Consumer &)> distribute;
};

// The seed of replication r: master seed + r, shared by every architecture and sweep point
// (common random numbers). `--seed S+r --replications 1` reproduces replication r alone.
std::uint64_t replication_seed(const Scenario &sc, int replication);

// The number of runs, points x architectures x replications.
std::size_t run_count(const Scenario &sc);
// Run i of that order, simulated by `run` (empty: the cluster model), which watches `stop`;
// replication 0 traces its first `trace_sessions` sessions (--trace).
RunRecord run_one(const Scenario &sc, std::size_t i, const RunFunction &run,
                  const std::atomic<bool> *stop, std::uint32_t trace_sessions = 0);

// Runs every (point, architecture, replication) on a thread pool and hands each run to
// `consume` in that fixed order, as soon as it and all before it are done, so the output is
// byte-identical whatever the number of jobs. `consume` is called from one thread at a time.
// Runs cut short by `stop` are handed over with done = false. An exception in any run or in
// `consume` stops handing out runs; once the running ones end, it is rethrown here.
void run_experiment(const Scenario &sc, const ExperimentOptions &options,
                    const std::function<void(RunRecord &&)> &consume);

// The same, collecting every record (tests and small experiments; memory grows with the runs).
std::vector<RunRecord> run_experiment(const Scenario &sc, const ExperimentOptions &options);

} // namespace statesim
