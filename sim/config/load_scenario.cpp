// With yaml_tree, the only user of yaml-cpp. The file is parsed into a tree (yaml_tree.hpp);
// overrides, sweep values, presets and `set:` entries are applied to that tree by dotted path;
// absent keys are filled with their documented defaults *in the tree*, so the tree itself
// becomes the resolved configuration.
#include "statesim/config/load_scenario.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>
#include <yaml-cpp/exceptions.h>

#include "statesim/config/presets.hpp"
#include "statesim/config/units.hpp"
#include "yaml_section.hpp"

namespace statesim {
namespace {

using namespace config_detail;

constexpr std::size_t kMaxFileBytes = 4 << 20;
constexpr int kMaxNesting = 64;
constexpr long long kMaxTimeseriesRows = 1'000'000; // per run (point x architecture x replication)

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

// One document: a `---` that starts a second one is an error, not silently ignored.
Node parse_yaml(const std::string &text, Context &ctx) {
    const std::string &file = ctx.file;
    try {
        int documents = 0;
        YAML::Mark second;
        Node doc = ctx.nodes.parse(text, &documents, &second);
        if (documents < 2) return doc;
        if (!doc.IsMap())
            throw ConfigError(fmt::format("error: {}:{}:{}: invalid YAML: expected one map of keys "
                                          "(`workload:`, `cluster:`, ...), found no document "
                                          "before a stray token",
                                          file, second.line + 1, second.column + 1));
        throw ConfigError(
            fmt::format("error: {}:{}:{}: (top): a second YAML document (after `---`); expected "
                        "one scenario per file",
                        file, second.line + 1, second.column + 1));
    } catch (const YAML::Exception &e) {
        // yaml-cpp says "illegal tab when looking for indentation": say what to do.
        const bool tab = e.msg.find("tab") != std::string::npos;
        throw ConfigError(fmt::format("error: {}:{}:{}: invalid YAML: {}{}", file, e.mark.line + 1,
                                      e.mark.column + 1, e.msg,
                                      tab ? "; YAML indents with spaces: replace the tab" : ""));
    }
}

// yaml-cpp keeps the first of two equal keys in a map and ignores the second when looked up;
// every map of the file is checked so a repeated key is an error at its second occurrence.
// Collections are visited once each (by position), so aliases cannot blow the walk up.
void check_duplicate_keys(const Node &n, const std::string &path, const Context &ctx,
                          std::set<std::size_t> &visited) {
    if (!n.IsMap() && !n.IsSequence()) return;
    if (!n.Mark().is_null() && !visited.insert(static_cast<std::size_t>(n.Mark().pos)).second)
        return;
    if (n.IsSequence()) {
        for (std::size_t i = 0; i < n.size(); ++i)
            check_duplicate_keys(n[i], fmt::format("{}[{}]", path, i), ctx, visited);
        return;
    }
    std::map<std::string, YAML::Mark> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
        const std::string child = path.empty() ? key : path + "." + key;
        if (it->first.IsScalar()) {
            const auto [first, inserted] = seen.emplace(key, it->first.Mark());
            if (!inserted)
                fail(ctx, it->first, child,
                     fmt::format("duplicate key {} (first at line {}); a key may appear once in "
                                 "a map",
                                 key, first->second.line + 1));
        }
        check_duplicate_keys(it->second, child, ctx, visited);
    }
}

// The characters a scenario name may hold.
bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

// The scenario name names the output directory results/<name>/: it must be one plain path
// component.
bool valid_name(const std::string &name) {
    if (name.empty() || name == "." || name == ".." || name.size() > 200) return false;
    return std::all_of(name.begin(), name.end(), name_char);
}

// The default name (the file's stem) made valid: other characters become '_', and a stem that
// is still no valid name (`.` of `..yaml`) gives `scenario`.
std::string name_from_stem(std::string stem) {
    for (char &c : stem)
        if (!name_char(c)) c = '_';
    return valid_name(stem) ? stem : "scenario";
}

// An architecture's name heads a table column and labels CSV rows: it must show something and
// stay on one line.
bool valid_architecture_name(const std::string &name) {
    const auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
    return name.find_first_not_of(' ') != std::string::npos &&
           std::none_of(name.begin(), name.end(), control);
}

// `text` on one line, control characters escaped, for a message.
std::string printable(const std::string &text) {
    std::string out;
    for (unsigned char c : text)
        out += c == '\n'               ? std::string("\\n")
               : c == '\t'             ? std::string("\\t")
               : c < 0x20 || c == 0x7f ? fmt::format("\\x{:02x}", c)
                                       : std::string(1, static_cast<char>(c));
    return out;
}

bool overlapping(const std::string &a, const std::string &b) {
    return a == b || a.starts_with(b + ".") || b.starts_with(a + ".");
}

bool defaults_under(const std::set<std::string> &defaults, const std::string &path) {
    const std::string prefix = path + ".";
    auto it = defaults.lower_bound(prefix);
    return it != defaults.end() && it->starts_with(prefix);
}

// Whether emit() writes `n` as a block collection (over several lines).
bool emitted_as_block(const Node &n, const std::string &path, const std::set<std::string> &defaults,
                      bool in_flow) {
    if (in_flow || n.size() == 0) return false;
    if (n.IsMap()) return n.Style() != YAML::EmitterStyle::Flow || defaults_under(defaults, path);
    return n.IsSequence() && n.Style() != YAML::EmitterStyle::Flow;
}

// Emits a tree as YAML, keeping the user's flow or block style; when defaults are marked, a map
// holding filled-in keys is written as a block so each can carry its `# default` comment. A
// default written as a block (a filled-in map with defaults of its own filled below it) has
// the comment on each of its keys: one after its last line would read as that key's twice.
void emit(YAML::Emitter &out, const Node &n, const std::string &path,
          const std::set<std::string> &defaults, bool in_flow = false, bool is_default = false) {
    if (n.IsMap()) {
        const bool flow = !emitted_as_block(n, path, defaults, in_flow);
        out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string key = it->first.Scalar();
            const std::string child = path.empty() ? key : path + "." + key;
            const bool child_default = is_default || defaults.count(child) > 0;
            out << YAML::Key << key << YAML::Value;
            emit(out, it->second, child, defaults, flow, child_default);
            if (!flow && child_default && !emitted_as_block(it->second, child, defaults, flow))
                out << YAML::Comment("default");
        }
        out << YAML::EndMap;
    } else if (n.IsSequence()) {
        const bool flow = !emitted_as_block(n, path, defaults, in_flow);
        out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
        for (std::size_t i = 0; i < n.size(); ++i)
            emit(out, n[i], fmt::format("{}[{}]", path, i), defaults, flow, is_default);
        out << YAML::EndSeq;
    } else if (n.IsScalar()) {
        out << n.Scalar();
    } else {
        out << YAML::Null;
    }
}

// Whether `n` written out (aliases expanded) stays within kMaxNesting levels and `budget`
// nodes: an alias to an enclosing anchor (`&x [1, *x]`) never ends, doubling aliases explode.
bool bounded(const Node &n, int depth, std::size_t &budget) {
    if (depth > kMaxNesting || budget == 0) return false;
    --budget;
    if (n.IsMap()) {
        for (auto it = n.begin(); it != n.end(); ++it)
            if (!bounded(it->first, depth + 1, budget) || !bounded(it->second, depth + 1, budget))
                return false;
    } else if (n.IsSequence()) {
        for (std::size_t i = 0; i < n.size(); ++i)
            if (!bounded(n[i], depth + 1, budget)) return false;
    }
    return true;
}

// A swept value as the table and the CSVs label it: a scalar as written, a map or a list as
// compact flow YAML (`{dist: exponential, mean: 30ms}`), so two values never look alike.
std::string sweep_label(const Node &v) {
    if (v.IsScalar()) return v.Scalar();
    if (v.IsNull()) return "null";
    YAML::Emitter out;
    emit(out, v, "", {}, true);
    return out.c_str();
}

const std::vector<std::string> kScenarioKeys = {
    "name",         "description", "duration",      "warmup", "seed",
    "replications", "output",      "architectures", "sweep",  "slo"};

// slo: which keys judge which summary column, in what unit, and in which direction.
struct SloKind {
    const char *key, *metric;
    units::Parsed (*parse)(std::string_view);
    double scale; // parsed value -> the column's unit
    bool at_least;
};
const std::vector<SloKind> &slo_kinds() {
    static const std::vector<SloKind> kinds = {
        {"lost_session_pct", "lost_session_pct", units::fraction, 100, false},
        {"sessions_affected_pct", "sessions_affected_pct", units::fraction, 100, false},
        {"failed_request_pct", "failed_request_pct", units::fraction, 100, false},
        {"latency_mean", "latency_mean_ms", units::duration, 1e3, false},
        {"latency_p50", "latency_p50_ms", units::duration, 1e3, false},
        {"latency_p95", "latency_p95_ms", units::duration, 1e3, false},
        {"latency_p99", "latency_p99_ms", units::duration, 1e3, false},
        {"latency_p999", "latency_p999_ms", units::duration, 1e3, false},
        {"cold_start_pct", "cold_start_pct", units::fraction, 100, false},
        {"throttled_pct", "throttled_pct", units::fraction, 100, false},
        {"workflows_lost_pct", "workflows_lost_pct", units::fraction, 100, false},
        {"availability", "availability", units::fraction, 1, true},
        {"throughput", "throughput_rps", units::rate, 1, true},
        {"cost_per_month_usd", "cost_per_month_usd", nullptr, 1, false},
        {"cost_per_1k_sessions_usd", "cost_per_1k_sessions_usd", nullptr, 1, false},
    };
    return kinds;
}

// `lost_session_pct: 0.7` is a fraction (70 %) while the column is in percent: legal, and
// usually meant as 0.7 %. Said at load, where the file position is known.
void warn_about_bare_pct(Section &s, const SloKind &k, std::vector<std::string> &warnings) {
    const Node v = s.node()[k.key];
    const std::string &text = v.Scalar();
    const double fraction = units::fraction(text).value;
    if (text.find('%') != std::string::npos || !(fraction > 0 && fraction < 1)) return;
    const std::string path = s.path_of(k.key);
    std::string where;
    if (const Origin *o = origin_of(s.ctx(), path)) where = o->source;
    if (where.empty())
        where = v.Mark().is_null()
                    ? s.ctx().file
                    : fmt::format("{}:{}:{}", s.ctx().file, v.Mark().line + 1, v.Mark().column + 1);
    const std::string w =
        fmt::format("warning: {}: {}: {} is read as a fraction: {} = {:g}%; write {}% for {} "
                    "percent",
                    where, path, text, text, fraction * 100, text, text);
    if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
}

std::vector<Slo> parse_slo(Section &top, std::vector<std::string> &warnings) {
    std::vector<Slo> out;
    if (!top.present("slo")) return out; // `slo:` with no value is `{}`, as every section
    Section s = top.child("slo");
    for (const SloKind &k : slo_kinds()) {
        s.allow(k.key); // an unknown key is reported with the whole list
        if (!s.has(k.key)) continue;
        Slo slo{k.key, k.metric, 0, k.at_least, ""};
        if (k.parse) {
            slo.limit = s.unit(k.key, nullptr, k.parse) * k.scale;
        } else {
            slo.limit = s.number(k.key, nullptr, 0, 1e12);
        }
        slo.text = s.node()[k.key].Scalar();
        // At least 0/s always passes: a limit that judges nothing is a mistake.
        if (k.parse == units::rate && !(slo.limit > 0))
            fail(s.ctx(), s.node()[k.key], s.path_of(k.key),
                 fmt::format("expected a rate greater than 0/s, found \"{}\"", slo.text));
        if (k.parse == units::fraction && k.scale == 100) warn_about_bare_pct(s, k, warnings);
        out.push_back(slo);
    }
    s.finish();
    if (out.empty())
        fail(s.ctx(), s.node(), "slo",
             "expected at least one objective, e.g. {lost_session_pct: 0.1%, latency_p99: 200ms}");
    return out;
}

struct Override {
    std::string path;
    std::string text;
    std::string source;
};

std::vector<Override> parse_sets(const LoadOptions &options) {
    std::vector<Override> out;
    for (std::size_t i = 0; i < options.sets.size(); ++i) {
        const std::string &s = options.sets[i];
        const bool flagged = i < options.set_flags.size() && !options.set_flags[i].empty();
        const auto eq = s.find('=');
        // Spaces around KEY are dropped (`--set ' cluster.nodes = 3 '`); around VALUE YAML
        // drops them.
        const auto first = s.find_first_not_of(" \t");
        const auto last = eq == std::string::npos ? eq : s.find_last_not_of(" \t", eq - 1);
        if (eq == std::string::npos || first >= eq || last == std::string::npos)
            throw ConfigError(
                fmt::format("error: --set {}: expected KEY=VALUE, e.g. --set cluster.nodes=8", s));
        const std::string key = s.substr(first, last - first + 1);
        const std::string source = flagged ? options.set_flags[i] : "--set " + s;
        if (key.find_first_of(" \t") != std::string::npos)
            throw ConfigError(fmt::format("error: {}: {}: expected a dotted key without spaces, "
                                          "like cluster.nodes",
                                          source, key));
        if (key.find_first_of("[]") != std::string::npos)
            throw ConfigError(fmt::format(
                "error: {}: {}: a list item cannot be set by its index; --set takes a dotted key "
                "of maps and replaces a list whole, e.g. --set 'architectures=[{{name: a, preset: "
                "stateful-sticky}}]'",
                source, key));
        out.push_back({key, s.substr(eq + 1), source});
    }
    return out;
}

// The origin of a key that the sweep or an architecture's `set:` places by path: the key's
// position in the file, or the --set flag that gave the whole map.
Origin placed(const Context &ctx, const std::string &map_path, const std::string &key,
              const Node &key_node, const std::string &label) {
    if (const Origin *o = origin_of(ctx, map_path)) return {key, o->source, label, false};
    const YAML::Mark m = key_node.Mark();
    return {key, fmt::format("{}:{}:{}", ctx.file, m.line + 1, m.column + 1), label, true};
}

// The file's tree with the command-line overrides applied.
Node load_tree(const std::string &text, Context &ctx, const std::vector<Override> &sets,
               bool first_load = false) {
    Node root = parse_yaml(text, ctx);
    if (!root.IsMap())
        fail(ctx, root, "",
             fmt::format("expected a map of keys (workload:, cluster:, ...), "
                         "found {}",
                         describe(root)));
    if (first_load) {
        std::set<std::size_t> visited;
        check_duplicate_keys(root, "", ctx, visited);
    }
    for (const auto &o : sets) {
        Node v;
        try {
            v = ctx.nodes.parse(o.text);
        } catch (const YAML::Exception &e) {
            throw ConfigError(fmt::format("error: {}: invalid YAML value: {}", o.source, e.msg));
        }
        if (!v.IsDefined() || v.IsNull()) v = ctx.nodes.scalar(o.text);
        ctx.origins.push_back({o.path, o.source, "", false});
        if (first_load) {
            std::set<std::size_t> visited;
            check_duplicate_keys(v, o.path, ctx, visited);
        }
        set_path(root, o.path, v, ctx, root);
    }
    return root;
}

std::string emit_resolved(const Scenario &sc, const std::vector<std::vector<Node>> &swept,
                          const std::vector<Node> &trees,
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
    if (!sc.slo.empty()) {
        out << YAML::Key << "slo" << YAML::Value << YAML::BeginMap;
        for (const Slo &slo : sc.slo)
            out << YAML::Key << slo.key << YAML::Value << slo.text;
        out << YAML::EndMap;
    }
    out << YAML::Key << "points" << YAML::Value << YAML::BeginSeq;
    std::size_t t = 0;
    for (std::size_t p = 0; p < sc.points.size(); ++p) {
        out << YAML::BeginMap << YAML::Key << "point" << YAML::Value << p;
        out << YAML::Key << "sweep" << YAML::Value << YAML::Flow << YAML::BeginMap;
        for (std::size_t k = 0; k < swept[p].size(); ++k) {
            out << YAML::Key << sc.sweep_keys[k] << YAML::Value;
            emit(out, swept[p][k], "", none, true);
        }
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
    // Exactly as long as the text: the scenario holds it for the whole run (`+ "\n"` would
    // double its capacity).
    std::string text;
    text.reserve(out.size() + 1);
    text.append(out.c_str(), out.size());
    text += '\n';
    return text;
}

// Scheduled events count from the start of the run: one inside the warm-up is not measured, one
// past the end never fires. Both are legal, and both are usually a mistake.
void warn_about_time(Scenario &sc, const Context &ctx, const std::string &what,
                     const std::string &path, double at, const Node &node) {
    std::string shown;
    const std::string where = where_of(ctx, node, path, &shown);
    // A value placed by the sweep, a `set:` or a preset is named as the user wrote it
    // (`sweep.failures.events[0]`), as other messages do.
    const std::string label =
        shown.ends_with(path) ? shown.substr(0, shown.size() - path.size()) : std::string();
    std::string problem;
    if (at < sc.warmup)
        problem = fmt::format("falls inside the warm-up (warmup: {}): it happens before "
                              "measurement starts, only what it causes after the warm-up is "
                              "measured (times count from the start of the run)",
                              units::format_duration(sc.warmup));
    else if (at > sc.warmup + sc.duration)
        problem = fmt::format("is past the end of the run (warmup + duration = {}); it never "
                              "happens",
                              units::format_duration(sc.warmup + sc.duration));
    if (problem.empty()) return;
    const std::string w = fmt::format("warning: {}: {}{}: at {} {}", where, label, what,
                                      units::format_duration(at), problem);
    if (std::find(sc.warnings.begin(), sc.warnings.end(), w) == sc.warnings.end())
        sc.warnings.push_back(w);
}

void warn_about_schedule(Scenario &sc, const Context &ctx, const Architecture &arch,
                         const Node &tree) {
    const auto &events = arch.failures.events;
    for (std::size_t i = 0; i < events.size(); ++i)
        warn_about_time(sc, ctx, fmt::format("failures.events[{}]", i),
                        fmt::format("failures.events[{}].at", i), events[i].at,
                        tree["failures"]["events"][i]["at"]);
    if (arch.autoscaling.enabled) {
        const auto &schedule = arch.autoscaling.schedule;
        for (std::size_t i = 0; i < schedule.size(); ++i)
            warn_about_time(sc, ctx, fmt::format("autoscaling.schedule[{}]", i),
                            fmt::format("autoscaling.schedule[{}].at", i), schedule[i].at,
                            tree["autoscaling"]["schedule"][i]["at"]);
    }
    // The first periodic deployment happens at `every`.
    if (arch.failures.deployments.enabled &&
        arch.failures.deployments.every > sc.warmup + sc.duration)
        warn_about_time(sc, ctx, "failures.deployments.every (the first deployment)",
                        "failures.deployments.every", arch.failures.deployments.every,
                        tree["failures"]["deployments"]["every"]);
}

// Whether the user wrote the key at `path` (in the file, a --set or a `set:`): not a filled-in
// default nor a key of the preset; a map counts when one of its keys does.
bool written(const Context &ctx, const Preset *preset, const Node &n, const std::string &path) {
    if (!n.IsDefined() || defaulted(ctx, path)) return false;
    if (preset)
        for (const auto &[k, v] : preset->keys)
            if (k == path) return false;
    if (!n.IsMap()) return true;
    for (auto it = n.begin(); it != n.end(); ++it)
        if (written(ctx, preset, it->second, path + "." + it->first.Scalar())) return true;
    return false;
}

// Under the serverless runtime the platform places requests and replaces hosts: no server
// fleet is built (model/cluster_model), so the fleet's keys have nothing to act on. A config
// comparing servers with a function shares them at the top level, so they are legal, but each
// one the user set is named, where it was set. Sections switched off are left out, and so is
// cluster.session_memory_limit: it bounds local state in an environment's memory too.
void warn_about_serverless(Scenario &sc, const Context &ctx, const Architecture &arch,
                           const Node &tree) {
    if (arch.cluster.runtime != Runtime::serverless) return;
    const Preset *preset = find_preset(arch.preset);
    const auto warn = [&](const std::string &path, const Node &n, const char *what) {
        std::string shown;
        const std::string where = where_of(ctx, n, path, &shown);
        const std::string w = fmt::format(
            "warning: {}: {}: architecture \"{}\" runs on the serverless runtime, which ignores "
            "{}; the platform places requests and replaces hosts",
            where, shown, arch.name, what);
        if (std::find(sc.warnings.begin(), sc.warnings.end(), w) == sc.warnings.end())
            sc.warnings.push_back(w);
    };
    const auto if_written = [&](const std::string &section, const std::string &key) {
        const Node n = tree[section][key];
        const std::string path = section + "." + key;
        if (written(ctx, preset, n, path)) warn(path, n, "it");
    };
    for (const char *k : {"nodes", "zones", "workers", "queue_limit", "boot_time",
                          "warmup_capacity", "warmup_period"})
        if_written("cluster", k);
    for (const char *k :
         {"policy", "health_check", "deregistration_delay", "connect_timeout", "drain"})
        if_written("load_balancer", k);
    const Node lb = tree["load_balancer"], f = tree["failures"];
    if (arch.load_balancer.sticky) warn("load_balancer.sticky", lb["sticky"], "it");
    if (arch.failures.nodes.enabled) warn("failures.nodes", f["nodes"], "it");
    if (arch.failures.zones.enabled) warn("failures.zones", f["zones"], "it");
    if (arch.failures.deployments.enabled) warn("failures.deployments", f["deployments"], "it");
    if (f.IsDefined() && arch.failures.enabled) {
        if_written("failures", "mode");
        if_written("failures", "replace_failed");
    }
    for (std::size_t i = 0; i < arch.failures.events.size(); ++i)
        if (arch.failures.events[i].kind != FaultEvent::Kind::store_outage)
            warn(fmt::format("failures.events[{}]", i), f["events"][i],
                 "kill and deploy events (store outages apply)");
    if (arch.autoscaling.enabled) warn("autoscaling", tree["autoscaling"], "it");
}

// Each autoscaling policy reads only some of the section's keys (docs/configuration.md,
// autoscaling): a key written for another policy (steps under target_tracking, a cooldown under
// target tracking or HPA, ...) is legal, as a preset or a sweep may switch the policy, but has
// no effect; each one the user set is named, where it was set.
void warn_about_autoscaling(Scenario &sc, const Context &ctx, const Architecture &arch,
                            const Node &tree) {
    const AutoscalingSpec &as = arch.autoscaling;
    if (!as.enabled || arch.cluster.runtime == Runtime::serverless) return;
    using Policy = AutoscalingSpec::Policy;
    const Preset *preset = find_preset(arch.preset);
    const auto ignores = [&](const char *key, std::initializer_list<Policy> readers,
                             const char *readers_text) {
        for (const Policy p : readers)
            if (p == as.policy) return;
        const std::string path = std::string("autoscaling.") + key;
        const Node n = tree["autoscaling"][key];
        if (!written(ctx, preset, n, path)) return;
        std::string shown;
        const std::string where = where_of(ctx, n, path, &shown);
        const std::string w = fmt::format(
            "warning: {}: {}: architecture \"{}\" scales with policy: {}, which ignores it; "
            "it applies under {}",
            where, shown, arch.name,
            AutoscalingSpec::kPolicyNames[static_cast<std::size_t>(as.policy)], readers_text);
        if (std::find(sc.warnings.begin(), sc.warnings.end(), w) == sc.warnings.end())
            sc.warnings.push_back(w);
    };
    ignores("steps", {Policy::step}, "policy: step");
    ignores("schedule", {Policy::scheduled}, "policy: scheduled");
    ignores("hpa", {Policy::hpa}, "policy: hpa");
    for (const char *k : {"out_datapoints", "in_datapoints", "in_threshold"})
        ignores(k, {Policy::target_tracking}, "policy: target_tracking");
    ignores("evaluation_period", {Policy::target_tracking, Policy::step},
            "policy: target_tracking and step");
    ignores("cooldown", {Policy::step, Policy::scheduled}, "policy: step and scheduled");
    ignores("metric", {Policy::target_tracking, Policy::step, Policy::hpa},
            "policy: target_tracking, step and hpa");
    ignores("target", {Policy::target_tracking, Policy::hpa}, "policy: target_tracking and hpa");
    ignores("instance_warmup", {Policy::target_tracking, Policy::step},
            "policy: target_tracking and step");
}

// A value of the file (with --set) that every architecture's preset or set: replaces: no run
// reads it, so it is named in a warning, and checked as if nothing replaced it.
struct Replaced {
    std::string path;
    Node value;    // a copy: the architectures' trees replace the file's
    Origin origin; // where it was written (the file or a --set), for messages about it
};

// Whether setting `key` replaces the value at `path`: a key at it or above it, or
// `sticky.enabled` for `sticky: true` (set_path turns it into `{enabled: true}`).
bool replaces(const std::string &key, const std::string &path, const Node &value) {
    const bool sticky = path == "sticky" || path.ends_with(".sticky");
    return under(path, key) || (sticky && value.IsScalar() && key == path + ".enabled");
}

// What one architecture replaces: the keys its preset and its set: give, in the order applied,
// each with what gives it ("preset single-server", "set: cluster.nodes").
struct Replacing {
    std::string name;
    std::vector<std::pair<std::string, std::string>> keys;
};

// The architecture keys of `map` (at `path`) that every architecture replaces, the topmost of
// each; a warning for each names what replaces it in each architecture.
void find_replaced(Scenario &sc, Context &ctx, const Node &map, const std::string &path,
                   const std::vector<Replacing> &replacing, std::vector<Replaced> &out) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (path.empty() &&
            std::find(kScenarioKeys.begin(), kScenarioKeys.end(), key) != kScenarioKeys.end())
            continue;
        const std::string child = path.empty() ? key : path + "." + key;
        std::string by; // "\"a\" by preset single-server, \"b\" by set: cluster.nodes"
        for (const auto &[name, keys] : replacing) {
            std::string last; // set: is applied after the preset: it is the one that wins
            for (const auto &[k, what] : keys)
                if (replaces(k, child, it->second)) last = what;
            if (last.empty()) {
                by.clear();
                break;
            }
            by += fmt::format("{}\"{}\" by {}", by.empty() ? "" : ", ", name, last);
        }
        if (by.empty()) {
            if (it->second.IsMap()) find_replaced(sc, ctx, it->second, child, replacing, out);
            continue;
        }
        std::string shown;
        const std::string where = where_of(ctx, it->second, child, &shown);
        sc.warnings.push_back(
            fmt::format("warning: {}: {}: has no effect: every architecture replaces it ({})",
                        where, shown, by));
        const bool in_file = origin_of(ctx, child) == nullptr; // else a --set's
        out.push_back({child, ctx.nodes.clone(it->second), {child, where, "", in_file}});
    }
}

} // namespace

Scenario load_scenario_text(const std::string &text, const std::string &file,
                            const LoadOptions &options) {
    precheck(text, file);
    Context ctx;
    ctx.file = file;
    ctx.modelled = options.modelled;
    ctx.base_dir = std::filesystem::path(file).parent_path().string();
    const auto sets = parse_sets(options);

    Scenario sc;
    sc.source_file = file;
    Node root = load_tree(text, ctx, sets, true);
    ctx.tree.reset(root);
    {
        Section top(ctx, root, "");
        const std::string stem = name_from_stem(std::filesystem::path(file).stem().string());
        sc.name = top.scalar("name", ("\"" + stem + "\"").c_str());
        if (!valid_name(sc.name))
            fail(ctx, root["name"], "name",
                 fmt::format("expected a name made of letters, digits, '.', '_' and '-' (it "
                             "names the output directory results/<name>/; not empty, \".\" or "
                             "\"..\", at most 200 characters), found \"{}\"",
                             sc.name));
        sc.description = top.scalar("description", "\"\"");
        sc.duration = top.positive_duration("duration", "2h");
        sc.warmup = top.duration("warmup", "10m");
        if (sc.warmup + sc.duration > units::kMaxDurationSeconds)
            fail(ctx, root["duration"], "duration",
                 fmt::format("warmup + duration = {} + {} is longer than the longest run, {}",
                             units::format_duration(sc.warmup), units::format_duration(sc.duration),
                             units::kMaxDurationText));
        sc.seed = static_cast<std::uint64_t>(top.integer("seed", "42", 0, INT64_MAX / 2));
        sc.replications = static_cast<int>(top.integer("replications", "5", 1, 100000));
        // Replication r runs with seed + r, and `--seed <it> --replications 1` must rerun it.
        constexpr std::uint64_t max_seed = INT64_MAX / 2;
        if (sc.seed > max_seed - static_cast<std::uint64_t>(sc.replications - 1))
            fail(ctx, root["seed"], "seed",
                 fmt::format("expected at most {} with {} replications: replication r runs "
                             "with seed + r, and each must be a valid seed (at most {}); found {}",
                             max_seed - static_cast<std::uint64_t>(sc.replications - 1),
                             sc.replications, max_seed, sc.seed));
        Section out = top.child("output");
        sc.timeseries_interval = out.positive_duration("timeseries_interval", "10s");
        // Rows per run; a hair of slack so an interval of exactly run / limit passes.
        const double rows = (sc.warmup + sc.duration) / sc.timeseries_interval;
        constexpr auto max_rows = static_cast<double>(kMaxTimeseriesRows);
        if (rows > max_rows * (1 + 1e-9))
            fail(ctx, out.node()["timeseries_interval"], out.path_of("timeseries_interval"),
                 fmt::format("(warmup + duration) / timeseries_interval = {:.0f} rows per run; "
                             "at most {} are allowed (expected an interval of at least {})",
                             std::ceil(rows), kMaxTimeseriesRows,
                             units::format_duration((sc.warmup + sc.duration) / max_rows)));
        out.finish();
        sc.slo = parse_slo(top, sc.warnings);
        // The architecture keys are validated per architecture below.
        for (const char *k :
             {"workload", "network", "cluster", "load_balancer", "state", "failures", "autoscaling",
              "serverless", "workflows", "costs", "architectures", "sweep"})
            top.allow(k);
        // Required, but `workload:` with no value is present, like `workload: {}`.
        for (const char *k : {"workload", "cluster"})
            if (!top.present(k)) fail(ctx, root, k, "required key is missing");
        top.finish();
    }

    // Sweep: every combination of the listed values is a point (last key varies fastest).
    std::vector<std::vector<Node>> sweep_values;
    std::vector<Node> sweep_key_nodes; // for positions
    // Labels and copies taken before any architecture is read: the trees share the values'
    // nodes, and reading one fills defaults into them.
    std::vector<std::vector<std::string>> sweep_labels;
    std::vector<std::vector<Node>> sweep_copies;
    const Node sweep = root["sweep"];
    if (sweep.IsDefined() && !sweep.IsNull()) {
        if (!sweep.IsMap())
            fail(ctx, sweep, "sweep", "expected a map of dotted key -> list of values");
        for (auto it = sweep.begin(); it != sweep.end(); ++it) {
            const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
            if (split_path(key).empty())
                fail(ctx, it->first, "sweep",
                     "expected a dotted architecture key like cluster.nodes, found an empty or "
                     "non-text key");
            const std::string first = split_path(key).front();
            if (std::find(kScenarioKeys.begin(), kScenarioKeys.end(), first) != kScenarioKeys.end())
                fail(ctx, it->first, "sweep." + key,
                     "only architecture keys (workload, cluster, ...) can be swept");
            if (!it->second.IsSequence() || it->second.size() == 0)
                fail(ctx, it->second, "sweep." + key, "expected a non-empty list of values");
            for (const auto &o : sets)
                if (overlapping(o.path, key))
                    throw ConfigError(fmt::format(
                        "error: {}: {}: {} is swept (sweep at {}); --set would be replaced "
                        "by the sweep values: remove it from sweep or drop the --set",
                        o.source, o.path, key, where_of(ctx, it->first, "sweep." + key)));
            sc.sweep_keys.push_back(key);
            sweep_key_nodes.push_back(it->first);
            std::vector<Node> vals, copies;
            std::vector<std::string> labels;
            std::map<std::string, std::size_t> seen; // label -> item
            for (std::size_t i = 0; i < it->second.size(); ++i) {
                // Labelled before any architecture reads it: a value that holds itself
                // through an alias would be written out forever.
                if (std::size_t budget = 100000; !bounded(it->second[i], 0, budget))
                    fail(ctx, it->second[i], "sweep." + key,
                         fmt::format("expected a value of at most {} levels and 100000 items; "
                                     "found one that holds itself through an alias or expands "
                                     "beyond that",
                                     kMaxNesting));
                // Two equal values would make two points that no column tells apart.
                const auto [earlier, inserted] = seen.emplace(sweep_label(it->second[i]), i);
                if (!inserted)
                    fail(ctx, it->second[i], "sweep." + key,
                         fmt::format("duplicate value {} (first at item {}); each value may "
                                     "appear once in a swept list",
                                     earlier->first, earlier->second));
                vals.push_back(it->second[i]);
                copies.push_back(ctx.nodes.clone(it->second[i]));
                labels.push_back(earlier->first);
            }
            sweep_labels.push_back(labels);
            sweep_copies.push_back(copies);
            sweep_values.push_back(vals);
        }
    }
    std::size_t n_points = 1;
    for (const auto &v : sweep_values)
        n_points *= v.size();
    if (n_points > 10000)
        fail(ctx, sweep, "sweep", fmt::format("{} points; at most 10000 are allowed", n_points));

    const Node archs = root["architectures"];
    std::size_t n_archs = 1;
    // An empty `architectures:` (null) is refused like `[]`, not taken as "absent": a user who
    // wrote the key meant to list some. (It read archs[0] of a null node: fuzz finding.)
    if (archs.IsDefined()) {
        if (!archs.IsSequence() || archs.size() == 0)
            fail(ctx, archs, "architectures",
                 fmt::format("expected a non-empty list like [{{name: a, preset: "
                             "stateful-sticky}}], found {}",
                             describe(archs)));
        n_archs = archs.size();
    }

    // Architecture `a` at the sweep point `pick`: applies to `tree` (the base: the file with
    // --set) the point's sweep values, then the entry's preset and set:, and reads the entry.
    // With `copy`, the values placed are copies, so reading the tree fills no defaults into
    // nodes the other trees share.
    const auto apply_architecture = [&](Node tree, std::size_t a,
                                        const std::vector<std::size_t> &pick, bool copy) {
        for (const auto &k : kScenarioKeys)
            tree.remove(k);
        for (std::size_t k = 0; k < sweep_values.size(); ++k) {
            ctx.origins.push_back(
                placed(ctx, "sweep", sc.sweep_keys[k], sweep_key_nodes[k], "sweep."));
            const Node &v = sweep_values[k][pick[k]];
            set_path(tree, sc.sweep_keys[k], copy ? ctx.nodes.clone(v) : v, ctx, v);
        }
        Architecture arch;
        arch.name = "default";
        if (archs.IsDefined()) {
            const Node entry = archs[a];
            const std::string path = fmt::format("architectures[{}]", a);
            if (!entry.IsMap())
                fail(ctx, entry, path, "expected a map like {name: a, preset: stateful-sticky}");
            Section e(ctx, entry, path);
            arch.name = e.scalar("name", nullptr);
            if (!valid_architecture_name(arch.name))
                fail(ctx, entry["name"], e.path_of("name"),
                     fmt::format("expected a name with a visible character and no control "
                                 "characters (tabs, line breaks): it heads a table column and "
                                 "labels CSV rows; found \"{}\"",
                                 printable(arch.name)));
            if (e.has("preset")) {
                arch.preset = e.scalar("preset", nullptr);
                const Preset *preset = find_preset(arch.preset);
                if (!preset) {
                    std::vector<std::string> names;
                    for (const auto &pr : presets())
                        names.push_back(pr.name);
                    e.to_choice(entry["preset"], e.path_of("preset"), names);
                }
                for (const auto &[k, v] : preset->keys)
                    for (const auto &swept : sc.sweep_keys)
                        if (overlapping(k, swept))
                            fail(ctx, entry["preset"], e.path_of("preset"),
                                 fmt::format("architecture \"{}\": preset {} sets {}, which "
                                             "is swept (sweep.{}); the preset would replace "
                                             "the sweep values: remove it from sweep or use "
                                             "another preset",
                                             arch.name, preset->name, k, swept));
                for (const auto &[k, v] : preset->keys) {
                    ctx.origins.push_back(
                        {k, fmt::format("{} (preset {})", path, preset->name), "", false});
                    set_path(tree, k, ctx.nodes.parse(v), ctx, entry["preset"]);
                }
            }
            e.allow("preset");
            if (e.has("set")) {
                const Node set = e.value("set", nullptr);
                if (!set.IsMap())
                    fail(ctx, set, e.path_of("set"), "expected a map of dotted key -> value");
                for (auto it = set.begin(); it != set.end(); ++it) {
                    for (const auto &swept : sc.sweep_keys)
                        if (overlapping(it->first.Scalar(), swept))
                            fail(ctx, it->first, e.path_of("set." + it->first.Scalar()),
                                 fmt::format("architecture \"{}\" sets {}, which is swept "
                                             "(sweep.{}); set: would replace the sweep "
                                             "values: remove it from sweep or from set:",
                                             arch.name, it->first.Scalar(), swept));
                    ctx.origins.push_back(placed(ctx, e.path_of("set"), it->first.Scalar(),
                                                 it->first, e.path_of("set") + "."));
                    set_path(tree, it->first.Scalar(),
                             copy ? ctx.nodes.clone(it->second) : it->second, ctx, it->first);
                }
            }
            e.allow("set");
            e.finish();
            for (std::size_t b = 0; b < a; ++b)
                if (archs[b]["name"].IsScalar() && archs[b]["name"].Scalar() == arch.name)
                    fail(ctx, entry["name"], e.path_of("name"),
                         fmt::format("duplicate architecture name \"{}\"", arch.name));
        }
        return arch;
    };

    std::vector<Replaced> replaced;
    if (archs.IsDefined()) {
        std::vector<Replacing> replacing(n_archs);
        for (std::size_t a = 0; a < n_archs; ++a) {
            const Node entry = archs[a];
            auto &[name, keys] = replacing[a];
            name = entry["name"].Scalar();
            if (const Preset *preset = find_preset(entry["preset"].Scalar()))
                for (const auto &[k, v] : preset->keys)
                    keys.emplace_back(k, "preset " + preset->name);
            for (auto it = entry["set"].begin(); it != entry["set"].end(); ++it)
                keys.emplace_back(it->first.Scalar(), "set: " + it->first.Scalar());
        }
        find_replaced(sc, ctx, root, "", replacing, replaced);
    }

    // Point p's index into each sweep key's values (the last key varies fastest).
    const auto pick_of = [&](std::size_t p) {
        std::vector<std::size_t> pick(sweep_values.size());
        for (std::size_t rest = p, k = sweep_values.size(); k-- > 0;) {
            pick[k] = rest % sweep_values[k].size();
            rest /= sweep_values[k].size();
        }
        return pick;
    };
    std::vector<Node> trees;
    std::vector<std::set<std::string>> defaults; // per tree: keys filled in
    std::vector<std::vector<Node>> point_values; // per point: the sweep keys' values
    ctx.defaults.clear();
    for (std::size_t p = 0; p < n_points; ++p) {
        SweepPoint point;
        const std::vector<std::size_t> pick = pick_of(p);
        point_values.emplace_back();
        for (std::size_t k = 0; k < sweep_values.size(); ++k) {
            point.values.emplace_back(sc.sweep_keys[k], sweep_labels[k][pick[k]]);
            point_values.back().push_back(sweep_copies[k][pick[k]]);
        }
        for (std::size_t a = 0; a < n_archs; ++a) {
            // A fresh parse per architecture keeps every node's file position for errors. A
            // single architecture at a single point takes the root itself: nothing reads the
            // root's architecture keys afterwards, and one tree less is MBs less for a file
            // that lists hundreds of events.
            Node tree = root;
            if (n_points * n_archs > 1) {
                ctx.origins.clear();
                tree = load_tree(text, ctx, sets);
            }
            ctx.tree.reset(tree);
            const std::size_t shared_origins = ctx.origins.size();
            const Architecture arch = apply_architecture(tree, a, pick, false);
            if (archs.IsDefined()) ctx.architecture = arch.name;
            Section top(ctx, tree, "");
            Architecture parsed = parse_architecture(top);
            top.finish();
            ctx.architecture.clear();
            parsed.name = arch.name;
            parsed.preset = arch.preset;
            warn_about_schedule(sc, ctx, parsed, tree);
            warn_about_serverless(sc, ctx, parsed, tree);
            warn_about_autoscaling(sc, ctx, parsed, tree);
            point.architectures.push_back(std::move(parsed));
            trees.push_back(tree);
            defaults.push_back(std::move(ctx.defaults));
            ctx.defaults.clear();
            ctx.origins.resize(shared_origins); // preset origins belong to this architecture
        }
        sc.points.push_back(std::move(point));
    }

    // A value that every architecture replaces is still checked, as if none did, in each
    // architecture at each sweep point until one takes it (on copies: the trees above stay as
    // they are). One that none would take (`nodes: many`) is an error; otherwise the warning
    // says it. An error at another key comes from combining the value with that architecture's
    // own, which no run does: not the value's fault.
    for (const Replaced &r : replaced) {
        std::string error; // the first architecture's, at the first point
        bool taken = false;
        for (std::size_t a = 0; a < n_archs && !taken; ++a)
            for (std::size_t p = 0; p < n_points && !taken; ++p) {
                ctx.origins.clear();
                Node tree = load_tree(text, ctx, sets);
                ctx.tree.reset(tree);
                apply_architecture(tree, a, pick_of(p), true);
                ctx.origins.push_back(r.origin);
                set_path(tree, r.path, ctx.nodes.clone(r.value), ctx, r.value);
                ctx.replaced_path = r.path;
                try {
                    Section top(ctx, tree, "");
                    parse_architecture(top);
                    top.finish();
                    taken = true;
                } catch (const ElsewhereError &) {
                    taken = true;
                } catch (const ConfigError &e) {
                    if (error.empty()) error = e.what();
                }
                ctx.replaced_path.clear();
                ctx.defaults.clear();
            }
        if (!taken)
            throw ConfigError(error + "; the value has no effect (every architecture replaces "
                                      "it) but no architecture would accept it");
    }

    sc.resolved_yaml = emit_resolved(sc, point_values, trees, defaults, false);
    sc.resolved_yaml_with_defaults = emit_resolved(sc, point_values, trees, defaults, true);
    return sc;
}

Scenario load_scenario(const std::string &path, const LoadOptions &options) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw ConfigError(fmt::format("error: {}: no such file", path));
    if (!fs::is_regular_file(path, ec))
        throw ConfigError(fmt::format("error: {}: not a regular file (a directory?)", path));
    std::ifstream in(path, std::ios::binary);
    std::string text;
    const auto size = fs::file_size(path, ec);
    if (ec || size > kMaxFileBytes)
        throw ConfigError(
            fmt::format("error: {}: unreadable or larger than {} MiB", path, kMaxFileBytes >> 20));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    Scenario sc = load_scenario_text(text, path, options);
    // The trees are freed by now; the runs allocate in their threads' arenas, so give the pages
    // back rather than keep them resident for the whole run (review case churn-600).
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    return sc;
}

std::string describe_resolved(const Scenario &scenario) {
    return scenario.resolved_yaml_with_defaults;
}

} // namespace statesim
