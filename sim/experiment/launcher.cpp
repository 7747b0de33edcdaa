#include <cstdlib>
#include <string>

#include "statesim/experiment/mpi_sweep.hpp"

namespace statesim::mpi {

namespace {
int env_int(const char *name) {
    const char *v = std::getenv(name);
    return v ? std::atoi(v) : 0;
}
} // namespace

int launched_ranks() {
    if (int n = env_int("OMPI_COMM_WORLD_SIZE")) return n; // Open MPI's mpirun
    if (int n = env_int("PMI_SIZE")) return n;             // MPICH, Slurm with PMI-2
    // Slurm's srun with PMIx; the step's task count is only trusted with PMIx present, since
    // a batch script's own environment carries Slurm variables too.
    if (std::getenv("PMIX_RANK"))
        if (int n = env_int("SLURM_STEP_NUM_TASKS")) return n;
    return 1;
}

} // namespace statesim::mpi
