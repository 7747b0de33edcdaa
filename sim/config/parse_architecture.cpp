// Architecture keys (SPEC §4): workload, network, cluster, load balancer, state, failures,
// costs; the sections of later versions are refused rather than ignored.
#include <filesystem>
#include <fstream>

#include "yaml_section.hpp"

namespace statesim::config_detail {
namespace {

// Worker slots (nodes x workers) a run may allocate: beyond this, memory, not the model, decides.
constexpr long long kMaxWorkerSlots = 10'000'000;

std::shared_ptr<const std::vector<double>> read_samples(Section &s, const YAML::Node &at,
                                                        const std::string &path,
                                                        const std::string &file, bool sorted) {
    namespace fs = std::filesystem;
    fs::path p(file);
    if (p.is_relative()) p = fs::path(s.ctx().base_dir) / p;
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
            fail(s.ctx(), at, path, fmt::format("{}:{}: negative value", p.string(), n));
        if (v.value > units::kMaxDurationSeconds)
            fail(s.ctx(), at, path,
                 fmt::format("{}:{}: {} s is longer than the longest duration, {}", p.string(), n,
                             v.value, units::kMaxDurationText));
        values->push_back(v.value);
    }
    if (values->empty()) fail(s.ctx(), at, path, fmt::format("{} holds no values", p.string()));
    if (sorted) std::sort(values->begin(), values->end());
    return values;
}

Distribution parse_random(Section &parent, const std::string &key, const char *def, Quantity q) {
    YAML::Node v = parent.value(key, def);
    const std::string path = parent.path_of(key);
    auto scalar_value = [&](const YAML::Node &n, const std::string &p) {
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
    Distribution d;
    auto positive = [&](const std::string &k) {
        YAML::Node n = s.value(k, nullptr);
        const double x = q == Quantity::count ? s.parse_unit(n, s.path_of(k), units::number)
                                              : s.parse_unit(n, s.path_of(k), units::duration);
        if (!(x > 0)) fail(s.ctx(), n, s.path_of(k), "expected a value greater than 0");
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

ArrivalProcess parse_arrival(Section &parent, const std::string &key) {
    YAML::Node v = parent.value(key, "{process: poisson, rate: 40/s}");
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
        a.rate = s.positive_rate("rate", "40/s", "a Poisson process with rate 0 never arrives");
        break;
    case ArrivalProcess::Kind::diurnal:
        a.rate = s.positive_rate("mean", "40/s", "a process with mean rate 0 never arrives");
        a.amplitude = s.fraction("amplitude", "0.5");
        a.period = s.positive_duration("period", "24h");
        break;
    case ArrivalProcess::Kind::profile: {
        YAML::Node pts = s.value("points", nullptr);
        const std::string path = s.path_of("points");
        if (!pts.IsSequence() || pts.size() == 0)
            fail(s.ctx(), pts, path,
                 fmt::format("expected a list of [time, rate] pairs, found {}", describe(pts)));
        for (std::size_t i = 0; i < pts.size(); ++i) {
            const std::string p = fmt::format("{}[{}]", path, i);
            const YAML::Node pt = pts[i];
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

void reject_unimplemented(Section &root, const std::string &key, const char *what) {
    root.allow(key);
    if (!root.has(key)) return;
    const YAML::Node v = root.node()[key];
    if (v.IsMap() && v.size() == 1 && v["enabled"].IsDefined() &&
        !root.to_flag(v["enabled"], root.path_of(key + ".enabled")))
        return; // explicitly switched off
    fail(root.ctx(), v, root.path_of(key),
         fmt::format("{} is not implemented in statesim {} yet; remove the section or set "
                     "`enabled: false`",
                     what, STATESIM_VERSION));
}

} // namespace

Architecture parse_architecture(Section &root) {
    Architecture a;
    a.workload = parse_workload(root);

    bool has_network = false;
    Section net = root.child("network", &has_network);
    a.hop_latency = parse_random(net, "hop_latency",
                                 has_network ? "{dist: lognormal, mean: 0.5ms, cv: 0.5}" : "0s",
                                 Quantity::duration);
    net.finish();

    Section c = root.child("cluster");
    const auto runtime = c.choice("runtime", "servers", {"servers", "serverless"});
    if (runtime == 1)
        fail(root.ctx(), c.node()["runtime"], c.path_of("runtime"),
             "the serverless runtime is not implemented in this version yet; use servers");
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
        YAML::Node m(YAML::NodeType::Map);
        m["enabled"] = on ? "true" : "false";
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
    lb.finish();

    Section st = root.child("state");
    a.state.location = static_cast<StateLocation>(
        st.choice("location", "none", {"none", "local", "store", "client"}));
    Section store = st.child("store");
    a.state.store.kind =
        static_cast<StoreKind>(store.choice("kind", "dynamodb", {"dynamodb", "redis"}));
    const bool redis = a.state.store.kind == StoreKind::redis;
    a.state.store.read_latency = parse_random(store, "read_latency",
                                              redis ? "{dist: lognormal, mean: 0.5ms, cv: 0.5}"
                                                    : "{dist: lognormal, mean: 4ms, cv: 0.5}",
                                              Quantity::duration);
    a.state.store.write_latency = parse_random(store, "write_latency",
                                               redis ? "{dist: lognormal, mean: 0.6ms, cv: 0.5}"
                                                     : "{dist: lognormal, mean: 6ms, cv: 0.5}",
                                               Quantity::duration);
    a.state.store.capacity = store.positive_rate("capacity", redis ? "100000/s" : "4000/s",
                                                 "a store with capacity 0 serves nothing");
    a.state.store.durable = store.flag("durable", redis ? "false" : "true");
    // DynamoDB bills request units; ElastiCache bills node-hours (store.node_hour: an
    // illustrative small node's on-demand price; set your node type's).
    a.state.store.pricing = static_cast<StoreSpec::Pricing>(
        store.choice("pricing", redis ? "nodes" : "requests", {"requests", "nodes"}));
    a.state.store.node_hour = store.number("node_hour", redis ? "0.068" : "0", 0, 1e6);
    store.finish();
    a.state.local_cache = st.flag("local_cache", "false");
    Section token = st.child("client");
    a.state.client.max_bytes = token.size("max_bytes", "4KiB");
    a.state.client.verify_time = token.duration("verify_time", "0.2ms");
    a.state.client.bandwidth = token.unit("bandwidth", "10MiB/s", units::bandwidth);
    token.finish();
    st.finish();

    bool has_failures = false;
    Section f = root.child("failures", &has_failures);
    if (has_failures) {
        for (const char *k : {"nodes", "store", "deployments"})
            reject_unimplemented(f, k, fmt::format("failures.{}", k).c_str());
        a.failures.replace_failed = f.flag("replace_failed", "true");
        YAML::Node events = f.value("events", "[]");
        if (!events.IsSequence())
            fail(root.ctx(), events, f.path_of("events"),
                 fmt::format("expected a list of fault events, found {}", describe(events)));
        for (std::size_t i = 0; i < events.size(); ++i) {
            const std::string p = fmt::format("{}[{}]", f.path_of("events"), i);
            if (!events[i].IsMap())
                fail(root.ctx(), events[i], p,
                     "expected a map like {at: 30m, kill: node, count: 1}");
            Section e(root.ctx(), events[i], p);
            FaultEvent fe;
            fe.at = e.duration("at", nullptr);
            if (e.has("outage"))
                fail(root.ctx(), e.node()["outage"], e.path_of("outage"),
                     "store outages are not implemented in this version yet");
            const auto what = e.choice("kill", nullptr, {"node", "zone"});
            if (what == 1)
                fail(root.ctx(), e.node()["kill"], e.path_of("kill"),
                     "zone kills are not implemented in this version yet; use kill: node");
            fe.count = static_cast<int>(e.integer("count", "1", 1, 4096));
            if (fe.count > a.cluster.nodes)
                fail(root.ctx(), e.node()["count"], e.path_of("count"),
                     fmt::format("expected a count of at most cluster.nodes ({}), found {}: the "
                                 "cluster has only {} nodes to kill",
                                 a.cluster.nodes, fe.count, a.cluster.nodes));
            e.finish();
            a.failures.events.push_back(fe);
        }
        f.finish();
    } else {
        root.forget("failures");
    }

    reject_unimplemented(root, "autoscaling", "autoscaling");
    reject_unimplemented(root, "serverless", "the serverless runtime");
    reject_unimplemented(root, "workflows", "workflows");

    Section costs = root.child("costs");
    auto money = [&](const char *k, const char *def) { return costs.number(k, def, 0, 1e9); };
    a.costs.node_hour = money("node_hour", "0.0416");
    a.costs.store_read = money("store_read", "0.125e-6");
    a.costs.store_write = money("store_write", "0.625e-6");
    a.costs.lambda_request = money("lambda_request", "0.2e-6");
    a.costs.lambda_gb_second = money("lambda_gb_second", "16.67e-6");
    a.costs.state_transition = money("state_transition", "25e-6");
    costs.finish();
    return a;
}

} // namespace statesim::config_detail
