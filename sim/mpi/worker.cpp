// Ranks > 0 of a sweep: ask rank 0 for runs, simulate them `jobs` at once, send the records.
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "protocol.hpp"
#include "statesim/experiment/mpi_sweep.hpp"
#include "statesim/output/run_record_codec.hpp"

namespace statesim::mpi {

namespace {

using namespace protocol;

// A signal to this rank (mpirun sends SIGTERM to all on Ctrl-C; scancel may send SIGINT):
// cut the runs short and tell rank 0 (kStop), which stops the sweep, rather than die and lose
// its files. Heard until rank 0 ends the sweep (kEnd), even once this rank has no more runs.
std::atomic<bool> g_signalled{false};
extern "C" void on_signal(int) {
    g_signalled.store(true);
}

struct Slot {
    std::jthread thread;
    std::atomic<bool> finished{false};
    std::uint64_t index = 0;
    RunRecord record;
    std::string error; // what the run threw, if it did
};

} // namespace

int serve_runs(const Scenario &sc, int jobs, std::uint32_t trace_sessions) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    if (const int code = agree(0)) return code;       // another rank failed before the sweep
    if (!same_scenario(sc, trace_sessions)) return 2; // rank 0 says why
    std::atomic<bool> halt{false};
    std::vector<std::unique_ptr<Slot>> busy;
    const auto slots = static_cast<std::size_t>(std::max(1, jobs));
    bool asked = false, no_more = false, stop_sent = false;
    for (;;) {
        if (g_signalled.load()) {
            halt.store(true);
            // Rank 0 stops the sweep as for its own signal, even if no run here was cut short.
            if (!stop_sent) send({}, 0, kStop);
            stop_sent = true;
        }
        for (auto it = busy.begin(); it != busy.end();) {
            Slot &sl = **it;
            if (!sl.finished.load()) {
                ++it;
                continue;
            }
            sl.thread.join();
            // Encoding or sending may throw too (bad_alloc, too large a record): rank 0 hears
            // of it as of a failed run rather than wait for this run for ever.
            std::string failure = sl.error;
            if (failure.empty()) {
                try {
                    send(index_bytes(sl.index) + encode_record(sl.record), 0, kResult);
                } catch (const std::exception &e) {
                    failure = e.what()[0] ? e.what() : "unknown error";
                } catch (...) {
                    failure = "unknown error";
                }
            }
            if (!failure.empty()) send(failure, 0, kFailed);
            it = busy.erase(it);
        }
        if (!no_more && !asked && busy.size() < slots) {
            send({}, 0, kReady);
            asked = true;
        }
        int from = 0, tag = 0;
        std::string bytes;
        while (receive(0, from, tag, bytes)) {
            if (tag == kHalt) {
                halt.store(true);
            } else if (tag == kEnd) {
                send({}, 0, kBye);
                return 0;
            } else if (tag == kAssign) {
                asked = false;
                const std::uint64_t i = index_of(bytes);
                if (i == kNoMore) {
                    no_more = true;
                    continue;
                }
                auto sl = std::make_unique<Slot>();
                sl->index = i;
                Slot *p = sl.get();
                p->thread = std::jthread([&sc, &halt, p, trace_sessions] {
                    try {
                        p->record = run_one(sc, p->index, {}, &halt, trace_sessions);
                    } catch (const std::exception &e) {
                        p->error = e.what()[0] ? e.what() : "unknown error";
                    } catch (...) {
                        p->error = "unknown error";
                    }
                    p->finished.store(true);
                });
                busy.push_back(std::move(sl));
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

} // namespace statesim::mpi
