// Architecture keys (SPEC §4): workload, network, cluster, load balancer, state, failures,
// autoscaling, costs. Settings of features the model does not simulate yet (modelled.hpp) and
// the sections of later versions are refused rather than ignored.
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>

#include "yaml_section.hpp"

namespace statesim::config_detail {
namespace {

// Worker slots (nodes x workers) a run may allocate: beyond this, memory, not the model, decides.
constexpr long long kMaxWorkerSlots = 10'000'000;

std::shared_ptr<const std::vector<double>> read_samples(Section &s, const Node &at,
                                                        const std::string &path,
                                                        const std::string &file, bool sorted) {
    namespace fs = std::filesystem;
    fs::path p(file);
    if (p.is_relative()) p = fs::path(s.ctx().base_dir) / p;
    const std::string key = p.string() + (sorted ? "" : "\n(unsorted)");
    if (const auto it = s.ctx().samples.find(key); it != s.ctx().samples.end()) return it->second;
    // A regular file of bounded size: /dev/zero or a FIFO would be read forever.
    constexpr std::uintmax_t kMaxSampleBytes = 256u << 20;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
        fail(s.ctx(), at, path,
             fmt::format("{}: {} (a path relative to the config file's directory)",
                         fs::exists(p, ec) ? "not a regular file" : "no such file", p.string()));
    if (fs::file_size(p, ec) > kMaxSampleBytes || ec)
        s.parse_unit(at, path, [](std::string_view) {
            return units::Parsed{0, "the file is unreadable or larger than 256 MiB"};
        });
    std::ifstream in(p);
    if (!in)
        s.parse_unit(at, path, [](std::string_view) {
            return units::Parsed{0, "cannot open the file"};
        });
    auto values = std::make_shared<std::vector<double>>();
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line[0] == '#') continue;
        auto v = units::number(line);
        if (!v.ok()) {
            v = units::duration(line);
            if (!v.ok())
                fail(s.ctx(), at, path,
                     fmt::format("{}:{}: expected a number of seconds or a "
                                 "duration, found \"{}\"",
                                 p.string(), n, line));
        }
        if (v.value < 0)
            fail(s.ctx(), at, path,
                 fmt::format("{}:{}: expected a value of at least 0, found \"{}\"", p.string(), n,
                             line));
        if (v.value > units::kMaxDurationSeconds)
            fail(s.ctx(), at, path,
                 fmt::format("{}:{}: {} s is longer than the longest duration, {}", p.string(), n,
                             v.value, units::kMaxDurationText));
        values->push_back(v.value);
    }
    if (values->empty()) fail(s.ctx(), at, path, fmt::format("{} holds no values", p.string()));
    if (sorted) std::sort(values->begin(), values->end());
    s.ctx().samples.emplace(key, values);
    return values;
}

Distribution parse_random(Section &parent, const std::string &key, const char *def, Quantity q) {
    Node v = parent.value(key, def);
    const std::string path = parent.path_of(key);
    auto scalar_value = [&](const Node &n, const std::string &p) {
        if (q == Quantity::count)
            return static_cast<double>(parent.to_integer(n, p, 1, 1'000'000'000));
        return parent.parse_unit(n, p, units::duration);
    };
    if (v.IsScalar()) return Distribution::constant_value(scalar_value(v, path));
    if (!v.IsMap())
        fail(parent.ctx(), v, path,
             fmt::format("expected a {} or a map like {{dist: exponential, mean: 20ms}}, found {}",
                         q == Quantity::count ? "whole number" : "duration", describe(v)));
    Section s(parent.ctx(), v, path);
    const std::vector<std::string> kinds =
        q == Quantity::count
            ? std::vector<std::string>{"geometric", "constant"}
            : std::vector<std::string>{"constant", "exponential", "lognormal", "uniform",  "erlang",
                                       "hyperexp", "weibull",     "pareto",    "empirical"};
    const std::string kind = kinds[s.choice("dist", nullptr, kinds)];
    // Every key of this kind named before any is read: a typo (`vc`) is reported as the
    // unknown key it is, with its hint, not as the missing `cv`.
    static const std::map<std::string, std::vector<std::string>> kind_keys = {
        {"constant", {"value"}},        {"exponential", {"mean"}},
        {"lognormal", {"mean", "cv"}},  {"hyperexp", {"mean", "cv"}},
        {"uniform", {"min", "max"}},    {"erlang", {"mean", "k"}},
        {"weibull", {"mean", "shape"}}, {"pareto", {"mean", "shape"}},
        {"empirical", {"file"}},        {"geometric", {"mean"}}};
    for (const auto &k : kind_keys.at(kind))
        s.allow(k);
    s.finish();
    Distribution d;
    auto positive = [&](const std::string &k) {
        Node n = s.value(k, nullptr);
        const double x = q == Quantity::count ? s.parse_unit(n, s.path_of(k), units::number)
                                              : s.parse_unit(n, s.path_of(k), units::duration);
        if (!(x > 0))
            fail(s.ctx(), n, s.path_of(k),
                 fmt::format("expected a value greater than 0, found \"{}\"", n.Scalar()));
        return x;
    };
    if (kind == "constant") {
        d.kind = Distribution::Kind::constant;
        d.mean = scalar_value(s.value("value", nullptr), s.path_of("value"));
    } else if (kind == "exponential") {
        d.kind = Distribution::Kind::exponential;
        d.mean = positive("mean");
    } else if (kind == "lognormal" || kind == "hyperexp") {
        d.kind = kind == "lognormal" ? Distribution::Kind::lognormal : Distribution::Kind::hyperexp;
        d.mean = positive("mean");
        const double lo = kind == "hyperexp" ? 1.0 : 1e-6;
        d.cv = s.number("cv", nullptr, lo, 100);
    } else if (kind == "uniform") {
        d.kind = Distribution::Kind::uniform;
        d.min = s.duration("min", nullptr);
        d.max = s.duration("max", nullptr);
        if (d.max < d.min) fail(s.ctx(), s.node()["max"], s.path_of("max"), "expected max >= min");
        d.mean = (d.min + d.max) / 2;
    } else if (kind == "erlang") {
        d.kind = Distribution::Kind::erlang;
        d.mean = positive("mean");
        d.k = static_cast<int>(s.integer("k", nullptr, 1, 1000));
    } else if (kind == "weibull") {
        d.kind = Distribution::Kind::weibull;
        d.mean = positive("mean");
        d.shape = s.number("shape", nullptr, 0.05, 100);
    } else if (kind == "pareto") {
        d.kind = Distribution::Kind::pareto;
        d.mean = positive("mean");
        d.shape = s.number("shape", nullptr, 1.0001, 100);
    } else if (kind == "empirical") {
        d.kind = Distribution::Kind::empirical;
        const std::string file = s.scalar("file", nullptr);
        d.samples = read_samples(s, s.node()["file"], s.path_of("file"), file, true);
        d.mean = d.expected();
    } else if (kind == "geometric") {
        d.kind = Distribution::Kind::geometric;
        d.mean = s.number("mean", nullptr, 1, 1e9);
    }
    s.finish();
    d.prepare();
    return d;
}

ArrivalProcess parse_arrival(Section &parent, const std::string &key,
                             const char *default_rate = "40/s") {
    const std::string default_yaml = fmt::format("{{process: poisson, rate: {}}}", default_rate);
    Node v = parent.value(key, default_yaml.c_str());
    if (!v.IsMap())
        fail(parent.ctx(), v, parent.path_of(key),
             fmt::format("expected a map like {{process: poisson, rate: 40/s}}, found {}",
                         describe(v)));
    Section s(parent.ctx(), v, parent.path_of(key));
    ArrivalProcess a;
    const std::vector<std::string> kinds = {"poisson", "profile", "diurnal", "trace"};
    a.kind = static_cast<ArrivalProcess::Kind>(s.choice("process", "poisson", kinds));
    switch (a.kind) {
    case ArrivalProcess::Kind::poisson:
        a.rate =
            s.positive_rate("rate", default_rate, "a Poisson process with rate 0 never arrives");
        break;
    case ArrivalProcess::Kind::diurnal:
        a.rate = s.positive_rate("mean", default_rate, "a process with mean rate 0 never arrives");
        a.amplitude = s.fraction("amplitude", "0.5");
        a.period = s.positive_duration("period", "24h");
        break;
    case ArrivalProcess::Kind::profile: {
        Node pts = s.value("points", nullptr);
        const std::string path = s.path_of("points");
        if (!pts.IsSequence() || pts.size() == 0)
            fail(s.ctx(), pts, path,
                 fmt::format("expected a list of [time, rate] pairs, found {}", describe(pts)));
        for (std::size_t i = 0; i < pts.size(); ++i) {
            const std::string p = fmt::format("{}[{}]", path, i);
            const Node pt = pts[i];
            if (!pt.IsSequence() || pt.size() != 2)
                fail(s.ctx(), pt, p,
                     fmt::format("expected a [time, rate] pair, found {}", describe(pt)));
            const double t = s.parse_unit(pt[0], p, units::duration);
            const double r = s.parse_unit(pt[1], p, units::rate);
            if (!a.points.empty() && t <= a.points.back().first)
                fail(s.ctx(), pt, p, "times must increase from one point to the next");
            a.points.emplace_back(t, r);
        }
        a.rate = 0;
        for (auto &[t, r] : a.points)
            a.rate = std::max(a.rate, r);
        if (a.rate <= 0) fail(s.ctx(), pts, path, "at least one rate must be greater than 0");
        break;
    }
    case ArrivalProcess::Kind::trace: {
        const std::string file = s.scalar("file", nullptr);
        a.trace = read_samples(s, s.node()["file"], s.path_of("file"), file, true);
        break;
    }
    }
    s.finish();
    return a;
}

// Sessions open at once ~ peak arrival rate x mean session length (Little's law). Beyond the
// model's 16M session slots a run could only fail late, after gigabytes: refuse it up front.
void refuse_too_many_sessions(Section &w, const Workload &out) {
    constexpr double kMaxOpen = 16.0 * (1 << 20);
    const ArrivalProcess &a = out.arrival;
    if (a.kind == ArrivalProcess::Kind::trace) return; // bounded by the file
    const double peak =
        a.kind == ArrivalProcess::Kind::diurnal ? a.rate * (1 + a.amplitude) : a.rate;
    const double k = out.requests.expected();
    const double length = k * out.service_time.expected() + (k - 1) * out.think_time.expected();
    const double open = peak * length;
    if (open > kMaxOpen)
        fail(w.ctx(), w.node()["sessions"]["arrival"], "workload.sessions.arrival",
             fmt::format("about {:.3g} sessions would be open at once (peak rate {:.6g}/s x mean "
                         "session length {:.6g} s); statesim holds at most 16M: lower the rate, "
                         "the requests per session or the think time",
                         open, peak, length));
}

Workload parse_workload(Section &root) {
    Section w = root.child("workload");
    Workload out;
    Section sessions = w.child("sessions");
    out.arrival = parse_arrival(sessions, "arrival");
    out.requests =
        parse_random(sessions, "requests", "{dist: geometric, mean: 8}", Quantity::count);
    out.think_time =
        parse_random(sessions, "think_time", "{dist: exponential, mean: 5s}", Quantity::duration);
    sessions.finish();
    Section request = w.child("request");
    out.service_time = parse_random(request, "service_time",
                                    "{dist: lognormal, mean: 20ms, cv: 1.0}", Quantity::duration);
    out.write_fraction = request.fraction("write_fraction", "0.5");
    out.state_growth = request.size("state_growth", "300B");
    request.finish();
    Section client = w.child("client");
    out.timeout = client.positive_duration("timeout", "3s");
    Section retries = client.child("retries");
    out.max_retries = static_cast<int>(retries.integer("max", "2", 0, 100));
    out.backoff =
        parse_random(retries, "backoff", "{dist: exponential, mean: 100ms}", Quantity::duration);
    retries.finish();
    out.on_state_loss = static_cast<OnStateLoss>(
        client.choice("on_state_loss", "abandon", {"abandon", "continue"}));
    client.finish();
    refuse_too_many_sessions(w, out);
    w.finish();
    return out;
}

// A setting of a feature the model does not simulate yet (modelled.hpp): refused at its key.
void refuse_unless(bool modelled, const Context &ctx, const Node &at, const std::string &path,
                   const std::string &what, const std::string &hint) {
    if (modelled) return;
    fail(ctx, at, path,
         fmt::format("{} is not implemented in statesim {} yet; {}", what, STATESIM_VERSION, hint));
}

constexpr const char *kSwitchOff = "remove the section or set `enabled: false`";

// A random duration whose mean must be greater than 0 (a failure process that never waits).
Distribution parse_positive_random(Section &s, const std::string &key, const char *def,
                                   const char *what) {
    Distribution d = parse_random(s, key, def, Quantity::duration);
    if (!(d.expected() > 0))
        fail(s.ctx(), s.node()[key], s.path_of(key),
             fmt::format("expected a {} greater than 0 on average (found a mean of 0 s)", what));
    return d;
}

// failures.nodes / zones / store: {enabled, mtbf, mttr}. Absent: off (and left out).
FailureProcess parse_failure_process(Section &f, const std::string &key, const char *mtbf,
                                     const char *mttr, bool modelled, const char *what) {
    FailureProcess p;
    f.allow(key);
    if (!f.present(key)) {
        f.forget(key);
        return p;
    }
    Section s = f.child(key);
    p.enabled = s.flag("enabled", "true");
    p.mtbf = parse_positive_random(s, "mtbf", mtbf, "time between failures");
    p.mttr = parse_positive_random(s, "mttr", mttr, "time to repair");
    s.finish();
    if (p.enabled)
        refuse_unless(modelled, f.ctx(), f.node()[key], f.path_of(key), what, kSwitchOff);
    return p;
}

// The largest number of nodes the group may hold: what a `kill: node` event may ask for.
int max_nodes(const Architecture &a) {
    return a.autoscaling.enabled ? std::max(a.cluster.nodes, a.autoscaling.max) : a.cluster.nodes;
}

FaultEvent parse_event(Section &e, const Architecture &a) {
    const Context &ctx = e.ctx();
    const Modelled &m = ctx.modelled;
    FaultEvent fe;
    fe.at = e.duration("at", nullptr);
    std::vector<std::string> given;
    for (const char *k : {"kill", "outage", "deploy"})
        if (e.has(k)) given.emplace_back(k);
    if (given.empty())
        fail(ctx, e.node(), e.path_of("kill"),
             "required key is missing: an event needs one of kill: node, kill: zone, outage: "
             "store, deploy: rolling");
    if (given.size() > 1)
        fail(ctx, e.node()[given[1]], e.path_of(given[1]),
             fmt::format("expected exactly one of kill, outage, deploy per event, found {} and {}",
                         given[0], given[1]));
    Node what = e.node()[given[0]];
    const std::string what_path = e.path_of(given[0]);
    if (given[0] == "kill") {
        if (e.choice("kill", nullptr, {"node", "zone"}) == 0) {
            fe.kind = FaultEvent::Kind::kill_node;
            fe.count = static_cast<int>(e.integer("count", "1", 1, 4096));
            const int most = max_nodes(a);
            if (fe.count > most)
                fail(ctx, e.node()["count"], e.path_of("count"),
                     a.autoscaling.enabled && most > a.cluster.nodes
                         ? fmt::format("expected a count of at most autoscaling.max ({}), found "
                                       "{}: the group never holds more nodes",
                                       most, fe.count)
                         : fmt::format("expected a count of at most cluster.nodes ({}), found {}: "
                                       "the cluster has only {} node{} to kill",
                                       most, fe.count, most, most == 1 ? "" : "s"));
        } else {
            fe.kind = FaultEvent::Kind::kill_zone;
            fe.zone = static_cast<int>(e.integer("zone", nullptr, 0, 63));
            if (fe.zone >= a.cluster.zones)
                fail(ctx, e.node()["zone"], e.path_of("zone"),
                     fmt::format("expected a zone index from 0 to {} (cluster.zones is {}), "
                                 "found {}",
                                 a.cluster.zones - 1, a.cluster.zones, fe.zone));
            fe.duration = e.positive_duration("duration", nullptr);
        }
    } else if (given[0] == "outage") {
        e.choice("outage", nullptr, {"store"});
        fe.kind = FaultEvent::Kind::store_outage;
        fe.duration = e.positive_duration("duration", nullptr);
        e.allow("shard");
        if (e.has("shard")) {
            fe.shard = static_cast<int>(e.integer("shard", nullptr, 0, 1023));
            if (fe.shard >= a.state.store.shards)
                fail(ctx, e.node()["shard"], e.path_of("shard"),
                     a.state.store.kind == StoreKind::dynamodb
                         ? fmt::format("expected no shard or 0: DynamoDB ignores "
                                       "state.store.shards (one store), found {}",
                                       fe.shard)
                         : fmt::format("expected a shard index from 0 to {} (state.store.shards "
                                       "is {}), found {}",
                                       a.state.store.shards - 1, a.state.store.shards, fe.shard));
        }
    } else {
        e.choice("deploy", nullptr, {"rolling"});
        fe.kind = FaultEvent::Kind::deploy;
    }
    e.finish();
    switch (fe.kind) {
    case FaultEvent::Kind::kill_node:
        break;
    case FaultEvent::Kind::kill_zone:
        refuse_unless(m.zones, ctx, what, what_path, "killing a zone (kill: zone)",
                      "use kill: node");
        break;
    case FaultEvent::Kind::store_outage:
        refuse_unless(m.store_failures, ctx, what, what_path, "a store outage (outage: store)",
                      "remove the event");
        break;
    case FaultEvent::Kind::deploy:
        refuse_unless(m.deployments, ctx, what, what_path, "a rolling deployment (deploy: rolling)",
                      "remove the event");
        break;
    }
    return fe;
}

FailureSpec parse_failures(Section &root, const Architecture &a) {
    FailureSpec out;
    bool present = false;
    Section f = root.child("failures", &present);
    if (!present) {
        root.forget("failures");
        out.mode = root.ctx().modelled.connect_timeout ? FailureMode::host : FailureMode::process;
        return out;
    }
    const Modelled &m = root.ctx().modelled;
    const bool on = f.flag("enabled", "true");
    out.nodes = parse_failure_process(
        f, "nodes", "{dist: exponential, mean: 24h}", "{dist: lognormal, mean: 10m, cv: 0.5}",
        m.node_failure_process, "the node failure process (failures.nodes)");
    out.zones = parse_failure_process(f, "zones", "{dist: exponential, mean: 90d}", "2h", m.zones,
                                      "the zone failure process (failures.zones)");
    out.store =
        parse_failure_process(f, "store", "{dist: exponential, mean: 30d}", "5m", m.store_failures,
                              "the store failure process (failures.store)");
    // Until the host mode is modelled, the default is what the model does: process.
    out.mode = static_cast<FailureMode>(
        f.choice("mode", m.connect_timeout ? "host" : "process", {"host", "process"}));
    if (out.mode == FailureMode::host)
        refuse_unless(m.connect_timeout, f.ctx(), f.node()["mode"], f.path_of("mode"),
                      "failures.mode: host (a dead host stops answering; attempts wait "
                      "load_balancer.connect_timeout)",
                      "use mode: process (a failed node's requests fail at once)");
    out.replace_failed = f.flag("replace_failed", "true");
    Node events = f.value("events", "[]");
    if (!events.IsSequence())
        fail(f.ctx(), events, f.path_of("events"),
             fmt::format("expected a list of fault events, found {}", describe(events)));
    for (std::size_t i = 0; i < events.size(); ++i) {
        const std::string p = fmt::format("{}[{}]", f.path_of("events"), i);
        if (!events[i].IsMap())
            fail(f.ctx(), events[i], p, "expected a map like {at: 30m, kill: node, count: 1}");
        Section e(f.ctx(), events[i], p);
        out.events.push_back(parse_event(e, a));
    }
    f.allow("deployments");
    if (f.present("deployments")) {
        Section d = f.child("deployments");
        out.deployments.enabled = d.flag("enabled", "true");
        out.deployments.every = d.positive_duration("every", "6h");
        out.deployments.batch = d.fraction("batch", "25%");
        if (!(out.deployments.batch > 0))
            fail(d.ctx(), d.node()["batch"], d.path_of("batch"),
                 "expected a share of the nodes greater than 0 (e.g. 25%), found 0");
        d.finish();
        if (out.deployments.enabled)
            refuse_unless(m.deployments, f.ctx(), f.node()["deployments"], f.path_of("deployments"),
                          "rolling deployments (failures.deployments)", kSwitchOff);
    } else {
        f.forget("deployments");
    }
    f.finish();
    if (!on) { // validated above; nothing of it happens
        FailureSpec off;
        off.enabled = false;
        off.mode = out.mode;
        off.replace_failed = out.replace_failed;
        return off;
    }
    return out;
}

using Policy = AutoscalingSpec::Policy;
using Metric = AutoscalingSpec::Metric;

// A value of the scaling metric: cpu a fraction, requests_per_node a rate, in_flight_per_node
// a number. `positive`: greater than 0 (a target); otherwise >= 0 (a step threshold).
double metric_value(Section &s, const Node &v, const std::string &path, Metric metric,
                    bool positive) {
    double x = 0;
    const char *expected = "";
    switch (metric) {
    case Metric::cpu:
        x = s.parse_unit(v, path, units::fraction);
        expected = "a CPU utilisation greater than 0%, up to 100% (e.g. 60%)";
        break;
    case Metric::requests_per_node:
        x = s.parse_unit(v, path, units::rate);
        expected = "a rate of requests per node greater than 0/s (e.g. 100/s)";
        break;
    case Metric::in_flight_per_node:
        x = s.parse_unit(v, path, units::number);
        expected = "a number of requests in flight per node greater than 0 (e.g. 8)";
        break;
    }
    if (positive && !(x > 0))
        fail(s.ctx(), v, path, fmt::format("expected {}, found {}", expected, describe(v)));
    return x;
}

AutoscalingSpec parse_autoscaling(Section &root, const ClusterSpec &cluster) {
    AutoscalingSpec as;
    root.allow("autoscaling");
    if (!root.present("autoscaling")) {
        root.forget("autoscaling");
        return as;
    }
    Section s = root.child("autoscaling");
    const Context &ctx = s.ctx();
    as.enabled = s.flag("enabled", "true");
    as.policy =
        static_cast<Policy>(s.choice("policy", "target_tracking", AutoscalingSpec::kPolicyNames));
    const std::vector<std::string> metrics = {"cpu", "requests_per_node", "in_flight_per_node"};
    as.metric = static_cast<Metric>(s.choice("metric", "cpu", metrics));
    // Target tracking and HPA aim at the target; step and scheduled never read it.
    const bool aims = as.policy == Policy::target_tracking || as.policy == Policy::hpa;
    if (aims && as.metric != Metric::cpu && !s.has("target"))
        fail(ctx, s.node(), s.path_of("target"),
             fmt::format("required key is missing: with metric: {} give the target per serving "
                         "node, e.g. target: {}",
                         metrics[static_cast<std::size_t>(as.metric)],
                         as.metric == Metric::requests_per_node ? "100/s" : "8"));
    if (aims || as.metric == Metric::cpu || s.has("target")) {
        as.target = metric_value(s, s.value("target", "60%"), s.path_of("target"), as.metric, true);
    } else { // no default in the unit of a rate or count metric, and none is needed
        s.allow("target");
        s.forget("target");
    }
    as.min = static_cast<int>(s.integer("min", "2", 1, 4096));
    as.max = static_cast<int>(s.integer("max", "40", 1, 4096));
    if (as.max < as.min)
        fail(ctx, s.node()["max"], s.path_of("max"),
             fmt::format("expected max >= min ({}), found {}", as.min, as.max));
    if (as.enabled && (cluster.nodes < as.min || cluster.nodes > as.max))
        fail(ctx, s.node()[cluster.nodes < as.min ? "min" : "max"],
             s.path_of(cluster.nodes < as.min ? "min" : "max"),
             fmt::format("cluster.nodes ({}) must lie in [autoscaling.min, autoscaling.max] = "
                         "[{}, {}]: the group starts at cluster.nodes",
                         cluster.nodes, as.min, as.max));
    if (as.enabled && static_cast<long long>(as.max) * cluster.workers > kMaxWorkerSlots)
        fail(ctx, s.node()["max"], s.path_of("max"),
             fmt::format("autoscaling.max x cluster.workers = {} x {} = {} worker slots; at most "
                         "{} are allowed",
                         as.max, cluster.workers, static_cast<long long>(as.max) * cluster.workers,
                         kMaxWorkerSlots));
    as.evaluation_period = s.positive_duration("evaluation_period", "60s");
    as.out_datapoints = static_cast<int>(s.integer("out_datapoints", "3", 1, 10000));
    as.in_datapoints = static_cast<int>(s.integer("in_datapoints", "15", 1, 10000));
    as.in_threshold = s.fraction("in_threshold", "0.9");
    if (!(as.in_threshold > 0))
        fail(ctx, s.node()["in_threshold"], s.path_of("in_threshold"),
             "expected a fraction of the target greater than 0 (e.g. 0.9), found 0");
    as.instance_warmup = s.duration("instance_warmup", "300s");
    Section cooldown = s.child("cooldown");
    as.cooldown_out = cooldown.duration("out", "0s");
    as.cooldown_in = cooldown.duration("in", "300s");
    cooldown.finish();

    s.allow("steps");
    if (s.has("steps")) {
        const Node steps = s.node()["steps"];
        const std::string path = s.path_of("steps");
        if (!steps.IsSequence() || steps.size() == 0)
            fail(ctx, steps, path,
                 fmt::format("expected a list like [{{above: 80%, add: 2}}, {{below: 30%, add: "
                             "-1}}], found {}",
                             describe(steps)));
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const std::string p = fmt::format("{}[{}]", path, i);
            if (!steps[i].IsMap())
                fail(ctx, steps[i], p,
                     fmt::format("expected a map like {{above: 80%, add: 2}}, found {}",
                                 describe(steps[i])));
            Section st(s.ctx(), steps[i], p);
            AutoscalingSpec::Step step;
            const bool above = st.has("above"), below = st.has("below");
            if (above == below)
                fail(ctx, above ? steps[i]["below"] : steps[i], above ? st.path_of("below") : p,
                     above ? "expected one of above or below per step, found both"
                           : "required key is missing: a step needs above: X or below: X");
            step.above = above;
            const std::string k = above ? "above" : "below";
            step.threshold =
                metric_value(st, st.value(k, nullptr), st.path_of(k), as.metric, false);
            step.add = static_cast<int>(st.integer("add", nullptr, -4096, 4096));
            if (above ? step.add <= 0 : step.add >= 0)
                fail(
                    ctx, steps[i]["add"], st.path_of("add"),
                    fmt::format("expected {} (nodes {} when the metric is {} the threshold), "
                                "found {}",
                                above ? "a whole number greater than 0" : "a negative whole number",
                                above ? "added" : "removed", k, step.add));
            st.finish();
            as.steps.push_back(step);
        }
    } else {
        s.forget("steps");
        if (as.policy == Policy::step)
            fail(ctx, s.node(), s.path_of("steps"),
                 "required key is missing: policy: step needs steps, e.g. [{above: 80%, add: 2}, "
                 "{below: 30%, add: -1}]");
    }

    s.allow("schedule");
    if (s.has("schedule")) {
        const Node sched = s.node()["schedule"];
        const std::string path = s.path_of("schedule");
        if (!sched.IsSequence() || sched.size() == 0)
            fail(ctx, sched, path,
                 fmt::format("expected a list like [{{at: 30m, desired: 8}}], found {}",
                             describe(sched)));
        for (std::size_t i = 0; i < sched.size(); ++i) {
            const std::string p = fmt::format("{}[{}]", path, i);
            if (!sched[i].IsMap())
                fail(ctx, sched[i], p,
                     fmt::format("expected a map like {{at: 30m, desired: 8}}, found {}",
                                 describe(sched[i])));
            Section e(s.ctx(), sched[i], p);
            AutoscalingSpec::Scheduled entry;
            entry.at = e.duration("at", nullptr);
            if (!as.schedule.empty() && entry.at <= as.schedule.back().at)
                fail(ctx, sched[i]["at"], e.path_of("at"),
                     fmt::format("times must increase from one entry to the next (the previous "
                                 "is at {})",
                                 units::format_duration(as.schedule.back().at)));
            entry.desired = static_cast<int>(e.integer("desired", nullptr, 0, 4096));
            if (entry.desired < as.min || entry.desired > as.max)
                fail(ctx, sched[i]["desired"], e.path_of("desired"),
                     fmt::format("expected a node count in [autoscaling.min, autoscaling.max] = "
                                 "[{}, {}], found {}",
                                 as.min, as.max, entry.desired));
            e.finish();
            as.schedule.push_back(entry);
        }
    } else {
        s.forget("schedule");
        if (as.policy == Policy::scheduled)
            fail(ctx, s.node(), s.path_of("schedule"),
                 "required key is missing: policy: scheduled needs a schedule, e.g. [{at: 30m, "
                 "desired: 8}, {at: 2h, desired: 2}]");
    }

    Section hpa = s.child("hpa");
    as.hpa_period = hpa.positive_duration("period", "15s");
    as.hpa_tolerance = hpa.fraction("tolerance", "0.1");
    as.hpa_stabilization = hpa.duration("stabilization", "300s");
    hpa.finish();
    as.scale_in = static_cast<AutoscalingSpec::ScaleIn>(
        s.choice("scale_in", "drain", {"drain", "terminate"}));
    as.termination = static_cast<AutoscalingSpec::Termination>(
        s.choice("termination", "default", {"default", "oldest", "newest", "fewest_sessions"}));
    s.finish();
    if (as.enabled)
        refuse_unless(ctx.modelled.autoscaling, ctx, root.node()["autoscaling"], "autoscaling",
                      "autoscaling", kSwitchOff);
    return as;
}

// `scaling_rate: 1000/10s`: new environments per window (Lambda: 1 000 every 10 seconds per
// function). `100/s` is a window of one second.
void parse_scaling_rate(Section &s, ServerlessSpec &out) {
    const Node v = s.value("scaling_rate", "1000/10s");
    const std::string path = s.path_of("scaling_rate");
    const std::string text = v.IsScalar() ? v.Scalar() : std::string();
    const auto slash = text.find('/');
    long long count = 0;
    const auto [end, ec] =
        std::from_chars(text.data(), text.data() + (slash == std::string::npos ? 0 : slash), count);
    std::string window = slash == std::string::npos ? std::string() : text.substr(slash + 1);
    if (!window.empty() && !std::isdigit(static_cast<unsigned char>(window[0])))
        window = "1" + window; // `/s` is `/1s`
    const units::Parsed w = units::duration(window);
    if (slash == std::string::npos || ec != std::errc() || end != text.data() + slash ||
        count < 1 || count > 100000000 || !w.ok() || w.value <= 0)
        fail(s.ctx(), v, path,
             fmt::format("expected new environments per window like 1000/10s or 500/min (a "
                         "whole number >= 1, then a duration > 0), found {}",
                         describe(v)));
    out.scaling_burst = static_cast<int>(count);
    out.scaling_window = w.value;
}

ServerlessSpec parse_serverless(Section &root) {
    Section s = root.child("serverless");
    ServerlessSpec out;
    out.cold_start = parse_random(s, "cold_start", "{dist: lognormal, mean: 400ms, cv: 0.5}",
                                  Quantity::duration);
    out.idle_timeout = s.positive_duration("idle_timeout", "10m");
    out.concurrency_limit = static_cast<int>(s.integer("concurrency_limit", "1000", 1, 1000000));
    parse_scaling_rate(s, out);
    out.provisioned = static_cast<int>(s.integer("provisioned", "0", 0, 1000000));
    if (out.provisioned > out.concurrency_limit)
        fail(s.ctx(), s.node()["provisioned"], s.path_of("provisioned"),
             fmt::format("expected at most concurrency_limit ({}) provisioned environments, "
                         "found {}",
                         out.concurrency_limit, out.provisioned));
    out.memory = s.size("memory", "512MiB");
    // Lambda: 128 MB to 10 240 MB.
    if (out.memory < 128.0 * 1024 * 1024 || out.memory > 10240.0 * 1024 * 1024)
        fail(s.ctx(), s.node()["memory"], s.path_of("memory"),
             fmt::format("expected a function memory between 128MiB and 10240MiB (Lambda's "
                         "range), found {:.0f} MiB",
                         out.memory / (1024 * 1024)));
    s.finish();
    return out;
}

WorkflowSpec parse_workflows(Section &root) {
    bool present = false;
    Section s = root.child("workflows", &present);
    WorkflowSpec out;
    out.enabled = s.flag("enabled", present ? "true" : "false");
    out.arrival = parse_arrival(s, "arrival", "2/min");
    if (out.arrival.kind == ArrivalProcess::Kind::trace && !out.arrival.trace)
        fail(s.ctx(), s.node()["arrival"], s.path_of("arrival"), "the trace is empty");
    out.steps = static_cast<int>(s.integer("steps", "5", 1, 1000));
    out.step_time =
        parse_random(s, "step_time", "{dist: lognormal, mean: 200ms, cv: 1}", Quantity::duration);
    out.wait = parse_random(s, "wait", "{dist: exponential, mean: 6h}", Quantity::duration);
    out.orchestration = static_cast<WorkflowSpec::Orchestration>(
        s.choice("orchestration", "in_memory", {"in_memory", "orchestrator"}));
    s.finish();
    if (out.enabled)
        refuse_unless(root.ctx().modelled.workflows, root.ctx(), root.node()["workflows"],
                      "workflows", "workflows", kSwitchOff);
    return out;
}

} // namespace

Architecture parse_architecture(Section &root) {
    Architecture a;
    a.workload = parse_workload(root);

    bool has_network = false;
    Section net = root.child("network", &has_network);
    // `network: {enabled: false}` is validated, then hops take 0 s as when it is absent.
    const bool network_on = has_network && net.flag("enabled", "true");
    a.hop_latency = parse_random(net, "hop_latency",
                                 has_network ? "{dist: lognormal, mean: 0.5ms, cv: 0.5}" : "0s",
                                 Quantity::duration);
    if (!network_on) a.hop_latency = Distribution::constant_value(0);
    net.finish();

    Section c = root.child("cluster");
    a.cluster.runtime =
        static_cast<Runtime>(c.choice("runtime", "servers", {"servers", "serverless"}));
    a.cluster.nodes = static_cast<int>(c.integer("nodes", "4", 1, 4096));
    a.cluster.zones = static_cast<int>(c.integer("zones", "2", 1, 64));
    a.cluster.workers = static_cast<int>(c.integer("workers", "16", 1, 100000));
    if (static_cast<long long>(a.cluster.nodes) * a.cluster.workers > kMaxWorkerSlots)
        fail(root.ctx(), c.node()["workers"], c.path_of("workers"),
             fmt::format("cluster.nodes x cluster.workers = {} x {} = {} worker slots; at most {} "
                         "are allowed (lower cluster.nodes or cluster.workers)",
                         a.cluster.nodes, a.cluster.workers,
                         static_cast<long long>(a.cluster.nodes) * a.cluster.workers,
                         kMaxWorkerSlots));
    a.cluster.queue_limit = static_cast<int>(c.integer("queue_limit", "512", 0, 100000000));
    a.cluster.boot_time =
        parse_random(c, "boot_time", "{dist: lognormal, mean: 90s, cv: 0.3}", Quantity::duration);
    a.cluster.warmup_capacity = c.fraction("warmup_capacity", "0.5");
    a.cluster.warmup_period = c.duration("warmup_period", "60s");
    a.cluster.session_memory_limit = c.size("session_memory_limit", "1GiB");
    c.finish();

    Section lb = root.child("load_balancer");
    a.load_balancer.policy = static_cast<BalancingPolicy>(lb.choice(
        "policy", "round_robin",
        {"round_robin", "random", "least_outstanding", "power_of_two", "consistent_hash"}));
    if (lb.has("sticky") && lb.node()["sticky"].IsScalar()) {
        // `sticky: true` is shorthand for `{enabled: true}`.
        const bool on = lb.to_flag(lb.node()["sticky"], lb.path_of("sticky"));
        Node m = lb.ctx().nodes.map();
        m["enabled"] = lb.ctx().nodes.scalar(on ? "true" : "false");
        lb.node()["sticky"] = m;
    }
    bool has_sticky = false;
    Section sticky = lb.child("sticky", &has_sticky);
    a.load_balancer.sticky = sticky.flag("enabled", has_sticky ? "true" : "false");
    a.load_balancer.sticky_ttl = sticky.positive_duration("ttl", "1d");
    sticky.finish();
    Section hc = lb.child("health_check");
    a.load_balancer.health_interval = hc.positive_duration("interval", "30s");
    a.load_balancer.unhealthy_threshold =
        static_cast<int>(hc.integer("unhealthy_threshold", "2", 1, 100));
    a.load_balancer.healthy_threshold =
        static_cast<int>(hc.integer("healthy_threshold", "5", 1, 100));
    hc.finish();
    a.load_balancer.deregistration_delay = lb.duration("deregistration_delay", "300s");
    a.load_balancer.connect_timeout = lb.positive_duration("connect_timeout", "10s");
    a.load_balancer.drain = static_cast<LoadBalancerSpec::DrainMode>(
        lb.choice("drain", "requests", {"requests", "sessions"}));
    if (a.load_balancer.drain == LoadBalancerSpec::DrainMode::sessions)
        refuse_unless(root.ctx().modelled.drain_sessions, root.ctx(), lb.node()["drain"],
                      lb.path_of("drain"),
                      "drain: sessions (sticky sessions keep reaching a "
                      "draining target)",
                      "use drain: requests");
    lb.finish();

    Section st = root.child("state");
    a.state.location = static_cast<StateLocation>(
        st.choice("location", "none", {"none", "local", "store", "client"}));
    Section store = st.child("store");
    StoreSpec &ss = a.state.store;
    ss.kind = static_cast<StoreKind>(
        store.choice("kind", "dynamodb", {"dynamodb", "redis", "memcached"}));
    const bool in_memory = ss.kind != StoreKind::dynamodb; // redis, memcached
    const char *kind_name = to_string(ss.kind);
    ss.read_latency = parse_random(store, "read_latency",
                                   in_memory ? "{dist: lognormal, mean: 0.5ms, cv: 0.5}"
                                             : "{dist: lognormal, mean: 4ms, cv: 0.5}",
                                   Quantity::duration);
    ss.write_latency = parse_random(store, "write_latency",
                                    in_memory ? "{dist: lognormal, mean: 0.6ms, cv: 0.5}"
                                              : "{dist: lognormal, mean: 6ms, cv: 0.5}",
                                    Quantity::duration);
    // A rate is a fixed limit (any kind); a map is a DynamoDB capacity mode. Until the modes
    // are modelled, DynamoDB keeps its fixed default.
    const Modelled &m = root.ctx().modelled;
    const Node cap = store.value("capacity", in_memory                ? "100000/s"
                                             : m.store_capacity_modes ? "{mode: on_demand}"
                                                                      : "4000/s");
    if (cap.IsMap()) {
        if (in_memory)
            fail(root.ctx(), cap, store.path_of("capacity"),
                 fmt::format("capacity modes (on_demand, provisioned) are DynamoDB's; a {} store "
                             "takes a rate of operations per second, e.g. 100000/s",
                             kind_name));
        Section cs(root.ctx(), cap, store.path_of("capacity"));
        const bool on_demand = cs.choice("mode", nullptr, {"on_demand", "provisioned"}) == 0;
        ss.capacity_mode =
            on_demand ? StoreSpec::CapacityMode::on_demand : StoreSpec::CapacityMode::provisioned;
        ss.read_units = cs.positive_rate("reads", on_demand ? "12000/s" : "3000/s",
                                         "a store that admits no read serves nothing");
        ss.write_units = cs.positive_rate("writes", on_demand ? "4000/s" : "1000/s",
                                          "a store that admits no write serves nothing");
        // DynamoDB reserves (and bills) whole read and write capacity units per second.
        for (const auto &[key, units] :
             {std::pair{"reads", ss.read_units}, {"writes", ss.write_units}})
            if (!on_demand && (units < 1 || std::abs(units - std::round(units)) > 1e-9 * units))
                fail(root.ctx(), cap[key], cs.path_of(key),
                     fmt::format("expected whole capacity units per second, at least 1/s "
                                 "(DynamoDB provisions whole units), found \"{}\" = {:g}/s",
                                 cap[key].Scalar(), units));
        cs.finish();
        refuse_unless(m.store_capacity_modes, root.ctx(), cap["mode"], cs.path_of("mode"),
                      fmt::format("the {} capacity mode", on_demand ? "on_demand" : "provisioned"),
                      "give a fixed rate of operations per second, e.g. capacity: 4000/s");
    } else {
        ss.capacity_mode = StoreSpec::CapacityMode::fixed;
        ss.capacity =
            store.positive_rate("capacity", nullptr, "a store with capacity 0 serves nothing");
    }
    ss.durable = store.flag("durable", in_memory ? "false" : "true");
    if (ss.kind == StoreKind::memcached && ss.durable)
        fail(root.ctx(), store.node()["durable"], store.path_of("durable"),
             "expected false: memcached keeps nothing on disk, a failure loses what it held");
    ss.shards = static_cast<int>(store.integer("shards", "1", 1, 1024));
    // DynamoDB ignores shards (its partitions are managed): one store that fails as a whole, so
    // the store failure process and `outage: store` events act on all of it.
    if (ss.kind == StoreKind::dynamodb) ss.shards = 1;
    ss.replicas = static_cast<int>(store.integer("replicas", "0", 0, 5));
    if (ss.kind == StoreKind::memcached && ss.replicas > 0)
        fail(root.ctx(), store.node()["replicas"], store.path_of("replicas"),
             fmt::format("expected 0: memcached has no replicas (found {}); use kind: redis for "
                         "a replicated store",
                         ss.replicas));
    ss.failover_time = store.duration("failover_time", "60s");
    ss.timeout = store.positive_duration("timeout", "1s");
    // DynamoDB on-demand bills request units, provisioned the reserved units by the hour;
    // ElastiCache bills node-hours (store.node_hour: an illustrative small node's on-demand
    // price; set your node type's).
    const bool provisioned = ss.capacity_mode == StoreSpec::CapacityMode::provisioned;
    ss.pricing = static_cast<StoreSpec::Pricing>(store.choice("pricing",
                                                              in_memory     ? "nodes"
                                                              : provisioned ? "capacity"
                                                                            : "requests",
                                                              {"requests", "nodes", "capacity"}));
    if (ss.pricing == StoreSpec::Pricing::capacity && !provisioned)
        fail(root.ctx(), store.node()["pricing"], store.path_of("pricing"),
             "pricing: capacity bills the reserved units of DynamoDB's provisioned mode: it needs "
             "capacity: {mode: provisioned, reads: ..., writes: ...}");
    ss.node_hour = store.number("node_hour", in_memory ? "0.068" : "0", 0, 1e6);
    store.finish();
    a.state.local_cache = st.flag("local_cache", "false");
    Section token = st.child("client");
    a.state.client.max_bytes = token.size("max_bytes", "4KiB");
    a.state.client.verify_time = token.duration("verify_time", "0.2ms");
    a.state.client.bandwidth = token.unit("bandwidth", "10MiB/s", units::bandwidth);
    token.finish();
    st.finish();

    a.autoscaling = parse_autoscaling(root, a.cluster);
    a.failures = parse_failures(root, a);

    a.serverless = parse_serverless(root);
    a.workflows = parse_workflows(root);

    Section costs = root.child("costs");
    auto money = [&](const char *k, const char *def) { return costs.number(k, def, 0, 1e9); };
    a.costs.node_hour = money("node_hour", "0.0416");
    a.costs.store_read = money("store_read", "0.125e-6");
    a.costs.store_write = money("store_write", "0.625e-6");
    a.costs.store_read_capacity_hour = money("store_read_capacity_hour", "0.00013");
    a.costs.store_write_capacity_hour = money("store_write_capacity_hour", "0.00065");
    a.costs.lambda_request = money("lambda_request", "0.2e-6");
    a.costs.lambda_gb_second = money("lambda_gb_second", "16.67e-6");
    a.costs.lambda_provisioned_gb_second = money("lambda_provisioned_gb_second", "4.17e-6");
    a.costs.state_transition = money("state_transition", "25e-6");
    costs.finish();
    return a;
}

} // namespace statesim::config_detail
