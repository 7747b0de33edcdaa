#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "statesim/engine/distribution.hpp"

namespace statesim {

// Plain structs for one resolved experiment. Units: seconds, per second, bytes, fractions.

struct ArrivalProcess {
    enum class Kind { poisson, profile, diurnal, trace };
    Kind kind = Kind::poisson;
    double rate = 40;                                 // poisson, per second
    std::vector<std::pair<double, double>> points;    // profile: (time s, rate /s), linear between
    double amplitude = 0, period = 86400;             // diurnal around `rate`
    std::shared_ptr<const std::vector<double>> trace; // trace: sorted arrival times (s)
};

enum class OnStateLoss { abandon, continue_session };

struct Workload {
    ArrivalProcess arrival;
    Distribution requests;   // requests per session (count)
    Distribution think_time; // s
    Distribution service_time;
    double write_fraction = 0.5;
    double state_growth = 300; // bytes per write
    double timeout = 3;        // s
    int max_retries = 2;
    Distribution backoff;
    OnStateLoss on_state_loss = OnStateLoss::abandon;
};

struct ClusterSpec {
    int nodes = 4;
    int zones = 2;
    int workers = 16;
    int queue_limit = 512;
    Distribution boot_time;
    double warmup_capacity = 0.5;
    double warmup_period = 60;
    double session_memory_limit = 1024.0 * 1024 * 1024;
};

enum class BalancingPolicy {
    round_robin,
    random,
    least_outstanding,
    power_of_two,
    consistent_hash
};

struct LoadBalancerSpec {
    BalancingPolicy policy = BalancingPolicy::round_robin;
    bool sticky = false;
    double sticky_ttl = 86400;
    double health_interval = 30;
    int unhealthy_threshold = 2;
    int healthy_threshold = 5;
    double deregistration_delay = 300;
};

enum class StateLocation { none, local, store, client };
enum class StoreKind { dynamodb, redis };

struct StoreSpec {
    StoreKind kind = StoreKind::dynamodb;
    Distribution read_latency, write_latency;
    double capacity = 4000; // operations per second
    bool durable = true;
    enum class Pricing { requests, nodes };
    Pricing pricing = Pricing::requests; // requests: per request unit; nodes: per node-hour
    double node_hour = 0;                // USD per store node-hour (pricing: nodes)
    int nodes = 1;                       // store nodes billed (pricing: nodes)
};

struct ClientTokenSpec {
    double max_bytes = 4096;
    double verify_time = 0.0002;
    double bandwidth = 10 * 1024 * 1024; // bytes per second
};

struct StateSpec {
    StateLocation location = StateLocation::none;
    StoreSpec store;
    bool local_cache = false;
    ClientTokenSpec client;
};

struct FaultEvent {
    double at = 0; // s after the start of the run (warmup included)
    int count = 1; // nodes killed
};

struct FailureSpec {
    bool replace_failed = true;
    std::vector<FaultEvent> events;
};

struct CostSpec {
    double node_hour = 0.0416;
    double store_read = 0.125e-6;
    double store_write = 0.625e-6;
    double lambda_request = 0.2e-6;
    double lambda_gb_second = 16.67e-6;
    double state_transition = 25e-6;
};

// Everything one simulation run needs besides seeds and time bounds.
struct Architecture {
    std::string name;
    std::string preset; // empty when none
    Workload workload;
    Distribution hop_latency;
    ClusterSpec cluster;
    LoadBalancerSpec load_balancer;
    StateSpec state;
    FailureSpec failures;
    CostSpec costs;
};

struct SweepPoint {
    std::vector<std::pair<std::string, std::string>> values; // (dotted key, value text)
    std::vector<Architecture> architectures;
};

struct Scenario {
    std::string name;
    std::string description;
    std::string source_file;
    double duration = 7200; // measured, after warmup
    double warmup = 600;
    std::uint64_t seed = 42;
    int replications = 5;
    double timeseries_interval = 10;
    std::vector<std::string> sweep_keys;
    std::vector<SweepPoint> points;
    std::string resolved_yaml;               // presets expanded, overrides and defaults applied
    std::string resolved_yaml_with_defaults; // the same, filled-in defaults marked
    std::vector<std::string> warnings;       // legal but suspicious, printed by check and run
};

const char *to_string(BalancingPolicy p);
const char *to_string(StateLocation l);
const char *to_string(StoreKind k);

} // namespace statesim
