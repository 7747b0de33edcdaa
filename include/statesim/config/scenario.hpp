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

// servers: a fleet behind a load balancer; serverless: a Lambda-like function runtime.
enum class Runtime { servers, serverless };

struct ClusterSpec {
    Runtime runtime = Runtime::servers;
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
    double connect_timeout = 10; // s: an attempt to a host that does not answer fails after this
    enum class DrainMode { requests, sessions };
    DrainMode drain = DrainMode::requests;
};

enum class StateLocation { none, local, store, client };
enum class StoreKind { dynamodb, redis, memcached };

struct StoreSpec {
    StoreKind kind = StoreKind::dynamodb;
    Distribution read_latency, write_latency;
    // fixed: `capacity` operations per second (a plain rate such as `4000/s`, any kind);
    // on_demand (DynamoDB): read_units / write_units per second at first, growing with the
    // traffic; provisioned (DynamoDB): read_units / write_units per second, fixed.
    enum class CapacityMode { fixed, on_demand, provisioned };
    CapacityMode capacity_mode = CapacityMode::fixed;
    double capacity = 4000;                        // operations per second (fixed)
    double read_units = 12000, write_units = 4000; // per second (on_demand, provisioned)
    bool durable = true;
    int shards = 1;            // sessions spread over shards by key (redis, memcached)
    int replicas = 0;          // redis: >= 1 turns a shard failure into a failover
    double failover_time = 60; // s: reads and writes of a failing-over shard fail this long
    double timeout = 1;        // s: an operation against a store that is down fails after this
    // requests: per request unit (DynamoDB on-demand); nodes: per node-hour (ElastiCache);
    // capacity: per provisioned read / write unit-hour, used or not (DynamoDB provisioned).
    enum class Pricing { requests, nodes, capacity };
    Pricing pricing = Pricing::requests;
    double node_hour = 0; // USD per store node-hour (pricing: nodes)
    // Store nodes billed (pricing: nodes): a primary per shard and its replicas (ElastiCache
    // bills every node of a replication group).
    int billed_nodes() const { return shards * (1 + replicas); }
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

// A random failure process: each unit (node, zone, store shard) fails after an `mtbf` draw
// (from its boot or its last repair) and is down for an `mttr` draw.
struct FailureProcess {
    bool enabled = false;
    Distribution mtbf; // s, time to failure
    Distribution mttr; // s, time to repair
};

// host: a failed node stops answering (attempts wait load_balancer.connect_timeout);
// process: the process dies on a live host (attempts fail at once).
enum class FailureMode { host, process };

struct FaultEvent {
    enum class Kind { kill_node, kill_zone, store_outage, deploy };
    Kind kind = Kind::kill_node;
    double at = 0;       // s from the start of the run (warmup included)
    int count = 1;       // kill_node: nodes killed
    int zone = 0;        // kill_zone: zone index, < cluster.zones
    double duration = 0; // kill_zone, store_outage: s down
    int shard = -1;      // store_outage: shard index, -1 = every shard
};

// Periodic rolling deployments: every `every` seconds (first at `every`), batch after batch
// of ceil(batch x nodes) nodes (at least 1).
struct DeploymentSpec {
    bool enabled = false;
    double every = 6 * 3600; // s
    double batch = 0.25;     // fraction of the nodes, in (0, 1]
};

struct FailureSpec {
    bool enabled = true; // false: `failures: {enabled: false}` (nothing below happens)
    FailureProcess nodes, zones, store;
    FailureMode mode = FailureMode::host;
    bool replace_failed = true;
    std::vector<FaultEvent> events; // in the file's order
    DeploymentSpec deployments;
};

struct AutoscalingSpec {
    bool enabled = false;
    enum class Policy { target_tracking, step, scheduled, hpa };
    static inline const std::vector<std::string> kPolicyNames = {"target_tracking", "step",
                                                                 "scheduled", "hpa"}; // by Policy
    Policy policy = Policy::target_tracking;
    enum class Metric { cpu, requests_per_node, in_flight_per_node };
    Metric metric = Metric::cpu;
    // cpu: a fraction in (0, 1]; requests_per_node: requests per second per node;
    // in_flight_per_node: requests in flight per node.
    double target = 0.6;
    int min = 2, max = 40;
    double evaluation_period = 60; // s
    int out_datapoints = 3, in_datapoints = 15;
    double in_threshold = 0.9;
    double instance_warmup = 300;               // s
    double cooldown_out = 0, cooldown_in = 300; // s
    struct Step {
        bool above = true;    // above: metric > threshold; below: metric < threshold
        double threshold = 0; // in the metric's unit (as `target`)
        int add = 0;          // nodes added (> 0 above, < 0 below)
    };
    std::vector<Step> steps; // policy: step, in the file's order
    struct Scheduled {
        double at = 0; // s from the start of the run
        int desired = 0;
    };
    std::vector<Scheduled> schedule; // policy: scheduled, `at` increasing
    double hpa_period = 15, hpa_tolerance = 0.1, hpa_stabilization = 300; // s, fraction, s
    enum class ScaleIn { drain, terminate };
    ScaleIn scale_in = ScaleIn::drain;
    // balanced is the YAML `default`: balance zones, then oldest, then random.
    enum class Termination { balanced, oldest, newest, fewest_sessions };
    Termination termination = Termination::balanced;
};

// cluster.runtime: serverless (SPEC §5): one execution environment per concurrent request.
struct ServerlessSpec {
    Distribution cold_start;             // s, the environment's init before its first request
    double idle_timeout = 600;           // s: an environment idle this long is reclaimed
    int concurrency_limit = 1000;        // busy environments at most; beyond: throttled (429)
    int scaling_burst = 1000;            // new environments per scaling window ...
    double scaling_window = 10;          // ... of this many seconds (`scaling_rate: 1000/10s`)
    int provisioned = 0;                 // environments initialised at start, never reclaimed
    double memory = 512.0 * 1024 * 1024; // bytes, for GB-seconds
};

// Long-running processes (SPEC §5): `steps` steps separated by `wait`, each a request.
struct WorkflowSpec {
    bool enabled = false;
    ArrivalProcess arrival;
    int steps = 5;
    Distribution step_time; // s, a step's service demand
    Distribution wait;      // s, between steps
    // in_memory: progress lives on the node that started it; orchestrator: persisted by a
    // Step Functions-like service at every transition.
    enum class Orchestration { in_memory, orchestrator };
    Orchestration orchestration = Orchestration::in_memory;
};

struct CostSpec {
    double node_hour = 0.0416;
    double store_read = 0.125e-6;
    double store_write = 0.625e-6;
    double store_read_capacity_hour = 0.00013;  // one provisioned read unit for an hour
    double store_write_capacity_hour = 0.00065; // one provisioned write unit for an hour
    double lambda_request = 0.2e-6;
    double lambda_gb_second = 16.67e-6;
    double lambda_provisioned_gb_second = 4.17e-6;
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
    AutoscalingSpec autoscaling;
    ServerlessSpec serverless;
    WorkflowSpec workflows;
    CostSpec costs;
};

struct SweepPoint {
    std::vector<std::pair<std::string, std::string>> values; // (dotted key, value text)
    std::vector<Architecture> architectures;
};

// One service-level objective (slo:): a summary column and its limit. An architecture passes
// at a point only when the whole 95% confidence interval is on the right side of the limit.
struct Slo {
    std::string key;       // as written in the file: lost_session_pct, latency_p99, ...
    std::string metric;    // the summary.csv column it judges: lost_session_pct, latency_p99_ms
    double limit = 0;      // in the column's unit (percent, ms, USD, requests/s, fraction)
    bool at_least = false; // availability, throughput_rps: the value must reach the limit
    std::string text;      // the limit as written (`0.1%`, `200ms`)
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
    std::vector<Slo> slo; // in the documented order of the keys; empty: no slo section
};

const char *to_string(BalancingPolicy p);
const char *to_string(StateLocation l);
const char *to_string(StoreKind k);

} // namespace statesim
