#pragma once
#include <string>
#include <vector>

#include "statesim/config/scenario.hpp"

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
// W_q ~ W_q(M/M/c) (1 + cv^2) / 2 (flagged by `mgc_approximation`). The client sees
// W + 4 hops (client -> balancer -> node and back) + the token's transfer both ways.
struct Prediction {
    // Why the model has no closed form here ("" when it has one). The rates, E[S] and rho are
    // still filled when they are known (not for non-Poisson arrivals).
    std::string no_closed_form;
    bool unstable = false; // rho >= 1 somewhere: queues grow until queue_limit rejects

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

    double store_ops_rate = 0; // offered store operations per second (reads + writes)
    double store_ops_sd = 0;   // sd of the operations in one second (compound Poisson)

    double utilization = 0;         // lambda E[S] / (N c)
    double busiest_utilization = 0; // the most loaded node (consistent_hash: its ring share)
    double hops = 0;                // 4 E[hop]
    double token_bytes = 0;         // mean token size a request carries (client state)
    double token_transfer = 0;      // both ways
    double node_response = 0;       // W at the node: wait + worker time, over nodes' shares
    double latency = 0;             // hops + token_transfer + node_response
    double blocking = 0;            // M/M/c/K only
    double p_wait = -1;             // Erlang C, M/M/c only
    std::string model;              // e.g. "M/G/4 per node"
    bool mgc_approximation = false; // node_response comes from Allen-Cunneen

    double lost_sessions = -1;            // fraction; < 0 when not applicable or unknown
    std::string lost_why;                 // how the loss closed form was derived
    double token_overflow = -1;           // P(a session's token outgrows max_bytes), client state
    std::vector<std::string> approximate; // caveats: where a closed form is only approximate
};

Prediction predict(const Architecture &a);

// Analytic predictions (queueing formulas, routing-loss closed form) for every architecture
// whose model reduces to one; says why where it does not. Text for `statesim analyze`.
std::string analyze_scenario(const Scenario &sc);

// P(a session of k requests is lost) when each request is routed uniformly at random over N
// nodes and state lives on the node of the first request: 1 - E[(1/N)^(k-1)].
double random_routing_loss(const Distribution &requests, int nodes);

} // namespace statesim
