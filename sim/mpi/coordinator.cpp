// Rank 0 of a sweep: hands out runs to the other ranks and to its own threads, and passes the
// finished runs to the consumer (the writer) in run order.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "protocol.hpp"
#include "statesim/config/load_scenario.hpp"
#include "statesim/experiment/mpi_sweep.hpp"
#include "statesim/output/run_record_codec.hpp"

namespace statesim::mpi {

namespace {

using namespace protocol;

// mpirun turns a Ctrl-C into SIGTERM for every rank (then SIGKILL a moment later): stop as on
// SIGINT, whose handler the caller installed.
extern "C" void term_as_int(int) {
    std::raise(SIGINT);
}

// What rank 0's message loop and its simulating threads share; guarded by `mutex`.
struct Shared {
    std::size_t total = 0, window = 0;
    std::mutex mutex;
    std::condition_variable room;          // threads wait here while the window is full
    std::size_t next = 0;                  // the next run to hand out
    std::size_t emitted = 0;               // runs consumed
    std::size_t finished = 0;              // runs back (progress)
    bool closed = false;                   // hand out nothing more: a stop or a failure
    std::map<std::size_t, RunRecord> held; // back, waiting for an earlier run
    std::exception_ptr error;
    std::atomic<bool> halt{false}; // what running simulations watch

    // The next run to hand out, if any may be (call under the lock).
    bool take(std::size_t &i) {
        if (closed || next >= total || next >= emitted + window) return false;
        i = next++;
        return true;
    }
    bool exhausted() const { return closed || next >= total; } // under the lock
    void put(std::size_t i, RunRecord &&rec) {
        std::lock_guard lock(mutex);
        held.emplace(i, std::move(rec));
        ++finished;
    }
    void close(std::exception_ptr e = nullptr) {
        std::lock_guard lock(mutex);
        if (e && !error) error = e; // the first failure is the one reported
        closed = true;
        halt.store(true);
        room.notify_all();
    }
};

void simulate_here(const Scenario &sc, const RunFunction &run, std::uint32_t trace, Shared &s) {
    for (;;) {
        std::size_t i = 0;
        {
            std::unique_lock lock(s.mutex);
            s.room.wait(lock, [&] { return s.exhausted() || s.next < s.emitted + s.window; });
            if (!s.take(i)) return;
        }
        try {
            s.put(i, run_one(sc, i, run, &s.halt, trace));
        } catch (...) {
            s.close(std::current_exception());
        }
    }
}

} // namespace

void coordinate(const Scenario &sc, const ExperimentOptions &options, const Consumer &consume) {
    if (agree(0) != 0)
        throw ConfigError("error: another MPI rank could not start the sweep (its message is "
                          "above); nothing written");
    same_scenario(sc, options.trace_sessions); // throws if another rank loaded another one
    const int ranks = world().size;
    const int jobs = std::max(1, options.jobs);
    Shared s;
    s.total = run_count(sc);
    // As on one machine, a slow early run holds back at most `window` finished ones.
    s.window = options.window
                   ? options.window
                   : 4 * static_cast<std::size_t>(jobs) * static_cast<std::size_t>(ranks);
    const auto old_term = std::signal(SIGTERM, term_as_int);

    std::vector<std::size_t> outstanding(static_cast<std::size_t>(ranks), 0);
    std::vector<bool> released(static_cast<std::size_t>(ranks), false);
    released[0] = true;
    std::vector<int> waiting; // ranks whose kReady is unanswered
    bool halt_sent = false;
    std::size_t reported = 0;

    std::atomic<int> local_running{jobs};
    std::vector<std::jthread> pool;
    for (int j = 0; j < jobs; ++j)
        pool.emplace_back([&] {
            simulate_here(sc, options.run, options.trace_sessions, s);
            --local_running;
        });

    // Another rank was signalled (its kStop, or a run of its cut short): stop as for a signal
    // here.
    auto stopped_elsewhere = [&](int from) {
        if (s.halt.load()) return;
        if (options.stop)
            std::raise(SIGINT);
        else
            s.close(std::make_exception_ptr(
                std::runtime_error(fmt::format("rank {} was interrupted", from))));
    };

    auto consume_in_order = [&] {
        for (;;) {
            RunRecord rec;
            {
                std::lock_guard lock(s.mutex);
                auto it = s.held.begin();
                if (s.error || it == s.held.end() || it->first != s.emitted) return;
                rec = std::move(it->second);
                s.held.erase(it);
            }
            try {
                consume(std::move(rec));
            } catch (...) {
                s.close(std::current_exception());
                return;
            }
            std::lock_guard lock(s.mutex);
            ++s.emitted;
            s.room.notify_all();
        }
    };

    for (;;) {
        if (options.stop && options.stop->load() && !s.halt.load()) s.close();

        int from = 0, tag = 0;
        std::string bytes;
        while (receive(MPI_ANY_SOURCE, from, tag, bytes)) {
            const auto r = static_cast<std::size_t>(from);
            if (tag == kReady) {
                waiting.push_back(from);
            } else if (tag == kResult) {
                --outstanding[r];
                try {
                    RunRecord rec = decode_record(std::string_view(bytes).substr(8));
                    // Cut short without a stop here: that rank got the signal.
                    if (rec.result.interrupted) stopped_elsewhere(from);
                    s.put(index_of(bytes), std::move(rec));
                } catch (...) {
                    s.close(std::current_exception());
                }
            } else if (tag == kFailed) {
                --outstanding[r];
                s.close(std::make_exception_ptr(
                    std::runtime_error(fmt::format("rank {}: {}", from, bytes))));
            } else if (tag == kStop) {
                stopped_elsewhere(from);
            }
        }

        if (s.halt.load() && !halt_sent) {
            for (int w = 1; w < ranks; ++w)
                if (!released[static_cast<std::size_t>(w)]) send({}, w, kHalt);
            halt_sent = true;
        }

        {
            std::lock_guard lock(s.mutex);
            for (auto it = waiting.begin(); it != waiting.end();) {
                const auto w = static_cast<std::size_t>(*it);
                std::size_t i = 0;
                if (s.take(i)) {
                    send(index_bytes(i), *it, kAssign);
                    ++outstanding[w];
                    it = waiting.erase(it);
                } else if (s.exhausted() && outstanding[w] == 0) {
                    send(index_bytes(kNoMore), *it, kAssign);
                    released[w] = true;
                    it = waiting.erase(it);
                } else {
                    ++it;
                }
            }
        }

        consume_in_order();
        if (options.progress) {
            std::size_t finished = 0;
            {
                std::lock_guard lock(s.mutex);
                finished = s.finished;
            }
            while (reported < finished)
                options.progress(++reported, s.total);
        }

        bool all_released = true;
        for (bool r : released)
            all_released = all_released && r;
        if (all_released && local_running.load() == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    pool.clear(); // joins (every thread has returned)
    consume_in_order();
    // The end: a worker signalled until it hears of it still stops the job (exit 130).
    for (int w = 1; w < ranks; ++w)
        send({}, w, kEnd);
    for (int byes = 1; byes < ranks;) {
        int from = 0, tag = 0;
        std::string bytes;
        if (!receive(MPI_ANY_SOURCE, from, tag, bytes)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        } else if (tag == kBye) {
            ++byes;
        } else if (tag == kStop) {
            stopped_elsewhere(from);
        }
    }
    std::signal(SIGTERM, old_term);
    if (s.error) std::rethrow_exception(s.error);
}

} // namespace statesim::mpi
