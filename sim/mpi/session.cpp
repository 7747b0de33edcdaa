// MPI's lifetime: started only under a launcher (a lone `statesim` never touches MPI, which
// keeps it fast to start and usable where MPI cannot initialise), ended after the command.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "protocol.hpp"
#include "statesim/config/load_scenario.hpp"
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

namespace protocol {

bool same_scenario(const Scenario &sc, std::uint32_t trace_sessions) {
    if (!g_started) return true;
    // FNV-1a (64-bit) of what defines the runs: the same on every build and machine.
    const std::string what = fmt::format("{}\n{} runs, trace {}\n", describe_resolved(sc),
                                         run_count(sc), trace_sessions);
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : what)
        h = (h ^ c) * 1099511628211ULL;
    std::vector<std::uint64_t> all(static_cast<std::size_t>(g_world.size));
    MPI_Allgather(&h, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
    std::string differ;
    for (std::size_t r = 1; r < all.size(); ++r)
        if (all[r] != all[0]) differ += fmt::format("{}{}", differ.empty() ? "" : ", ", r);
    if (differ.empty()) return true;
    if (g_world.rank == 0)
        throw ConfigError(fmt::format(
            "error: ranks loaded different scenarios: rank(s) {} resolved another config, run "
            "count or --trace than rank 0 (each rank loads CONFIG.yaml itself: give every rank "
            "the same file and the same --set, --seed, --replications, --duration and "
            "--trace); nothing written",
            differ));
    return false;
}

} // namespace protocol

int finish(int code) {
    if (!g_started) return code;
    // A rank that failed before its sweep (bad config, unwritable --out) tells the others,
    // which wait in agree(0), so that no rank waits for ever.
    if (!g_agreed) agree(code);
    MPI_Finalize();
    return code;
}

} // namespace statesim::mpi
