#pragma once
// Private to the config library: a YAML tree with the keys read so far, and the helpers that
// turn its values into typed, validated settings with located errors.
#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/emitter.h>

#include "statesim/config/load_scenario.hpp"
#include "statesim/config/units.hpp"
#include "yaml_tree.hpp"

namespace statesim::config_detail {

// A value placed in the tree by dotted path rather than read where the file holds it: from a
// --set flag, a preset, an architecture's `set:` or the sweep. Errors about it (or below it)
// name that source, and show the path as the user wrote it (`label` + path).
struct Origin {
    std::string path;     // dotted path it was placed at
    std::string source;   // "--set k=v", "architectures[1] (preset x)", or "file:line:col"
    std::string label;    // "architectures[0].set.", "sweep.", or "" (the path as it is)
    bool in_file = false; // its nodes hold positions in the file (a set: or sweep value there)
};

// Where values came from, for error messages about values that are not in the file.
struct Context {
    std::string file;
    std::string base_dir;
    std::vector<Origin> origins;    // in the order applied: a later one wins
    std::set<std::string> defaults; // dotted paths filled in
    Modelled modelled;              // features the model simulates
    Tree nodes;                     // every node of this load
    Node tree;                      // the tree being read (set with reset()), for positions
    // The named architecture being read, if any: a shared key can be wrong for one of them only
    // (a kill count above the node count a preset sets), so errors at shared keys name it.
    std::string architecture;
    // Sample files (empirical, trace arrivals) read in this load, by path: each is read once,
    // however many architectures, sweep points and checks parse the key naming it.
    std::map<std::string, std::shared_ptr<const std::vector<double>>> samples;
    // While the file's value at this path, which every architecture replaces, is checked as if
    // none did (load_scenario.cpp): errors at other keys are not about that value.
    std::string replaced_path;
};

// Thrown instead of a ConfigError for an error at another key while Context::replaced_path is
// checked: it comes from combining that value with the architecture's, which no run does.
struct ElsewhereError {};

inline std::vector<std::string> split_path(const std::string &path) {
    std::vector<std::string> parts;
    std::stringstream ss(path);
    for (std::string part; std::getline(ss, part, '.');)
        parts.push_back(part);
    return parts;
}

inline bool under(const std::string &path, const std::string &p) {
    return path == p || path.starts_with(p + ".") || path.starts_with(p + "[");
}

// The origin of the value at `path`: the latest placed at it or above it; failing that, with
// `below`, one placed below it (a key created on the way to a --set path).
inline const Origin *origin_of(const Context &ctx, const std::string &path, bool below = false) {
    const Origin *best = nullptr;
    for (const auto &o : ctx.origins)
        if (under(path, o.path) && (!best || o.path.size() >= best->path.size())) best = &o;
    if (!best && below && !path.empty())
        for (const auto &o : ctx.origins)
            if (under(o.path, path)) best = &o;
    return best;
}

// Whether `path` (or a map above it) was filled in with a default: such nodes were parsed from
// the default's own text, so their positions mean nothing in the file.
inline bool defaulted(const Context &ctx, const std::string &path) {
    for (std::size_t i = 0; i <= path.size(); ++i)
        if ((i == path.size() || path[i] == '.' || path[i] == '[') &&
            ctx.defaults.count(path.substr(0, i)))
            return true;
    return false;
}

// The position of the deepest key on `path` that the file holds, for a value without one.
inline YAML::Mark written_mark(const Node &root, const std::string &path) {
    YAML::Mark best = YAML::Mark::null_mark();
    Node cur;
    cur.reset(root);
    for (const auto &part : split_path(path)) {
        const std::string key = part.substr(0, part.find('['));
        if (!cur.IsMap()) break;
        Node next;
        bool found = false;
        for (auto it = cur.begin(); it != cur.end() && !found; ++it)
            if (it->first.IsScalar() && it->first.Scalar() == key) {
                if (!it->first.Mark().is_null()) best = it->first.Mark();
                next.reset(it->second);
                found = true;
            }
        if (!found || part.find('[') != std::string::npos) break;
        cur.reset(next);
    }
    return best;
}

// "file:line:col", or the flag or preset a value came from; `shown` gets the path as the user
// wrote it.
inline std::string where_of(const Context &ctx, const Node &at, const std::string &path,
                            std::string *shown = nullptr) {
    const bool marked = at.IsDefined() && !at.Mark().is_null() && !defaulted(ctx, path);
    const auto position = [&](const YAML::Mark &m) {
        return fmt::format("{}:{}:{}", ctx.file, m.line + 1, m.column + 1);
    };
    if (shown) *shown = path;
    if (const Origin *o = origin_of(ctx, path, !marked)) {
        if (shown) *shown = o->label + path;
        return o->in_file && marked ? position(at.Mark()) : o->source;
    }
    if (marked) return position(at.Mark());
    if (ctx.tree.IsDefined())
        if (const YAML::Mark m = written_mark(ctx.tree, path); !m.is_null()) return position(m);
    return ctx.file;
}

[[noreturn]] inline void fail(const Context &ctx, const Node &at, const std::string &path,
                              const std::string &message) {
    if (!ctx.replaced_path.empty() && !under(path, ctx.replaced_path)) throw ElsewhereError{};
    std::string shown;
    const std::string where = where_of(ctx, at, path, &shown);
    // A key of the architecture's own entry (architectures[i].set...) names it already.
    const std::string architecture = ctx.architecture.empty() || shown.starts_with("architectures[")
                                         ? ""
                                         : fmt::format(" (architecture \"{}\")", ctx.architecture);
    throw ConfigError(fmt::format("error: {}: {}{}: {}", where, shown.empty() ? "(top)" : shown,
                                  architecture, message));
}

inline std::string describe(const Node &n) {
    if (!n.IsDefined() || n.IsNull()) return "nothing";
    if (n.IsScalar()) return fmt::format("\"{}\"", n.Scalar());
    if (n.IsMap()) return n.size() == 0 ? "an empty map" : "a map";
    return n.size() == 0 ? "an empty list" : "a list";
}

inline std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

// Sets `value` at a dotted path, creating maps on the way (nodes are handles:
// reset() moves the cursor, assignment would overwrite).
inline void set_path(Node root, const std::string &path, const Node &value, Context &ctx,
                     const Node &at) {
    const auto parts = split_path(path);
    if (parts.empty() || std::any_of(parts.begin(), parts.end(), [](auto &p) { return p.empty(); }))
        fail(ctx, at, path, "expected a dotted key like cluster.nodes");
    Node cur = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        Node next = cur[parts[i]];
        if (next.IsScalar() && parts[i] == "sticky") {
            // `sticky: true` shorthand becomes a map so `sticky.enabled` can be set.
            const std::string v = next.Scalar();
            next = ctx.nodes.map();
            next["enabled"] = ctx.nodes.scalar(v);
        } else if (!next.IsDefined() || next.IsNull()) {
            next = ctx.nodes.map();
        } else if (!next.IsMap()) {
            // The list or value found is the mistake, wherever it was written (the file, a
            // --set): blame it there, not the preset, set: or --set that reaches inside it.
            std::string shown;
            const std::string by = where_of(ctx, at, path, &shown);
            std::string prefix = parts[0];
            for (std::size_t j = 1; j <= i; ++j)
                prefix += "." + parts[j];
            fail(ctx, next, prefix,
                 fmt::format("expected a map of keys, found {}: {} sets {} inside it",
                             describe(next), by, shown));
        }
        cur.reset(next);
    }
    cur[parts.back()] = value;
}

enum class Quantity { duration, count };

// A map in the tree with the keys read so far, so unknown keys can be reported.
class Section {
  public:
    Section(Context &ctx, Node node, std::string path)
        : ctx_(ctx), node_(std::move(node)), path_(std::move(path)) {}

    std::string path_of(const std::string &key) const {
        return path_.empty() ? key : path_ + "." + key;
    }
    bool has(const std::string &key) const {
        return node_[key].IsDefined() && !node_[key].IsNull();
    }
    // Whether a section key is written at all: `sticky:` with no value is present, like `{}`.
    bool present(const std::string &key) const { return node_[key].IsDefined(); }
    Node node() const { return node_; } // shares the node (nodes are handles)
    Context &ctx() const { return ctx_; }

    // The value for `key`; when absent, `default_yaml` is written into the tree (marked as a
    // filled default) and returned. A null default makes the key required.
    Node value(const std::string &key, const char *default_yaml) {
        allow(key);
        Node v = node_[key];
        if (v.IsDefined() && !v.IsNull()) return v;
        // `nodes:` with nothing after it is a value left out, not a request for the default.
        if (v.IsDefined())
            fail(ctx_, key_node(key), path_of(key),
                 "expected a value, found an empty one (write the value, or leave the key out "
                 "for its default)");
        if (!default_yaml) fail(ctx_, node_, path_of(key), "required key is missing");
        node_[key] = ctx_.nodes.parse(default_yaml);
        ctx_.defaults.insert(path_of(key));
        return node_[key];
    }
    std::string scalar(const std::string &key, const char *def) {
        Node v = value(key, def);
        if (!v.IsScalar())
            fail(ctx_, v, path_of(key),
                 fmt::format("expected a single value, found {}", describe(v)));
        return v.Scalar();
    }
    double unit(const std::string &key, const char *def, units::Parsed (*parse)(std::string_view)) {
        Node v = value(key, def);
        return parse_unit(v, path_of(key), parse);
    }
    double parse_unit(const Node &v, const std::string &path,
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
        if (d <= 0) {
            const Node n = node_[key];
            fail(ctx_, n, path_of(key),
                 fmt::format("expected a duration greater than 0, found \"{}\"",
                             n.IsScalar() ? n.Scalar() : std::string(def ? def : "")));
        }
        return d;
    }
    double rate(const std::string &key, const char *def) { return unit(key, def, units::rate); }
    // A rate that drives a process (arrivals, a store's capacity): greater than 0, and its mean
    // gap 1 / rate no longer than the longest duration a run can hold.
    double positive_rate(const std::string &key, const char *def, const char *why) {
        const double r = rate(key, def);
        const Node at = node_[key];
        if (!(r > 0))
            fail(ctx_, at, path_of(key),
                 fmt::format("expected a rate greater than 0/s ({}), found \"{}\"", why,
                             at.Scalar()));
        if (1 / r > units::kMaxDurationSeconds)
            fail(ctx_, at, path_of(key),
                 fmt::format("expected a rate of at least {:g}/s (one event per {}, the longest "
                             "duration a run can hold), found \"{}\"",
                             1 / units::kMaxDurationSeconds, units::kMaxDurationText, at.Scalar()));
        return r;
    }
    double size(const std::string &key, const char *def) { return unit(key, def, units::size); }
    double fraction(const std::string &key, const char *def) {
        return unit(key, def, units::fraction);
    }
    double number(const std::string &key, const char *def, double lo, double hi) {
        Node v = value(key, def);
        const double x = parse_unit(v, path_of(key), units::number);
        if (x < lo || x > hi)
            fail(ctx_, v, path_of(key),
                 fmt::format("expected a number from {} to {} (found {})", lo, hi, v.Scalar()));
        return x;
    }
    long long integer(const std::string &key, const char *def, long long lo, long long hi) {
        Node v = value(key, def);
        return to_integer(v, path_of(key), lo, hi);
    }
    long long to_integer(const Node &v, const std::string &path, long long lo, long long hi) {
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
        Node v = value(key, def);
        return to_flag(v, path_of(key));
    }
    bool to_flag(const Node &v, const std::string &path) {
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
        Node v = value(key, def);
        return to_choice(v, path_of(key), options);
    }
    std::size_t to_choice(const Node &v, const std::string &path,
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
    // off); a key written with no value counts as written and means `{}`. An absent or empty
    // one is created as an empty map so its defaults are filled in and shown.
    Section child(const std::string &key, bool *present = nullptr) {
        allow(key);
        Node v = node_[key];
        if (present) *present = v.IsDefined();
        if (!v.IsDefined() || v.IsNull()) {
            node_[key] = ctx_.nodes.map();
            v.reset(node_[key]);
        } else if (!v.IsMap()) {
            fail(ctx_, v, path_of(key),
                 fmt::format("expected a map of keys, found {}", describe(v)));
        }
        return Section(ctx_, node_[key], path_of(key));
    }
    // The key itself in the map (its position), or the map when absent.
    Node key_node(const std::string &key) const {
        for (auto it = node_.begin(); it != node_.end(); ++it)
            if (it->first.Scalar() == key) return it->first;
        return node_;
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
    // Marks `key` as one this section reads (listed once in "expected one of").
    void allow(const std::string &key) {
        if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
    }

  private:
    Context &ctx_;
    Node node_;
    std::string path_;
    std::vector<std::string> known_;
};

// Reads every architecture key of `root` (the file's tree for one architecture and point),
// filling in defaults; throws ConfigError.
Architecture parse_architecture(Section &root);

} // namespace statesim::config_detail
