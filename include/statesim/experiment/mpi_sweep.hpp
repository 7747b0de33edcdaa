#pragma once
#include "statesim/config/scenario.hpp"
#include "statesim/experiment/experiment.hpp"
#include <cstdint>

// Sweeps over MPI ranks (SPEC §2): `mpirun -n N statesim run ...` or `srun statesim run ...`.
// Rank 0 hands the runs out as ranks free up, simulates too, and writes the files from the
// records in run order, so the bytes are those of `--jobs` on one machine. Built with MPI when
// CMake finds it (sim/mpi); otherwise sim/mpi_absent refuses a multi-rank launch.
namespace statesim::mpi {

struct World {
    int rank = 0;
    int size = 1;
};

// How many copies of this program an MPI launcher started, from its environment (Open MPI,
// PMI, Slurm with PMIx); 1 when none did.
int launched_ranks();

// Starts MPI when a launcher started more than one rank. False, after printing why, when this
// build cannot (no MPI): exit 2.
bool start();
// This process in the MPI world ({0, 1} without MPI).
const World &world();
// Every rank agrees on an exit code before a sweep starts: the largest one offered (a rank that
// failed before the sweep offers its code, one that reached the sweep offers 0).
int agree(int code);
// Ends MPI on this rank (offering `code` first if it never reached a sweep); returns `code`.
int finish(int code);

// Rank > 0 of `statesim run`: simulates the runs rank 0 hands out, `jobs` at once, until rank 0
// says there are no more (replication 0 tracing `trace_sessions` sessions, for --trace). Writes
// and prints nothing. Returns the exit code.
int serve_runs(const Scenario &sc, int jobs, std::uint32_t trace_sessions);

// Rank 0: an ExperimentOptions::distribute that spreads the runs over every rank (options.jobs
// threads on rank 0 as well) with run_experiment's contract: records reach `consume` in run
// order; SIGINT (or SIGTERM, or a signal to any rank) stops handing out and cuts the runs in
// progress short on every rank; a failure on any rank is rethrown here once all ranks stopped.
void coordinate(const Scenario &sc, const ExperimentOptions &options, const Consumer &consume);

} // namespace statesim::mpi
