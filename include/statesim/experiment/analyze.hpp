#pragma once
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/output/writers.hpp"

namespace statesim {

// What `statesim analyze` predicts for one architecture (seconds, per second, bytes).
//
// A worker is held for the whole request: a store read round trip unless the node's local cache
// holds the session, the CPU demand, the token's verification (client state) and a store write
// round trip for writes; each round trip is hop + store latency + hop. So
//   E[S] = P(read) E[read RT] + E[CPU] + verify + write_fraction E[write RT]
// and Var[S] follows exactly from the independent parts. Each node is an M/G/c queue with
// Poisson arrivals at its share of the request rate: M/M/c (Erlang C) or M/M/c/K when S is
// exponential, Pollaczek-Khinchine when c = 1, otherwise the Allen-Cunneen approximation
// W_q ~ W_q(M/M/c) (1 + cv^2) / 2 (flagged by `mgc_approximation`). Round robin over N >= 2
// nodes of one worker, with exponential worker time, one-request sessions, constant hops and a
// fixed fleet, deals each node every N-th request of a Poisson stream: Erlang-N interarrival
// times, an E_N/M/1 queue (GI/M/1, exact; `erlang_phases`). Round robin otherwise,
// least_outstanding and power_of_two are taken as random routing (said). The client sees W + 4
// hops (client -> balancer -> node and back) + the token's transfer both ways.
struct Prediction {
    // Why the model has no closed form here ("" when it has one). The rates, E[S] and rho are
    // still filled when they are known (not for non-Poisson arrivals).
    std::string no_closed_form;
    // rho >= 1 on the busiest node: queue_limit / (lambda_node - c / E[S]), the seconds its queue
    // takes to fill from empty (0 otherwise). The finite queue is stable at any load (M/M/c/K);
    // analyze calls it unstable when this exceeds the run (warm-up + duration).
    double fill_time = 0;

    double session_rate = 0;
    double requests_per_session = 0; // issued: sessions that end at a loss issue fewer
    double request_rate = 0;         // lambda = session_rate x requests_per_session

    // Worker time per request and its parts (means).
    double p_store_read = 0;     // P(no local-cache hit): the request reads the store
    double read_round_trip = 0;  // 2 E[hop] + E[read latency]
    double cpu = 0;              // E[service_time]
    double verify = 0;           // client token verification
    double p_store_write = 0;    // write_fraction when state lives in the store
    double write_round_trip = 0; // 2 E[hop] + E[write latency]
    double service_mean = 0, service_variance = 0;
    // Serverless with local_cache: which idle environment a session's next request lands in has
    // no closed form, so neither has the hit rate. `hit_unknown` says so; p_store_read, the
    // store rates, service_mean and service_variance are then those of no hit (the upper bound)
    // and service_mean_low is E[S] if every later request hit.
    std::string hit_unknown;
    double service_mean_low = 0;

    // Workflows (servers): their steps are requests to the same workers. The nodes see the mix
    // of both streams: rate, E[S] and Var[S] (the sessions' alone without workflows).
    double workflow_rate = 0, workflow_step = 0; // steps/s, E[step_time]
    double mixed_rate = 0, mixed_mean = 0, mixed_variance = 0;

    double store_ops_rate = 0; // offered store operations per second (reads + writes)
    double store_ops_sd = 0;   // sd of the operations in one second (compound Poisson)
    // DynamoDB capacity modes (on_demand, provisioned): mean request units per read and per
    // write (a read costs one unit per started 4 KiB of the item, a write one per started KiB
    // of the item it writes), the units offered per second and their sd in one second. The
    // limits are state.store.read_units / write_units (on_demand: its initial limits; they grow
    // to twice the previous peak); `capacity` is not used in these modes.
    bool store_units = false;
    double units_per_read = 0, units_per_write = 0;
    double read_units_rate = 0, write_units_rate = 0;
    double read_units_sd = 0, write_units_sd = 0;

    double utilization = 0;         // mixed lambda E[S] / (N c), offered (servers only)
    double busiest_utilization = 0; // the most loaded node (consistent_hash: its ring share)
    double hops = 0;                // 4 E[hop]
    double token_bytes = 0;         // mean token size a request carries (client state)
    double token_transfer = 0;      // both ways
    double node_response = 0;       // W of served requests, over the nodes' carried shares
    double latency = 0;             // hops + token_transfer + node_response
    double blocking = 0;            // M/M/c/K only
    bool finite_queue = false;      // node_response from M/M/c/K (queue_limit matters)
    double carried_rate = 0;        // lambda (1 - blocking): the requests the nodes admit
    // Client state: the share of the issued requests rejected for token overflow (413); they
    // hold a worker for the verification only, so E[S] = verify + (1 - rejected) E[CPU].
    double rejected = 0;
    double served_rate = 0; // successful requests/s: carried_rate (1 - rejected)
    double in_system = 0;   // Little's L at the nodes, every admitted request (413s included)
    double p_wait = -1;     // Erlang C (M/M/c) or sigma (E_N/M/1); -1 otherwise
    int erlang_phases = 0;  // N when each node is E_N/M/1 (round robin), 0 otherwise
    std::string model;      // e.g. "M/G/4 per node"
    bool mgc_approximation = false; // node_response comes from Allen-Cunneen

    // P(CPU demand > client timeout) and the share of E[CPU] above it (NaN: no closed tail).
    double timeout_tail = 0, timeout_share = 0;

    double lost_sessions = -1;            // fraction; < 0 when not applicable or unknown
    std::string lost_why;                 // how the loss closed form was derived, or why none
    double token_overflow = -1;           // P(a session's token outgrows max_bytes), client state
    std::vector<std::string> approximate; // caveats: where a closed form is only approximate
};

Prediction predict(const Architecture &a);

// Nodes up under failures.nodes. With replace_failed: true, the machine-repair CTMC over
// cluster.nodes nodes with a repair crew per node (independent repairs), failure rate 1/E[mtbf],
// return rate 1/E[down], down = the replacement: detection (unhealthy_threshold - 1/2) x interval
// + E[boot_time] + (a new target's first probe at a uniform phase) interval / 2; with a crew per
// node each node is an independent alternating renewal process, so the long-run time averages
// depend on the means only. With replace_failed: false, each node is up for mtbf from its repair
// and down for mttr; a node the health checks marked while down serves (healthy_threshold - 1/2)
// x interval after its repair, or at once when no target is healthy (the balancer fails open),
// and a dead node not yet detected still counts as healthy: the shares of these phases per node,
// multiplied over the independent nodes (exact for exponential mtbf and exponential or
// constant mttr).
struct NodesUpPrediction {
    bool applies = false;      // failures.nodes enabled
    std::string model;         // which model, for the text
    int nodes = 0;             // n = cluster.nodes
    double mtbf = 0, down = 0; // means, s
    std::string down_why;      // how `down` was made up
    double mean_up = 0;        // E[nodes up and routed to]
    double availability = 0;   // P(at least one node up and routed to)
    // A warming node's workers, floor(c x warmup_capacity) and at least 1 (warming_workers), and
    // their share of its c workers.
    int warm_workers = 1;
    double warm_share = 1;
    // mean_up less the warm-up discount: each return serves at warm_share for warmup_period or
    // until it dies, E[min(warmup_period, L)] = mtbf (1 - e^(-warmup_period/mtbf)), returns
    // coming at rate mean_up / mtbf: mean_up (1 - (1 - warm_share)(1 - e^(-warmup_period/mtbf))).
    // What the simulator's nodes_mean measures.
    double serving_mean = 0;
    std::vector<std::string> approximate;
};
NodesUpPrediction predict_nodes_up(const Architecture &a);

// The fraction of sessions lost to node crashes with sticky local state: a session is lost when
// its node fails during one of its k - 1 think times; with exponential think times (mean t) and
// exponential time to failure (mean M), P = 1 - (1 + t/M)^-(k-1), averaged over k (geometric k
// of mean m: (m - 1) t / (m t + M)). fraction < 0 with `not_applicable` saying why.
struct CrashLossPrediction {
    double fraction = -1;
    std::string why;            // the formula used
    std::string not_applicable; // why there is no number ("" when there is one)
    std::vector<std::string> approximate;
};
CrashLossPrediction predict_crash_loss(const Architecture &a);

// The node count autoscaling settles at: target tracking on cpu, ceil(lambda E[S] / (workers x
// target)), on requests_per_node ceil(lambda / target), clamped to [min, max]; lambda and E[S]
// as in predict(), of every request the nodes serve (workflow steps included: mixed_*). Non-Poisson
// arrivals have no steady state: the count at their mean rate (and the range the load spans) is
// given, labelled.
struct AutoscalingPrediction {
    bool applies = false;       // autoscaling enabled
    int nodes = -1;             // the steady count (at the mean rate when not steady)
    int low = -1, high = -1;    // non-Poisson: the counts at the lowest and highest rates
    double request_rate = 0;    // lambda used
    double service_mean = 0;    // E[S] used (cpu)
    std::string not_applicable; // why there is no number
    std::string note;           // e.g. "no steady state: diurnal arrivals"
    // Why the target cannot be reached ("" when it can): a node's metric cannot exceed it
    // (requests_per_node >= c/E[S], cpu 100 %). `nodes` is then where the rule stops from
    // cluster.nodes with the metric saturated, not ceil(lambda / target).
    std::string unreachable;
    double utilization = 0;               // rho = lambda E[S] / (nodes c) at that count
    std::vector<std::string> approximate; // e.g. rho >= 1 at that count
};
AutoscalingPrediction predict_autoscaling(const Architecture &a);

// Analytic predictions (queueing formulas, routing-loss closed form, nodes up, crash losses,
// autoscaling) for every architecture whose model reduces to one; says why where it does not.
// Text for `statesim analyze`. With `simulated` (the scenario's replications, `analyze
// --simulate`), each prediction is followed by the simulated mean +- 95% CI of its metric.
std::string analyze_scenario(const Scenario &sc, const RunMetrics *simulated = nullptr);

// P(a session of k requests is lost) when each request is routed uniformly at random over N
// nodes and state lives on the node of the first request: 1 - E[(1/N)^(k-1)].
double random_routing_loss(const Distribution &requests, int nodes);

} // namespace statesim
