// MPI's lifetime: started only under a launcher (a lone `statesim` never touches MPI, which
// keeps it fast to start and usable where MPI cannot initialise), ended after the command.
#include <mpi.h>

#include "statesim/experiment/mpi_sweep.hpp"

namespace statesim::mpi {

namespace {
World g_world;
bool g_started = false, g_agreed = false;
} // namespace

bool start() {
    if (launched_ranks() <= 1) return true;
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    g_started = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_world.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_world.size);
    return true;
}

const World &world() {
    return g_world;
}

int agree(int code) {
    g_agreed = true;
    if (!g_started) return code;
    int all = 0;
    MPI_Allreduce(&code, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return all;
}

int finish(int code) {
    if (!g_started) return code;
    // A rank that failed before its sweep (bad config, unwritable --out) tells the others,
    // which wait in agree(0), so that no rank waits for ever.
    if (!g_agreed) agree(code);
    MPI_Finalize();
    return code;
}

} // namespace statesim::mpi
