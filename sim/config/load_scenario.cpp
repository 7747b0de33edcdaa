// The only user of yaml-cpp. The file is parsed into a tree; overrides, sweep values, presets
// and `set:` entries are applied to that tree by dotted path; absent keys are filled with their
// documented defaults *in the tree*, so the tree itself becomes the resolved configuration.
#include "statesim/config/load_scenario.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "statesim/config/presets.hpp"
#include "statesim/config/units.hpp"

namespace statesim {
namespace {

constexpr std::size_t kMaxFileBytes = 4 << 20;
constexpr int kMaxNesting = 64;

// Where values came from, for error messages about values that are not in the file.
struct Context {
    std::string file;
    std::string base_dir;
    std::vector<std::pair<std::string, std::string>> origins; // dotted path -> source
    std::set<std::string> defaults;                           // dotted paths filled in
};

std::string origin_of(const Context &ctx, const std::string &path) {
    std::string best, source;
    for (const auto &[p, s] : ctx.origins)
        if ((path == p || path.starts_with(p + ".") || path.starts_with(p + "[")) &&
            p.size() >= best.size()) {
            best = p;
            source = s;
        }
    return source;
}

[[noreturn]] void fail(const Context &ctx, const YAML::Node &at, const std::string &path,
                       const std::string &message) {
    std::string where;
    if (auto source = origin_of(ctx, path); !source.empty())
        where = source;
    else if (at.IsDefined() && !at.Mark().is_null())
        where = fmt::format("{}:{}:{}", ctx.file, at.Mark().line + 1, at.Mark().column + 1);
    else
        where = ctx.file;
    throw ConfigError(
        fmt::format("error: {}: {}: {}", where, path.empty() ? "(top)" : path, message));
}

std::string describe(const YAML::Node &n) {
    if (!n.IsDefined() || n.IsNull()) return "nothing";
    if (n.IsScalar()) return fmt::format("\"{}\"", n.Scalar());
    return n.IsMap() ? "a map" : "a list";
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::vector<std::string> split_path(const std::string &path) {
    std::vector<std::string> parts;
    std::stringstream ss(path);
    for (std::string part; std::getline(ss, part, '.');)
        parts.push_back(part);
    return parts;
}

// Sets `value` at a dotted path, creating maps on the way (yaml-cpp nodes are references:
// reset() moves the cursor, assignment would overwrite).
void set_path(YAML::Node root, const std::string &path, const YAML::Node &value, const Context &ctx,
              const YAML::Node &at) {
    const auto parts = split_path(path);
    if (parts.empty() || std::any_of(parts.begin(), parts.end(), [](auto &p) { return p.empty(); }))
        fail(ctx, at, path, "expected a dotted key like cluster.nodes");
    YAML::Node cur = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        YAML::Node next = cur[parts[i]];
        if (next.IsScalar() && parts[i] == "sticky") {
            // `sticky: true` shorthand becomes a map so `sticky.enabled` can be set.
            const std::string v = next.Scalar();
            next = YAML::Node(YAML::NodeType::Map);
            next["enabled"] = v;
        } else if (!next.IsDefined() || next.IsNull()) {
            next = YAML::Node(YAML::NodeType::Map);
        } else if (!next.IsMap()) {
            fail(ctx, at, path,
                 fmt::format("cannot set a key inside {} (found {})", parts[i], describe(next)));
        }
        cur.reset(next);
    }
    cur[parts.back()] = value;
}

// Rejects input that is not a reasonable YAML text before yaml-cpp sees it (its recursive
// parser would overflow the stack on pathological nesting).
void precheck(const std::string &text, const std::string &file) {
    if (text.size() > kMaxFileBytes)
        throw ConfigError(fmt::format("error: {}: file is larger than {} MiB; not a scenario", file,
                                      kMaxFileBytes >> 20));
    if (text.find('\0') != std::string::npos)
        throw ConfigError(
            fmt::format("error: {}: binary file (NUL bytes); expected YAML text", file));
    int depth = 0, line = 1;
    bool in_comment = false;
    char quote = 0;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = i + 1;
            in_comment = false;
            continue;
        }
        if (in_comment) continue;
        if (quote) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '#' && (i == line_start || text[i - 1] == ' '))
            in_comment = true;
        else if ((c == '"' || c == '\'') && (i == line_start || std::strchr(" [{,:", text[i - 1])))
            quote = c;
        else if (c == '[' || c == '{')
            ++depth;
        else if ((c == ']' || c == '}') && depth > 0)
            --depth;
        const bool deep_flow = depth > kMaxNesting;
        const bool deep_block = i - line_start > 4 * kMaxNesting && c != ' ' && c != '-' &&
                                text.find_first_not_of(" -", line_start) == i;
        if (deep_flow || deep_block)
            throw ConfigError(
                fmt::format("error: {}:{}:{}: nesting deeper than {} levels; not a scenario", file,
                            line, i - line_start + 1, kMaxNesting));
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw ConfigError(fmt::format("error: {}: empty file; expected a scenario with at least "
                                      "`workload:` and `cluster:`",
                                      file));
}

YAML::Node parse_yaml(const std::string &text, const std::string &file) {
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception &e) {
        throw ConfigError(fmt::format("error: {}:{}:{}: invalid YAML: {}", file, e.mark.line + 1,
                                      e.mark.column + 1, e.msg));
    }
}

enum class Quantity { duration, count };

// A map in the tree with the keys read so far, so unknown keys can be reported.
class Section {
  public:
    Section(Context &ctx, YAML::Node node, std::string path)
        : ctx_(ctx), node_(std::move(node)), path_(std::move(path)) {}

    std::string path_of(const std::string &key) const {
        return path_.empty() ? key : path_ + "." + key;
    }
    bool has(const std::string &key) const {
        return node_[key].IsDefined() && !node_[key].IsNull();
    }
    YAML::Node node() const { return node_; } // shares the data (yaml-cpp nodes are handles)
    Context &ctx() const { return ctx_; }

    // The value for `key`; when absent, `default_yaml` is written into the tree (marked as a
    // filled default) and returned. A null default makes the key required.
    YAML::Node value(const std::string &key, const char *default_yaml) {
        known_.push_back(key);
        YAML::Node v = node_[key];
        if (v.IsDefined() && !v.IsNull()) return v;
        if (!default_yaml) fail(ctx_, node_, path_of(key), "required key is missing");
        node_[key] = YAML::Load(default_yaml);
        ctx_.defaults.insert(path_of(key));
        return node_[key];
    }
    std::string scalar(const std::string &key, const char *def) {
        YAML::Node v = value(key, def);
        if (!v.IsScalar())
            fail(ctx_, v, path_of(key),
                 fmt::format("expected a single value, found {}", describe(v)));
        return v.Scalar();
    }
    double unit(const std::string &key, const char *def, units::Parsed (*parse)(std::string_view)) {
        YAML::Node v = value(key, def);
        return parse_unit(v, path_of(key), parse);
    }
    double parse_unit(const YAML::Node &v, const std::string &path,
                      units::Parsed (*parse)(std::string_view)) {
        if (!v.IsScalar())
            fail(ctx_, v, path, fmt::format("expected a value, found {}", describe(v)));
        const auto p = parse(v.Scalar());
        if (!p.ok()) fail(ctx_, v, path, fmt::format("{} (found \"{}\")", p.error, v.Scalar()));
        return p.value;
    }
    double duration(const std::string &key, const char *def) {
        return unit(key, def, units::duration);
    }
    double positive_duration(const std::string &key, const char *def) {
        const double d = duration(key, def);
        if (d <= 0) fail(ctx_, node_[key], path_of(key), "expected a duration greater than 0");
        return d;
    }
    double rate(const std::string &key, const char *def) { return unit(key, def, units::rate); }
    double size(const std::string &key, const char *def) { return unit(key, def, units::size); }
    double fraction(const std::string &key, const char *def) {
        return unit(key, def, units::fraction);
    }
    double number(const std::string &key, const char *def, double lo, double hi) {
        YAML::Node v = value(key, def);
        const double x = parse_unit(v, path_of(key), units::number);
        if (x < lo || x > hi)
            fail(ctx_, v, path_of(key),
                 fmt::format("expected a number from {} to {} (found {})", lo, hi, v.Scalar()));
        return x;
    }
    long long integer(const std::string &key, const char *def, long long lo, long long hi) {
        YAML::Node v = value(key, def);
        return to_integer(v, path_of(key), lo, hi);
    }
    long long to_integer(const YAML::Node &v, const std::string &path, long long lo, long long hi) {
        const std::string s = v.IsScalar() ? v.Scalar() : "";
        long long x = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
        if (!v.IsScalar() || s.empty() || ec != std::errc() || ptr != s.data() + s.size())
            fail(ctx_, v, path, fmt::format("expected a whole number, found {}", describe(v)));
        if (x < lo || x > hi)
            fail(ctx_, v, path,
                 fmt::format("expected a whole number from {} to {} (found {})", lo, hi, x));
        return x;
    }
    bool flag(const std::string &key, const char *def) {
        YAML::Node v = value(key, def);
        return to_flag(v, path_of(key));
    }
    bool to_flag(const YAML::Node &v, const std::string &path) {
        if (v.IsScalar()) {
            const std::string s = v.Scalar();
            if (s == "true" || s == "yes" || s == "on") return true;
            if (s == "false" || s == "no" || s == "off") return false;
        }
        fail(ctx_, v, path, fmt::format("expected true or false, found {}", describe(v)));
    }
    // One of `options`; the index of the chosen one.
    std::size_t choice(const std::string &key, const char *def,
                       const std::vector<std::string> &options) {
        YAML::Node v = value(key, def);
        return to_choice(v, path_of(key), options);
    }
    std::size_t to_choice(const YAML::Node &v, const std::string &path,
                          const std::vector<std::string> &options) {
        if (v.IsScalar())
            for (std::size_t i = 0; i < options.size(); ++i)
                if (v.Scalar() == options[i]) return i;
        std::string hint;
        if (v.IsScalar())
            if (auto s = units::did_you_mean(v.Scalar(), options))
                hint = fmt::format(" (did you mean {}?)", *s);
        fail(ctx_, v, path,
             fmt::format("unknown value {}; expected one of {}{}", describe(v), join(options),
                         hint));
    }
    // A sub-map. `present` tells whether the user wrote it (absent sections switch features
    // off); an absent one is created empty so its defaults are filled in and shown.
    Section child(const std::string &key, bool *present = nullptr) {
        known_.push_back(key);
        YAML::Node v = node_[key];
        const bool given = v.IsDefined() && !v.IsNull();
        if (present) *present = given;
        if (!given) {
            node_[key] = YAML::Node(YAML::NodeType::Map);
            v.reset(node_[key]);
        } else if (!v.IsMap()) {
            fail(ctx_, v, path_of(key),
                 fmt::format("expected a map of keys, found {}", describe(v)));
        }
        return Section(ctx_, node_[key], path_of(key));
    }
    // Every key written must be one this section reads.
    void finish() const {
        if (!node_.IsMap()) return;
        for (auto it = node_.begin(); it != node_.end(); ++it) {
            const std::string key = it->first.Scalar();
            if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
            std::string hint;
            if (auto s = units::did_you_mean(key, known_))
                hint = fmt::format(" (did you mean {}?)", *s);
            fail(ctx_, it->first, path_of(key),
                 fmt::format("unknown key{}; expected one of {}", hint, join(known_)));
        }
    }
    void forget(const std::string &key) { node_.remove(key); }
    void allow(const std::string &key) { known_.push_back(key); }

  private:
    Context &ctx_;
    YAML::Node node_;
    std::string path_;
    std::vector<std::string> known_;
};

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
        a.rate = s.rate("rate", "40/s");
        break;
    case ArrivalProcess::Kind::diurnal:
        a.rate = s.rate("mean", "40/s");
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
    a.state.store.capacity = store.rate("capacity", redis ? "100000/s" : "4000/s");
    if (a.state.store.capacity <= 0)
        fail(root.ctx(), store.node()["capacity"], store.path_of("capacity"),
             "expected a capacity greater than 0/s");
    a.state.store.durable = store.flag("durable", redis ? "false" : "true");
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

// Emits a tree as block YAML, with `# default` after every key the loader filled in.
void emit(YAML::Emitter &out, const YAML::Node &n, const std::string &path,
          const std::set<std::string> &defaults) {
    if (n.IsMap()) {
        const bool flow = n.Style() == YAML::EmitterStyle::Flow;
        out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string key = it->first.Scalar();
            const std::string child = path.empty() ? key : path + "." + key;
            out << YAML::Key << key << YAML::Value;
            emit(out, it->second, child, defaults);
            if (!flow && defaults.count(child)) out << YAML::Comment("default");
        }
        out << YAML::EndMap;
    } else if (n.IsSequence()) {
        const bool flow = n.Style() == YAML::EmitterStyle::Flow;
        out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
        for (std::size_t i = 0; i < n.size(); ++i)
            emit(out, n[i], fmt::format("{}[{}]", path, i), defaults);
        out << YAML::EndSeq;
    } else if (n.IsScalar()) {
        out << n.Scalar();
    } else {
        out << YAML::Null;
    }
}

const std::vector<std::string> kScenarioKeys = {"name",   "description",   "duration",
                                                "warmup", "seed",          "replications",
                                                "output", "architectures", "sweep"};

struct Override {
    std::string path;
    std::string text;
    std::string source;
};

std::vector<Override> parse_sets(const LoadOptions &options) {
    std::vector<Override> out;
    for (const auto &s : options.sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0)
            throw ConfigError(
                fmt::format("error: --set {}: expected KEY=VALUE, e.g. --set cluster.nodes=8", s));
        out.push_back({s.substr(0, eq), s.substr(eq + 1), "--set " + s});
    }
    return out;
}

// The file's tree with the command-line overrides applied.
YAML::Node load_tree(const std::string &text, Context &ctx, const std::vector<Override> &sets) {
    YAML::Node root = parse_yaml(text, ctx.file);
    if (!root.IsMap())
        fail(ctx, root, "",
             fmt::format("expected a map of keys (workload:, cluster:, ...), "
                         "found {}",
                         describe(root)));
    for (const auto &o : sets) {
        YAML::Node v;
        try {
            v = YAML::Load(o.text);
        } catch (const YAML::Exception &e) {
            throw ConfigError(fmt::format("error: {}: invalid YAML value: {}", o.source, e.msg));
        }
        if (!v.IsDefined() || v.IsNull()) v = YAML::Node(o.text);
        ctx.origins.emplace_back(o.path, o.source);
        set_path(root, o.path, v, ctx, root);
    }
    return root;
}

std::string emit_resolved(const Scenario &sc, const std::vector<YAML::Node> &trees,
                          const std::vector<std::set<std::string>> &defaults, bool mark_defaults) {
    static const std::set<std::string> none;
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "statesim_version" << YAML::Value << STATESIM_VERSION;
    out << YAML::Key << "name" << YAML::Value << sc.name;
    out << YAML::Key << "description" << YAML::Value << sc.description;
    out << YAML::Key << "source" << YAML::Value << sc.source_file;
    out << YAML::Key << "duration" << YAML::Value << units::format_duration(sc.duration);
    out << YAML::Key << "warmup" << YAML::Value << units::format_duration(sc.warmup);
    out << YAML::Key << "seed" << YAML::Value << sc.seed;
    out << YAML::Key << "replications" << YAML::Value << sc.replications;
    out << YAML::Key << "replication_seeds" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (int r = 0; r < sc.replications; ++r)
        out << sc.seed + static_cast<std::uint64_t>(r);
    out << YAML::EndSeq;
    out << YAML::Key << "output" << YAML::Value << YAML::BeginMap << YAML::Key
        << "timeseries_interval" << YAML::Value << units::format_duration(sc.timeseries_interval)
        << YAML::EndMap;
    out << YAML::Key << "points" << YAML::Value << YAML::BeginSeq;
    std::size_t t = 0;
    for (std::size_t p = 0; p < sc.points.size(); ++p) {
        out << YAML::BeginMap << YAML::Key << "point" << YAML::Value << p;
        out << YAML::Key << "sweep" << YAML::Value << YAML::Flow << YAML::BeginMap;
        for (const auto &[k, v] : sc.points[p].values)
            out << YAML::Key << k << YAML::Value << v;
        out << YAML::EndMap;
        out << YAML::Key << "architectures" << YAML::Value << YAML::BeginSeq;
        for (const auto &arch : sc.points[p].architectures) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << arch.name;
            if (!arch.preset.empty()) out << YAML::Key << "preset" << YAML::Value << arch.preset;
            out << YAML::Key << "config" << YAML::Value;
            emit(out, trees[t], "", mark_defaults ? defaults[t] : none);
            ++t;
            out << YAML::EndMap;
        }
        out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

} // namespace

Scenario load_scenario_text(const std::string &text, const std::string &file,
                            const LoadOptions &options) {
    precheck(text, file);
    Context ctx;
    ctx.file = file;
    ctx.base_dir = std::filesystem::path(file).parent_path().string();
    const auto sets = parse_sets(options);

    Scenario sc;
    sc.source_file = file;
    YAML::Node root = load_tree(text, ctx, sets);
    {
        Section top(ctx, root, "");
        const std::string stem = std::filesystem::path(file).stem().string();
        sc.name = top.scalar("name", ("\"" + stem + "\"").c_str());
        sc.description = top.scalar("description", "\"\"");
        sc.duration = top.positive_duration("duration", "2h");
        sc.warmup = top.duration("warmup", "10m");
        sc.seed = static_cast<std::uint64_t>(top.integer("seed", "42", 0, INT64_MAX / 2));
        sc.replications = static_cast<int>(top.integer("replications", "5", 1, 100000));
        Section out = top.child("output");
        sc.timeseries_interval = out.positive_duration("timeseries_interval", "10s");
        out.finish();
        // The architecture keys are validated per architecture below.
        for (const char *k :
             {"workload", "network", "cluster", "load_balancer", "state", "failures", "autoscaling",
              "serverless", "workflows", "costs", "architectures", "sweep"})
            top.allow(k);
        top.value("workload", nullptr);
        top.value("cluster", nullptr);
        top.finish();
    }

    // Sweep: every combination of the listed values is a point (last key varies fastest).
    std::vector<std::vector<YAML::Node>> sweep_values;
    const YAML::Node sweep = root["sweep"];
    if (sweep.IsDefined() && !sweep.IsNull()) {
        if (!sweep.IsMap())
            fail(ctx, sweep, "sweep", "expected a map of dotted key -> list of values");
        for (auto it = sweep.begin(); it != sweep.end(); ++it) {
            const std::string key = it->first.Scalar();
            const std::string first = split_path(key).front();
            if (std::find(kScenarioKeys.begin(), kScenarioKeys.end(), first) != kScenarioKeys.end())
                fail(ctx, it->first, "sweep." + key,
                     "only architecture keys (workload, cluster, ...) can be swept");
            if (!it->second.IsSequence() || it->second.size() == 0)
                fail(ctx, it->second, "sweep." + key, "expected a non-empty list of values");
            sc.sweep_keys.push_back(key);
            std::vector<YAML::Node> vals;
            for (std::size_t i = 0; i < it->second.size(); ++i)
                vals.push_back(it->second[i]);
            sweep_values.push_back(vals);
        }
    }
    std::size_t n_points = 1;
    for (const auto &v : sweep_values)
        n_points *= v.size();
    if (n_points > 10000)
        fail(ctx, sweep, "sweep", fmt::format("{} points; at most 10000 are allowed", n_points));

    const YAML::Node archs = root["architectures"];
    std::size_t n_archs = 1;
    if (archs.IsDefined() && !archs.IsNull()) {
        if (!archs.IsSequence() || archs.size() == 0)
            fail(ctx, archs, "architectures",
                 "expected a list like [{name: a, preset: stateful-sticky}]");
        n_archs = archs.size();
    }

    std::vector<YAML::Node> trees;
    std::vector<std::set<std::string>> defaults; // per tree: keys filled in
    ctx.defaults.clear();
    for (std::size_t p = 0; p < n_points; ++p) {
        SweepPoint point;
        std::vector<std::size_t> pick(sweep_values.size());
        for (std::size_t rest = p, k = sweep_values.size(); k-- > 0;) {
            pick[k] = rest % sweep_values[k].size();
            rest /= sweep_values[k].size();
        }
        for (std::size_t a = 0; a < n_archs; ++a) {
            // A fresh parse per architecture keeps every node's file position for errors.
            ctx.origins.clear();
            YAML::Node tree = load_tree(text, ctx, sets);
            const std::size_t shared_origins = ctx.origins.size();
            for (const auto &k : kScenarioKeys)
                tree.remove(k);
            for (std::size_t k = 0; k < sweep_values.size(); ++k) {
                set_path(tree, sc.sweep_keys[k], sweep_values[k][pick[k]], ctx,
                         sweep_values[k][pick[k]]);
                if (a == 0)
                    point.values.emplace_back(sc.sweep_keys[k],
                                              sweep_values[k][pick[k]].IsScalar()
                                                  ? sweep_values[k][pick[k]].Scalar()
                                                  : "(map)");
            }
            Architecture arch;
            arch.name = "default";
            if (n_archs > 1 || archs.IsDefined()) {
                const YAML::Node entry = archs[a];
                const std::string path = fmt::format("architectures[{}]", a);
                if (!entry.IsMap())
                    fail(ctx, entry, path,
                         "expected a map like {name: a, preset: stateful-sticky}");
                Section e(ctx, entry, path);
                arch.name = e.scalar("name", nullptr);
                if (e.has("preset")) {
                    arch.preset = e.scalar("preset", nullptr);
                    const Preset *preset = find_preset(arch.preset);
                    if (!preset) {
                        std::vector<std::string> names;
                        for (const auto &pr : presets())
                            names.push_back(pr.name);
                        e.to_choice(entry["preset"], e.path_of("preset"), names);
                    }
                    for (const auto &[k, v] : preset->keys) {
                        ctx.origins.emplace_back(k,
                                                 fmt::format("{} (preset {})", path, preset->name));
                        set_path(tree, k, YAML::Load(v), ctx, entry["preset"]);
                    }
                }
                e.allow("preset");
                if (e.has("set")) {
                    const YAML::Node set = e.value("set", nullptr);
                    if (!set.IsMap())
                        fail(ctx, set, e.path_of("set"), "expected a map of dotted key -> value");
                    for (auto it = set.begin(); it != set.end(); ++it)
                        set_path(tree, it->first.Scalar(), it->second, ctx, it->first);
                }
                e.allow("set");
                e.finish();
                for (std::size_t b = 0; b < a; ++b)
                    if (archs[b]["name"].IsScalar() && archs[b]["name"].Scalar() == arch.name)
                        fail(ctx, entry["name"], e.path_of("name"),
                             fmt::format("duplicate architecture name \"{}\"", arch.name));
            }
            Section top(ctx, tree, "");
            Architecture parsed = parse_architecture(top);
            top.finish();
            parsed.name = arch.name;
            parsed.preset = arch.preset;
            point.architectures.push_back(std::move(parsed));
            trees.push_back(tree);
            defaults.push_back(std::move(ctx.defaults));
            ctx.defaults.clear();
            ctx.origins.resize(shared_origins); // preset origins belong to this architecture
        }
        sc.points.push_back(std::move(point));
    }
    sc.resolved_yaml = emit_resolved(sc, trees, defaults, false);
    sc.resolved_yaml_with_defaults = emit_resolved(sc, trees, defaults, true);
    return sc;
}

Scenario load_scenario(const std::string &path, const LoadOptions &options) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw ConfigError(fmt::format("error: {}: no such file (or not a regular file)", path));
    std::ifstream in(path, std::ios::binary);
    std::string text;
    const auto size = fs::file_size(path, ec);
    if (ec || size > kMaxFileBytes)
        throw ConfigError(
            fmt::format("error: {}: unreadable or larger than {} MiB", path, kMaxFileBytes >> 20));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return load_scenario_text(text, path, options);
}

std::string describe_resolved(const Scenario &scenario) {
    return scenario.resolved_yaml_with_defaults;
}

} // namespace statesim
