#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "statesim/config/load_scenario.hpp"

using namespace statesim;

namespace {
const char *kMinimal = R"(name: t
workload:
  sessions:
    arrival: {process: poisson, rate: 10/s}
cluster:
  nodes: 2
)";

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
} // namespace

TEST_CASE("a minimal file gets the documented defaults") {
    const Scenario sc = load_scenario_text(kMinimal, "t.yaml");
    REQUIRE(sc.points.size() == 1);
    REQUIRE(sc.points[0].architectures.size() == 1);
    const Architecture &a = sc.points[0].architectures[0];
    CHECK(a.name == "default");
    CHECK(sc.duration == 7200);
    CHECK(sc.warmup == 600);
    CHECK(sc.replications == 5);
    CHECK(a.workload.arrival.rate == 10);
    CHECK(a.workload.requests.kind == Distribution::Kind::geometric);
    CHECK(a.workload.requests.mean == 8);
    CHECK(a.cluster.nodes == 2);
    CHECK(a.cluster.workers == 16);
    CHECK(a.state.location == StateLocation::none);
    CHECK_FALSE(a.load_balancer.sticky);
    CHECK(a.hop_latency.is_zero()); // no network section: hops off
    CHECK(a.failures.events.empty());
    CHECK(a.load_balancer.health_interval == 30);
    const std::string shown = describe_resolved(sc);
    CHECK(contains(shown, "workers: 16  # default"));
    CHECK(contains(shown, "statesim_version"));
}

TEST_CASE("a section written with no value is present, the same as {}") {
    const auto arch = [](const std::string &extra) {
        return load_scenario_text(std::string(kMinimal) + extra, "t.yaml")
            .points[0]
            .architectures[0];
    };
    const auto shown = [](const std::string &extra) {
        return describe_resolved(load_scenario_text(std::string(kMinimal) + extra, "t.yaml"));
    };
    CHECK(arch("load_balancer:\n  sticky:\n").load_balancer.sticky);
    CHECK(contains(shown("load_balancer:\n  sticky:\n"), "enabled: true  # default"));
    CHECK(arch("autoscaling:\n").autoscaling.enabled ==
          arch("autoscaling: {}\n").autoscaling.enabled);
    CHECK(arch("autoscaling:\n").autoscaling.enabled);
    CHECK(arch("workflows:\n").workflows.enabled);
    CHECK(arch("failures:\n  nodes:\n").failures.nodes.enabled);
    CHECK(arch("failures:\n  zones:\n  store:\n").failures.zones.enabled);
    CHECK(arch("failures:\n  deployments:\n").failures.deployments.enabled);
    CHECK(arch("network:\n").hop_latency.expected() ==
          arch("network: {}\n").hop_latency.expected());
    CHECK(arch("network:\n").hop_latency.expected() > 0);
    // `enabled: false` switches a present section off (SPEC §4): hops take 0 s.
    CHECK(arch("network: {enabled: false, hop_latency: 5ms}\n").hop_latency.is_zero());
    CHECK(arch("network: {enabled: true, hop_latency: 5ms}\n").hop_latency.expected() ==
          doctest::Approx(0.005));
    // Required sections: `workload:` with no value takes every default, like `workload: {}`.
    CHECK(arch("").workload.arrival.rate == 10);
    CHECK_NOTHROW(load_scenario_text("workload:\ncluster:\n", "t.yaml"));
    CHECK(contains(error_of("cluster:\n"), "t.yaml:1:1: workload: required key is missing"));
    // `slo:` with no value is `slo: {}`, which asks for at least one objective (it was ignored).
    CHECK(contains(error_of(std::string(kMinimal) + "slo:\n"),
                   "slo: expected at least one objective"));
    // Not sections: an empty `architectures:` is still an error.
    CHECK(contains(error_of(std::string(kMinimal) + "architectures:\n"),
                   "architectures: expected a non-empty list"));
}

TEST_CASE("the resolved config is valid YAML that holds every default") {
    // Flow maps the user wrote get defaults filled in below them.
    const std::string text = R"(workload:
  sessions: {arrival: {process: poisson, rate: 10/s}}
  client: {timeout: 1s}
cluster: {nodes: 2}
)";
    const Scenario sc = load_scenario_text(text, "t.yaml");
    for (const std::string &doc : {sc.resolved_yaml, describe_resolved(sc)}) {
        const YAML::Node root = YAML::Load(doc);
        const YAML::Node cfg = root["points"][0]["architectures"][0]["config"];
        CHECK(cfg["workload"]["client"]["timeout"].as<std::string>() == "1s");
        CHECK(cfg["workload"]["client"]["retries"]["max"].as<std::string>() == "2");
        CHECK(cfg["cluster"]["workers"].as<std::string>() == "16");
        CHECK(root["replication_seeds"].size() == 5);
    }
    CHECK(describe_resolved(sc).find("max: 2  # default") != std::string::npos);
}

TEST_CASE("a filled-in map with defaults below it marks each of its keys once") {
    const std::string shown = describe_resolved(load_scenario_text(kMinimal, "t.yaml"));
    CHECK(contains(shown, "capacity:\n                mode: on_demand  # default\n"
                          "                reads: 12000/s  # default\n"
                          "                writes: 4000/s  # default\n"));
    CHECK_FALSE(contains(shown, "# default  # default"));
    CHECK(
        YAML::Load(
            shown)["points"][0]["architectures"][0]["config"]["state"]["store"]["capacity"]["mode"]
            .as<std::string>() == "on_demand");
    // A map the user wrote keeps its own keys unmarked.
    LoadOptions o;
    o.sets = {"state.store.capacity={mode: provisioned}"};
    const std::string mine = describe_resolved(load_scenario_text(kMinimal, "t.yaml", o));
    CHECK(contains(mine, "mode: provisioned\n"));
    CHECK(contains(mine, "reads: 3000/s  # default\n"));
}

TEST_CASE("presets and set and --set apply in the documented order") {
    const std::string text = std::string(kMinimal) + R"(
architectures:
  - {name: sticky, preset: stateful-sticky}
  - {name: ddb, preset: stateless-dynamodb, set: {cluster.nodes: 6}}
  - {name: one, preset: single-server}
)";
    LoadOptions opts;
    opts.sets = {"cluster.nodes=3", "state.location=client"};
    const Scenario sc = load_scenario_text(text, "t.yaml", opts);
    const auto &archs = sc.points[0].architectures;
    REQUIRE(archs.size() == 3);
    CHECK(archs[0].state.location == StateLocation::local); // preset beats the base
    CHECK(archs[0].load_balancer.sticky);
    CHECK(archs[0].cluster.nodes == 3); // --set edits the base
    CHECK(archs[1].state.location == StateLocation::store);
    CHECK(archs[1].state.store.kind == StoreKind::dynamodb);
    CHECK(archs[1].cluster.nodes == 6); // set: beats everything
    CHECK(archs[2].cluster.nodes == 1); // single-server pins one node
}

TEST_CASE("store kind sets its defaults and explicit keys still win") {
    const std::string text =
        std::string(kMinimal) + "state: {location: store, store: {kind: redis, capacity: 5/s}}\n";
    const Scenario sc = load_scenario_text(text, "t.yaml");
    const auto &st = sc.points[0].architectures[0].state.store;
    CHECK(st.kind == StoreKind::redis);
    CHECK_FALSE(st.durable);
    CHECK(std::fabs(st.read_latency.mean - 0.0005) <= 1e-12 * 0.0005);
    CHECK(st.capacity == 5);
}

TEST_CASE("a sweep makes one point per combination") {
    const std::string text =
        std::string(kMinimal) + "sweep:\n  cluster.nodes: [1, 2, 4]\n  cluster.workers: [8, 16]\n";
    const Scenario sc = load_scenario_text(text, "t.yaml");
    REQUIRE(sc.points.size() == 6);
    CHECK(sc.sweep_keys == std::vector<std::string>{"cluster.nodes", "cluster.workers"});
    CHECK(sc.points[0].architectures[0].cluster.nodes == 1);
    CHECK(sc.points[0].architectures[0].cluster.workers == 8);
    CHECK(sc.points[5].architectures[0].cluster.nodes == 4);
    CHECK(sc.points[5].architectures[0].cluster.workers == 16);
    CHECK(sc.points[3].values[0].second == "2");
}

TEST_CASE("bad input is a located error naming key and expectation and finding") {
    SUBCASE("unknown enum value, with a suggestion") {
        const auto e = error_of(std::string(kMinimal) + "load_balancer:\n  policy: round-robbin\n");
        CHECK(contains(e, "t.yaml:8:11: load_balancer.policy: unknown value \"round-robbin\""));
        CHECK(contains(e, "did you mean round_robin?"));
    }
    SUBCASE("unknown key, with a suggestion") {
        const auto e = error_of(std::string(kMinimal) + "  workrs: 4\n");
        CHECK(contains(e, "t.yaml:7:3: cluster.workrs: unknown key (did you mean workers?)"));
    }
    SUBCASE("unknown top-level key") {
        CHECK(contains(error_of(std::string(kMinimal) + "clustr: {}\n"), "did you mean cluster?"));
    }
    SUBCASE("missing unit") {
        const auto e = error_of(std::string(kMinimal) + "duration: 20\n");
        CHECK(contains(e, "t.yaml:7:11: duration: a duration needs a unit"));
    }
    SUBCASE("wrong type") {
        const auto e = error_of(std::string(kMinimal) + "  workers: [1, 2]\n");
        CHECK(contains(e, "cluster.workers: expected a whole number, found a list"));
    }
    SUBCASE("out of range") {
        CHECK(contains(error_of(std::string(kMinimal) + "  zones: 0\n"),
                       "cluster.zones: expected a whole number from 1 to 64 (found 0)"));
        CHECK(contains(error_of(std::string(kMinimal) + "  warmup_capacity: 150%\n"),
                       "cluster.warmup_capacity: expected a fraction between 0 and 1"));
    }
    SUBCASE("bad distribution") {
        CHECK(contains(
            error_of(std::string(kMinimal) + "  boot_time: {dist: lognormal, mean: 90s}\n"),
            "cluster.boot_time.cv: required key is missing"));
        CHECK(
            contains(error_of(std::string(kMinimal) + "  boot_time: {dist: gaussian, mean: 90s}\n"),
                     "cluster.boot_time.dist: unknown value \"gaussian\""));
        CHECK(contains(
            error_of(std::string(kMinimal) + "  boot_time: {dist: pareto, mean: 90s, shape: 1}\n"),
            "cluster.boot_time.shape"));
    }
    SUBCASE("required sections") {
        CHECK(contains(error_of("name: x\ncluster: {}\n"), "workload: required key is missing"));
    }
    SUBCASE("malformed YAML") {
        CHECK(contains(error_of("workload: {sessions: [\ncluster: 1\n"), "invalid YAML"));
    }
    SUBCASE("empty and binary files") {
        CHECK(contains(error_of(""), "empty file"));
        CHECK(contains(error_of("# only a comment\n"), "(top)"));
        CHECK(contains(error_of(std::string("a\0b", 3)), "binary file"));
    }
    SUBCASE("pathological nesting is refused before parsing") {
        CHECK(contains(error_of(std::string(100000, '[')), "nesting deeper than"));
    }
    SUBCASE("an alias bomb does not expand") {
        std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
        for (char c = 'b'; c <= 'z'; ++c)
            bomb += fmt::format("{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
                                c, c, fmt::arg("p", std::string(1, static_cast<char>(c - 1))));
        bomb += std::string(kMinimal).substr(8) + "description: *z\n";
        CHECK(contains(error_of(bomb), "description: expected a single value, found a list"));
    }
    SUBCASE("--set errors name the override") {
        LoadOptions o;
        o.sets = {"cluster.nodes=many"};
        CHECK(contains(error_of(kMinimal, o), "--set cluster.nodes=many: cluster.nodes"));
        o.sets = {"nonsense"};
        CHECK(contains(error_of(kMinimal, o), "expected KEY=VALUE"));
    }
    SUBCASE("unknown preset") {
        CHECK(contains(error_of(std::string(kMinimal) +
                                "architectures: [{name: a, preset: stateful-stiky}]\n"),
                       "did you mean stateful-sticky?"));
    }
    SUBCASE("a switched-off section is accepted") {
        CHECK_NOTHROW(load_scenario_text(std::string(kMinimal) + "autoscaling: {enabled: false}\n",
                                         "t.yaml"));
    }
}

TEST_CASE("empirical samples and arrival traces are read relative to the config file") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "statesim_config_test";
    fs::create_directories(dir);
    std::ofstream(dir / "samples.csv") << "# service times\n0.010\n20ms\n0.030\n";
    std::ofstream(dir / "arrivals.csv") << "0.5\n1.5\n2s\n";
    const std::string text = R"(workload:
  sessions: {arrival: {process: trace, file: arrivals.csv}, requests: 1}
  request: {service_time: {dist: empirical, file: samples.csv}}
cluster: {nodes: 1}
)";
    const Scenario sc = load_scenario_text(text, (dir / "t.yaml").string());
    const Architecture &a = sc.points[0].architectures[0];
    REQUIRE(a.workload.arrival.trace);
    CHECK(*a.workload.arrival.trace == std::vector<double>{0.5, 1.5, 2.0});
    CHECK(std::fabs(a.workload.service_time.expected() - 0.02) <= 1e-12 * 0.02);
    Rng rng(3);
    for (int i = 0; i < 20; ++i) {
        const double x = a.workload.service_time.sample(rng);
        CHECK((x == 0.010 || x == 0.020 || x == 0.030));
    }
    std::ofstream(dir / "bad.csv") << "0.1\nsoon\n";
    const std::string file = (dir / "t.yaml").string();
    auto with = [&](const char *name) {
        return std::string(text).replace(text.find("samples.csv"), 11, name);
    };
    CHECK(contains(error_of(with("bad.csv"), {}, file),
                   "bad.csv:2: expected a number of seconds or a duration"));
    CHECK(contains(error_of(with("none.csv"), {}, file),
                   "request.service_time.file: no such file: " + (dir / "none.csv").string()));
    fs::remove_all(dir);
}

TEST_CASE("a swept value that holds itself through an alias, or explodes through aliases, is an "
          "error") {
    // Labelling the value wrote it out forever (a crash, exit 139), or 2^24 items for 24
    // doubling aliases (25 s and 500 MB before any error).
    const std::string head = "workload:\n  sessions: {arrival: {process: poisson, rate: 5/s}}\n"
                             "cluster: {nodes: 2}\nsweep:\n";
    CHECK(contains(error_of(head + "  cluster.labels: [&x [1, *x]]\n"),
                   "t.yaml:5:20: sweep.cluster.labels: expected a value of at most 64 levels"));
    std::string bomb = head + "  cluster.nodes:\n    - &a0 [x, x]\n";
    for (int i = 1; i <= 24; ++i)
        bomb += fmt::format("    - &a{} [*a{}, *a{}]\n", i, i - 1, i - 1);
    CHECK(contains(error_of(bomb), "sweep.cluster.nodes: expected a value of at most 64 levels "
                                   "and 100000 items"));
}
