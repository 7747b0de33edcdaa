#pragma once
// A generator of random, valid scenario YAML for the whole-model property tests: from one seed
// it draws a short, cheap scenario over every feature (balancing, stickiness, every state
// location and store, failures and scheduled events, autoscaling, serverless, workflows,
// presets, `set:` and sweeps). Deterministic: statesim's own Rng, no std distributions.
//
// Cross-key rules of the loader (docs/configuration.md, "Limits and validation") are kept by
// drawing the shared facts first (nodes, zones, shards, autoscaling bounds) and the keys that
// depend on them after. A config the loader refuses is a bug of this generator.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "statesim/engine/random.hpp"

namespace statesim::test {

class RandomScenario {
  public:
    explicit RandomScenario(std::uint64_t seed) : rng_(seed, "random-scenario"), seed_(seed) {}

    std::string yaml() {
        draw_facts();
        std::string y = top_level();
        y += workload();
        if (coin(0.5)) y += fmt::format("network: {{hop_latency: {}}}\n", duration(1, 2000, "us"));
        y += cluster();
        y += load_balancer();
        y += state();
        if (autoscaling_) y += autoscaling();
        if (coin(0.6)) y += serverless();
        if (coin(0.4)) y += workflows();
        if (coin(0.3)) y += costs();
        // The architectures come before the failures: a node kill counts at most the smallest
        // fleet of any architecture.
        const std::string archs = architectures();
        y += failures();
        y += archs;
        y += sweep();
        return y;
    }

  private:
    // --- draws -------------------------------------------------------------------------------
    bool coin(double p) { return rng_.uniform() < p; }
    int between(int lo, int hi) { return lo + static_cast<int>(rng_.below(hi - lo + 1)); }
    double real(double lo, double hi) { return lo + (hi - lo) * rng_.uniform(); }
    std::string pick(std::initializer_list<const char *> xs) {
        return *(xs.begin() + rng_.below(xs.size()));
    }
    std::string fraction() {
        const int pct = between(0, 100);
        return coin(0.5) ? fmt::format("{}%", pct) : fmt::format("{:.2f}", pct / 100.0);
    }

    // A random duration of mean about [lo, hi] `unit`s, of any distribution kind (mean > 0).
    std::string duration(int lo, int hi, const char *unit) {
        const int m = between(std::max(lo, 1), hi);
        switch (rng_.below(9)) {
        case 0:
            return fmt::format("{}{}", m, unit);
        case 1:
            return fmt::format("{{dist: constant, value: {}{}}}", m, unit);
        case 2:
            return fmt::format("{{dist: exponential, mean: {}{}}}", m, unit);
        case 3:
            return fmt::format("{{dist: lognormal, mean: {}{}, cv: {:.2f}}}", m, unit,
                               real(0.1, 2));
        case 4:
            return fmt::format("{{dist: uniform, min: {}{}, max: {}{}}}", m / 2, unit, m + m / 2,
                               unit);
        case 5:
            return fmt::format("{{dist: erlang, mean: {}{}, k: {}}}", m, unit, between(1, 8));
        case 6:
            return fmt::format("{{dist: hyperexp, mean: {}{}, cv: {:.2f}}}", m, unit, real(1, 3));
        case 7:
            return fmt::format("{{dist: weibull, mean: {}{}, shape: {:.2f}}}", m, unit,
                               real(0.7, 3));
        default:
            return fmt::format("{{dist: pareto, mean: {}{}, shape: {:.2f}}}", m, unit,
                               real(1.5, 4));
        }
    }
    std::string count(int lo, int hi) {
        const int m = between(lo, hi);
        switch (rng_.below(3)) {
        case 0:
            return fmt::format("{}", m);
        case 1:
            return fmt::format("{{dist: constant, value: {}}}", m);
        default:
            return fmt::format("{{dist: geometric, mean: {}}}", m);
        }
    }
    // Arrivals for sessions (per second) or workflows (per minute), peak about `hi`.
    std::string arrival(int lo, int hi, const char *per) {
        switch (rng_.below(3)) {
        case 0:
            poisson_ = true;
            return fmt::format("{{process: poisson, rate: {}/{}}}", between(lo, hi), per);
        case 1: {
            std::string pts;
            int t = 0;
            for (int i = between(1, 4); i > 0; --i) {
                pts += fmt::format("{}[{}s, {}/{}]", pts.empty() ? "" : ", ", t,
                                   between(i == 1 ? 1 : 0, hi), per);
                t += between(1, 90);
            }
            return fmt::format("{{process: profile, points: [{}]}}", pts);
        }
        default:
            return fmt::format("{{process: diurnal, mean: {}/{}, amplitude: {}, period: {}s}}",
                               between(lo, hi), per, fraction(), between(20, 600));
        }
    }

    // --- the facts other sections depend on ---------------------------------------------------
    void draw_facts() {
        nodes_ = between(1, 6);
        zones_ = between(1, 3);
        workers_ = between(2, 16);
        autoscaling_ = coin(0.35);
        as_min_ = between(1, nodes_);
        as_max_ = nodes_ + between(0, 4);
        location_ = pick({"none", "local", "store", "client"});
        store_kind_ = pick({"dynamodb", "redis", "memcached"});
        shards_ = between(1, 4);
        capacity_map_ = store_kind_ == "dynamodb" && coin(0.5);
        archs_ = between(1, 3);
        replications_ = between(1, 2);
    }

    std::string top_level() {
        const int warmup = between(0, 60);
        run_s_ = warmup + between(60, 180);
        return fmt::format("name: rand-{}\nduration: {}s\nwarmup: {}s\nseed: {}\nreplications: "
                           "{}\noutput: {{timeseries_interval: {}s}}\n",
                           seed_, run_s_ - warmup, warmup, rng_.below(1000000), replications_,
                           between(5, 30));
    }

    std::string workload() {
        poisson_ = false;
        std::string y = "workload:\n  sessions:\n";
        y += fmt::format("    arrival: {}\n", arrival(1, 25, "s"));
        session_poisson_ = poisson_;
        y += fmt::format("    requests: {}\n", count(1, 10));
        y += fmt::format("    think_time: {}\n", duration(100, 5000, "ms"));
        y += fmt::format("  request: {{service_time: {}, write_fraction: {}, state_growth: {}B}}\n",
                         duration(2, 40, "ms"), fraction(), between(0, 2048));
        y += fmt::format("  client: {{timeout: {}ms, retries: {{max: {}, backoff: {}}}, "
                         "on_state_loss: {}}}\n",
                         between(200, 5000), between(0, 3), duration(10, 500, "ms"),
                         pick({"abandon", "continue"}));
        return y;
    }

    std::string cluster() {
        std::string y = fmt::format("cluster:\n  nodes: {}\n  zones: {}\n  workers: {}\n", nodes_,
                                    zones_, workers_);
        if (coin(0.25)) y += "  runtime: serverless\n";
        y += fmt::format("  queue_limit: {}\n  boot_time: {}\n", between(0, 200),
                         duration(1, 60, "s"));
        y += fmt::format("  warmup_capacity: {}\n  warmup_period: {}s\n", fraction(),
                         between(0, 60));
        y += fmt::format("  session_memory_limit: {}\n",
                         coin(0.5) ? "1GiB" : fmt::format("{}KiB", between(4, 512)));
        return y;
    }

    std::string load_balancer() {
        std::string y = fmt::format("load_balancer:\n  policy: {}\n",
                                    pick({"round_robin", "random", "least_outstanding",
                                          "power_of_two", "consistent_hash"}));
        if (coin(0.2))
            y += fmt::format("  sticky: {}\n", pick({"true", "false"}));
        else if (coin(0.6))
            y += fmt::format("  sticky: {{enabled: {}, ttl: {}s}}\n", pick({"true", "false"}),
                             between(1, 600));
        y += fmt::format("  health_check: {{interval: {}s, unhealthy_threshold: {}, "
                         "healthy_threshold: {}}}\n",
                         between(1, 15), between(1, 3), between(1, 3));
        y += fmt::format("  deregistration_delay: {}s\n  connect_timeout: {}ms\n  drain: {}\n",
                         between(0, 60), between(100, 5000), pick({"requests", "sessions"}));
        return y;
    }

    std::string state() {
        std::string y = fmt::format("state:\n  location: {}\n  local_cache: {}\n", location_,
                                    pick({"true", "false"}));
        y += store();
        y += fmt::format("  client: {{max_bytes: {}, verify_time: {}us, bandwidth: {}MiB/s}}\n",
                         coin(0.5) ? std::string("1GiB") : fmt::format("{}B", between(256, 8192)),
                         between(0, 1000), between(1, 100));
        return y;
    }

    std::string store() {
        std::string y = fmt::format("  store:\n    kind: {}\n", store_kind_);
        if (coin(0.5)) y += fmt::format("    read_latency: {}\n", duration(200, 8000, "us"));
        if (coin(0.5)) y += fmt::format("    write_latency: {}\n", duration(200, 8000, "us"));
        if (capacity_map_) {
            y += fmt::format("    capacity: {{mode: {}, reads: {}/s, writes: {}/s}}\n",
                             pick({"on_demand", "provisioned"}), between(10, 5000),
                             between(10, 2000));
        } else if (coin(0.5)) {
            y += fmt::format("    capacity: {}/s\n", between(20, 100000));
        }
        if (store_kind_ != "memcached") {
            if (coin(0.5)) y += fmt::format("    durable: {}\n", pick({"true", "false"}));
            if (coin(0.5)) y += fmt::format("    replicas: {}\n", between(0, 2));
        } else if (coin(0.3)) {
            y += "    durable: false\n    replicas: 0\n";
        }
        y += fmt::format("    shards: {}\n    failover_time: {}s\n    timeout: {}ms\n", shards_,
                         between(0, 30), between(50, 2000));
        if (coin(0.3))
            y += fmt::format("    pricing: {}\n    node_hour: {:.3f}\n",
                             pick({"requests", "nodes"}), real(0, 1));
        return y;
    }

    // Scheduled faults, in any order the loader accepts (it does not require sorted times).
    std::string events() {
        std::string y;
        for (int i = between(0, 4); i > 0; --i) {
            const int at = between(0, run_s_);
            switch (rng_.below(4)) {
            case 0:
                y += fmt::format("    - {{at: {}s, kill: node, count: {}}}\n", at,
                                 between(1, kill_max_));
                break;
            case 1:
                y += fmt::format("    - {{at: {}s, kill: zone, zone: {}, duration: {}s}}\n", at,
                                 between(0, zones_ - 1), between(1, 120));
                break;
            case 2:
                y += fmt::format(
                    "    - {{at: {}s, outage: store, duration: {}s{}}}\n", at, between(1, 60),
                    coin(0.5) ? fmt::format(", shard: {}", between(0, store_shards() - 1))
                              : std::string());
                break;
            default:
                y += fmt::format("    - {{at: {}s, deploy: rolling}}\n", at);
            }
        }
        return y.empty() ? y : "  events:\n" + y;
    }

    std::string failures() {
        if (coin(0.25)) return "";
        std::string y = fmt::format("failures:\n  mode: {}\n  replace_failed: {}\n",
                                    pick({"host", "process"}), pick({"true", "false"}));
        if (coin(0.5))
            y += fmt::format("  nodes: {{enabled: {}, mtbf: {}, mttr: {}}}\n",
                             pick({"true", "true", "false"}), duration(20, 600, "s"),
                             duration(5, 120, "s"));
        if (coin(0.3))
            y += fmt::format("  zones: {{mtbf: {}, mttr: {}}}\n", duration(30, 600, "s"),
                             duration(5, 120, "s"));
        if (coin(0.4))
            y += fmt::format("  store: {{mtbf: {}, mttr: {}}}\n", duration(20, 300, "s"),
                             duration(1, 60, "s"));
        if (coin(0.3))
            y += fmt::format("  deployments: {{every: {}s, batch: {}}}\n", between(20, 200),
                             pick({"10%", "25%", "0.5", "1", "100%"}));
        y += events();
        return y;
    }

    // A threshold or target in the unit of `metric`, about `scale` of the usual range.
    std::string metric_value(const std::string &metric, double scale) {
        if (metric == "cpu") return fmt::format("{}%", std::clamp(int(scale * 100), 1, 100));
        if (metric == "requests_per_node") return fmt::format("{}/s", int(scale * 100) + 1);
        return fmt::format("{:.1f}", scale * workers_ + 0.1);
    }

    std::string autoscaling() {
        const std::string policy = pick({"target_tracking", "step", "scheduled", "hpa"});
        const std::string metric = pick({"cpu", "requests_per_node", "in_flight_per_node"});
        std::string y =
            fmt::format("autoscaling:\n  policy: {}\n  metric: {}\n  target: {}\n  min: {}\n  "
                        "max: {}\n",
                        policy, metric, metric_value(metric, real(0.2, 0.9)), as_min_, as_max_);
        y += fmt::format("  evaluation_period: {}s\n  out_datapoints: {}\n  in_datapoints: {}\n",
                         between(5, 60), between(1, 3), between(1, 5));
        y += fmt::format("  in_threshold: {}%\n  instance_warmup: {}s\n", between(30, 100),
                         between(0, 60));
        y += fmt::format("  cooldown: {{out: {}s, in: {}s}}\n", between(0, 60), between(0, 120));
        y += fmt::format("  scale_in: {}\n  termination: {}\n", pick({"drain", "terminate"}),
                         pick({"default", "oldest", "newest", "fewest_sessions"}));
        if (policy == "step")
            y += fmt::format("  steps: [{{above: {}, add: {}}}, {{below: {}, add: -{}}}]\n",
                             metric_value(metric, real(0.6, 0.9)), between(1, 3),
                             metric_value(metric, real(0.05, 0.4)), between(1, 2));
        if (policy == "scheduled") {
            std::string s;
            int at = between(0, 30);
            for (int i = between(1, 3); i > 0; --i) {
                s += fmt::format("{}{{at: {}s, desired: {}}}", s.empty() ? "" : ", ", at,
                                 between(as_min_, as_max_));
                at += between(1, 90);
            }
            y += fmt::format("  schedule: [{}]\n", s);
        }
        if (policy == "hpa")
            y += fmt::format("  hpa: {{period: {}s, tolerance: {}%, stabilization: {}s}}\n",
                             between(5, 30), between(0, 30), between(0, 120));
        return y;
    }

    std::string serverless() {
        const int limit = between(2, 200);
        return fmt::format(
            "serverless:\n  cold_start: {}\n  idle_timeout: {}s\n  concurrency_limit: {}\n  "
            "scaling_rate: {}/{}\n  provisioned: {}\n  memory: {}MiB\n",
            duration(10, 800, "ms"), between(1, 300), limit, between(1, 100),
            pick({"10s", "1s", "min", "s"}), between(0, std::min(limit, 10)), between(128, 2048));
    }

    std::string workflows() {
        workflows_ = true;
        return fmt::format("workflows:\n  enabled: {}\n  arrival: {}\n  steps: {}\n  step_time: "
                           "{}\n  wait: {}\n  orchestration: {}\n",
                           pick({"true", "true", "true", "false"}), arrival(1, 30, "min"),
                           between(1, 5), duration(5, 300, "ms"), duration(1, 60, "s"),
                           pick({"in_memory", "orchestrator"}));
    }

    std::string costs() {
        return fmt::format("costs: {{node_hour: {:.4f}, store_read: 0.25e-6, store_write: "
                           "1.25e-6, lambda_request: 0.2e-6, lambda_gb_second: 16.67e-6, "
                           "lambda_provisioned_gb_second: 4.17e-6, state_transition: {}e-6}}\n",
                           real(0, 1), between(0, 50));
    }

    // --- architectures and sweep --------------------------------------------------------------
    std::string preset() {
        // stateless-redis would turn a DynamoDB capacity map into an error.
        for (;;) {
            std::string p =
                pick({"", "single-server", "stateful-sticky", "stateful-nonsticky",
                      "stateless-dynamodb", "stateless-redis", "stateless-jwt", "serverless"});
            if (capacity_map_ && p == "stateless-redis") continue;
            dynamodb_arch_ = dynamodb_arch_ || p == "stateless-dynamodb" || p == "serverless";
            return p;
        }
    }

    // `set:` entries; never a key the sweep may use (a swept key cannot also be set).
    std::string sets() {
        std::vector<std::string> s;
        if (coin(0.3)) {
            const int n = autoscaling_ ? between(as_min_, as_max_) : between(1, 6);
            kill_max_ = std::min(kill_max_, n);
            s.push_back(fmt::format("cluster.nodes: {}", n));
        }
        if (coin(0.2)) s.push_back(fmt::format("state.local_cache: {}", pick({"true", "false"})));
        if (coin(0.2)) s.push_back("cluster.runtime: serverless");
        if (coin(0.2))
            s.push_back(
                fmt::format("state.location: {}", pick({"none", "local", "store", "client"})));
        if (coin(0.2))
            s.push_back(fmt::format("load_balancer.sticky.enabled: {}", pick({"true", "false"})));
        if (workflows_ && coin(0.3))
            s.push_back(
                fmt::format("workflows.orchestration: {}", pick({"in_memory", "orchestrator"})));
        std::string y;
        for (const auto &e : s)
            y += (y.empty() ? "" : ", ") + e;
        return y;
    }

    std::string architectures() {
        kill_max_ = nodes_;
        if (archs_ == 1 && coin(0.5)) return "";
        std::string y = "architectures:\n";
        for (int a = 0; a < archs_; ++a) {
            y += fmt::format("  - name: arch{}\n", a);
            const std::string p = preset();
            if (!p.empty()) y += fmt::format("    preset: {}\n", p);
            if (p == "single-server") kill_max_ = 1;
            const std::string s = sets();
            if (!s.empty()) y += fmt::format("    set: {{{}}}\n", s);
        }
        return y;
    }

    std::string sweep() {
        // At most two keys of two values, and few runs in all.
        if (archs_ * replications_ > 4 || coin(0.6)) return "";
        // A key's values are distinct (a value listed twice is an error): an equal second one
        // is moved, without another draw. The draws are in statement order, not in the
        // compiler's order of function arguments.
        std::vector<std::string> keys;
        const std::string f1 = fraction(), f2 = fraction();
        keys.push_back(fmt::format("workload.request.write_fraction: [{}, {}]", f1,
                                   f2 != f1       ? f2
                                   : f1 == "1.00" ? "0.99"
                                                  : "1.00"));
        const int w1 = between(1, 8), w2 = between(8, 16);
        keys.push_back(fmt::format("cluster.workers: [{}, {}]", w1, w2 != w1 ? w2 : w2 + 1));
        keys.push_back(fmt::format("load_balancer.policy: [{}, {}]",
                                   pick({"round_robin", "random"}),
                                   pick({"least_outstanding", "power_of_two", "consistent_hash"})));
        keys.push_back("workload.client.on_state_loss: [abandon, continue]");
        if (session_poisson_) {
            const int r1 = between(1, 10), r2 = between(10, 25);
            keys.push_back(fmt::format("workload.sessions.arrival.rate: [{}/s, {}/s]", r1,
                                       r2 != r1 ? r2 : r2 + 1));
        }
        std::string y = "sweep:\n";
        const std::size_t first = rng_.below(keys.size());
        y += "  " + keys[first] + "\n";
        if (archs_ * replications_ <= 2 && coin(0.5)) {
            const std::size_t second = (first + 1 + rng_.below(keys.size() - 1)) % keys.size();
            y += "  " + keys[second] + "\n";
        }
        return y;
    }

    Rng rng_;
    std::uint64_t seed_;
    // DynamoDB ignores state.store.shards: one store, shard 0 (for every architecture).
    int store_shards() const { return store_kind_ == "dynamodb" || dynamodb_arch_ ? 1 : shards_; }
    bool dynamodb_arch_ = false; // some architecture's preset makes the store DynamoDB
    int run_s_ = 0, nodes_ = 1, zones_ = 1, workers_ = 1, as_min_ = 1, as_max_ = 1, shards_ = 1;
    int archs_ = 1, replications_ = 1, kill_max_ = 1;
    bool autoscaling_ = false, capacity_map_ = false, workflows_ = false;
    bool poisson_ = false, session_poisson_ = false;
    std::string location_, store_kind_;
};

inline std::string random_scenario(std::uint64_t seed) {
    return RandomScenario(seed).yaml();
}

} // namespace statesim::test
