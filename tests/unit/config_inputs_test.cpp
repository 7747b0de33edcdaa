// Inputs that cannot crash or mislead: each is a located ConfigError (file:line:col, dotted
// key, what was expected and what was found), one small config per behaviour.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "statesim/config/load_scenario.hpp"
#include "statesim/config/units.hpp"
#include "statesim/engine/sim_time.hpp"

using namespace statesim;

namespace {
// Line numbers: 1 name, 4 arrival, 6 service_time, 8 nodes; appended text starts at line 9.
const std::string kBase = R"(name: t
workload:
  sessions:
    arrival: {process: poisson, rate: 10/s}
  request:
    service_time: 20ms
cluster:
  nodes: 4
)";

std::string with(const std::string &from, const std::string &to) {
    std::string s = kBase;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

std::string error_of(const std::string &text, LoadOptions opts = {},
                     const std::string &file = "t.yaml") {
    try {
        load_scenario_text(text, file, opts);
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

std::size_t count_of(const std::string &s, const std::string &part) {
    std::size_t n = 0;
    for (auto at = s.find(part); at != std::string::npos; at = s.find(part, at + 1))
        ++n;
    return n;
}
} // namespace

TEST_CASE("an arrival rate of 0/s is a located error") {
    const auto e = error_of(with("rate: 10/s", "rate: 0/s"));
    CHECK(contains(e, "error: t.yaml:4:39: workload.sessions.arrival.rate: expected a rate greater "
                      "than 0/s (a Poisson process with rate 0 never arrives), found \"0/s\""));
    CHECK(
        contains(error_of(with("arrival: {process: poisson, rate: 10/s}",
                               "arrival: {process: diurnal, mean: 0/s}")),
                 "t.yaml:4:39: workload.sessions.arrival.mean: expected a rate greater than 0/s"));
    CHECK(contains(error_of(kBase + "state: {store: {capacity: 0/min}}\n"),
                   "t.yaml:9:27: state.store.capacity: expected a rate greater than 0/s"));
}

TEST_CASE("a rate whose mean gap exceeds the longest run is a located error") {
    const auto e = error_of(with("rate: 10/s", "rate: 1e-12/s"));
    CHECK(contains(e, "error: t.yaml:4:39: workload.sessions.arrival.rate: expected a rate of at "
                      "least 3.17098e-10/s (one event per 36500d (100 years), the longest "
                      "duration a run can hold), found \"1e-12/s\""));
    CHECK_NOTHROW(load_scenario_text(with("rate: 10/s", "rate: 1/d"), "t.yaml"));
}

TEST_CASE("a duration beyond the int64-nanosecond clock is a located error stating the maximum") {
    SUBCASE("a constant service time") {
        const auto e = error_of(with("service_time: 20ms", "service_time: 1e12d"));
        CHECK(contains(e, "error: t.yaml:6:19: workload.request.service_time: a duration must be "
                          "at most 36500d (100 years) (simulated time is int64 nanoseconds) "
                          "(found \"1e12d\")"));
    }
    SUBCASE("the mean of a random quantity") {
        const auto e =
            error_of(with("service_time: 20ms", "service_time: {dist: exponential, mean: 1e12d}"));
        CHECK(contains(e, "t.yaml:6:45: workload.request.service_time.mean: a duration must be at "
                          "most 36500d (100 years)"));
    }
    SUBCASE("the run's duration (node_hours went negative)") {
        CHECK(contains(error_of(kBase + "duration: 1e12d\n"),
                       "t.yaml:9:11: duration: a duration must be at most 36500d (100 years)"));
    }
    SUBCASE("any duration key") {
        CHECK(contains(error_of(kBase + "load_balancer: {sticky: {ttl: 40000d}}\n"),
                       "t.yaml:9:31: load_balancer.sticky.ttl: a duration must be at most"));
        CHECK(contains(error_of(kBase + "  warmup_period: 1e300s\n"),
                       "t.yaml:9:18: cluster.warmup_period: a duration must be at most"));
    }
    SUBCASE("warmup + duration together") {
        const auto e = error_of(kBase + "duration: 36000d\nwarmup: 1000d\n");
        CHECK(contains(e, "t.yaml:9:11: duration: warmup + duration = 1000d + 36000d is longer "
                          "than the longest run, 36500d (100 years)"));
        CHECK_NOTHROW(load_scenario_text(kBase + "duration: 36000d\nwarmup: 500d\n"
                                                 "output: {timeseries_interval: 1d}\n",
                                         "t.yaml"));
    }
    SUBCASE("the limit itself is accepted") {
        CHECK(units::duration("36500d").ok());
        CHECK_FALSE(units::duration("36501d").ok());
        CHECK_FALSE(units::duration("1e12d").ok());
    }
}

TEST_CASE("from_seconds saturates instead of overflowing int64") {
    CHECK(from_seconds(1.5) == 1'500'000'000);
    CHECK(from_seconds(-2.5e-9) == -3); // rounding half away from zero is unchanged
    CHECK(from_seconds(1e300) == kMaxDelay);
    CHECK(from_seconds(std::numeric_limits<double>::infinity()) == kMaxDelay);
    CHECK(from_seconds(std::numeric_limits<double>::quiet_NaN()) == kMaxDelay);
    CHECK(from_seconds(-1e300) == -kMaxDelay);
    CHECK(from_seconds(units::kMaxDurationSeconds) < kMaxDelay);
    // The end of the longest run plus the longest delay still fits.
    const SimTime end = from_seconds(units::kMaxDurationSeconds);
    CHECK(end <= kForever - kMaxDelay);
    // An exponential sample with a huge mean saturates; its time stays positive.
    Distribution d = Distribution::exponential_mean(units::kMaxDurationSeconds);
    d.kind = Distribution::Kind::lognormal;
    d.cv = 100;
    d.prepare();
    Rng rng(1);
    for (int i = 0; i < 10000; ++i) {
        const SimTime t = d.sample_time(rng);
        CHECK(t >= 0);
        CHECK(t <= kMaxDelay);
    }
}

TEST_CASE("a duplicate key is a located error at its second occurrence") {
    SUBCASE("in a block map") {
        const auto e = error_of(kBase + "  nodes: 8\n");
        CHECK(contains(e, "error: t.yaml:9:3: cluster.nodes: duplicate key nodes (first at line "
                          "8); a key may appear once in a map"));
    }
    SUBCASE("in a flow map") {
        const auto e = error_of(with("rate: 10/s}", "rate: 10/s, rate: 20/s}"));
        CHECK(contains(e, "t.yaml:4:45: workload.sessions.arrival.rate: duplicate key rate (first "
                          "at line 4)"));
    }
    SUBCASE("a whole section") {
        const auto e = error_of(kBase + "cluster: {nodes: 1}\n");
        CHECK(contains(e, "t.yaml:9:1: cluster: duplicate key cluster (first at line 7)"));
    }
    SUBCASE("inside a list entry") {
        const auto e = error_of(kBase + "architectures:\n  - {name: a, name: b}\n");
        CHECK(contains(e, "t.yaml:10:15: architectures[0].name: duplicate key name"));
    }
    SUBCASE("a sweep key") {
        const auto e = error_of(kBase + "sweep:\n  cluster.nodes: [1, 2]\n  cluster.nodes: [4]\n");
        CHECK(contains(e, "t.yaml:11:3: sweep.cluster.nodes: duplicate key cluster.nodes (first at "
                          "line 10)"));
    }
    SUBCASE("in a --set value") {
        LoadOptions o;
        o.sets = {"cluster={nodes: 1, nodes: 2}"};
        CHECK(contains(error_of(kBase, o), "error: --set cluster={nodes: 1, nodes: 2}: "
                                           "cluster.nodes: duplicate key nodes (first at line 1)"));
    }
    SUBCASE("an alias is not a duplicate") {
        const std::string text =
            with("service_time: 20ms", "service_time: &st {dist: exponential, mean: 20ms}") +
            "network: {hop_latency: *st}\n";
        CHECK_NOTHROW(load_scenario_text(text, "t.yaml"));
    }
}

TEST_CASE("a second YAML document is a located error") {
    const auto e = error_of(kBase + "---\nname: other\n");
    CHECK(contains(e, "error: t.yaml:9:1: (top): a second YAML document (after `---`); expected "
                      "one scenario per file"));
    CHECK(contains(error_of(kBase + "---\n"), "a second YAML document"));
    CHECK_NOTHROW(load_scenario_text("---\n" + kBase, "t.yaml"));
}

// Found by fuzzing (tests/fuzz/corpus/regressions/): each was a hang, a blow-up or undefined
// behaviour; each is now a located error, at once.
TEST_CASE("fuzz regressions: a stray comma, an endless sample file, an empty sweep key") {
    // yaml-cpp 0.7's LoadAll never returned on a ',' at the start of a line (jbeder/yaml-cpp#1040).
    CHECK(contains(error_of(","), "t.yaml:1:1: invalid YAML"));
    CHECK(contains(error_of(",\n" + kBase), "invalid YAML"));
    CHECK(contains(error_of(kBase + ",\n"), "invalid YAML"));
    // A trace or empirical file must be a regular file: /dev/zero was read until memory ran out.
    CHECK(contains(
        error_of(with("{process: poisson, rate: 10/s}", "{process: trace, file: /dev/zero}")),
        "not a regular file"));
    // An empty (or non-text) sweep key read the first part of an empty path.
    CHECK(contains(error_of(kBase + "sweep: {\"\": [1, 2]}\n"),
                   "sweep: expected a dotted architecture key"));
    CHECK(contains(error_of(kBase + "sweep: {[a]: [1, 2]}\n"),
                   "sweep: expected a dotted architecture key"));
    // An empty `architectures:` (also yaml-cpp's reading of a bare last line `architectures`)
    // indexed a null node: an exception the loader did not expect (exit 1).
    CHECK(contains(error_of(kBase + "architectures:\n"),
                   "t.yaml:10:1: architectures: expected a non-empty list like [{name: a, preset: "
                   "stateful-sticky}], found nothing"));
    CHECK(contains(error_of(kBase + "architectures"), "architectures: expected a non-empty list"));
    CHECK(contains(error_of(kBase + "architectures: []\n"), "found an empty list"));
}

TEST_CASE("a timeseries interval that would write too many rows is a located error") {
    const auto e = error_of(kBase + "output: {timeseries_interval: 1ns}\n");
    CHECK(contains(e, "error: t.yaml:9:31: output.timeseries_interval: (warmup + duration) / "
                      "timeseries_interval = 7800000000000 rows per run; at most 1000000 are "
                      "allowed (expected an interval of at least 7.8ms)"));
    CHECK_NOTHROW(load_scenario_text(kBase + "output: {timeseries_interval: 10ms}\n", "t.yaml"));
}

TEST_CASE("nodes x workers beyond the worker-slot bound is a located error naming both keys") {
    const auto e = error_of(with("nodes: 4", "nodes: 4096\n  workers: 10000"));
    CHECK(contains(e, "error: t.yaml:9:12: cluster.workers: cluster.nodes x cluster.workers = "
                      "4096 x 10000 = 40960000 worker slots; at most 10000000 are allowed"));
    CHECK_NOTHROW(load_scenario_text(with("nodes: 4", "nodes: 1000\n  workers: 10000"), "t.yaml"));
}

TEST_CASE("killing more nodes than the cluster has is a located error") {
    const std::string events = "failures:\n  events:\n    - {at: 30m, kill: node, count: 9}\n";
    const auto e = error_of(kBase + events);
    CHECK(contains(e, "error: t.yaml:11:36: failures.events[0].count: expected a count of at most "
                      "cluster.nodes (4), found 9"));
    std::string ok = kBase + events;
    ok.replace(ok.find("count: 9"), 8, "count: 4");
    CHECK_NOTHROW(load_scenario_text(ok, "t.yaml"));
}

TEST_CASE("--set of a swept key is an error, not silently replaced") {
    const std::string text = kBase + "sweep:\n  cluster.nodes: [2, 8]\n";
    LoadOptions o;
    o.sets = {"cluster.nodes=eight"};
    CHECK(contains(error_of(text, o),
                   "error: --set cluster.nodes=eight: cluster.nodes: cluster.nodes is swept "
                   "(sweep at t.yaml:10:3); --set would be replaced by the sweep values: remove it "
                   "from sweep or drop the --set"));
    o.sets = {"cluster={nodes: 3}"};
    CHECK(contains(error_of(text, o), "cluster.nodes is swept"));
    // A sweep given by --set is named by its flag, not by a position in the file.
    o.sets = {"sweep={cluster.nodes: [2, 3]}", "cluster.nodes=5"};
    CHECK(contains(error_of(kBase, o), "(sweep at --set sweep={cluster.nodes: [2, 3]})"));
    o.sets = {"cluster.workers=8"};
    CHECK_NOTHROW(load_scenario_text(text, "t.yaml", o));
}

TEST_CASE("a swept key that a preset or set: overrides is an error naming the architecture") {
    SUBCASE("set:") {
        const auto e = error_of(kBase + "sweep:\n  cluster.nodes: [8]\narchitectures:\n"
                                        "  - {name: small, set: {cluster.nodes: 2}}\n");
        CHECK(contains(e, "error: t.yaml:12:25: architectures[0].set.cluster.nodes: architecture "
                          "\"small\" sets cluster.nodes, which is swept (sweep.cluster.nodes)"));
    }
    SUBCASE("preset") {
        const auto e = error_of(kBase + "sweep:\n  cluster.nodes: [8]\narchitectures:\n"
                                        "  - {name: one, preset: single-server}\n");
        CHECK(contains(e, "error: t.yaml:12:25: architectures[0].preset: architecture \"one\": "
                          "preset single-server sets cluster.nodes, which is swept "
                          "(sweep.cluster.nodes)"));
    }
    SUBCASE("a preset key below a swept map") {
        const auto e =
            error_of(kBase + "sweep:\n  load_balancer.sticky: [{enabled: true}]\narchitectures:\n"
                             "  - {name: s, preset: stateful-sticky}\n");
        CHECK(contains(e, "preset stateful-sticky sets load_balancer.sticky.enabled, which is "
                          "swept (sweep.load_balancer.sticky)"));
    }
    SUBCASE("keys the architectures do not touch can be swept") {
        CHECK_NOTHROW(load_scenario_text(kBase + "sweep:\n  cluster.workers: [8]\narchitectures:\n"
                                                 "  - {name: one, preset: single-server}\n",
                                         "t.yaml"));
    }
}

TEST_CASE("a value that every architecture replaces is named in a warning, and checked") {
    const std::string archs = "architectures:\n"
                              "  - {name: one, preset: single-server}\n"
                              "  - {name: two, preset: stateful-sticky, set: {cluster.nodes: 3}}\n";
    const std::string replaced = "warning: t.yaml:8:10: cluster.nodes: has no effect: every "
                                 "architecture replaces it (\"one\" by preset single-server, "
                                 "\"two\" by set: cluster.nodes)";
    CHECK(load_scenario_text(kBase + archs, "t.yaml").warnings ==
          std::vector<std::string>{replaced});
    // Replaced in one architecture only: it has an effect.
    CHECK(load_scenario_text(kBase + "architectures:\n  - {name: one, preset: single-server}\n"
                                     "  - {name: two, preset: stateful-sticky}\n",
                             "t.yaml")
              .warnings.empty());
    // A value no architecture would take is the usual error, with why it is checked at all.
    CHECK(error_of(with("nodes: 4", "nodes: many") + archs) ==
          "error: t.yaml:8:10: cluster.nodes: expected a whole number, found \"many\"; the value "
          "has no effect (every architecture replaces it) but no architecture would accept it");
    CHECK(contains(error_of(with("nodes: 4", "nodes: 0") + archs),
                   "t.yaml:8:10: cluster.nodes: expected a whole number from 1 to 4096 (found 0)"));
    // --set edits the file's tree: the same warning and check, named by the flag.
    LoadOptions o;
    o.sets = {"cluster.nodes=7"};
    CHECK(contains(load_scenario_text(kBase + archs, "t.yaml", o).warnings.at(0),
                   "warning: --set cluster.nodes=7: cluster.nodes: has no effect"));
    o.sets = {"cluster.nodes=many"};
    CHECK(contains(error_of(kBase + archs, o),
                   "error: --set cluster.nodes=many: cluster.nodes: expected a whole number"));
    // The topmost key replaced; `sticky: true` is `sticky: {enabled: true}`.
    const auto warnings = load_scenario_text(kBase + "load_balancer: {sticky: true}\n"
                                                     "architectures:\n"
                                                     "  - {name: a, preset: stateful-sticky,\n"
                                                     "     set: {cluster: {nodes: 2}}}\n"
                                                     "  - {name: b, preset: stateless-redis,\n"
                                                     "     set: {cluster: {nodes: 3}}}\n",
                                             "t.yaml")
                              .warnings;
    REQUIRE(warnings.size() == 2);
    CHECK(contains(warnings[0], "warning: t.yaml:8:3: cluster: has no effect: every architecture "
                                "replaces it (\"a\" by set: cluster, \"b\" by set: cluster)"));
    CHECK(contains(warnings[1], "warning: t.yaml:9:25: load_balancer.sticky: has no effect"));
    // Three nodes to kill suit stateful-sticky's four, not single-server's one: the value is
    // not garbage, so only the warning. Nine suit no architecture.
    const std::string events =
        "failures:\n  events: [{at: 30m, kill: node, count: 3}]\narchitectures:\n"
        "  - {name: one, preset: single-server, set: {failures.events: []}}\n"
        "  - {name: two, preset: stateful-sticky, set: {failures.events: []}}\n";
    CHECK(contains(load_scenario_text(kBase + events, "t.yaml").warnings.at(0),
                   "warning: t.yaml:10:11: failures.events: has no effect"));
    std::string nine = kBase + events;
    nine.replace(nine.find("count: 3"), 8, "count: 9");
    CHECK(contains(error_of(nine), "t.yaml:10:41: failures.events[0].count: expected a count of "
                                   "at most cluster.nodes (1), found 9"));
    // Every sweep point is tried, not only the first: with cluster.nodes swept over [1, 4],
    // three nodes to kill suit the point of 4 (before, the point of 1 alone made it an error).
    const std::string swept = "failures:\n  events: [{at: 30m, kill: node, count: 3}]\n"
                              "sweep:\n  cluster.nodes: [1, 4]\narchitectures:\n"
                              "  - {name: a, set: {failures.events: []}}\n"
                              "  - {name: b, set: {failures.events: []}}\n";
    CHECK(contains(load_scenario_text(kBase + swept, "t.yaml").warnings.at(0),
                   "warning: t.yaml:10:11: failures.events: has no effect"));
    // A value that only makes another key wrong (one node against autoscaling.min: 2) is
    // never combined with it: only the warning.
    CHECK(load_scenario_text(with("nodes: 4", "nodes: 1") + "autoscaling: {min: 2}\n" +
                                 "architectures:\n  - {name: a, set: {cluster.nodes: 4}}\n",
                             "t.yaml")
              .warnings == std::vector<std::string>{"warning: t.yaml:8:10: cluster.nodes: has no "
                                                    "effect: every architecture replaces it "
                                                    "(\"a\" by set: cluster.nodes)"});
    // The check leaves the configurations alone: resolved as if the value were not there
    // (it puts the value back into a copy of "a"'s set: map, not into the map itself).
    const std::string ab = "architectures:\n  - {name: a, set: {cluster: {workers: 8}}}\n"
                           "  - {name: b, preset: single-server}\n";
    CHECK(describe_resolved(load_scenario_text(with("nodes: 4", "nodes: 6") + ab, "t.yaml")) ==
          describe_resolved(load_scenario_text(with("  nodes: 4", "") + ab, "t.yaml")));
}

TEST_CASE("a list where a map is expected is blamed where it was written, not on what sets a "
          "key inside it") {
    const std::string list = with("cluster:\n  nodes: 4", "cluster: [1, 2]");
    const std::string archs = "architectures:\n  - {name: one, preset: single-server}\n"
                              "  - {name: two, preset: stateful-sticky}\n";
    CHECK(error_of(list + archs) ==
          "error: t.yaml:7:10: cluster: expected a map of keys, found a list: architectures[0] "
          "(preset single-server) sets cluster.nodes inside it");
    CHECK(error_of(list + "architectures:\n  - {name: a, set: {cluster.nodes: 3}}\n") ==
          "error: t.yaml:7:10: cluster: expected a map of keys, found a list: t.yaml:9:21 sets "
          "architectures[0].set.cluster.nodes inside it");
    CHECK(error_of(list + "sweep:\n  cluster.nodes: [1, 2]\n") ==
          "error: t.yaml:7:10: cluster: expected a map of keys, found a list: t.yaml:9:19 sets "
          "sweep.cluster.nodes inside it");
    LoadOptions o;
    o.sets = {"cluster=[1, 2]"};
    CHECK(error_of(kBase + archs, o) ==
          "error: --set cluster=[1, 2]: cluster: expected a map of keys, found a list: "
          "architectures[0] (preset single-server) sets cluster.nodes inside it");
    o.sets = {"cluster.nodes=3"};
    CHECK(error_of(with("cluster:\n  nodes: 4", "cluster: 5"), o) ==
          "error: t.yaml:7:10: cluster: expected a map of keys, found \"5\": --set "
          "cluster.nodes=3 sets cluster.nodes inside it");
}

TEST_CASE("keys placed by set:, sweep and --set are located where they were written") {
    SUBCASE("an unknown key in set: or sweep: names its position and the map it is in") {
        CHECK(contains(error_of(kBase + "architectures:\n  - {name: a, set: {cluster.nodez: 3}}\n"),
                       "error: t.yaml:10:21: architectures[0].set.cluster.nodez: unknown key (did "
                       "you mean nodes?)"));
        CHECK(
            contains(error_of(kBase + "architectures:\n  - {name: a, set: {clusterz.nodes: 3}}\n"),
                     "error: t.yaml:10:21: architectures[0].set.clusterz: unknown key"));
        CHECK(contains(error_of(kBase + "sweep:\n  cluster.nodez: [1, 2]\n"),
                       "error: t.yaml:10:3: sweep.cluster.nodez: unknown key"));
        // A bad value keeps the value's own position.
        CHECK(contains(error_of(kBase + "sweep:\n  cluster.nodes: [1, x]\n"),
                       "error: t.yaml:10:22: sweep.cluster.nodes: expected a whole number"));
        CHECK(
            contains(error_of(kBase + "architectures:\n  - {name: a, set: {cluster.nodes: x}}\n"),
                     "error: t.yaml:10:36: architectures[0].set.cluster.nodes: expected a whole"));
    }
    SUBCASE("a sweep or key given by --set names the flag, not the file") {
        LoadOptions o;
        o.sets = {"sweep={cluster.nodes: [1, x]}"};
        CHECK(contains(error_of(kBase, o), "error: --set sweep={cluster.nodes: [1, x]}: "
                                           "sweep.cluster.nodes: expected a whole number"));
        o.sets = {"clusterz.nodes=3"};
        CHECK(contains(error_of(kBase, o), "error: --set clusterz.nodes=3: clusterz: unknown key"));
        o.sets = {"architectures[0].name=y"};
        CHECK(contains(error_of(kBase, o),
                       "error: --set architectures[0].name=y: architectures[0].name: a list item "
                       "cannot be set by its index"));
        o.sets = {"cluster. nodes=3"};
        CHECK(contains(error_of(kBase, o), "error: --set cluster. nodes=3: cluster. nodes: "
                                           "expected a dotted key without spaces"));
        o.sets = {" cluster.nodes = 3 "}; // spaces around KEY and VALUE are dropped
        CHECK(load_scenario_text(kBase, "t.yaml", o).points[0].architectures[0].cluster.nodes == 3);
    }
    SUBCASE("a filled-in default is blamed on the key above it that the file holds") {
        CHECK(contains(error_of(with("nodes: 4", "nodes: 1") + "autoscaling: {max: 10}\n"),
                       "error: t.yaml:9:1: autoscaling.min:"));
    }
}

TEST_CASE("a value listed twice for one swept key is a located error") {
    CHECK(contains(error_of(kBase + "sweep:\n  cluster.nodes: [2, 3, 2]\n"),
                   "error: t.yaml:10:25: sweep.cluster.nodes: duplicate value 2 (first at item 0); "
                   "each value may appear once in a swept list"));
    CHECK(contains(error_of(kBase + "sweep:\n  workload.request.service_time: [{dist: exponential, "
                                    "mean: 5ms}, {dist: exponential, mean: 5ms}]\n"),
                   "duplicate value {dist: exponential, mean: 5ms} (first at item 0)"));
    LoadOptions o;
    o.sets = {"sweep={cluster.nodes: [2, 2]}"};
    CHECK(contains(error_of(kBase, o), "error: --set sweep={cluster.nodes: [2, 2]}: "
                                       "sweep.cluster.nodes: duplicate value 2"));
    CHECK_NOTHROW(load_scenario_text(kBase + "sweep:\n  cluster.nodes: [2, 3]\n", "t.yaml"));
}

TEST_CASE("messages say an empty list or map, and list each expected key once") {
    CHECK(contains(error_of(kBase + "  workers: []\n"),
                   "t.yaml:9:12: cluster.workers: expected a whole number, found an empty list"));
    CHECK(contains(error_of(kBase + "  workers: {}\n"),
                   "cluster.workers: expected a whole number, found an empty map"));
    CHECK(contains(error_of(kBase + "  workers: [1]\n"), "found a list"));
    const auto e = error_of(kBase + "bogus: 1\n");
    REQUIRE(contains(e, "t.yaml:9:1: bogus: unknown key; expected one of"));
    CHECK(count_of(e, "workload") == 1);
    CHECK(count_of(e, " cluster,") == 1);
}

TEST_CASE("an architecture name must show something and stay on one line") {
    for (const char *bad : {"\"\"", "\"  \"", "\"a\\nb\"", "\"a\\tb\""}) {
        CAPTURE(bad);
        const auto e = error_of(kBase + "architectures:\n  - {name: " + bad + "}\n");
        CHECK(contains(e, "error: t.yaml:10:12: architectures[0].name: expected a name with a "
                          "visible character and no control characters"));
    }
    CHECK(contains(error_of(kBase + "architectures:\n  - {name: \"a\\nb\"}\n"), "found \"a\\nb\""));
    const auto sc =
        load_scenario_text(kBase + "architectures:\n  - {name: \"big box, 2\"}\n", "t.yaml");
    CHECK(sc.points[0].architectures[0].name == "big box, 2");
}

TEST_CASE("the scenario name must be a plain directory name") {
    for (const char *bad : {"\"../../x\"", "\"\"", "\".\"", "\"..\"", "a/b", "\"a b\"", "x\\\\y"}) {
        CAPTURE(bad);
        const auto e = error_of(with("name: t", std::string("name: ") + bad));
        CHECK(contains(e, "error: t.yaml:1:7: name: expected a name made of letters, digits, '.', "
                          "'_' and '-'"));
    }
    CHECK(contains(error_of(with("name: t", "name: \"../../x\"")), "found \"../../x\""));
    CHECK(load_scenario_text(with("name: t", "name: ok-name_1.2"), "t.yaml").name == "ok-name_1.2");
    // Without a name the file's stem is used, made valid.
    std::string unnamed = kBase.substr(kBase.find('\n') + 1);
    CHECK(load_scenario_text(unnamed, "dir/my scenario.yaml").name == "my_scenario");
    CHECK(load_scenario_text(unnamed, "dir/shop.yaml").name == "shop");
    CHECK(load_scenario_text(unnamed, "dir/shop.v2.yaml").name == "shop.v2"); // '.' is kept
    CHECK(load_scenario_text(unnamed, "dir/..yaml").name == "scenario");      // stem "."
    LoadOptions o;
    o.sets = {"name=../up"};
    CHECK(contains(error_of(kBase, o), "error: --set name=../up: name: expected a name made of"));
}

TEST_CASE("an empirical sample or trace time beyond the longest duration is a located error") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "statesim_config_inputs_test";
    fs::create_directories(dir);
    std::ofstream(dir / "huge.csv") << "0.01\n1e300\n";
    const std::string text =
        with("service_time: 20ms", "service_time: {dist: empirical, file: huge.csv}");
    const auto e = error_of(text, {}, (dir / "t.yaml").string());
    CHECK(contains(e, "t.yaml:6:43: workload.request.service_time.file: "));
    CHECK(contains(e, "huge.csv:2: 1e+300 s is longer than the longest duration, 36500d"));
    fs::remove_all(dir);
}

TEST_CASE("every replication's seed is a valid seed: seed + replications - 1 at most 2^62 - 1") {
    // Replication r runs with seed + r and `--seed <it> --replications 1` reruns it: the last
    // one may not pass the largest seed (2^62 - 1 = 4611686018427387903).
    const auto e = error_of(kBase + "seed: 4611686018427387903\nreplications: 2\n");
    CHECK(contains(e, "t.yaml:"));
    CHECK(contains(e, "seed: expected at most 4611686018427387902 with 2 replications"));
    CHECK(error_of(kBase + "seed: 4611686018427387902\nreplications: 2\n") == "(no error)");
    CHECK(error_of(kBase + "seed: 4611686018427387903\nreplications: 1\n") == "(no error)");
}

TEST_CASE("a newcomer's mistakes are named as what they are") {
    // A typo in a distribution's key: the unknown key with its hint, not "cv: required key is
    // missing" (which never mentioned the `vc` written).
    CHECK(contains(error_of(with("service_time: 20ms",
                                 "service_time: {dist: lognormal, mean: 20ms, vc: 1.0}")),
                   "t.yaml:6:49: workload.request.service_time.vc: unknown key (did you mean "
                   "cv?)"));
    // ... while a key of the kind that is really missing is still named as missing (`max`,
    // close to `min`, is no typo of it).
    CHECK(contains(error_of(with("service_time: 20ms", "service_time: {dist: uniform, max: 30ms}")),
                   "workload.request.service_time.min: required key is missing"));
    // A trace file that is not there: "no such file" and the path looked for (it said "not a
    // regular file").
    CHECK(contains(error_of(with("{process: poisson, rate: 10/s}",
                                 "{process: trace, file: missing-trace.txt}")),
                   "workload.sessions.arrival.file: no such file: missing-trace.txt"));
    // An empty value is a value left out, not the default (`nodes:` ran with 4, silently).
    CHECK(contains(error_of(with("  nodes: 4", "  nodes:")),
                   "t.yaml:8:3: cluster.nodes: expected a value, found an empty one"));
    CHECK(contains(error_of(with("  nodes: 4", "  nodes: ~")), "cluster.nodes: expected a value"));
    // A section written empty is still an empty map, as documented (`sticky:` is `{}`).
    CHECK(error_of(kBase + "load_balancer:\n  sticky:\n") == "(no error)");
    // A tab in the indentation: what to do about it.
    CHECK(
        contains(error_of(kBase + "\tworkers: 16\n"), "YAML indents with spaces: replace the tab"));
}
