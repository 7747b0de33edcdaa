#include "bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include "statesim/config/load_scenario.hpp"
#include "statesim/config/units.hpp"
#include "statesim/engine/event_queue.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/experiment/simulate.hpp"

namespace po = boost::program_options;

namespace statesim::cli {
namespace {

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void report(const char *bench, std::uint64_t events, double wall, const std::string &extra) {
    fmt::print("bench={} events={} wall_s={:.3f} events_per_s={:.0f} peak_rss_mb={:.1f}{}\n", bench,
               events, wall, static_cast<double>(events) / wall, peak_rss_mb(), extra);
}

// PHOLD (SPEC §2): N LPs with K initial events each at exp(1); every event schedules one event
// at a uniformly drawn LP after 0.1 + exp(1) simulated seconds; runs until time T.
int phold(std::uint64_t lps, std::uint64_t per_lp, double end_s) {
    EventQueue q;
    Rng rng(1, "phold");
    std::vector<std::uint64_t> handled(lps, 0); // per-LP state, touched by every event
    for (std::uint64_t lp = 0; lp < lps; ++lp)
        for (std::uint64_t k = 0; k < per_lp; ++k)
            q.push(from_seconds(rng.exponential(1.0)), 0, static_cast<std::uint32_t>(lp), 0);
    const SimTime end = from_seconds(end_s);
    const SimTime lookahead = from_seconds(0.1);
    std::uint64_t events = 0;
    const auto t0 = Clock::now();
    while (!q.empty()) {
        const Event e = q.pop();
        if (e.time > end) break;
        ++handled[e.target];
        ++events;
        const auto dest = static_cast<std::uint32_t>(rng.below(lps));
        q.push(e.time + lookahead + from_seconds(rng.exponential(1.0)), 0, dest, 0);
    }
    report("phold", events, seconds_since(t0),
           fmt::format(" lps={} events_per_lp={} end={}", lps, per_lp, end_s));
    return 0;
}

// Classic hold model: N pending events; each pop schedules one event exp(1) later.
int hold(std::uint64_t pending, std::uint64_t events) {
    EventQueue q;
    Rng rng(1, "hold");
    for (std::uint64_t i = 0; i < pending; ++i)
        q.push(from_seconds(rng.exponential(1.0)), 0, 0, 0);
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < events; ++i) {
        const Event e = q.pop();
        q.push(e.time + from_seconds(rng.exponential(1.0)), 0, 0, 0);
    }
    report("hold", events, seconds_since(t0), fmt::format(" pending={}", pending));
    return 0;
}

// The flagship's architectures (traffic x scale): simulated requests per wall-second.
const char *kClusterBench = R"(
name: bench-cluster
duration: 10m
warmup: 0s
replications: 1
workload:
  sessions:
    arrival: {process: poisson, rate: 30/s}
    requests: {dist: geometric, mean: 10}
    think_time: {dist: exponential, mean: 5s}
  request:
    service_time: {dist: lognormal, mean: 20ms, cv: 1.0}
    write_fraction: 0.4
    state_growth: 300B
network:
  hop_latency: {dist: lognormal, mean: 0.5ms, cv: 0.5}
cluster: {nodes: 4, workers: 16}
state: {}
failures:
  events: [{at: 5m, kill: node, count: 1}]
architectures:
  - {name: stateful-nonsticky, preset: stateful-nonsticky}
  - {name: stateful-sticky, preset: stateful-sticky}
  - {name: stateless-dynamodb, preset: stateless-dynamodb, set: {state.store.capacity: 1000000/s}}
)";

// --dynamics: each node fails after exp(4 h) from its boot and is replaced (at scale 10, one
// failure every ~6 simulated minutes), target tracking at 40% cpu, and a rolling deployment
// (25% batches) at 5 min.
const std::vector<std::string> kDynamics = {"failures.nodes.mtbf={dist: exponential, mean: 4h}",
                                            "failures.nodes.mttr=10m",
                                            "failures.events=[{at: 5m, deploy: rolling}]",
                                            "failures.deployments.batch=25%",
                                            "autoscaling.enabled=true",
                                            "autoscaling.target=40%",
                                            "autoscaling.min=1",
                                            "autoscaling.max=4096",
                                            "autoscaling.evaluation_period=30s"};

int cluster(double scale, const std::string &duration, bool dynamics) {
    LoadOptions opts;
    opts.sets = {fmt::format("workload.sessions.arrival.rate={}/s", 30 * scale),
                 fmt::format("cluster.nodes={}", static_cast<int>(4 * scale + 0.5)),
                 "duration=" + duration};
    if (dynamics) opts.sets.insert(opts.sets.end(), kDynamics.begin(), kDynamics.end());
    const Scenario sc = load_scenario_text(kClusterBench, "bench-cluster", opts);
    std::uint64_t events = 0, requests = 0, marked = 0, sessions_peak = 0;
    const auto t0 = Clock::now();
    for (const auto &arch : sc.points[0].architectures) {
        const RunSpec spec = RunSpec::of(sc, 1);
        const RunResult r = simulate(arch, spec);
        events += r.sim_events;
        requests += r.attempts_simulated; // the drain after the window included
        marked += r.events.size();        // kills, scaling, deployment batches, ...
        sessions_peak = std::max(sessions_peak, r.sessions_peak);
    }
    const double wall = seconds_since(t0);
    report("cluster", events, wall,
           fmt::format(" requests={} requests_per_s={:.0f} sessions_peak={} "
                       "peak_bytes_per_session={:.0f} scale={} duration={} marked_events={}{}",
                       requests, static_cast<double>(requests) / wall, sessions_peak,
                       peak_rss_mb() * 1024 * 1024 /
                           static_cast<double>(std::max<std::uint64_t>(sessions_peak, 1)),
                       scale, duration, marked, dynamics ? " dynamics=on" : ""));
    return 0;
}

// One function behind the serverless runtime (SPEC §2): one-request sessions at a Poisson
// rate, a 10-minute keep-alive, cold starts, no state.
const char *kServerlessBench = R"(
name: bench-serverless
warmup: 0s
replications: 1
workload:
  sessions:
    arrival: {process: poisson, rate: 1000/s}
    requests: 1
  request: {service_time: {dist: lognormal, mean: 20ms, cv: 1.0}}
cluster: {runtime: serverless}
serverless:
  cold_start: {dist: lognormal, mean: 400ms, cv: 0.5}
  idle_timeout: 10m
)";

int serverless(const std::string &rate, const std::string &duration) {
    LoadOptions opts;
    opts.sets = {"workload.sessions.arrival.rate=" + rate, "duration=" + duration};
    const Scenario sc = load_scenario_text(kServerlessBench, "bench-serverless", opts);
    const auto t0 = Clock::now();
    const RunResult r = simulate(sc.points[0].architectures[0], RunSpec::of(sc, 1));
    const double wall = seconds_since(t0);
    report("serverless", r.sim_events, wall,
           fmt::format(" requests={} requests_per_s={:.0f} rate={} duration={} cold_starts={} "
                       "environments_mean={:.2f}",
                       r.attempts_simulated, static_cast<double>(r.attempts_simulated) / wall, rate,
                       duration, r.cold_starts, r.environments_mean));
    return 0;
}

} // namespace

int run_bench(const std::vector<std::string> &args) {
    if (args.empty()) {
        std::cerr << "error: bench: expected one of phold, hold, cluster, serverless\n";
        return 2;
    }
    if (args[0] == "--help" || args[0] == "-h") {
        std::cout << "usage: statesim bench phold|hold|cluster|serverless [options]\n"
                     "  statesim bench <name> --help   the options of one benchmark\n";
        return 0;
    }
    const std::string which = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    po::options_description opts("bench options");
    std::uint64_t lps = 10000, per_lp = 1, pending = 1000000, events = 20000000;
    double end = 2000, scale = 10;
    bool dynamics = false;
    std::string duration = "10m", rate = "1000/s";
    if (which == "phold")
        opts.add_options()("lps", po::value(&lps)->default_value(lps), "logical processes")(
            "events-per-lp", po::value(&per_lp)->default_value(per_lp), "initial events per LP")(
            "end", po::value(&end)->default_value(end), "simulated end time (s)");
    else if (which == "hold")
        opts.add_options()("pending", po::value(&pending)->default_value(pending),
                           "pending events")("events", po::value(&events)->default_value(events),
                                             "events to process");
    else if (which == "cluster")
        opts.add_options()("scale", po::value(&scale)->default_value(scale),
                           "traffic and nodes x the flagship's")(
            "duration", po::value(&duration)->default_value(duration), "simulated time")(
            "dynamics", po::bool_switch(&dynamics),
            "node failures (MTBF 4h), target-tracking autoscaling and a rolling deployment");
    else if (which == "serverless")
        opts.add_options()("rate", po::value(&rate)->default_value(rate),
                           "requests per unit of time (Poisson), e.g. 0.9/s")(
            "duration", po::value(&duration)->default_value("1h"), "simulated time");
    else {
        std::cerr << fmt::format("error: bench: unknown benchmark \"{}\"; expected one of "
                                 "phold, hold, cluster, serverless\n",
                                 which);
        return 2;
    }
    opts.add_options()("help,h", "this help");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(rest).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        std::cerr << "error: bench " << which << ": " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << opts;
        return 0;
    }
    if (which == "phold") {
        if (lps == 0 || lps > UINT32_MAX || per_lp == 0 || end <= 0) {
            std::cerr << "error: bench phold: --lps, --events-per-lp and --end must be > 0\n";
            return 2;
        }
        return phold(lps, per_lp, end);
    }
    if (which == "hold") {
        if (pending == 0) {
            std::cerr << "error: bench hold: --pending must be > 0\n";
            return 2;
        }
        return hold(pending, events);
    }
    if (which == "serverless") {
        for (const auto &[flag, parsed] :
             {std::pair{"--rate", units::rate(rate)}, {"--duration", units::duration(duration)}})
            if (!parsed.ok()) {
                std::cerr << fmt::format("error: bench serverless: {}: {}\n", flag, parsed.error);
                return 2;
            }
        try {
            return serverless(rate, duration);
        } catch (const ConfigError &e) { // a value the scenario refuses (0/s, too long a run)
            // The values reach the scenario as --set flags: name the flags the user typed.
            std::string message = e.what();
            for (const auto &[set, flag] :
                 {std::pair{"error: --set workload.sessions.arrival.rate=",
                            "error: bench serverless: --rate "},
                  {"error: --set duration=", "error: bench serverless: --duration "}})
                if (message.starts_with(set)) message = flag + message.substr(std::strlen(set));
            std::cerr << message << "\n";
            return 2;
        }
    }
    if (scale <= 0 || scale > 1000) {
        std::cerr << "error: bench cluster: --scale must be in (0, 1000]\n";
        return 2;
    }
    return cluster(scale, duration, dynamics);
}

} // namespace statesim::cli
