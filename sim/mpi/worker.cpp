// Ranks > 0 of a sweep: ask rank 0 for runs, simulate them `jobs` at once, send the records.
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include "protocol.hpp"
#include "statesim/experiment/mpi_sweep.hpp"
#include "statesim/output/run_record_codec.hpp"

namespace statesim::mpi {

namespace {

using namespace protocol;

// A signal to this rank (mpirun sends SIGTERM to all on Ctrl-C; scancel may send SIGINT):
// cut the runs short and let rank 0 stop the sweep, rather than die and lose its files.
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
    if (const int code = agree(0)) return code; // another rank failed before the sweep
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::atomic<bool> halt{false};
    std::vector<std::unique_ptr<Slot>> busy;
    const auto slots = static_cast<std::size_t>(std::max(1, jobs));
    bool asked = false, no_more = false;
    for (;;) {
        if (g_signalled.load()) halt.store(true);
        for (auto it = busy.begin(); it != busy.end();) {
            Slot &sl = **it;
            if (!sl.finished.load()) {
                ++it;
                continue;
            }
            sl.thread.join();
            if (sl.error.empty())
                send(index_bytes(sl.index) + encode_record(sl.record), 0, kResult);
            else
                send(sl.error, 0, kFailed);
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
        if (no_more && busy.empty()) return 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

} // namespace statesim::mpi
