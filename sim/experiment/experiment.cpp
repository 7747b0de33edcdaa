#include "statesim/experiment/experiment.hpp"
#include "statesim/experiment/simulate.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace statesim {
namespace {

// The address of run i in (point, architecture, replication) order.
RunRecord record_of(const Scenario &sc, std::size_t i) {
    const auto reps = static_cast<std::size_t>(sc.replications);
    RunRecord rec;
    while (i >= sc.points.at(rec.point).architectures.size() * reps)
        i -= sc.points[rec.point++].architectures.size() * reps;
    rec.architecture = i / reps;
    rec.replication = static_cast<int>(i % reps);
    rec.seed = replication_seed(sc, rec.replication);
    return rec;
}

// Hands out run indices in order, holds finished runs until their turn, and passes them on.
// Its state is guarded by `mutex_` (the halt flag, which runs poll, is atomic).
class Scheduler {
  public:
    Scheduler(std::size_t total, std::size_t window,
              const std::function<void(RunRecord &&)> &consume,
              const std::function<void(std::size_t, std::size_t)> &progress)
        : total_(total), window_(window), consume_(consume), progress_(progress) {}

    // The next run to do, or nothing when all are handed out, a stop was asked or a run failed.
    // Waits while `window` results are already ahead of the next one to consume.
    bool next(std::size_t &i, const std::atomic<bool> *stop) {
        std::unique_lock lock(mutex_);
        room_.wait(lock, [&] { return failed() || next_ >= total_ || next_ < emitted_ + window_; });
        if (failed() || next_ >= total_ || halt_.load() || (stop && stop->load())) return false;
        i = next_++;
        return true;
    }

    // Stores a finished run and consumes every run that is now next in order.
    void done(std::size_t i, RunRecord &&rec) {
        std::lock_guard lock(mutex_);
        if (failed()) return; // the experiment is over: nothing more reaches the consumer
        held_.emplace(i, std::move(rec));
        try {
            for (auto it = held_.begin(); it != held_.end() && it->first == emitted_;
                 it = held_.erase(it), ++emitted_)
                consume_(std::move(it->second));
        } catch (...) {
            fail_locked(std::current_exception());
        }
        room_.notify_all();
        if (progress_) progress_(++finished_, total_);
    }

    void fail(std::exception_ptr e) {
        std::lock_guard lock(mutex_);
        fail_locked(e);
    }

    // What the runs watch to end early: set on a failure (or forwarded from SIGINT).
    std::atomic<bool> &halt() { return halt_; }

    // After every worker has returned: rethrows the first failure.
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

  private:
    bool failed() const { return error_ != nullptr; }
    void fail_locked(std::exception_ptr e) {
        if (!error_) error_ = e; // the first failure is the one reported
        halt_.store(true);       // the runs still going are cut short: their results are moot
        room_.notify_all();
    }

    const std::size_t total_, window_;
    const std::function<void(RunRecord &&)> &consume_;
    const std::function<void(std::size_t, std::size_t)> &progress_;
    std::mutex mutex_;
    std::condition_variable room_;
    std::size_t next_ = 0, emitted_ = 0, finished_ = 0;
    std::map<std::size_t, RunRecord> held_; // finished, waiting for an earlier run
    std::exception_ptr error_;
    std::atomic<bool> halt_{false};
};

} // namespace

std::size_t run_count(const Scenario &sc) {
    std::size_t total = 0;
    for (const auto &p : sc.points)
        total += p.architectures.size() * static_cast<std::size_t>(sc.replications);
    return total;
}

RunRecord run_one(const Scenario &sc, std::size_t i, const RunFunction &run,
                  const std::atomic<bool> *stop, std::uint32_t trace_sessions) {
    RunRecord rec = record_of(sc, i);
    RunSpec spec = RunSpec::of(sc, rec.seed);
    spec.stop = stop;
    if (rec.replication == 0) spec.trace_sessions = trace_sessions;
    rec.result = (run ? run : RunFunction(simulate))(
        sc.points[rec.point].architectures[rec.architecture], spec);
    rec.done = !rec.result.interrupted;
    return rec;
}

std::uint64_t replication_seed(const Scenario &sc, int replication) {
    return sc.seed + static_cast<std::uint64_t>(replication);
}

void run_experiment(const Scenario &sc, const ExperimentOptions &options,
                    const std::function<void(RunRecord &&)> &consume) {
    if (options.distribute) return options.distribute(sc, options, consume);
    const std::size_t total = run_count(sc);
    const int jobs = std::max(1, options.jobs);
    const std::size_t window = options.window ? options.window : 4 * static_cast<std::size_t>(jobs);
    const RunFunction run = options.run ? options.run : RunFunction(simulate);
    Scheduler scheduler(total, window, consume, options.progress);

    auto worker = [&] {
        std::size_t i = 0;
        while (scheduler.next(i, options.stop)) {
            try {
                scheduler.done(i, run_one(sc, i, run, &scheduler.halt(), options.trace_sessions));
            } catch (...) {
                // Never let an exception leave a thread (std::terminate): report it instead.
                scheduler.fail(std::current_exception());
            }
        }
    };
    {
        // The model watches one flag: forward the caller's stop (SIGINT) to the halt flag.
        std::jthread forward_stop([&](std::stop_token token) {
            while (options.stop && !token.stop_requested()) {
                if (options.stop->load()) scheduler.halt().store(true);
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
        std::vector<std::jthread> pool;
        for (int j = 1; j < jobs; ++j)
            pool.emplace_back(worker);
        worker();
    } // joins
    scheduler.rethrow();
}

std::vector<RunRecord> run_experiment(const Scenario &sc, const ExperimentOptions &options) {
    std::vector<RunRecord> runs;
    run_experiment(sc, options, [&](RunRecord &&r) { runs.push_back(std::move(r)); });
    return runs;
}

} // namespace statesim
