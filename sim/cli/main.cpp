// statesim command line: the only user of Boost.Program_options.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "bench.hpp"
#include "statesim/config/load_scenario.hpp"
#include "statesim/config/presets.hpp"
#include "statesim/experiment/analyze.hpp"
#include "statesim/experiment/experiment.hpp"
#include "statesim/experiment/mpi_sweep.hpp"
#include "statesim/output/output_dir.hpp"
#include "statesim/output/writers.hpp"

namespace po = boost::program_options;
using namespace statesim;

namespace {

// Set by SIGINT or SIGTERM; the only global, because a signal handler can reach nothing else.
std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) {
    g_interrupted.store(true);
}

constexpr const char *kUsage = R"(statesim — stateful vs stateless server clusters, side by side

usage:
  statesim run CONFIG.yaml [--out DIR] [--seed N] [--replications R] [--jobs J]
                           [--set KEY=VALUE]... [--duration D] [--quiet] [--trace N]
  statesim check CONFIG.yaml [--set KEY=VALUE]...   validate; print the resolved config
  statesim analyze CONFIG.yaml [--set KEY=VALUE]... [--simulate [--jobs J]]
                                                    analytic predictions where the model allows;
                                                    --simulate also runs the scenario's
                                                    replications (--jobs threads, default 2) and
                                                    prints the simulated mean ± 95% CI of each
                                                    predicted metric beside it
  statesim presets                                  list architecture presets
  statesim bench phold [--lps N] [--events-per-lp K] [--end T]
  statesim bench hold [--pending N] [--events E]
  statesim bench cluster [--scale X] [--duration D] [--dynamics]
  statesim bench serverless [--rate R] [--duration D]
  statesim --help | --version

examples:
  statesim run scenarios/ecommerce-rearchitecture.yaml
  statesim run shop.yaml --replications 10 --jobs 2 --set cluster.nodes=8
  statesim run shop.yaml --set workload.sessions.arrival.rate=200/s --duration 30m --quiet
  statesim run scenarios/node-failures.yaml --trace 3   (trace.csv: 3 sessions, event by event)
  statesim check shop.yaml
  statesim analyze scenarios/node-failures.yaml --simulate --set replications=3
  statesim bench phold --lps 10000 --end 2000

exit codes: 0 success, 1 internal error, 2 bad usage or invalid config (nothing written),
            130 interrupted (finished runs are written, every file complete)
)";

struct RunArgs {
    std::string config, out;
    std::vector<std::string> sets;
    long long seed = -1, replications = -1;
    int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string duration;
    long long trace = 0; // --trace N: sessions to follow per architecture
    bool quiet = false;
    bool simulate = false; // analyze --simulate
};

// --trace N keeps every event of N sessions per architecture in memory until its run ends.
constexpr long long kMaxTrace = 1000000;

// Parses `run`/`check`/`analyze` arguments; throws po::error on bad usage. `analyze` adds
// --simulate and --jobs (default 2).
RunArgs parse_run_args(const std::string &command, const std::vector<std::string> &args, bool full,
                       bool analyze = false) {
    RunArgs a;
    if (analyze) a.jobs = 2;
    po::options_description opts;
    opts.add_options()("config", po::value(&a.config), "scenario file")(
        "set", po::value(&a.sets)->composing(), "KEY=VALUE override");
    if (full)
        opts.add_options()("out", po::value(&a.out), "output directory")("seed", po::value(&a.seed),
                                                                         "master seed")(
            "replications", po::value(&a.replications),
            "replications")("jobs", po::value(&a.jobs), "worker threads (default: all cores)")(
            "duration", po::value(&a.duration),
            "measured simulated time")("quiet", po::bool_switch(&a.quiet), "no table, no progress");
    if (full)
        opts.add_options()("trace", po::value(&a.trace),
                           "write trace.csv: every event of the first N measured sessions");
    if (analyze)
        opts.add_options()("simulate", po::bool_switch(&a.simulate),
                           "also run the replications and print the simulated values")(
            "jobs", po::value(&a.jobs), "worker threads for --simulate (default 2)");
    po::positional_options_description pos;
    pos.add("config", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    // CONFIG.yaml is positional: po would call it "the option '--config'".
    if (!vm.count("config"))
        throw po::error(
            fmt::format("CONFIG.yaml is missing: statesim {} CONFIG.yaml ...", command));
    if (vm.count("out") && a.out.empty())
        throw po::error("--out needs a directory, found an empty value (without --out, run "
                        "writes to results/<scenario name>/)");
    if (analyze && vm.count("jobs") && !a.simulate)
        throw po::error("--jobs needs --simulate (it sets the threads that simulate the "
                        "replications)");
    if (a.jobs < 1 || a.jobs > 1024) throw po::error("--jobs must be between 1 and 1024");
    if (vm.count("seed") && a.seed < 0) throw po::error("--seed must be a non-negative integer");
    if (vm.count("replications") && a.replications < 1)
        throw po::error("--replications must be at least 1");
    if (a.trace < 0 || a.trace > kMaxTrace)
        throw po::error(
            fmt::format("--trace must be a number of sessions from 0 to {}", kMaxTrace));
    return a;
}

LoadOptions load_options(const RunArgs &a) {
    LoadOptions o;
    o.sets = a.sets;
    // The shorthands are --set flags inside; messages name the flag the user typed.
    auto shorthand = [&](const std::string &key, const std::string &value) {
        o.sets.push_back(key + "=" + value);
        o.set_flags.resize(o.sets.size());
        o.set_flags.back() = fmt::format("--{} {}", key, value);
    };
    if (a.seed >= 0) shorthand("seed", std::to_string(a.seed));
    if (a.replications > 0) shorthand("replications", std::to_string(a.replications));
    if (!a.duration.empty()) shorthand("duration", a.duration);
    return o;
}

// A progress bar with ETA on stderr, only when stderr is a terminal. A bar left unfinished (an
// interruption, an error) is ended with a newline, so the message after it starts a line.
class Progress {
  public:
    explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;
    ~Progress() { end(); }
    void end() {
        if (open_) std::fputc('\n', stderr);
        open_ = false;
    }
    void update(std::size_t done, std::size_t total) {
        if (!enabled_) return;
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double eta =
            done ? elapsed * static_cast<double>(total - done) / static_cast<double>(done) : 0;
        const std::size_t width = 30, filled = total ? width * done / total : width;
        std::fprintf(stderr, "\r[%s%s] %zu/%zu runs, ETA %.0fs ", std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), done, total, eta);
        open_ = done != total;
        if (!open_) std::fprintf(stderr, "\n");
    }

  private:
    bool enabled_;
    bool open_ = false; // a bar is on the line, not ended yet
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A line on stderr in one write: under mpirun the ranks share it, and a message written in
// pieces interleaves with another rank's mid-line.
void print_line(std::string line) {
    line += '\n';
    for (std::size_t done = 0; done < line.size();) {
        const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

// "error: " before a message that lacks it.
std::string error_line(const std::string &message) {
    return message.starts_with("error:") ? message : "error: " + message;
}

void print_warnings(const Scenario &sc) {
    for (const auto &w : sc.warnings)
        print_line(w);
}

int cmd_run(const std::vector<std::string> &args) {
    const RunArgs a = parse_run_args("run", args, true);
    const Scenario sc = load_scenario(a.config, load_options(a));
    if (mpi::world().rank > 0) // rank 0 writes and prints
        return mpi::serve_runs(sc, a.jobs, static_cast<std::uint32_t>(a.trace));
    print_warnings(sc);
    const std::string out = a.out.empty() ? "results/" + sc.name : a.out;
    // Before any simulation: an unwritable --out is bad usage, not a failure after the run.
    std::optional<OutputDir> dir;
    try {
        dir.emplace(out);
    } catch (const std::exception &e) {
        print_line(fmt::format("error: --out {}: cannot write: {}", out, e.what()));
        return 2;
    }
    // SIGTERM (kill, timeout, systemd, Slurm) stops a run as Ctrl-C does: finished runs
    // written, no staging directory left.
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
    Progress progress(!a.quiet);
    ExperimentOptions opts;
    opts.jobs = a.jobs;
    if (mpi::world().size > 1) opts.distribute = mpi::coordinate;
    opts.stop = &g_interrupted;
    opts.progress = [&](std::size_t d, std::size_t t) { progress.update(d, t); };
    ResultWriter writer(sc, *dir);
    if (a.trace > 0) { // trace.csv: replication 0's first N sessions of each architecture
        writer.enable_trace();
        opts.trace_sessions = static_cast<std::uint32_t>(a.trace);
    }
    run_experiment(sc, opts, [&](RunRecord &&r) { writer.add(r); });
    progress.end();
    // Interrupted: nothing finished writes nothing, and a partial set never replaces a
    // previous set in --out (Ctrl-C on a rerun must not cost the last complete results).
    const bool interrupted = g_interrupted.load();
    if (interrupted && writer.runs_finished() == 0) {
        print_line(
            fmt::format("interrupted: no run finished; nothing written ({} untouched)", out));
        return 130;
    }
    if (interrupted) dir->keep_existing();
    // The analytic cross-check beside the simulated means, for the report.
    writer.attach("analyze.txt", analyze_scenario(sc, &writer.metrics()));
    writer.finish();
    // Where the set went: --out as typed, or the sibling of an interrupted rerun.
    const bool beside = dir->written_to() != dir->target();
    const std::string written = beside ? dir->written_to() : out;
    if (!a.quiet) {
        std::cout << writer.table_text();
        std::cout << fmt::format("\nwrote {}/summary.csv, aggregate.csv, timeseries.csv, "
                                 "events.csv, latency_histogram.csv, table.txt, warnings.txt, "
                                 "analyze.txt, resolved.yaml{}\n",
                                 written, a.trace > 0 ? ", trace.csv" : "");
    }
    if (interrupted) {
        print_line(!beside
                       ? "interrupted: wrote the runs that finished"
                       : fmt::format("interrupted: wrote the runs that finished to {}; {} keeps "
                                     "the previous results",
                                     written, out));
        return 130;
    }
    return 0;
}

int cmd_check(const std::vector<std::string> &args) {
    const RunArgs a = parse_run_args("check", args, false);
    const Scenario sc = load_scenario(a.config, load_options(a));
    if (mpi::world().rank > 0) return 0; // every rank validates; rank 0 prints
    print_warnings(sc);
    std::cout << "# " << a.config
              << ": valid; keys marked `# default` were filled in; every key is described in "
                 "docs/configuration.md\n"
              << describe_resolved(sc);
    return 0;
}

int cmd_analyze(const std::vector<std::string> &args) {
    const RunArgs a = parse_run_args("analyze", args, false, true);
    const Scenario sc = load_scenario(a.config, load_options(a));
    // Every rank validates; rank 0 prints and simulates (--simulate) on its own --jobs threads.
    if (mpi::world().rank > 0) return 0;
    print_warnings(sc);
    if (!a.simulate) {
        std::cout << analyze_scenario(sc);
        return 0;
    }
    // --simulate: the scenario's replications, as `run` does them, kept in memory only.
    Progress progress(true);
    ExperimentOptions opts;
    opts.jobs = a.jobs;
    opts.progress = [&](std::size_t d, std::size_t t) { progress.update(d, t); };
    RunMetrics simulated(sc);
    run_experiment(sc, opts, [&](RunRecord &&r) { simulated.add(r); });
    progress.end();
    std::cout << analyze_scenario(sc, &simulated);
    return 0;
}

int cmd_presets(const std::vector<std::string> &args) {
    if (!args.empty())
        throw po::error(fmt::format("presets takes no arguments, found \"{}\"", args[0]));
    for (const auto &p : presets()) {
        std::string keys;
        for (const auto &[k, v] : p.keys)
            keys += fmt::format("{}{}={}", keys.empty() ? "" : ", ", k, v);
        std::cout << fmt::format("{:<20} {} (sets {})\n", p.name, p.summary, keys); // one line
    }
    return 0;
}

} // namespace

static int run_command(int argc, char **argv) {
    const std::vector<std::string> all(argv + 1, argv + argc);
    try {
        if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
            std::cout << kUsage;
            return all.empty() ? 2 : 0;
        }
        if (all[0] == "--version") {
            std::cout << "statesim " << STATESIM_VERSION << "\n";
            return 0;
        }
        const std::string cmd = all[0];
        const std::vector<std::string> rest(all.begin() + 1, all.end());
        for (const auto &r : rest)
            if (r == "--help" || r == "-h") {
                if (cmd == "bench") break;
                std::cout << kUsage;
                return 0;
            }
        if (cmd == "run") return cmd_run(rest);
        if (cmd == "check") return cmd_check(rest);
        if (cmd == "analyze") return cmd_analyze(rest);
        if (cmd == "presets") return cmd_presets(rest);
        if (cmd == "bench") return cli::run_bench(rest);
        print_line(fmt::format("error: unknown command \"{}\"; expected run, check, analyze, "
                               "presets or bench (see statesim --help)",
                               cmd));
        return 2;
    } catch (const ConfigError &e) {
        print_line(error_line(e.what()));
        return 2;
    } catch (const OutputError &e) {
        print_line(fmt::format("error: cannot write the output: {}", e.what()));
        return 1;
    } catch (const po::error &e) {
        print_line(error_line(e.what()) + " (see statesim --help)");
        return 2;
    } catch (const std::exception &e) {
        print_line(fmt::format("internal error: {}", e.what()));
        return 1;
    }
}

int main(int argc, char **argv) {
    // Under mpirun or srun every rank starts MPI here and ends it after the command.
    if (!mpi::start()) return 2;
    return mpi::finish(run_command(argc, argv));
}
