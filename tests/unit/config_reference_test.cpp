// docs/configuration.md must document every key the loader accepts. Two independent checks:
// 1. the resolved configuration of scenarios that write every section (every default filled in)
//    is walked key by key, over every arrival process and every distribution kind;
// 2. every map the loader reads is probed with an unknown key: the error lists the keys that
//    map accepts (the loader's own table), and each must be documented too. Choices are probed
//    the same way with an unknown value.
// A dotted path must appear in the reference as `dotted.path` (lists as `events[]`); the keys
// of a random quantity ({dist: ...}) are documented once, in the "Random quantities" section.
// The loader runs with every feature on (Modelled::everything()): keys of features the model
// does not simulate yet are parsed, and documented, all the same.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "statesim/config/load_scenario.hpp"

using namespace statesim;

namespace {

const std::string kDocPath = std::string(STATESIM_SOURCE_DIR) + "/docs/configuration.md";

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in, "cannot read " << path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The text of the `## heading` section, up to the next `## ` heading.
std::string doc_section(const std::string &doc, const std::string &heading) {
    const auto start = doc.find("\n## " + heading + "\n");
    REQUIRE_MESSAGE(start != std::string::npos, "no section \"## " << heading << "\" in the doc");
    const auto end = doc.find("\n## ", start + 1);
    return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool mentions(const std::string &text, const std::string &key) {
    return text.find("`" + key + "`") != std::string::npos;
}

// The cells of every table row (`| a | b |`) in `text`.
std::vector<std::vector<std::string>> table_rows(const std::string &text) {
    std::vector<std::vector<std::string>> rows;
    std::stringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("|") || line.starts_with("|---")) continue;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        for (std::string cell; std::getline(ss, cell, '|');)
            cells.push_back(cell);
        rows.push_back(cells);
    }
    return rows;
}

// A key is documented by a table row whose first cell names it; a value by that row; a
// random-quantity key by the keys column (or first) of the "Random quantities" table, a kind by
// its first column. Deleting a key's row therefore fails the test.
struct Reference {
    std::vector<std::vector<std::string>> rows, random_rows;
    explicit Reference(const std::string &doc)
        : rows(table_rows(doc)), random_rows(table_rows(doc_section(doc, "Random quantities"))) {}
    bool key(const std::string &path) const {
        return std::any_of(rows.begin(), rows.end(),
                           [&](const auto &r) { return !r.empty() && mentions(r[0], path); });
    }
    bool value(const std::string &path, const std::string &option) const {
        return std::any_of(rows.begin(), rows.end(), [&](const auto &r) {
            return !r.empty() && mentions(r[0], path) &&
                   std::any_of(r.begin(), r.end(), [&](auto &c) { return mentions(c, option); });
        });
    }
    bool random_key(const std::string &k) const {
        return std::any_of(random_rows.begin(), random_rows.end(), [&](const auto &r) {
            return (!r.empty() && mentions(r[0], k)) || (r.size() > 1 && mentions(r[1], k));
        });
    }
    bool random_kind(const std::string &k) const {
        return std::any_of(random_rows.begin(), random_rows.end(),
                           [&](const auto &r) { return !r.empty() && mentions(r[0], k); });
    }
};

std::string join_path(const std::string &parent, const std::string &key) {
    return parent.empty() ? key : parent + "." + key;
}

// Each kind the loader accepts must have a variant here: a new kind then fails the test until
// it gets one (and its keys are checked).
const std::map<std::string, std::string> kArrivals = {
    {"poisson", "{process: poisson, rate: 40/s}"},
    {"profile", "{process: profile, points: [[0s, 10/s], [5m, 20/s]]}"},
    {"diurnal", "{process: diurnal, mean: 40/s, amplitude: 0.5, period: 1h}"},
    {"trace", "{process: trace, file: @TRACE@}"},
};
const std::map<std::string, std::string> kDurationDists = {
    {"constant", "{dist: constant, value: 5s}"},
    {"exponential", "{dist: exponential, mean: 5s}"},
    {"lognormal", "{dist: lognormal, mean: 5s, cv: 1.5}"},
    {"uniform", "{dist: uniform, min: 1s, max: 9s}"},
    {"erlang", "{dist: erlang, mean: 5s, k: 3}"},
    {"hyperexp", "{dist: hyperexp, mean: 5s, cv: 2}"},
    {"weibull", "{dist: weibull, mean: 5s, shape: 0.7}"},
    {"pareto", "{dist: pareto, mean: 5s, shape: 2.5}"},
    {"empirical", "{dist: empirical, file: @SAMPLES@}"},
};
const std::map<std::string, std::string> kCountDists = {
    {"geometric", "{dist: geometric, mean: 8}"},
    {"constant", "{dist: constant, value: 3}"},
};

// Every section written; failures and the not-implemented sections only count when present.
std::string scenario(const std::string &arrival, const std::string &requests,
                     const std::string &think, bool architectures) {
    std::string text = R"(name: reference
description: every section
duration: 10m
warmup: 1m
seed: 1
replications: 1
output: {timeseries_interval: 10s}
workload:
  sessions:
    arrival: )" + arrival +
                       R"(
    requests: )" + requests +
                       R"(
    think_time: )" + think +
                       R"(
  request: {service_time: {dist: lognormal, mean: 20ms, cv: 1.0}}
  client: {retries: {max: 2}}
network: {hop_latency: {dist: exponential, mean: 0.5ms}}
cluster: {nodes: 4}
load_balancer: {sticky: true}
state: {location: store}
failures:
  nodes: {mttr: 10m}
  zones: {enabled: false}
  store: {}
  deployments: {every: 1h}
  events:
    - {at: 5m, kill: node, count: 1}
    - {at: 6m, kill: zone, zone: 0, duration: 1m}
    - {at: 7m, outage: store, duration: 1m, shard: 0}
    - {at: 8m, deploy: rolling}
autoscaling:
  policy: step
  steps: [{above: 80%, add: 1}, {below: 20%, add: -1}]
  schedule: [{at: 5m, desired: 3}]
serverless: {}
workflows: {}
costs: {}
)";
    if (architectures)
        text += R"(architectures:
  - {name: a, preset: stateful-sticky}
  - {name: b, preset: stateless-redis, set: {cluster.nodes: 2}}
sweep:
  cluster.zones: [1, 2]
)";
    return text;
}

struct Files {
    std::filesystem::path dir;
    Files() {
        dir = std::filesystem::temp_directory_path() /
              ("statesim-config-reference-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        std::ofstream(dir / "trace.txt") << "1\n2.5\n30s\n";
        std::ofstream(dir / "samples.txt") << "0.1\n200ms\n";
    }
    ~Files() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string fill(std::string text) const {
        for (auto [tag, name] :
             {std::pair{"@TRACE@", "trace.txt"}, std::pair{"@SAMPLES@", "samples.txt"}})
            for (auto at = text.find(tag); at != std::string::npos; at = text.find(tag))
                text.replace(at, std::string(tag).size(), (dir / name).string());
        return text;
    }
};

LoadOptions everything(const std::vector<std::string> &sets = {}) {
    LoadOptions o;
    o.sets = sets;
    o.modelled = Modelled::everything();
    return o;
}

std::string error_of(const std::string &text, const std::vector<std::string> &sets = {}) {
    try {
        load_scenario_text(text, "reference.yaml", everything(sets));
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "(no error)";
}

// The list after "expected one of " in an error message, without a "(did you mean ...)" hint.
std::vector<std::string> expected_list(const std::string &message) {
    std::vector<std::string> out;
    auto at = message.find("expected one of ");
    if (at == std::string::npos) return out;
    std::string rest = message.substr(at + 16);
    if (auto hint = rest.find(" (did you mean"); hint != std::string::npos) rest.resize(hint);
    std::stringstream ss(rest);
    for (std::string item; std::getline(ss, item, ',');) {
        while (!item.empty() && item.front() == ' ')
            item.erase(0, 1);
        out.push_back(item);
    }
    return out;
}

bool is_random_quantity(const YAML::Node &n) {
    return n.IsMap() && n["dist"].IsDefined();
}

// Every key path under `n`, with random quantities reported once (their own keys apart).
struct Walk {
    std::set<std::string> paths;                          // dotted, lists as []
    std::set<std::string> random_paths;                   // maps with `dist`
    std::set<std::string> random_keys, random_kinds;      // their keys and dist values
    std::vector<std::pair<std::string, YAML::Node>> maps; // non-list maps, for probing
    std::set<std::string> leaves;                         // scalars outside lists

    void operator()(const YAML::Node &n, const std::string &path, bool in_list = false) {
        if (is_random_quantity(n)) {
            random_paths.insert(path);
            for (auto it = n.begin(); it != n.end(); ++it)
                random_keys.insert(it->first.Scalar());
            random_kinds.insert(n["dist"].Scalar());
            if (!in_list) maps.emplace_back(path, n);
            return;
        }
        if (n.IsMap()) {
            if (!in_list) maps.emplace_back(path, n);
            for (auto it = n.begin(); it != n.end(); ++it) {
                const std::string child = join_path(path, it->first.Scalar());
                paths.insert(child);
                (*this)(it->second, child, in_list);
            }
        } else if (n.IsSequence()) {
            for (std::size_t i = 0; i < n.size(); ++i)
                if (n[i].IsMap()) (*this)(n[i], path + "[]", true);
        } else if (n.IsScalar() && !in_list && !path.empty()) {
            leaves.insert(path);
        }
    }
};

} // namespace

TEST_CASE("docs/configuration.md documents every key of the resolved configuration") {
    const Reference ref(read_file(kDocPath));
    const Files files;

    std::vector<std::string> variants;
    for (const auto &[kind, arrival] : kArrivals)
        variants.push_back(
            scenario(arrival, kCountDists.at("geometric"), kDurationDists.at("exponential"), true));
    for (const auto &[kind, dist] : kDurationDists)
        variants.push_back(
            scenario(kArrivals.at("poisson"), kCountDists.at("geometric"), dist, false));
    for (const auto &[kind, dist] : kCountDists)
        variants.push_back(
            scenario(kArrivals.at("poisson"), dist, kDurationDists.at("exponential"), false));
    // A DynamoDB capacity mode: a map instead of a rate.
    std::string modes = scenario(kArrivals.at("poisson"), kCountDists.at("geometric"),
                                 kDurationDists.at("exponential"), false);
    const std::string location = "state: {location: store}";
    REQUIRE(modes.find(location) != std::string::npos);
    modes.replace(modes.find(location), location.size(),
                  "state: {location: store, store: {capacity: {mode: provisioned}}}");
    variants.push_back(modes);

    Walk walk;
    for (const auto &v : variants) {
        const Scenario sc = load_scenario_text(files.fill(v), "reference.yaml", everything());
        const YAML::Node resolved = YAML::Load(sc.resolved_yaml);
        for (auto it = resolved.begin(); it != resolved.end(); ++it) {
            const std::string key = it->first.Scalar();
            walk.paths.insert(key);
            if (key == "points") continue;
            walk(it->second, key);
        }
        for (const auto &point : resolved["points"])
            for (const auto &arch : point["architectures"])
                walk(arch["config"], "");
    }
    CHECK(walk.paths.size() > 60);

    for (const auto &path : walk.paths)
        CHECK_MESSAGE(ref.key(path), "docs/configuration.md does not document `" << path << "`");
    for (const auto &path : walk.random_paths)
        CHECK_MESSAGE(ref.key(path), "docs/configuration.md does not document `" << path << "`");
    for (const auto &key : walk.random_keys)
        CHECK_MESSAGE(ref.random_key(key),
                      "\"Random quantities\" does not document the key `" << key << "`");
    for (const auto &kind : walk.random_kinds)
        CHECK_MESSAGE(ref.random_kind(kind),
                      "\"Random quantities\" does not document `dist: " << kind << "`");
}

TEST_CASE("docs/configuration.md documents every key and choice the loader's own tables accept") {
    const Reference ref(read_file(kDocPath));
    const Files files;
    // One architecture, no sweep: a preset or a swept value would hide a probe.
    const std::string text =
        files.fill(scenario(kArrivals.at("poisson"), kCountDists.at("geometric"),
                            kDurationDists.at("exponential"), false));
    const Scenario sc = load_scenario_text(text, "reference.yaml", everything());
    const YAML::Node resolved = YAML::Load(sc.resolved_yaml);
    Walk walk;
    walk(resolved["output"], "output");
    walk(resolved["points"][0]["architectures"][0]["config"], "");

    // Unknown keys: the error lists what the map accepts.
    int probed = 0;
    for (const auto &[path, node] : walk.maps) {
        const bool random = walk.random_paths.count(path) > 0;
        std::string set = join_path(path, "zzprobe") + "=1";
        // A random quantity or a capacity mode the file leaves out has required keys: give it
        // whole, with the probe.
        if (random || node["mode"].IsDefined()) {
            YAML::Node copy = YAML::Clone(node);
            copy["zzprobe"] = "1";
            YAML::Emitter out;
            out << YAML::Flow << copy;
            set = path + "=" + out.c_str();
        }
        const std::string message = error_of(text, {set});
        INFO("probing --set " << set << ": " << message);
        CHECK((message.find("unknown key") != std::string::npos ||
               message.find("not implemented") != std::string::npos));
        if (message.find("unknown key") == std::string::npos) continue;
        ++probed;
        for (const auto &key : expected_list(message)) {
            if (random)
                CHECK_MESSAGE(ref.random_key(key),
                              "\"Random quantities\" does not document the key `" << key << "`");
            else
                CHECK_MESSAGE(ref.key(join_path(path, key)),
                              "docs/configuration.md does not document `" << join_path(path, key)
                                                                          << "`");
        }
    }
    CHECK(probed > 20);

    // List entries cannot be reached with --set: probe them in the text.
    const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> lists = {
        {"failures.events[]", {"count: 1}", "count: 1, zzprobe: 1}"}},
        {"failures.events[]", {"zone: 0, duration: 1m}", "zone: 0, duration: 1m, zzprobe: 1}"}},
        {"failures.events[]", {"shard: 0}", "shard: 0, zzprobe: 1}"}},
        {"failures.events[]", {"deploy: rolling}", "deploy: rolling, zzprobe: 1}"}},
        {"autoscaling.steps[]", {"add: 1}", "add: 1, zzprobe: 1}"}},
        {"autoscaling.steps[]", {"add: -1}", "add: -1, zzprobe: 1}"}},
        {"autoscaling.schedule[]", {"desired: 3}", "desired: 3, zzprobe: 1}"}},
        {"architectures[]", {"preset: stateful-sticky}", "preset: stateful-sticky, zzprobe: 1}"}},
    };
    const std::string with_archs =
        files.fill(scenario(kArrivals.at("poisson"), kCountDists.at("geometric"),
                            kDurationDists.at("exponential"), true));
    for (const auto &[path, edit] : lists) {
        std::string probe = with_archs;
        const auto at = probe.find(edit.first);
        REQUIRE(at != std::string::npos);
        probe.replace(at, edit.first.size(), edit.second);
        const std::string message = error_of(probe);
        INFO("probing " << path << ".zzprobe: " << message);
        REQUIRE(message.find("unknown key") != std::string::npos);
        for (const auto &key : expected_list(message))
            CHECK_MESSAGE(ref.key(path + "." + key),
                          "docs/configuration.md does not document `" << path << "." << key << "`");
    }

    // Choices: an unknown value lists the allowed ones.
    int choices = 0;
    std::set<std::string> leaves = walk.leaves;
    for (const auto &path : walk.random_paths)
        leaves.insert(path + ".dist");
    for (const auto &path : leaves) {
        const std::string message = error_of(text, {path + "=zzprobe"});
        if (message.find("unknown value") == std::string::npos) continue;
        INFO("probing " << path << "=zzprobe: " << message);
        ++choices;
        const auto options = expected_list(message);
        const bool dist = path.ends_with(".dist");
        for (const auto &option : options)
            CHECK_MESSAGE(dist ? ref.random_kind(option) : ref.value(path, option),
                          "docs/configuration.md does not document the value `" << option << "` of "
                                                                                << path);
        // Every kind needs a variant above, so that its own keys are checked too.
        const std::set<std::string> got(options.begin(), options.end());
        auto kinds = [](const std::map<std::string, std::string> &m) {
            std::set<std::string> s;
            for (const auto &[k, v] : m)
                s.insert(k);
            return s;
        };
        if (path == "workload.sessions.arrival.process") CHECK(got == kinds(kArrivals));
        if (dist) CHECK(got == kinds(got.count("geometric") ? kCountDists : kDurationDists));
    }
    CHECK(choices >= 10);
}
