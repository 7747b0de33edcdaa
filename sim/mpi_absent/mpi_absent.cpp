// A build without MPI: one process, and a clear refusal when mpirun or srun starts several.
#include <iostream>
#include <stdexcept>
#include <string>

#include "statesim/experiment/mpi_sweep.hpp"

namespace statesim::mpi {

bool start() {
    const int n = launched_ranks();
    if (n <= 1) return true;
    // One write: every copy prints this, and pieces would interleave mid-line.
    std::cerr << "error: this statesim was built without MPI, but an MPI launcher started " +
                     std::to_string(n) +
                     " copies of it; rebuild with Open MPI installed (Debian: libopenmpi-dev "
                     "openmpi-bin; `make build` installs them), or run it alone with --jobs J\n";
    return false;
}

const World &world() {
    static const World alone;
    return alone;
}

int agree(int code) {
    return code;
}

int finish(int code) {
    return code;
}

int serve_runs(const Scenario &, int, std::uint32_t) {
    throw std::logic_error("serve_runs without MPI");
}

void coordinate(const Scenario &, const ExperimentOptions &, const Consumer &) {
    throw std::logic_error("coordinate without MPI");
}

} // namespace statesim::mpi
