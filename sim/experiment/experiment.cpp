#include "statesim/experiment/experiment.hpp"

#include <filesystem>
#include <mutex>
#include <thread>

#include "statesim/model/cluster_model.hpp"
#include "statesim/output/atomic_file.hpp"
#include "statesim/output/writers.hpp"

namespace statesim {

std::uint64_t replication_seed(const Scenario &sc, int replication) {
    return sc.seed + static_cast<std::uint64_t>(replication);
}

std::vector<RunRecord> run_experiment(const Scenario &sc, const ExperimentOptions &options) {
    std::vector<RunRecord> runs;
    for (std::size_t p = 0; p < sc.points.size(); ++p)
        for (std::size_t a = 0; a < sc.points[p].architectures.size(); ++a)
            for (int r = 0; r < sc.replications; ++r) {
                RunRecord rec;
                rec.point = p;
                rec.architecture = a;
                rec.replication = r;
                rec.seed = replication_seed(sc, r);
                runs.push_back(std::move(rec));
            }

    std::atomic<std::size_t> next{0};
    std::size_t finished = 0;
    std::mutex progress_mutex;
    auto worker = [&] {
        for (;;) {
            if (options.stop && options.stop->load()) return;
            const std::size_t i = next.fetch_add(1);
            if (i >= runs.size()) return;
            RunRecord &rec = runs[i];
            RunSpec spec = RunSpec::of(sc, rec.seed);
            spec.stop = options.stop;
            ClusterModel model(sc.points[rec.point].architectures[rec.architecture], spec);
            rec.result = model.run();
            rec.done = !rec.result.interrupted;
            std::lock_guard lock(progress_mutex);
            ++finished;
            if (options.progress) options.progress(finished, runs.size());
        }
    };
    const int jobs = std::max(1, options.jobs);
    std::vector<std::jthread> pool;
    for (int j = 1; j < jobs; ++j)
        pool.emplace_back(worker);
    worker();
    pool.clear(); // joins
    return runs;
}

void write_outputs(const Scenario &sc, const std::vector<RunRecord> &runs, const std::string &dir) {
    std::filesystem::create_directories(dir);
    // Render everything first so a failure leaves no mix of old and new files.
    const std::string summary = summary_csv(sc, runs);
    const std::string aggregate = aggregate_csv(sc, runs);
    const std::string timeseries = timeseries_csv(sc, runs);
    write_atomically(dir + "/summary.csv", summary);
    write_atomically(dir + "/aggregate.csv", aggregate);
    write_atomically(dir + "/timeseries.csv", timeseries);
    write_atomically(dir + "/resolved.yaml", sc.resolved_yaml);
}

} // namespace statesim
