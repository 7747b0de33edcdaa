#pragma once
// The messages between rank 0 and the other ranks of a sweep. Only the main thread of a rank
// calls MPI (MPI_THREAD_FUNNELED); simulations run on other threads.
//
// A worker keeps at most one kReady unanswered; rank 0 answers it with kAssign: a run index,
// or kNoMore once nothing is left to hand out and every run it gave that worker came back.
// kHalt (before kNoMore only) cuts the runs in progress short. A signalled worker sends one
// kStop, at any time before its kBye. Once every worker has its kNoMore and rank 0's own runs
// are done, rank 0 sends each worker kEnd and waits for its kBye, the last message between them
// (so a kStop sent meanwhile is still heard).
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "statesim/config/scenario.hpp"

namespace statesim::mpi::protocol {

// Worker -> rank 0.
constexpr int kReady = 1;  // a simulation slot is free
constexpr int kResult = 2; // run index (8 bytes) + encode_record()
constexpr int kFailed = 3; // a run, or sending its result, threw: the message
constexpr int kStop = 4;   // this rank was signalled (SIGINT, SIGTERM): stop the sweep
constexpr int kBye = 5;    // the answer to kEnd
// Rank 0 -> worker.
constexpr int kAssign = 10; // a run index, or kNoMore
constexpr int kHalt = 11;   // a stop (SIGINT) or a failure: cut the runs in progress short
constexpr int kEnd = 12;    // the sweep is over: answer kBye and return

constexpr std::uint64_t kNoMore = std::numeric_limits<std::uint64_t>::max();

// The largest message: what one MPI_Send can carry, or less when STATESIM_MPI_MAX_MESSAGE says
// so (bytes; tests lower it to reach the limit without a 2 GiB run).
inline std::size_t max_message() {
    static const std::size_t limit = [] {
        std::size_t m = static_cast<std::size_t>(std::numeric_limits<int>::max());
        if (const char *v = std::getenv("STATESIM_MPI_MAX_MESSAGE"))
            m = std::min(m, static_cast<std::size_t>(std::strtoull(v, nullptr, 10)));
        return m;
    }();
    return limit;
}

inline void send(const std::string &bytes, int to, int tag) {
    if (bytes.size() > max_message())
        throw std::runtime_error("a run's result is too large for one MPI message");
    MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

inline std::string index_bytes(std::uint64_t i) {
    std::string b(sizeof i, '\0');
    std::memcpy(b.data(), &i, sizeof i);
    return b;
}

inline std::uint64_t index_of(const std::string &bytes) {
    if (bytes.size() < sizeof(std::uint64_t)) throw std::runtime_error("short MPI message");
    std::uint64_t i = 0;
    std::memcpy(&i, bytes.data(), sizeof i);
    return i;
}

// The next message from `from` (MPI_ANY_SOURCE: anyone) if one has arrived.
inline bool receive(int from, int &source, int &tag, std::string &bytes) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag) return false;
    int n = 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    bytes.assign(static_cast<std::size_t>(n), '\0');
    MPI_Recv(bytes.data(), n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    source = st.MPI_SOURCE;
    tag = st.MPI_TAG;
    return true;
}

// After agree(0), on every rank: do all ranks hold the same resolved scenario, run count and
// --trace (a hash of each, compared collectively)? Rank 0 throws ConfigError if not; the other
// ranks return false and exit 2 silently (session.cpp).
bool same_scenario(const Scenario &sc, std::uint32_t trace_sessions);

} // namespace statesim::mpi::protocol
