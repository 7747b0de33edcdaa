#pragma once
// The messages between rank 0 and the other ranks of a sweep. Only the main thread of a rank
// calls MPI (MPI_THREAD_FUNNELED); simulations run on other threads.
//
// A worker keeps at most one kReady unanswered; rank 0 answers it with kAssign: a run index,
// or kNoMore once nothing is left to hand out and every run it gave that worker came back, so
// that after kNoMore neither side sends the other anything. kHalt (before kNoMore only) cuts
// the runs in progress short.
#include <mpi.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace statesim::mpi::protocol {

// Worker -> rank 0.
constexpr int kReady = 1;  // a simulation slot is free
constexpr int kResult = 2; // run index (8 bytes) + encode_record()
constexpr int kFailed = 3; // a run threw: the message
// Rank 0 -> worker.
constexpr int kAssign = 10; // a run index, or kNoMore
constexpr int kHalt = 11;   // a stop (SIGINT) or a failure: cut the runs in progress short

constexpr std::uint64_t kNoMore = std::numeric_limits<std::uint64_t>::max();

inline void send(const std::string &bytes, int to, int tag) {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
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

} // namespace statesim::mpi::protocol
